"""Utilities: estimator discovery, the validation layer and the domain tags."""

from ._discovery import all_estimators
from ._tags import SkemotionInputTags
from .validation import sequence_lengths, to_skeleton_array, validate_skeletons

__all__ = ["SkemotionInputTags", "all_estimators", "sequence_lengths", "to_skeleton_array", "validate_skeletons"]
