"""skemotion: scikit-learn-compatible emotion recognition from body motion and EEG."""

from .cluster import NeuralGas
from .eeg import EEGBandFeatures
from .motion import GaitImageEmbedding, JointDistances, KinematicFeatures, SkeletonNormalizer
from .nn import ConditionalConvGAN, ConditionalGAN, ConditionalVAE, EEGCNNClassifier, GaitCNNClassifier
from .pose import PoseExtractor
from .samplers import EEGGANSampler, GANSampler, NeuralGasSampler, VAESampler, ViewAugmenter
from .signatures import VelocityGradientSignature, WassersteinMDS

__version__ = "0.1.0.dev0"

__all__ = [
    "ConditionalConvGAN",
    "ConditionalGAN",
    "ConditionalVAE",
    "EEGBandFeatures",
    "EEGCNNClassifier",
    "EEGGANSampler",
    "GANSampler",
    "GaitCNNClassifier",
    "GaitImageEmbedding",
    "JointDistances",
    "KinematicFeatures",
    "NeuralGas",
    "NeuralGasSampler",
    "PoseExtractor",
    "SkeletonNormalizer",
    "VAESampler",
    "VelocityGradientSignature",
    "ViewAugmenter",
    "WassersteinMDS",
    "__version__",
]
