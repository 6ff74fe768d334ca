"""The documentation builds without a warning, lists every public estimator and shows the gallery's figures."""

import os
import re
import shutil
import subprocess
import sys
import time
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


def _report(request, text):
    """A line in pytest's terminal summary (also under -q): the build's cost is worth seeing on every run."""
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line(text)


def _example_times(docs):
    """Seconds per example from sphinx-gallery's sg_execution_times.rst (code and figure rendering)."""
    path = docs / "sg_execution_times.rst"
    if not path.exists():
        return {}
    rows = re.findall(r":ref:`sphx_glr_auto_examples_(\w+)\.py`.*?\n\s*-\s*(\d+):(\d+)\.(\d+)",
                      path.read_text())
    return {name: 60 * int(minutes) + int(seconds) + int(fraction) / 1000 for name, minutes, seconds, fraction in rows}


@pytest.fixture(scope="module")
def html(tmp_path_factory, shared_data, request):
    """The site built from a clean copy of docs/ and examples/, with -W (every warning is an error)."""
    tmp = tmp_path_factory.mktemp("site")
    shutil.copytree(DOCS, tmp / "docs", ignore=shutil.ignore_patterns(*BUILD_OUTPUTS))
    shutil.copytree(ROOT / "examples", tmp / "examples")
    env = {**os.environ, "SKEMOTION_DATA": str(shared_data), "MPLBACKEND": "Agg"}
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "sphinx", "-b", "html", "-W", "--keep-going", "-q", "-E", "-d",
         str(tmp / "doctrees"), str(tmp / "docs"), str(tmp / "html")],
        capture_output=True, text=True, cwd=ROOT, env=env,
    )
    seconds = time.perf_counter() - start
    assert result.returncode == 0, result.stderr[-5000:]
    times = _example_times(tmp / "docs")
    _report(request, f"docs build: {seconds:.0f} s, of which gallery examples {sum(times.values()):.0f} s ("
            + ", ".join(f"{name} {t:.0f} s" for name, t in sorted(times.items(), key=lambda kv: -kv[1])) + ")")
    return tmp / "html"


def test_docs_build_without_warnings(html):
    assert (html / "api.html").exists() and (html / "tutorial.html").exists()


def _figures(page):
    """Images that sphinx-gallery made by running an example (not the thumbnails of the index)."""
    return re.findall(r'<img[^>]+class\s*=\s*"sphx-glr-(?:single|multi)-img"', page.read_text())


def test_every_gallery_page_shows_the_figures_of_its_example(html):
    examples = sorted(p.stem for p in (ROOT / "examples").glob("plot_*.py"))
    assert len(examples) >= 11
    counts = {name: len(_figures(html / "auto_examples" / f"{name}.html")) for name in examples}
    assert all(counts.values()), f"gallery pages without a figure: {counts}"


def test_the_cached_gallery_outputs_were_made_from_the_current_examples():
    from sphinx_gallery.utils import get_md5sum

    sys.path.insert(0, str(DOCS))
    try:
        from gallery_cache import CACHE, CACHED_EXAMPLES
    finally:
        sys.path.remove(str(DOCS))
    for name in CACHED_EXAMPLES:
        # sphinx-gallery's own md5 decides whether the cache is used; a stale one would silently run the example.
        assert (CACHE / f"{name}.py.md5").read_text() == get_md5sum(ROOT / "examples" / f"{name}.py", mode="t"), (
            f"docs/gallery_cache/ holds outputs of an older {name}.py: rebuild the docs and run "
            "`python docs/gallery_cache.py` (see its docstring)")
        assert list(CACHE.glob(f"images/sphx_glr_{name}_[0-9][0-9][0-9].png")), name
