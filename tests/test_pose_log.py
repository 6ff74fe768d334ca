"""MediaPipe's native log is silenced by default, Python's stderr output still shows, and a switch brings it back."""

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from skemotion.pose._native_log import native_log_wanted

from .conftest import shared_path

ROOT = Path(__file__).resolve().parents[1]
# LiteRT's "INFO: [environment.cc:36] ..." / "WARNING: ..." and glog's "W0000 00:00:17... file.cc:81] ..."
NATIVE_LINE = re.compile(r"^(INFO|WARNING|ERROR): |^[IWEF]\d{4} \d\d:\d\d:\d\d")


def _run(args, env_extra=None, code=None):
    env = {key: value for key, value in os.environ.items() if key != "SKEMOTION_MEDIAPIPE_LOG"}
    env.update(env_extra or {})
    command = [sys.executable, "-c", code] if code else [sys.executable, "-m", "skemotion", *args]
    result = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, env=env, timeout=300)
    assert result.returncode == 0, result.stderr
    return result


def _native_lines(stderr):
    return [line for line in re.split(r"[\r\n]", stderr) if NATIVE_LINE.match(line)]


@pytest.fixture(scope="module")
def extract_args(tmp_path_factory):
    out = tmp_path_factory.mktemp("log") / "poses.npz"
    return ["extract", str(shared_path("video", "tfjs_pose_squats.mp4")), "-o", str(out),
            "--model", str(shared_path("models", "pose_landmarker_full.task"))]


def test_extract_prints_no_native_log_but_its_progress_bar(extract_args):
    result = _run(extract_args)
    assert _native_lines(result.stderr) == []
    assert "PoseExtractor: 100%" in result.stderr  # tqdm still reaches the real stderr
    assert "Wrote " in result.stdout


def test_environment_variable_brings_the_native_log_back(extract_args):
    result = _run(extract_args, env_extra={"SKEMOTION_MEDIAPIPE_LOG": "1"})
    lines = _native_lines(result.stderr)
    assert len(lines) >= 10, result.stderr  # about fifty with mediapipe 1.2.3
    assert any("LiteRT" in line or "TensorFlow Lite" in line for line in lines)


def test_redirect_drops_fd2_writes_only_inside_and_keeps_python_stderr():
    code = textwrap.dedent("""
        import os, sys, threading, warnings
        from skemotion.pose._native_log import quiet_native_log
        os.write(2, b"native before\\n")
        with quiet_native_log():
            os.write(2, b"native inside\\n")
            with quiet_native_log():  # nested, and from threads: one shared redirection
                threads = [threading.Thread(target=os.write, args=(2, b"native thread\\n")) for _ in range(3)]
                [t.start() for t in threads]
                [t.join() for t in threads]
            os.write(2, b"native still inside\\n")
            print("python inside", file=sys.stderr)
            warnings.warn("a python warning")
        with quiet_native_log(False):
            os.write(2, b"native not quiet\\n")
        os.write(2, b"native after\\n")
    """)
    stderr = _run([], code=code).stderr
    assert "native before" in stderr and "native after" in stderr and "native not quiet" in stderr
    assert "native inside" not in stderr and "native thread" not in stderr and "still inside" not in stderr
    assert "python inside" in stderr and "a python warning" in stderr


@pytest.mark.parametrize(("verbose", "env", "expected"),
                         [(0, None, False), (1, None, False), (2, None, True), (0, "1", True), (0, "0", False)])
def test_switch(monkeypatch, verbose, env, expected):
    monkeypatch.delenv("SKEMOTION_MEDIAPIPE_LOG", raising=False)
    if env is not None:
        monkeypatch.setenv("SKEMOTION_MEDIAPIPE_LOG", env)
    assert native_log_wanted(verbose) is expected
