"""The README's pipeline runs as printed, on the loader's defaults and the shared real data."""

import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def test_readme_pipeline_runs_on_the_loader_defaults(capsys, monkeypatch, shared_data):
    code = re.search(r"## In ten lines\n\n```python\n(.*?)```", README.read_text(), re.S).group(1)
    monkeypatch.chdir(README.parent)  # the README's paths are relative to the repository root
    exec(compile(code, "README.md", "exec"), {})
    accuracy = float(capsys.readouterr().out.strip().splitlines()[-1])
    assert 1 / 15 < accuracy <= 1.0  # 15 styles: better than chance
