"""AffectiveFeatures: the posture and movement features of gait-emotion papers (Randhavane et al. 2019)."""

import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import check_is_fitted

from ..skeleton import COMMON_LAYOUT, SkeletonLayout, convert_layout, get_layout
from ..skeleton._kinematics import vector_norm
from ..utils._tags import SkeletonMixin
from ..utils.validation import check_skeleton_layout, frame_rates, validate_skeletons

# Angles (vertex, first arm, second arm) of Randhavane et al. (2019, table 1) and Bhattacharya et al. (2020).
_ANGLES = {
    "neck_hands": ("neck", "left_hand", "right_hand"),
    "neck_shoulders": ("neck", "left_shoulder", "right_shoulder"),
    "right_shoulder_neck_left_shoulder": ("right_shoulder", "neck", "left_shoulder"),
    "left_shoulder_neck_right_shoulder": ("left_shoulder", "neck", "right_shoulder"),
    "neck_head_back": ("neck", "head", "root"),
}
_DISTANCES = {
    "right_hand_root": ("right_hand", "root"), "left_hand_root": ("left_hand", "root"),
    "right_foot_root": ("right_foot", "root"), "left_foot_root": ("left_foot", "root"),
    "feet": ("left_foot", "right_foot"),
}
_AREAS = {"hands_neck": ("left_hand", "neck", "right_hand"), "feet_root": ("left_foot", "root", "right_foot")}
_MOVING_JOINTS = ("right_hand", "left_hand", "head", "right_foot", "left_foot")
_DERIVATIVES = ("speed", "acceleration", "jerk")


def _angle(vertex, a, b):
    return _vector_angle(a - vertex, b - vertex)


def _vector_angle(u, v):
    # unit vectors first: the product of two lengths near 1e160 would overflow. atan2 of sine and cosine,
    # not arccos: arccos near 0 and pi has errors of 1e-8 rad (collinear shoulders read 6e-9, not 0).
    u, v = u / vector_norm(u)[..., None], v / vector_norm(v)[..., None]
    return np.arctan2(vector_norm(np.cross(u, v)), (u * v).sum(-1))


def _power_of_two(values):
    """The exponent ``e`` of a power of two near the largest |value| (0 for none): dividing by ``2**e`` is exact."""
    largest = np.nanmax(np.abs(values), initial=0.0)
    return int(np.floor(np.log2(largest))) if np.isfinite(largest) and largest > 0 else 0


def _rescaled(unit, exponent, out_of_range):
    """``unit * 2**exponent`` exactly (np.ldexp); a nonzero value beyond the float range (inf) or below its
    normal numbers (0 or digits lost) is NaN, and ``out_of_range`` is set so that the caller can say so."""
    with np.errstate(over="ignore", under="ignore"):
        value = np.ldexp(unit, exponent)
    lost = (unit != 0) & np.isfinite(unit) & ((np.abs(value) < np.finfo(float).tiny) | np.isinf(value))
    out_of_range |= lost
    return np.where(lost, np.nan, value)


def _triangle_area(a, b, c, out_of_range):
    # An area is a squared length: computed from vectors divided by a power of two, then scaled back.
    e = _power_of_two(np.stack([b - a, c - a]))
    unit = 0.5 * vector_norm(np.cross(np.ldexp(b - a, -e), np.ldexp(c - a, -e)))
    return _rescaled(unit, 2 * e, out_of_range)


def _volume(X, out_of_range):
    # A volume is a cubed length: the extents divided by a power of two first, as the areas.
    extent = np.nanmax(X, axis=2) - np.nanmin(X, axis=2)
    e = _power_of_two(extent)
    return _rescaled(np.prod(np.ldexp(extent, -e), axis=-1), X.shape[-1] * e, out_of_range)


def per_frame_features(X, up_axis=1, frame_rate=1.0):
    """The affective features of every frame of body16 skeletons, as a dict of ``(n_samples, n_frames)``.

    ``frame_rate`` is a float or one rate per sample.

    NaN joints and padding give NaN features in the frames they touch. Areas and volumes (squares and cubes
    of lengths) that fall outside the float range are NaN too, with a ``RuntimeWarning`` that names them.
    """
    with warnings.catch_warnings(), np.errstate(invalid="ignore", divide="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN frames (padding) have NaN features
        features, out_of_range = _per_frame_features(X, up_axis, frame_rate)
    if out_of_range:
        warnings.warn(f"AffectiveFeatures: {', '.join(out_of_range)} of these skeletons are outside the float "
                      f"range (coordinates of about {np.nanmax(np.abs(X)):.3g}) and are NaN; the other features are "
                      "exact. Rescale the coordinates (e.g. SkeletonNormalizer) to get them.", RuntimeWarning,
                      stacklevel=2)
    return features


def _per_frame_features(X, up_axis, frame_rate):
    layout = get_layout(COMMON_LAYOUT)
    lost = {}

    def joint(name):
        return X[:, :, layout.index(name)]

    lost["volume"] = np.zeros(X.shape[:2], bool)
    features = {"volume": _volume(X, lost["volume"])}
    for name, (vertex, a, b) in _ANGLES.items():
        features[f"angle_{name}"] = _angle(joint(vertex), joint(a), joint(b))
    # The back's inclination: the angle at the neck between the vertical and the neck-root segment (the
    # vertical as a direction: neck + up would lose the 1 next to coordinates of 1e17 and more).
    up = np.zeros(X.shape[-1])
    up[up_axis] = 1.0
    back = joint("root") - joint("neck")
    features["angle_neck_vertical_back"] = _vector_angle(np.broadcast_to(up, back.shape), back)
    for name, (a, b) in _DISTANCES.items():
        features[f"distance_{name}"] = vector_norm(joint(a) - joint(b))
    for name, (a, b, c) in _AREAS.items():
        lost[f"area_{name}"] = np.zeros(X.shape[:2], bool)
        features[f"area_{name}"] = _triangle_area(joint(a), joint(b), joint(c), lost[f"area_{name}"])
    rate = np.broadcast_to(np.asarray(frame_rate, dtype=float), (len(X),))[:, np.newaxis, np.newaxis]
    for name in _MOVING_JOINTS:
        position = joint(name)
        for derivative in _DERIVATIVES:
            # Each derivative is a central difference (one-sided at the ends) of the previous one.
            position = np.gradient(position, axis=1) * rate if position.shape[1] > 1 else np.zeros_like(position)
            features[f"{derivative}_{name}"] = vector_norm(position)
    return features, [name for name, where in lost.items() if where.any()]


def _mean_and_std(values):
    """Mean and standard deviation over frames of the observed values, NaN for a sample without any.

    Each sample's values are divided by a power of two near their largest first (exact, so ordinary values
    give exactly the unscaled result): the squared deviations of areas near 1e300 would overflow, those of
    lengths near 1e-170 underflow.
    """
    observed = ~np.isnan(values)
    count = np.maximum(observed.sum(axis=1), 1)
    largest = np.max(np.abs(np.where(observed, values, 0.0)), axis=1)
    usable = np.isfinite(largest) & (largest > 0)
    exponent = np.where(usable, np.floor(np.log2(np.where(usable, largest, 1.0))), 0).astype(int)
    unit = np.where(observed, np.ldexp(values, -exponent[:, None]), 0.0)
    mean = unit.sum(axis=1) / count
    std = np.sqrt((np.where(observed, unit - mean[:, None], 0.0) ** 2).sum(axis=1) / count)
    empty = ~observed.any(axis=1)
    return [np.where(empty, np.nan, np.ldexp(mean, exponent)), np.where(empty, np.nan, np.ldexp(std, exponent))]


class AffectiveFeatures(SkeletonMixin, TransformerMixin, BaseEstimator):
    """Posture and movement features of emotional gaits (Randhavane et al. 2019, Bhattacharya et al. 2020).

    Per frame: the volume of the body's bounding box; six angles (at the neck between the hands, between
    the shoulders, between the head and the back, between the vertical and the back; at each shoulder
    between the neck and the other shoulder); five distances (each hand and foot to the root, the feet to
    each other, whose maximum is the stride length); two triangle areas (hands and neck, feet and root); and
    the speed, acceleration and jerk magnitudes of the hands, head and feet. Each is summarised over the
    observed frames by its mean and standard deviation, and the stride by its maximum as in STEP:
    ``(n_samples, 59)``. Any classifier can take them (STEP concatenates them with ST-GCN embeddings).

    The input is skeletons in the ``body16`` layout, or in any layout mapped onto it (``layout``), in the
    units of the data: normalise them first (:class:`SkeletonNormalizer`) so that distances compare across
    people. NaN joints give NaN features in the frames they touch, which the summaries skip. Every feature is
    computed without overflow or underflow from coordinates of 1e-170 to 1e150; an area or volume that is itself
    outside the float range is NaN, with a ``RuntimeWarning``. The gait-cycle
    time of Randhavane et al. is left out (it needs a step detector).

    Parameters
    ----------
    layout : "auto", str or SkeletonLayout, default="auto"
        Layout of the input (``"auto"``: the data's, else the default of its joint count, ``body16`` for
        16); others than ``body16`` are converted with :func:`~skemotion.skeleton.convert_layout`.
    frame_rate : float or None, default=None
        Frames per second, for the speeds; ``None`` reads each sequence's rate from the data (a
        :class:`~skemotion.skeleton.SkeletonArray`), and is an error for data without one.
    up_axis : {0, 1, 2}, default=1
        Coordinate axis that points up (y in body16).

    Attributes
    ----------
    n_joints_in_, n_dims_in_ : int
    n_features_out_ : int

    Examples
    --------
    >>> from skemotion.datasets import make_emotional_gait
    >>> from skemotion.motion import AffectiveFeatures
    >>> gait = make_emotional_gait(4, random_state=0)
    >>> features = AffectiveFeatures(frame_rate=gait.frame_rate).fit_transform(gait.data)
    >>> features.shape
    (4, 59)
    >>> AffectiveFeatures().fit(gait.data).get_feature_names_out()[:2].tolist()
    ['volume_mean', 'volume_std']
    """

    _parameter_constraints = {
        "layout": [str, SkeletonLayout],
        "frame_rate": [Interval(Real, 0, None, closed="neither"), None],
        "up_axis": [Interval(Integral, 0, 2, closed="both")],
    }

    def __init__(self, layout="auto", frame_rate=None, up_axis=1):
        self.layout = layout
        self.frame_rate = frame_rate
        self.up_axis = up_axis

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Check the input's layout.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_frames, n_joints, 3) or list of (n_frames, n_joints, 3)
        y : ignored

        Returns
        -------
        self : AffectiveFeatures
        """
        self._body16(X, reset=True)
        frame_rates(self, X, len(X))  # a missing frame rate fails in fit, not later
        self.n_features_out_ = len(self._names())
        return self

    def _body16(self, X, reset):
        raw = X
        X, _ = validate_skeletons(self, X, reset=reset, n_dims=3)
        layout = check_skeleton_layout(self, raw, X.shape[2], reset=reset, required=True)
        if layout.name != COMMON_LAYOUT:
            X = convert_layout(X, layout, COMMON_LAYOUT)
        return X

    def transform(self, X):
        """Compute the features.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_frames, n_joints, 3) or list of (n_frames, n_joints, 3)

        Returns
        -------
        features : ndarray of shape (n_samples, 59)
        """
        check_is_fitted(self)
        raw = X
        X = self._body16(X, reset=False)
        frames = per_frame_features(X, self.up_axis, frame_rates(self, raw, len(X)))
        columns = []
        for values in frames.values():
            columns += _mean_and_std(values)
        columns.append(np.max(np.where(np.isnan(frames["distance_feet"]), -np.inf, frames["distance_feet"]),
                              axis=1))
        out = np.stack(columns, axis=1)
        return np.where(np.isinf(out), np.nan, out)

    def _names(self):
        names = list(per_frame_features(np.zeros((1, 2, 16, 3))))
        return [f"{name}_{stat}" for name in names for stat in ("mean", "std")] + ["stride_length"]

    def get_feature_names_out(self, input_features=None):
        """Feature names: ``{feature}_mean``, ``{feature}_std`` and ``stride_length``."""
        check_is_fitted(self)
        return np.array(self._names(), dtype=object)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # The features need the 16 named joints of body16 in 3-D: a 2-D feature matrix is no skeleton, so
        # scikit-learn's common checks do not apply (tests/test_affective.py runs its API checks).
        tags.input_tags.two_d_array = False
        tags.input_tags.three_d_array = True
        return tags
