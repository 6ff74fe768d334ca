"""GaitCNNClassifier: learns a visual pattern, infers its input, reproducible, grid-searchable."""

import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, StratifiedKFold, cross_val_score

from skemotion.nn import GaitCNN, GaitCNNClassifier

SMALL = dict(channels=(8, 8), n_groups=2, batch_size=16, lr=0.01)


@pytest.fixture(scope="module")
def stripes():
    """Noisy 3 x 12 x 16 images; the class is whether a bright band lies in the top or the bottom half."""
    rng = np.random.default_rng(0)
    y = np.repeat(["calm", "angry"], 40)
    X = rng.uniform(0, 0.5, size=(80, 3, 12, 16)).astype(np.float32)
    rows = np.where(y == "angry", rng.integers(0, 4, 80), rng.integers(8, 12, 80))
    X[np.arange(80), :, rows] += 0.5
    return X, y


def test_learns_where_the_band_is(stripes):
    X, y = stripes
    model = GaitCNNClassifier(max_epochs=15, random_state=0, **SMALL).fit(X[::2], y[::2])
    assert model.score(X[1::2], y[1::2]) >= 0.9
    assert list(model.classes_) == ["angry", "calm"]
    np.testing.assert_allclose(model.predict_proba(X).sum(axis=1), 1, rtol=1e-5)


def test_input_is_inferred_and_kept_in_fitted_attributes(stripes):
    X, y = stripes
    model = GaitCNNClassifier(max_epochs=1, random_state=0, **SMALL).fit(X, y)
    assert model.input_shape_ == (3, 12, 16) and model.n_features_in_ == 3
    assert isinstance(model.net_.module_, GaitCNN)
    assert model.net_.module_.layers[0].in_channels == 3 and model.net_.module_.layers[-1].out_features == 2
    assert "input_shape" not in model.get_params()
    with pytest.raises(ValueError, match=r"\(3, 12, 16\)"):
        model.predict(X[:, :, :8])


def test_seeded_training_is_reproducible_and_leaves_torch_rng_alone(stripes):
    X, y = stripes
    state = torch.get_rng_state()
    first = GaitCNNClassifier(max_epochs=2, random_state=3, **SMALL).fit(X, y).predict_proba(X)
    np.testing.assert_array_equal(torch.get_rng_state(), state)
    again = GaitCNNClassifier(max_epochs=2, random_state=3, **SMALL).fit(X, y).predict_proba(X)
    other = GaitCNNClassifier(max_epochs=2, random_state=4, **SMALL).fit(X, y).predict_proba(X)
    np.testing.assert_array_equal(first, again)
    assert not np.allclose(first, other)


def test_grid_search_ranks_candidates_as_their_own_cross_validation_does(stripes):
    X, y = stripes
    base, grid, cv = GaitCNNClassifier(max_epochs=3, random_state=0, **SMALL), [1e-4, 3e-2], StratifiedKFold(2)
    search = GridSearchCV(base, {"lr": grid}, cv=cv).fit(X, y)
    # Reference: each candidate cross-validated on its own (seeded training, so the same numbers).
    reference = [cross_val_score(clone(base).set_params(lr=lr), X, y, cv=cv).mean() for lr in grid]
    np.testing.assert_allclose(search.cv_results_["mean_test_score"], reference)
    assert reference[0] != reference[1]  # the learning rate reaches the optimiser
    assert search.best_params_["lr"] == grid[int(np.argmax(reference))]
    best = search.best_estimator_
    assert best.net_.optimizer_.param_groups[0]["lr"] == search.best_params_["lr"]
    assert best.input_shape_ == (3, 12, 16)


def test_bad_input():
    with pytest.raises(ValueError, match="multiples of n_groups"):
        GaitCNNClassifier(channels=(6, 9), n_groups=2).fit(np.zeros((4, 3, 4, 4)), [0, 1, 0, 1])
    with pytest.raises(ValueError, match="GaitImageEmbedding"):
        GaitCNNClassifier().fit(np.zeros((4, 3, 4)), [0, 1, 0, 1])
