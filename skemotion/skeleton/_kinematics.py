"""Kinematics at the bottom of the toolkit: time derivatives, rotations about the vertical, axis and joint names.

Motion features, signatures, samplers and plots all import these, so each quantity has one definition.
"""

import warnings
from math import factorial

import numpy as np

AXES = "xyz"


def axis_name(d):
    """Name of coordinate axis ``d``: ``x``, ``y``, ``z``, then ``d3``, ``d4`` ...

    Examples
    --------
    >>> axis_name(1), axis_name(3)
    ('y', 'd3')
    """
    return AXES[d] if d < len(AXES) else f"d{d}"


def joint_names(layout, n_joints):
    """Joint names of a layout, or ``joint0``, ``joint1`` ... without one.

    Examples
    --------
    >>> from skemotion.skeleton import get_layout
    >>> joint_names(get_layout("body16"), 16)[:2], joint_names(None, 2)
    (['root', 'spine'], ['joint0', 'joint1'])
    """
    return [f"joint{j}" for j in range(n_joints)] if layout is None else list(layout.joint_names)


def difference_weights(derivative, accuracy):
    """Finite-difference weights of a ``derivative``: central with error ``O(h**accuracy)``, or forward.

    ``accuracy=1`` gives forward differences on ``derivative + 1`` consecutive frames (``[-1, 1]``: the
    displacement between frames). An even ``accuracy`` gives central differences on offsets ``-r .. r``,
    ``r = (derivative + 1) // 2 + accuracy // 2 - 1``. The weights solve the Taylor conditions
    ``sum_s w_s s**j / j! = [j == derivative]`` (as ``findiff`` and Fornberg's algorithm do). Divide by
    ``h**derivative``.

    Examples
    --------
    >>> difference_weights(1, 2)
    array([-0.5,  0. ,  0.5])
    >>> (difference_weights(1, 4) * 12).round(10)
    array([ 1., -8.,  0.,  8., -1.])
    >>> difference_weights(2, 2)
    array([ 1., -2.,  1.])
    >>> difference_weights(1, 1)
    array([-1.,  1.])
    """
    if accuracy == 1:
        offsets = np.arange(derivative + 1)
    elif accuracy >= 2 and accuracy % 2 == 0:
        radius = (derivative + 1) // 2 + accuracy // 2 - 1
        offsets = np.arange(-radius, radius + 1)
    else:
        raise ValueError(f"accuracy must be 1 (forward differences) or even (central differences), got {accuracy}.")
    taylor = np.array([offsets.astype(float) ** j / factorial(j) for j in range(len(offsets))])
    target = np.zeros(len(offsets))
    target[derivative] = 1.0
    weights = np.linalg.solve(taylor, target)
    weights[np.abs(weights) < 1e-12] = 0.0
    return weights


def finite_difference(X, frame_rate, derivative=1, accuracy=2):
    """Time derivative of ``X`` ``(n, T, ...)`` by finite differences, in units per second**derivative.

    ``frame_rate`` is one number, or one per sample ``(n,)`` (sequences of a batch may differ).

    Only frames whose whole stencil (:func:`difference_weights`) is observed get a value: the frames at
    the ends of each sequence that the stencil overhangs and the frames next to a missing (NaN) one are
    NaN, never extrapolated or bridged.

    Examples
    --------
    >>> import numpy as np
    >>> t = np.arange(6.0) / 10                    # 10 frames per second
    >>> finite_difference((t**2)[np.newaxis], frame_rate=10).round(10)
    array([[nan, 0.2, 0.4, 0.6, 0.8, nan]])
    """
    weights = difference_weights(derivative, accuracy)
    # One rate per sample broadcasts over the frame and trailing axes.
    rate = frame_rate
    if np.ndim(frame_rate):
        rate = np.asarray(frame_rate, dtype=float).reshape((-1,) + (1,) * (np.ndim(X) - 1))
    width = len(weights)
    before = width // 2 if accuracy > 1 else 0  # frames of the stencil before the frame it is assigned to
    out = np.full(X.shape, np.nan)
    n_frames = X.shape[1]
    if n_frames >= width:
        inner = sum(w * X[:, s : n_frames - width + 1 + s] for s, w in enumerate(weights) if w != 0.0)
        out[:, before : before + n_frames - width + 1] = inner * rate**derivative
    return out


def yaw_rotation(angles):
    """Rotation matrices ``(..., 3, 3)`` about the vertical y axis, for angles in degrees (x towards -z)."""
    theta = np.deg2rad(angles)
    cos, sin = np.cos(theta), np.sin(theta)
    rotation = np.zeros(np.shape(theta) + (3, 3))
    rotation[..., 0, 0], rotation[..., 0, 2] = cos, sin
    rotation[..., 2, 0], rotation[..., 2, 2] = -sin, cos
    rotation[..., 1, 1] = 1.0
    return rotation


def vector_norm(v, axis=-1):
    """Euclidean length along ``axis`` that neither overflows nor underflows, NaN where a value is missing.

    ``np.linalg.norm`` squares the coordinates: lengths of about 1e155 and more become ``inf`` and lengths
    below 1e-154 lose their digits or become 0. Those (rare) lengths are recomputed from the vectors divided
    by their largest coordinate; every other length is exactly ``np.linalg.norm``'s.

    Examples
    --------
    >>> import numpy as np
    >>> float(vector_norm(np.array([3e160, 4e160])) / 1e160)
    5.0
    >>> float(vector_norm(np.array([3e-170, 4e-170])) / 1e-170)
    5.0
    """
    v = np.asarray(v, dtype=float)
    with np.errstate(over="ignore", under="ignore"):
        length = np.linalg.norm(v, axis=axis)
    extreme = (length > 1e150) | (length < 1e-150)  # NaN compares False: missing stays NaN
    if not extreme.any():
        return length
    largest = np.max(np.abs(v), axis=axis, keepdims=True)
    largest = np.where(largest > 0, largest, 1.0)  # a zero vector keeps length 0
    with np.errstate(over="ignore", under="ignore"):
        rescaled = np.linalg.norm(v / largest, axis=axis) * np.squeeze(largest, axis=axis)
    return np.where(extreme, rescaled, length)


def scaled_nanstd(a, axis):
    """``np.nanstd`` that neither overflows nor underflows: values are divided by a power of two near their
    largest magnitude first (exact, so ordinary values give exactly ``np.nanstd``'s result)."""
    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN slices: NaN, as np.nanstd gives
        largest = np.nanmax(np.abs(a), axis=axis, keepdims=True)
    usable = np.isfinite(largest) & (largest > 0)
    scale = np.where(usable, 2.0 ** np.floor(np.log2(np.where(usable, largest, 1.0))), 1.0)
    scale = np.where((scale > 2.0**-500) & (scale < 2.0**500), 1.0, scale)  # ordinary values: untouched
    return np.nanstd(a / scale, axis=axis) * np.squeeze(scale, axis=axis)
