"""skemotion: scikit-learn-compatible emotion recognition from body motion and EEG."""

from .eeg import EEGBandFeatures
from .motion import GaitImageEmbedding, JointDistances, KinematicFeatures, SkeletonNormalizer
from .nn import EEGCNNClassifier, GaitCNNClassifier
from .pose import PoseExtractor
from .samplers import ViewAugmenter
from .signatures import VelocityGradientSignature, WassersteinMDS

__version__ = "0.1.0.dev0"

__all__ = [
    "EEGBandFeatures",
    "EEGCNNClassifier",
    "GaitCNNClassifier",
    "GaitImageEmbedding",
    "JointDistances",
    "KinematicFeatures",
    "PoseExtractor",
    "SkeletonNormalizer",
    "VelocityGradientSignature",
    "ViewAugmenter",
    "WassersteinMDS",
    "__version__",
]
