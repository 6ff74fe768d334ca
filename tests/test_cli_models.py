"""`skemotion train` and `skemotion predict` through subprocess, and predict refusing a hostile model."""

import importlib
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer

from skemotion.cli import recommended_pipeline
from skemotion.datasets import EMOTIONAL_STYLES, make_emotional_gait
from skemotion.io import load_model, save_model

ROOT = Path(__file__).resolve().parents[1]
_LINE = re.compile(r"^(?P<video>\S+): (?P<probas>(?:[\w-]+ \d\.\d\d(?:, )?)+)$")


def _skemotion(*args, env=None):
    return subprocess.run([sys.executable, "-m", "skemotion", *map(str, args)], capture_output=True, text=True,
                          cwd=ROOT, env={**os.environ, **(env or {})}, timeout=600)


def _probabilities(stdout):
    rows = {}
    for line in stdout.splitlines():
        match = _LINE.match(line)
        if match:
            pairs = [pair.rsplit(" ", 1) for pair in match["probas"].split(", ")]
            rows[Path(match["video"]).name] = {name: float(p) for name, p in pairs}
    return rows


def test_train_then_predict_the_shared_videos(bandai_path, shared_data, tmp_path):
    model = tmp_path / "model.skops"
    trained = _skemotion("train", "--bandai", bandai_path, "-o", model, "--n-jobs", 2)
    assert trained.returncode == 0, trained.stderr
    assert "Trained on 77 Bandai-Namco-1 clips" in trained.stdout
    assert sorted(load_model(model).classes_) == sorted(EMOTIONAL_STYLES)
    videos = [shared_data / "video" / name for name in ("tfjs_pose_squats.mp4", "mmpose_demo_street_walking.mp4")]
    predicted = _skemotion("predict", *videos, "--model", model,
                           env={"SKEMOTION_POSE_MODEL": str(shared_data / "models" / "pose_landmarker_full.task")})
    assert predicted.returncode == 0, predicted.stderr
    rows = _probabilities(predicted.stdout)
    assert sorted(rows) == sorted(video.name for video in videos)
    for probas in rows.values():
        assert sorted(probas) == sorted(EMOTIONAL_STYLES) and sum(probas.values()) == pytest.approx(1, abs=0.04)


def test_a_video_with_too_few_usable_frames_gets_its_own_message(tmp_path, shared_data):
    gait = make_emotional_gait(40, random_state=0)
    model = save_model(recommended_pipeline().fit(gait.data, gait.target), tmp_path / "gait.skops")
    video = shared_data / "video" / "mmpose_demo_street_walking.mp4"
    squats = shared_data / "video" / "tfjs_pose_squats.mp4"
    result = _skemotion("predict", video, squats, "--model", model, "--min-frames", 6,
                        "--pose-model", shared_data / "models" / "pose_landmarker_full.task")
    assert result.returncode == 0, result.stderr
    assert f"{video}: no prediction: 5 of 5 frames show every joint (at least 6 needed" in result.stdout
    assert list(_probabilities(result.stdout)) == [squats.name]


def test_predict_refuses_a_model_carrying_a_callable_unless_trusted(tmp_path, shared_data, monkeypatch):
    mark = tmp_path / "ran"
    monkeypatch.setenv("SKEMOTION_TEST_MARK", str(mark))
    hostile = importlib.import_module("tests._hostile")
    gait = make_emotional_gait(40, random_state=0)
    model = make_pipeline(FunctionTransformer(hostile.mark_and_pass), *[s for _, s in recommended_pipeline().steps])
    model.fit(gait.data, gait.target)
    mark.unlink()
    path = save_model(model, tmp_path / "hostile.skops")
    video = shared_data / "video" / "mmpose_demo_street_walking.mp4"
    args = ("predict", video, "--model", path, "--pose-model", shared_data / "models" / "pose_landmarker_full.task")

    refused = _skemotion(*args)
    assert refused.returncode == 1 and not mark.exists()
    assert re.fullmatch(r"skemotion: error: .*hostile\.skops: the model file holds types that are not trusted: "
                        r"\['tests\._hostile\.mark_and_pass'\].*`--trust tests\._hostile\.mark_and_pass` on the "
                        r"command line\.\n", refused.stderr.splitlines(keepends=True)[-1])

    trusted = _skemotion(*args, "--trust", "tests._hostile.mark_and_pass")
    assert trusted.returncode == 0, trusted.stderr
    assert mark.read_text() == "ran" and list(_probabilities(trusted.stdout)) == [video.name]


def test_predict_refuses_a_pickle_model(tmp_path, shared_data):
    import joblib

    path = tmp_path / "model.joblib"
    joblib.dump({"not": "a model"}, path)
    result = _skemotion("predict", shared_data / "video" / "tfjs_pose_squats.mp4", "--model", path)
    assert result.returncode == 1
    assert "model.joblib is not a skops model file. Pickle and joblib files run code" in result.stderr


@pytest.fixture(scope="module")
def small_model(tmp_path_factory):
    """The recommended pipeline fitted on 40 synthetic gaits: a model file in seconds, no Bandai needed."""
    gait = make_emotional_gait(40, random_state=0)
    return save_model(recommended_pipeline().fit(gait.data, gait.target), tmp_path_factory.mktemp("m") / "gait.skops")


def _native_log_lines(stderr):
    from .test_pose_log import NATIVE_LINE  # LiteRT's "INFO: ..." and glog's "W0000 00:00:..." lines

    return [line for line in re.split(r"[\r\n]", stderr) if NATIVE_LINE.match(line)]


@pytest.mark.parametrize("log", [None, "1"])
def test_predict_is_silent_unless_the_native_log_is_asked_for(small_model, shared_data, log):
    video = shared_data / "video" / "mmpose_demo_street_walking.mp4"
    env = {key: value for key, value in os.environ.items() if key != "SKEMOTION_MEDIAPIPE_LOG"}
    if log is not None:
        env["SKEMOTION_MEDIAPIPE_LOG"] = log
    result = subprocess.run([sys.executable, "-m", "skemotion", "predict", str(video), "--model", str(small_model),
                             "--pose-model", str(shared_data / "models" / "pose_landmarker_full.task")],
                            capture_output=True, text=True, cwd=ROOT, env=env, timeout=600)
    assert result.returncode == 0, result.stderr
    assert list(_probabilities(result.stdout)) == [video.name]  # it did run MediaPipe and predict
    lines = _native_log_lines(result.stderr)
    if log is None:
        assert lines == [], result.stderr
    else:  # about fifty with mediapipe 1.2.3, as for `skemotion extract`
        assert len(lines) >= 10, result.stderr
        assert any("LiteRT" in line or "TensorFlow Lite" in line for line in lines)
