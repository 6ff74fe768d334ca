"""cluster_label_scores against scikit-learn's metrics and brute force over matchings."""

from itertools import permutations

import numpy as np
import pytest
from sklearn.metrics import (
    accuracy_score,
    adjusted_rand_score,
    cohen_kappa_score,
    matthews_corrcoef,
    normalized_mutual_info_score,
)

from skemotion.metrics import cluster_label_scores


def test_permuted_labelling_scores_like_the_true_labels():
    rng = np.random.default_rng(0)
    y_true = rng.choice(["angry", "happy", "sad", "tired"], size=80)
    renamed = dict(zip(["angry", "happy", "sad", "tired"], [3, 0, 2, 1]))
    labels = np.array([renamed[y] for y in y_true])
    noisy = rng.random(80) < 0.15
    labels[noisy] = rng.integers(0, 4, noisy.sum())
    back = {v: k for k, v in renamed.items()}
    y_pred = np.array([back[c] for c in labels])

    scores = cluster_label_scores(y_true, labels, n_permutations=0)
    assert scores.mapping == back
    np.testing.assert_array_equal(scores.y_pred, y_pred)
    assert scores.accuracy == pytest.approx(accuracy_score(y_true, y_pred))
    assert scores.cohen_kappa == pytest.approx(cohen_kappa_score(y_true, y_pred))
    assert scores.matthews_corrcoef == pytest.approx(matthews_corrcoef(y_true, y_pred))
    assert scores.adjusted_rand == pytest.approx(adjusted_rand_score(y_true, labels))
    assert scores.normalized_mutual_info == pytest.approx(normalized_mutual_info_score(y_true, labels))
    assert np.isnan(scores.p_value) and np.isnan(scores.chance_accuracy)


def _every_matching(y_true, labels, n_classes):
    """Predictions and accuracy of every injective matching of clusters to labels (codes >= n_classes:
    cluster left unmatched)."""
    clusters, codes = np.unique(labels, return_inverse=True)
    matchings = np.array(list(permutations(range(n_classes + len(clusters)), len(clusters))))
    predictions = matchings[:, codes]  # (n_matchings, n_samples)
    return predictions, (predictions == y_true).mean(axis=1)


def _brute_force(y_true, labels, n_classes):
    """Best accuracy over all matchings, and (accuracy, kappa, mcc) of each accuracy-optimal matching."""
    predictions, accuracy = _every_matching(y_true, labels, n_classes)
    optimal = [(accuracy_score(y_true, y_pred), cohen_kappa_score(y_true, y_pred), matthews_corrcoef(y_true, y_pred))
               for y_pred in predictions[accuracy == accuracy.max()]]
    return accuracy.max(), np.array(optimal)


@pytest.mark.parametrize("seed", range(4))
@pytest.mark.parametrize("n_clusters", [2, 3, 4])
def test_one_matching_is_the_accuracy_optimum_of_brute_force(seed, n_clusters):
    rng = np.random.default_rng(seed)
    y_true = rng.integers(0, 3, size=14)
    labels = np.where(rng.random(14) < 0.5, y_true % n_clusters, rng.integers(0, n_clusters, 14))
    scores = cluster_label_scores(y_true, labels, n_permutations=0)
    best, optimal = _brute_force(y_true, labels, n_classes=3)
    assert scores.accuracy == pytest.approx(best)
    # Kappa and MCC come from the same (accuracy-optimal) matching, not from their own best matching.
    same_matching = np.isclose(optimal[:, 1:], [scores.cohen_kappa, scores.matthews_corrcoef]).all(axis=1)
    assert same_matching.any()


def test_permutation_p_value_matches_the_exact_null():
    y_true = np.array([0, 0, 0, 1, 1, 2, 2])
    labels = np.array([5, 5, 7, 7, 7, 9, 9])
    observed = cluster_label_scores(y_true, labels, n_permutations=0).accuracy
    # Every distinct arrangement of the labels is equally likely under shuffling.
    exact_null = np.array([_every_matching(np.array(arrangement), labels, n_classes=3)[1].max()
                           for arrangement in set(permutations(y_true))])
    scores = cluster_label_scores(y_true, labels, n_permutations=20000, random_state=0)
    assert scores.p_value == pytest.approx(np.mean(exact_null >= observed - 1e-12), abs=0.01)
    assert scores.chance_accuracy == pytest.approx(exact_null.mean(), abs=0.005)
    assert scores.chance_accuracy > 1 / 3  # matching is optimistic: chance is above 1 / n_labels


def test_perfect_clustering_gets_the_smallest_p_value():
    y_true = np.repeat(["a", "b", "c", "d"], 15)
    scores = cluster_label_scores(y_true, np.repeat([3, 1, 0, 2], 15), n_permutations=99, random_state=0)
    assert scores.accuracy == 1 and scores.cohen_kappa == 1 and scores.matthews_corrcoef == 1
    assert scores.p_value == pytest.approx(1 / 100)


def test_more_clusters_than_labels_count_unmatched_clusters_as_errors():
    y_true = np.array(["a", "a", "b", "b", "b"])
    scores = cluster_label_scores(y_true, [0, 0, 1, 1, 2], n_permutations=0)
    assert scores.mapping == {0: "a", 1: "b"}
    assert list(scores.y_pred) == ["a", "a", "b", "b", None]
    assert scores.accuracy == pytest.approx(0.8)
