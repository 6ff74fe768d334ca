"""Samplers: imbalanced-learn samplers on skeleton sequences, applied to training folds only."""

from ._view import ViewAugmenter

__all__ = ["ViewAugmenter"]
