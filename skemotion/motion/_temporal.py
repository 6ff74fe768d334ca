"""Vectorised, NaN-aware operations along the time axis of skeleton arrays ``(n, T, J, D)``."""

import warnings
from contextlib import contextmanager
from math import factorial

import numpy as np


@contextmanager
def nan_warnings_ignored():
    """Silence numpy's all-NaN-slice warnings where the caller handles NaN results itself."""
    with warnings.catch_warnings(), np.errstate(invalid="ignore"):
        warnings.filterwarnings("ignore", message="(All-NaN slice|Mean of empty slice|Degrees of freedom)")
        yield


def fill_gaps(X, max_gap):
    """Linearly interpolate runs of at most ``max_gap`` missing frames between two observed frames.

    Longer gaps, leading gaps and trailing padding stay NaN: only what the neighbours determine is filled.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([0.0, np.nan, 2.0, np.nan, np.nan, np.nan, 6.0]).reshape(1, 7, 1, 1)
    >>> fill_gaps(x, max_gap=2).ravel()
    array([ 0.,  1.,  2., nan, nan, nan,  6.])
    """
    X = np.array(X, dtype=float)
    if max_gap <= 0 or not np.isnan(X).any():
        return X
    n_frames = X.shape[1]
    frames = np.arange(n_frames).reshape(1, -1, 1, 1)
    observed = ~np.isnan(X)
    # Index of the last observed frame at or before t, and of the first observed frame at or after t.
    prev_idx = np.maximum.accumulate(np.where(observed, frames, -1), axis=1)
    next_idx = np.flip(np.minimum.accumulate(np.flip(np.where(observed, frames, n_frames), axis=1), axis=1), axis=1)
    fillable = ~observed & (prev_idx >= 0) & (next_idx < n_frames) & (next_idx - prev_idx - 1 <= max_gap)
    if not fillable.any():
        return X
    prev_val = np.take_along_axis(X, np.clip(prev_idx, 0, n_frames - 1), axis=1)
    next_val = np.take_along_axis(X, np.clip(next_idx, 0, n_frames - 1), axis=1)
    weight = (frames - prev_idx) / np.maximum(next_idx - prev_idx, 1)
    X[fillable] = (prev_val + weight * (next_val - prev_val))[fillable]
    return X


def resample(X, lengths, n_frames):
    """Linearly resample each sequence's first ``lengths[i]`` frames to ``n_frames`` frames.

    A frame interpolated between an observed and a missing frame is missing (NaN), so gaps are never
    invented; frames that fall exactly on an input frame keep its value.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.arange(3.0).reshape(1, 3, 1, 1)
    >>> resample(x, np.array([3]), 5).ravel()
    array([0. , 0.5, 1. , 1.5, 2. ])
    """
    grid = np.linspace(0.0, 1.0, n_frames)[np.newaxis, :] * (np.asarray(lengths)[:, np.newaxis] - 1)
    lower = np.floor(grid).astype(int)
    weight = (grid - lower)[:, :, np.newaxis, np.newaxis]
    upper = np.minimum(lower + 1, np.asarray(lengths)[:, np.newaxis] - 1)
    rows = np.arange(X.shape[0])[:, np.newaxis]
    before, after = X[rows, lower], X[rows, upper]
    # Avoid 0 * NaN = NaN when the sample lies exactly on an observed frame.
    return np.where(weight == 0, before, (1 - weight) * before + weight * after)


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
    width = len(weights)
    before = width // 2 if accuracy > 1 else 0  # frames of the stencil before the frame it is assigned to
    out = np.full(X.shape, np.nan)
    n_frames = X.shape[1]
    if n_frames >= width:
        inner = sum(w * X[:, s : n_frames - width + 1 + s] for s, w in enumerate(weights) if w != 0.0)
        out[:, before : before + n_frames - width + 1] = inner * frame_rate**derivative
    return out
