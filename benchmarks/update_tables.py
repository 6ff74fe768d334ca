"""Rewrite the benchmark tables of README.md and docs/command_line.rst from a recorded run.

Usage::

    skemotion benchmark --bandai ../shared/data/bandai-namco-1 --n-jobs 2 -o benchmark-results
    cp benchmark-results/benchmark.json benchmarks/results/benchmark.json
    python benchmarks/update_tables.py            # or: python benchmarks/update_tables.py RECORD.json

Only the text between the markers (``<!-- benchmark-table: SECTION -->`` ... ``<!-- end benchmark-table -->``
in markdown, ``.. benchmark-table: SECTION`` ... ``.. end benchmark-table`` in reST) is replaced; the tables
are never typed by hand. ``tests/test_benchmark_tables.py`` checks that the published tables are these.
"""

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # this checkout's skemotion renders the tables, not another installed copy

from skemotion.benchmark import update_tables  # noqa: E402
from skemotion.utils._files import atomic_write  # noqa: E402

RECORD = ROOT / "benchmarks" / "results" / "benchmark.json"
PAGES = {ROOT / "README.md": "markdown", ROOT / "docs" / "command_line.rst": "rst"}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("record", nargs="?", default=str(RECORD), help="benchmark.json of the run")
    args = parser.parse_args(argv)
    record = json.loads(Path(args.record).read_text())
    for page, fmt in PAGES.items():
        text = page.read_text()
        new = update_tables(text, record, fmt=fmt)
        if new != text:
            with atomic_write(page, "w", newline="\n") as f:
                f.write(new)
            print(f"updated {page.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
