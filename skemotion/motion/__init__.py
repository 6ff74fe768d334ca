"""Motion: normalising skeleton sequences and turning them into features.

Estimators take skeleton arrays ``(n_samples, n_frames, n_joints, 3)`` (NaN where a joint is missing) or
lists of variable-length sequences; feature transformers return 2-D arrays with ``get_feature_names_out``.
"""

from ._affective import AffectiveFeatures
from ._features import JointDistances, KinematicFeatures
from ._gait_image import GaitImageEmbedding
from ._normalizer import SkeletonNormalizer

__all__ = ["AffectiveFeatures", "GaitImageEmbedding", "JointDistances", "KinematicFeatures", "SkeletonNormalizer"]
