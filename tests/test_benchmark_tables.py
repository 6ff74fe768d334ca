"""The published benchmark tables are the ones the recorded run renders (no rerun: rendering only)."""

import json
import re
from pathlib import Path

import pytest

from skemotion.benchmark import render_table, update_tables

ROOT = Path(__file__).resolve().parents[1]
RECORD = json.loads((ROOT / "benchmarks" / "results" / "benchmark.json").read_text())
PAGES = {"README.md": "markdown", "docs/command_line.rst": "rst"}


@pytest.mark.parametrize("page, fmt", PAGES.items())
def test_published_tables_are_rendered_from_the_recorded_run(page, fmt):
    text = (ROOT / page).read_text()
    marked = re.findall(r"benchmark-table: (.+?)(?: -->)?\n", text)
    assert set(marked) == set(RECORD["sections"]), f"{page} marks {marked}"
    assert update_tables(text, RECORD, fmt=fmt) == text, (
        f"{page}: its tables differ from benchmarks/results/benchmark.json; run python benchmarks/update_tables.py")


def test_tables_state_the_command_and_the_environment():
    table = render_table(RECORD, "Imbalanced")
    assert RECORD["command"].startswith("skemotion benchmark") and f"`{RECORD['command']}`" in table
    env = RECORD["environment"]
    assert f"Python {env['python']}" in table and f"{env['cpu_count']} cores" in table
    assert f"torch {env['versions']['torch']}" in table and f"scikit-learn {env['versions']['scikit-learn']}" in table
    # every fold's scores are kept, and the rows show their mean and spread
    joint = next(r for r in RECORD["sections"]["Imbalanced"]
                 if r["approach"].startswith("joint distances") and r["sampler"] == "SMOTE")
    assert len(joint["f1_macro"]) == 5
    assert f"| SMOTE | {sum(joint['accuracy']) / 5:.3f} ± " in table


def test_update_tables_refuses_a_section_the_run_does_not_have():
    with pytest.raises(ValueError, match="no section 'Nope' in the recorded run"):
        update_tables("<!-- benchmark-table: Nope -->\nx\n<!-- end benchmark-table -->", RECORD)
