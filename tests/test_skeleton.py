"""Joint layouts, the common-layout map and the skeleton validation layer."""

import numpy as np
import pytest

from skemotion.motion import SkeletonNormalizer
from skemotion.skeleton import COMMON_LAYOUT, SkeletonLayout, convert_layout, get_layout, layout_from_rig, list_layouts
from skemotion.utils import sequence_lengths, to_skeleton_array


@pytest.mark.parametrize("name", list_layouts())
def test_layout_is_a_forest_with_involutive_mirror(name):
    layout = get_layout(name)
    # One tree, except the face of MediaPipe and COCO, which those models do not link to the body.
    assert layout.parents.count(-1) == (2 if name in ("mediapipe33", "coco17") else 1)
    for joint in range(layout.n_joints):  # every joint reaches the root without a cycle
        seen = set()
        while joint != -1:
            assert joint not in seen
            seen.add(joint)
            joint = layout.parents[joint]
    perm = layout.mirror_permutation
    np.testing.assert_array_equal(perm[perm], np.arange(layout.n_joints))
    for left, right in layout.mirror_pairs:
        assert "left" in left.lower() and "right" in right.lower()


@pytest.mark.parametrize("name", ["mediapipe33", "coco17", "mpii16", "ewalk16"])
def test_every_named_layout_maps_onto_the_common_layout(name):
    layout = get_layout(name)
    pose = np.random.default_rng(0).normal(size=(4, 7, layout.n_joints, 3))
    body = convert_layout(pose, layout)
    assert body.shape == (4, 7, 16, 3)
    common = get_layout(COMMON_LAYOUT)
    for joint, sources in layout.common_map.items():  # each common joint is the mean of its named sources
        expected = pose[..., [layout.index(s) for s in sources], :].mean(axis=-2)
        np.testing.assert_allclose(body[..., common.index(joint), :], expected)


def test_mediapipe_to_common_uses_anatomical_midpoints():
    mp = get_layout("mediapipe33")
    pose = np.random.default_rng(1).normal(size=(33, 3))
    body = convert_layout(pose, "mediapipe33")
    hips = (pose[mp.index("left_hip")] + pose[mp.index("right_hip")]) / 2
    shoulders = (pose[mp.index("left_shoulder")] + pose[mp.index("right_shoulder")]) / 2
    np.testing.assert_allclose(body[0], hips)
    np.testing.assert_allclose(body[1], (hips + shoulders) / 2)
    np.testing.assert_allclose(body[6], pose[mp.index("left_wrist")])


def test_missing_source_joint_makes_common_joint_missing():
    pose = np.ones((33, 3))
    pose[get_layout("mediapipe33").index("left_hip")] = np.nan
    body = convert_layout(pose, "mediapipe33")
    assert np.isnan(body[0]).all() and np.isnan(body[10]).all() and not np.isnan(body[11]).any()


def test_bvh_rigs_are_recognised(bandai_path):
    from skemotion.io import read_bvh

    motion = read_bvh(next((bandai_path / "data").glob("*.bvh")))
    rig = layout_from_rig("bandai", motion.joint_names, motion.parents)
    assert rig.common_map is not None
    assert ("UpperArm_L", "UpperArm_R") in rig.mirror_pairs
    assert convert_layout(motion.positions, rig).shape == (motion.n_frames, 16, 3)


def test_unknown_layout_and_bad_layouts_raise():
    with pytest.raises(ValueError, match="Unknown skeleton layout 'nope'"):
        get_layout("nope")
    with pytest.raises(ValueError, match="invalid parent"):
        SkeletonLayout("bad", ("a", "b"), (-1, 5))
    with pytest.raises(ValueError, match="no joint 'c'"):
        SkeletonLayout("bad", ("a", "b"), (-1, 0), mirror_pairs=(("a", "c"),))
    unmapped = layout_from_rig("toy", ["a", "b"], [-1, 0])
    with pytest.raises(ValueError, match="no map onto the common layout"):
        convert_layout(np.zeros((2, 3)), unmapped)
    with pytest.raises(ValueError, match="Unknown skeleton layout"):
        SkeletonNormalizer(layout="no-such-layout").fit(np.zeros((2, 5, 16, 3)))


def test_padding_and_lengths_round_trip():
    rng = np.random.default_rng(0)
    sequences = [rng.normal(size=(n, 4, 3)) for n in (5, 9, 2)]
    X = to_skeleton_array(sequences)
    assert X.shape == (3, 9, 4, 3)
    np.testing.assert_array_equal(sequence_lengths(X), [5, 9, 2])
    for seq, padded in zip(sequences, X):
        np.testing.assert_array_equal(padded[: len(seq)], seq)
        assert np.isnan(padded[len(seq):]).all()


@pytest.mark.parametrize(
    "X, message",
    [
        (np.zeros((2, 5, 3)), "Expected skeleton data of shape"),
        (np.zeros((2, 5, 4, 3, 1)), "Expected skeleton data of shape"),
        (np.full((2, 5, 4, 3), np.nan), "Sample 0 has no observed joint"),
        ([np.zeros((3, 4, 3)), np.zeros((0, 4, 3))], "Sequence 1 has zero frames"),
        ([np.zeros((3, 4, 3)), np.zeros((3, 5, 3))], "all sequences must share one layout"),
        ([np.zeros((3, 4, 3)), np.zeros((3, 4))], "Sequence 1 has shape"),
        (np.full((2, 5, 16, 3), np.inf), "infinity"),
    ],
)
def test_bad_skeleton_input_is_named(X, message):
    with pytest.raises(ValueError, match=message):
        SkeletonNormalizer(layout=None, scale=False).fit(X)
