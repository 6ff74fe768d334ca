"""pairwise_wasserstein and pairwise_sliced_wasserstein against scipy and POT."""

import numpy as np
import ot
import pytest
import sklearn
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import pearsonr, wasserstein_distance

from skemotion.signatures import _wasserstein, pairwise_sliced_wasserstein, pairwise_wasserstein

# Samples with many ties (small integers) or spread values, and constant samples.
_value = st.one_of(st.integers(-3, 3).map(float), st.floats(-50, 50, allow_nan=False, allow_infinity=False))
_sample = st.one_of(
    st.lists(_value, min_size=1, max_size=13),
    st.tuples(st.floats(-5, 5), st.integers(1, 9)).map(lambda c: [c[0]] * c[1]),
)
_samples = st.lists(_sample, min_size=1, max_size=5)


@pytest.fixture(params=["shared grid", "merged pair by pair"])
def kernel_path(request, monkeypatch):
    """Run a test through both kernels: blocks on one merged grid, or pairs merged one by one."""
    monkeypatch.setattr(_wasserstein, "_MIN_BLOCK_PAIRS", 1 if request.param == "shared grid" else 10**9)
    return request.param


def _loop(U, V, distance):
    return np.array([[distance(np.asarray(u), np.asarray(v)) for v in V] for u in U])


def _emd2_squared_cost(u, v):
    u, v = np.asarray(u, dtype=float), np.asarray(v, dtype=float)
    cost = (u[:, None] - v[None, :]) ** 2
    return np.sqrt(ot.emd2(np.full(len(u), 1 / len(u)), np.full(len(v), 1 / len(v)), cost))


@settings(max_examples=40, deadline=None)
@given(U=_samples, V=_samples)
def test_w1_matches_scipy_and_pot_on_unequal_lengths(U, V):
    for path in (1, 10**9):  # shared-grid blocks, then pair-by-pair merges
        _wasserstein._MIN_BLOCK_PAIRS = path
        try:
            D = pairwise_wasserstein(U, V, p=1)
        finally:
            _wasserstein._MIN_BLOCK_PAIRS = 32
        np.testing.assert_allclose(D, _loop(U, V, wasserstein_distance), rtol=0, atol=1e-9)
        np.testing.assert_allclose(D, _loop(U, V, lambda u, v: ot.wasserstein_1d(u, v, p=1)), rtol=0, atol=1e-9)


@settings(max_examples=40, deadline=None)
@given(U=_samples, V=_samples)
def test_w2_matches_pot_1d_and_exact_transport(U, V):
    for path in (1, 10**9):
        _wasserstein._MIN_BLOCK_PAIRS = path
        try:
            D = pairwise_wasserstein(U, V, p=2)
        finally:
            _wasserstein._MIN_BLOCK_PAIRS = 32
        pot = _loop(U, V, lambda u, v: ot.wasserstein_1d(u, v, p=2) ** 0.5)  # POT returns W_p^p
        np.testing.assert_allclose(D, pot, rtol=0, atol=1e-9)
        np.testing.assert_allclose(D, _loop(U, V, _emd2_squared_cost), rtol=0, atol=1e-9)


@pytest.mark.parametrize("p", [1, 2, 1.5, 3])
def test_symmetric_matrix_of_equal_and_mixed_sizes(kernel_path, p):
    rng = np.random.default_rng(0)
    U = [rng.gamma(2.0, size=n) for n in [30] * 8 + [17] * 7 + list(rng.integers(1, 40, 10))]
    D = pairwise_wasserstein(U, p=p)
    reference = _loop(U, U, lambda u, v: ot.wasserstein_1d(u, v, p=p) ** (1 / p))
    np.testing.assert_allclose(D, reference, rtol=0, atol=1e-9)
    assert (np.diag(D) == 0).all() and (D == D.T).all()


@pytest.mark.parametrize("working_memory", [None, 0.01])  # 0.01 MiB: chunks of 8 rows
def test_equal_size_matrices_match_scipy(kernel_path, working_memory):
    rng = np.random.default_rng(1)
    X, Y = rng.normal(size=(40, 64)), rng.standard_t(3, size=(19, 64))
    with sklearn.config_context(working_memory=working_memory):
        for p in (1, 2):
            D, S = pairwise_wasserstein(X, Y, p=p), pairwise_wasserstein(X, p=p)
            pot = lambda u, v, p=p: ot.wasserstein_1d(u, v, p=p) ** (1 / p)  # noqa: E731
            np.testing.assert_allclose(D, _loop(X, Y, pot), atol=1e-12)
            np.testing.assert_allclose(S, _loop(X, X, pot), atol=1e-12)
    np.testing.assert_allclose(pairwise_wasserstein(X, Y), _loop(X, Y, wasserstein_distance), atol=1e-12)


def test_p2_near_duplicates_far_from_the_mean_keep_every_digit(kernel_path):
    """A ``|a|^2 + |b|^2 - 2 a.b`` shortcut would lose every digit here; sums of differences keep them."""
    rng = np.random.default_rng(2)
    base = np.sort(rng.normal(size=200))
    X = base + 1e3 * np.repeat([0.0, 1.0], 20)[:, None] + 1e-6 * rng.normal(size=(40, 200))
    reference = _loop(X, X, lambda u, v: ot.wasserstein_1d(u, v, p=2) ** 0.5)
    assert np.abs(pairwise_wasserstein(X, p=2) - reference).max() < 1e-11


def test_nan_padding_is_ignored_and_chunking_changes_nothing():
    rng = np.random.default_rng(3)
    U = [rng.normal(size=n) for n in (5, 9, 2, 9, 7)]
    padded = np.full((5, 9), np.nan)
    for i, u in enumerate(U):
        padded[i, : len(u)] = u
    np.testing.assert_allclose(pairwise_wasserstein(padded), pairwise_wasserstein(U), atol=1e-15)
    with sklearn.config_context(working_memory=1e-4):  # one row / pair per chunk
        np.testing.assert_allclose(pairwise_wasserstein(U, padded[:3]), pairwise_wasserstein(U, U[:3]), atol=1e-15)


@pytest.mark.parametrize(
    "bad, message",
    [
        ([np.array([1.0, np.inf])], "infinite"),
        ([np.array([np.nan, np.nan])], "no finite sample"),
        ([np.ones((2, 2))], "must be 1-D"),
        ([], "no distribution"),
    ],
)
def test_bad_distributions_raise(bad, message):
    with pytest.raises(ValueError, match=message):
        pairwise_wasserstein(bad)


def test_sliced_matches_pot_with_the_same_projections():
    rng = np.random.default_rng(4)
    clouds = [rng.normal(size=(n, 3)) @ rng.normal(size=(3, 3)) for n in (20, 35, 12, 20)]
    theta = _wasserstein.random_directions(16, 3, random_state=0)
    D = pairwise_sliced_wasserstein(clouds, p=2, projections=theta)
    reference = _loop(clouds, clouds, lambda u, v: ot.sliced_wasserstein_distance(u, v, projections=theta.T, p=2))
    np.testing.assert_allclose(D, reference, atol=1e-10)


def test_sliced_is_below_and_tracks_exact_transport():
    """SW_p <= W_p for any directions, and SW follows the exact W (POT's ot.emd2) across pairs."""
    rng = np.random.default_rng(5)
    clouds = [rng.normal(size=(25, 3)) * rng.uniform(0.3, 2.0, size=3) + rng.normal(size=3) for _ in range(12)]
    sliced = pairwise_sliced_wasserstein(clouds, n_projections=100, p=2, random_state=0)

    def exact(u, v):
        cost = ot.dist(u, v)  # squared Euclidean
        return np.sqrt(ot.emd2(np.full(len(u), 1 / len(u)), np.full(len(v), 1 / len(v)), cost))

    exact_w = _loop(clouds, clouds, exact)
    upper = np.triu_indices(len(clouds), k=1)
    assert (sliced[upper] <= exact_w[upper] + 1e-12).all()
    assert pearsonr(sliced[upper], exact_w[upper]).statistic > 0.95


def test_sliced_ignores_missing_points_and_checks_dimensions():
    rng = np.random.default_rng(6)
    cloud = rng.normal(size=(10, 3))
    holed = np.vstack([cloud, np.full((2, 3), np.nan)])
    np.testing.assert_allclose(
        pairwise_sliced_wasserstein([cloud, cloud + 1], [holed], random_state=0),
        pairwise_sliced_wasserstein([cloud, cloud + 1], [cloud], random_state=0),
    )
    with pytest.raises(ValueError, match="3-D points but V has 2-D"):
        pairwise_sliced_wasserstein([cloud], [cloud[:, :2]])


@pytest.mark.parametrize("p", [1, 2, 1.5])
def test_torch_device_kernel_and_float32_option(kernel_path, p):
    """device="cpu" runs the torch.cdist path; float32 stays within its documented bound of float64."""
    rng = np.random.default_rng(5)
    U = [rng.gamma(2.0, size=n) for n in [50] * 12 + [33] * 9]
    exact = _loop(U, U, lambda u, v: ot.wasserstein_1d(u, v, p=p) ** (1 / p))
    np.testing.assert_allclose(pairwise_wasserstein(U, p=p, device="cpu"), exact, rtol=0, atol=1e-9)
    single = pairwise_wasserstein(U, U[:7], p=p, dtype="float32")
    bound = 1.2e-7 * max(np.abs(u).max() for u in U) + 1e-12
    assert np.abs(single - exact[:, :7]).max() <= bound


def test_power_kernel_matches_scipy_minkowski():
    from scipy.spatial.distance import cdist

    from skemotion.signatures._power_kernel import power_sums

    rng = np.random.default_rng(6)
    A, B = rng.normal(size=(37, 21)), rng.normal(size=(18, 21))  # tiles and groups of four with remainders
    for p in (1.0, 2.0, 3.5):
        np.testing.assert_allclose(power_sums(A, B, p), cdist(A, B, "minkowski", p=p) ** p, rtol=1e-12)
    for rows in (A, A[:35], A[:1]):  # 2 x 4 blocks with odd remainders, on and off the diagonal tiles
        upper = power_sums(rows, rows, 1.0, upper=True)
        np.testing.assert_allclose(upper, np.triu(cdist(rows, rows, "cityblock"), k=1), rtol=1e-12, atol=0)


@pytest.mark.skipif(__import__("torch").cuda.is_available(), reason="a GPU is present")
def test_cuda_without_a_gpu_is_a_clear_error():
    with pytest.raises(ValueError, match="device='cuda' was requested but torch sees no CUDA GPU"):
        pairwise_wasserstein([np.arange(3.0), np.arange(4.0)], device="cuda")
