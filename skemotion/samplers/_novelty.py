"""Novelty of synthetic sequences: how far each one is from its nearest real clip, in motion features.

A synthetic sequence that sits on a training clip adds nothing but a copy. "Far" is measured the way the
synthesis benchmark (``benchmarks/bench_synthesis.py``) and the issue define it: each clip is described by
:class:`~skemotion.motion.KinematicFeatures` (speed, acceleration and jerk statistics, path length and
range of every joint) next to :class:`~skemotion.motion.JointDistances` of the end effectors (the joints
that are no one's parent: head, hands and feet of a body layout), each feature standardised over the real
clips (features constant over them, such as the lengths of rigid bones, left out: standardised, any change
of them would dwarf the rest). A clip's *novelty* is its distance to its nearest real clip divided by the
median distance of a real clip to its nearest other real clip. Time is in frames: with one frame rate for
all clips, a unit of time scales each kinematic feature by a constant, which standardisation removes.

The features are computed here for a whole batch of clips at once, concatenated frame after frame (no
padding, no NaN), with the transformers' finite differences and per-clip reductions
(``np.add.reduceat``): the sampler scores every candidate of a round together, and the transformers'
input validation, run clip by clip, cost more than the features themselves. They agree with the
transformers to rounding (``tests/test_synthesis.py``).
"""

import numpy as np

from ..motion._features import anchor_pairs
from ..skeleton import difference_weights


def end_effectors(parents):
    """Joints that are no joint's parent (for a star skeleton, every joint but the root).

    Examples
    --------
    >>> end_effectors([-1, 0, 1, 0]).tolist()
    [2, 3]
    """
    parents = np.asarray(parents)
    return np.setdiff1d(np.arange(len(parents)), parents[parents >= 0])


def concatenate_clips(clips):
    """The clips one after another, frames first, and the index of the clip each frame belongs to."""
    clips = [np.asarray(c, dtype=np.float64) for c in clips]
    segment = np.repeat(np.arange(len(clips)), [len(c) for c in clips])
    return np.concatenate(clips), segment


def segment_stats(values, segment, n_segments):
    """Mean, standard deviation, minimum and maximum of the rows of ``values`` of each segment.

    ``segment`` (non-decreasing) gives each row's segment; a segment without rows gets NaN, as the
    ``np.nan*`` reductions give for a clip without a single observed frame.
    """
    counts = np.bincount(segment, minlength=n_segments)
    full = counts > 0
    starts = (np.cumsum(counts) - counts)[full]
    shape = (n_segments,) + values.shape[1:]
    mean, std, low, high = (np.full(shape, np.nan) for _ in range(4))
    if not full.any():
        return mean, std, low, high
    n = counts[full].reshape((-1,) + (1,) * (values.ndim - 1))
    mean[full] = np.add.reduceat(values, starts, axis=0) / n
    deviation = values - np.repeat(mean[full], counts[full], axis=0)
    std[full] = np.sqrt(np.add.reduceat(deviation**2, starts, axis=0) / n)
    low[full] = np.minimum.reduceat(values, starts, axis=0)
    high[full] = np.maximum.reduceat(values, starts, axis=0)
    return mean, std, low, high


def _norm(coordinates):
    """Euclidean length of vectors given coordinates first (``coordinates[k]`` is the k-th coordinate).

    The same sums in the same order as ``np.linalg.norm(..., axis=-1)`` (hence the same lengths), on
    contiguous coordinate planes instead of a short, strided last axis: several times faster.
    """
    return np.sqrt(sum(c * c for c in coordinates))


def kinematic_features(X, segment, n_clips):
    """``KinematicFeatures(frame_rate=1, accuracy=2)`` of clips concatenated (:func:`concatenate_clips`).

    Per joint: mean, std and max of speed, acceleration and jerk magnitude (finite differences whose
    stencil lies within one clip), path length, range per axis.
    """
    planes = np.ascontiguousarray(np.moveaxis(X, -1, 0))  # (n_dims, n_frames, n_joints)
    n_frames, stats = len(X), []
    for order in (1, 2, 3):
        weights = difference_weights(order, 2)
        width = len(weights)
        inner = sum(w * planes[:, s : n_frames - width + 1 + s] for s, w in enumerate(weights) if w != 0.0)
        inside = segment[: n_frames - width + 1] == segment[width - 1 :]  # the stencil within one clip
        mean, std, _, high = segment_stats(_norm(inner[:, inside]), segment[: n_frames - width + 1][inside],
                                           n_clips)
        stats += [mean, std, high]
    inside = segment[:-1] == segment[1:]
    steps = np.diff(planes, axis=1)[:, inside]
    path = np.zeros((n_clips, X.shape[1]))
    np.add.at(path, segment[:-1][inside], _norm(steps))
    path[np.bincount(segment[:-1][inside], minlength=n_clips) == 0] = np.nan  # one frame: no path
    _, _, low, high = segment_stats(X, segment, n_clips)
    return np.concatenate([np.stack(stats + [path], axis=-1), high - low], axis=-1).reshape(n_clips, -1)


def distance_features(X, segment, n_clips, pairs):
    """``JointDistances(summary="stats")`` of concatenated clips: mean, std, min, max of each pair's distance."""
    # Each pair's difference as one matrix product per coordinate (entries +1, -1 and 0: exact).
    signs = np.zeros((X.shape[1], len(pairs)))
    signs[pairs[:, 0], np.arange(len(pairs))] = 1.0
    signs[pairs[:, 1], np.arange(len(pairs))] = -1.0
    distances = _norm([X[..., k] @ signs for k in range(X.shape[-1])])
    return np.stack(segment_stats(distances, segment, n_clips), axis=-1).reshape(n_clips, -1)


class NoveltyMeter:
    """Novelty of new sequences against a set of real clips (see the module's docstring).

    Parameters
    ----------
    real : list of ndarray of shape (n_frames_i, n_joints, n_dims)
        The real clips, complete (no NaN), at least 3 frames each; at least 2.
    parents : ndarray of shape (n_joints,)

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.RandomState(0)
    >>> clips = [rng.normal(size=(20, 3, 3)).cumsum(axis=0) for _ in range(6)]
    >>> meter = NoveltyMeter(clips, np.array([-1, 0, 1]))
    >>> bool(meter.novelty(clips[0]) == 0), bool(meter.novelty(clips[0] + rng.normal(size=(20, 3, 3))) > 0)
    (True, True)
    """

    def __init__(self, real, parents):
        self._pairs = anchor_pairs(end_effectors(parents).tolist(), len(parents))
        F = self.features(real)
        self._varying = F.std(axis=0) > 1e-6 * np.maximum(np.abs(F).max(axis=0), 1.0)
        self._mean = F[:, self._varying].mean(axis=0)
        self._scale = F[:, self._varying].std(axis=0)
        self._real = self._standardise(F)
        between = np.linalg.norm(self._real[:, None] - self._real[None], axis=-1)
        np.fill_diagonal(between, np.inf)
        self.median_nearest_ = float(np.median(between.min(axis=1)))

    def features(self, clips):
        """Kinematic and end-effector distance features of each clip (NaN, e.g. no jerk, as 0)."""
        X, segment = concatenate_clips(clips)
        n_clips = len(clips)
        return np.nan_to_num(np.hstack([kinematic_features(X, segment, n_clips),
                                        distance_features(X, segment, n_clips, self._pairs)]))

    def _standardise(self, F):
        return (F[:, self._varying] - self._mean) / self._scale

    def novelties(self, clips):
        """Distance of each clip to its nearest real clip, in units of the median real-to-real nearest distance."""
        points = self._standardise(self.features(clips))
        nearest = np.linalg.norm(points[:, None] - self._real[None], axis=-1).min(axis=1)
        return nearest / max(self.median_nearest_, 1e-12)

    def novelty(self, clip):
        """:meth:`novelties` of one clip."""
        return float(self.novelties([clip])[0])
