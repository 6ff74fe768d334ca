"""The layers of docs/architecture.rst: no subpackage imports from a layer above it."""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "skemotion"

# What each subpackage may import from the rest of skemotion (docs/architecture.rst).
ALLOWED = {
    "skeleton": set(),
    "utils": {"skeleton"},
    "io": {"skeleton", "utils"},
    "cluster": {"skeleton", "utils"},
    "eeg": {"skeleton", "utils"},
    "motion": {"skeleton", "utils"},
    "signatures": {"skeleton", "utils"},
    "pose": {"skeleton", "utils", "io"},
    "nn": {"skeleton", "utils", "eeg", "motion"},
    "samplers": {"skeleton", "utils", "cluster", "nn", "motion", "eeg"},
    "metrics": {"skeleton", "utils", "eeg", "motion", "signatures"},
    "plotting": {"skeleton", "utils", "io", "eeg"},
    "datasets": {"skeleton", "utils", "io", "eeg"},
}


def _imported_subpackages(path):
    """(skemotion subpackage, line) for every import of another subpackage in one module."""
    parts = path.relative_to(PACKAGE).parts
    depth = len(parts) - 1  # folders between skemotion/ and the module
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.level == depth + 1:  # from ..x import (relative to skemotion/)
                target = node.module.split(".")[0]
            elif node.level == 0 and node.module.startswith("skemotion."):
                target = node.module.split(".")[1]
            else:
                continue
            if target != parts[0]:
                yield target, node.lineno


@pytest.mark.parametrize("subpackage", sorted(ALLOWED))
def test_subpackage_imports_only_lower_layers(subpackage):
    offending = [
        f"{path.relative_to(PACKAGE)}:{line} imports skemotion.{target}"
        for path in sorted((PACKAGE / subpackage).rglob("*.py"))
        for target, line in _imported_subpackages(path)
        if target not in ALLOWED[subpackage]
    ]
    assert not offending, "\n".join(offending)


def test_every_subpackage_is_placed_in_a_layer():
    subpackages = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists()}
    assert subpackages == set(ALLOWED)
