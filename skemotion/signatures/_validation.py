"""Validation of signature arrays: per sample, per view, the samples (or quantiles) of a distribution."""

import numpy as np
from sklearn.utils import check_array
from sklearn.utils.validation import validate_data

from ..utils.validation import _n_axes


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
    if _n_axes(X) == 2:
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
