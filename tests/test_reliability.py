"""Nothing silent, nothing lost (issue 15): atomic writes, writers that match their readers, errors that pickle.

Each family is tested at its mechanism: fault injection into the one write helper and into each writer that
uses it, a property test of the BVH round trip, and every exception class of the toolkit through pickle and
through a loky worker.
"""

import importlib
import inspect
import os
import pickle
import pkgutil
import stat
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from joblib import Parallel, delayed

import skemotion
import skemotion.benchmark
import skemotion.io._bvh
import skemotion.pose
from skemotion.cli import main
from skemotion.io import BVHError, BVHMotion, read_bvh, write_bvh
from skemotion.skeleton import with_metadata
from skemotion.utils._files import atomic_path, atomic_write, check_writable

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
