"""VelocityGradientSignature: each joint's distribution of instantaneous speed, velocity or acceleration."""

import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.utils._available_if import available_if
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from ..skeleton import SkeletonLayout, axis_name, difference_weights, finite_difference, joint_names
from ..skeleton._kinematics import vector_norm
from ..utils._tags import SkeletonMixin
from ..utils.validation import check_skeleton_layout, frame_rates, validate_skeletons
from ._wasserstein import random_directions


def quantiles_at_midpoints(sorted_values, counts, n_quantiles):
    """The empirical quantile function at the levels ``(i + 0.5) / n_quantiles``, exactly.

    ``sorted_values`` holds each row's samples in increasing order (NaN after them), ``counts`` their
    number. The quantile function of ``n`` samples at level ``t`` is the sample of rank ``ceil(t * n)``
    (numpy's ``method="inverted_cdf"``); the rank is computed in integers, so no level is rounded to the
    wrong sample.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([[1.0, 2.0, 3.0, 4.0, np.nan]])
    >>> quantiles_at_midpoints(x, np.array([4]), 2)
    array([[1., 3.]])
    >>> np.quantile(x[0, :4], [0.25, 0.75], method="inverted_cdf")
    array([1., 3.])
    """
    levels = 2 * np.arange(n_quantiles) + 1  # (2i + 1) / (2k)
    counts = np.asarray(counts)[..., np.newaxis]
    rank = (levels * counts + 2 * n_quantiles - 1) // (2 * n_quantiles)  # ceil(level * n)
    return np.take_along_axis(sorted_values, rank - 1, axis=-1)


class VelocityGradientSignature(SkeletonMixin, TransformerMixin, BaseEstimator):
    """Each joint's distribution of instantaneous speed, velocity or acceleration, as a quantile function.

    The "emotional motor signature" of a motion: the time derivative of every joint position (central
    finite differences of the chosen accuracy, in units per second) gives, per joint, a sample of speeds
    or velocities over the frames; the signature keeps the whole empirical distribution of that sample
    rather than a few statistics. Each distribution is one *view*; compare views with
    :func:`pairwise_wasserstein` or embed them with :class:`WassersteinMDS`.

    Frames where a derivative is undefined (sequence edges, missing joints, NaN padding) are left out of
    the distribution, never filled with zeros; a view with no defined derivative at all is NaN (with a
    warning), which :class:`WassersteinMDS` rejects. Each sample is described on its own, so nothing is learned
    from the training set except, with ``n_projections``, the random directions.

    Representation ("exact"):

    * ``n_quantiles=None`` keeps the sorted samples themselves (NaN-padded to the longest in the batch),
      so W_p between two outputs is W_p between the raw velocity samples.
    * ``n_quantiles=k`` keeps the empirical quantile function at the ``k`` mid-point levels
      ``(i + 0.5) / k`` (``numpy.quantile(..., method="inverted_cdf")``). The ``k`` values, equally
      weighted, are a distribution in their own right, and W_p between two such vectors is computed
      exactly: it is the W_p between the quantised distributions. It equals W_p of the raw samples when
      ``k`` is a multiple of both sample sizes, and is within ``range(u) k**(-1/p) + range(v) k**(-1/p)``
      of it in general (each quantised distribution is within ``range * k**(-1/p)`` of its sample). Equal
      ``k`` for every view makes :func:`pairwise_wasserstein` take its fast path, and makes the
      Euclidean distance between flattened outputs equal to ``sqrt(k)`` times the W_2 distance.

    Parameters
    ----------
    kind : {"speed", "velocity", "acceleration"}, default="speed"
        ``"speed"``: the norm of each joint's velocity (one view per joint); ``"velocity"``: each
        coordinate of the velocity, signed (one view per joint and axis, or per joint and direction
        with ``n_projections``); ``"acceleration"``: the norm of the second derivative (one view per joint).
    frame_rate : float or None, default=None
        Frames per second of the input. ``None`` reads each sequence's rate from the data (see
        :func:`skemotion.skeleton.with_metadata`); data without one is an error, never a guess.
    n_quantiles : int or None, default=64
        Quantile levels per view, or ``None`` to keep every sample (see above).
    accuracy : int, default=2
        Order of accuracy of the finite differences: an even order for central differences
        (2: ``(x[t+1] - x[t-1]) / 2h``, 4 uses five frames, ...), or 1 for forward differences on
        consecutive frames (``(x[t+1] - x[t]) / h``). Frames that the stencil overhangs at the ends of a
        sequence get no derivative.
    n_projections : int or None, default=None
        With ``kind="velocity"``, project each joint's velocity vectors on this many random directions
        (shared by all samples, drawn in ``fit``) instead of the axes. W_p averaged over these views in
        the p-th power is the sliced Wasserstein distance between the joints' 3-D velocity
        distributions (``WassersteinMDS(views="power_mean")``).
    flatten : bool, default=False
        Return ``(n_samples, n_views * n_quantiles)`` (needs ``n_quantiles``) with feature names, for
        estimators that want a 2-D matrix.
    layout : "auto", str, SkeletonLayout or None, default="auto"
        Only used to name the views (``"left_hand_speed"``): ``"auto"`` takes the data's layout, else the
        one its joint count implies, else names joints ``joint0``...; ``None`` always names them so.
    random_state : int, RandomState instance or None, default=None
        Draws the projection directions.

    Attributes
    ----------
    n_joints_in_, n_dims_in_ : int
        Joints and coordinates per joint seen in ``fit``.
    projections_ : ndarray of shape (n_projections, n_dims) or None
        Unit directions of the projections.
    view_names_ : ndarray of str
        Name of each view, in output order.

    See Also
    --------
    WassersteinMDS : Embeds signatures by their Wasserstein distances.
    pairwise_wasserstein : Exact W_p between distributions.

    Examples
    --------
    >>> from skemotion.datasets import make_emotional_gait
    >>> from skemotion.signatures import VelocityGradientSignature
    >>> gait = make_emotional_gait(6, random_state=0)
    >>> signature = VelocityGradientSignature(n_quantiles=32)   # rate and layout come with the data
    >>> S = signature.fit_transform(gait.data)
    >>> S.shape                               # (n_samples, n_joints, n_quantiles)
    (6, 16, 32)
    >>> signature.view_names_[:2].tolist()
    ['root_speed', 'spine_speed']
    """

    _parameter_constraints = {
        "kind": [StrOptions({"speed", "velocity", "acceleration"})],
        "frame_rate": [Interval(Real, 0, None, closed="neither"), None],
        "n_quantiles": [Interval(Integral, 1, None, closed="left"), None],
        "accuracy": [Interval(Integral, 1, None, closed="left")],
        "n_projections": [Interval(Integral, 1, None, closed="left"), None],
        "flatten": ["boolean"],
        "layout": [str, SkeletonLayout, None],  # "auto", a registered name, a layout or None
        "random_state": ["random_state"],
    }

    def __init__(self, kind="speed", frame_rate=None, n_quantiles=64, accuracy=2, n_projections=None,
                 flatten=False, layout="auto", random_state=None):
        self.kind = kind
        self.frame_rate = frame_rate
        self.n_quantiles = n_quantiles
        self.accuracy = accuracy
        self.n_projections = n_projections
        self.flatten = flatten
        self.layout = layout
        self.random_state = random_state

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Check the input and draw the projection directions.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_frames, n_joints, n_dims) or list of arrays
            Skeleton sequences, NaN where a joint is missing.
        y : ignored

        Returns
        -------
        self : VelocityGradientSignature
        """
        self._check_params()
        X_checked, _ = validate_skeletons(self, X, reset=True, min_frames=self._stencil_size())
        n_joints, n_dims = X_checked.shape[2:]
        joints = joint_names(check_skeleton_layout(self, X, n_joints, reset=True), n_joints)
        frame_rates(self, X, len(X_checked))
        self.projections_ = None
        if self.n_projections is not None:
            self.projections_ = random_directions(self.n_projections, n_dims, self.random_state)
            per_joint = [f"proj{k}" for k in range(self.n_projections)]
        elif self.kind == "velocity":
            per_joint = [f"v{axis_name(d)}" for d in range(n_dims)]
        else:
            per_joint = [self.kind]
        self.view_names_ = np.array([f"{j}_{q}" for j in joints for q in per_joint], dtype=object)
        return self

    def _check_params(self):
        difference_weights(1, self.accuracy)  # raises on an odd accuracy above 1
        if self.n_projections is not None and self.kind != "velocity":
            raise ValueError(f"n_projections needs kind='velocity' (signed vectors), got kind={self.kind!r}.")
        if self.flatten and self.n_quantiles is None:
            raise ValueError("flatten=True needs n_quantiles: samples of different sizes have no common columns.")

    def _derivative_order(self):
        return 2 if self.kind == "acceleration" else 1

    def _stencil_size(self):
        return len(difference_weights(self._derivative_order(), self.accuracy))

    def transform(self, X):
        """Compute each view's distribution.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_frames, n_joints, n_dims) or list of arrays

        Returns
        -------
        signatures : ndarray of shape (n_samples, n_views, n_quantiles)
            Quantiles (or sorted samples, NaN-padded, when ``n_quantiles=None``) per view; flattened to
            ``(n_samples, n_views * n_quantiles)`` when ``flatten=True``.
        """
        check_is_fitted(self)
        check_skeleton_layout(self, X, None, reset=False)
        X_checked, _ = validate_skeletons(self, X, reset=False, min_frames=self._stencil_size())
        X, rates = X_checked, frame_rates(self, X, len(X_checked))
        derivative = finite_difference(X, rates, self._derivative_order(), self.accuracy)
        if self.kind != "velocity":
            per_view = vector_norm(derivative)  # (n, T, J)
        elif self.projections_ is not None:
            per_view = (derivative @ self.projections_.T).reshape(len(X), X.shape[1], -1)
        else:
            per_view = derivative.reshape(len(X), X.shape[1], -1)
        values = np.sort(per_view.transpose(0, 2, 1), axis=-1)  # NaN last
        counts = np.count_nonzero(~np.isnan(values), axis=-1)
        self._warn_unobserved(counts)
        if self.n_quantiles is None:
            return values[..., : max(counts.max(), 1)]
        signatures = quantiles_at_midpoints(values, np.maximum(counts, 1), self.n_quantiles)
        return signatures.reshape(len(X), -1) if self.flatten else signatures

    def _warn_unobserved(self, counts):
        sample, view = np.nonzero(counts == 0)
        if sample.size:
            warnings.warn(
                f"Sample {sample[0]} has no frame where view {self.view_names_[view[0]]!r} has a derivative (it "
                f"needs {self._stencil_size()} consecutive observed frames); {sample.size} such view(s) in total "
                "are all NaN. Fill short gaps (SkeletonNormalizer(max_gap=...)) or drop the joint.",
                RuntimeWarning,
                stacklevel=3,
            )

    @available_if(lambda self: self.flatten)
    def get_feature_names_out(self, input_features=None):
        """Feature names ``{view}_q{i}`` of the flattened output (only with ``flatten=True``)."""
        check_is_fitted(self)
        return np.array([f"{v}_q{i}" for v in self.view_names_ for i in range(self.n_quantiles)], dtype=object)
