"""Tests for skemotion.io BVH reading/writing and forward kinematics.

References are independent of the reader: a tiny hierarchy parser and a
per-frame FK with explicit 3x3 matrices written out below, scipy's
``Rotation.from_euler``, ``np.loadtxt`` of the raw frame lines, and
closed-form answers for hand-written files.
"""

import re
from pathlib import Path

import numpy as np
import pytest
from scipy.spatial.transform import Rotation

from skemotion.io import BVHError, BVHMotion, read_bvh, write_bvh
from skemotion.io._bvh import euler_to_matrix


# --------------------------------------------------------------------------
# Fixtures and references
# --------------------------------------------------------------------------
@pytest.fixture(scope="module")
def data_dir():
    root = Path(__file__).resolve().parents[1].parent / "shared" / "data"
    if not root.is_dir():
        pytest.fail(f"real test data not found at {root} (expected the shared data folder next to the project)")
    return root


@pytest.fixture(scope="module")
def bandai_files(data_dir):
    files = sorted((data_dir / "bandai-namco-1" / "data").glob("*.bvh"))
    if len(files) != 174:
        pytest.fail(f"expected 174 Bandai-Namco BVH files, found {len(files)}")
    return files


@pytest.fixture(scope="module")
def bandai(bandai_files):
    return {path: read_bvh(path) for path in bandai_files}


@pytest.fixture(scope="module")
def cmu_path(data_dir):
    return data_dir / "cmu-mocap" / "131_01.bvh"


@pytest.fixture(scope="module")
def cmu(cmu_path):
    return read_bvh(cmu_path)


def header(path):
    """(declared frame count, frame time, raw frame values) without the reader."""
    lines = path.read_text().splitlines()
    i = next(k for k, line in enumerate(lines) if line.strip() == "MOTION")
    n_frames = int(re.match(r"Frames:\s*(\d+)", lines[i + 1]).group(1))
    frame_time = float(re.match(r"Frame Time:\s*(\S+)", lines[i + 2]).group(1))
    return n_frames, frame_time, np.loadtxt(lines[i + 3 :], ndmin=2)


def reference_hierarchy(path):
    """Names, parents, offsets, channels by a minimal stack parser."""
    names, parents, offsets, channels, stack = [], [], [], [], []
    for line in path.read_text().splitlines():
        words = line.split()
        if not words or words[0] == "HIERARCHY":
            continue
        if words[0] == "MOTION":
            break
        if words[0] in ("ROOT", "JOINT"):
            names.append(words[1])
            parents.append(stack[-1] if stack else -1)
            pending = len(names) - 1
        elif words[0] == "End":
            pending = None
        elif words[0] == "{":
            stack.append(pending)
        elif words[0] == "}":
            stack.pop()
        elif words[0] == "OFFSET" and stack[-1] is not None:
            offsets.append([float(w) for w in words[1:]])
        elif words[0] == "CHANNELS":
            channels.append(words[2:])
    return names, parents, np.array(offsets), channels


def elementary(axis, degrees):
    c, s = np.cos(np.radians(degrees)), np.sin(np.radians(degrees))
    return {
        "X": np.array([[1, 0, 0], [0, c, -s], [0, s, c]]),
        "Y": np.array([[c, 0, s], [0, 1, 0], [-s, 0, c]]),
        "Z": np.array([[c, -s, 0], [s, c, 0], [0, 0, 1]]),
    }[axis]


def reference_fk(parents, offsets, channels, frame):
    """FK of one frame with explicit matrix products, joint by joint."""
    n = len(parents)
    rot, pos = np.zeros((n, 3, 3)), np.zeros((n, 3))
    col = 0
    for j in range(n):
        local, t = np.eye(3), np.array(offsets[j], float)
        for name in channels[j]:
            value = frame[col]
            col += 1
            if name.endswith("rotation"):
                local = local @ elementary(name[0], value)
            else:
                t["XYZ".index(name[0])] = value
        p = parents[j]
        rot[j] = local if p < 0 else rot[p] @ local
        pos[j] = t if p < 0 else pos[p] + rot[p] @ t
    return pos, rot


def write_text(tmp_path, text, name="tiny.bvh"):
    path = tmp_path / name
    path.write_text(text)
    return path


def tiny_bvh(root_channels, child_channels, frames, child_offset="1 0 0", grandchild=None):
    """Two- or three-joint BVH text."""
    n_root, n_child = len(root_channels.split()), len(child_channels.split())
    inner = "    End Site\n    {\n      OFFSET 0 0 1\n    }\n"
    if grandchild:
        offset, chans = grandchild
        inner = f"    JOINT toe\n    {{\n      OFFSET {offset}\n      CHANNELS {len(chans.split())} {chans}\n    }}\n"
    rows = "\n".join(" ".join(str(v) for v in row) for row in frames)
    return (
        f"HIERARCHY\nROOT hip\n{{\n  OFFSET 0 0 0\n  CHANNELS {n_root} {root_channels}\n"
        f"  JOINT knee\n  {{\n    OFFSET {child_offset}\n    CHANNELS {n_child} {child_channels}\n{inner}  }}\n}}\n"
        f"MOTION\nFrames: {len(frames)}\nFrame Time: 0.04\n{rows}\n"
    )


# --------------------------------------------------------------------------
# Real data
# --------------------------------------------------------------------------
def bone_spreads(bvh, skip_root_children):
    """Relative length spread (max-min)/mean of every non-degenerate bone."""
    out = {}
    for j, p in enumerate(bvh.parents):
        if p < 0 or (skip_root_children and bvh.parents[p] < 0):
            continue
        length = np.linalg.norm(bvh.positions[:, j] - bvh.positions[:, p], axis=-1)
        if length.mean() > 1e-9:
            out[f"{bvh.joint_names[p]}->{bvh.joint_names[j]}"] = np.ptp(length) / length.mean()
    return out


def test_bandai_bones_are_rigid(bandai):
    # In Bandai files the root 'joint_Root' is a ground anchor and 'Hips'
    # carries the pelvis trajectory in its position channels: that segment
    # is not a bone.  Every other joint has 6 channels whose position part
    # equals its offset, so a correct FK keeps all the remaining bones rigid.
    bad = []
    for path, bvh in bandai.items():
        assert bvh.joint_names[:2] == ["joint_Root", "Hips"]
        assert all(len(c) == 6 for c in bvh.channels)
        spreads = bone_spreads(bvh, skip_root_children=True)
        assert len(spreads) >= 15
        bad += [(path.name, bone, s) for bone, s in spreads.items() if s >= 1e-6]
    assert not bad, bad[:5]


def test_cmu_bones_are_rigid(cmu):
    spreads = bone_spreads(cmu, skip_root_children=False)
    assert len(spreads) == 20  # 31 joints, 10 zero-length connectors (e.g. LHipJoint), 1 root
    assert max(spreads.values()) < 1e-6, max(spreads.items(), key=lambda kv: kv[1])


def test_bandai_header_and_values(bandai):
    for path, bvh in list(bandai.items())[::10]:
        n_frames, frame_time, values = header(path)
        assert bvh.n_frames == n_frames == values.shape[0]
        np.testing.assert_array_equal(bvh.motion, values)
        assert bvh.frame_time == frame_time
    for bvh in bandai.values():
        assert bvh.frame_rate == pytest.approx(30, abs=1e-3)
        assert bvh.positions.shape == (bvh.n_frames, bvh.n_joints, 3)
        assert bvh.rotations.shape == (bvh.n_frames, bvh.n_joints, 3, 3)


def test_cmu_header_hierarchy_and_values(cmu, cmu_path):
    n_frames, frame_time, values = header(cmu_path)
    assert (cmu.n_frames, n_frames) == (994, 994)
    assert cmu.frame_time == frame_time == pytest.approx(0.008333, abs=1e-6)
    assert cmu.frame_rate == pytest.approx(120, abs=0.01)
    np.testing.assert_array_equal(cmu.motion, values)
    names, parents, offsets, channels = reference_hierarchy(cmu_path)
    assert cmu.joint_names == names and len(names) == 31
    np.testing.assert_array_equal(cmu.parents, parents)
    np.testing.assert_array_equal(cmu.offsets, offsets)
    assert [list(c) for c in cmu.channels] == channels
    assert cmu.filename == str(cmu_path)


def test_cmu_mixed_orders_match_reference_fk(cmu, cmu_path):
    names, parents, offsets, channels = reference_hierarchy(cmu_path)
    orders = {"".join(c[0] for c in chans if c.endswith("rotation")) for chans in channels}
    assert orders == {"ZYX", "ZXY"}  # the file mixes rotation orders
    _, _, values = header(cmu_path)
    for f in range(0, cmu.n_frames, 97):
        pos, rot = reference_fk(parents, offsets, channels, values[f])
        np.testing.assert_allclose(cmu.positions[f], pos, atol=1e-9)
        np.testing.assert_allclose(cmu.rotations[f], rot, atol=1e-12)


def test_bandai_matches_reference_fk(bandai):
    path, bvh = next(iter(bandai.items()))
    names, parents, offsets, channels = reference_hierarchy(path)
    for f in (0, bvh.n_frames // 2, bvh.n_frames - 1):
        pos, _ = reference_fk(parents, offsets, channels, bvh.motion[f])
        np.testing.assert_allclose(bvh.positions[f], pos, atol=1e-9)


# --------------------------------------------------------------------------
# Closed-form forward kinematics
# --------------------------------------------------------------------------
def test_root_rotation_closed_form(tmp_path):
    text = tiny_bvh(
        "Xposition Yposition Zposition Zrotation Xrotation Yrotation",
        "Zrotation Xrotation Yrotation",
        [[0, 0, 0, 0, 0, 0, 0, 0, 0], [0, 0, 0, 90, 0, 0, 0, 0, 0], [1, 2, 3, 0, 0, 0, 0, 0, 0]],
    )
    bvh = read_bvh(write_text(tmp_path, text))
    np.testing.assert_allclose(bvh.positions[0], [[0, 0, 0], [1, 0, 0]], atol=1e-12)
    np.testing.assert_allclose(bvh.positions[1], [[0, 0, 0], [0, 1, 0]], atol=1e-12)  # 90 deg about Z
    np.testing.assert_allclose(bvh.positions[2], [[1, 2, 3], [2, 2, 3]], atol=1e-12)  # root translation
    np.testing.assert_allclose(bvh.rotations[1, 1], elementary("Z", 90), atol=1e-12)


@pytest.mark.parametrize(
    ("channels", "expected"),
    [
        # Rx(90) @ Rz(90) @ (1,0,0): Rz first gives (0,1,0), then Rx gives (0,0,1)
        ("Xrotation Zrotation", [0, 0, 1]),
        # Rz(90) @ Rx(90) @ (1,0,0): Rx leaves it, Rz gives (0,1,0)
        ("Zrotation Xrotation", [0, 1, 0]),
    ],
)
def test_rotation_order_is_as_listed(tmp_path, channels, expected):
    bvh = read_bvh(write_text(tmp_path, tiny_bvh(channels, "Yrotation", [[90, 90, 0]])))
    np.testing.assert_allclose(bvh.positions[0, 1], expected, atol=1e-12)


def test_mixed_orders_and_child_position_channels(tmp_path):
    rng = np.random.default_rng(0)
    frames = np.round(rng.uniform(-180, 180, (4, 3 + 4 + 3)), 4)
    text = tiny_bvh(
        "Zrotation Yrotation Xrotation",
        "Yrotation Xposition Xrotation Zrotation",
        frames,
        grandchild=("0 2 0", "Xrotation Yrotation Zrotation"),
    )
    bvh = read_bvh(write_text(tmp_path, text))
    for f, (rz, ry, rx, k_ry, k_x, k_rx, k_rz, *_) in enumerate(frames):
        root = elementary("Z", rz) @ elementary("Y", ry) @ elementary("X", rx)
        knee = root @ elementary("Y", k_ry) @ elementary("X", k_rx) @ elementary("Z", k_rz)
        knee_pos = root @ [k_x, 0, 0]  # Xposition replaces the offset's x component
        np.testing.assert_allclose(bvh.positions[f, 1], knee_pos, atol=1e-9)
        np.testing.assert_allclose(bvh.positions[f, 2], knee_pos + knee @ [0, 2, 0], atol=1e-9)


def test_position_channel_replaces_offset_component(tmp_path):
    text = tiny_bvh("Zrotation", "Yposition Zrotation", [[0, 5, 0], [90, 5, 90]], child_offset="1 2 3")
    bvh = read_bvh(write_text(tmp_path, text, "pos.bvh"), end_sites=True)
    np.testing.assert_allclose(bvh.positions[0, 1], [1, 5, 3], atol=1e-12)
    np.testing.assert_allclose(bvh.positions[1, 1], [-5, 1, 3], atol=1e-12)
    # end site (0, 0, 1) in the knee's frame: Z rotations leave it alone
    np.testing.assert_allclose(bvh.positions[:, 2], bvh.positions[:, 1] + [0, 0, 1], atol=1e-12)


def test_euler_matches_scipy():
    angles = np.random.default_rng(1).uniform(-180, 180, (50, 3))
    for order in ("ZXY", "ZYX", "XYZ", "YXZ", "XZY", "YZX"):
        expected = Rotation.from_euler(order, angles, degrees=True).as_matrix()
        np.testing.assert_allclose(euler_to_matrix(order, angles), expected, atol=1e-12)


def test_end_sites_appended(cmu_path, cmu):
    full = read_bvh(cmu_path, end_sites=True)
    n, n_ends = cmu.n_joints, cmu_path.read_text().count("End Site")
    assert len(cmu.end_sites) == n_ends == 7 and full.n_joints == n + n_ends
    np.testing.assert_array_equal(full.positions[:, :n], cmu.positions)
    for k, (j, offset) in enumerate(cmu.end_sites.items()):
        e = n + k
        assert full.joint_names[e] == cmu.joint_names[j] + "_end" and full.parents[e] == j
        assert full.channels[e] == () and full.is_end_site[e]
        expected = cmu.positions[:, j] + np.einsum("fij,j->fi", cmu.rotations[:, j], offset)
        np.testing.assert_allclose(full.positions[:, e], expected, atol=1e-9)


def test_motion_is_read_only_and_validated():
    motion = np.zeros((2, 3))
    bvh = BVHMotion(["a"], [-1], [[0, 0, 0]], [("Zrotation", "Xrotation", "Yrotation")], motion, 0.1)
    assert motion.flags.writeable  # the caller's array is copied, not frozen
    for array in (bvh.motion, bvh.positions, bvh.rotations, bvh.offsets, bvh.parents):
        assert not array.flags.writeable
    with pytest.raises(AttributeError, match="frame_time"):
        bvh.frame_time = 1.0
    with pytest.raises(ValueError, match="shape"):
        BVHMotion(["a"], [-1], [[0, 0, 0]], [("Zrotation",)], motion, 0.1)
    with pytest.raises(ValueError, match="unknown channel"):
        BVHMotion(["a"], [-1], [[0, 0, 0]], [("Wrotation", "X", "Y")], motion, 0.1)


# --------------------------------------------------------------------------
# Round trips
# --------------------------------------------------------------------------
def assert_same(a, b, atol=1e-6):
    assert a.joint_names == b.joint_names and a.channels == b.channels
    np.testing.assert_array_equal(a.parents, b.parents)
    np.testing.assert_array_equal(a.offsets, b.offsets)
    assert a.frame_time == b.frame_time
    assert a.end_sites.keys() == b.end_sites.keys()
    np.testing.assert_allclose(a.motion, b.motion, rtol=0, atol=atol)
    scale = np.abs(a.positions).max()
    np.testing.assert_allclose(a.positions, b.positions, rtol=0, atol=1e-6 * scale)


@pytest.mark.parametrize("end_sites", [False, True])
def test_round_trip_real_files(tmp_path, bandai_files, cmu_path, end_sites):
    for source in (bandai_files[0], cmu_path):
        original = read_bvh(source, end_sites=end_sites)
        out = tmp_path / source.name
        write_bvh(out, original)
        again = read_bvh(out, end_sites=end_sites)
        assert_same(original, again)
        write_bvh(tmp_path / "twice.bvh", again)  # writing is idempotent
        assert (tmp_path / "twice.bvh").read_bytes() == out.read_bytes()


def test_write_reorders_non_depth_first_joints(tmp_path):
    # joint 3 hangs off joint 1 but comes after joint 2: the file must list
    # it right after joint 1, with its channel columns moved accordingly.
    motion = np.array([[10, 20, 30, 40], [0, 90, 0, 90]], float)
    bvh = BVHMotion(
        ["root", "a", "b", "a2"], [-1, 0, 0, 1], np.eye(4, 3), [("Zrotation",)] * 4, motion, 0.5
    )
    write_bvh(tmp_path / "order.bvh", bvh, precision=3)
    again = read_bvh(tmp_path / "order.bvh")
    assert again.joint_names == ["root", "a", "a2", "b"]
    np.testing.assert_allclose(again.motion, motion[:, [0, 1, 3, 2]])
    np.testing.assert_allclose(again.positions, bvh.positions[:, [0, 1, 3, 2]], atol=1e-12)


# --------------------------------------------------------------------------
# Corrupt files
# --------------------------------------------------------------------------
VALID = [
    "HIERARCHY",  # 1
    "ROOT hip",  # 2
    "{",  # 3
    "  OFFSET 0 0 0",  # 4
    "  CHANNELS 6 Xposition Yposition Zposition Zrotation Xrotation Yrotation",  # 5
    "  JOINT knee",  # 6
    "  {",  # 7
    "    OFFSET 1 0 0",  # 8
    "    CHANNELS 3 Zrotation Xrotation Yrotation",  # 9
    "    End Site",  # 10
    "    {",  # 11
    "      OFFSET 0 -1 0",  # 12
    "    }",  # 13
    "  }",  # 14
    "}",  # 15
    "MOTION",  # 16
    "Frames: 3",  # 17
    "Frame Time: 0.04",  # 18
    "0 0 0 0 0 0 0 0 0",  # 19
    "1 0 0 0 0 0 0 0 0",  # 20
    "2 0 0 0 0 0 0 0 0",  # 21
]


def edit(line, new=None, *, insert=False):
    """Replace (or delete, or insert before) a 1-based line of VALID."""

    def apply(lines):
        lines = list(lines)
        if insert:
            lines.insert(line - 1, new)
        elif new is None:
            del lines[line - 1]
        else:
            lines[line - 1] = new
        return lines

    return apply


CORRUPTIONS = {
    "truncated": (edit(21), 20, "file ends after 2 of 3 frames declared in line 17"),
    "truncated mid-line": (edit(21, "2 0 0 0"), 21, "file ends after 2 of 3 frames declared in line 17"),
    "too few values": (edit(20, "1 0 0 0 0 0 0 0"), 20, "expected 9 channel values, found 8"),
    "too many values": (edit(19, "0 0 0 0 0 0 0 0 0 0"), 19, "expected 9 channel values, found 10"),
    "non-numeric": (edit(20, "1 0 0 0 abc 0 0 0 0"), 20, "non-numeric value 'abc'"),
    "nan": (edit(21, "2 0 0 nan 0 0 0 0 0"), 21, "non-numeric value 'nan'"),
    "extra frame": (edit(22, "3 0 0 0 0 0 0 0 0", insert=True), 22, "more frame lines than the 3"),
    "missing MOTION": (edit(16), 16, "expected 'ROOT' or 'MOTION'"),
    "extra close brace": (edit(15, "}", insert=True), 16, "unbalanced braces"),
    "missing close brace": (edit(14), 15, "unbalanced braces: joint 'hip' from line 2"),
    "missing open brace": (edit(7), 7, "expected '{'"),
    "unknown channel": (edit(9, "  CHANNELS 3 Zrotation Wrotation Yrotation"), 9, "unknown channel name 'Wrotation'"),
    "channel count": (edit(9, "    CHANNELS 4 Zrotation Xrotation Yrotation"), 9, "declares 4 channels"),
    "bad offset": (edit(8, "    OFFSET 1 x 0"), 8, "non-numeric OFFSET"),
    "zero frames": (lambda lines: lines[:16] + ["Frames: 0", "Frame Time: 0.04"], 17, "0 frames"),
    "bad frame count": (edit(17, "Frames: many"), 17, "Frames: <count>"),
    "missing frame time": (edit(18), 18, "Frame Time: <seconds>"),
    "ends after Frames": (lambda lines: lines[:17], 17, "file ends before 'Frame Time: <seconds>'"),
    "no HIERARCHY": (edit(1, "HIERARCH"), 1, "expected 'HIERARCHY'"),
    "empty": (lambda lines: [], 1, "empty file"),
}


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
@pytest.mark.parametrize("case", list(CORRUPTIONS))
def test_corrupt_files(tmp_path, case, newline):
    mutate, line, phrase = CORRUPTIONS[case]
    path = tmp_path / "broken_walk.bvh"
    path.write_bytes(newline.join(mutate(VALID)).encode() + newline.encode())
    with pytest.raises(BVHError, match=re.escape(phrase)) as info:
        read_bvh(path)
    message = str(info.value)
    assert message.startswith(f"broken_walk.bvh, line {line}: "), message
    assert phrase in message
    assert isinstance(info.value, ValueError) and info.value.lineno == line


def test_valid_tiny_file_reads(tmp_path):
    bvh = read_bvh(write_text(tmp_path, "\n".join(VALID)))  # no trailing newline
    assert bvh.n_frames == 3 and bvh.end_sites.keys() == {1}


def test_truncated_real_file(tmp_path, bandai_files):
    lines = bandai_files[0].read_text().splitlines()
    frames_line = next(i for i, line in enumerate(lines) if line.startswith("Frames:")) + 1
    declared = int(lines[frames_line - 1].split()[1])
    path = write_text(tmp_path, "\n".join(lines[:-8]) + "\n", bandai_files[0].name)
    with pytest.raises(BVHError, match=re.escape(
        f"{path.name}, line {len(lines) - 8}: file ends after {declared - 8} of {declared} "
        f"frames declared in line {frames_line}"
    )):
        read_bvh(path)
