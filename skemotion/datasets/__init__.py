"""Data sets: loaders for real data on disk and the synthetic generators that serve as embedded defaults."""

from ._bandai import EMOTIONAL_STYLES, load_bandai_namco
from ._gait import make_emotional_gait

__all__ = ["EMOTIONAL_STYLES", "load_bandai_namco", "make_emotional_gait"]
