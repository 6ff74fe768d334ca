"""Samplers: imbalanced-learn samplers on skeleton sequences, applied to training folds only."""

from ._base import BaseGenerativeOverSampler
from ._eeg_gan_sampler import EEGGANSampler
from ._neural_gas_sampler import NeuralGasSampler
from ._neural_samplers import GANSampler, VAESampler
from ._view import ViewAugmenter

__all__ = [
    "BaseGenerativeOverSampler",
    "EEGGANSampler",
    "GANSampler",
    "NeuralGasSampler",
    "VAESampler",
    "ViewAugmenter",
]
