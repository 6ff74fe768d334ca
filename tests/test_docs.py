"""The documentation builds without a warning, lists every public estimator and shows the gallery's figures."""

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from skemotion.utils import all_estimators

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
# What earlier builds leave in docs/: never copied, so a stale page cannot hide or cause a failure here.
BUILD_OUTPUTS = ("_build", "generated", "gen_modules", "auto_examples", "sg_execution_times.rst")


def test_api_reference_lists_every_public_estimator():
    api = (DOCS / "api.rst").read_text()
    missing = [name for name, cls in all_estimators() if f".{name}\n" not in api]
    assert not missing, f"docs/api.rst does not list {missing}"


@pytest.fixture(scope="module")
def html(tmp_path_factory, shared_data):
    """The site built from a clean copy of docs/ and examples/, with -W (every warning is an error)."""
    tmp = tmp_path_factory.mktemp("site")
    shutil.copytree(DOCS, tmp / "docs", ignore=shutil.ignore_patterns(*BUILD_OUTPUTS))
    shutil.copytree(ROOT / "examples", tmp / "examples")
    env = {**os.environ, "SKEMOTION_DATA": str(shared_data), "MPLBACKEND": "Agg"}
    env.pop("SKEMOTION_RUN_EXAMPLES", None)  # the default build, as CI runs it
    result = subprocess.run(
        [sys.executable, "-m", "sphinx", "-b", "html", "-W", "--keep-going", "-q", "-E", "-d",
         str(tmp / "doctrees"), str(tmp / "docs"), str(tmp / "html")],
        capture_output=True, text=True, cwd=ROOT, env=env,
    )
    assert result.returncode == 0, result.stderr[-5000:]
    return tmp / "html"


def test_docs_build_without_warnings(html):
    assert (html / "api.html").exists() and (html / "tutorial.html").exists()


def _figures(page):
    """Images that sphinx-gallery made by running an example (not the thumbnails of the index)."""
    return re.findall(r'<img[^>]+class\s*=\s*"sphx-glr-(?:single|multi)-img"', page.read_text())


def test_gallery_pages_show_the_figures_of_the_examples_they_ran(html):
    sys.path.insert(0, str(DOCS))
    try:
        from conf import FAST_EXAMPLES
    finally:
        sys.path.remove(str(DOCS))
    assert len(FAST_EXAMPLES) >= 3
    counts = {name: len(_figures(html / "auto_examples" / f"{name}.html")) for name in FAST_EXAMPLES}
    assert all(counts.values()), f"gallery pages without a figure: {counts}"
    slow = set(p.stem for p in (ROOT / "examples").glob("plot_*.py")) - set(FAST_EXAMPLES)
    assert all(not _figures(html / "auto_examples" / f"{name}.html") for name in slow)
    assert sum(counts.values()) >= 5  # the figures the three examples draw today: 2, 1 (an animation) and 2
