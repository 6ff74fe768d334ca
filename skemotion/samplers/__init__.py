"""Samplers: imbalanced-learn over-samplers that generate new emotional data (features or skeletons)."""

from ._base import BaseGenerativeOverSampler
from ._neural_gas_sampler import NeuralGasSampler
from ._neural_samplers import GANSampler, VAESampler

__all__ = ["BaseGenerativeOverSampler", "GANSampler", "NeuralGasSampler", "VAESampler"]
