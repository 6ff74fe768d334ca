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
# furo: code blocks scroll sideways instead of being cut off at the page's edge.
html_theme = "furo"
intersphinx_mapping = {}  # no network while building

# The examples a build runs by default: each takes seconds on 2 cores (tests/test_docs.py counts their
# figures). The others train networks or extract poses and take a minute or more each.
FAST_EXAMPLES = ["plot_emotion_trajectories", "plot_neural_gas_fitting", "plot_pose_overlay"]

sphinx_gallery_conf = {
    "examples_dirs": str(Path(__file__).parent.parent / "examples"),
    "gallery_dirs": "auto_examples",
    # Every build runs the fast examples (FAST_EXAMPLES) and draws their figures; the slow ones (networks,
    # GANs, pose extraction) are shown as code unless SKEMOTION_RUN_EXAMPLES=all (docs/install.rst).
    "filename_pattern": (r"/plot_" if os.environ.get("SKEMOTION_RUN_EXAMPLES") == "all"
                         else "/(" + "|".join(FAST_EXAMPLES) + r")\.py$"),
    "plot_gallery": True,
    # Outputs left in auto_examples/ by an earlier build are never reused: each build runs its examples anew.
    "run_stale_examples": True,
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
