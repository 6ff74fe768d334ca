"""The field's models: ST-GCN, STEP's affective features, MotionVAE, DGCNN and the braindecode wrapper."""

import pickle
import warnings

import numpy as np
import pytest
import torch
from numpy.testing import assert_allclose, assert_array_equal
from scipy.sparse.csgraph import shortest_path
from scipy.special import softmax
from sklearn.base import clone
from sklearn.linear_model import LogisticRegression
from sklearn.utils import estimator_checks

from skemotion.eeg import SEED_CHANNELS
from skemotion.motion import AffectiveFeatures
from skemotion.nn import (
    BraindecodeClassifier,
    DGCNNClassifier,
    MotionVAE,
    STGCNClassifier,
    ViewGroupGaitCNNClassifier,
)
from skemotion.nn._dgcnn import distance_adjacency
from skemotion.nn._motion_vae import MaskedELBOLoss
from skemotion.nn._stgcn import STGCN, input_streams, spatial_partitions
from skemotion.skeleton import SkeletonLayout, get_layout, layout_from_rig
from skemotion.utils import all_estimators

CHAIN = SkeletonLayout("chain5", ("a", "b", "c", "d", "e"), (-1, 0, 1, 2, 3))


def _waving(n_samples=40, n_frames=8, seed=0):
    """Chain skeletons whose tip joint moves up (class 1) or down (class 0) over time, plus noise."""
    rng = np.random.default_rng(seed)
    y = np.arange(n_samples) % 2
    X = np.zeros((n_samples, n_frames, 5, 3))
    X[..., 0] = np.arange(5)  # joints along x
    t = np.linspace(0, 1, n_frames)
    X[:, :, 4, 1] = np.where(y[:, None] == 1, t, -t)
    return X + 0.05 * rng.standard_normal(X.shape), y


def _small_stgcn(**params):
    return STGCNClassifier(**{"layout": CHAIN, "channels": (8, 8), "temporal_kernel": 3, "max_epochs": 30,
                              "lr": 0.01, "random_state": 0, **params})


# --- ST-GCN graph ---

def test_partitions_follow_hop_distance_to_the_centre():
    layout = get_layout("body16")
    A = spatial_partitions(layout.n_joints, layout.bones, center=0)
    adjacency = np.zeros((16, 16))
    adjacency[layout.bones[:, 0], layout.bones[:, 1]] = 1
    hops = shortest_path(adjacency, directed=False, unweighted=True)[0]  # scipy's BFS, the reference
    neighbourhood = np.eye(16) + adjacency + adjacency.T
    for j, i in zip(*np.nonzero(neighbourhood)):
        expected = 0 if hops[j] == hops[i] else 1 if hops[j] < hops[i] else 2
        assert A[expected, j, i] == pytest.approx(1 / neighbourhood[:, i].sum())
        assert A[:, j, i].sum() == pytest.approx(A[expected, j, i])
    assert_allclose(A.sum(axis=(0, 1)), np.ones(16))
    assert (A.sum(axis=0)[neighbourhood == 0] == 0).all()


def test_graph_from_a_bvh_rig_layout():
    rig = layout_from_rig("rig4", ("hips", "spine", "head", "leg"), (-1, 0, 1, 0))
    X, y = _waving(12, 6)
    model = _small_stgcn(layout=rig, max_epochs=1).fit(X[:, :, :4], y)
    assert model.layout_ is rig
    assert model.adjacency_[1, 0, 1] > 0 and model.adjacency_[2, 1, 0] > 0  # hips closer to, spine farther


def test_auto_layout_is_refused_when_unknown():
    X = np.zeros((4, 5, 5, 3)) + np.arange(5)[:, None]
    with pytest.raises(ValueError, match="cannot tell the layout of 5 joints"):
        STGCNClassifier(max_epochs=1).fit(X, [0, 1, 0, 1])


def test_channels_must_be_multiples_of_four():
    X, y = _waving(8)
    with pytest.raises(ValueError, match="multiples of 4"):
        _small_stgcn(channels=(6,)).fit(X, y)


# --- ST-GCN training ---

def test_stgcn_learns_a_separable_problem():
    X, y = _waving(40)
    X_test, y_test = _waving(20, seed=1)
    model = _small_stgcn().fit(X, y)
    assert (model.predict(X_test) == y_test).mean() >= 0.8  # logistic regression: 1.0


def test_stgcn_masks_missing_joints():
    """A NaN joint is zero after standardisation, its mask channel is 0, and predictions stay finite."""
    X, y = _waving(12)
    module = STGCN(3, 2, spatial_partitions(5, CHAIN.bones, 0), mean=np.ones(3), scale=2 * np.ones(3),
                   channels=(4,))
    X_missing = X.copy()
    X_missing[0, 2, 3] = np.nan
    features, mask = module.features(torch.as_tensor(X_missing, dtype=torch.float32))
    assert_array_equal(features[0, :, 2, 3].numpy(), np.zeros(4))
    assert_allclose(features[0, :3, 2, 2].numpy(), (X[0, 2, 2] - 1) / 2, rtol=1e-6)
    assert features[0, 3, 2, 2] == 1 and mask[0, 0, 2, 3] == 0
    model = _small_stgcn(max_epochs=2).fit(X_missing, y)
    assert np.isfinite(model.predict_proba(X_missing)).all()
    # A missing joint is not a joint at the origin: the mask channel tells them apart.
    X_zero = np.where(np.isnan(X_missing), 0.0, X_missing)
    assert not np.allclose(model.predict_proba(X_missing[:1]), model.predict_proba(X_zero[:1]))


def test_input_streams_are_positions_velocities_and_bones():
    X, _ = _waving(3, 6)
    streams = input_streams(torch.as_tensor(X), ("position", "velocity", "bone"), [0, 0, 1, 2, 3]).numpy()
    assert_allclose(streams[..., :3], X)
    assert_allclose(streams[:, :-1, :, 3:6], np.diff(X, axis=1))  # numpy's differences, the reference
    assert np.isnan(streams[:, -1, :, 3:6]).all()  # no next frame: missing, hence masked
    assert_allclose(streams[:, :, 2, 6:], X[:, :, 2] - X[:, :, 1])
    assert_allclose(streams[:, :, 0, 6:], 0.0)  # the root has no bone


def test_stgcn_standardises_each_stream_on_the_training_set():
    X, y = _waving(12)
    model = _small_stgcn(max_epochs=1).fit(X, y)
    velocities = np.diff(X, axis=1).reshape(-1, 3)
    assert_allclose(model.input_mean_[:3], X.reshape(-1, 3).mean(axis=0), rtol=1e-5, atol=1e-6)
    assert_allclose(model.input_scale_[3:6], velocities.std(axis=0), rtol=1e-4)
    assert model.module_.blocks[0].spatial.in_channels == 10  # 3 streams x 3 coordinates + the mask
    with pytest.raises(ValueError, match="inputs must be distinct names"):
        _small_stgcn(inputs=("position", "speed")).fit(X, y)


def test_stgcn_accepts_ragged_sequences():
    X, y = _waving(8)
    model = _small_stgcn(max_epochs=1).fit([x[: 5 + i % 3] for i, x in enumerate(X)], y)
    assert model.predict_proba([X[0][:4], X[1]]).shape == (2, 2)


def test_stgcn_is_reproducible_and_pickles():
    X, y = _waving(16)
    first = _small_stgcn(max_epochs=3).fit(X, y).predict_proba(X)
    model = clone(_small_stgcn(max_epochs=3)).fit(X, y)
    assert_array_equal(model.predict_proba(X), first)
    assert not np.allclose(_small_stgcn(max_epochs=3, random_state=1).fit(X, y).predict_proba(X), first)
    assert_array_equal(pickle.loads(pickle.dumps(model)).predict_proba(X), first)


def test_stgcn_refuses_a_missing_gpu():
    if torch.cuda.is_available():
        pytest.skip("a GPU exists here")
    X, y = _waving(8)
    with pytest.raises(ValueError, match=r"STGCNClassifier: device=.cuda. was asked for"):
        _small_stgcn(device="cuda").fit(X, y)


# --- affective features ---

def _t_pose(n_frames=3, hand_speed=0.0):
    """A body16 pose with known geometry; the right hand moves along x at ``hand_speed`` per frame."""
    layout = get_layout("body16")
    joints = {
        "root": (0, 0, 0), "spine": (0, 0.5, 0), "neck": (0, 1, 0), "head": (0, 1.3, 0),
        "left_shoulder": (0.2, 1, 0), "left_elbow": (0.5, 1, 0), "left_hand": (0.8, 1, 0),
        "right_shoulder": (-0.2, 1, 0), "right_elbow": (-0.5, 1, 0), "right_hand": (-0.8, 1, 0),
        "left_hip": (0.1, 0, 0), "left_knee": (0.1, -0.5, 0), "left_foot": (0.1, -1, 0),
        "right_hip": (-0.1, 0, 0), "right_knee": (-0.1, -0.5, 0), "right_foot": (-0.3, -1, 0),
    }
    pose = np.array([joints[name] for name in layout.joint_names], dtype=float)
    X = np.repeat(pose[None, None], n_frames, axis=1)
    X[0, :, layout.index("right_hand"), 0] -= hand_speed * np.arange(n_frames)
    return X


def test_affective_features_match_the_geometry():
    features = AffectiveFeatures(frame_rate=10.0).fit(_t_pose())
    values = dict(zip(features.get_feature_names_out(), features.transform(_t_pose(hand_speed=0.1))[0]))
    assert values["angle_neck_shoulders_mean"] == pytest.approx(np.pi)
    assert values["angle_neck_vertical_back_mean"] == pytest.approx(np.pi)  # upright: back points down
    assert values["angle_neck_head_back_mean"] == pytest.approx(np.pi)
    assert values["distance_left_hand_root_mean"] == pytest.approx(np.hypot(0.8, 1))
    assert values["distance_feet_mean"] == pytest.approx(0.4) and values["stride_length"] == pytest.approx(0.4)
    assert values["area_feet_root_mean"] == pytest.approx(0.5 * 0.4 * 1)
    assert values["volume_mean"] == pytest.approx(0)  # a flat pose has no depth
    assert values["speed_right_hand_mean"] == pytest.approx(1.0)  # 0.1 per frame at 10 frames per second
    assert values["speed_left_hand_mean"] == pytest.approx(0.0)
    assert values["acceleration_right_hand_mean"] == pytest.approx(0.0, abs=1e-9)


def test_affective_features_skip_missing_frames():
    X = _t_pose(4)
    X[0, 1, get_layout("body16").index("left_hand")] = np.nan
    features = AffectiveFeatures(frame_rate=30.0).fit(X)
    values = dict(zip(features.get_feature_names_out(), features.transform(X)[0]))
    assert values["distance_left_hand_root_mean"] == pytest.approx(np.hypot(0.8, 1))
    assert values["distance_left_hand_root_std"] == pytest.approx(0.0)


def test_affective_features_need_body16_joints():
    with pytest.raises(ValueError, match="has 16 joints but the data has 5"):
        AffectiveFeatures(layout="body16", frame_rate=30.0).fit(np.zeros((2, 3, 5, 3)))


AFFECTIVE_API_CHECKS = [
    "check_estimator_cloneable", "check_estimator_repr", "check_no_attributes_set_in_init",
    "check_parameters_default_constructible", "check_get_params_invariance", "check_set_params",
    "check_do_not_raise_errors_in_init_or_set_params", "check_mixin_order", "check_valid_tag_types",
    "check_estimator_tags_renamed",
]


@pytest.mark.parametrize("check", AFFECTIVE_API_CHECKS)
def test_affective_features_api_checks(check):
    """scikit-learn runs no check on skeleton-only input (two_d_array=False): run those that apply."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        getattr(estimator_checks, check)("AffectiveFeatures", AffectiveFeatures())


def test_affective_features_clone_and_pickle():
    X = _t_pose(hand_speed=0.1)
    features = AffectiveFeatures(frame_rate=5.0).fit(X)
    assert_array_equal(pickle.loads(pickle.dumps(features)).transform(X), features.transform(X))
    assert clone(features).get_params() == features.get_params()


# --- MotionVAE ---

def _two_motions(n_samples=40, seed=0):
    """One 1-D joint oscillating as a sine (class 0) or a cosine (class 1), random amplitude and noise."""
    rng = np.random.default_rng(seed)
    y = np.arange(n_samples) % 2
    t = np.linspace(0, 2 * np.pi, 16)
    wave = np.where(y[:, None] == 1, np.cos(t), np.sin(t)) * rng.uniform(0.8, 1.2, (n_samples, 1))
    return (wave + 0.05 * rng.standard_normal(wave.shape))[:, :, None, None], y


def _small_vae(**params):
    return MotionVAE(**{"latent_dim": 2, "hidden_channels": 8, "max_epochs": 60, "lr": 3e-3, "random_state": 0,
                        **params})


def test_motion_vae_latents_separate_two_motions():
    X, y = _two_motions()
    X_test, y_test = _two_motions(20, seed=1)
    vae = _small_vae().fit(X)
    classifier = LogisticRegression().fit(vae.transform(X), y)
    assert classifier.score(vae.transform(X_test), y_test) >= 0.9
    # The reconstruction beats the training mean (the decoder learnt the motions, not only their mean).
    error = np.mean((vae.inverse_transform(vae.transform(X_test)) - X_test) ** 2)
    assert error < 0.5 * np.mean((X.mean(axis=0) - X_test) ** 2)


def test_masked_elbo_counts_observed_values_only():
    target = torch.tensor([[[[1.0], [2.0]], [[3.0], [4.0]]]])  # (1, 2 frames, 2 joints, 1 dim)
    mask = torch.tensor([[[[True], [False]], [[True], [True]]]])
    reconstruction = torch.zeros_like(target)
    mean, log_var = torch.zeros(1, 2), torch.zeros(1, 2)
    loss = MaskedELBOLoss(beta=1.0)((reconstruction, mean, log_var, target, mask))
    assert loss.item() == pytest.approx(1 + 9 + 16)  # the masked 2 ** 2 is left out; the KL of N(0, 1) is 0
    kl_only = MaskedELBOLoss(beta=2.0)((target, torch.ones(1, 2), torch.zeros(1, 2), target, mask))
    assert kl_only.item() == pytest.approx(2.0 * 0.5 * 2)  # beta * sum of mean ** 2 / 2


def test_motion_vae_ignores_the_values_of_missing_joints():
    X, _ = _two_motions(12)
    X[0, 3] = np.nan
    vae = _small_vae(max_epochs=2).fit(X)
    Z = vae.transform(X)
    assert np.isfinite(Z).all()
    shorter = vae.transform(X[:, :10])  # shorter sequences are padded with missing frames
    X_padded = X.copy()
    X_padded[:, 10:] = np.nan
    assert_allclose(shorter, vae.transform(X_padded))
    with pytest.raises(ValueError, match="fitted on 16 frames"):
        vae.transform(np.zeros((2, 20)))


def test_motion_vae_is_reproducible_samples_and_pickles():
    X, _ = _two_motions(12)
    vae = _small_vae(max_epochs=3).fit(X)
    assert_array_equal(clone(_small_vae(max_epochs=3)).fit(X).transform(X), vae.transform(X))
    assert_array_equal(vae.sample(3, random_state=0), vae.sample(3, random_state=0))
    assert vae.sample(3, random_state=0).shape == (3, 16, 1, 1)
    assert_array_equal(pickle.loads(pickle.dumps(vae)).transform(X), vae.transform(X))
    with pytest.raises(ValueError, match="latent codes of this MotionVAE have 2"):
        vae.inverse_transform(np.zeros((1, 3)))


def test_motion_vae_is_a_skorch_net_of_the_one_base():
    X, _ = _two_motions(8)
    vae = _small_vae(max_epochs=1, module__n_bins=2).fit(X)  # skorch's prefixed parameters reach the module
    assert vae.module_.encoder[-1].in_features == 8 * 2 and vae.net_ is vae
    assert not hasattr(vae, "predict")  # an autoencoder predicts nothing
    vae.partial_fit(X)  # one more epoch, on the same network
    assert len(vae.history_) == 2
    with pytest.raises(ValueError, match="fitted on samples of shape"):
        vae.partial_fit(X[:, :10])


# --- DGCNN ---

def test_distance_adjacency_is_a_gaussian_kernel():
    positions = np.random.default_rng(0).standard_normal((5, 3))
    A = distance_adjacency(positions, sigma=0.7)
    d2 = ((positions[:, None] - positions[None]) ** 2).sum(-1)
    expected = np.exp(-d2 / (2 * 0.7**2)) * (1 - np.eye(5))
    assert_allclose(A, expected)


def test_dgcnn_starts_from_electrode_distances():
    X = np.random.default_rng(0).standard_normal((6, 62, 5))
    model = DGCNNClassifier(max_epochs=1, random_state=0).fit(X, [0, 1, 2] * 2)
    cz = SEED_CHANNELS.index("CZ")
    nearest = {SEED_CHANNELS[i] for i in np.argsort(-model.initial_adjacency_[cz])[:4]}
    assert nearest == {"C1", "C2", "FCZ", "CPZ"}
    assert_allclose(model.adjacency_, model.adjacency_.T)
    assert (model.adjacency_ >= 0).all()


def _band_features(n_samples=60, seed=0):
    rng = np.random.default_rng(seed)
    y = np.arange(n_samples) % 3
    X = rng.standard_normal((n_samples, 8, 5))
    X[:, :4, 0] += 4.0 * y[:, None]  # the class sits in one band of half the channels
    return X, y


def test_dgcnn_learns_a_separable_problem():
    X, y = _band_features()
    X_test, y_test = _band_features(30, seed=1)
    model = DGCNNClassifier(max_epochs=60, lr=0.01, random_state=0).fit(X, y)
    assert (model.predict(X_test) == y_test).mean() >= 0.8  # logistic regression: 1.0


def test_dgcnn_reads_2d_features_with_channel_names_and_rejects_nan():
    X, y = _band_features(12)
    names = ["FZ", "CZ", "PZ", "OZ", "C3", "C4", "F3", "F4"]
    model = DGCNNClassifier(ch_names=names, max_epochs=2, random_state=0).fit(X.reshape(12, -1), y)
    assert model.n_channels_in_ == 8 and model.n_bands_in_ == 5
    assert_array_equal(model.predict_proba(X.reshape(12, -1)), clone(model).fit(X.reshape(12, -1), y)
                       .predict_proba(X.reshape(12, -1)))
    assert_array_equal(pickle.loads(pickle.dumps(model)).predict(X.reshape(12, -1)), model.predict(X.reshape(12, -1)))
    X[0, 0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        model.predict(X)


# --- braindecode ---

def test_braindecode_wrapper_without_braindecode():
    if BraindecodeClassifier._unavailable_reason is None:
        pytest.skip("braindecode imports here")
    assert "BraindecodeClassifier" not in dict(all_estimators())
    with pytest.raises(ImportError, match="BraindecodeClassifier needs braindecode"):
        BraindecodeClassifier().fit(np.zeros((4, 2, 64)), [0, 1, 0, 1])


_NEEDS_BRAINDECODE = pytest.mark.skipif(
    BraindecodeClassifier._unavailable_reason is not None,
    reason="braindecode does not import here (the test extra installs braindecode==0.8.1, which needs no "
           "torchaudio; docs/models.rst)")


def _alpha_epochs(n_epochs=40, seed=0, n_times=256):
    """4-channel epochs at 128 Hz; class 1 carries a 10 Hz rhythm on channel 0, both classes white noise."""
    rng = np.random.default_rng(seed)
    y = np.arange(n_epochs) % 2
    t = np.arange(n_times) / 128.0
    X = rng.standard_normal((n_epochs, 4, n_times))
    X[:, 0] += 3 * y[:, None] * np.sin(2 * np.pi * 10 * t + rng.uniform(0, 2 * np.pi, (n_epochs, 1)))
    return X * 1e-5, y


@_NEEDS_BRAINDECODE
@pytest.mark.parametrize("model", ["EEGNet", "ShallowFBCSPNet", "Deep4Net"])
def test_braindecode_networks_fit_eeg_arrays(model):
    # Fewer epochs than batch_size: the one short batch must still train. 4 s epochs: Deep4Net's four
    # conv-pool blocks need 441 samples or more.
    X, y = _alpha_epochs(12, n_times=512)
    clf = BraindecodeClassifier(model, max_epochs=1, random_state=0).fit(X, y)
    assert clf.predict_proba(X).shape == (12, 2) and clf.n_times_ == 512
    assert len(clf.net_.history) == 1 and np.isfinite(clf.net_.history[-1, "train_loss"])


@_NEEDS_BRAINDECODE
def test_braindecode_eegnet_learns_a_rhythm_and_is_reproducible():
    X, y = _alpha_epochs(80)
    X_test, y_test = _alpha_epochs(40, seed=1)
    clf = BraindecodeClassifier("EEGNet", max_epochs=30, batch_size=16, lr=0.01, random_state=0).fit(X, y)
    assert (clf.predict(X_test) == y_test).mean() >= 0.9
    np.testing.assert_allclose(clone(clf).fit(X, y).predict_proba(X_test), clf.predict_proba(X_test), rtol=1e-5)
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(clf)).predict(X_test), clf.predict(X_test))
    with pytest.raises(ValueError, match="epochs of 200 samples; the network was fitted on 256"):
        clf.predict(X_test[..., :200])


@_NEEDS_BRAINDECODE
@pytest.mark.parametrize("n_times, starts", [(10, [0, 3, 6]), (11, [0, 3, 6, 7]), (4, [0])])
def test_braindecode_windows_cover_the_epoch(n_times, starts):
    clf = BraindecodeClassifier(crop_size=4, crop_stride=3)
    clf.window_size_, clf.window_stride_ = 4, 3
    X = np.arange(2 * 3 * n_times, dtype=float).reshape(2, 3, n_times)
    windows = clf._windows(X)
    assert windows.shape == (2, len(starts), 3, 4)
    for k, start in enumerate(starts):  # the last window ends at the epoch's end
        np.testing.assert_array_equal(windows[:, k], X[:, :, start:start + 4])


@_NEEDS_BRAINDECODE
def test_braindecode_cropped_training_predicts_the_mean_over_windows():
    X, y = _alpha_epochs(80)
    X_test, y_test = _alpha_epochs(40, seed=1, n_times=320)  # longer epochs than those of training
    clf = BraindecodeClassifier("EEGNet", crop_size=128, crop_stride=64, max_epochs=15, batch_size=16, lr=0.01,
                                random_state=0).fit(X, y)
    assert clf.window_size_ == 128 and clf.n_times_ == 256
    assert len(clf.net_.history) == 15
    assert (clf.predict(X_test) == y_test).mean() >= 0.9
    # Reference: the network's softmax on each 128-sample slice (starts 0, 64, 128, 192), averaged.
    module = clf.net_.module_.double().eval()
    standardised = (X_test - clf.channel_mean_) / clf.channel_scale_
    with torch.no_grad():
        per_window = [torch.softmax(module(torch.as_tensor(standardised[:, :, s:s + 128])), dim=1).numpy()
                      for s in (0, 64, 128, 192)]
    np.testing.assert_allclose(clf.predict_proba(X_test), np.mean(per_window, axis=0), rtol=1e-6)
    with pytest.raises(ValueError, match="shorter than the network's windows of crop_size=128"):
        clf.predict(X_test[..., :100])
    with pytest.raises(ValueError, match="crop_size=300 is longer than the epochs"):
        clone(clf).set_params(crop_size=300).fit(X, y)
    # Prediction follows the fitted windows, not parameters set after the fit.
    expected = clf.predict_proba(X_test)
    np.testing.assert_array_equal(clf.set_params(crop_size=None, crop_stride=1).predict_proba(X_test), expected)


@_NEEDS_BRAINDECODE
def test_recommended_braindecode_pipeline_prewhitens_and_crops():
    from skemotion.benchmark import braindecode_network

    X, y = _alpha_epochs(80)
    X_test, y_test = _alpha_epochs(40, seed=1)
    model = braindecode_network(128.0, "ShallowFBCSPNet", random_state=0).fit(X, y)
    whitener, network = model[0], model[-1]
    assert whitener.coef_.shape == (4, 8) and (network.window_size_, network.crop_stride) == (128, 64)
    assert (model.predict(X_test) == y_test).mean() >= 0.9
    assert braindecode_network(200.0, "Deep4Net")[-1].crop_size == 500  # Deep4Net's receptive field is 441


@_NEEDS_BRAINDECODE
@pytest.mark.parametrize("check", AFFECTIVE_API_CHECKS)
def test_braindecode_api_checks(check):
    """scikit-learn runs no check on 3-D-only input (two_d_array=False): run those that apply."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        getattr(estimator_checks, check)("BraindecodeClassifier", BraindecodeClassifier())


# --- ProxEmo's view-group head ---

def _small_view_model(**params):
    return ViewGroupGaitCNNClassifier(**{"views_per_group": 1, "image_size": (8, 16), "channels": (4, 8),
                                         "max_epochs": 25, "lr": 0.01, "random_state": 0, **params})


def _raised_arm(n_samples=24, seed=0):
    """Body16 poses with the left hand raised (class 1) or lowered (class 0), facing +z."""
    rng = np.random.default_rng(seed)
    y = np.arange(n_samples) % 2
    X = np.repeat(_t_pose(6), n_samples, axis=0) + 0.02 * rng.standard_normal((n_samples, 6, 16, 3))
    X[:, :, get_layout("body16").index("left_hand"), 1] += np.where(y == 1, 0.6, -0.6)[:, None]
    return X, y


def test_view_group_head_learns_and_reads_four_views():
    X, y = _raised_arm()
    X_test, y_test = _raised_arm(12, seed=1)
    model = _small_view_model().fit(X, y)
    assert model.net_.module_.layers[-1].out_features == 2 * 4  # emotion x view group
    assert (model.predict(X_test) == y_test).mean() >= 0.9
    # The prediction averages the four views, each read from its own view group's outputs.
    logits = [model.net_.module_.double().eval()(torch.as_tensor(model._images(X_test, np.full(12, 90.0 * g)),
                                                                 dtype=torch.float64)).detach().numpy()
              for g in range(4)]
    model.net_.module_.float()
    expected = np.mean([softmax(logit.reshape(12, 2, 4)[:, :, g], axis=1) for g, logit in enumerate(logits)], axis=0)
    assert_allclose(model.predict_proba(X_test), expected)


def test_view_group_head_is_reproducible_and_pickles():
    X, y = _raised_arm(8)
    model = _small_view_model(max_epochs=2).fit(X, y)
    assert_array_equal(clone(model).fit(X, y).predict_proba(X), model.predict_proba(X))
    assert_array_equal(pickle.loads(pickle.dumps(model)).predict_proba(X), model.predict_proba(X))


def test_view_group_head_continues_training_and_takes_skorch_parameters():
    X, y = _raised_arm(8)
    model = _small_view_model(max_epochs=1, module__head_size=(2, 2)).fit(X, y)
    assert model.module_.layers[-1].in_features == 8 * 2 * 2  # last channels x head size
    model.partial_fit(X, y)
    assert len(model.history_) == 2 and model.predict_proba(X).shape == (8, 2)


@pytest.mark.parametrize("check", AFFECTIVE_API_CHECKS)
def test_view_group_head_api_checks(check):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        getattr(estimator_checks, check)("ViewGroupGaitCNNClassifier", ViewGroupGaitCNNClassifier())
