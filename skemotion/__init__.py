"""skemotion: scikit-learn-compatible emotion recognition from body motion and EEG."""

from .eeg import EEGBandFeatures
from .motion import JointDistances, KinematicFeatures, SkeletonNormalizer
from .nn import EEGCNNClassifier

__version__ = "0.1.0.dev0"

__all__ = [
    "EEGBandFeatures",
    "EEGCNNClassifier",
    "JointDistances",
    "KinematicFeatures",
    "SkeletonNormalizer",
    "__version__",
]
