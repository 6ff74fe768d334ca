"""Clustering and vector quantisation."""

from ._neural_gas import NeuralGas

__all__ = ["NeuralGas"]
