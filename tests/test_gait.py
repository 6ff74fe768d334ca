"""Tests of the procedural emotional-gait data set, measured from the joint positions alone."""

import numpy as np
import pytest
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import GroupKFold, cross_val_score
from sklearn.utils import Bunch

from skemotion.datasets._gait import EMOTION_GAIT_PARAMS, make_emotional_gait
from skemotion.skeleton import get_layout

EMOTIONS = ("neutral", "happy", "sad", "angry")
J = {name: i for i, name in enumerate(get_layout("body16").joint_names)}
UP = np.array([0.0, 1.0, 0.0])


@pytest.fixture(scope="module")
def gait():
    return make_emotional_gait(n_samples=200, random_state=0)


def _facing(x):
    """Horizontal unit facing direction per frame: (left_hip - right_hip) x up."""
    f = np.cross(x[:, J["left_hip"]] - x[:, J["right_hip"]], UP)
    f[:, 1] = 0
    return f / np.linalg.norm(f, axis=1, keepdims=True)


def _forward_speed(x, frame_rate):
    """Mean horizontal root speed: net displacement over the trial duration."""
    disp = x[-1, J["root"]] - x[0, J["root"]]
    return np.hypot(disp[0], disp[2]) * frame_rate / (len(x) - 1)


def _head_pitch(x):
    """Mean forward tilt (deg) of the neck -> head vector from vertical."""
    v = x[:, J["head"]] - x[:, J["neck"]]
    return np.degrees(np.arctan2(np.sum(v * _facing(x), axis=1), v[:, 1])).mean()


def _arm_swing(x):
    """Forward excursion range (m) of the hands relative to the root, mean of both hands."""
    facing = _facing(x)
    ranges = []
    for hand in ("left_hand", "right_hand"):
        forward = np.sum((x[:, J[hand]] - x[:, J["root"]]) * facing, axis=1)
        ranges.append(forward.max() - forward.min())
    return np.mean(ranges)


def _per_emotion(gait, measure):
    return {
        e: np.mean([measure(x) for x, y in zip(gait.data, gait.target) if y == e]) for e in EMOTIONS
    }


def _speed_features(x, frame_rate):
    """Mean and standard deviation of each joint's speed."""
    speed = np.linalg.norm(np.diff(x, axis=0), axis=-1) * frame_rate
    return np.concatenate([speed.mean(axis=0), speed.std(axis=0)])


def test_bunch_structure(gait):
    assert isinstance(gait, Bunch)
    keys = {"data", "target", "groups", "frame_rate", "joint_names", "parents", "layout", "DESCR"}
    assert set(gait) == keys
    layout = get_layout("body16")
    assert gait.layout is layout
    assert gait.joint_names == list(layout.joint_names)
    assert gait.parents.tolist() == list(layout.parents)
    assert gait.frame_rate == 30.0
    assert isinstance(gait.DESCR, str) and "body16" in gait.DESCR

    assert isinstance(gait.data, list) and len(gait.data) == 200
    lengths = np.array([len(x) for x in gait.data])
    for x in gait.data:
        assert x.dtype == np.float64 and x.shape[1:] == (16, 3)
        assert np.isfinite(x).all()
    assert lengths.min() >= 72 and lengths.max() <= 108 and len(set(lengths)) > 10

    assert gait.target.shape == (200,) and gait.target.dtype.kind == "U"
    assert sorted(set(gait.target)) == sorted(EMOTIONS)
    assert np.all(np.unique(gait.target, return_counts=True)[1] == 50)

    assert gait.groups.shape == (200,) and gait.groups.dtype.kind == "i"
    for walker in np.unique(gait.groups):
        emotions, counts = np.unique(gait.target[gait.groups == walker], return_counts=True)
        assert len(emotions) == 4 and counts.min() >= 2  # every walker walks every emotion repeatedly
    assert len(np.unique(gait.groups)) == 10  # default: five repetitions per walker and emotion


def test_return_X_y_matches_bunch():
    bunch = make_emotional_gait(n_samples=12, random_state=3)
    X, y = make_emotional_gait(n_samples=12, return_X_y=True, random_state=3)
    np.testing.assert_array_equal(y, bunch.target)
    for a, b in zip(X, bunch.data):
        np.testing.assert_array_equal(a, b)


def test_determinism_and_seed_dependence():
    a = make_emotional_gait(n_samples=16, random_state=7)
    b = make_emotional_gait(n_samples=16, random_state=np.random.RandomState(7))
    c = make_emotional_gait(n_samples=16, random_state=8)
    np.testing.assert_array_equal(a.target, b.target)
    np.testing.assert_array_equal(a.groups, b.groups)
    for x, z in zip(a.data, b.data):
        np.testing.assert_array_equal(x, z)
    assert any(x.shape != z.shape or not np.allclose(x, z) for x, z in zip(a.data, c.data))


def test_repetitions_differ():
    gait = make_emotional_gait(n_samples=8, walkers=1, emotions=("sad",), length_jitter=0.0, random_state=0)
    first = gait.data[0]
    assert all(not np.allclose(first, x) for x in gait.data[1:])


def test_options():
    gait = make_emotional_gait(
        n_samples=9, emotions=("sad", "angry", "happy"), n_frames=40, frame_rate=60.0,
        length_jitter=0.0, noise=0.0, walkers=3, random_state=0,
    )  # fmt: skip
    assert {len(x) for x in gait.data} == {40}
    assert gait.frame_rate == 60.0
    assert sorted(set(gait.target)) == ["angry", "happy", "sad"]
    assert sorted(set(gait.groups)) == [0, 1, 2]


def test_bone_lengths_constant(gait):
    bones = [(p, j) for j, p in enumerate(gait.parents) if p >= 0]
    for x in gait.data[:40]:
        for p, j in bones:
            length = np.linalg.norm(x[:, j] - x[:, p], axis=-1)
            assert length.std() / length.mean() < 1e-9


def test_coordinate_conventions(gait):
    """y is up, the walker faces its direction of travel, its left is +x when facing +z."""
    for x in gait.data[:40]:
        assert np.all(x[:, J["head"], 1] > x[:, J["root"], 1])
        assert np.all(x[:, J["root"], 1] > x[:, [J["left_foot"], J["right_foot"]], 1].max(axis=1))
        travel = x[-1, J["root"]] - x[0, J["root"]]
        travel[1] = 0
        travel /= np.linalg.norm(travel)
        assert np.mean(_facing(x) @ travel) > 0.95
        assert abs(np.degrees(np.arctan2(travel[0], travel[2]))) < 45  # roughly along +z


def test_height_plausible(gait):
    heights = np.array([x[:, J["head"], 1].max() for x in gait.data])
    assert 1.3 < heights.mean() < 1.7  # head centre ~0.93 H with H ~ 1.72 m
    assert heights.std() > 0.03  # walkers differ in size


def test_forward_speed_order(gait):
    speed = _per_emotion(gait, lambda x: _forward_speed(x, gait.frame_rate))
    assert speed["sad"] < speed["neutral"] < speed["happy"]
    assert speed["neutral"] < speed["angry"]
    assert 1.0 < speed["neutral"] < 1.6  # comfortable walking speed


def test_sad_head_pitched_down(gait):
    pitch = _per_emotion(gait, _head_pitch)
    assert pitch["sad"] > pitch["neutral"] + 10


def test_sad_arm_swing_smaller(gait):
    swing = _per_emotion(gait, _arm_swing)
    assert swing["sad"] < 0.7 * swing["neutral"]
    assert swing["neutral"] < swing["happy"]


def test_classifier_above_chance_but_not_perfect(gait):
    X = np.array([_speed_features(x, gait.frame_rate) for x in gait.data])
    clf = RandomForestClassifier(n_estimators=100, random_state=0)
    scores = cross_val_score(clf, X, gait.target, groups=gait.groups, cv=GroupKFold(n_splits=5))
    assert 0.5 < scores.mean() < 0.99


def test_parameter_table_complete():
    keys = set(EMOTION_GAIT_PARAMS["neutral"])
    assert set(EMOTIONS) <= set(EMOTION_GAIT_PARAMS)
    assert all(set(params) == keys for params in EMOTION_GAIT_PARAMS.values())


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"emotions": ("neutral", "bored")}, r"Unknown emotion.*bored.*valid emotions are"),
        ({"emotions": ()}, "non-empty"),
        ({"emotions": ("sad", "sad")}, "distinct"),
        ({"n_samples": 3}, "n_samples must be an integer >= the number of emotions"),
        ({"n_samples": 10.0}, "n_samples"),
        ({"n_frames": 1}, "n_frames"),
        ({"frame_rate": 0}, "frame_rate"),
        ({"length_jitter": 1.0}, "length_jitter"),
        ({"noise": -1}, "noise"),
        ({"walkers": 0}, "walkers"),
        ({"n_samples": 8, "walkers": 3}, "every walker walks in every emotion"),
    ],
)
def test_invalid_parameters(kwargs, match):
    with pytest.raises(ValueError, match=match):
        make_emotional_gait(**kwargs)
