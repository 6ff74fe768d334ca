"""Sphinx configuration for skemotion."""

import sys
import warnings
from pathlib import Path

import skemotion

sys.path.insert(0, str(Path(__file__).parent))
from gallery_cache import restore_gallery_cache  # noqa: E402

# skorch's private docstrings use an "Example" section that numpydoc does not know; not ours to fix.
warnings.filterwarnings("ignore", message="Unknown section Example", category=UserWarning)

project = "skemotion"
author = "the skemotion developers"
release = version = skemotion.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
    "sphinx.ext.mathjax",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]

autosummary_generate = True
templates_path = ["_templates"]
autodoc_default_options = {"members": True, "inherited-members": False}
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False
exclude_patterns = ["_build", "auto_examples/*.ipynb", "auto_examples/*.py", "gallery_cache"]
# furo: code blocks scroll sideways instead of being cut off at the page's edge.
html_theme = "furo"
intersphinx_mapping = {}  # no network while building

# Every build runs every example and draws its figures, except the cached ones (docs/gallery_cache.py): each
# takes seconds to a few tens of seconds on 2 cores (where one was cut down for this, fewer epochs or every
# other video frame, its text says what the full run is). tests/test_docs.py checks every page's figures.
restore_gallery_cache(Path(__file__).parent / "auto_examples")

sphinx_gallery_conf = {
    "examples_dirs": str(Path(__file__).parent.parent / "examples"),
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "plot_gallery": True,
    # An example whose md5 in auto_examples/ matches its source is not run again. restore_gallery_cache()
    # leaves such an md5 only for the cached examples: every other example runs anew in each build.
    "run_stale_examples": False,
    "download_all_examples": False,
    # Animations (skemotion.plotting) are embedded as JavaScript players: no FFmpeg needed.
    "matplotlib_animations": True,
}


def _skip_foreign_members(app, what, name, obj, skip, options):
    """Document skemotion's own methods only: inherited scikit-learn helpers (``score``,
    ``set_*_request``) carry cross-references into scikit-learn's own documentation."""
    module = getattr(obj, "__module__", None) or ""
    if what == "class" and callable(obj) and module and not module.startswith("skemotion"):
        return True
    if name.startswith("set_") and name.endswith("_request"):
        return True
    return skip


def setup(app):
    app.connect("autodoc-skip-member", _skip_foreign_members)
