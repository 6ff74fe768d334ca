"""The generative over-samplers: class counts, novelty, locality, skeleton input, pipelines."""

import warnings
from collections import Counter

import numpy as np
import pytest
import torch
from imblearn.pipeline import Pipeline
from scipy.spatial.distance import cdist
from sklearn.base import clone
from sklearn.datasets import make_blobs
from sklearn.model_selection import GridSearchCV, GroupKFold, cross_val_score
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from skemotion.datasets import make_emotional_gait
from skemotion.motion import KinematicFeatures, SkeletonNormalizer
from skemotion.samplers import GANSampler, NeuralGasSampler, VAESampler
from skemotion.samplers._neural_gas_sampler import units_for_class

FAST = {
    NeuralGasSampler: {},
    VAESampler: dict(max_epochs=3, hidden_size=16),
    GANSampler: dict(max_epochs=3, hidden_size=16),
}


def _sampler(cls, **params):
    return cls(random_state=0, **{**FAST[cls], **params})


@pytest.fixture(scope="module")
def imbalanced_blobs():
    X, y = make_blobs([60, 20, 9], centers=[[0, 0, 0], [8, 0, 0], [0, 8, 0]], random_state=0)
    return X, y


@pytest.fixture(scope="module")
def gaits():
    gait = make_emotional_gait(40, random_state=0)
    keep = np.r_[np.flatnonzero(gait.target == "neutral"), np.flatnonzero(gait.target != "neutral")[::2]]
    return [gait.data[i] for i in keep], gait.target[keep], gait.groups[keep]


@pytest.mark.parametrize("cls", list(FAST))
def test_requested_class_counts(cls, imbalanced_blobs):
    X, y = imbalanced_blobs
    X_res, y_res = _sampler(cls, sampling_strategy={1: 50, 2: 30}).fit_resample(X, y)
    assert Counter(y_res.tolist()) == {0: 60, 1: 50, 2: 30}
    np.testing.assert_array_equal(X_res[: len(X)], X)  # input first, untouched
    X_res, y_res = _sampler(cls).fit_resample(X, y)  # "auto": every class as large as the majority
    assert Counter(y_res.tolist()) == {0: 60, 1: 60, 2: 60}


@pytest.mark.parametrize("covariance", ["full", "diag"])
def test_neural_gas_samples_are_new_but_local(covariance, imbalanced_blobs):
    X, y = imbalanced_blobs
    X_res, y_res = NeuralGasSampler(covariance=covariance, random_state=0).fit_resample(X, y)
    new, y_new = X_res[len(X):], y_res[len(X):]
    distances = cdist(new, X)
    assert distances.min() > 1e-6  # no copy of a training sample
    np.testing.assert_array_equal(y[distances.argmin(axis=1)], y_new)  # nearest real sample is of the same class
    for label in (1, 2):
        own, generated = X[y == label], new[y_new == label]
        low, high = own.min(axis=0), own.max(axis=0)
        # within the class's range, up to the tails of the local Gaussians
        assert np.mean((generated >= low) & (generated <= high)) > 0.85
        assert np.all((generated > 2 * low - high) & (generated < 2 * high - low))
        # the spread matches the class's: neither collapsed onto the units nor blown up
        assert 0.5 < generated.std(axis=0).mean() / own.std(axis=0).mean() < 1.5


def test_units_are_capped_by_class_size(imbalanced_blobs):
    X, y = imbalanced_blobs
    sampler = NeuralGasSampler(n_units=50, random_state=0)
    sampler.fit_resample(X, y)
    assert {label: len(gas.cluster_centers_) for label, gas in sampler.neural_gases_.items()} == {1: 10, 2: 4}
    assert units_for_class(50, 1) == 1


def test_full_covariance_samples_stay_in_the_span_of_local_variations():
    """A class lying on a line in 3-D: full-covariance samples stay on it, diagonal ones leave it."""
    t = np.linspace(-1, 1, 20)[:, np.newaxis]
    line = t * np.array([[1.0, 2.0, -1.0]])
    X = np.vstack([line, np.random.RandomState(0).normal(5, 1, (40, 3))])
    y = np.r_[np.zeros(20, int), np.ones(40, int)]
    for covariance, on_line in (("full", True), ("diag", False)):
        X_res, y_res = NeuralGasSampler(covariance=covariance, random_state=0).fit_resample(X, y)
        new = X_res[len(X):]
        off_line = np.linalg.norm(np.cross(new, [1.0, 2.0, -1.0]), axis=1)
        assert (off_line.max() < 1e-9) == on_line


def test_neural_gas_needs_two_samples_per_class():
    X, y = np.random.RandomState(0).normal(size=(11, 2)), np.r_[np.zeros(10, int), 1]
    with pytest.raises(ValueError, match="at least 2 samples of a class.*class 1 has 1"):
        NeuralGasSampler().fit_resample(X, y)


@pytest.mark.parametrize("cls", list(FAST))
def test_skeleton_sequences_in_and_out(cls, gaits):
    X, y, _ = gaits
    X_res, y_res = _sampler(cls, n_frames=24).fit_resample(X, y)
    assert isinstance(X_res, list) and len(X_res) == len(y_res)
    assert all(a is b for a, b in zip(X_res, X))  # the input sequences come back untouched
    for seq, label in zip(X_res[len(X):], y_res[len(X):]):
        assert seq.shape[1:] == (16, 3) and not np.isnan(seq).any()
        real_lengths = [len(x) for x, lab in zip(X, y) if lab == label]
        if cls is NeuralGasSampler:  # its timing is sampled too: between its class's tempos
            assert min(real_lengths) / 1.5 <= len(seq) <= max(real_lengths) * 1.25
        else:
            assert len(seq) in real_lengths  # a real length of its class
    padded = SkeletonNormalizer(layout="body16", centering=None, scale=False).fit_transform(X)
    X4, y4 = _sampler(cls).fit_resample(padded, y)
    assert X4.shape == (len(y4),) + padded.shape[1:]
    assert Counter(y4.tolist()) == Counter({label: 10 for label in set(y)})


def test_new_sequences_are_as_smooth_as_real_and_within_the_motion_range(gaits):
    # Sequences are mixed after time alignment, not smoothed (smoothing applies to 2-D input only).
    X, y, _ = gaits
    X = SkeletonNormalizer(align_yaw=True, n_frames=30).fit_transform(X)
    new = NeuralGasSampler(layout="body16", random_state=0).fit_resample(X, y)[0][len(X):]
    roughness = lambda Z: np.nanmean(np.abs(np.diff(Z, n=2, axis=1)))  # noqa: E731
    assert 0.5 * roughness(X) < roughness(new) < 1.5 * roughness(X)
    assert np.nanmin(new) > X.min() - 0.5 and np.nanmax(new) < X.max() + 0.5


def test_missing_joints_inside_sequences_are_an_error(gaits):
    X, y, _ = gaits
    X = SkeletonNormalizer(n_frames=20).fit_transform(X)
    X[0, 5, 3] = np.nan
    with pytest.raises(ValueError, match="missing \\(NaN\\) inside a sequence"):
        NeuralGasSampler().fit_resample(X, y)


@pytest.mark.parametrize("cls", list(FAST))
def test_inside_a_cross_validated_pipeline_on_skeletons(cls, gaits):
    X, y, groups = gaits
    pipe = Pipeline([("normalize", SkeletonNormalizer(align_yaw=True, n_frames=20)), ("sampler", _sampler(cls)),
                     ("features", KinematicFeatures(layout="body16")), ("scale", StandardScaler()), ("svc", SVC())])
    grid, cv = [0.1, 10.0], GroupKFold(2)
    search = GridSearchCV(pipe, {"svc__C": grid}, cv=cv, scoring="f1_macro", error_score="raise")
    search.fit(X, y, groups=groups)
    # Reference: each candidate cross-validated on its own, the sampler inside the training folds.
    reference = [cross_val_score(clone(pipe).set_params(svc__C=C), X, y, groups=groups, cv=cv,
                                 scoring="f1_macro").mean() for C in grid]
    np.testing.assert_allclose(search.cv_results_["mean_test_score"], reference)
    assert search.best_params_["svc__C"] == grid[int(np.argmax(reference))]
    assert search.best_estimator_.named_steps["svc"].C == search.best_params_["svc__C"]


@pytest.mark.parametrize("cls", [VAESampler, GANSampler])
def test_neural_samplers_learn_each_class(cls):
    X, y = make_blobs([60, 30], centers=[[0, 0], [6, 0]], random_state=0)
    X_res, y_res = cls(max_epochs=100, random_state=0).fit_resample(X, y)
    new, minority = X_res[len(X):], X[y == 1]
    assert np.linalg.norm(new.mean(axis=0) - minority.mean(axis=0)) < 0.5 * minority.std(axis=0).mean()
    assert np.all(new.std(axis=0) < 2 * minority.std(axis=0))  # the class's spread, not the data's


@pytest.mark.parametrize("cls", [VAESampler, GANSampler])
def test_neural_samplers_are_reproducible_and_leave_torch_seed_alone(cls, imbalanced_blobs):
    X, y = imbalanced_blobs
    state = torch.random.get_rng_state()
    first = _sampler(cls).fit_resample(X, y)[0]
    assert torch.equal(state, torch.random.get_rng_state())
    np.testing.assert_array_equal(_sampler(cls).fit_resample(X, y)[0], first)


def test_full_covariance_draws_match_each_units_covariance():
    """Three far-apart anisotropic blobs, one unit each: the draws around every unit have the covariance of
    the docstring's closed form, ``(S_k + prior_count * S_pooled) / (n_k + prior_count)``, and the units are
    picked in proportion to their samples."""
    rng = np.random.RandomState(0)
    shapes = [np.array([[2.0, 0.0, 0.0], [1.5, 0.5, 0.0], [0.0, 0.3, 0.2]]), np.diag([0.3, 1.0, 0.5]),
              np.array([[1.0, 1.0, 1.0], [0.0, 0.4, -0.4], [0.0, 0.0, 0.1]])]
    blobs = [rng.normal(size=(n, 3)) @ shape + 40.0 * k for k, (n, shape) in enumerate(zip([40, 25, 15], shapes))]
    X = np.vstack([rng.normal(size=(100, 3)) - 40.0] + blobs)
    y = np.r_[np.zeros(100, int), np.ones(80, int)]
    prior_count, n_new = 2.0, 90_000
    sampler = NeuralGasSampler(n_units=3, prior_count=prior_count, random_state=0,
                               sampling_strategy={1: 80 + n_new})
    new = sampler.fit_resample(X, y)[0][len(X):]
    # Back to the sampler's standardised space, where the neural gas lives.
    center, scale = X.mean(axis=0), X.std(axis=0)
    points, Z_new = (X[y == 1] - center) / scale, (new - center) / scale
    gas = sampler.neural_gases_[1]
    units, owner = gas.cluster_centers_, gas.labels_
    assert sorted(np.bincount(owner).tolist()) == [15, 25, 40]  # one unit per blob
    deviations = points - units[owner]
    pooled = deviations.T @ deviations / len(points)
    source = cdist(Z_new, units).argmin(axis=1)
    for k in range(3):
        n_k = np.sum(owner == k)
        expected = (deviations[owner == k].T @ deviations[owner == k] + prior_count * pooled) / (n_k + prior_count)
        around = Z_new[source == k] - units[k]
        observed = around.T @ around / len(around)
        assert abs(len(around) / n_new - n_k / len(points)) < 0.01
        # sampling error of a covariance from ~17,000-45,000 draws: about 1 %
        assert np.linalg.norm(observed - expected) / np.linalg.norm(expected) < 0.04
        np.testing.assert_allclose(around.mean(axis=0), 0.0, atol=0.03 * np.sqrt(expected.diagonal().max()))


def test_neural_gas_n_units_cap_warns_with_the_effective_value():
    X = np.random.default_rng(0).normal(size=(40, 3))
    y = np.repeat([0, 1], [30, 10])  # class 1 holds at most 5 units
    with pytest.warns(UserWarning, match=r"n_units=50 .* effective units per class: 1: 5\.") as record:
        NeuralGasSampler(n_units=50, random_state=0).fit_resample(X, y)
    assert sum("n_units" in str(w.message) for w in record) == 1  # once per fit
    with pytest.warns(UserWarning, match=r"n_units=8 .* effective units per class: 1: 5\."):
        NeuralGasSampler(n_units=8, random_state=0).fit_resample(X, y)  # chosen below the default, still capped
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        NeuralGasSampler(n_units=5, random_state=0).fit_resample(X, y)


def test_gan_sampler_too_short_training_warns_with_advice():
    X = np.random.default_rng(0).normal(size=(40, 3))
    y = np.repeat([0, 1], [30, 10])
    with pytest.warns(UserWarning, match=r"GANSampler trained for only 4 updates .* Raise max_epochs"):
        GANSampler(max_epochs=2, hidden_size=8, random_state=0).fit_resample(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        GANSampler(max_epochs=500, batch_size=20, hidden_size=8, random_state=0).fit_resample(X, y)
