"""Constructor parameters for the common estimator checks, and the expected failures with their reasons.

One data module, as in imbalanced-learn's ``instance_generator``: ``tests/test_common.py`` reads it.
"""

# Parameters that make an estimator meaningful on the 2-D data of scikit-learn's checks: there a 2-D
# array is a degenerate skeleton set (one 1-D joint per sample, or one frame of 1-D joints).
INIT_PARAMS = {
    # No layout (and so no bones or hips) exists for a 1-D joint: keep centering, skip scaling.
    "SkeletonNormalizer": dict(layout=None, centering="trajectory", scale=False, n_frames=7),
    # Three units, as scikit-learn's clustering check expects three blobs.
    "NeuralGas": dict(n_units=3),
    # Seeded, as imbalanced-learn's checks compare two fits (imbalanced-learn seeds its own samplers too);
    # tiny networks trained for two epochs: the checks test the contract, not the fit.
    "NeuralGasSampler": dict(random_state=0),
    "VAESampler": dict(hidden_size=8, max_epochs=2, random_state=0),
    "GANSampler": dict(hidden_size=8, max_epochs=2, random_state=0),
    "ConditionalVAE": dict(max_epochs=2, module__hidden_sizes=(8,), random_state=0),
    "ConditionalGAN": dict(max_epochs=2, module__hidden_sizes=(8,), discriminator__hidden_sizes=(8,), random_state=0),
}

_ONE_FEATURE_MEANS_ONE_FRAME = (
    "A 2-D array with one column is a one-frame sequence: it has no time derivative, and the error says so."
)
_ONE_FEATURE_MEANS_ONE_JOINT = "A 2-D array with one column is a one-joint skeleton: it has no joint pair."

_SKORCH_INIT = (
    "skorch.NeuralNet.__init__ sets history_, initialized_ and virtual_params_, and keeps prefixed parameters "
    "such as module__hidden_sizes as attributes: that is how skorch routes them to its modules."
)

EXPECTED_FAILED_CHECKS = {
    "ConditionalGAN": {"check_no_attributes_set_in_init": _SKORCH_INIT},
    "ConditionalVAE": {"check_no_attributes_set_in_init": _SKORCH_INIT},
    "KinematicFeatures": {"check_fit2d_1feature": _ONE_FEATURE_MEANS_ONE_FRAME},
    "JointDistances": {"check_fit2d_1feature": _ONE_FEATURE_MEANS_ONE_JOINT},
}
