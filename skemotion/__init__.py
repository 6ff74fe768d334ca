"""skemotion: scikit-learn-compatible emotion recognition from body motion and EEG."""

from .cluster import NeuralGas
from .motion import JointDistances, KinematicFeatures, SkeletonNormalizer
from .nn import ConditionalGAN, ConditionalVAE
from .samplers import GANSampler, NeuralGasSampler, VAESampler

__version__ = "0.1.0.dev0"

__all__ = [
    "ConditionalGAN",
    "ConditionalVAE",
    "GANSampler",
    "JointDistances",
    "KinematicFeatures",
    "NeuralGas",
    "NeuralGasSampler",
    "SkeletonNormalizer",
    "VAESampler",
    "__version__",
]
