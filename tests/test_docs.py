"""The documentation builds without a warning and lists every public estimator."""

import subprocess
import sys
from pathlib import Path

from skemotion.utils import all_estimators

DOCS = Path(__file__).resolve().parents[1] / "docs"


def test_api_reference_lists_every_public_estimator():
    api = (DOCS / "api.rst").read_text()
    missing = [name for name, cls in all_estimators() if f".{name}\n" not in api]
    assert not missing, f"docs/api.rst does not list {missing}"


def test_docs_build_without_warnings(tmp_path):
    # -W turns every Sphinx warning into an error; the gallery pages are built without running the examples.
    result = subprocess.run(
        [sys.executable, "-m", "sphinx", "-b", "html", "-W", "--keep-going", "-q", "-E", "-d",
         str(tmp_path / "doctrees"), str(DOCS), str(tmp_path / "html")],
        capture_output=True, text=True,
    )
    assert result.returncode == 0, result.stderr[-5000:]
    assert (tmp_path / "html" / "api.html").exists()
