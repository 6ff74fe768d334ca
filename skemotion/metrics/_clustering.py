"""Scores of a clustering against true labels through one optimal cluster-to-label matching."""

from numbers import Integral

import numpy as np
from scipy.optimize import linear_sum_assignment
from sklearn.metrics import (
    adjusted_rand_score,
    cohen_kappa_score,
    matthews_corrcoef,
    normalized_mutual_info_score,
)
from sklearn.utils import Bunch, check_consistent_length, check_random_state, column_or_1d
from sklearn.utils._param_validation import Interval, validate_params


@validate_params(
    {
        "y_true": ["array-like"],
        "labels": ["array-like"],
        "n_permutations": [Interval(Integral, 0, None, closed="left")],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def cluster_label_scores(y_true, labels, *, n_permutations=1000, random_state=None):
    """Score cluster assignments against true labels, with one optimal matching and a permutation test.

    Clusters are matched one-to-one to labels by the Hungarian algorithm
    (:func:`scipy.optimize.linear_sum_assignment`) so as to maximise the number of samples whose cluster
    is matched to their label. That single matching gives the accuracy, Cohen's kappa and Matthews'
    correlation together (searching a different matching for each metric, as the research code this
    replaces did, overstates all three). Samples of clusters left unmatched (more clusters than labels)
    count as errors. The adjusted Rand index and normalised mutual information need no matching.

    Matching is optimistic: even random clusters reach an accuracy above ``1 / n_labels``. The
    permutation test therefore compares the matched accuracy with its distribution when the labels are
    shuffled (matching again each time), and reports the mean of that distribution as the chance level.

    Parameters
    ----------
    y_true : array-like of shape (n_samples,)
        True labels.
    labels : array-like of shape (n_samples,)
        Cluster assignments (any hashable ids).
    n_permutations : int, default=1000
        Label shuffles for the p-value; 0 skips the test (``p_value`` and ``chance_accuracy`` are NaN).
    random_state : int, RandomState instance or None, default=None
        Draws the shuffles.

    Returns
    -------
    scores : Bunch
        ``accuracy``, ``cohen_kappa``, ``matthews_corrcoef`` (all under the matching),
        ``adjusted_rand``, ``normalized_mutual_info``, ``p_value`` (one-sided, ``(1 + #{null >= observed})
        / (1 + n_permutations)``, for the matched accuracy), ``chance_accuracy`` (mean matched accuracy of
        shuffled labels), ``mapping`` (dict cluster -> label) and ``y_pred`` (each sample's matched label,
        None for unmatched clusters).

    Examples
    --------
    >>> from skemotion.metrics import cluster_label_scores
    >>> y_true = ["sad", "sad", "sad", "happy", "happy", "happy", "angry", "angry"]
    >>> labels = [2, 2, 0, 0, 0, 0, 1, 1]
    >>> scores = cluster_label_scores(y_true, labels, n_permutations=200, random_state=0)
    >>> scores.mapping
    {0: 'happy', 1: 'angry', 2: 'sad'}
    >>> float(scores.accuracy), round(float(scores.adjusted_rand), 3)
    (0.875, 0.545)
    """
    y_true, labels = column_or_1d(y_true, warn=True), column_or_1d(labels, warn=True)
    check_consistent_length(y_true, labels)
    classes, true_codes = np.unique(y_true, return_inverse=True)
    clusters, cluster_codes = np.unique(labels, return_inverse=True)
    n_classes, n_clusters = len(classes), len(clusters)

    counts = _contingency(cluster_codes, true_codes[np.newaxis], n_clusters, n_classes)[0]
    matched_clusters, matched_classes = linear_sum_assignment(counts, maximize=True)
    # Unmatched clusters get codes no true label has, so every metric counts them as errors.
    class_of_cluster = np.arange(n_classes, n_classes + n_clusters)
    class_of_cluster[matched_clusters] = matched_classes
    pred_codes = class_of_cluster[cluster_codes]

    null = _null_matched_accuracy(cluster_codes, true_codes, n_clusters, n_classes, n_permutations, random_state)
    accuracy = counts[matched_clusters, matched_classes].sum() / len(y_true)
    names = np.append(classes.astype(object), [None] * n_clusters)
    return Bunch(
        accuracy=accuracy,
        cohen_kappa=cohen_kappa_score(true_codes, pred_codes),
        matthews_corrcoef=matthews_corrcoef(true_codes, pred_codes),
        adjusted_rand=adjusted_rand_score(y_true, labels),
        normalized_mutual_info=normalized_mutual_info_score(y_true, labels),
        p_value=(1 + np.sum(null >= accuracy - 1e-12)) / (1 + n_permutations) if n_permutations else np.nan,
        chance_accuracy=null.mean() if n_permutations else np.nan,
        mapping={_item(clusters[c]): _item(classes[k]) for c, k in zip(matched_clusters, matched_classes)},
        y_pred=names[pred_codes],
    )


def _contingency(cluster_codes, true_codes, n_clusters, n_classes):
    """Contingency tables ``(n_tables, n_clusters, n_classes)`` of one clustering and rows of label codes."""
    n_tables = len(true_codes)
    cells = (np.arange(n_tables)[:, np.newaxis] * n_clusters + cluster_codes) * n_classes + true_codes
    return np.bincount(cells.ravel(), minlength=n_tables * n_clusters * n_classes).reshape(
        n_tables, n_clusters, n_classes)


def _null_matched_accuracy(cluster_codes, true_codes, n_clusters, n_classes, n_permutations, random_state):
    """Matched accuracy of the clustering against ``n_permutations`` shuffles of the labels."""
    if n_permutations == 0:
        return np.empty(0)
    rng = check_random_state(random_state)
    shuffled = np.array([rng.permutation(true_codes) for _ in range(n_permutations)])
    tables = _contingency(cluster_codes, shuffled, n_clusters, n_classes)
    # One small assignment problem per shuffle: scipy has no batched solver.
    matched = [table[linear_sum_assignment(table, maximize=True)].sum() for table in tables]
    return np.asarray(matched) / len(true_codes)


def _item(value):
    """Plain Python scalar of a numpy scalar, for a readable mapping."""
    return value.item() if isinstance(value, np.generic) else value
