"""skemotion: scikit-learn-compatible emotion recognition from body motion and EEG."""

from .cluster import NeuralGas
from .eeg import EEGBandFeatures, EEGPrewhitener
from .motion import (
    AffectiveFeatures,
    GaitImageEmbedding,
    JointDistances,
    KinematicFeatures,
    SkeletonNormalizer,
)
from .nn import (
    BraindecodeClassifier,
    ConditionalConvGAN,
    ConditionalGAN,
    ConditionalVAE,
    DGCNNClassifier,
    EEGCNNClassifier,
    GaitCNNClassifier,
    MotionVAE,
    STGCNClassifier,
    ViewGroupGaitCNNClassifier,
)
from .pose import PoseExtractor
from .samplers import (
    EEGGANSampler,
    GANSampler,
    NeuralGasSampler,
    VAESampler,
    ViewAugmenter,
)
from .signatures import VelocityGradientSignature, WassersteinMDS

__version__ = "0.1.0.dev0"

__all__ = [
    "AffectiveFeatures",
    "BraindecodeClassifier",
    "ConditionalConvGAN",
    "ConditionalGAN",
    "ConditionalVAE",
    "DGCNNClassifier",
    "EEGBandFeatures",
    "EEGPrewhitener",
    "EEGCNNClassifier",
    "EEGGANSampler",
    "GANSampler",
    "GaitCNNClassifier",
    "GaitImageEmbedding",
    "JointDistances",
    "KinematicFeatures",
    "MotionVAE",
    "NeuralGas",
    "NeuralGasSampler",
    "PoseExtractor",
    "STGCNClassifier",
    "SkeletonNormalizer",
    "VAESampler",
    "VelocityGradientSignature",
    "ViewAugmenter",
    "ViewGroupGaitCNNClassifier",
    "WassersteinMDS",
    "__version__",
]
