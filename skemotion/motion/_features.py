"""Feature transformers from skeleton sequences to 2-D feature matrices."""

import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from ..skeleton import SkeletonLayout, axis_name, difference_weights, finite_difference, joint_names
from ..skeleton._kinematics import scaled_nanstd, vector_norm
from ..skeleton._temporal import nan_warnings_ignored
from ..utils._parallel import sample_blocks
from ..utils._tags import SkeletonMixin
from ..utils.validation import check_skeleton_layout, frame_rates, validate_skeletons

LAYOUT_CONSTRAINT = [str, SkeletonLayout, None]  # "auto", a registered name, a layout or None

def _warn_unobserved(features, names, estimator):
    missing = np.isnan(features).all(axis=0)
    if missing.any():
        warnings.warn(
            f"{type(estimator).__name__}: {int(missing.sum())} feature(s), e.g. {names[np.argmax(missing)]!r}, "
            "are NaN in every sample (a joint never observed, or sequences too short for the derivative's "
            "stencil); impute them or drop the joint.",
            RuntimeWarning,
            stacklevel=3,
        )


class KinematicFeatures(SkeletonMixin, TransformerMixin, BaseEstimator):
    """Per-joint speed, acceleration and jerk statistics, path length and range of motion.

    Derivatives are taken of joint *positions* (not joint angles) by finite differences
    (:func:`~skemotion.skeleton.finite_difference`) with the true frame rate, so features are in units
    per second, per second squared and per second cubed. Only frames whose whole stencil is observed get a
    derivative (with the default second-order central differences: 3 frames for speed and acceleration, 5
    for jerk), so sequence ends and gaps add no one-sided artefacts. Each sample is described on its own:
    nothing is learned from the training set.

    For each joint the features are, in this order: mean, standard deviation and maximum of the speed,
    of the acceleration magnitude and of the jerk magnitude; the path length (sum of frame-to-frame
    displacements); and the range (max - min) along each axis. Missing (NaN) frames are left out of every
    statistic; a frame next to a missing one has no derivative (no gap is bridged).

    Parameters
    ----------
    frame_rate : float or None, default=None
        Frames per second of the input. ``None`` reads each sequence's rate from the data (loaders,
        :class:`~skemotion.pose.PoseExtractor` and :class:`SkeletonNormalizer` produce data that carries it;
        see :func:`skemotion.skeleton.with_metadata`); data without one is an error, never a guess. A number
        is used for data without a rate and must agree with the rate the data carries.
    accuracy : int, default=2
        Order of the finite differences: an even number for central differences with error
        ``O(h**accuracy)``, or 1 for forward differences (frame-to-frame displacement). Every sequence
        needs at least the speed stencil's frames; shorter-than-jerk-stencil sequences get NaN jerk.
    layout : "auto", str, SkeletonLayout or None, default="auto"
        Only used to name the features (``"left_hand_speed_mean"``). ``"auto"`` takes the layout the data
        carries, else the one its joint count implies (:func:`skemotion.skeleton.resolve_layout`), else
        names joints ``joint0``...; ``None`` always names them so.

    Attributes
    ----------
    n_joints_in_, n_dims_in_ : int
        Joints and coordinates per joint seen in ``fit``.
    layout_ : SkeletonLayout or None
        The layout that names the features.

    Examples
    --------
    >>> from skemotion.datasets import make_emotional_gait
    >>> from skemotion.motion import KinematicFeatures
    >>> gait = make_emotional_gait(8, random_state=0)      # sequences that carry layout and frame rate
    >>> features = KinematicFeatures().fit(gait.data)
    >>> features.transform(gait.data).shape
    (8, 208)
    >>> features.get_feature_names_out()[:2].tolist()
    ['root_speed_mean', 'root_speed_std']
    """

    _parameter_constraints = {
        "frame_rate": [Interval(Real, 0, None, closed="neither"), None],
        "accuracy": [Interval(Integral, 1, None, closed="left")],
        "layout": LAYOUT_CONSTRAINT,
    }

    def __init__(self, frame_rate=None, accuracy=2, layout="auto"):
        self.frame_rate = frame_rate
        self.accuracy = accuracy
        self.layout = layout

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Check the input.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_frames, n_joints, n_dims) or list of arrays
        y : ignored

        Returns
        -------
        self : KinematicFeatures
        """
        X_checked, _ = validate_skeletons(self, X, reset=True, min_frames=self._min_frames())
        check_skeleton_layout(self, X, X_checked.shape[2], reset=True)
        frame_rates(self, X, len(X_checked))
        return self

    def transform(self, X):
        """Compute the features.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_frames, n_joints, n_dims) or list of arrays

        Returns
        -------
        features : ndarray of shape (n_samples, n_joints * (10 + n_dims))
        """
        check_is_fitted(self)
        check_skeleton_layout(self, X, None, reset=False)
        X_checked, _ = validate_skeletons(self, X, reset=False, min_frames=self._min_frames())
        X, rates = X_checked, frame_rates(self, X, len(X_checked))
        features = np.concatenate([self._features(X[rows], rates[rows]) for rows in sample_blocks(X)])
        _warn_unobserved(features, self.get_feature_names_out(), self)
        return features

    def _features(self, X, rates):
        """The features of a block of samples (blocks bound the memory of the derivatives)."""
        stats = []
        with nan_warnings_ignored():
            for order in (1, 2, 3):
                magnitude = vector_norm(finite_difference(X, rates, order, self.accuracy))
                stats += [np.nanmean(magnitude, axis=1), scaled_nanstd(magnitude, 1), np.nanmax(magnitude, axis=1)]
            steps = vector_norm(np.diff(X, axis=1))
            path = np.where(np.isnan(steps).all(axis=1), np.nan, np.nansum(steps, axis=1))
            ranges = np.nanmax(X, axis=1) - np.nanmin(X, axis=1)
        return np.concatenate([np.stack(stats + [path], axis=-1), ranges], axis=-1).reshape(len(X), -1)

    def _min_frames(self):
        """Frames of the speed stencil (this also rejects an odd accuracy above 1)."""
        return len(difference_weights(1, self.accuracy))

    def get_feature_names_out(self, input_features=None):
        """Feature names ``{joint}_{quantity}_{statistic}``, ``{joint}_path_length``, ``{joint}_range_{axis}``."""
        check_is_fitted(self)
        per_joint = [f"{q}_{s}" for q in ("speed", "acceleration", "jerk") for s in ("mean", "std", "max")]
        per_joint += ["path_length"] + [f"range_{axis_name(d)}" for d in range(self.n_dims_in_)]
        joints = joint_names(self.layout_, self.n_joints_in_)
        return np.array([f"{j}_{f}" for j in joints for f in per_joint], dtype=object)


def anchor_pairs(anchors, n_joints):
    """Joint pairs of :class:`JointDistances` with these anchors: each unordered pair once,
    anchor first, in the order of the anchors and then of the other joint.

    Examples
    --------
    >>> anchor_pairs([1, 2], 3).tolist()
    [[1, 0], [1, 2], [2, 0]]
    """
    seen, pairs = set(), []
    for a in anchors:
        for b in range(n_joints):
            if b != a and frozenset((a, b)) not in seen:
                seen.add(frozenset((a, b)))
                pairs.append((a, b))
    return np.array(pairs, dtype=int).reshape(-1, 2)


class JointDistances(SkeletonMixin, TransformerMixin, BaseEstimator):
    """Euclidean distances between anchor joints and the other joints, per frame or summarised over time.

    Each unordered joint pair appears once (the research code this replaces listed every symmetric pair
    twice). With ``summary="frames"`` all sequences must have the same number of frames (resample them
    with :class:`SkeletonNormalizer` first).

    Parameters
    ----------
    anchors : list of str or int, or None, default=None
        Anchor joints (names need a layout); ``None`` uses every pair of joints.
    layout : "auto", str, SkeletonLayout or None, default="auto"
        Joint layout, for anchor names and feature names. ``"auto"`` takes the layout the data carries,
        else the one its joint count implies (:func:`skemotion.skeleton.resolve_layout`).
    summary : {"frames", "stats"}, default="stats"
        ``"frames"``: one feature per pair and frame; ``"stats"``: mean, standard deviation, minimum and
        maximum over the observed frames of each pair.

    Attributes
    ----------
    layout_ : SkeletonLayout or None
        The resolved layout.
    pairs_ : ndarray of shape (n_pairs, 2)
        Joint index pairs, anchor first.
    n_frames_ : int
        Frames per sequence seen in ``fit`` (used with ``summary="frames"``).

    Examples
    --------
    >>> from skemotion.datasets import make_emotional_gait
    >>> from skemotion.motion import JointDistances
    >>> gait = make_emotional_gait(8, random_state=0)
    >>> distances = JointDistances(anchors=["left_hand", "right_hand"]).fit(gait.data)
    >>> distances.pairs_.shape  # 15 + 14 unique pairs
    (29, 2)
    >>> distances.get_feature_names_out()[0]
    'd_left_hand_root_mean'
    """

    _parameter_constraints = {
        "anchors": [list, tuple, None],
        "layout": LAYOUT_CONSTRAINT,
        "summary": [StrOptions({"frames", "stats"})],
    }

    def __init__(self, anchors=None, layout="auto", summary="stats"):
        self.anchors = anchors
        self.layout = layout
        self.summary = summary

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Resolve the joint pairs.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_frames, n_joints, n_dims) or list of arrays
        y : ignored

        Returns
        -------
        self : JointDistances
        """
        X_checked, _ = validate_skeletons(self, X, reset=True, two_d_as="joints")
        named = self.anchors is not None and any(isinstance(a, str) for a in self.anchors)
        layout = check_skeleton_layout(self, X, X_checked.shape[2], reset=True, required=named)
        self.pairs_ = self._pairs(layout, X_checked.shape[2])
        self.n_frames_ = X_checked.shape[1]
        return self

    def _pairs(self, layout, n_joints):
        if self.anchors is None:
            pairs = [(a, b) for a in range(n_joints) for b in range(a + 1, n_joints)]
        else:
            if layout is None and any(isinstance(a, str) for a in self.anchors):
                raise ValueError("Anchor joints given by name need a layout; got layout=None.")
            anchors = [layout.index(a) if layout is not None else _index_in_range(a, n_joints)
                       for a in self.anchors]
            pairs = anchor_pairs(anchors, n_joints).tolist()
        if not pairs:
            raise ValueError(f"JointDistances needs at least 2 joints, got {n_joints}.")
        return np.array(pairs, dtype=int)

    def transform(self, X):
        """Compute the distances.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_frames, n_joints, n_dims) or list of arrays

        Returns
        -------
        distances : ndarray of shape (n_samples, n_pairs * n_frames) or (n_samples, n_pairs * 4)
        """
        check_is_fitted(self)
        check_skeleton_layout(self, X, None, reset=False)
        X, lengths = validate_skeletons(self, X, reset=False, two_d_as="joints")
        if self.summary == "frames" and (X.shape[1] != self.n_frames_ or (lengths != self.n_frames_).any()):
            raise ValueError(
                f"summary='frames' needs every sequence to have the {self.n_frames_} frames seen in fit; "
                "resample with SkeletonNormalizer(n_frames=...) first."
            )
        features = np.concatenate([self._distances(X[rows]) for rows in sample_blocks(X, len(self.pairs_))])
        _warn_unobserved(features, self.get_feature_names_out(), self)
        return features

    def _distances(self, X):
        """The features of a block of samples (blocks bound the memory of the per-frame distances)."""
        distances = vector_norm(X[:, :, self.pairs_[:, 0]] - X[:, :, self.pairs_[:, 1]])
        if self.summary == "frames":
            return distances.transpose(0, 2, 1).reshape(len(X), -1)
        with nan_warnings_ignored():
            stats = [np.nanmean(distances, 1), scaled_nanstd(distances, 1), np.nanmin(distances, 1),
                     np.nanmax(distances, 1)]
        return np.stack(stats, axis=-1).reshape(len(X), -1)

    def get_feature_names_out(self, input_features=None):
        """Feature names ``d_{anchor}_{joint}_{statistic}`` or ``d_{anchor}_{joint}_t{frame}``."""
        check_is_fitted(self)
        joints = joint_names(self.layout_, self.n_joints_in_)
        suffixes = ([f"t{t}" for t in range(self.n_frames_)] if self.summary == "frames"
                    else ["mean", "std", "min", "max"])
        return np.array([f"d_{joints[a]}_{joints[b]}_{s}" for a, b in self.pairs_ for s in suffixes], dtype=object)


def _index_in_range(joint, n_joints):
    if not 0 <= joint < n_joints:
        raise ValueError(f"Anchor joint {joint} out of range for {n_joints} joints.")
    return int(joint)
