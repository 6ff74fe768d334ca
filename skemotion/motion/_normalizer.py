"""SkeletonNormalizer: centre, scale, face forward and resample skeleton sequences."""

from numbers import Integral

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from ..skeleton import COMMON_LAYOUT, SkeletonLayout, convert_layout, get_layout, yaw_rotation
from ..utils._tags import SkeletonMixin
from ..utils.validation import check_layout_matches, validate_skeletons
from ._temporal import fill_gaps, nan_warnings_ignored, resample


def root_positions(X, layout):
    """Pelvis-centre trajectory ``(n, T, D)``: the layout's common-map root, else its tree root, else joint 0."""
    if layout is None:
        return X[:, :, 0]
    if layout.common_map is not None:
        return X[:, :, [layout.index(j) for j in layout.common_map["root"]]].mean(axis=2)
    return X[:, :, layout.parents.index(-1)]


def hip_vector(X, layout):
    """Left-minus-right hip vector ``(n, T, D)`` from the layout's common map."""
    if layout is None or layout.common_map is None:
        raise ValueError("Yaw alignment needs a layout whose hips are known (a layout with a common_map).")
    left, right = (X[:, :, [layout.index(j) for j in layout.common_map[side]]].mean(axis=2)
                   for side in ("left_hip", "right_hip"))
    return left - right


def body_size(X, layout):
    """Median over frames of the summed bone lengths of each sequence, ignoring missing frames."""
    bones = layout.bones
    lengths = np.linalg.norm(X[:, :, bones[:, 1]] - X[:, :, bones[:, 0]], axis=-1)
    with nan_warnings_ignored():
        total = np.where(np.isnan(lengths).any(axis=2), np.nan, lengths.sum(axis=2))
        return np.nanmedian(total, axis=1)


class SkeletonNormalizer(SkeletonMixin, TransformerMixin, BaseEstimator):
    """Centre, scale, face forward and resample skeleton sequences.

    The steps, in order: map the joints onto the common body layout (if ``to_common``); fill short gaps of missing joints by linear interpolation in time; centre on the
    root (pelvis centre); rotate about the vertical (y) axis so that the body faces +z; divide by the
    body size; resample every sequence to ``n_frames`` frames. Each step acts on one sequence at a time,
    so the transformer learns nothing from the training set and cannot leak across folds.

    Parameters
    ----------
    layout : str, SkeletonLayout or None, default="body16"
        Joint layout of the input. ``None`` treats joint 0 as the root and allows no scaling or yaw
        alignment.
    to_common : bool, default=False
        Map the joints onto the common 16-joint body layout (``"body16"``) first, so that skeletons from
        video (MediaPipe-33, COCO-17) and from motion capture share one feature space.
    centering : {"root", "trajectory"} or None, default="root"
        ``"root"`` subtracts the root position in every frame (posture only); ``"trajectory"`` subtracts
        the root position of the first observed frame, keeping the walking path and speed; ``None`` keeps
        world coordinates.
    scale : bool, default=True
        Divide by the body size: the median over frames of the summed bone lengths.
    align_yaw : bool, default=False
        Rotate about the vertical y axis so that the mean left-minus-right hip vector points along +x,
        so that the body faces +z (y up, right-handed).
    n_frames : int or None, default=None
        Resample every sequence linearly to this many frames; ``None`` keeps the lengths and pads the
        output with NaN.
    max_gap : int, default=5
        Longest run of missing frames filled by interpolation; longer gaps stay NaN.

    Attributes
    ----------
    n_joints_in_, n_dims_in_ : int
        Joints and coordinates per joint seen in ``fit`` (before any mapping onto the common layout).

    Examples
    --------
    >>> from skemotion.datasets import make_emotional_gait
    >>> from skemotion.motion import SkeletonNormalizer
    >>> gait = make_emotional_gait(8, random_state=0)
    >>> X = SkeletonNormalizer(n_frames=50, align_yaw=True).fit_transform(gait.data)
    >>> X.shape
    (8, 50, 16, 3)
    """

    _parameter_constraints = {
        "layout": [str, SkeletonLayout, None],
        "to_common": ["boolean"],
        "centering": [StrOptions({"root", "trajectory"}), None],
        "scale": ["boolean"],
        "align_yaw": ["boolean"],
        "n_frames": [Interval(Integral, 2, None, closed="left"), None],
        "max_gap": [Interval(Integral, 0, None, closed="left")],
    }

    def __init__(self, layout="body16", to_common=False, centering="root", scale=True, align_yaw=False, n_frames=None, max_gap=5):
        self.layout = layout
        self.to_common = to_common
        self.centering = centering
        self.scale = scale
        self.align_yaw = align_yaw
        self.n_frames = n_frames
        self.max_gap = max_gap

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Check the input and the layout.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_frames, n_joints, n_dims) or list of arrays
            Skeleton sequences, NaN where a joint is missing.
        y : ignored

        Returns
        -------
        self : SkeletonNormalizer
        """
        X, _ = validate_skeletons(self, X, reset=True, n_dims=3 if self.align_yaw else None)
        self._check_layout(X)
        return self

    def transform(self, X):
        """Normalise each sequence.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_frames, n_joints, n_dims) or list of arrays

        Returns
        -------
        X_new : ndarray of shape (n_samples, n_frames_out, n_joints, n_dims)
        """
        check_is_fitted(self)
        X, lengths = validate_skeletons(self, X, reset=False)
        layout = self._check_layout(X)
        if self.to_common:
            X, layout = convert_layout(X, layout), get_layout(COMMON_LAYOUT)
        X = fill_gaps(X, self.max_gap)
        if self.centering is not None:
            X = X - self._origin(X, layout)
        if self.align_yaw:
            X = _rotate_yaw(X, hip_vector(X, layout))
        if self.scale:
            X = X / self._body_size(X, layout)[:, np.newaxis, np.newaxis, np.newaxis]
        if self.n_frames is not None:
            X = resample(X, lengths, self.n_frames)
        return X

    def _check_layout(self, X):
        layout = None if self.layout is None else get_layout(self.layout)
        check_layout_matches(layout, X.shape[2])
        if layout is None and (self.scale or self.align_yaw or self.to_common):
            raise ValueError("scale, align_yaw and to_common need a skeleton layout; got layout=None.")
        return layout

    def _origin(self, X, layout):
        root = root_positions(X, layout)
        if self.centering == "root":
            return root[:, :, np.newaxis]
        observed = ~np.isnan(root).any(axis=2)
        missing = np.flatnonzero(~observed.any(axis=1))
        if missing.size:
            raise ValueError(f"Cannot centre sample {missing[0]}: its root joint is never observed.")
        first = np.argmax(observed, axis=1)
        return root[np.arange(len(X)), first][:, np.newaxis, np.newaxis]

    @staticmethod
    def _body_size(X, layout):
        size = body_size(X, layout)
        bad = np.flatnonzero(~(size > 0))
        if bad.size:
            raise ValueError(
                f"Cannot scale sample {bad[0]}: no frame has all bones of layout {layout.name!r} observed "
                "(or they have zero length). Use scale=False or fill the missing joints."
            )
        return size


def _rotate_yaw(X, hips):
    """Rotate each sequence about y so that its mean horizontal hip vector points along +x."""
    with nan_warnings_ignored():
        mean_hips = np.nanmean(hips, axis=1)
    norm = np.hypot(mean_hips[:, 0], mean_hips[:, 2])
    bad = np.flatnonzero(~(norm > 0))
    if bad.size:
        raise ValueError(f"Cannot align the facing direction of sample {bad[0]}: its hips are never observed.")
    angles = np.degrees(np.arctan2(mean_hips[:, 2], mean_hips[:, 0]))
    return np.einsum("nij,ntkj->ntki", yaw_rotation(angles), X)
