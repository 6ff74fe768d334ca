"""NeuralGas against closed forms, k-means and a one-sample-at-a-time reference loop."""

import numpy as np
import pytest
from scipy.spatial.distance import cdist
from sklearn.cluster import KMeans
from sklearn.datasets import make_blobs
from sklearn.utils import check_random_state

from skemotion.cluster import NeuralGas


@pytest.fixture(scope="module")
def blobs():
    X, _ = make_blobs(300, centers=4, n_features=3, random_state=0)
    return X


def _initial_units(X, n_units, seed):
    """The units NeuralGas starts from: distinct samples drawn with its random_state."""
    return X[check_random_state(seed).choice(len(X), n_units, replace=False)]


@pytest.mark.parametrize("algorithm, slack", [("batch", 1.05), ("minibatch", 1.15)])
def test_quantization_error_decreases_and_is_recorded(blobs, algorithm, slack):
    """The error falls to near k-means' (the online rule, one update per batch, converges more slowly)."""
    gas = NeuralGas(8, algorithm=algorithm, max_iter=20, random_state=0).fit(blobs)
    errors = gas.quantization_error_
    assert errors.shape == (21,)
    assert errors[-1] < errors[0]
    kmeans = KMeans(8, n_init=10, random_state=0).fit(blobs)
    assert errors[-1] <= slack * cdist(blobs, kmeans.cluster_centers_).min(axis=1).mean()
    # the recorded values are the real mean distances to the nearest unit
    assert errors[-1] == pytest.approx(cdist(blobs, gas.cluster_centers_).min(axis=1).mean())
    assert errors[0] == pytest.approx(cdist(blobs, _initial_units(blobs, 8, 0)).min(axis=1).mean())


def test_one_unit_is_the_mean():
    X = np.random.RandomState(0).normal(size=(50, 4))
    gas = NeuralGas(1, max_iter=3, random_state=0).fit(X)
    np.testing.assert_allclose(gas.cluster_centers_[0], X.mean(axis=0))
    assert gas.quantization_error_[-1] == pytest.approx(np.linalg.norm(X - X.mean(axis=0), axis=1).mean())


def test_as_many_units_as_samples_without_neighbourhood_gives_zero_error():
    X = np.random.RandomState(1).normal(size=(25, 3))
    gas = NeuralGas(25, max_iter=5, lambda_init=1e-3, lambda_final=1e-3, random_state=0).fit(X)
    assert gas.quantization_error_[-1] == pytest.approx(0.0, abs=1e-12)
    np.testing.assert_array_equal(np.sort(gas.labels_), np.arange(25))


def test_vanishing_neighbourhood_is_lloyds_kmeans(blobs):
    """Batch neural gas with lambda -> 0 weighs only the nearest unit: Lloyd's algorithm from the same start."""
    gas = NeuralGas(6, max_iter=15, lambda_init=1e-3, lambda_final=1e-3, random_state=3).fit(blobs)
    kmeans = KMeans(6, init=_initial_units(blobs, 6, 3), n_init=1, max_iter=15, tol=0, algorithm="lloyd").fit(blobs)
    order_gas, order_km = np.lexsort(gas.cluster_centers_.T), np.lexsort(kmeans.cluster_centers_.T)
    np.testing.assert_allclose(gas.cluster_centers_[order_gas], kmeans.cluster_centers_[order_km], atol=1e-10)


def _online_neural_gas(X, units, order, lr, lam):
    """Martinetz-Schulten's rule, one sample at a time, written as plainly as possible."""
    units = units.copy()
    for step, i in enumerate(order):
        distances = np.linalg.norm(units - X[i], axis=1)
        ranks = np.argsort(np.argsort(distances))
        for k in range(len(units)):
            units[k] += lr[step] * np.exp(-ranks[k] / lam[step]) * (X[i] - units[k])
    return units


def test_minibatch_of_one_is_the_online_algorithm():
    X = np.random.RandomState(2).normal(size=(40, 2))
    n_units, epochs, seed = 5, 3, 7
    gas = NeuralGas(n_units, algorithm="minibatch", batch_size=1, max_iter=epochs, lambda_init=2.5, lambda_final=0.1,
                    lr_init=0.5, lr_final=0.01, random_state=seed).fit(X)
    rng = check_random_state(seed)
    units = X[rng.choice(40, n_units, replace=False)]
    order = np.concatenate([rng.permutation(40) for _ in range(epochs)])
    progress = np.arange(len(order)) / (len(order) - 1)
    reference = _online_neural_gas(X, units, order, 0.5 * (0.01 / 0.5) ** progress, 2.5 * (0.1 / 2.5) ** progress)
    np.testing.assert_allclose(gas.cluster_centers_, reference, atol=1e-12)


def test_history_predict_and_transform(blobs):
    gas = NeuralGas(5, max_iter=7, record_history=True, random_state=0).fit(blobs)
    assert gas.history_.shape == (8, 5, 3)
    np.testing.assert_array_equal(gas.history_[0], _initial_units(blobs, 5, 0))
    np.testing.assert_array_equal(gas.history_[-1], gas.cluster_centers_)
    np.testing.assert_allclose(gas.transform(blobs[:10]), cdist(blobs[:10], gas.cluster_centers_))
    np.testing.assert_array_equal(gas.predict(blobs), gas.labels_)
    assert not hasattr(NeuralGas(5).fit(blobs), "history_")


def test_more_units_than_samples_is_an_error():
    with pytest.raises(ValueError, match="n_samples=3 should be >= n_units=4"):
        NeuralGas(4).fit(np.zeros((3, 2)))
