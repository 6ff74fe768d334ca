"""Constructor parameters for the common estimator checks, and the expected failures with their reasons.

One data module, as in imbalanced-learn's ``instance_generator``: ``tests/test_common.py`` reads it.
"""

# Parameters that make an estimator meaningful on the 2-D data of scikit-learn's checks: there a 2-D
# array is a degenerate skeleton set (one 1-D joint per sample, or one frame of 1-D joints).
INIT_PARAMS = {
    # No layout (and so no bones or hips) exists for a 1-D joint: keep centering, skip scaling.
    "SkeletonNormalizer": dict(layout=None, centering="trajectory", scale=False, n_frames=7),
    # Two columns are two frames: enough for forward differences, not for a central difference.
    "KinematicFeatures": dict(accuracy=1),
    "VelocityGradientSignature": dict(accuracy=1),
}

_ONE_FEATURE_MEANS_ONE_FRAME = (
    "A 2-D array with one column is a one-frame sequence: it has no time derivative, and the error says so."
)
_ONE_FEATURE_MEANS_ONE_JOINT = "A 2-D array with one column is a one-joint skeleton: it has no joint pair."

EXPECTED_FAILED_CHECKS = {
    "KinematicFeatures": {"check_fit2d_1feature": _ONE_FEATURE_MEANS_ONE_FRAME},
    "JointDistances": {"check_fit2d_1feature": _ONE_FEATURE_MEANS_ONE_JOINT},
    "VelocityGradientSignature": {"check_fit2d_1feature": _ONE_FEATURE_MEANS_ONE_FRAME},
    "WassersteinMDS": {
        "check_transformer_n_iter": (
            "max_iter bounds the SMACOF iterations of method='smacof'; the default classical MDS is a closed-form "
            "eigendecomposition with no iterations, so it sets no n_iter_."
        ),
    },
}
