"""The one validation layer for skeleton arrays.

Every skeleton estimator calls :func:`validate_skeletons`; it accepts

* a NaN-padded array ``(n_samples, n_frames, n_joints, n_dims)`` (NaN where a joint is missing, trailing
  all-NaN frames are padding),
* a list of ``(n_frames_i, n_joints, n_dims)`` arrays of different lengths,
* a 2-D array, the degenerate case that lets scikit-learn's common checks run: read as
  ``(n_samples, n_frames)`` of one one-dimensional joint (``two_d_as="frames"``) or as one frame of
  ``n_joints`` one-dimensional joints (``two_d_as="joints"``), whichever the estimator can use.
"""

import numpy as np
from sklearn.utils import check_array
from sklearn.utils.validation import validate_data


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
    if isinstance(X, np.ndarray):
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


def _is_ragged_list(X):
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
    if _is_ragged_list(X):
        X = check_array(to_skeleton_array(X), allow_nd=True, ensure_all_finite="allow-nan", dtype=np.float64)
    elif _n_axes(X) == 2:
        X = validate_data(estimator, X, reset=reset, ensure_all_finite="allow-nan", dtype=np.float64)
        X = X[:, :, np.newaxis, np.newaxis] if two_d_as == "frames" else X[:, np.newaxis, :, np.newaxis]
    else:
        X = check_array(X, allow_nd=True, ensure_all_finite="allow-nan", dtype=np.float64, ensure_2d=False)
        if X.ndim != 4:
            raise ValueError(
                f"Expected skeleton data of shape (n_samples, n_frames, n_joints, n_dims), a list of "
                f"(n_frames, n_joints, n_dims) arrays, or a 2-D array; got an array of shape {X.shape}. "
                "Reshape your data accordingly."
            )
    lengths = sequence_lengths(X)
    _check_sequences(X, lengths, min_frames)
    _check_layout(estimator, X, reset, n_dims)
    return X, lengths


def _n_axes(X):
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


def check_layout_matches(layout, n_joints):
    """Raise if a layout's joint count differs from the data's."""
    if layout is not None and layout.n_joints != n_joints:
        raise ValueError(
            f"Layout {layout.name!r} has {layout.n_joints} joints but the data has {n_joints}; "
            "convert the data first (skemotion.motion.LayoutConverter) or pass the right layout."
        )

