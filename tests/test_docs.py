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
    """A line on the terminal (also under -q, and outside pytest's output capture): the build's cost is worth
    seeing on every run."""
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is not None and capture is not None:
        with capture.global_and_fixture_disabled():
            reporter.write_line(text)


def _cached_examples():
    sys.path.insert(0, str(DOCS))
    try:
        from gallery_cache import CACHE, CACHED_EXAMPLES
    finally:
        sys.path.remove(str(DOCS))
    return CACHE, CACHED_EXAMPLES


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
    cached = _cached_examples()[1]
    ran = {name: t for name, t in _example_times(tmp / "docs").items() if name not in cached}
    _report(request, f"\ndocs build: {seconds:.0f} s, of which {len(ran)} gallery examples ran "
            f"{sum(ran.values()):.0f} s ("
            + ", ".join(f"{name} {t:.0f} s" for name, t in sorted(ran.items(), key=lambda kv: -kv[1]))
            + f"); from the cache: {', '.join(cached)}")
    return tmp / "html"


def test_docs_build_without_warnings(html):
    assert (html / "api.html").exists() and (html / "tutorial.html").exists()


def _figures(page):
    """Images and animations that sphinx-gallery made by running an example (not the thumbnails of the index)."""
    html = page.read_text()
    return (re.findall(r'<img[^>]+class\s*=\s*"sphx-glr-(?:single|multi)-img"', html)
            + re.findall(r'class="sphx-glr-animation[ "]', html))


def test_every_gallery_page_shows_the_figures_of_its_example(html):
    examples = sorted(p.stem for p in (ROOT / "examples").glob("plot_*.py"))
    assert len(examples) >= 11
    counts = {name: len(_figures(html / "auto_examples" / f"{name}.html")) for name in examples}
    assert all(counts.values()), f"gallery pages without a figure: {counts}"
    for name in examples:  # the pictures themselves, those of the cached examples included
        page = (html / "auto_examples" / f"{name}.html").read_text()
        for source in re.findall(r'src="\.\./(_images/sphx_glr_[^"]+\.png)"', page):
            assert (html / source).stat().st_size > 1000, source


def test_the_cached_gallery_outputs_were_made_from_the_current_examples():
    from sphinx_gallery.utils import get_md5sum

    cache, cached = _cached_examples()
    for name in cached:
        # sphinx-gallery's own md5 decides whether the cache is used; a stale one would silently run the example.
        assert (cache / f"{name}.py.md5").read_text() == get_md5sum(ROOT / "examples" / f"{name}.py", mode="t"), (
            f"docs/gallery_cache/ holds outputs of an older {name}.py: rebuild the docs and run "
            "`python docs/gallery_cache.py` (see its docstring)")
        assert list(cache.glob(f"images/sphx_glr_{name}_[0-9][0-9][0-9].png")), name


def test_gallery_outputs_print_labels_as_plain_strings(html):
    # A numpy scalar's repr (np.str_('angry'), np.float64(0.5)) in printed output reads as noise to a user.
    pages = sorted((html / "auto_examples").glob("plot_*.html"))
    noisy = {page.stem for page in pages if re.search(r"np\.(?:str_|float64|int64)\(", page.read_text())}
    assert pages and not noisy, f"gallery pages printing numpy reprs: {sorted(noisy)}"
