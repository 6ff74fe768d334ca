"""Sphinx configuration for skemotion."""

import os
from pathlib import Path

import skemotion

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
