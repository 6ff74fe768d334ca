"""Project hygiene: a light ``import skemotion``, no unused dependency, and every API name a user reads exists."""

import ast
import importlib
import itertools
import pkgutil
import re
import subprocess
import sys
from pathlib import Path

import pytest
import tomllib

import skemotion

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "skemotion"

# Names that an error message or a doc page mentions and that do not exist yet, each with the issue fixing it.
# Keep this empty: a name lands here only while a branch that makes it exist (or rewrites the text) is open.
BEING_FIXED = set()  # names that a message or a page mentions while the issue that adds them is open

# Third-party namespaces whose classes the docs and messages may name as ``SomeClass(``.
THIRD_PARTY = ["sklearn.cluster", "sklearn.decomposition", "sklearn.ensemble", "sklearn.linear_model",
               "sklearn.model_selection", "sklearn.pipeline", "sklearn.preprocessing", "sklearn.svm",
               "imblearn.over_sampling", "imblearn.pipeline"]

DOTTED = re.compile(r"\bskemotion(?:\.[A-Za-z_]\w*)+")
CAMEL_CALL = re.compile(r"\b([A-Z][a-z0-9]+(?:[A-Z][A-Za-z0-9]*)+)\(")  # SkeletonNormalizer(, not SVC(
FROM_IMPORT = re.compile(r"from (skemotion[\w.]*) import (?:\(([\w\s,]+)\)|([\w ,]+))")


def test_import_skemotion_loads_no_plotting_video_or_pose_backend():
    # A fresh interpreter: this test process has long imported pyplot and cv2.
    code = ("import sys, skemotion; "
            "print(sorted(m for m in ('matplotlib.pyplot', 'cv2', 'mediapipe') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert result.stdout.strip() == "[]"


def _imported_top_level_modules(folder):
    names = set()
    for path in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return names


# Distribution name -> the module it installs, where they differ.
MODULE_OF = {"scikit-learn": "sklearn", "imbalanced-learn": "imblearn", "pot": "ot",
             "opencv-contrib-python": "cv2", "pillow": "PIL"}
# Dependencies declared ahead of the code that imports them (none today); each must leave once it is imported.
NOT_YET_IMPORTED = set()


def test_every_runtime_dependency_is_imported_by_the_package():
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    distributions = [re.match(r"[A-Za-z0-9_.-]+", spec).group().lower() for spec in declared]
    imported = _imported_top_level_modules(PACKAGE)
    unused = [d for d in distributions if MODULE_OF.get(d, d) not in imported and d not in NOT_YET_IMPORTED]
    assert not unused, f"pyproject.toml declares {unused} but skemotion never imports them"
    stale = [d for d in NOT_YET_IMPORTED if MODULE_OF.get(d, d) in imported]
    assert not stale, f"{stale} is imported now: remove it from NOT_YET_IMPORTED"


def test_the_license_file_is_the_one_pyproject_names():
    assert tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["license"] == "BSD-3-Clause"
    assert (ROOT / "LICENSE").read_text().startswith("BSD 3-Clause License\n")


# --- every API name that a user reads exists --------------------------------------------------------------------

def _resolves(dotted):
    """Whether ``skemotion.a.b.C.attr`` names something: the longest importable module, then attributes."""
    parts = dotted.split(".")
    for cut in range(len(parts), 0, -1):
        try:
            obj = importlib.import_module(".".join(parts[:cut]))
        except ImportError:
            continue
        try:
            for attr in parts[cut:]:
                obj = getattr(obj, attr)
        except AttributeError:
            return False
        return True
    return False


def _public_names():
    names = set(skemotion.__all__)
    for info in pkgutil.walk_packages(skemotion.__path__, "skemotion."):
        if info.ispkg:
            names.update(getattr(importlib.import_module(info.name), "__all__", ()))
    return names


def _message_texts():
    """``(where, text)`` of every exception raised and warning issued in the package (f-string parts joined)."""
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Raise) and isinstance(node.exc, ast.Call):
                call = node.exc
            elif isinstance(node, ast.Call) and "warn" in (getattr(node.func, "attr", None),
                                                           getattr(node.func, "id", None)):
                call = node
            else:
                continue
            text = "".join(c.value for arg in call.args for c in ast.walk(arg)
                           if isinstance(c, ast.Constant) and isinstance(c.value, str))
            yield f"{path.relative_to(ROOT)}:{call.lineno}", text


def _doc_texts(folder="docs", pattern="*.rst"):
    for path in sorted((ROOT / folder).glob(pattern)) + ([ROOT / "README.md"] if folder == "docs" else []):
        if path.name != "sg_execution_times.rst":  # written by sphinx-gallery during a build, not by us
            yield str(path.relative_to(ROOT)), path.read_text()


def _missing_names(texts, *, camel):
    public = _public_names() if camel else set()
    third_party = [importlib.import_module(module) for module in THIRD_PARTY] if camel else []
    missing = []
    for where, text in texts:
        named = set(DOTTED.findall(text))
        for module, *imported in FROM_IMPORT.findall(text):
            names = (name.split(" as ")[0].strip() for name in "".join(imported).split(","))
            named.update(f"{module}.{name}" for name in names if name)
        missing += [f"{where}: {name}" for name in sorted(named) if name not in BEING_FIXED and not _resolves(name)]
        if camel:
            missing += [f"{where}: {name}(" for name in sorted(set(CAMEL_CALL.findall(text)))
                        if name not in public and not any(hasattr(module, name) for module in third_party)]
    return missing


def test_every_api_name_in_an_error_or_warning_message_exists():
    missing = _missing_names(_message_texts(), camel=True)
    assert not missing, "messages name API that does not exist:\n" + "\n".join(missing)


def test_every_api_name_in_the_docs_exists():
    missing = _missing_names(_doc_texts(), camel=True)
    assert not missing, "docs name API that does not exist:\n" + "\n".join(missing)


def test_every_skemotion_name_in_the_examples_exists():
    # The examples are code: their own imports resolve the classes they call, so only skemotion names are checked
    # (the docs build does not run every example).
    missing = _missing_names(_doc_texts("examples", "*.py"), camel=False)
    assert not missing, "examples name API that does not exist:\n" + "\n".join(missing)


def test_the_name_check_catches_a_missing_name():
    texts = [("a message", "convert it first (skemotion.motion.NoSuchStep), or pass NoSuchLayout(...)"),
             ("a page", "from skemotion.plotting import plot_skeleton, no_such_plot")]
    assert _missing_names(texts, camel=True) == ["a message: skemotion.motion.NoSuchStep",
                                                 "a message: NoSuchLayout(", "a page: skemotion.plotting.no_such_plot"]


@pytest.mark.parametrize("name", sorted(BEING_FIXED))
def test_names_being_fixed_are_still_named_and_still_missing(name):
    # Once the name exists, or no text names it any more, it must leave BEING_FIXED.
    sources = itertools.chain(_message_texts(), _doc_texts(), _doc_texts("examples", "*.py"))
    texts = "\n".join(text for _, text in sources)
    assert name in texts and not _resolves(name), f"{name} is fixed: remove it from BEING_FIXED"
