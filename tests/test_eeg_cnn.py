"""EEGCNNClassifier: shape inference at fit time, scalp grid, seeding, labels, grouped cross-validation."""

import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.model_selection import GroupKFold, LeaveOneGroupOut, cross_val_score
from sklearn.pipeline import make_pipeline
from skorch.dataset import ValidSplit
from skorch.exceptions import NotInitializedError

from skemotion.datasets import make_eeg_emotion
from skemotion.eeg import SEED_CHANNELS, SEED_GRID, EEGBandFeatures
from skemotion.nn import EEGCNN, EEGCNNClassifier

SMALL = dict(module__n_filters=(8,), module__hidden_units=32, max_epochs=15, lr=3e-3, random_state=0)


@pytest.fixture(scope="module")
def de_maps():
    """DE of synthetic SEED-like EEG with a strong emotion effect, as (n_epochs, 62, 5) maps."""
    eeg = make_eeg_emotion(n_subjects=6, n_trials=6, n_epochs_per_trial=2, effect_size=3.0, random_state=0)
    de = EEGBandFeatures(eeg.sfreq).fit_transform(eeg.data)
    return de.reshape(len(de), 62, 5), eeg.target, eeg.groups


@pytest.mark.parametrize("arrangement, cv", [("channels", LeaveOneGroupOut()), ("grid", GroupKFold(3))])
def test_learns_a_separable_problem_across_subjects(de_maps, arrangement, cv):
    X, y, groups = de_maps
    net = EEGCNNClassifier(arrangement=arrangement, **SMALL)
    scores = cross_val_score(net, X, y, groups=groups, cv=cv)
    assert scores.mean() > 0.7  # chance is 1/3; every fold tests subjects never seen in training


def test_pipeline_from_raw_epochs_with_flat_features_and_channel_names():
    eeg = make_eeg_emotion(n_subjects=2, n_trials=6, effect_size=3.0, random_state=1)
    model = make_pipeline(EEGBandFeatures(eeg.sfreq, ch_names=eeg.ch_names),
                          EEGCNNClassifier(ch_names=eeg.ch_names, **SMALL)).fit(eeg.data, eeg.target)
    net = model[-1]
    assert (net.n_channels_in_, net.n_maps_in_) == (62, 5)
    flat = EEGBandFeatures(eeg.sfreq).fit_transform(eeg.data)
    direct = EEGCNNClassifier(**SMALL).fit(flat.reshape(len(flat), 62, 5), eeg.target)
    np.testing.assert_allclose(model.predict_proba(eeg.data), direct.predict_proba(flat.reshape(-1, 62, 5)))


def test_inferred_shape_lives_in_fitted_attributes_not_parameters(de_maps):
    X, y, _ = de_maps
    net = EEGCNNClassifier(arrangement="grid", **SMALL)
    params = net.get_params()
    net.fit(X, y)
    assert net.get_params().keys() == params.keys()
    assert (net.n_channels_in_, net.n_maps_in_, net.grid_.shape) == (62, 5, (9, 9))
    assert net.input_mean_.shape == (62, 5) and net.classes_.tolist() == ["negative", "neutral", "positive"]
    fresh = clone(net)
    assert not hasattr(fresh, "n_maps_in_") and not hasattr(fresh, "module_")
    # A refit on data of another shape rebuilds the module.
    net.set_params(arrangement="channels").fit(X[:, :10, :3], y)
    assert net.module_.head[-1].out_features == 3 and net.n_channels_in_ == 10
    with pytest.raises(ValueError, match="X has 4 values per channel, but EEGCNNClassifier was fitted with 3"):
        net.predict(X[:, :10, :4])


def test_grid_places_seed_channels_on_the_scalp_map():
    module = EEGCNN(62, 2, 3, grid=np.array([[SEED_CHANNELS.index(c) if c != "-" else -1 for c in row]
                                             for row in SEED_GRID]))
    X = torch.arange(1, 63, dtype=torch.float32)[None, :, None].repeat(1, 1, 2)  # value = channel index + 1
    image = module.arrange(X)
    assert image.shape == (1, 2, 9, 9)
    assert image[0, 1, 0, 3] == 1 and image[0, 1, 0, 5] == 3  # FP1, FP2 on the top row
    assert image[0, 0, 4, 4] == SEED_CHANNELS.index("CZ") + 1 and image[0, 0, 8, 6] == SEED_CHANNELS.index("CB2") + 1
    assert image[0, 0, 0, 0] == 0 and (image[0, 0] > 0).sum() == 62


def test_random_state_reproduces_and_leaves_the_global_torch_state_alone(de_maps):
    X, y, _ = de_maps
    state = torch.random.get_rng_state()
    net = EEGCNNClassifier(**SMALL).fit(X, y)
    assert torch.equal(torch.random.get_rng_state(), state)  # fit draws from its own seeded stream
    first = net.predict_proba(X)
    np.testing.assert_array_equal(EEGCNNClassifier(**SMALL).fit(X, y).predict_proba(X), first)
    other = EEGCNNClassifier(**{**SMALL, "random_state": 1}).fit(X, y).predict_proba(X)
    assert not np.allclose(other, first)
    np.testing.assert_allclose(first.sum(axis=1), 1.0)


def test_internal_validation_scores_class_codes(de_maps):
    X, y, _ = de_maps
    net = EEGCNNClassifier(train_split=ValidSplit(4, stratified=True), **SMALL).fit(X, y)
    valid_acc = net.history[:, "valid_acc"]
    assert len(valid_acc) == SMALL["max_epochs"] and valid_acc[-1] > 0.7


def test_partial_fit_classes_and_label_errors(de_maps):
    X, y, _ = de_maps
    net = EEGCNNClassifier(**SMALL)
    some = y != "positive"
    net.partial_fit(X[some], y[some], classes=["negative", "neutral", "positive"])
    assert net.classes_.tolist() == ["negative", "neutral", "positive"]
    net.partial_fit(X, y)  # continues training; "positive" is known
    with pytest.raises(ValueError, match=r"label\(s\) \['angry'\] not in the classes"):
        net.partial_fit(X[:2], ["angry", "neutral"])


def test_configuration_errors(de_maps):
    X, y, _ = de_maps
    with pytest.raises(ValueError, match="no cell in the 9 x 9 scalp grid"):
        EEGCNNClassifier(arrangement="grid", ch_names=["Fp1", "M1"], **SMALL).fit(X[:, :2], y)
    with pytest.raises(ValueError, match="needs ch_names for 10 channels"):
        EEGCNNClassifier(arrangement="grid", **SMALL).fit(X[:, :10], y)
    with pytest.raises(ValueError, match="arrangement"):
        EEGCNNClassifier(arrangement="ring").fit(X, y)
    with pytest.raises(NotInitializedError, match="call fit"):
        EEGCNNClassifier().initialize()
