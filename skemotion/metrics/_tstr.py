"""Train-on-synthetic / test-on-real (TSTR) and the reverse (TRTS), cross-validated without leakage."""

from collections import Counter

import numpy as np
from joblib import Parallel, delayed
from sklearn.base import clone, is_classifier
from sklearn.metrics import check_scoring
from sklearn.model_selection import check_cv
from sklearn.utils import _safe_indexing


def synthesize(sampler, X, y, n_per_class=None):
    """Fit an over-sampler on ``(X, y)`` and return only the samples it generates.

    The sampler is cloned and asked (through ``sampling_strategy``) for ``n_per_class[label]`` new samples
    of every class; by default as many as the class has in ``y``, so the synthetic set mirrors the real one.
    It must be an over-sampler that returns its input first and the new samples after it, as every
    imbalanced-learn over-sampler does; anything else is an error.

    Parameters
    ----------
    sampler : imbalanced-learn over-sampler
    X : array-like or list of sequences
    y : array-like of shape (n_samples,)
    n_per_class : dict, int or None, default=None
        New samples per class (a dict label -> count, or the same count for every class).

    Returns
    -------
    X_synthetic : ndarray or list
    y_synthetic : ndarray

    Examples
    --------
    >>> import numpy as np
    >>> from imblearn.over_sampling import SMOTE
    >>> X, y = np.random.RandomState(0).normal(size=(20, 2)), np.repeat([0, 1], 10)
    >>> X_new, y_new = synthesize(SMOTE(k_neighbors=3, random_state=0), X, y, n_per_class=4)
    >>> X_new.shape, np.bincount(y_new).tolist()
    ((8, 2), [4, 4])
    """
    y = np.asarray(y)
    counts = Counter(y.tolist())
    if n_per_class is None:
        n_per_class = dict(counts)
    elif not isinstance(n_per_class, dict):
        n_per_class = {label: int(n_per_class) for label in counts}
    target = {label: counts[label] + n_per_class.get(label, 0) for label in counts}
    X_res, y_res = clone(sampler).set_params(sampling_strategy=target).fit_resample(X, y)
    n = len(y)
    y_res = np.asarray(y_res)
    if len(y_res) != n + sum(n_per_class.values()) or not np.array_equal(y_res[:n], y) \
            or not _same_samples(_safe_indexing(X_res, np.arange(n)), X):
        raise ValueError(
            f"{type(sampler).__name__} did not return its input followed by new samples; TSTR/TRTS need an "
            "over-sampler that appends the samples it generates (as imbalanced-learn's over-samplers do)."
        )
    return _safe_indexing(X_res, np.arange(n, len(y_res))), y_res[n:]


def _same_samples(A, B):
    if isinstance(A, list):
        return len(A) == len(B) and all(np.array_equal(a, b, equal_nan=True) for a, b in zip(A, B))
    return np.array_equal(np.asarray(A, dtype=float), np.asarray(B, dtype=float), equal_nan=True)


def _fold_score(sampler, estimator, scorer, X, y, train, test, train_on_synthetic, n_per_class):
    X_train, y_train = _safe_indexing(X, train), _safe_indexing(y, train)
    X_synthetic, y_synthetic = synthesize(sampler, X_train, y_train, n_per_class)
    if train_on_synthetic:
        model = clone(estimator).fit(X_synthetic, y_synthetic)
        return scorer(model, _safe_indexing(X, test), _safe_indexing(y, test))
    model = clone(estimator).fit(X_train, y_train)
    return scorer(model, X_synthetic, y_synthetic)


def _scores(sampler, estimator, X, y, groups, cv, scoring, n_per_class, n_jobs, train_on_synthetic):
    y = np.asarray(y)
    cv = check_cv(cv, y, classifier=is_classifier(estimator))
    scorer = check_scoring(estimator, scoring=scoring)
    folds = list(cv.split(X, y, groups))
    scores = Parallel(n_jobs=n_jobs)(
        delayed(_fold_score)(sampler, estimator, scorer, X, y, train, test, train_on_synthetic, n_per_class)
        for train, test in folds
    )
    return np.asarray(scores, dtype=float)


def tstr_score(sampler, estimator, X, y, *, groups=None, cv=5, scoring="f1_macro", n_per_class=None, n_jobs=None):
    """Train on synthetic, test on real: how useful the generated data is for learning the task.

    In each fold of ``cv``: the sampler is fitted on the real training part only and generates a synthetic
    set (by default with the training part's class sizes, see :func:`synthesize`); a clone of
    ``estimator`` is trained on the synthetic set alone and scored on the real test part, which neither the
    generator nor the estimator has seen [1]_. Compare with train-on-real, test-on-real
    (``cross_val_score(estimator, X, y, groups=groups, cv=cv)``) under the same folds.

    Parameters
    ----------
    sampler : imbalanced-learn over-sampler
        Generator; cloned in every fold.
    estimator : estimator
        Model trained on the synthetic data (may be a pipeline).
    X : array-like or list of sequences
    y : array-like of shape (n_samples,)
    groups : array-like of shape (n_samples,) or None, default=None
        Groups for group-aware splitters (``GroupKFold``...).
    cv : int, cross-validation generator or iterable of (train, test) splits, default=5
        Pass ``[(train_indices, test_indices)]`` to score one explicit split.
    scoring : str or callable, default="f1_macro"
    n_per_class : dict, int or None, default=None
        Synthetic samples per class (default: as many as in the training part).
    n_jobs : int or None, default=None
        Folds in parallel.

    Returns
    -------
    scores : ndarray of shape (n_splits,)

    See Also
    --------
    trts_score : the reverse protocol.

    References
    ----------
    .. [1] Esteban, C., Hyland, S. L., & Rätsch, G. (2017). Real-valued (medical) time series generation
       with recurrent conditional GANs. arXiv:1706.02633.

    Examples
    --------
    >>> from imblearn.over_sampling import SMOTE
    >>> from sklearn.datasets import make_classification
    >>> from sklearn.linear_model import LogisticRegression
    >>> X, y = make_classification(120, random_state=0)
    >>> tstr_score(SMOTE(random_state=0), LogisticRegression(), X, y, cv=3).round(2)
    array([0.87, 0.8 , 0.95])
    """
    return _scores(sampler, estimator, X, y, groups, cv, scoring, n_per_class, n_jobs, train_on_synthetic=True)


def trts_score(sampler, estimator, X, y, *, groups=None, cv=5, scoring="f1_macro", n_per_class=None, n_jobs=None):
    """Train on real, test on synthetic: whether generated samples carry their class's real signature.

    In each fold of ``cv``: the sampler is fitted on the real training part and generates a synthetic set
    (see :func:`synthesize`); a clone of ``estimator`` is trained on the same real training part and scored
    on the synthetic set [1]_. The real test part is not used (no model sees it). Because the estimator
    and the generator learn from the same real samples, a generator that copies its training samples
    scores like the estimator's training score: read TRTS next to the two-sample AUC and coverage against
    held-out data, and next to :func:`tstr_score`.

    Parameters
    ----------
    sampler : imbalanced-learn over-sampler
    estimator : estimator
    X : array-like or list of sequences
    y : array-like of shape (n_samples,)
    groups : array-like of shape (n_samples,) or None, default=None
    cv : int, cross-validation generator or iterable of (train, test) splits, default=5
    scoring : str or callable, default="f1_macro"
    n_per_class : dict, int or None, default=None
        Synthetic samples per class (default: as many as in the training part).
    n_jobs : int or None, default=None

    Returns
    -------
    scores : ndarray of shape (n_splits,)

    See Also
    --------
    tstr_score

    References
    ----------
    .. [1] Esteban, C., Hyland, S. L., & Rätsch, G. (2017). Real-valued (medical) time series generation
       with recurrent conditional GANs. arXiv:1706.02633.
    """
    return _scores(sampler, estimator, X, y, groups, cv, scoring, n_per_class, n_jobs, train_on_synthetic=False)
