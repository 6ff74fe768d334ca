"""Constructor parameters for the common estimator checks, and the expected failures with their reasons.

One data module, as in imbalanced-learn's ``instance_generator``: ``tests/test_common.py`` reads it.
"""

# Parameters that make an estimator meaningful on the 2-D data of scikit-learn's checks: there a 2-D
# array is a degenerate skeleton set (one 1-D joint per sample, or one frame of 1-D joints), or a set of
# one-channel EEG epochs (one row = the samples of one channel).
INIT_PARAMS = {
    # No layout (and so no bones or hips) exists for a 1-D joint: keep centering, skip scaling.
    "SkeletonNormalizer": dict(layout=None, centering="trajectory", scale=False, n_frames=7),
    # Two columns are two frames: enough for forward differences, not for a central difference. A plain
    # array carries no frame rate, and nothing that differentiates in time assumes one: it is given.
    "KinematicFeatures": dict(accuracy=1, frame_rate=30.0),
    "VelocityGradientSignature": dict(accuracy=1, frame_rate=30.0),
    # A 2-D array is one frame of 1-D joints: no rotation (it needs x and z), mirroring, scaling and jitter do.
    "ViewAugmenter": dict(angles=[0.0], mirror=True, scale_range=(0.9, 1.1), jitter_std=0.01, layout=None,
                          random_state=0),
    # Flattened images give the 2-D output scikit-learn's transformer checks compare.
    "GaitImageEmbedding": dict(image_size=(6, 4), flatten=True),
    # A tiny network and a few epochs keep the checks fast on CPU.
    "GaitCNNClassifier": dict(channels=(8, 8), n_groups=2, max_epochs=8, batch_size=32, lr=0.05, random_state=0),
    # A 2-D array is one frame of 1-D joints with no layout (a graph without bones); a tiny network, trained
    # just long enough for the classifier checks' accuracy.
    "STGCNClassifier": dict(layout=None, channels=(8, 8), temporal_kernel=1, max_epochs=30, lr=0.03,
                            batch_size=32, random_state=0),
    # A 2-D array is a set of sequences of one 1-D joint; a tiny VAE, two epochs: the checks test the contract.
    "MotionVAE": dict(latent_dim=2, hidden_channels=4, max_epochs=2, random_state=0),
    # A 2-D array is one channel of band values; a tiny network trained long enough for the accuracy checks.
    "DGCNNClassifier": dict(hidden_units=8, dropout=0.0, max_epochs=30, lr=0.03, batch_size=64, random_state=0),
    # A row of a few samples resolves only a band spanning the whole spectrum: at 2 Hz, 0-1 Hz.
    "EEGBandFeatures": dict(sfreq=2.0, bands={"all": (0.0, 1.0)}),
    # scikit-learn's arrays of 2-4 columns are one-channel epochs of 2-4 samples: enough for one lag.
    "EEGPrewhitener": dict(order=1),
    # A tiny network trained just long enough to reach the accuracy that the classifier checks demand.
    "EEGCNNClassifier": dict(module__n_filters=(4,), module__hidden_units=16, module__dropout=0.0, lr=0.05,
                             max_epochs=8, batch_size=64, random_state=0),
    # Three units, as scikit-learn's clustering check expects three blobs.
    "NeuralGas": dict(n_units=3),
    # Seeded, as imbalanced-learn's checks compare two fits (imbalanced-learn seeds its own samplers too);
    # tiny networks trained for two epochs: the checks test the contract, not the fit.
    "NeuralGasSampler": dict(random_state=0),
    "VAESampler": dict(hidden_size=8, max_epochs=2, random_state=0),
    "GANSampler": dict(hidden_size=8, max_epochs=2, random_state=0),
    "ConditionalVAE": dict(max_epochs=2, module__hidden_sizes=(8,), random_state=0),
    "ConditionalGAN": dict(max_epochs=2, module__hidden_sizes=(8,), discriminator__hidden_sizes=(8,), random_state=0),
    "ConditionalConvGAN": dict(max_epochs=1, module__hidden_channels=4, module__global_dim=2,
                               discriminator__hidden_channels=4, discriminator__n_layers=2, random_state=0),
    "EEGGANSampler": dict(hidden_channels=4, global_dim=2, max_epochs=1, random_state=0),
}

_ONE_FEATURE_MEANS_ONE_FRAME = (
    "A 2-D array with one column is a one-frame sequence: it has no time derivative, and the error says so."
)
_ONE_FEATURE_MEANS_ONE_JOINT = "A 2-D array with one column is a one-joint skeleton: it has no joint pair."

# PoseExtractor is not listed: its inputs are file paths and RGB frame stacks, so it declares
# input_tags.two_d_array=False (and string=True, requires_fit=False), for which scikit-learn's
# parametrize_with_checks yields no check at all. tests/test_pose.py runs the API checks that apply to it
# (construction, parameters, cloning, tags, parameter validation, the stateless fit).

_SKORCH_INIT = (
    "skorch keeps prefixed parameters such as module__hidden_sizes (given here, to keep the checks fast) as "
    "attributes: that is how it routes them to its modules (skorch's own bookkeeping is a class default of "
    "skemotion.nn.TorchNet, so a net built without prefixed parameters passes)."
)

EXPECTED_FAILED_CHECKS = {
    "ConditionalConvGAN": {"check_no_attributes_set_in_init": _SKORCH_INIT},
    "ConditionalGAN": {"check_no_attributes_set_in_init": _SKORCH_INIT},
    "ConditionalVAE": {"check_no_attributes_set_in_init": _SKORCH_INIT},
    "KinematicFeatures": {"check_fit2d_1feature": _ONE_FEATURE_MEANS_ONE_FRAME},
    "JointDistances": {"check_fit2d_1feature": _ONE_FEATURE_MEANS_ONE_JOINT},
    "VelocityGradientSignature": {"check_fit2d_1feature": _ONE_FEATURE_MEANS_ONE_FRAME},
    "WassersteinMDS": {
        "check_transformer_n_iter": (
            "max_iter bounds the SMACOF iterations of method='smacof'; the default classical MDS is a closed-form "
            "eigendecomposition with no iterations, so it sets no n_iter_."
        ),
    },
    "ViewAugmenter": {
        "check_samplers_nan": "Its 1-column data make some rows all NaN: a skeleton with no observed joint, which "
                              "the validation layer rejects with a clear error (NaN joints among observed ones pass).",
    },
    "EEGCNNClassifier": {
        "check_no_attributes_set_in_init": _SKORCH_INIT,
    },
    "EEGBandFeatures": {
        "check_fit2d_1feature": "A 2-D array with one column is a one-sample epoch: it resolves no frequency "
        "band, and the error names the band and the resolution.",
    },
    "EEGPrewhitener": {
        "check_fit2d_1feature": "A 2-D array with one column is a one-sample epoch: no lag to fit an "
        "autoregressive model on, and the error says how many samples the order needs.",
    },
}

# Parameters for the skeleton invariants (tests/test_invariants.py), on small real-shaped skeleton data:
# networks train for one epoch, since the invariants test the contract (ragged = padded, layouts, NaN), not the fit.
SKELETON_INIT_PARAMS = {
    "GANSampler": dict(max_epochs=1, hidden_size=8, random_state=0),
    "VAESampler": dict(max_epochs=1, hidden_size=8, random_state=0),
    "NeuralGasSampler": dict(random_state=0),
    "ViewAugmenter": dict(angles=[90.0], random_state=0),
    "MotionVAE": dict(max_epochs=1, random_state=0),
    "STGCNClassifier": dict(max_epochs=1, random_state=0),
    "ViewGroupGaitCNNClassifier": dict(max_epochs=1, random_state=0),
}

# Warnings the common checks may ignore, each with its reason (pytest filter strings).
# GANSampler warns when training is too short to learn; the checks train it for 2 epochs on purpose (they
# test the API contract, not the quality of the samples).
CHECK_WARNING_FILTERS = ["ignore:GANSampler trained for only:UserWarning"]
