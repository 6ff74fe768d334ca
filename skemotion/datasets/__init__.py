"""Data sets: loaders for real data on disk and the synthetic generators that serve as embedded defaults."""

from ._bandai import EMOTIONAL_STYLES, load_bandai_namco
from ._deap import DEAP_CHANNELS, DEAP_PERIPHERAL_CHANNELS, DEAP_RATINGS, load_deap
from ._eeg_emotion import EEG_EMOTIONS, make_eeg_emotion
from ._gait import make_emotional_gait
from ._home import get_data_home
from ._seed import SEED_LABEL_NAMES, load_seed

__all__ = [
    "DEAP_CHANNELS",
    "DEAP_PERIPHERAL_CHANNELS",
    "DEAP_RATINGS",
    "EEG_EMOTIONS",
    "EMOTIONAL_STYLES",
    "SEED_LABEL_NAMES",
    "get_data_home",
    "load_bandai_namco",
    "load_deap",
    "load_seed",
    "make_eeg_emotion",
    "make_emotional_gait",
]
