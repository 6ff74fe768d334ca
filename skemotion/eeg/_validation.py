"""The one validation layer for EEG arrays.

Every EEG estimator calls :func:`check_eeg`. EEG data are epochs ``(n_epochs, n_channels, n_times)`` of
finite real numbers (volts, as MNE stores them). A 2-D array is the degenerate case that lets scikit-learn's
common checks run (as in MNE's ``_check_data``): it is read as ``(n_epochs, n_times)`` of **one channel**,
or, when an estimator knows its channel count, as ``(n_epochs, n_channels * n_times)`` flattened
channel-major (channel 0's samples first), which is how feature matrices of band features are laid out.
"""

import numpy as np
from sklearn.utils import check_array
from sklearn.utils.validation import validate_data


def check_eeg(estimator, X, *, reset, two_d_channels=1, dtype=np.float64):
    """Validate EEG input and return it as a 3-D float array.

    On ``reset`` the estimator records ``n_channels_in_`` (and, for 2-D input, scikit-learn's
    ``n_features_in_`` and ``feature_names_in_``); otherwise the input must match them. The number of
    time samples may differ between calls for 3-D input: estimators that need a fixed length check it.

    Parameters
    ----------
    estimator : estimator instance
    X : array-like of shape (n_epochs, n_channels, n_times) or (n_epochs, n_features)
        EEG epochs, or a 2-D array read as described in the module docstring.
    reset : bool
        True in ``fit``, False in ``transform`` / ``predict``.
    two_d_channels : int, default=1
        Number of channels a 2-D array holds, flattened channel-major. The number of columns must be a
        multiple of it.
    dtype : numpy dtype, default=np.float64

    Returns
    -------
    X : ndarray of shape (n_epochs, n_channels, n_times)

    Raises
    ------
    ValueError
        For NaN or infinite values, arrays that are neither 2-D nor 3-D, empty arrays, and a channel count
        that differs from the one seen in ``fit``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.base import BaseEstimator
    >>> from skemotion.eeg import check_eeg
    >>> check_eeg(BaseEstimator(), np.zeros((4, 62, 200)), reset=True).shape
    (4, 62, 200)
    >>> check_eeg(BaseEstimator(), np.zeros((4, 200)), reset=True).shape  # one channel
    (4, 1, 200)
    """
    if _n_axes(X) == 2:
        X = validate_data(estimator, X, reset=reset, dtype=dtype, ensure_all_finite=False)
        if X.shape[1] % two_d_channels:
            raise ValueError(
                f"A 2-D input is read as (n_epochs, n_channels * n_values) with {two_d_channels} channels, "
                f"but it has {X.shape[1]} columns, which is not a multiple of {two_d_channels}."
            )
        X = X.reshape(len(X), two_d_channels, -1)
    else:
        X = check_array(X, allow_nd=True, dtype=dtype, ensure_all_finite=False, ensure_2d=False)
        if X.ndim != 3:
            raise ValueError(
                f"Expected EEG epochs of shape (n_epochs, n_channels, n_times) or a 2-D array; got an array "
                f"of shape {X.shape}. Reshape your data: X[np.newaxis] for a single epoch; for a continuous "
                "recording cut epochs first (skemotion.eeg.from_mne(raw, epoch_duration=...))."
            )
        if X.shape[1] == 0 or X.shape[2] == 0:
            raise ValueError(f"EEG epochs of shape {X.shape} have no channel or no time sample.")
        if reset:
            for name in ("n_features_in_", "feature_names_in_"):  # left over from an earlier 2-D fit
                if hasattr(estimator, name):
                    delattr(estimator, name)
    _check_finite(X)
    _check_channels(estimator, X, reset)
    return X


def _n_axes(X):
    shape = getattr(X, "shape", None)
    return len(shape) if shape is not None else np.asarray(X).ndim


def _check_finite(X):
    bad = ~np.isfinite(X)
    if bad.any():
        epoch, channel, _ = np.unravel_index(np.argmax(bad), X.shape)
        kind = "NaN" if np.isnan(X[bad]).any() else "infinity"
        raise ValueError(
            f"EEG data contain {kind} (NaN or inf) in {int(bad.sum())} value(s), first in epoch {epoch}, "
            f"channel {channel}. EEG estimators need finite signals: interpolate bad channels or drop bad "
            "epochs first (e.g. with MNE)."
        )


def _check_channels(estimator, X, reset):
    n_channels = X.shape[1]
    if reset:
        estimator.n_channels_in_ = n_channels
    elif n_channels != estimator.n_channels_in_:
        raise ValueError(
            f"X has {n_channels} channel(s), but {type(estimator).__name__} was fitted with "
            f"{estimator.n_channels_in_} channel(s)."
        )
