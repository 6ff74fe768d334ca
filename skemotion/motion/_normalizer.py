"""SkeletonNormalizer: centre, scale, face forward and resample skeleton sequences."""

from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from ..skeleton import (
    COMMON_LAYOUT,
    axis_name,
    check_frame_rate,
    convert_layout,
    get_layout,
    joint_names,
    skeleton_metadata,
    with_metadata,
    yaw_rotation,
)
from ..skeleton._kinematics import vector_norm
from ..skeleton._temporal import fill_gaps, nan_warnings_ignored, rate_resampled_lengths, resample, resample_to_rate
from ..utils._parallel import sample_blocks
from ..utils._tags import SkeletonMixin
from ..utils.validation import check_skeleton_layout, validate_skeletons
from ._features import LAYOUT_CONSTRAINT


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
    lengths = vector_norm(X[:, :, bones[:, 1]] - X[:, :, bones[:, 0]])  # no overflow near 1e160
    with nan_warnings_ignored():
        total = np.where(np.isnan(lengths).any(axis=2), np.nan, lengths.sum(axis=2))
        return np.nanmedian(total, axis=1)


class SkeletonNormalizer(SkeletonMixin, TransformerMixin, BaseEstimator, auto_wrap_output_keys=None):
    """Centre, scale, face forward and resample skeleton sequences.

    The steps, in order: map the joints onto the common body layout (if ``to_common``); fill short gaps of
    missing joints by linear interpolation in time; centre on the root (pelvis centre); rotate about the
    vertical (y) axis so that the body faces +z; divide by the body size; resample every sequence in time
    (to ``n_frames`` frames, or to ``frame_rate`` frames per second). Each step acts on one sequence at a
    time, so the transformer learns nothing from the training set and cannot leak across folds.

    The output is a :class:`~skemotion.skeleton.SkeletonArray` that carries its layout (the common layout
    after ``to_common``), each sequence's frame rate (changed by resampling: ``n_frames`` gives every
    sequence its own rate, ``frame_rate`` one rate for all) and its units (``"body"`` after scaling), so
    the next step of a pipeline needs none of them restated.

    Parameters
    ----------
    layout : "auto", str, SkeletonLayout or None, default="auto"
        Joint layout of the input. ``"auto"`` takes the layout the data carries (the loaders' and
        PoseExtractor's output do), else the one its joint count implies (16: ``"body16"``, 17: ``"coco17"``,
        33: ``"mediapipe33"``), else an error that lists the choices
        (:func:`skemotion.skeleton.resolve_layout`). ``None`` treats joint 0 as the root and allows no
        scaling, yaw alignment or mapping.
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
    frame_rate : float or None, default=None
        Resample every sequence linearly in time to this many frames per second, from the rate the data
        carries (the way to bring clips recorded at 30 and 120 fps to one rate). Exclusive with ``n_frames``.
    max_gap : int, default=5
        Longest run of missing frames filled by interpolation; longer gaps stay NaN.

    Attributes
    ----------
    n_joints_in_, n_dims_in_ : int
        Joints and coordinates per joint seen in ``fit`` (before any mapping onto the common layout).
    layout_ : SkeletonLayout or None
        The input's layout, resolved in ``fit``.

    Examples
    --------
    >>> from skemotion.datasets import make_emotional_gait
    >>> from skemotion.motion import SkeletonNormalizer
    >>> gait = make_emotional_gait(8, random_state=0)
    >>> X = SkeletonNormalizer(n_frames=50, align_yaw=True).fit_transform(gait.data)
    >>> X.shape, X.layout.name, X.units
    ((8, 50, 16, 3), 'body16', 'body')
    """

    _parameter_constraints = {
        "layout": LAYOUT_CONSTRAINT,
        "to_common": ["boolean"],
        "centering": [StrOptions({"root", "trajectory"}), None],
        "scale": ["boolean"],
        "align_yaw": ["boolean"],
        "n_frames": [Interval(Integral, 2, None, closed="left"), None],
        "frame_rate": [Interval(Real, 0, None, closed="neither"), None],
        "max_gap": [Interval(Integral, 0, None, closed="left")],
    }

    def __init__(self, layout="auto", to_common=False, centering="root", scale=True, align_yaw=False,
                 n_frames=None, frame_rate=None, max_gap=5):
        self.layout = layout
        self.to_common = to_common
        self.centering = centering
        self.scale = scale
        self.align_yaw = align_yaw
        self.n_frames = n_frames
        self.frame_rate = frame_rate
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
        X_checked, _ = validate_skeletons(self, X, reset=True, n_dims=3 if self.align_yaw else None)
        needs_layout = self.scale or self.align_yaw or self.to_common
        layout = check_skeleton_layout(self, X, X_checked.shape[2], reset=True, required=needs_layout)
        if layout is None and needs_layout:
            raise ValueError("scale, align_yaw and to_common need a skeleton layout; got layout=None.")
        if self.n_frames is not None and self.frame_rate is not None:
            raise ValueError("Pass n_frames (frames per sequence) or frame_rate (frames per second), not both.")
        if self.align_yaw and skeleton_metadata(X).y_up is False:
            raise ValueError(
                "align_yaw rotates about the vertical y axis, but X is in image coordinates (y down): extract "
                "the poses with PoseExtractor(y_up=True) (the default)."
            )
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
        metadata = skeleton_metadata(X)
        layout = check_skeleton_layout(self, X, None, reset=False)
        X_checked, lengths = validate_skeletons(self, X, reset=False)
        rates = metadata.frame_rates
        if self.frame_rate is not None:  # the target rate: resampling needs each sequence's own
            rates = check_frame_rate(None, metadata, len(X_checked), type(self).__name__)
        out_layout = get_layout(COMMON_LAYOUT) if self.to_common else layout
        # Blocks of samples bound the temporaries (gap filling, rotation, scaling) by sklearn's working_memory:
        # the peak stays near the padded input plus the output (benchmarks/bench_memory.py).
        n_joints = out_layout.n_joints if self.to_common else X_checked.shape[2]
        out = _output_array(self, X_checked, lengths, rates, n_joints)
        for rows in sample_blocks(X_checked):
            block_rates = None if rates is None else rates[rows]
            block = self._normalize(X_checked[rows], lengths[rows], block_rates, layout, rows.start)
            out[rows, : block.shape[1]] = block
        return with_metadata(out, layout=out_layout, frame_rate=self._output_rates(lengths, rates),
                             y_up=metadata.y_up, units="body" if self.scale else metadata.units)

    def _normalize(self, X, lengths, rates, layout, first):
        """Every step on a block of samples; ``first`` is the block's first sample (for the messages)."""
        if self.to_common:
            X, layout = convert_layout(X, layout), get_layout(COMMON_LAYOUT)
        X = fill_gaps(X, self.max_gap)
        if self.centering is not None:
            X -= self._origin(X, layout, first)
        if self.align_yaw:
            X = _rotate_yaw(X, hip_vector(X, layout), first)
        if self.scale:
            X /= self._body_size(X, layout, first)[:, np.newaxis, np.newaxis, np.newaxis]
        return self._resample(X, lengths, rates)

    def get_feature_names_out(self, input_features=None):
        """Names of the output's channels, ``{joint}_{axis}`` (joints of the output layout), for pipelines.

        Returns
        -------
        ndarray of str
        """
        check_is_fitted(self)
        layout = get_layout(COMMON_LAYOUT) if self.to_common else self.layout_
        joints = joint_names(layout, self.n_joints_in_ if layout is None else layout.n_joints)
        return np.array([f"{j}_{axis_name(d)}" for j in joints for d in range(self.n_dims_in_)], dtype=object)

    def set_output(self, *, transform=None):
        """Accept a pipeline's output configuration; the output stays a skeleton array.

        pandas and polars containers are 2-D: ``pipeline.set_output(transform="pandas")`` reaches the
        feature transformers after this step, while skeleton arrays go through unchanged.

        Parameters
        ----------
        transform : {"default", "pandas", "polars"} or None

        Returns
        -------
        self : SkeletonNormalizer
        """
        return self

    def _resample(self, X, lengths, rates):
        """Resample in time, to ``n_frames`` frames or to ``frame_rate`` frames per second."""
        if self.n_frames is not None:
            return resample(X, lengths, self.n_frames)
        if self.frame_rate is not None:
            return resample_to_rate(X, lengths, rates, self.frame_rate)
        return X

    def _output_rates(self, lengths, rates):
        """The rate of each output sequence, which follows from its new number of frames."""
        if self.frame_rate is not None:
            return np.full(len(lengths), float(self.frame_rate))
        if self.n_frames is not None and rates is not None:
            # The first and last frames stay in place: n_frames - 1 intervals span the original duration.
            return rates * (self.n_frames - 1) / np.maximum(lengths - 1, 1)
        return rates

    def _origin(self, X, layout, first=0):
        root = root_positions(X, layout)
        if self.centering == "root":
            return root[:, :, np.newaxis]
        observed = ~np.isnan(root).any(axis=2)
        missing = np.flatnonzero(~observed.any(axis=1))
        if missing.size:
            raise ValueError(f"Cannot centre sample {first + missing[0]}: its root joint is never observed.")
        first = np.argmax(observed, axis=1)
        return root[np.arange(len(X)), first][:, np.newaxis, np.newaxis]

    @staticmethod
    def _body_size(X, layout, first=0):
        size = body_size(X, layout)
        bad = np.flatnonzero(~(size > 0))
        if bad.size:
            raise ValueError(
                f"Cannot scale sample {first + bad[0]}: no frame has all bones of layout {layout.name!r} observed "
                "(or they have zero length). Use scale=False or fill the missing joints."
            )
        return size


def _output_array(normalizer, X, lengths, rates, n_joints):
    """The NaN-filled output, shaped by the resampling that the normalizer does."""
    if normalizer.n_frames is not None:
        n_frames = normalizer.n_frames
    elif normalizer.frame_rate is not None:
        n_frames = int(rate_resampled_lengths(lengths, rates, normalizer.frame_rate).max())
    else:
        n_frames = X.shape[1]
    return np.full((len(X), n_frames, n_joints, X.shape[3]), np.nan)


def _rotate_yaw(X, hips, first=0):
    """Rotate each sequence about y so that its mean horizontal hip vector points along +x."""
    with nan_warnings_ignored():
        mean_hips = np.nanmean(hips, axis=1)
    norm = np.hypot(mean_hips[:, 0], mean_hips[:, 2])
    bad = np.flatnonzero(~(norm > 0))
    if bad.size:
        raise ValueError(f"Cannot align the facing direction of sample {first + bad[0]}: its hips are never "
                         "observed.")
    angles = np.degrees(np.arctan2(mean_hips[:, 2], mean_hips[:, 0]))
    return np.einsum("nij,ntkj->ntki", yaw_rotation(angles), X)
