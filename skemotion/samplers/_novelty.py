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
"""

import numpy as np

from ..motion import JointDistances, KinematicFeatures


def end_effectors(parents):
    """Joints that are no joint's parent (for a star skeleton, every joint but the root).

    Examples
    --------
    >>> end_effectors([-1, 0, 1, 0]).tolist()
    [2, 3]
    """
    parents = np.asarray(parents)
    return np.setdiff1d(np.arange(len(parents)), parents[parents >= 0])


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
        anchors = end_effectors(parents).tolist()
        self._kinematic = KinematicFeatures(frame_rate=1.0, layout=None).fit(real[:1])
        self._distances = JointDistances(anchors=anchors, layout=None, summary="stats").fit(real[:1])
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
        clips = [np.asarray(c, dtype=np.float64) for c in clips]
        return np.nan_to_num(np.hstack([self._kinematic.transform(clips), self._distances.transform(clips)]))

    def _standardise(self, F):
        return (F[:, self._varying] - self._mean) / self._scale

    def novelty(self, clip):
        """Distance of ``clip`` to its nearest real clip, in units of the median real-to-real nearest distance."""
        point = self._standardise(self.features([clip]))[0]
        nearest = np.linalg.norm(self._real - point, axis=1).min()
        return float(nearest / max(self.median_nearest_, 1e-12))
