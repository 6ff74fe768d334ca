"""Every benchmark script still imports what it measures: a rename in the toolkit breaks a test, not a rerun."""

import runpy
from pathlib import Path

import pytest

BENCHMARKS = sorted((Path(__file__).resolve().parents[1] / "benchmarks").glob("*.py"))


def test_benchmarks_are_found():
    assert len(BENCHMARKS) >= 10


@pytest.mark.parametrize("script", BENCHMARKS, ids=lambda path: path.name)
def test_benchmark_imports(script):
    namespace = runpy.run_path(str(script), run_name="benchmark_import_check")  # the module body, not main()
    assert callable(namespace.get("main")), f"{script.name} has no main()"
