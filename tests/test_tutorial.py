"""Every code block of docs/tutorial.rst runs as printed, in order, on the shared real data."""

import re
from pathlib import Path

import matplotlib.pyplot as plt

TUTORIAL = Path(__file__).resolve().parents[1] / "docs" / "tutorial.rst"


def code_blocks(text):
    """The ``.. code-block:: python`` blocks of a reST text, dedented."""
    blocks = re.findall(r"\.\. code-block:: python\n\n((?:(?: {4}.*)?\n)+)", text)
    return [re.sub(r"^ {4}", "", block, flags=re.M) for block in blocks]


def test_tutorial_code_runs_and_prints_what_it_says(shared_data, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("SKEMOTION_DATA", str(shared_data))
    monkeypatch.chdir(tmp_path)  # the figures it saves land here
    blocks = code_blocks(TUTORIAL.read_text())
    assert len(blocks) == 6
    namespace = {}
    for k, block in enumerate(blocks):
        exec(compile(block, f"{TUTORIAL.name}, block {k + 1}", "exec"), namespace)
    plt.close("all")
    out = capsys.readouterr().out
    assert "(1, 65, 33, 3) mediapipe33 [5.]" in out
    accuracy = float(re.search(r"accuracy (\d\.\d+) over 77 clips", out).group(1))
    assert 1 / 7 < accuracy <= 1
    probabilities = [float(p) for p in re.findall(r"^[\w-]+: (\d\.\d\d)$", out, re.M)]
    assert len(probabilities) == 3 and probabilities == sorted(probabilities, reverse=True)
    assert (tmp_path / "walk_signatures.png").stat().st_size > 0
    assert (tmp_path / "de_topomap.png").stat().st_size > 0
    assert "(4, 64, 512) -> (4, 256)" in out
