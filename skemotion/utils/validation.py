"""The one validation layer: skeleton arrays, layouts, frame rates, EEG epochs and distributions.

Plain functions that need no estimator come first in each section (as tslearn's ``utils``); the thin
wrappers that take an estimator record or check what it saw in ``fit`` (``n_joints_in_``, ``layout_`` ...).

Skeleton estimators call :func:`validate_skeletons`; it accepts

* a NaN-padded array ``(n_samples, n_frames, n_joints, n_dims)`` (NaN where a joint is missing, trailing
  all-NaN frames are padding),
* a list of ``(n_frames_i, n_joints, n_dims)`` arrays of different lengths,
* a 2-D array, the degenerate case that lets scikit-learn's common checks run: read as
  ``(n_samples, n_frames)`` of one one-dimensional joint (``two_d_as="frames"``) or as one frame of
  ``n_joints`` one-dimensional joints (``two_d_as="joints"``), whichever the estimator can use.
"""

from numbers import Real

import numpy as np
from sklearn.utils import check_array
from sklearn.utils.validation import validate_data

from ..skeleton._array import check_frame_rate, resolve_layout, skeleton_metadata

__all__ = [
    "check_eeg",
    "check_frame_rate",
    "check_skeletons",
    "check_skeleton_layout",
    "frame_rates",
    "is_ragged_list",
    "n_axes",
    "sequence_lengths",
    "skeleton_metadata",
    "to_skeleton_array",
    "validate_signatures",
    "validate_skeletons",
]

# --- Skeleton arrays ---


def sequence_lengths(X):
    """Number of frames of each sequence of a NaN-padded array: up to its last frame with any observed value.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.zeros((2, 4, 1, 3)); X[1, 2:] = np.nan
    >>> sequence_lengths(X)
    array([4, 2])
    """
    observed = ~np.isnan(X).all(axis=(2, 3))
    n_frames = X.shape[1]
    last = n_frames - np.argmax(observed[:, ::-1], axis=1)
    return np.where(observed.any(axis=1), last, 0)


def to_skeleton_array(X):
    """Stack a list of variable-length sequences ``(n_frames_i, n_joints, n_dims)`` into a NaN-padded array.

    Examples
    --------
    >>> import numpy as np
    >>> to_skeleton_array([np.ones((3, 2, 3)), np.ones((1, 2, 3))]).shape
    (2, 3, 2, 3)
    """
    if isinstance(X, np.ndarray) and X.dtype != object:
        return X
    sequences = [np.asarray(x, dtype=float) for x in X]
    if not sequences:
        raise ValueError("Found an empty list of skeleton sequences; at least one is required.")
    for i, seq in enumerate(sequences):
        if seq.ndim != 3:
            raise ValueError(
                f"Sequence {i} has shape {seq.shape}; each sequence must be (n_frames, n_joints, n_dims)."
            )
        if seq.shape[0] == 0:
            raise ValueError(f"Sequence {i} has zero frames.")
        if seq.shape[1:] != sequences[0].shape[1:]:
            raise ValueError(
                f"Sequence {i} has {seq.shape[1]} joints x {seq.shape[2]} dims, but sequence 0 has "
                f"{sequences[0].shape[1]} x {sequences[0].shape[2]}; all sequences must share one layout."
            )
    out = np.full((len(sequences), max(s.shape[0] for s in sequences)) + sequences[0].shape[1:], np.nan)
    for i, seq in enumerate(sequences):
        out[i, : len(seq)] = seq
    return out


def is_ragged_list(X):
    """True for a non-empty list, tuple or 1-D object array of 3-D sequences."""
    if isinstance(X, np.ndarray) and X.dtype == object and X.ndim == 1:
        return len(X) > 0 and np.ndim(X[0]) == 3
    return isinstance(X, (list, tuple)) and len(X) > 0 and np.ndim(X[0]) == 3


def validate_skeletons(estimator, X, *, reset, min_frames=1, n_dims=None, two_d_as="frames"):
    """Validate skeleton input and return it as a NaN-padded 4-D float array with its lengths.

    On ``reset`` the estimator records ``n_joints_in_`` and ``n_dims_in_`` (and, for 2-D input,
    scikit-learn's ``n_features_in_``); otherwise the input must match them.

    Parameters
    ----------
    estimator : estimator instance
    X : array-like or list of arrays
        See the module docstring for the accepted forms.
    reset : bool
        True in ``fit``, False in ``transform`` / ``predict``.
    min_frames : int, default=1
        Minimum number of observed frames of every sequence.
    n_dims : int or None
        Required size of the coordinate axis (e.g. 3), None for any.
    two_d_as : {"frames", "joints"}
        How a 2-D array is read: columns as frames of one joint, or as joints of one frame.

    Returns
    -------
    X : ndarray of shape (n_samples, n_frames, n_joints, n_dims)
    lengths : ndarray of shape (n_samples,)
        Frames of each sequence before padding.
    """
    _check_numeric_items(X)
    if not is_ragged_list(X) and n_axes(X) == 2:
        X = validate_data(estimator, X, reset=reset, ensure_all_finite="allow-nan", dtype=np.float64)
        X = X[:, :, np.newaxis, np.newaxis] if two_d_as == "frames" else X[:, np.newaxis, :, np.newaxis]
        lengths = sequence_lengths(X)
        _check_sequences(X, lengths, min_frames)
    else:
        X, lengths = check_skeletons(X, min_frames=min_frames)
    _check_layout(estimator, X, reset, n_dims)
    return X, lengths


def check_skeletons(X, *, min_frames=1, n_dims=None):
    """Skeleton sequences (a list, or a NaN-padded 4-D array) as a 4-D float array with their lengths.

    The estimator-free core of :func:`validate_skeletons` (plots and metrics call it); 2-D input is refused.

    Examples
    --------
    >>> import numpy as np
    >>> X, lengths = check_skeletons([np.zeros((3, 16, 3)), np.zeros((2, 16, 3))])
    >>> X.shape, lengths.tolist()
    ((2, 3, 16, 3), [3, 2])
    """
    _check_numeric_items(X)
    if is_ragged_list(X):
        X = to_skeleton_array(X)
    X = check_array(X, allow_nd=True, ensure_all_finite="allow-nan", dtype=np.float64, ensure_2d=False)
    if X.ndim != 4:
        raise ValueError(
            f"Expected skeleton data of shape (n_samples, n_frames, n_joints, n_dims), a list of "
            f"(n_frames, n_joints, n_dims) arrays, or a 2-D array; got an array of shape {X.shape}. "
            "Reshape your data accordingly."
        )
    if n_dims is not None and X.shape[3] not in np.atleast_1d(n_dims):
        raise ValueError(f"Expected {n_dims} coordinates per joint, got {X.shape[3]}.")
    lengths = sequence_lengths(X)
    _check_sequences(X, lengths, min_frames)
    return X, lengths



def _check_numeric_items(X):
    """Refuse, naming the item, skeleton data whose items are not real numbers (file names, text, None, dicts).

    numpy's own message (``could not convert string to float: 'walk.bvh'``) names neither the item nor what
    was expected. Lists, tuples and 1-D object arrays are checked item by item; a 2-D array is left to
    scikit-learn's ``check_array``, whose messages its common checks expect.
    """
    if isinstance(X, np.ndarray):
        if X.ndim in (0, 2) or X.dtype.kind not in "USaO":
            return
    elif not isinstance(X, (list, tuple)):
        return
    for i, item in enumerate(X):
        found = _non_numeric(item)
        if found is not None:
            raise TypeError(_non_numeric_message(i, found))


def _non_numeric_message(index, found):
    return (f"Skeleton data item {index} {found}; expected joint coordinates (real numbers): one "
            "(n_frames, n_joints, n_dims) sequence per item, or a NaN-padded array of shape "
            "(n_samples, n_frames, n_joints, n_dims). Read files first (e.g. skemotion.io.read_bvh).")


def _non_numeric(item):
    """What in ``item`` is not a real number, described in a few words, or None if nothing is."""
    if item is None or isinstance(item, (str, bytes, dict, set)):
        return f"is {_describe(item)}"
    try:
        values = np.asarray(item)
    except (ValueError, TypeError):  # ragged inside the item: the sequence checks say so
        return None
    if values.dtype.kind in "biuf":
        return None
    if values.dtype.kind == "c":
        return "holds complex numbers (converting would drop the imaginary parts)"
    if values.dtype.kind in "USa":  # numbers written as text ("1.5") still convert, as numpy converts them
        for index, value in np.ndenumerate(values):
            try:
                float(value)
            except ValueError:
                return f"holds text that is not a number ({_describe(value)} at index {tuple(int(i) for i in index)})"
        return None
    # Object arrays: None inside a sequence is a missing value (NaN), as numpy converts it.
    for index, value in np.ndenumerate(values):
        if value is not None and not isinstance(value, (Real, np.ndarray, list, tuple)):
            return f"holds {_describe(value)} at index {tuple(int(i) for i in index)}"
    return None


def _describe(value):
    value = value.item() if isinstance(value, np.generic) else value  # 'x', not np.str_('x')
    text = " ".join(repr(value).split())  # one line, even for a dict of arrays
    return f"{type(value).__name__} {text if len(text) <= 40 else text[:37] + '...'}" if value is not None \
        else "None"


def n_axes(X):
    """Number of axes of array-likes, including nested lists and objects that only define ``__array__``."""
    shape = getattr(X, "shape", None)
    if shape is not None:
        return len(shape)
    return np.asarray(X).ndim if not isinstance(X, (list, tuple)) else np.ndim(X[0]) + 1 if len(X) else 1


def _check_sequences(X, lengths, min_frames):
    empty = np.flatnonzero(lengths == 0)
    if empty.size:
        raise ValueError(
            f"Sample {empty[0]} has no observed joint in any frame (all NaN or zero-length); "
            f"{empty.size} such sample(s) in total."
        )
    short = np.flatnonzero(lengths < min_frames)
    if short.size:
        raise ValueError(
            f"Sample {short[0]} has {lengths[short[0]]} frame(s); at least {min_frames} are required."
        )


def _check_layout(estimator, X, reset, n_dims):
    n_joints, dims = X.shape[2], X.shape[3]
    if n_dims is not None and dims != n_dims:
        raise ValueError(f"Expected {n_dims} coordinates per joint, got {dims}.")
    if reset:
        estimator.n_joints_in_, estimator.n_dims_in_ = n_joints, dims
    elif (n_joints, dims) != (estimator.n_joints_in_, estimator.n_dims_in_):
        raise ValueError(
            f"X has {n_joints} joints x {dims} dims, but {type(estimator).__name__} was fitted with "
            f"{estimator.n_joints_in_} joints x {estimator.n_dims_in_} dims."
        )


# --- Layouts ---


def check_skeleton_layout(estimator, X, n_joints, *, reset, required=False, param="layout"):
    """Resolve an estimator's layout parameter against the data, once, through
    :func:`skemotion.skeleton.resolve_layout`.

    On ``reset`` the resolved layout is stored as ``estimator.layout_``; afterwards the data's own layout,
    if it carries one, must be the fitted one. With ``required=False`` a layout that ``"auto"`` cannot
    infer is None (anonymous joints, e.g. for feature names); with ``required=True`` that is an error.

    Parameters
    ----------
    estimator : estimator instance
    X : array-like or list
        The input as given (before validation), so that its metadata can be read.
    n_joints : int
    reset : bool
    required : bool, default=False
    param : str, default="layout"
        Name of the estimator's layout parameter.

    Returns
    -------
    SkeletonLayout or None
    """
    name = type(estimator).__name__
    metadata = skeleton_metadata(X)
    if not reset:
        layout = estimator.layout_
        carried = metadata.layout
        if carried is not None and layout is not None and carried.joint_names != layout.joint_names:
            raise ValueError(
                f"{name} was fitted on layout {layout.name!r} but X carries layout {carried.name!r}."
            )
        return layout
    value = getattr(estimator, param)
    try:
        layout = resolve_layout(value, metadata, n_joints, name)
    except ValueError:
        if required or not (isinstance(value, str) and value == "auto"):
            raise
        layout = None
    estimator.layout_ = layout
    return layout


def frame_rates(estimator, X, n_samples, param="frame_rate"):
    """Frame rate of every sample, from the estimator's parameter and the data (see
    :func:`skemotion.skeleton.check_frame_rate`)."""
    return check_frame_rate(getattr(estimator, param), skeleton_metadata(X), n_samples, type(estimator).__name__)


# --- EEG epochs ---
# EEG data are epochs ``(n_epochs, n_channels, n_times)`` of finite real numbers (volts, as MNE stores them).
# A 2-D array is the degenerate case that lets scikit-learn's common checks run (as in MNE's ``_check_data``):
# it is read as ``(n_epochs, n_times)`` of one channel, or, when an estimator knows its channel count, as
# ``(n_epochs, n_channels * n_times)`` flattened channel-major (channel 0's samples first), which is how
# feature matrices of band features are laid out.


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
    >>> from skemotion.utils.validation import check_eeg
    >>> check_eeg(BaseEstimator(), np.zeros((4, 62, 200)), reset=True).shape
    (4, 62, 200)
    >>> check_eeg(BaseEstimator(), np.zeros((4, 200)), reset=True).shape  # one channel
    (4, 1, 200)
    """
    if n_axes(X) == 2:
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
    _check_finite_eeg(X)
    _check_eeg_channels(estimator, X, reset)
    return X


def _check_finite_eeg(X):
    bad = ~np.isfinite(X)
    if bad.any():
        epoch, channel, _ = np.unravel_index(np.argmax(bad), X.shape)
        kind = "NaN" if np.isnan(X[bad]).any() else "infinity"
        raise ValueError(
            f"EEG data contain {kind} (NaN or inf) in {int(bad.sum())} value(s), first in epoch {epoch}, "
            f"channel {channel}. EEG estimators need finite signals: interpolate bad channels or drop bad "
            "epochs first (e.g. with MNE)."
        )


def _check_eeg_channels(estimator, X, reset):
    n_channels = X.shape[1]
    if reset:
        estimator.n_channels_in_ = n_channels
    elif n_channels != estimator.n_channels_in_:
        raise ValueError(
            f"X has {n_channels} channel(s), but {type(estimator).__name__} was fitted with "
            f"{estimator.n_channels_in_} channel(s)."
        )


# --- Distributions (signatures): per sample, per view, the samples or quantiles of a distribution ---


def validate_signatures(estimator, X, *, reset):
    """Return signatures as a float array ``(n_samples, n_views, n_values)``, NaN entries as padding.

    A 2-D array is the degenerate case of one view (so that scikit-learn's common checks run): each row
    is one distribution. On ``reset`` the estimator records ``n_views_in_`` (and, for 2-D input,
    ``n_features_in_``); otherwise the number of views must match. Every (sample, view) needs at least
    one finite value; infinite values are an error.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.base import BaseEstimator
    >>> validate_signatures(BaseEstimator(), np.zeros((4, 5)), reset=True).shape
    (4, 1, 5)
    """
    if n_axes(X) == 2:
        X = validate_data(estimator, X, reset=reset, ensure_all_finite="allow-nan", dtype=np.float64)
        X = X[:, np.newaxis, :]
    else:
        X = check_array(X, allow_nd=True, ensure_all_finite="allow-nan", dtype=np.float64, ensure_2d=False)
        if X.ndim != 3:
            raise ValueError(
                f"Expected signatures of shape (n_samples, n_views, n_values) or a 2-D array (one view); got "
                f"an array of shape {X.shape}. Reshape your data (VelocityGradientSignature produces the 3-D form)."
            )
    if reset:
        estimator.n_views_in_ = X.shape[1]
    elif X.shape[1] != estimator.n_views_in_:
        raise ValueError(
            f"X has {X.shape[1]} views, but {type(estimator).__name__} was fitted with {estimator.n_views_in_}."
        )
    sample, view = np.nonzero(np.isnan(X).all(axis=2))
    if sample.size:
        raise ValueError(f"View {view[0]} of sample {sample[0]} has no finite value (all NaN).")
    return X
