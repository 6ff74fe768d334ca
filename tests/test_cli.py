"""The command line and the benchmark module behind it."""

import json
import subprocess
import sys

import numpy as np
import pytest
from sklearn.utils import Bunch

import skemotion.benchmark
import skemotion.datasets
import skemotion.pose
from skemotion.benchmark import QUICK_SAMPLERS, Result, eeg_benchmark, make_imbalanced, motion_benchmark, to_markdown
from skemotion.cli import build_parser, main
from skemotion.datasets import make_eeg_emotion, make_emotional_gait
from skemotion.nn import BraindecodeClassifier
from skemotion.skeleton import with_metadata


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
def test_bad_arguments_exit_with_usage(argv, capsys):
    with pytest.raises(SystemExit, match="^2$"):  # argparse's usage error status
        main(argv)
    assert "usage: skemotion" in capsys.readouterr().err


# --- every option reaches the code it names -----------------------------------------------------------------
# The options each command declares, and the test below that checks where each one goes. A new option (or a new
# command) fails test_every_option_is_checked until it is added here and checked.
CHECKED_OPTIONS = {
    "demo": {"n_samples", "n_jobs", "random_state", "verbose"},
    "benchmark": {"bandai", "output_dir", "quick", "n_jobs", "random_state", "verbose"},
    "extract": {"inputs", "output", "model", "coordinates", "n_jobs"},
    "train": {"bandai", "output", "n_jobs", "random_state"},
    "predict": {"videos", "model", "pose_model", "trust", "min_frames", "min_visibility", "n_jobs"},
}


def test_every_option_is_checked():
    parser = build_parser()
    commands = next(a for a in parser._actions if a.dest == "command").choices
    declared = {name: {a.dest for a in sub._actions if a.dest != "help"} for name, sub in commands.items()}
    assert declared == CHECKED_OPTIONS


class _Recorder:
    """Stands in for a library function: records each call's arguments, returns ``result(*args, **kwargs)``."""

    def __init__(self, result):
        self.result, self.calls = result, []

    def __call__(self, *args, **kwargs):
        self.calls.append((args, kwargs))
        return self.result(*args, **kwargs)


def _results(*args, **kwargs):
    scores = np.array([0.5, 0.7])
    return [Result("chance (1/K)", "none", scores, scores, 0.0), Result("an approach", "none", scores, scores, 1.0)]


def _fake_bandai(*args, **kwargs):
    y = np.repeat(["normal", "happy", "sad"], [11, 8, 8])
    return Bunch(data=[np.zeros((4, 16, 3))] * len(y), target=y, groups=np.arange(len(y)) % 5, frame_rate=30.0)


def _fake_eeg(**kwargs):
    return Bunch(data=np.zeros((10, 2, 8)), target=np.repeat(["neutral", "sad"], 5), groups=np.arange(10) % 5,
                 sfreq=100.0, ch_names=("FP1", "FP2"))


@pytest.mark.parametrize("quick", [False, True])
def test_benchmark_options_reach_the_benchmark(monkeypatch, tmp_path, capsys, quick):
    load, bench, eeg_bench = _Recorder(_fake_bandai), _Recorder(_results), _Recorder(_results)
    imbalance, eeg = _Recorder(make_imbalanced), _Recorder(_fake_eeg)
    monkeypatch.setattr(skemotion.datasets, "load_bandai_namco", load)
    monkeypatch.setattr(skemotion.datasets, "make_eeg_emotion", eeg)
    monkeypatch.setattr(skemotion.benchmark, "motion_benchmark", bench)
    monkeypatch.setattr(skemotion.benchmark, "eeg_benchmark", eeg_bench)
    monkeypatch.setattr(skemotion.benchmark, "make_imbalanced", imbalance)
    argv = ["benchmark", "--bandai", "some/folder", "-o", str(tmp_path / "out"), "--random-state", "7",
            "--n-jobs", "3", "-v"] + (["--quick"] if quick else [])
    assert main(argv) == 0

    (path,), load_options = load.calls[0]
    assert path == "some/folder" and load_options["n_jobs"] == 3
    assert imbalance.calls[0][1]["random_state"] == 7
    (balanced, balanced_options), (imbalanced, imbalanced_options) = bench.calls
    for options in (balanced_options, imbalanced_options):
        assert options["random_state"] == 7 and options["n_jobs"] == 3 and callable(options["progress"])
    assert balanced_options["samplers"] is False and balanced_options["cnn"] is (not quick)
    assert imbalanced_options["samplers"] == (list(QUICK_SAMPLERS) if quick else True)
    kept = make_imbalanced(_fake_bandai().target, keep=5, majority="normal", random_state=7)
    assert len(imbalanced[0]) == len(kept) and list(imbalanced[1]) == list(_fake_bandai().target[kept])
    # the EEG section: DGCNN (networks) only in the full run
    assert eeg.calls[0][1]["random_state"] == 7
    (eeg_args, eeg_options), = eeg_bench.calls
    assert eeg_options["networks"] is (not quick) and eeg_options["random_state"] == 7 and eeg_options["n_jobs"] == 3
    assert eeg_options["ch_names"] == list(_fake_eeg().ch_names) and eeg_args[3] == _fake_eeg().sfreq
    report = (tmp_path / "out" / "benchmark.md").read_text()
    assert ("--random-state 7 --quick" in report) is quick and report.count("| an approach |") == 3
    assert (tmp_path / "out" / "benchmark.png").stat().st_size > 0
    # The record names the command as run, data folder included, so that anyone can rerun it as written.
    record = json.loads((tmp_path / "out" / "benchmark.json").read_text())
    assert record["command"].startswith("skemotion benchmark --bandai some/folder --random-state 7")


def test_benchmark_defaults(monkeypatch, tmp_path):
    bench = _Recorder(_results)
    monkeypatch.setattr(skemotion.datasets, "load_bandai_namco", _fake_bandai)
    monkeypatch.setattr(skemotion.datasets, "make_eeg_emotion", _fake_eeg)
    monkeypatch.setattr(skemotion.benchmark, "motion_benchmark", bench)
    monkeypatch.setattr(skemotion.benchmark, "eeg_benchmark", _results)
    monkeypatch.chdir(tmp_path)
    assert main(["benchmark", "--bandai", "x"]) == 0
    for _, options in bench.calls:
        assert options["random_state"] == 0 and options["n_jobs"] is None and options["progress"] is None
    assert (tmp_path / "benchmark-results" / "benchmark.md").exists()


def test_demo_options_reach_the_data_and_the_benchmarks(monkeypatch, capsys):
    gaits = _Recorder(lambda n, **kw: Bunch(data=[np.zeros((4, 16, 3))] * n, groups=np.arange(n) % 4,
                                            target=np.repeat(["neutral", "sad"], n // 2), frame_rate=30.0))
    eeg = _Recorder(lambda **kw: Bunch(data=np.zeros((60, 3, 8)), target=np.repeat(["neutral", "sad"], 30),
                                       groups=np.arange(60) % 5, sfreq=100.0))
    motion, eeg_bench = _Recorder(_results), _Recorder(_results)
    monkeypatch.setattr(skemotion.datasets, "make_emotional_gait", gaits)
    monkeypatch.setattr(skemotion.datasets, "make_eeg_emotion", eeg)
    monkeypatch.setattr(skemotion.benchmark, "motion_benchmark", motion)
    monkeypatch.setattr(skemotion.benchmark, "eeg_benchmark", eeg_bench)
    assert main(["demo", "--n-samples", "120", "--random-state", "5", "--n-jobs", "2", "-v"]) == 0
    assert gaits.calls[0][0] == (120,) and gaits.calls[0][1]["random_state"] == 5
    assert eeg.calls[0][1]["random_state"] == 5
    (_, options), = motion.calls
    assert options["random_state"] == 5 and options["n_jobs"] == 2 and callable(options["progress"])
    (_, options), = eeg_bench.calls
    assert options["random_state"] == 5 and options["n_jobs"] == 2


def test_extract_options_reach_the_extractor(monkeypatch, tmp_path, capsys):
    made = []

    class FakeExtractor:
        def __init__(self, **params):
            made.append(params)

        def extract(self, inputs):
            made.append(list(inputs))
            poses = with_metadata(np.zeros((len(inputs), 2, 33, 3)), layout="mediapipe33", frame_rate=[25.0, None],
                                  y_up=True, units="m")
            return poses, np.full(len(inputs), 2)

    monkeypatch.setattr(skemotion.pose, "PoseExtractor", FakeExtractor)
    out = tmp_path / "poses.npz"
    assert main(["extract", "a.mp4", "b.jpg", "-o", str(out), "--model", "m.task", "--coordinates", "world",
                 "--n-jobs", "2"]) == 0
    params, inputs = made
    assert params["model_asset_path"] == "m.task" and params["coordinates"] == "world" and params["n_jobs"] == 2
    assert inputs == ["a.mp4", "b.jpg"]
    saved = np.load(out)
    assert saved["inputs"].tolist() == ["a.mp4", "b.jpg"] and str(saved["coordinates"]) == "world"
    np.testing.assert_array_equal(saved["frame_rate"], [25.0, np.nan])  # each video's rate; none for a photo


def test_train_options_reach_the_loader_and_the_model(monkeypatch, tmp_path, capsys):
    import skemotion.io

    gait = make_emotional_gait(16, random_state=0)
    load = _Recorder(lambda *a, **kw: Bunch(data=gait.data, target=gait.target, groups=gait.groups))
    save = _Recorder(lambda model, path: None)
    monkeypatch.setattr(skemotion.datasets, "load_bandai_namco", load)
    monkeypatch.setattr(skemotion.io, "save_model", save)
    assert main(["train", "--bandai", "folder", "-o", str(tmp_path / "m.skops"), "--n-jobs", "2",
                 "--random-state", "3"]) == 0
    (path,), options = load.calls[0]
    assert path == "folder" and options["n_jobs"] == 2
    (model, out), _ = save.calls[0]
    assert out == str(tmp_path / "m.skops") and model[-1].random_state == 3


def test_predict_options_reach_the_model_and_the_extractor(monkeypatch, capsys):
    import skemotion.io

    made = []

    class FakeExtractor:
        def __init__(self, **params):
            made.append(params)

        def extract(self, videos):
            return np.zeros((len(videos), 5, 33, 3)), np.full(len(videos), 5)

    class FakeModel:
        classes_ = np.array(["happy", "sad"])

        def predict_proba(self, X):
            return np.array([[0.25, 0.75]])

    load = _Recorder(lambda path, trusted=None: FakeModel())
    monkeypatch.setattr(skemotion.io, "load_model", load)
    monkeypatch.setattr(skemotion.pose, "PoseExtractor", FakeExtractor)
    assert main(["predict", "v.mp4", "--model", "m.skops", "--pose-model", "p.task", "--trust", "a.B",
                 "--min-frames", "6", "--min-visibility", "0.3", "--n-jobs", "2"]) == 1  # 5 frames < 6
    assert load.calls[0] == (("m.skops",), {"trusted": ["a.B"]})
    assert made[0]["model_asset_path"] == "p.task" and made[0]["min_visibility"] == 0.3 and made[0]["n_jobs"] == 2
    assert "v.mp4: no prediction: 5 of 5 frames" in capsys.readouterr().out
    assert main(["predict", "v.mp4", "--model", "m.skops", "--min-frames", "5"]) == 0
    assert "v.mp4: sad 0.75, happy 0.25" in capsys.readouterr().out


def test_full_motion_benchmark_has_the_network_rows(monkeypatch):
    """The full run (cnn=True) scores the gait CNN, ST-GCN and the view-group head; tiny settings keep it fast."""
    tiny = dict(max_epochs=1)
    monkeypatch.setattr(skemotion.benchmark, "motion_approaches", lambda frame_rate, random_state=0: {})
    monkeypatch.setattr(skemotion.benchmark, "clustering", lambda *args, **kwargs: Result(
        "clustering", "none", np.zeros(1), np.zeros(1), 0.0))
    original_gait_cnn = skemotion.benchmark.gait_cnn
    monkeypatch.setattr(skemotion.benchmark, "gait_cnn", lambda views, random_state=0: original_gait_cnn(
        views, random_state=random_state).set_params(gaitcnnclassifier__max_epochs=1))
    for name in ("stgcn", "view_group_cnn"):
        factory = getattr(skemotion.benchmark, name)
        monkeypatch.setattr(skemotion.benchmark, name, lambda random_state=0, f=factory: f(random_state, **tiny))
    gait = make_emotional_gait(20, walkers=4, random_state=0)
    results = motion_benchmark(gait.data, gait.target, gait.groups, gait.frame_rate, samplers=False, cnn=True,
                               n_splits=2)
    rows = {r.approach: r for r in results}
    for name in ("ST-GCN (positions, velocities, bones)", "gait CNN view-group head (ProxEmo)"):
        assert rows[name].f1_macro.shape == (2,) and np.isfinite(rows[name].f1_macro).all()
        assert rows[name].seconds > 0
    assert sum(r.approach == "gait image + CNN (ProxEmo)" for r in results) == 2
    assert "ST-GCN (positions, velocities, bones)" in to_markdown(results)


def test_full_eeg_benchmark_has_the_network_rows(monkeypatch):
    """networks=True adds DGCNN on DE features and ShallowFBCSPNet on prewhitened crops, scored under the same
    subject folds; one epoch keeps it fast."""
    original, original_raw = skemotion.benchmark.dgcnn, skemotion.benchmark.braindecode_network
    monkeypatch.setattr(skemotion.benchmark, "dgcnn", lambda sfreq, ch_names=None, random_state=0: original(
        sfreq, ch_names, random_state=random_state, max_epochs=1))
    monkeypatch.setattr(skemotion.benchmark, "braindecode_network", lambda sfreq, random_state=0: original_raw(
        sfreq, random_state=random_state, max_epochs=1))
    eeg = make_eeg_emotion(n_subjects=4, n_trials=6, random_state=0)
    quick = eeg_benchmark(eeg.data, eeg.target, eeg.groups, eeg.sfreq, n_splits=2)
    full = eeg_benchmark(eeg.data, eeg.target, eeg.groups, eeg.sfreq, ch_names=list(eeg.ch_names), networks=True,
                         n_splits=2)
    raw = [] if BraindecodeClassifier._unavailable_reason else ["prewhitened EEG + ShallowFBCSPNet (braindecode)"]
    assert [r.approach for r in full] == [r.approach for r in quick] + ["DE + DGCNN"] + raw
    for result in full[len(quick):]:
        assert result.f1_macro.shape == (2,) and np.isfinite(result.f1_macro).all() and result.seconds > 0
