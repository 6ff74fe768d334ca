"""Vectorised, NaN-aware operations along the time axis of skeleton arrays ``(n, T, J, D)``."""

import warnings
from contextlib import contextmanager

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


def rate_resampled_lengths(lengths, rates, target_rate):
    """Frames of each sequence after :func:`resample_to_rate`: as many as its duration holds at the target rate."""
    return np.floor((np.asarray(lengths) - 1) / np.asarray(rates, dtype=float) * target_rate + 1e-9).astype(int) + 1


def resample_to_rate(X, lengths, rates, target_rate):
    """Linearly resample each sequence, recorded at ``rates[i]`` frames per second, to ``target_rate``.

    Output frame ``k`` is the pose at time ``k / target_rate``; each sequence keeps its duration (as many
    output frames as fit in it) and is NaN-padded after its end. Missing frames stay missing as in
    :func:`resample`.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.arange(5.0).reshape(1, 5, 1, 1)          # 5 frames at 120 fps
    >>> resample_to_rate(x, np.array([5]), np.array([120.0]), 60.0).ravel()
    array([0., 2., 4.])
    """
    lengths, rates = np.asarray(lengths), np.asarray(rates, dtype=float)
    new_lengths = rate_resampled_lengths(lengths, rates, target_rate)
    frames = np.arange(new_lengths.max())[np.newaxis, :] * (rates / target_rate)[:, np.newaxis]
    last = (lengths - 1)[:, np.newaxis]
    frames = np.minimum(frames, last)
    lower = np.floor(frames + 1e-9).astype(int)
    weight = np.clip(frames - lower, 0.0, None)[:, :, np.newaxis, np.newaxis]
    rows = np.arange(X.shape[0])[:, np.newaxis]
    before, after = X[rows, np.minimum(lower, last)], X[rows, np.minimum(lower + 1, last)]
    out = np.where(weight == 0, before, (1 - weight) * before + weight * after)
    out[np.arange(out.shape[1])[np.newaxis, :] >= new_lengths[:, np.newaxis]] = np.nan
    return out
