"""Sphinx configuration for skemotion."""

import os
import warnings
from pathlib import Path

import skemotion

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
exclude_patterns = ["_build", "auto_examples/*.ipynb", "auto_examples/*.py"]
html_theme = "alabaster"
intersphinx_mapping = {}  # no network while building

sphinx_gallery_conf = {
    "examples_dirs": str(Path(__file__).parent.parent / "examples"),
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    # Executing every example takes minutes (real data, training); CI builds the pages without running them.
    "plot_gallery": os.environ.get("SKEMOTION_RUN_EXAMPLES", "False"),
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
