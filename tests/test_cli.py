"""The command line and the benchmark module behind it."""

import subprocess
import sys

import numpy as np
import pytest

from skemotion.benchmark import make_imbalanced, motion_benchmark, to_markdown
from skemotion.cli import main
from skemotion.datasets import make_emotional_gait


def test_python_m_skemotion_lists_the_commands():
    result = subprocess.run([sys.executable, "-m", "skemotion", "--help"], capture_output=True, text=True)
    assert result.returncode == 0
    assert all(command in result.stdout for command in ("demo", "benchmark", "extract"))


def test_errors_are_one_line(tmp_path, capsys):
    assert main(["benchmark", "--bandai", str(tmp_path / "missing")]) == 1
    err = capsys.readouterr().err.strip()
    assert err.startswith("skemotion: error: ") and "not a Bandai-Namco dataset folder" in err
    assert len(err.splitlines()) == 1


def test_extract_writes_the_poses_of_a_video(shared_data, tmp_path, capsys):
    out = tmp_path / "poses.npz"
    video = shared_data / "video" / "tfjs_pose_squats.mp4"
    model = shared_data / "models" / "pose_landmarker_full.task"
    assert main(["extract", str(video), "-o", str(out), "--model", str(model)]) == 0
    saved = np.load(out)
    assert saved["poses"].shape == (1, 65, 33, 3) and saved["lengths"].tolist() == [65]
    assert not np.isnan(saved["poses"]).all(axis=(2, 3)).any()  # a pose in every frame


def test_make_imbalanced_keeps_the_majority_and_subsamples_the_rest():
    y = np.repeat(["a", "b", "c"], 10)
    kept = make_imbalanced(y, keep=3, majority="a", random_state=0)
    labels, counts = np.unique(y[kept], return_counts=True)
    assert dict(zip(labels, counts)) == {"a": 10, "b": 3, "c": 3}
    np.testing.assert_array_equal(kept, make_imbalanced(y, keep=3, majority="a", random_state=0))


def test_motion_benchmark_scores_every_approach_under_grouped_folds():
    gait = make_emotional_gait(80, walkers=5, random_state=0)
    results = motion_benchmark(gait.data, gait.target, gait.groups, gait.frame_rate, samplers=["SMOTE"],
                               cnn=False, n_splits=5)
    names = [(r.approach, r.sampler) for r in results]
    assert ("chance (1/K)", "none") in names and ("majority class", "none") in names
    assert sum(sampler == "SMOTE" for _, sampler in names) == 3  # each supervised approach once more
    majority = results[1].accuracy.mean()
    best = max(r.accuracy.mean() for r in results[2:])
    assert best > majority + 0.3  # the gaits differ by emotion: the approaches beat the baselines
    table = to_markdown(results)
    assert table.count("\n| ") == len(results) and "[1]" in table  # one row each, the clustering footnote


@pytest.mark.parametrize("argv", [["demo", "--n-samples", "x"], ["nonsense"]])
def test_bad_arguments_exit_with_usage(argv):
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2
