"""SkeletonNormalizer, KinematicFeatures and JointDistances against closed forms and scipy."""

import numpy as np
import pytest
from scipy.interpolate import interp1d
from scipy.spatial.distance import pdist
from scipy.spatial.transform import Rotation

from skemotion.datasets import make_emotional_gait
from skemotion.motion import JointDistances, KinematicFeatures, SkeletonNormalizer
from skemotion.skeleton import fill_gaps, resample


@pytest.fixture(scope="module")
def gait():
    return make_emotional_gait(12, random_state=0)


def test_fill_gaps_matches_numpy_interp_on_short_gaps():
    rng = np.random.default_rng(0)
    series = rng.normal(size=40)
    holes = series.copy()
    holes[[3, 4, 10, 20, 21, 22, 23, 24, 25]] = np.nan  # gaps of 2, 1 and 6 frames
    filled = fill_gaps(holes.reshape(1, -1, 1, 1), max_gap=3).ravel()
    known = ~np.isnan(holes)
    reference = np.interp(np.arange(40), np.flatnonzero(known), holes[known])
    np.testing.assert_allclose(filled[[3, 4, 10]], reference[[3, 4, 10]])
    assert np.isnan(filled[20:26]).all()  # the 6-frame gap is longer than max_gap
    np.testing.assert_array_equal(filled[known], holes[known])


def test_resample_matches_scipy_interp1d():
    rng = np.random.default_rng(1)
    X = np.full((2, 30, 3, 3), np.nan)
    X[0, :30] = rng.normal(size=(30, 3, 3))
    X[1, :17] = rng.normal(size=(17, 3, 3))
    out = resample(X, np.array([30, 17]), 50)
    for i, n in enumerate((30, 17)):
        reference = interp1d(np.arange(n), X[i, :n], axis=0)(np.linspace(0, n - 1, 50))
        np.testing.assert_allclose(out[i], reference, atol=1e-12)


def test_resample_keeps_missing_frames_missing():
    x = np.arange(5.0).reshape(1, 5, 1, 1)
    x[0, 2] = np.nan
    out = resample(x, np.array([5]), 9).ravel()
    assert np.isnan(out[3:6]).all() and out[0] == 0 and out[-1] == 4


def test_normalizer_is_invariant_to_yaw_translation_and_size(gait):
    X = gait.data[0]
    normalizer = SkeletonNormalizer(align_yaw=True).fit([X])
    rotation = Rotation.from_euler("y", 73, degrees=True).as_matrix()
    moved = 2.5 * X @ rotation.T + np.array([4.0, 0.0, -7.0])
    np.testing.assert_allclose(normalizer.transform([moved]), normalizer.transform([X]), atol=1e-10)


def test_normalizer_root_at_origin_unit_size_and_facing(gait):
    out = SkeletonNormalizer(align_yaw=True, n_frames=40).fit_transform(gait.data)
    assert out.shape == (12, 40, 16, 3)
    np.testing.assert_allclose(out[:, :, 0], 0, atol=1e-12)
    bones = np.linalg.norm(out[:, :, 1:] - out[:, :, [0, 1, 2, 2, 4, 5, 2, 7, 8, 0, 10, 11, 0, 13, 14]], axis=-1)
    np.testing.assert_allclose(np.median(bones.sum(axis=2), axis=1), 1.0, rtol=1e-3)
    hips = (out[:, :, 10] - out[:, :, 13]).mean(axis=1)
    # Aligned on the mean over the original frames; resampling moves that mean only slightly.
    assert (hips[:, 0] > 0).all() and np.allclose(hips[:, 2], 0, atol=1e-3 * hips[:, 0].min())


def test_normalizer_trajectory_centering_keeps_the_walk(gait):
    out = SkeletonNormalizer(centering="trajectory", align_yaw=True).fit_transform(gait.data[:1])
    root = out[0, :, 0]
    np.testing.assert_allclose(root[0], 0, atol=1e-12)
    assert root[-1, 2] > 0.5  # walked forward (+z) by more than half a body size


def test_normalizer_list_and_padded_input_agree(gait):
    normalizer = SkeletonNormalizer(n_frames=30).fit(gait.data)
    padded = np.full((3, 200, 16, 3), np.nan)
    for i in range(3):
        padded[i, : len(gait.data[i])] = gait.data[i]
    np.testing.assert_allclose(normalizer.transform(padded), normalizer.transform(gait.data[:3]))


def test_normalizer_maps_video_layout_to_common():
    rng = np.random.default_rng(0)
    pose = rng.normal(size=(2, 10, 33, 3))
    out = SkeletonNormalizer(layout="mediapipe33", to_common=True, scale=False).fit_transform(pose)
    assert out.shape == (2, 10, 16, 3)
    assert SkeletonNormalizer().fit(pose).layout_.name == "mediapipe33"  # 33 joints: MediaPipe
    with pytest.raises(ValueError, match=r"layout 'body16' has 16 joints but the data has 33.*to_common=True"):
        SkeletonNormalizer(layout="body16").fit(pose)


def test_kinematics_of_uniform_circular_motion():
    """A point on a circle of radius r at angular speed w: speed r w, acceleration r w^2, jerk r w^3."""
    r, w, fps = 0.5, 2 * np.pi, 200.0
    t = np.arange(0, 2.0, 1 / fps)
    circle = np.stack([r * np.cos(w * t), np.zeros_like(t), r * np.sin(w * t)], axis=-1)[:, np.newaxis]
    kf = KinematicFeatures(frame_rate=fps).fit([circle])
    features = dict(zip(kf.get_feature_names_out(), kf.transform([circle])[0]))
    assert features["joint0_speed_mean"] == pytest.approx(r * w, rel=1e-3)
    assert features["joint0_acceleration_mean"] == pytest.approx(r * w**2, rel=1e-2)
    assert features["joint0_jerk_mean"] == pytest.approx(r * w**3, rel=2e-2)
    assert features["joint0_speed_std"] == pytest.approx(0, abs=1e-3)
    chord = 2 * r * np.sin(w / fps / 2)  # exact frame-to-frame displacement on the circle
    assert features["joint0_path_length"] == pytest.approx((len(t) - 1) * chord, rel=1e-12)
    assert features["joint0_range_x"] == pytest.approx(2 * r, rel=1e-6)
    assert features["joint0_range_y"] == 0


def test_kinematics_ignore_missing_frames():
    fps, t = 30.0, np.arange(60) / 30.0
    line = np.stack([1.5 * t, 0 * t, 0 * t], axis=-1)[:, np.newaxis]  # 1.5 units/s
    line[20:23] = np.nan
    speed = KinematicFeatures(frame_rate=fps).fit_transform([line])[0, 0]
    assert speed == pytest.approx(1.5)


def test_kinematic_feature_names_follow_layout(gait):
    kf = KinematicFeatures(layout="body16").fit(gait.data)
    names = kf.get_feature_names_out()
    assert len(names) == kf.transform(gait.data).shape[1] == 16 * 13
    assert names[13] == "spine_speed_mean" and names[-1] == "right_foot_range_z"


def test_joint_distances_match_scipy_pdist(gait):
    X = SkeletonNormalizer(n_frames=20).fit_transform(gait.data[:2])
    jd = JointDistances(summary="frames").fit(X)
    out = jd.transform(X).reshape(2, -1, 20)  # (n, n_pairs, n_frames)
    reference = np.stack([[pdist(X[i, t]) for t in range(20)] for i in range(2)])  # pairs i < j, as pdist
    np.testing.assert_allclose(out.transpose(0, 2, 1), reference, atol=1e-12)
    assert len(jd.pairs_) == 16 * 15 // 2


def test_joint_distances_anchor_pairs_are_unique():
    jd = JointDistances(anchors=["left_hand", "right_hand", "head"], layout="body16").fit(np.zeros((1, 3, 16, 3)))
    pairs = {frozenset(p) for p in jd.pairs_.tolist()}
    assert len(pairs) == len(jd.pairs_) == 15 + 14 + 13
    names = jd.get_feature_names_out()
    assert len(names) == 4 * len(jd.pairs_) and names[0] == "d_left_hand_root_mean"


def test_joint_distance_stats_ignore_missing_frames():
    X = np.zeros((1, 4, 2, 3))
    X[0, :, 1, 0] = [1.0, 2.0, np.nan, 3.0]
    mean, std, low, high = JointDistances().fit_transform(X)[0]
    assert (mean, low, high) == (2.0, 1.0, 3.0) and std == pytest.approx(np.std([1, 2, 3]))


def test_joint_distance_frames_need_equal_lengths(gait):
    jd = JointDistances(summary="frames").fit(SkeletonNormalizer(n_frames=20).fit_transform(gait.data))
    with pytest.raises(ValueError, match="resample with SkeletonNormalizer"):
        jd.transform(gait.data)


def test_never_observed_joint_gives_nan_feature_and_warning():
    X = np.random.default_rng(0).normal(size=(3, 10, 2, 3))
    X[:, :, 1] = np.nan
    with pytest.warns(RuntimeWarning, match="never observed"):
        features = KinematicFeatures(frame_rate=30.0).fit_transform(X)
    assert np.isnan(features[:, 13:]).all() and not np.isnan(features[:, :13]).any()


def test_normalizer_names_a_sample_whose_root_is_never_seen(gait):
    X = SkeletonNormalizer(n_frames=10).fit_transform(gait.data[:2])
    X[1, :, 0] = np.nan
    with pytest.raises(ValueError, match="Cannot centre sample 1"):
        SkeletonNormalizer(centering="trajectory", scale=False).fit_transform(X)


def test_blocks_of_samples_change_nothing_and_errors_name_the_sample(gait):
    from sklearn import config_context

    X = list(gait.data)
    X[9] = np.full_like(np.asarray(X[9]), np.nan)
    X[9][:, 1:] = 1.0  # root never observed in sample 9
    whole = [est.fit_transform(gait.data) for est in (SkeletonNormalizer(n_frames=20), KinematicFeatures(),
                                                      JointDistances())]
    with config_context(working_memory=0.05):  # about one sample per block
        blocked = [est.fit_transform(gait.data) for est in (SkeletonNormalizer(n_frames=20), KinematicFeatures(),
                                                            JointDistances())]
        with pytest.raises(ValueError, match="Cannot centre sample 9: its root joint is never observed"):
            SkeletonNormalizer(centering="trajectory", scale=False).fit_transform(X)
    for a, b in zip(whole, blocked):
        np.testing.assert_array_equal(a, b)
