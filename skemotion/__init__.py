"""skemotion: scikit-learn-compatible emotion recognition from body motion and EEG."""

from .motion import JointDistances, KinematicFeatures, SkeletonNormalizer
from .signatures import VelocityGradientSignature, WassersteinMDS

__version__ = "0.1.0.dev0"

__all__ = [
    "JointDistances",
    "KinematicFeatures",
    "SkeletonNormalizer",
    "VelocityGradientSignature",
    "WassersteinMDS",
    "__version__",
]
