"""Sequence synthesis of NeuralGasSampler: bodies kept, time aligned, BVH export, errors; on real walks."""

import warnings
from collections import Counter

import numpy as np
import pytest
from scipy.spatial.transform import Rotation

from skemotion.datasets import load_bandai_namco
from skemotion.io import read_bvh, skeleton_to_bvh, write_bvh
from skemotion.motion import SkeletonNormalizer
from skemotion.samplers import NeuralGasSampler
from skemotion.samplers._novelty import NoveltyMeter, end_effectors
from skemotion.samplers._sequence_synthesis import (
    MIN_FRAMES,
    ClassMotions,
    dtw_time_map,
    from_bones,
    interpolate_frames,
    select_novel,
    to_bones,
)
from skemotion.skeleton import get_layout

from .conftest import shared_path

PARENTS = np.array(get_layout("body16").parents)


@pytest.fixture(scope="module")
def walks():
    bunch = load_bandai_namco(shared_path("bandai-namco-1"), styles=["normal", "sad", "angry"],
                              contents=["walk", "walk-left", "walk-back"], layout="body16")
    return [np.asarray(x) for x in bunch.data], np.asarray(bunch.target).astype(str)


@pytest.fixture(scope="module")
def resampled(walks):
    X, y = walks
    sampler = NeuralGasSampler(random_state=0, layout="body16", sampling_strategy={"normal": 9, "sad": 7, "angry": 6})
    X_res, y_res = sampler.fit_resample(X, y)
    return X_res[len(X):], y_res[len(X):]


def _bone_lengths(sequence):
    return np.linalg.norm(sequence[:, 1:] - sequence[:, PARENTS[1:]], axis=-1)


def test_class_counts_and_ragged_output(walks, resampled):
    X, _y = walks
    new, y_new = resampled
    assert Counter(y_new.tolist()) == {"normal": 9 - 4, "sad": 7 - 4, "angry": 6 - 4}
    assert isinstance(new, list) and all(s.shape[1:] == (16, 3) for s in new)
    real_lengths = [len(s) for s in X]
    # Realistic lengths: within the range of the real clips, not one padded length.
    assert min(real_lengths) * 0.6 <= min(map(len, new)) and max(map(len, new)) <= max(real_lengths)
    assert not any(np.isnan(s).any() for s in new)


def test_time_normalised_input_keeps_its_length(walks):
    # After SkeletonNormalizer(n_frames=...) every clip has one length; new clips must not come shorter and
    # NaN-padded into a pipeline that expects complete sequences (a distance on them would read NaN).
    X, y = walks
    X = SkeletonNormalizer(n_frames=40, layout="body16").fit_transform(X)
    X_res, _ = NeuralGasSampler(random_state=0, layout="body16",
                                sampling_strategy={"normal": 9, "sad": 7, "angry": 6}).fit_resample(X, y)
    assert X_res.shape[1:] == (40, 16, 3) and len(X_res) == 22
    assert not np.isnan(X_res).any()
    lengths = np.linalg.norm(X_res[len(X):, :, 1:] - X_res[len(X):, :, PARENTS[1:]], axis=-1)
    assert (np.ptp(lengths, axis=1) / lengths.min(axis=1)).max() < 1e-9


def test_bone_lengths_kept(resampled):
    new, _ = resampled
    for sequence in new:
        lengths = _bone_lengths(sequence)
        assert np.ptp(lengths, axis=0).max() / lengths.min() < 1e-9


def test_new_sequences_are_not_copies(walks, resampled):
    X, _ = walks
    new, _ = resampled
    for sequence in new:
        # Nearest real clip over the common frames, root trajectory removed: a copy would be at 0.
        nearest = min(np.abs((sequence[:n] - sequence[:n, :1]) - (real[:n] - real[:n, :1])).mean()
                      for real in X for n in [min(len(real), len(sequence))])
        assert nearest > 0.5  # centimetres


def test_fit_resample_on_4d_array_matches_list(walks):
    X, y = walks
    padded = np.full((len(X), max(map(len, X)), 16, 3), np.nan)
    for i, seq in enumerate(X):
        padded[i, :len(seq)] = seq
    params = {"random_state": 3, "layout": "body16", "sampling_strategy": {"sad": 6}}
    from_list, _ = NeuralGasSampler(**params).fit_resample(X, y)
    from_array, _y_array = NeuralGasSampler(**params).fit_resample(padded, y)
    assert from_array.shape == (len(X) + 2,) + padded.shape[1:]
    for seq, row in zip(from_list[len(X):], from_array[len(X):]):
        np.testing.assert_allclose(row[:len(seq)], seq)
        assert np.isnan(row[len(seq):]).all()


def test_reproducible_by_random_state(walks):
    X, y = walks
    params = {"layout": "body16", "sampling_strategy": {"sad": 6, "angry": 5}}
    a, _ = NeuralGasSampler(random_state=1, **params).fit_resample(X, y)
    b, _ = NeuralGasSampler(random_state=1, **params).fit_resample(X, y)
    c, _ = NeuralGasSampler(random_state=2, **params).fit_resample(X, y)
    assert all(np.array_equal(s, t) for s, t in zip(a, b))
    assert not all(s.shape == t.shape and np.allclose(s, t) for s, t in zip(a[len(X):], c[len(X):]))


def test_bvh_export_round_trip(resampled, tmp_path):
    new, _ = resampled
    sequence = new[0]
    path = tmp_path / "synthetic.bvh"
    write_bvh(path, skeleton_to_bvh(sequence, "body16", frame_rate=30))
    motion = read_bvh(path)
    assert motion.frame_rate == pytest.approx(30)
    columns = [motion.joint_names.index(name) for name in get_layout("body16").joint_names]
    positions = motion.positions[:, columns]
    # FK of the written file: the same bone directions (and, bones being rigid, the same joints).
    bones, again = (p[:, 1:] - p[:, PARENTS[1:]] for p in (sequence, positions))
    cosine = np.sum(bones * again, axis=-1) / (np.linalg.norm(bones, axis=-1) * np.linalg.norm(again, axis=-1))
    assert cosine.min() > 1 - 1e-9
    np.testing.assert_allclose(positions, sequence, atol=1e-4)


def test_bvh_export_recovers_known_rotation(tmp_path):
    # An L-shaped arm turned by known rotations: the written local rotation of the shoulder is that rotation.
    rest = np.array([[0, 0, 0], [0, -3, 0], [2, -3, 0]], dtype=float)
    turns = Rotation.from_euler("z", [[0], [30], [60]], degrees=True)
    frames = np.stack([turns[k].apply(rest) for k in range(3)])
    motion = skeleton_to_bvh(frames, [-1, 0, 1], frame_rate=10)
    write_bvh(tmp_path / "arm.bvh", motion)
    again = read_bvh(tmp_path / "arm.bvh")
    np.testing.assert_allclose(again.positions, frames, atol=1e-5)
    np.testing.assert_allclose(again.rotations[:, 0], turns.as_matrix(), atol=1e-6)


def test_bones_round_trip():
    rng = np.random.RandomState(0)
    sequence = rng.normal(size=(5, 16, 3))
    root, directions, lengths = to_bones(sequence, PARENTS)
    rigid = from_bones(root, directions, lengths, PARENTS)
    assert np.allclose(_bone_lengths(rigid), lengths)
    np.testing.assert_allclose(to_bones(rigid, PARENTS)[1], directions)


def test_dtw_time_map_recovers_a_known_warp():
    # The query plays the reference's motion on a known non-linear clock.
    frames = np.linspace(0, 1, 60)
    warp = frames**1.3 * 59
    reference = np.c_[np.sin(6 * frames), np.cos(4 * frames)]
    unwarped = np.interp(np.arange(60), warp, frames)
    query = np.c_[np.sin(6 * unwarped), np.cos(4 * unwarped)]
    assert np.abs(dtw_time_map(reference, query) - warp).max() < 2.5


def test_error_for_class_with_one_sequence(walks):
    X, y = walks
    keep = np.r_[np.flatnonzero(y != "sad"), np.flatnonzero(y == "sad")[:1]]
    with pytest.raises(ValueError, match="at least 2 samples of a class.*class sad has 1"):
        NeuralGasSampler(layout="body16", sampling_strategy={"sad": 3}).fit_resample([X[i] for i in keep], y[keep])


def test_error_for_sequences_too_short_to_align(walks):
    X, y = walks
    short = [x[:MIN_FRAMES - 1] if label == "sad" else x for x, label in zip(X, y)]
    with pytest.raises(ValueError, match=f"needs at least {MIN_FRAMES} frames.*class sad has {MIN_FRAMES - 1}"):
        NeuralGasSampler(layout="body16", sampling_strategy={"sad": 6}).fit_resample(short, y)


def test_error_for_layout_of_other_size(walks):
    X, y = walks
    with pytest.raises(ValueError, match="layout 'coco17' has 17 joints but the data has 16"):
        NeuralGasSampler(layout="coco17", sampling_strategy={"sad": 6}).fit_resample(X, y)


def _benchmark_novelty(new, real):
    """The synthesis benchmark's novelty, computed independently: distance to the nearest real clip in
    standardised kinematic + anchor-distance features (constant features left out), over the median
    real-to-real nearest distance."""
    from sklearn.preprocessing import StandardScaler

    from skemotion.motion import JointDistances, KinematicFeatures

    anchors = ["head", "left_hand", "right_hand", "left_foot", "right_foot"]

    def features(clips):
        kinematic = KinematicFeatures(frame_rate=30, layout="body16").fit(clips).transform(clips)
        distances = JointDistances(anchors=anchors, layout="body16").fit(clips).transform(clips)
        return np.nan_to_num(np.hstack([kinematic, distances]))

    F_real, F_new = features(real), features(new)
    varying = F_real.std(axis=0) > 1e-6 * np.maximum(np.abs(F_real).max(axis=0), 1.0)
    scaler = StandardScaler().fit(F_real[:, varying])
    R, S = scaler.transform(F_real[:, varying]), scaler.transform(F_new[:, varying])
    between = np.linalg.norm(R[:, None] - R[None], axis=-1)
    np.fill_diagonal(between, np.inf)
    return np.linalg.norm(S[:, None] - R[None], axis=-1).min(axis=1) / np.median(between.min(axis=1))


def test_no_new_sequence_is_a_near_copy(walks):
    X, y = walks
    strategy = {"normal": 12, "sad": 12, "angry": 12}  # two new clips per real one: repeats of each base
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # no sequence left below min_novelty
        X_res, _ = NeuralGasSampler(random_state=0, layout="body16", sampling_strategy=strategy).fit_resample(X, y)
    assert _benchmark_novelty(X_res[len(X):], X).min() >= 0.3
    # Without the rule, first draws do come closer to real clips (so the rule is what keeps them away).
    loose, _ = NeuralGasSampler(random_state=0, layout="body16", sampling_strategy=strategy,
                                min_novelty=0).fit_resample(X, y)
    assert _benchmark_novelty(loose[len(X):], X).min() < _benchmark_novelty(X_res[len(X):], X).min()


def test_warning_when_novelty_cannot_be_reached(walks):
    X, y = walks
    with pytest.warns(RuntimeWarning, match=r"2 of 2 new sequences stay closer to a real clip than min_novelty=50"):
        NeuralGasSampler(random_state=0, layout="body16", sampling_strategy={"sad": 6},
                         min_novelty=50).fit_resample(X, y)


def test_novelty_features_match_the_transformers(walks):
    # The meter's batched features are KinematicFeatures + JointDistances of the end effectors, to rounding;
    # a 4-frame clip has no jerk (NaN, then 0) and a 5-frame one a single jerk frame.
    from skemotion.motion import JointDistances, KinematicFeatures

    X, _ = walks
    clips = list(X) + [X[0][:4], X[1][7:12]]
    meter = NoveltyMeter(X, PARENTS)
    kinematic = KinematicFeatures(frame_rate=1.0, layout=None).fit(clips).transform(clips)
    distances = JointDistances(anchors=end_effectors(PARENTS).tolist(), layout=None).fit(clips).transform(clips)
    expected = np.nan_to_num(np.hstack([kinematic, distances]))
    np.testing.assert_allclose(meter.features(clips), expected, rtol=1e-12, atol=1e-12 * np.abs(expected).max())


def test_novelty_is_the_benchmarks(walks, resampled):
    # End effectors of body16 are the benchmark's anchors (head, hands, feet), and frames as the unit of
    # time change nothing once standardised: the sampler's novelty is the benchmark's.
    X, _ = walks
    new, _ = resampled
    np.testing.assert_allclose(NoveltyMeter(X, PARENTS).novelties(new), _benchmark_novelty(new, X), rtol=1e-9)


def test_spline_is_scipys_cubic_spline():
    from scipy.interpolate import CubicSpline

    rng = np.random.RandomState(0)
    for n_frames in (4, 5, 9, 120):
        values = rng.normal(size=(n_frames, 15, 3)).cumsum(axis=0)
        times = np.r_[0.0, np.sort(rng.uniform(0, n_frames - 1, 2 * n_frames)), n_frames - 1]
        expected = CubicSpline(np.arange(n_frames), values, axis=0)(times)
        np.testing.assert_allclose(interpolate_frames(values, times), expected, rtol=0,
                                   atol=1e-12 * np.abs(values).max())


class _ScriptedNovelty:
    """Novelty read from each candidate (its first value), and the size of every batch scored."""

    def __init__(self):
        self.batches = []

    def novelties(self, clips):
        self.batches.append(len(clips))
        return np.array([float(c.flat[0]) for c in clips])


def test_select_novel_scores_rounds_in_batches():
    streams = [[0.5], [0.1, 0.4], [0.1, 0.25, 0.2]]  # accepted at once; at the 2nd draw; never (best: 0.25)
    meter = _ScriptedNovelty()
    new, n_below = select_novel([iter([np.full((4, 2, 3), v) for v in s]) for s in streams], meter, 0.3)
    assert [float(c.flat[0]) for c in new] == [0.5, 0.4, 0.25] and n_below == 1
    assert meter.batches == [3, 2, 1]  # one batch per round, of the streams still below
    first, n_below = select_novel([iter([np.full((4, 2, 3), v) for v in s]) for s in streams], meter, 0)
    assert [float(c.flat[0]) for c in first] == [0.5, 0.1, 0.1] and n_below == 0


def test_posture_shift_keeps_bones_and_ground(walks):
    X, y = walks
    clips = [np.asarray(x, dtype=float) for x, label in zip(X, y) if label == "sad"]
    motions = ClassMotions(clips, PARENTS, up_axis=1)
    plain = motions.vary(0, 1.0, len(clips[0]))
    shifted = motions.vary(0, 1.0, len(clips[0]), posture=2, posture_weight=0.5)
    lengths = _bone_lengths(shifted)
    assert np.ptp(lengths, axis=0).max() / lengths.min() < 1e-9
    # The lowest joint of every frame stays at the base's height (rebuilt with rigid bones)...
    np.testing.assert_allclose(shifted[..., 1].min(axis=1), plain[..., 1].min(axis=1), atol=1e-9)
    # ... while the mean posture moved towards the other clip's, turned to face like the base.
    def mean_directions(sequence):
        directions = to_bones(sequence, PARENTS)[1].mean(axis=0)
        return directions / np.linalg.norm(directions, axis=-1, keepdims=True)

    target = mean_directions(clips[2]) @ motions.turn(0, 2).T
    assert np.linalg.norm(mean_directions(shifted) - target) < 0.7 * np.linalg.norm(mean_directions(plain) - target)
