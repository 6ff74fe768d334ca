"""Generation metrics against closed forms, scipy and brute-force references; TSTR/TRTS without leakage."""

from itertools import combinations

import numpy as np
import pytest
import scipy.linalg
from imblearn.over_sampling import RandomOverSampler
from sklearn.datasets import make_blobs
from sklearn.decomposition import PCA
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold, cross_val_score

from skemotion.metrics import (
    classifier_two_sample_auc,
    diversity,
    embed,
    frechet_distance,
    gaussian_frechet_distance,
    multimodality,
    precision_recall_density_coverage,
    synthesize,
    trts_score,
    tstr_score,
)


def _random_spd(rng, d, rank=None):
    A = rng.normal(size=(d, rank or d))
    return A @ A.T


def test_gaussian_frechet_distance_closed_form_for_commuting_covariances():
    rng = np.random.RandomState(0)
    mean1, mean2 = rng.normal(size=4), rng.normal(size=4)
    var1, var2 = rng.uniform(0.1, 3, 4), rng.uniform(0.1, 3, 4)
    expected = np.sum((mean1 - mean2) ** 2) + np.sum((np.sqrt(var1) - np.sqrt(var2)) ** 2)
    assert gaussian_frechet_distance(mean1, np.diag(var1), mean2, np.diag(var2)) == pytest.approx(expected)


@pytest.mark.parametrize("seed", range(3))
def test_gaussian_frechet_distance_matches_scipy_sqrtm(seed):
    rng = np.random.RandomState(seed)
    cov1, cov2 = _random_spd(rng, 5), _random_spd(rng, 5)
    mean1, mean2 = rng.normal(size=5), rng.normal(size=5)
    reference = (np.sum((mean1 - mean2) ** 2) + np.trace(cov1) + np.trace(cov2)
                 - 2 * np.trace(scipy.linalg.sqrtm(cov1 @ cov2)).real)
    assert gaussian_frechet_distance(mean1, cov1, mean2, cov2) == pytest.approx(reference, rel=1e-8)


def test_gaussian_frechet_distance_of_singular_covariances():
    """Rank-deficient covariances (fewer samples than features): equal ones leave only the mean term."""
    rng = np.random.RandomState(1)
    cov = _random_spd(rng, 6, rank=2)
    assert gaussian_frechet_distance(np.zeros(6), cov, np.ones(6), cov) == pytest.approx(6.0, abs=1e-8)
    # two orthogonal rank-1 covariances: W2^2 = |a|^2 + |b|^2 (the square-root cross term vanishes)
    a, b = np.array([3.0, 0, 0]), np.array([0, 2.0, 0])
    assert gaussian_frechet_distance(np.zeros(3), np.outer(a, a), np.zeros(3), np.outer(b, b)) == pytest.approx(13.0)


def test_frechet_distance_of_samples_approaches_the_analytic_value():
    rng = np.random.RandomState(0)
    cov1, cov2 = _random_spd(rng, 3) / 3, _random_spd(rng, 3) / 3
    mean1, mean2 = np.zeros(3), np.array([1.0, -0.5, 0.2])
    real = rng.multivariate_normal(mean1, cov1, 100_000)
    synthetic = rng.multivariate_normal(mean2, cov2, 100_000)
    expected = gaussian_frechet_distance(mean1, cov1, mean2, cov2)
    assert frechet_distance(real, synthetic) == pytest.approx(expected, rel=0.02)
    assert frechet_distance(real, real) == pytest.approx(0.0, abs=1e-9)


def test_frechet_distance_uses_one_shared_feature_map():
    rng = np.random.RandomState(0)
    real, synthetic = rng.normal(size=(200, 6)), rng.normal(0.5, 1, size=(150, 6))
    pca = PCA(2).fit(real)
    by_transformer = frechet_distance(real, synthetic, features=pca)
    by_hand = frechet_distance(pca.transform(real), pca.transform(synthetic))
    assert by_transformer == pytest.approx(by_hand)
    assert frechet_distance(real, synthetic, features=pca.transform) == pytest.approx(by_hand)
    with pytest.raises(NotFittedError, match="fit it on real data"):
        frechet_distance(real, synthetic, features=PCA(2))
    with pytest.raises(ValueError, match="same dimension"):
        frechet_distance(real, synthetic, features=lambda X: X[:, : len(X) % 4 + 1])


def test_embed_flattens_sequences_and_refuses_padding():
    assert embed(np.ones((3, 5, 2, 3))).shape == (3, 30)
    with pytest.raises(ValueError, match="NaN"):
        embed([np.ones((5, 2, 3)), np.ones((4, 2, 3))])


def test_diversity_is_the_mean_distance_between_distinct_samples():
    rng = np.random.RandomState(0)
    X = rng.normal(size=(12, 3))
    brute = np.mean([np.linalg.norm(X[i] - X[j]) for i, j in combinations(range(12), 2)])
    assert diversity(X) == pytest.approx(brute)
    assert diversity(X, n_pairs=200_000, random_state=0) == pytest.approx(brute, rel=0.01)


def test_multimodality_averages_within_class_diversity_over_classes():
    rng = np.random.RandomState(0)
    X, y = rng.normal(size=(15, 2)), np.repeat([0, 1, 2], 5)
    expected = np.mean([np.mean([np.linalg.norm(X[i] - X[j]) for i, j in combinations(np.flatnonzero(y == c), 2)])
                        for c in range(3)])
    assert multimodality(X, y) == pytest.approx(expected)
    with pytest.raises(ValueError, match="class 2 has 1"):
        multimodality(X[:11], y[:11])


def _brute_force_prdc(real, fake, k):
    def kth(A, i):
        return sorted(np.linalg.norm(A[i] - A[j]) for j in range(len(A)) if j != i)[k - 1]

    r = [kth(real, i) for i in range(len(real))]
    s = [kth(fake, j) for j in range(len(fake))]
    d = lambda a, b: np.linalg.norm(a - b)  # noqa: E731
    precision = np.mean([any(d(f, x) < r[i] for i, x in enumerate(real)) for f in fake])
    recall = np.mean([any(d(x, f) < s[j] for j, f in enumerate(fake)) for x in real])
    density = sum(d(f, x) < r[i] for f in fake for i, x in enumerate(real)) / (k * len(fake))
    coverage = np.mean([min(d(x, f) for f in fake) < r[i] for i, x in enumerate(real)])
    return {"precision": precision, "recall": recall, "density": density, "coverage": coverage}


@pytest.mark.parametrize("chunk_size", [4, 1024])
def test_precision_recall_density_coverage_against_brute_force(chunk_size):
    rng = np.random.RandomState(0)
    real, fake = rng.normal(size=(30, 2)), rng.normal(0.7, 1.3, size=(25, 2))
    scores = precision_recall_density_coverage(real, fake, n_neighbors=3, chunk_size=chunk_size)
    reference = _brute_force_prdc(real, fake, 3)
    assert scores == pytest.approx(reference)
    assert 0 < scores["coverage"] < 1 and 0 < scores["precision"] < 1


def test_copies_of_real_samples_have_perfect_precision_and_coverage():
    real = np.random.RandomState(0).normal(size=(40, 3))
    scores = precision_recall_density_coverage(real, real.copy(), n_neighbors=3)
    assert scores["precision"] == scores["recall"] == scores["coverage"] == 1.0
    # a copy of x_j sits in the balls of the x_i it is strictly inside: its own and, summed over all copies,
    # the k - 1 strictly nearer neighbours of every x_i: k balls per copy on average, density 1
    assert scores["density"] == pytest.approx(1.0)


def test_classifier_two_sample_auc_detects_shifts_only():
    rng = np.random.RandomState(0)
    real = rng.normal(size=(150, 4))
    assert abs(classifier_two_sample_auc(real, rng.normal(size=(150, 4)), random_state=0) - 0.5) < 0.12
    assert classifier_two_sample_auc(real, rng.normal(2, 1, size=(150, 4)), random_state=0) > 0.95


class _SpySampler(RandomOverSampler):
    """RandomOverSampler that records which samples it was fitted on (by their unique first feature)."""

    seen = []

    def _fit_resample(self, X, y):
        _SpySampler.seen.append(set(np.round(X[:, 0], 12)))
        return super()._fit_resample(X, y)


@pytest.fixture()
def grouped_data():
    X, y = make_blobs(90, centers=3, n_features=4, random_state=0)
    X[:, 0] += np.arange(90) * 1e-3  # a unique key per sample
    return X, y, np.arange(90) // 9


def test_tstr_never_shows_the_test_fold_to_the_generator(grouped_data):
    X, y, groups = grouped_data
    _SpySampler.seen.clear()
    cv = GroupKFold(5)
    scores = tstr_score(_SpySampler(random_state=0), LogisticRegression(), X, y, groups=groups, cv=cv)
    assert scores.shape == (5,) and np.all(scores > 0.9)
    for seen, (train, _) in zip(_SpySampler.seen, cv.split(X, y, groups)):
        assert seen == set(np.round(X[train, 0], 12))


def test_tstr_on_copies_equals_training_on_the_copies(grouped_data):
    """With an explicit split, TSTR is the test score of a model trained on exactly the generated set."""
    X, y, groups = grouped_data
    train, test = np.flatnonzero(groups < 7), np.flatnonzero(groups >= 7)
    X_syn, y_syn = synthesize(RandomOverSampler(random_state=0), X[train], y[train])
    expected = LogisticRegression().fit(X_syn, y_syn).score(X[test], y[test])
    score = tstr_score(RandomOverSampler(random_state=0), LogisticRegression(), X, y, cv=[(train, test)],
                       scoring="accuracy")
    assert score == pytest.approx([expected])
    trts = trts_score(RandomOverSampler(random_state=0), LogisticRegression(), X, y, cv=[(train, test)],
                      scoring="accuracy")
    assert trts == pytest.approx([LogisticRegression().fit(X[train], y[train]).score(X_syn, y_syn)])
    # on blobs the real classifier generalises, so train-on-real-test-on-real is as high
    assert cross_val_score(LogisticRegression(), X, y, cv=[(train, test)]).mean() >= 0.9


def test_synthesize_mirrors_class_sizes_and_rejects_samplers_that_drop_the_input(grouped_data):
    X, y, _ = grouped_data
    X_syn, y_syn = synthesize(RandomOverSampler(random_state=0), X, y, n_per_class={0: 4, 1: 2})
    assert X_syn.shape == (6, 4) and sorted(y_syn.tolist()) == [0, 0, 0, 0, 1, 1]

    class Shuffling(RandomOverSampler):
        def _fit_resample(self, X, y):
            X_res, y_res = super()._fit_resample(X, y)
            order = np.random.RandomState(0).permutation(len(y_res))
            return X_res[order], y_res[order]

    with pytest.raises(ValueError, match="did not return its input followed by new samples"):
        synthesize(Shuffling(random_state=0), X, y)
