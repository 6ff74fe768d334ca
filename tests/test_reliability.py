"""Nothing silent, nothing lost (issue 15): atomic writes, writers that match their readers, errors that pickle.

Each family is tested at its mechanism: fault injection into the one write helper and into each writer that
uses it, a property test of the BVH round trip, and every exception class of the toolkit through pickle and
through a loky worker.
"""

import importlib
import inspect
import json
import os
import pickle
import pkgutil
import re
import shutil
import stat
import subprocess
import sys
import warnings
from pathlib import Path

import h5py
import numpy as np
import pytest
import scipy.io
import scipy.linalg
import scipy.special
import scipy.stats
from hypothesis import example, given, settings
from hypothesis import strategies as st
from joblib import Parallel, delayed
from scipy.spatial.transform import Rotation
from sklearn.linear_model import LogisticRegression

import skemotion
import skemotion.benchmark
import skemotion.datasets
import skemotion.io._bvh
import skemotion.pose
import skemotion.signatures
import skemotion.utils._files
from skemotion.cli import main
from skemotion.datasets import (
    load_bandai_namco,
    load_emotion_gait,
    load_seed,
    make_eeg_emotion,
    make_emotional_gait,
    write_seed,
)
from skemotion.eeg import EEGBandFeatures
from skemotion.io import (
    BVHError,
    BVHMotion,
    PartialReadWarning,
    iter_video_frames,
    load_model,
    read_bvh,
    read_c3d,
    read_video,
    save_model,
    skeleton_to_bvh,
    write_bvh,
)
from skemotion.metrics import (
    classifier_two_sample_auc,
    diversity,
    frechet_distance,
    gaussian_frechet_distance,
    precision_recall_density_coverage,
)
from skemotion.motion import AffectiveFeatures, JointDistances, KinematicFeatures, SkeletonNormalizer
from skemotion.motion._normalizer import body_size
from skemotion.nn import GaitCNNClassifier
from skemotion.nn._base import torch_threads
from skemotion.pose._mediapipe import array_frames
from skemotion.samplers import GANSampler, NeuralGasSampler, VAESampler, ViewAugmenter
from skemotion.signatures import WassersteinMDS, pairwise_sliced_wasserstein, pairwise_wasserstein
from skemotion.skeleton import get_layout, with_metadata
from skemotion.skeleton._kinematics import vector_norm
from skemotion.utils._files import atomic_path, atomic_write, check_writable

from .conftest import shared_path

IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def _arm(motion=None, names=("shoulder", "elbow"), **kwargs):
    motion = np.array([[0, 0, 0, 0, 0], [1, 0, 5.1e-06, 0, 90]], float) if motion is None else motion
    return BVHMotion(joint_names=list(names), parents=[-1, 0], offsets=[[0, 0, 0], [0, 2, 0]],
                     channels=[("Xposition", "Yposition", "Zposition", "Yrotation"), ("Xrotation",)],
                     motion=motion, frame_time=1 / 30, end_sites={1: [0, 1, 0]}, **kwargs)


def _entries(folder):
    return sorted(p.name for p in Path(folder).iterdir())


# --------------------------------------------------------------------------
# Writes that can lose data
# --------------------------------------------------------------------------
@pytest.mark.parametrize("mode, old, half", [("w", "old text", "new te"), ("wb", b"old bytes", b"new by")])
def test_atomic_write_failing_midway_keeps_the_old_file(tmp_path, mode, old, half):
    target = tmp_path / "out.dat"
    (target.write_text if mode == "w" else target.write_bytes)(old)
    with pytest.raises(RuntimeError, match="disk full"):
        with atomic_write(target, mode) as fh:
            fh.write(half)
            fh.flush()
            raise RuntimeError("disk full")
    assert (target.read_text() if mode == "w" else target.read_bytes()) == old
    assert _entries(tmp_path) == ["out.dat"]  # no temporary file left behind


def test_atomic_write_replaces_whole_and_keeps_permissions(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("old")
    target.chmod(0o640)
    with atomic_write(target) as fh:
        fh.write("new")
    assert target.read_text() == "new" and _entries(tmp_path) == ["out.txt"]
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    fresh = tmp_path / "fresh.txt"
    with atomic_write(fresh) as fh:
        fh.write("x")
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o666 & ~umask  # as open() would make it, not mkstemp's 0600


def test_atomic_path_interrupted_leaves_nothing(tmp_path):
    with pytest.raises(KeyboardInterrupt, match="stopped"):
        with atomic_path(tmp_path / "video.mp4") as part:
            assert part.parent == tmp_path and part.suffix == ".mp4"  # writers pick the format from it
            part.write_bytes(b"half a video")
            raise KeyboardInterrupt("stopped")
    assert _entries(tmp_path) == []


def test_unwritable_outputs_are_refused_naming_the_path(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"missing/out.bvh.*folder .*missing.* does not exist"):
        check_writable(tmp_path / "missing" / "out.bvh")
    with pytest.raises(IsADirectoryError, match=r"it is a folder"):
        check_writable(tmp_path)
    (tmp_path / "file").write_text("")
    with pytest.raises(NotADirectoryError, match=r"file/out.bvh.*is a file, not a folder"):
        check_writable(tmp_path / "file" / "out.bvh")
    with pytest.raises(ValueError, match="mode must be 'w' or 'wb'"):
        with atomic_write(tmp_path / "x", "a"):
            pass


@pytest.mark.skipif(IS_ROOT, reason="root may write anywhere")
def test_read_only_folder_is_refused(tmp_path):
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(PermissionError, match=r"locked/out.bvh.*no permission"):
            check_writable(folder / "out.bvh")
    finally:
        folder.chmod(0o700)


def test_write_bvh_failing_midway_keeps_the_old_file(tmp_path, monkeypatch):
    target = tmp_path / "arm.bvh"
    write_bvh(target, _arm())
    before = target.read_bytes()

    def half_then_fail(fh, values, precision):
        fh.write("0 0 0\n")  # part of the frames
        raise OSError("No space left on device")

    monkeypatch.setattr(skemotion.io._bvh, "_write_frames", half_then_fail)
    with pytest.raises(OSError, match="No space left"):
        write_bvh(target, _arm(np.ones((2, 5))))
    assert target.read_bytes() == before and _entries(tmp_path) == ["arm.bvh"]


def test_write_bvh_refuses_an_unwritable_path_before_any_work(tmp_path, monkeypatch):
    monkeypatch.setattr(skemotion.io._bvh, "_write_frames", lambda *a: pytest.fail("formatted frames"))
    with pytest.raises(FileNotFoundError, match="nowhere"):
        write_bvh(tmp_path / "nowhere" / "arm.bvh", _arm())
    with pytest.raises(IsADirectoryError, match="it is a folder"):
        write_bvh(tmp_path, _arm())


def test_report_failing_midway_keeps_the_old_report(tmp_path, monkeypatch):
    from skemotion.benchmark import Result, write_report

    results = [Result("chance (1/K)", "none", np.full(5, 0.2), np.full(5, 0.2), 0.0),
               Result("svm", "none", np.full(5, 0.6), np.full(5, 0.5), 1.0)]
    markdown, figure = write_report({"All": results}, tmp_path)
    old = markdown.read_bytes(), figure.read_bytes()

    def broken_savefig(self, fh, **kwargs):
        fh.write(b"\x89PNG half")
        raise MemoryError("renderer died")

    monkeypatch.setattr("matplotlib.figure.Figure.savefig", broken_savefig)
    with pytest.raises(MemoryError, match="renderer died"):
        write_report({"Other": results}, tmp_path)
    assert figure.read_bytes() == old[1] and _entries(tmp_path) == ["benchmark.md", "benchmark.png"]


class _FakeExtractor:
    failed = False

    def __init__(self, **params):
        pass

    def extract(self, inputs):  # what PoseExtractor returns: poses that carry their metadata, and lengths
        if _FakeExtractor.failed:
            poses, lengths = np.full((len(inputs), 1, 33, 3), np.nan), np.zeros(len(inputs), int)
        else:
            poses, lengths = np.zeros((len(inputs), 2, 33, 3)), np.full(len(inputs), 2)
        return with_metadata(poses, layout="mediapipe33", frame_rate=30.0, y_up=True, units="normalized"), lengths


def test_extract_writes_exactly_the_named_file(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(skemotion.pose, "PoseExtractor", _FakeExtractor)
    out = tmp_path / "poses"  # numpy alone would write poses.npz
    assert main(["extract", "a.mp4", "-o", str(out)]) == 0
    assert _entries(tmp_path) == ["poses"]
    assert np.load(out)["lengths"].tolist() == [2]


def test_extract_refuses_an_unwritable_output_before_extracting(tmp_path, monkeypatch, capsys):
    class NeverRun(_FakeExtractor):
        def extract(self, inputs):
            pytest.fail("extracted before checking the output")

    monkeypatch.setattr(skemotion.pose, "PoseExtractor", NeverRun)
    assert main(["extract", "a.mp4", "-o", str(tmp_path / "no" / "poses.npz")]) == 1
    assert "does not exist" in capsys.readouterr().err


def test_save_model_uses_the_usual_permissions_and_keeps_a_replaced_files(tmp_path):
    """save_model goes through atomic_write: a new model gets 0666 less the umask (mkstemp gave 0600), a
    replaced one keeps its mode."""
    model = LogisticRegression().fit([[0.0], [1.0]], [0, 1])
    target = save_model(model, tmp_path / "m.skops")
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask
    target.chmod(0o640)
    save_model(model, target)
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert load_model(target).predict([[0.9]]).tolist() == [1]


def test_save_model_failing_midway_keeps_the_old_model(tmp_path, monkeypatch):
    target = tmp_path / "m.skops"
    target.write_bytes(b"old model")
    real = skemotion.utils._files.os.replace

    def half_then_fail(part, path):
        assert Path(part).stat().st_size > 0  # the new model was written in full to the temporary file
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(skemotion.utils._files.os, "replace", half_then_fail)
    with pytest.raises(OSError, match="No space"):
        save_model(LogisticRegression().fit([[0.0], [1.0]], [0, 1]), target)
    monkeypatch.setattr(skemotion.utils._files.os, "replace", real)
    assert target.read_bytes() == b"old model"
    assert _entries(tmp_path) == ["m.skops"]


def test_train_refuses_an_unwritable_output_before_loading(tmp_path, monkeypatch, capsys):
    def never(*args, **kwargs):
        pytest.fail("loaded the data before checking -o")
    monkeypatch.setattr(skemotion.datasets, "load_bandai_namco", never)
    assert main(["train", "--bandai", "folder", "-o", str(tmp_path)]) == 1  # a folder, not a file
    assert "it is a folder" in capsys.readouterr().err


def test_extract_whose_every_input_failed_exits_non_zero(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(skemotion.pose, "PoseExtractor", _FakeExtractor)
    monkeypatch.setattr(_FakeExtractor, "failed", True)
    assert main(["extract", "a.mp4", "b.mp4", "-o", str(tmp_path / "poses.npz")]) == 1
    assert "every input failed (2 of 2" in capsys.readouterr().err
    assert _entries(tmp_path) == []


def test_benchmark_refuses_an_unwritable_output_folder_before_loading(tmp_path, monkeypatch, capsys):
    import skemotion.datasets

    monkeypatch.setattr(skemotion.datasets, "load_bandai_namco", lambda *a, **k: pytest.fail("loaded data"))
    (tmp_path / "taken").write_text("")
    assert main(["benchmark", "--bandai", str(tmp_path), "-o", str(tmp_path / "taken" / "results")]) == 1
    assert "is a file, not a folder" in capsys.readouterr().err


@pytest.mark.parametrize("suffix", [".png", ".avi"])
def test_overlay_failing_midway_keeps_the_old_output(tmp_path, monkeypatch, suffix):
    import skemotion.plotting._overlay as overlay

    frames = np.zeros((2, 40, 30, 3), np.uint8)
    landmarks = np.random.default_rng(0).uniform(0.2, 0.8, (2, 33, 3))
    target = tmp_path / f"check{suffix}"
    target.write_bytes(b"old output")

    def broken(*args, **kwargs):
        raise OSError("encoder crashed")

    if suffix == ".png":
        monkeypatch.setattr("PIL.Image.Image.save", broken)
    else:
        monkeypatch.setattr(overlay, "_write_video", broken)
    with pytest.raises(OSError, match="encoder crashed"):
        overlay.overlay_pose(frames, landmarks, target)
    assert target.read_bytes() == b"old output" and _entries(tmp_path) == [target.name]
    monkeypatch.undo()
    assert overlay.overlay_pose(frames, landmarks, target) == target and target.read_bytes() != b"old output"
    with pytest.raises(FileNotFoundError, match="does not exist"):
        overlay.overlay_pose(frames, landmarks, tmp_path / "no" / target.name)


@pytest.fixture(scope="module")
def _seed_eeg():
    return make_eeg_emotion(n_subjects=3, n_trials=3, n_epochs_per_trial=1, label_order="seed", random_state=0)


def _folder_bytes(folder):
    return {p.name: p.read_bytes() for p in Path(folder).iterdir()}


@pytest.mark.parametrize("error", [OSError("disk full"), KeyboardInterrupt()])
def test_write_seed_failing_midway_keeps_the_whole_old_folder(tmp_path, monkeypatch, _seed_eeg, error):
    """Each file was atomic but the folder was not: a failure at the second subject left subject 1 new and
    subjects 2, 3 old, which load_seed then read as one data set (issue 15)."""
    folder = write_seed(_seed_eeg, tmp_path)
    before = _folder_bytes(folder)
    real_savemat, calls = scipy.io.savemat, []

    def failing_savemat(fh, content):
        calls.append(fh)
        if len(calls) == 2:
            fh.write(b"MATLAB 5.0 half a file")
            raise error
        real_savemat(fh, content)

    monkeypatch.setattr(scipy.io, "savemat", failing_savemat)
    other = make_eeg_emotion(n_subjects=3, n_trials=3, n_epochs_per_trial=1, label_order="seed", random_state=1)
    with pytest.raises(type(error)):
        write_seed(other, tmp_path, overwrite=True)
    assert len(calls) == 2
    assert _folder_bytes(folder) == before  # subject 1 included: nothing new took its place
    assert _entries(tmp_path) == ["Preprocessed_EEG"]  # no staging folder left behind


def test_write_seed_failing_at_the_swap_keeps_the_old_folder(tmp_path, monkeypatch, _seed_eeg):
    folder = write_seed(_seed_eeg, tmp_path)
    before = _folder_bytes(folder)
    real_rename, calls = os.rename, []

    def failing_rename(source, target):
        calls.append(target)
        if Path(target) == folder and str(source).endswith(".part"):  # the staging folder taking the name
            raise OSError("rename failed")
        real_rename(source, target)

    monkeypatch.setattr(os, "rename", failing_rename)
    with pytest.raises(OSError, match="rename failed"):
        write_seed(_seed_eeg, tmp_path, overwrite=True)
    assert len(calls) == 3  # aside, the failed swap, back
    assert _folder_bytes(folder) == before and _entries(tmp_path) == ["Preprocessed_EEG"]


def test_write_seed_refuses_an_existing_folder_unless_overwrite(tmp_path, _seed_eeg):
    folder = write_seed(_seed_eeg, tmp_path)
    (folder / "99_20000101.mat").write_bytes(b"an older subject")
    before = _folder_bytes(folder)
    with pytest.raises(FileExistsError, match=r"Preprocessed_EEG' exists; pass overwrite=True"):
        write_seed(_seed_eeg, tmp_path)
    assert _folder_bytes(folder) == before
    # Replaced as a whole: no file of the old folder survives to be read with the new ones.
    write_seed(_seed_eeg, tmp_path, overwrite=True)
    assert _entries(folder) == ["1_20000101.mat", "2_20000101.mat", "3_20000101.mat", "label.mat"]
    assert _entries(tmp_path) == ["Preprocessed_EEG"]
    assert len(load_seed(tmp_path, kind="eeg", epoch_duration=4.0).data) == 9


# --------------------------------------------------------------------------
# Writers that accept what their reader refuses
# --------------------------------------------------------------------------
@pytest.mark.parametrize("value", [np.nan, np.inf, -np.inf])
def test_write_bvh_refuses_non_finite_values(tmp_path, value):
    motion = np.zeros((2, 5))
    motion[1, 4] = value
    with np.errstate(invalid="ignore"):  # the forward kinematics of inf angles are NaN
        arm = _arm(motion)
    with pytest.raises(ValueError, match=rf"motion value {value} at frame 1, joint 'elbow' Xrotation"):
        write_bvh(tmp_path / "arm.bvh", arm)
    assert _entries(tmp_path) == []


@pytest.mark.parametrize("name, what", [("", "is empty"), ("left arm", "' '"), ("arm\t2", r"'\\t'"),
                                        ("a{b", "'{'"), ("}", "'}'"), ("a\nROOT", r"'\\n'")])
def test_write_bvh_refuses_names_that_break_the_syntax(tmp_path, name, what):
    with pytest.raises(ValueError, match=rf"joint 1 name .* {what}.*could not read it back"):
        write_bvh(tmp_path / "arm.bvh", _arm(names=("shoulder", name)))


@pytest.mark.parametrize("precision", [0, 18, -1, 2.5, True, "6"])
def test_write_bvh_refuses_out_of_range_precision(tmp_path, precision):
    with pytest.raises(ValueError, match="precision must be an integer from 1 to 17"):
        write_bvh(tmp_path / "arm.bvh", _arm(), precision=precision)


def test_write_bvh_refuses_what_the_reader_refuses(tmp_path):
    with pytest.raises(ValueError, match="no frames"):
        write_bvh(tmp_path / "a.bvh", _arm(np.zeros((0, 5))))
    bad_offset = BVHMotion(["a"], [-1], [[0, np.nan, 0]], [("Xrotation",)], np.zeros((1, 1)), 0.1)
    with pytest.raises(ValueError, match="joint 'a' has a non-finite OFFSET"):
        write_bvh(tmp_path / "a.bvh", bad_offset)
    no_channels = BVHMotion(["a"], [-1], [[0, 0, 0]], [()], np.zeros((1, 0)), 0.1)
    with pytest.raises(ValueError, match="no joint has a channel"):
        write_bvh(tmp_path / "a.bvh", no_channels)
    with pytest.raises(TypeError, match="writes a BVHMotion, got ndarray"):
        write_bvh(tmp_path / "a.bvh", np.zeros((1, 1)))


def test_write_bvh_refuses_values_that_round_beyond_the_float_range(tmp_path):
    """1.7976931348623157e308 at 10 digits is 1.797693135e+308, which the reader reads as inf."""
    motion = np.array([[0, 0, 0, 0, 0], [1, 0, np.finfo(float).max, 0, 90]], float)
    with pytest.raises(ValueError, match=r"frame 1, joint 'shoulder' Zposition rounds to 1.797693135e\+308"):
        write_bvh(tmp_path / "a.bvh", _arm(motion))
    assert _entries(tmp_path) == []
    write_bvh(tmp_path / "a.bvh", _arm(motion), precision=17)  # exact: representable
    assert read_bvh(tmp_path / "a.bvh").motion[1, 2] == np.finfo(float).max
    write_bvh(tmp_path / "b.bvh", _arm(motion * 0.999))  # 1.796e308 rounds to a finite value
    assert np.isfinite(read_bvh(tmp_path / "b.bvh").motion).all()


@pytest.mark.parametrize("rate", [0, -30.0, np.nan, np.inf, True, "30"])
def test_skeleton_to_bvh_refuses_a_frame_rate_that_is_not_a_positive_number(rate):
    sequence = np.cumsum(np.random.default_rng(0).normal(size=(4, 3, 3)), axis=1)
    with pytest.raises(ValueError, match="positive finite frame_rate"):
        skeleton_to_bvh(sequence, [-1, 0, 1], frame_rate=rate)


def test_small_values_survive_the_default_precision(tmp_path):
    write_bvh(tmp_path / "arm.bvh", _arm())
    assert read_bvh(tmp_path / "arm.bvh").motion[1, 2] == 5.1e-06


# Any printable name without whitespace or braces: letters, digits, punctuation and symbols of any script.
_NAME = st.text(st.characters(categories=("L", "N", "P", "S"), exclude_characters="{}"), min_size=1, max_size=8)
def _channels(at_least=0):
    names = ["Xposition", "Yposition", "Zposition", "Xrotation", "Yrotation", "Zrotation"]
    return st.permutations(names).flatmap(lambda order: st.integers(at_least, 6).map(lambda k: tuple(order[:k])))
_VALUE = st.one_of(st.floats(-1e6, 1e6, allow_nan=False), st.floats(-1e-5, 1e-5, allow_nan=False))


@st.composite
def _motions(draw):
    """A random hierarchy listed depth first (the order write_bvh writes and read_bvh returns)."""
    n_joints = draw(st.integers(1, 6))
    parents, path = [-1], [0]
    for j in range(1, n_joints):
        depth = draw(st.integers(0, len(path) - 1))  # the parent is on the current branch
        parents.append(path[depth])
        path = path[: depth + 1] + [j]
    channels = [draw(_channels(at_least=1 if j == 0 else 0)) for j in range(n_joints)]  # a file needs a value
    n_frames, n_channels = draw(st.integers(1, 4)), sum(map(len, channels))
    motion = np.array(draw(st.lists(_VALUE, min_size=n_frames * n_channels, max_size=n_frames * n_channels)))
    offsets = draw(st.lists(st.lists(_VALUE, min_size=3, max_size=3), min_size=n_joints, max_size=n_joints))
    names = draw(st.lists(_NAME, min_size=n_joints, max_size=n_joints, unique=True))
    frame_time = draw(st.floats(1e-4, 10))
    return BVHMotion(names, parents, offsets, channels, motion.reshape(n_frames, n_channels), frame_time)


@settings(max_examples=60, deadline=None, derandomize=True)  # the same 60 cases in every CI run
@given(_motions(), st.integers(1, 17))
def test_what_write_bvh_writes_read_bvh_reads_back(tmp_path_factory, motion, precision):
    path = tmp_path_factory.mktemp("bvh") / "random.bvh"
    write_bvh(path, motion, precision=precision)
    again = read_bvh(path)
    assert again.joint_names == motion.joint_names
    assert again.channels == motion.channels
    np.testing.assert_array_equal(again.parents, motion.parents)
    np.testing.assert_array_equal(again.offsets, motion.offsets)  # offsets are exact
    assert again.frame_time == motion.frame_time
    # %.{p}g rounds to p significant digits (at most half a unit in the last digit), then parsing the decimal
    # rounds once more to the nearest double (one unit in the last place of the value)
    bound = 0.5 * 10.0 ** (1 - precision) * np.abs(motion.motion) + np.spacing(np.abs(motion.motion)) + 1e-300
    assert np.all(np.abs(again.motion - motion.motion) <= bound)


# --------------------------------------------------------------------------
# Errors that die in parallel
# --------------------------------------------------------------------------
def _toolkit_exceptions():
    found = {}
    for info in pkgutil.walk_packages(skemotion.__path__, "skemotion."):
        if info.name.endswith("__main__"):  # importing it runs the command line
            continue
        module = importlib.import_module(info.name)
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, BaseException) and cls.__module__.startswith("skemotion"):
                found[f"{cls.__module__}.{cls.__qualname__}"] = cls
    return found


# Classes whose __init__ differs from BaseException's need example arguments here; the test below fails for a
# new such class until it is added, so no exception class escapes the pickle test.
_EXAMPLE_ARGS = {BVHError: ("/data/clip 7.bvh", 12, "non-numeric value 'abc' (channel 3)")}


def test_every_exception_class_pickles():
    classes = _toolkit_exceptions()
    assert {"BVHError", "PoseModelError", "PoseNotFoundWarning"} <= {c.__name__ for c in classes.values()}
    for name, cls in sorted(classes.items()):
        custom = cls.__init__ is not BaseException.__init__ and any(
            "__init__" in vars(base) for base in cls.__mro__ if base.__module__.startswith("skemotion"))
        assert not custom or cls in _EXAMPLE_ARGS, f"{name} has its own __init__: add example arguments"
        error = cls(*_EXAMPLE_ARGS.get(cls, (f"{name} happened",)))
        error.add_note("raised in a worker")
        again = pickle.loads(pickle.dumps(error))
        assert type(again) is cls and str(again) == str(error) and again.args == error.args, name
        assert vars(again) == vars(error), name


def _write_clips(folder, n=6, corrupt=3):
    paths = []
    for i in range(n):
        path = folder / f"clip{i}.bvh"
        write_bvh(path, _arm(np.full((2, 5), float(i))))
        paths.append(path)
    lines = paths[corrupt].read_text().split("\n")
    bad = next(k for k, line in enumerate(lines) if line.startswith("Frame Time")) + 2  # second frame line
    lines[bad] = lines[bad].replace("3", "3x", 1)
    paths[corrupt].write_text("\n".join(lines))
    return paths, bad + 1


def test_a_corrupt_file_read_in_a_loky_worker_still_names_file_and_line(tmp_path):
    paths, line = _write_clips(tmp_path)
    with pytest.raises(BVHError, match=rf"^clip3\.bvh, line {line}: non-numeric value '3x'") as info:
        Parallel(n_jobs=2, backend="loky")(delayed(read_bvh)(p) for p in paths)
    assert info.value.filename == str(paths[3]) and info.value.lineno == line


# --------------------------------------------------------------------------
# Metadata taken from the first item: every disagreement names its file
# --------------------------------------------------------------------------
def _bandai_copy(tmp_path, n_clips=2):
    """A Bandai-Namco folder with the first real clips (symlinked BVH) and editable labels."""
    source = Path(shared_path("bandai-namco-1"))
    (tmp_path / "data").mkdir()
    shutil.copytree(source / "cfg", tmp_path / "cfg")
    for label_file in sorted((source / "data").glob("*.json"))[:n_clips]:
        shutil.copy(label_file, tmp_path / "data" / label_file.name)
        os.symlink(label_file.with_suffix(".bvh"), tmp_path / "data" / label_file.with_suffix(".bvh").name)
    return sorted((tmp_path / "data").glob("*.json"))


def test_bandai_label_outside_the_table_names_file_and_table(tmp_path):
    labels = _bandai_copy(tmp_path)
    n_styles = len([line for line in (tmp_path / "cfg" / "style_label.txt").read_text().splitlines() if line.strip()])
    labels[1].write_text(json.dumps({"content": 0, "style": n_styles}))
    with pytest.raises(ValueError, match=rf"{re.escape(labels[1].name)}: style label {n_styles} is outside "
                                         rf"cfg/style_label.txt, which names {n_styles} styles"):
        load_bandai_namco(tmp_path)


@pytest.mark.parametrize("text, problem", [("{\"content\": 0, \"sty", "not a valid label file"),
                                           ("[1, 2]", "expected an integer 'style' label"),
                                           ("{\"content\": 0, \"style\": 1.5}", "expected an integer 'style'")])
def test_bandai_corrupt_json_names_the_file(tmp_path, text, problem):
    labels = _bandai_copy(tmp_path)
    labels[0].write_text(text)
    with pytest.raises(ValueError, match=rf"{re.escape(labels[0].name)}.*{re.escape(problem)}"):
        load_bandai_namco(tmp_path)


def _gait_files(tmp_path, gaits, labels):
    features, label_file = tmp_path / "features_x.h5", tmp_path / "labels_x.h5"
    with h5py.File(features, "w") as handle:
        for key, value in gaits.items():
            handle[key] = value
    with h5py.File(label_file, "w") as handle:
        for key, value in labels.items():
            handle[key] = value
    return features, label_file


def test_emotion_gait_label_outside_the_label_table_names_the_file(tmp_path):
    rng = np.random.default_rng(0)
    gaits = {"001_Sad_positions.csv": rng.normal(size=(8, 48)), "002_Happy_positions.csv": rng.normal(size=(8, 48))}
    features, labels = _gait_files(tmp_path, gaits, {"001_Sad_positions.csv": 2, "002_Happy_positions.csv": 4})
    with pytest.raises(ValueError, match=rf"{re.escape(str(labels))}: label 4 of '002_Happy_positions.csv' is "
                                         r"outside 0..3"):
        load_emotion_gait(features, frame_rate=30)


def test_emotion_gait_of_another_joint_count_names_file_and_gait(tmp_path):
    rng = np.random.default_rng(0)
    gaits = {"001_Sad_positions.csv": rng.normal(size=(8, 48)), "002_Sad_positions.csv": rng.normal(size=(8, 51))}
    features, _ = _gait_files(tmp_path, gaits, dict.fromkeys(gaits, 2))
    with pytest.raises(ValueError, match=rf"{re.escape(str(features))}: gait '002_Sad_positions.csv' is \(8, 51\), "
                                         r"expected a T x 48"):
        load_emotion_gait(features, frame_rate=30)


def test_extract_keeps_each_videos_frame_rate(monkeypatch):
    """Videos at 30 and 120 fps: each keeps its own rate (over frame_step), none takes the first one's."""
    rates = {"a.mp4": 30.0, "b.mp4": 120.0, "c.mp4": 29.97}
    monkeypatch.setattr("skemotion.pose._extractor._stated_rate", lambda source: rates[str(source)])
    extractor = skemotion.pose.PoseExtractor(frame_step=2)
    assert [extractor._frame_rate(source) for source in rates] == [15.0, 60.0, 29.97 / 2]


# --------------------------------------------------------------------------
# Partial input reported
# --------------------------------------------------------------------------
def _truncated_video(tmp_path, keep=0.5):
    """The shared squats video re-encoded at a quarter size into an AVI, then cut to ``keep`` of its bytes."""
    cv2 = pytest.importorskip("cv2")
    frames, rate = read_video(shared_path("video", "tfjs_pose_squats.mp4"))
    small = [cv2.resize(f, (90, 160)) for f in frames]
    whole = tmp_path / "whole.avi"
    writer = cv2.VideoWriter(str(whole), cv2.VideoWriter_fourcc(*"MJPG"), rate, (90, 160))
    for frame in small:
        writer.write(frame)
    writer.release()
    cut = tmp_path / "cut.avi"
    data = whole.read_bytes()
    cut.write_bytes(data[: int(len(data) * keep)])
    return cut, len(frames)


def test_a_partly_decodable_video_warns_with_both_numbers(tmp_path):
    cut, n_frames = _truncated_video(tmp_path)
    with pytest.warns(PartialReadWarning, match=rf"{re.escape(cut.name)}' decoded only (\d+) of the "
                                                rf"{n_frames} frames its header claims") as record:
        frames, _ = read_video(cut)
    decoded = int(re.search(r"decoded only (\d+)", str(record[0].message)).group(1))
    assert 0 < decoded == len(frames) < n_frames
    with pytest.warns(PartialReadWarning, match=f"of the {n_frames} frames"):
        assert len(list(iter_video_frames(cut, frame_step=3))) == len(range(0, decoded, 3))


def test_a_whole_video_or_max_frames_does_not_warn(tmp_path):
    cut, _ = _truncated_video(tmp_path, keep=1.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error", PartialReadWarning)
        read_video(cut)
        assert len(list(iter_video_frames(cut, max_frames=4))) == 4


def test_a_bvh_shorter_than_its_frames_header_names_both_numbers(tmp_path):
    write_bvh(tmp_path / "arm.bvh", _arm(np.zeros((5, 5))))
    lines = (tmp_path / "arm.bvh").read_text().splitlines()
    (tmp_path / "short.bvh").write_text("\n".join(lines[:-2]) + "\n")
    frames_line = next(i for i, line in enumerate(lines, 1) if line.startswith("Frames:"))
    with pytest.raises(BVHError, match=rf"short.bvh, line {len(lines) - 2}: file ends after 3 of 5 frames "
                                       rf"declared in line {frames_line}"):
        read_bvh(tmp_path / "short.bvh")


def test_a_c3d_shorter_than_its_header_warns_with_both_numbers(tmp_path):
    ezc3d = pytest.importorskip("ezc3d")
    c3d = ezc3d.c3d()
    c3d["parameters"]["POINT"]["RATE"]["value"] = [100.0]
    c3d["parameters"]["POINT"]["LABELS"]["value"] = ("a", "b")
    points = np.ones((4, 2, 50))
    points[:3] = np.random.default_rng(0).normal(size=(3, 2, 50))
    c3d["data"]["points"] = points
    whole, cut = tmp_path / "whole.c3d", tmp_path / "cut.c3d"
    c3d.write(str(whole))
    with warnings.catch_warnings():
        warnings.simplefilter("error", PartialReadWarning)
        assert read_c3d(whole).markers.shape == (50, 2, 3)  # a whole file: no warning
    data = whole.read_bytes()
    cut.write_bytes(data[: int(len(data) * 0.7)])
    with pytest.warns(PartialReadWarning, match=r"cut.c3d: read 30 of the 50 frames its header claims"):
        assert read_c3d(cut).markers.shape == (30, 2, 3)


@given(rate=st.floats(0.5, 5000, allow_nan=False), step=st.integers(1, 7), n=st.integers(1, 60))
@settings(max_examples=200, deadline=None)
def test_mediapipe_timestamps_are_integer_and_strictly_increasing(rate, step, n):
    frames = np.zeros((n * step, 2, 2, 3), np.uint8)
    stamps = [t for t, _ in array_frames(frames, frame_step=step, frame_rate=rate)]
    assert all(isinstance(t, int) for t in stamps)
    assert all(b > a for a, b in zip(stamps, stamps[1:]))
    # never more than the rounding (half a millisecond) early, and late only by the collisions before it
    for k, t in enumerate(stamps):
        exact = k * step * 1000.0 / rate
        assert exact - 0.5 <= t <= max(exact + 0.5, k)


@pytest.mark.parametrize("rate, expected", [(29.97, [0, 33, 67, 100]), (1000.0, [0, 1, 2, 3]),
                                            (2000.0, [0, 1, 2, 3]), (3000.0, [0, 1, 2, 3])])
def test_timestamps_at_awkward_rates(rate, expected):
    frames = np.zeros((4, 2, 2, 3), np.uint8)
    assert [t for t, _ in array_frames(frames, frame_rate=rate)] == expected


# --------------------------------------------------------------------------
# Numbers that stop meaning something
# --------------------------------------------------------------------------
@given(scale=st.sampled_from([1e-170, 1e-100, 1.0, 1e100, 1e160, 1e300]), seed=st.integers(0, 2**16))
@settings(max_examples=60, deadline=None)
def test_vector_norm_is_homogeneous_near_the_float_range(scale, seed):
    v = np.random.default_rng(seed).normal(size=(5, 3))
    expected = np.sqrt((v**2).sum(axis=-1))  # at unit scale
    np.testing.assert_allclose(vector_norm(v * scale) / scale, expected, rtol=1e-14)


def _walk(scale):
    gait = make_emotional_gait(8, n_frames=20, length_jitter=0, random_state=0)
    return with_metadata(np.asarray(gait.data) * scale, layout="body16", frame_rate=30.0), gait.target


@pytest.mark.parametrize("scale", [1e160, 1e-160])
def test_skeleton_features_scale_with_coordinates_near_the_float_range(scale):
    """Lengths, speeds and body sizes are homogeneous of degree one: nothing overflows to inf or underflows to 0."""
    X, _ = _walk(1.0)
    X_big, _ = _walk(scale)
    kinematic = KinematicFeatures().fit_transform(X)
    np.testing.assert_allclose(KinematicFeatures().fit_transform(X_big) / scale,
                               kinematic, rtol=1e-9)
    layout = get_layout("body16")
    np.testing.assert_allclose(body_size(np.asarray(X_big), layout) / scale, body_size(np.asarray(X), layout),
                               rtol=1e-12)
    normalised = SkeletonNormalizer().fit_transform(X)
    np.testing.assert_allclose(SkeletonNormalizer().fit_transform(X_big), normalised, rtol=1e-9, atol=1e-12)


def _chain_depth(parents):
    depth = np.zeros(len(parents), int)
    for k, parent in enumerate(parents):
        depth[k] = 1 if parent < 0 else depth[parent] + 1
    return int(depth.max())


@given(exponent=st.integers(-565, 498), mantissa=st.floats(1.0, 2.0), seed=st.integers(0, 2**16))
@example(exponent=-565, mantissa=1.5, seed=0).via("the ends of the range: 1e-170")
@example(exponent=498, mantissa=1.5, seed=0).via("1e150")
@example(exponent=-43, mantissa=1.0, seed=0).via("bones of 1e-13, below the old 1e-12 floor")
@settings(max_examples=30, deadline=None)
def test_skeleton_to_bvh_keeps_bone_directions_at_any_scale(tmp_path_factory, exponent, mantissa, seed):
    """FK of the written file gives every bone of s * X its direction, for s from 1e-170 to 1e150 (issue 15:
    a 1e-12 floor on the bone lengths turned bones of 1e-13 into non-unit "directions", and squaring
    1e-170 gave 0 / 0)."""
    scale = mantissa * 2.0**exponent
    layout = get_layout("body16")
    X = np.random.default_rng(seed).normal(size=(4, 16, 3))  # bones in every direction, some nearly opposite
    path = tmp_path_factory.mktemp("bvh") / "scaled.bvh"
    write_bvh(path, skeleton_to_bvh(X * scale, layout, frame_rate=30))
    motion = read_bvh(path)
    positions = motion.positions[:, [motion.joint_names.index(name) for name in layout.joint_names]]
    parents = np.asarray(layout.parents)
    expected, got = (p[:, 1:] - p[:, parents[1:]] for p in (X * scale, positions))
    expected, got = (v / vector_norm(v)[..., None] for v in (expected, got))
    # The file keeps 10 significant digits: each Euler angle (at most 180 degrees = pi rad) is off by at most
    # 0.5e-9 * pi rad, and a bone's direction by at most the sum over the 3 angles of each joint on its chain.
    bound = 3 * _chain_depth(motion.parents) * 0.5e-9 * np.pi + 1e-13
    assert np.abs(got - expected).max() <= bound
    assert np.isfinite(motion.motion).all()


def test_skeleton_to_bvh_refuses_a_bone_that_vanishes_in_some_frames():
    X = np.random.default_rng(0).normal(size=(5, 3, 3))
    X[3, 2] = X[3, 1]  # elbow on shoulder in frame 3 only: no direction there, and any guess is a bone off
    with pytest.raises(ValueError, match=r"from joint 'joint1' to joint 'joint2' has zero length in frame 3"):
        skeleton_to_bvh(X, [-1, 0, 1], frame_rate=30)


def test_skeleton_to_bvh_keeps_a_bone_of_zero_length_in_every_frame(tmp_path):
    turns = Rotation.random(5, random_state=0)
    X = np.stack([np.zeros((5, 3)), turns.apply([0, 2.0, 0]), turns.apply([0, 2.0, 0])], axis=1)
    # Two joints that always coincide (a rig's zero offset): FK still puts every joint back, since bones are rigid.
    write_bvh(tmp_path / "zero.bvh", skeleton_to_bvh(X, [-1, 0, 1], frame_rate=30))
    np.testing.assert_allclose(read_bvh(tmp_path / "zero.bvh").positions, X, atol=1e-8)


_AFFECTIVE_GAIT = np.asarray(make_emotional_gait(4, n_frames=12, length_jitter=0, random_state=1).data)


def _degree(name):
    """How an affective feature scales with the coordinates: volume s^3, areas s^2, angles not at all."""
    return {"volume": 3, "area": 2, "angle": 0}.get(name.split("_")[0], 1)


@given(exponent=st.integers(-565, 498), mantissa=st.floats(1.0, 2.0))
@example(exponent=-565, mantissa=1.5).via("the ends of the range: 1e-170")
@example(exponent=498, mantissa=1.5).via("1e150")
@settings(max_examples=40, deadline=None)
def test_affective_features_are_homogeneous_from_1e_170_to_1e150(exponent, mantissa):
    """Lengths, speeds, strides and their spreads scale as s, angles not at all, areas as s^2 and the
    volume as s^3 while that is a normal float, and are NaN with a warning naming them beyond (issue 15)."""
    scale = mantissa * 2.0**exponent  # 1e-170 (2^-565) to 1e150 (2^498)
    features = AffectiveFeatures(frame_rate=30.0).fit(_AFFECTIVE_GAIT)
    names = features.get_feature_names_out()
    unit = features.transform(_AFFECTIVE_GAIT)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        scaled = features.transform(_AFFECTIVE_GAIT * scale)
    said = " ".join(str(w.message) for w in caught)
    for name, got, ref in zip(names, scaled.T, unit.T):
        degree = _degree(name)
        if degree == 0:
            np.testing.assert_allclose(got, ref, rtol=1e-9, atol=1e-12, err_msg=name)
            continue
        magnitude = np.log2(scale) * degree  # the feature's power of two, about
        if -1015 < magnitude < 1015:  # a normal float, with room for the feature's own size
            for _ in range(degree):  # one division at a time: scale**3 alone would overflow
                got = got / scale
            np.testing.assert_allclose(got, ref, rtol=1e-9, atol=0, err_msg=name)
        elif magnitude < -1030 or magnitude > 1030:
            assert np.isnan(got).all(), name
            assert name.rsplit("_", 1)[0] in said, (name, said)
    assert np.isfinite(scaled[:, [_degree(n) <= 1 for n in names]]).all()  # nothing else lost, ever


def test_affective_angles_of_collinear_joints_are_exact():
    """Shoulders on the line through the neck read 0 and pi to round-off, not arccos's 1e-8 rad."""
    X = _AFFECTIVE_GAIT.copy()
    layout = get_layout("body16")
    neck, left, right = (layout.index(name) for name in ("neck", "left_shoulder", "right_shoulder"))
    direction = np.random.default_rng(0).normal(size=X[:, :, neck].shape)  # cosines of 1 - 1e-16, not 1
    X[:, :, left] = X[:, :, neck] + 0.37 * direction
    X[:, :, right] = X[:, :, neck] - 0.61 * direction
    features = AffectiveFeatures(frame_rate=30.0).fit(X)
    values = dict(zip(features.get_feature_names_out(), features.transform(X).T))
    np.testing.assert_allclose(values["angle_neck_shoulders_mean"], np.pi, rtol=1e-15)
    np.testing.assert_allclose(values["angle_right_shoulder_neck_left_shoulder_mean"], 0, atol=1e-14)
    np.testing.assert_allclose(values["angle_neck_shoulders_std"], 0, atol=1e-14)


@given(exponent=st.integers(-565, 498), mantissa=st.floats(1.0, 2.0))
@example(exponent=-565, mantissa=1.5).via("the ends of the range: 1e-170")
@example(exponent=498, mantissa=1.5).via("1e150")
@settings(max_examples=30, deadline=None)
def test_joint_distance_spreads_are_homogeneous(exponent, mantissa):
    """JointDistances' std went through np.nanstd, whose squares underflow to 0 near 1e-170."""
    scale = mantissa * 2.0**exponent
    unit = JointDistances().fit_transform(_AFFECTIVE_GAIT)
    # atol: the spreads of rigid bones are round-off (1e-16) at any scale
    np.testing.assert_allclose(JointDistances().fit_transform(_AFFECTIVE_GAIT * scale) / scale, unit, rtol=1e-9,
                               atol=1e-12)
    assert (unit[:, 1::4] > 1e-3).sum() > unit.shape[0]  # real spreads (moving limbs) are checked at rtol


@given(exponent=st.integers(-560, 500), seed=st.integers(0, 2**16))
@example(exponent=-560, seed=0).via("below the range")
@example(exponent=-500, seed=0).via("1e-150")
@example(exponent=500, seed=0).via("beyond the range")
@settings(max_examples=40, deadline=None)
def test_frechet_distance_of_samples_scales_as_s_squared_or_is_refused(exponent, seed):
    """Covariances square the features: at unit scale, then scaled back; refused where s^2 leaves the range."""
    rng = np.random.default_rng(seed)
    real, synthetic = rng.normal(size=(40, 3)), rng.normal(0.5, 1.5, size=(40, 3))
    unit = _frechet_closed_form(real.mean(0), np.cov(real, rowvar=False), synthetic.mean(0),
                                np.cov(synthetic, rowvar=False))
    scale = 2.0**exponent  # exact, so the reference is the unit-scale closed form times 4^exponent
    if 2 * exponent > 1020:
        with pytest.raises(OverflowError, match="exceeds the float range"):
            frechet_distance(real * scale, synthetic * scale)
    elif 2 * exponent < -1018:
        with pytest.raises(ValueError, match="below the float range"):
            frechet_distance(real * scale, synthetic * scale)
    else:
        got = frechet_distance(real * scale, synthetic * scale)
        assert np.ldexp(got, -2 * exponent) == pytest.approx(unit, rel=1e-8)


@given(exponent=st.integers(-565, 500), p=st.sampled_from([1, 2, 3]))
@example(exponent=-565, p=2).via("1e-170")
@example(exponent=530, p=2).via("1e160")
@settings(max_examples=30, deadline=None)
def test_sliced_wasserstein_is_homogeneous(exponent, p):
    """W_p^p of projections near 1e160 overflowed to inf, near 1e-170 underflowed to 0."""
    rng = np.random.default_rng(exponent % 97)
    U, V = rng.normal(size=(2, 30, 3)), rng.normal(0.4, 1, size=(3, 25, 3))
    unit = pairwise_sliced_wasserstein(U, V, p=p, random_state=0)
    scaled = pairwise_sliced_wasserstein(U * 2.0**exponent, V * 2.0**exponent, p=p, random_state=0)
    np.testing.assert_allclose(np.ldexp(scaled, -exponent), unit, rtol=1e-12)
    assert (unit > 0).all()


_CUBE_DIAGONALS = np.array([[1, 1, 1], [1, -1, 1], [-1, 1, 1], [1, 1, -1.0]])  # |theta . e_x| = 1/sqrt(3) each


@given(p=st.floats(1, 1000), shift_exponent=st.integers(-10, 12))
@example(p=1000.0, shift_exponent=-10).via("a shift of 1e-3 next to coordinates of 1e3: (W / 2^10)^p underflowed")
@example(p=1000.0, shift_exponent=12).via("a shift of 4096: W^p overflowed")
@settings(max_examples=40, deadline=None)
def test_sliced_wasserstein_of_shifted_copies_is_the_shift_for_any_p(p, shift_exponent):
    """A translated copy: every projected W_p is |shift . theta|, so on the cube diagonals SW_p = shift / sqrt(3)
    for every p (issue 15: W^p over the directions overflowed or underflowed for p in the hundreds)."""
    clouds = np.random.default_rng(0).normal(size=(2, 20, 3)) * 1000
    shift = 2.0**shift_exponent
    D = pairwise_sliced_wasserstein(clouds, clouds + [shift, 0, 0], p=p, projections=_CUBE_DIAGONALS)
    # Each projected coordinate (up to 4 * 1e3 * sqrt(3)) is rounded once: a relative error of at most
    # 2 eps * 7e3 / (shift / sqrt(3)) on a projected difference, and so on the distance.
    rtol = 2 * np.finfo(float).eps * 7e3 / (shift / np.sqrt(3)) + 1e-14
    np.testing.assert_allclose(np.diag(D), shift / np.sqrt(3), rtol=rtol)


@pytest.mark.parametrize("p", [1, 2, 150, 400, 1000])
@pytest.mark.parametrize("b", [[-1.0, -1.0, -0.9], [1.001, 0.999, 1.0]], ids=["far", "near"])
def test_sliced_wasserstein_of_two_point_masses_in_closed_form(p, b):
    """Two points a, b: SW_p = (mean_theta |theta . (a - b)|^p)^(1/p), here in the log domain (logsumexp).
    At unit scale |theta . (a - b)| reaches 3.4 ("far": 3.4^1000 overflows) or stays below 2e-3 ("near":
    underflows)."""
    a, b = np.array([[1.0, 1.0, 1.0]]), np.array([b])
    theta = skemotion.signatures.random_directions(64, 3, random_state=0)
    logs = p * np.log(np.abs(theta @ (a - b)[0]))
    expected = np.exp((scipy.special.logsumexp(logs) - np.log(len(theta))) / p)
    got = pairwise_sliced_wasserstein([a], [b], p=p, projections=theta)[0, 0]
    assert got == pytest.approx(expected, rel=1e-12)


@given(exponent=st.integers(-560, 500))
@example(exponent=-560).via("1e-169")
@example(exponent=500).via("1e150")
@settings(max_examples=20, deadline=None)
def test_wasserstein_mds_is_homogeneous(exponent):
    """Classical MDS squares the dissimilarities: near 1e-160 the embedding collapsed to 0."""
    rng = np.random.default_rng(0)
    signatures = np.sort(rng.normal(size=(6, 20)) * rng.uniform(0.5, 2, size=(6, 1)), axis=1)
    scale = 2.0**exponent
    unit = WassersteinMDS(n_components=2).fit(signatures)
    scaled = WassersteinMDS(n_components=2).fit(signatures * scale)
    np.testing.assert_allclose(np.ldexp(scaled.embedding_, -exponent), unit.embedding_, rtol=1e-12, atol=1e-300)
    new = signatures[:2] + 0.1
    np.testing.assert_allclose(np.ldexp(scaled.transform(new * scale), -exponent), unit.transform(new), rtol=1e-10)
    assert np.abs(unit.embedding_).max() > 0.1


_EEG = make_eeg_emotion(n_subjects=1, n_trials=3, random_state=0)


@given(exponent=st.integers(-1000, 1000), method=st.sampled_from(["welch", "filter", "multitaper"]))
@example(exponent=-997, method="welch").via("1e-300")
@example(exponent=997, method="multitaper").via("1e300")
@settings(max_examples=25, deadline=None)
@pytest.mark.filterwarnings("ignore:EEGBandFeatures.method='filter'.:RuntimeWarning")  # short epochs: known bias
def test_eeg_band_features_of_any_amplitude(exponent, method):
    """A Gaussian's DE shifts by ln s when the signal is scaled by s (1e-300 gave -inf, 1e300 NaN); band
    powers scale as s**2 while that is a normal float and are refused, with what to do, beyond."""
    X = np.asarray(_EEG.data[:2, :4])
    features = EEGBandFeatures(_EEG.sfreq, feature="both", method=method)
    unit = features.fit_transform(X).reshape(2, 4, 2, -1)
    scale = 2.0**exponent
    de = EEGBandFeatures(_EEG.sfreq, feature="de", method=method).fit_transform(X * scale).reshape(2, 4, -1)
    np.testing.assert_allclose(de, unit[:, :, 0] + exponent * np.log(2.0), rtol=1e-12, atol=1e-9)
    largest_power, smallest_power = unit[:, :, 1].max(), unit[:, :, 1].min()
    if np.log2(largest_power) + 2 * exponent < 1020 and np.log2(smallest_power) + 2 * exponent > -1018:
        both = features.fit_transform(X * scale).reshape(2, 4, 2, -1)
        np.testing.assert_allclose(np.ldexp(both[:, :, 1], -2 * exponent), unit[:, :, 1], rtol=1e-9)
    elif abs(exponent) > 560:
        with pytest.raises(OverflowError, match="outside the float range.*feature='de'"):
            EEGBandFeatures(_EEG.sfreq, feature="psd", method=method).fit_transform(X * scale)


@pytest.mark.parametrize("exponent", [-1000, -150, 150, 1000])
def test_classifier_two_sample_auc_does_not_depend_on_the_scale(exponent):
    """The default forest computes in float32: features of 1e300 were inf ("All the 5 fits failed") and of
    1e-300 were 0 (an AUC of 0.5 for any two sets). Trees are blind to scaling a feature: the same AUC."""
    rng = np.random.default_rng(0)
    real, synthetic = rng.normal(size=(60, 3)), rng.normal(0.8, 1, size=(60, 3))
    unit = classifier_two_sample_auc(real, synthetic, random_state=0)
    assert unit > 0.6  # the sets differ, and the forest sees it
    assert classifier_two_sample_auc(real * 2.0**exponent, synthetic * 2.0**exponent, random_state=0) == unit


def _moments(seed, d=3):
    rng = np.random.default_rng(seed)
    A, B = rng.normal(size=(d, d)), rng.normal(size=(d, d))
    return rng.normal(size=d), A @ A.T, rng.normal(size=d), B @ B.T


def _frechet_closed_form(m1, c1, m2, c2):
    root = np.real(scipy.linalg.sqrtm(scipy.linalg.sqrtm(c1) @ c2 @ scipy.linalg.sqrtm(c1)))
    return np.sum((m1 - m2) ** 2) + np.trace(c1 + c2 - 2 * root)


@given(seed=st.integers(0, 2**16), scale=st.sampled_from([1e-150, 1.0, 1e150, 1e152]))
@settings(max_examples=40, deadline=None)
def test_gaussian_frechet_scales_as_a_squared_distance(seed, scale):
    m1, c1, m2, c2 = _moments(seed)
    expected = _frechet_closed_form(m1, c1, m2, c2)
    got = gaussian_frechet_distance(m1 * scale, c1 * scale**2, m2 * scale, c2 * scale**2) / scale**2
    np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-8 * np.trace(c1 + c2))


@pytest.mark.parametrize("change, message", [
    (lambda m1, c1, m2, c2: (m1, c1 + np.triu(np.ones_like(c1), 1), m2, c2), "cov1 is not symmetric"),
    (lambda m1, c1, m2, c2: (m1, c1, m2, -c2), "cov2 is not positive semi-definite"),
    (lambda m1, c1, m2, c2: (m1, c1, m2[:2], c2[:2, :2]), "dimensions 3 and 2"),
    (lambda m1, c1, m2, c2: (m1, c1[:2], m2, c2), r"expected \(d,\) and \(d, d\)"),
    (lambda m1, c1, m2, c2: (m1 * np.nan, c1, m2, c2), "must be finite"),
])
def test_gaussian_frechet_refuses_what_is_not_a_pair_of_gaussians(change, message):
    with pytest.raises(ValueError, match=message):
        gaussian_frechet_distance(*change(*_moments(0)))


def test_gaussian_frechet_beyond_the_float_range_is_refused_not_inf():
    m1, c1, m2, c2 = _moments(1)
    with pytest.raises(OverflowError, match="exceeds the float range"):
        gaussian_frechet_distance(m1 * 1e200, c1 * 1e300, m2 * 1e200, c2 * 1e300)


def test_frechet_and_diversity_of_coordinates_near_the_float_range():
    rng = np.random.default_rng(0)
    real, synthetic = rng.normal(size=(200, 3)), rng.normal(0.5, 1, size=(200, 3))
    assert diversity(real * 1e300) / 1e300 == pytest.approx(diversity(real), rel=1e-12)
    assert frechet_distance(real * 1e150, synthetic * 1e150) / 1e300 == pytest.approx(
        frechet_distance(real, synthetic), rel=1e-8)


def test_prdc_refuses_zero_radii_from_duplicates():
    rng = np.random.default_rng(0)
    real = np.repeat(rng.normal(size=(10, 2)), 6, axis=0)  # every sample has 5 exact duplicates
    with pytest.raises(ValueError, match=r"60 real sample\(s\) have at least n_neighbors=5 exact duplicates"):
        precision_recall_density_coverage(real, rng.normal(size=(50, 2)))
    scores = precision_recall_density_coverage(real, rng.normal(size=(50, 2)), n_neighbors=6)
    assert 0 < scores["coverage"] <= 1


def test_prdc_is_scale_invariant_near_the_float_range():
    rng = np.random.default_rng(1)
    real, synthetic = rng.normal(size=(100, 3)), rng.normal(0.3, 1, size=(100, 3))
    expected = precision_recall_density_coverage(real, synthetic)
    assert precision_recall_density_coverage(real * 1e300, synthetic * 1e300) == expected
    assert precision_recall_density_coverage(real * 1e-300, synthetic * 1e-300) == expected


def test_prdc_refuses_mismatched_dimensions():
    with pytest.raises(ValueError, match="have 3 and 2 features"):
        precision_recall_density_coverage(np.zeros((10, 3)), np.zeros((10, 2)))


@given(seed=st.integers(0, 2**16), p=st.sampled_from([1.0, 2.0, 7.5]), scale=st.sampled_from([1e-150, 1.0, 1e160]))
@settings(max_examples=40, deadline=None)
def test_wasserstein_is_homogeneous_near_the_float_range(seed, p, scale):
    rng = np.random.default_rng(seed)
    U, V = rng.normal(size=(3, 9)), rng.normal(size=(2, 9))
    expected = [[_wasserstein_reference(u, v, p) for v in V] for u in U]
    np.testing.assert_allclose(pairwise_wasserstein(U * scale, V * scale, p=p) / scale, expected, rtol=1e-9)


def _wasserstein_reference(u, v, p):
    """W_p of two equal-size samples: the closed form on the sorted samples (scipy's for p = 1)."""
    if p == 1:
        return scipy.stats.wasserstein_distance(u, v)
    return float(np.mean(np.abs(np.sort(u) - np.sort(v)) ** p) ** (1 / p))


def test_wasserstein_large_p_and_tiny_differences_are_computed_stably():
    U = np.array([[0.0, 1000.0], [0.0, 1500.0]])
    # p = 150: 1500^p overflows (1e476); scaled by an exact power of two first, W_p comes out in closed form
    distances = pairwise_wasserstein(U, p=150)
    assert np.isfinite(distances).all()
    assert distances[0, 1] == pytest.approx(500 * 0.5 ** (1 / 150), rel=1e-12)
    tiny_gap = np.array([[0.0, 100.0], [1e-3, 100.0]])  # (1e-3 / 128)^2000 underflows: recomputed pair-wise
    assert pairwise_wasserstein(tiny_gap, p=2000)[0, 1] == pytest.approx(1e-3 * 0.5 ** (1 / 2000), rel=1e-12)
    small = pairwise_wasserstein([[0.0], [1.0], [1e-298]], p=2)  # 1e-298 squared underflows
    assert small[0, 2] == 1e-298 and small[1, 2] == 1.0
    equal = pairwise_wasserstein([[0.0], [0.0, 0.0]], p=2000)  # equal distributions: 0 is right
    assert equal[0, 1] == 0


# --------------------------------------------------------------------------
# Non-numeric items get the validation layer's message, not numpy's
# --------------------------------------------------------------------------
_GAIT = np.zeros((6, 16, 3))
_NESTED_TEXT = np.zeros((2, 4, 16, 3)).tolist()
_NESTED_TEXT[1][2][3] = [1.0, "x", 2.0]
_NESTED_DICT = [_GAIT, _GAIT.astype(object)]
_NESTED_DICT[1][4, 5, 2] = {"x": 1}


@pytest.mark.parametrize("X, said", [
    (["walk1.bvh", "walk2.bvh"], r"item 0 is str 'walk1.bvh'"),
    ([_GAIT, "walk2.bvh"], r"item 1 is str 'walk2.bvh'"),
    (np.array([_GAIT, None], dtype=object), r"item 1 is None"),
    ([_GAIT, {"frames": _GAIT}], r"item 1 is dict \{'frames'"),
    ([b"walk"], r"item 0 is bytes b'walk'"),
    (_NESTED_TEXT, r"item 1 holds text that is not a number \(str 'x' at index \(2, 3, 1\)\)"),
    (_NESTED_DICT, r"item 1 holds dict \{'x': 1\} at index \(4, 5, 2\)"),
    ([_GAIT + 1j], r"item 0 holds complex numbers"),
], ids=["file names", "a file name among gaits", "None", "dict", "bytes", "text inside", "dict inside", "complex"])
@pytest.mark.parametrize("make", [JointDistances, lambda: KinematicFeatures(frame_rate=30.0)],
                         ids=["JointDistances", "KinematicFeatures"])
def test_non_numeric_items_are_named_by_the_validation_layer(make, X, said):
    """numpy said 'could not convert string to float' (or 'inhomogeneous shape' when the first item was a
    file name), naming neither the item nor what was expected (issue 15)."""
    with pytest.raises(TypeError, match=said + r".*; expected joint coordinates \(real numbers\)"):
        make().fit(X)


def test_numbers_as_text_and_none_as_missing_still_convert():
    """What numpy converts stays accepted: "1.5" is a number, None inside a sequence is NaN (missing)."""
    X = np.random.default_rng(0).normal(size=(2, 6, 16, 3))
    with_none = X.tolist()
    with_none[1][2][3][0] = None
    expected = JointDistances().fit_transform(np.array(with_none, dtype=float))  # numpy: None -> NaN
    np.testing.assert_array_equal(JointDistances().fit_transform(with_none), expected)
    np.testing.assert_array_equal(JointDistances().fit_transform(list(X.astype(str))),
                                  JointDistances().fit_transform(list(X)))


# --------------------------------------------------------------------------
# float32 stays float32 through the samplers
# --------------------------------------------------------------------------
@pytest.mark.parametrize("make", [
    lambda: NeuralGasSampler(n_units=3, random_state=0),
    lambda: ViewAugmenter(n_views=2, random_state=0),
    lambda: VAESampler(max_epochs=2, random_state=0),
    lambda: GANSampler(max_epochs=2, random_state=0),
], ids=["NeuralGasSampler", "ViewAugmenter", "VAESampler", "GANSampler"])
def test_float32_skeletons_stay_float32_through_the_samplers(make):
    gait = make_emotional_gait(24, n_frames=12, length_jitter=0, random_state=0)
    keep = np.r_[np.flatnonzero(gait.target == "neutral"), np.flatnonzero(gait.target == "sad")[:3]]
    X = with_metadata(np.asarray(gait.data)[keep].astype(np.float32), layout="body16", frame_rate=30.0)
    y = gait.target[keep]
    X_res, y_res = make().fit_resample(X, y)
    assert X_res.dtype == np.float32 and len(X_res) == len(y_res) > len(X)
    np.testing.assert_array_equal(X_res.frame_rate, 30.0)
    X_list, _ = make().fit_resample(list(X), y)
    assert {x.dtype for x in X_list} == {np.dtype(np.float32)}


# --------------------------------------------------------------------------
# Command line: demo with too few samples
# --------------------------------------------------------------------------
def test_demo_with_too_few_samples_says_the_minimum():
    from skemotion.cli import DEMO_MIN_SAMPLES

    result = subprocess.run([sys.executable, "-m", "skemotion", "demo", "--n-samples", "60"],
                            capture_output=True, text=True, timeout=300, cwd=Path(__file__).parents[1])
    assert result.returncode == 1
    assert f"demo needs --n-samples of at least {DEMO_MIN_SAMPLES}, got 60" in result.stderr
    assert "Traceback" not in result.stderr


# --------------------------------------------------------------------------
# Reproducibility: torch threads and batch composition
# --------------------------------------------------------------------------
def _stripes():
    rng = np.random.default_rng(0)
    y = np.repeat(["calm", "angry"], 24)
    X = rng.uniform(0, 0.5, size=(48, 3, 12, 16)).astype(np.float32)
    X[np.arange(48), :, np.where(y == "angry", rng.integers(0, 4, 48), rng.integers(8, 12, 48))] += 0.5
    return X, y


def test_a_seeded_gait_cnn_gives_the_same_fit_with_one_or_two_torch_threads():
    X, y = _stripes()
    small = dict(channels=(8, 8), n_groups=2, batch_size=16, lr=0.01, max_epochs=3, random_state=0)
    one = GaitCNNClassifier(torch_threads=1, **small).fit(X, y).predict_proba(X)
    two = GaitCNNClassifier(torch_threads=2, **small).fit(X, y).predict_proba(X)
    np.testing.assert_allclose(one, two, rtol=0, atol=1e-5)


def test_a_seeded_sampler_gives_the_same_samples_with_one_or_two_torch_threads():
    gait = make_emotional_gait(24, n_frames=12, length_jitter=0, random_state=0)
    keep = np.r_[np.flatnonzero(gait.target == "neutral"), np.flatnonzero(gait.target == "sad")[:3]]
    X, y = with_metadata(np.asarray(gait.data)[keep], layout="body16", frame_rate=30.0), gait.target[keep]
    results = []
    for n_threads in (1, 2):
        with torch_threads(n_threads):
            results.append(VAESampler(max_epochs=3, random_state=0).fit_resample(X, y)[0])
    np.testing.assert_allclose(results[0], results[1], rtol=0, atol=1e-6 * np.nanmax(np.abs(results[0])))


def test_gait_cnn_predictions_do_not_depend_on_batch_composition():
    """GroupNorm normalises each sample alone and dropout is off in eval mode: a sample's prediction is the
    same alone, in a batch, or among other samples (as the docstring says)."""
    X, y = _stripes()
    model = GaitCNNClassifier(channels=(8, 8), n_groups=2, batch_size=16, max_epochs=2, random_state=0).fit(X, y)
    whole = model.predict_proba(X)
    alone = np.concatenate([model.predict_proba(X[i : i + 1]) for i in range(0, len(X), 7)])
    np.testing.assert_allclose(alone, whole[::7], rtol=0, atol=1e-6)
    shuffled = np.random.default_rng(0).permutation(len(X))
    np.testing.assert_allclose(model.predict_proba(X[shuffled]), whole[shuffled], rtol=0, atol=1e-6)
