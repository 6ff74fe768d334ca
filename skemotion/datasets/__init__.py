"""Data sets: loaders for real data on disk and the synthetic generators that serve as embedded defaults."""

from ._annotated_videos import EILA_LABELS, load_annotated_videos
from ._bandai import EMOTIONAL_STYLES, load_bandai_namco
from ._deap import DEAP_CHANNELS, DEAP_PERIPHERAL_CHANNELS, DEAP_RATINGS, load_deap
from ._eeg_emotion import EEG_EMOTIONS, make_eeg_emotion
from ._emotion_gait import PROXEMO_LABELS, STEP_LABELS, load_emotion_gait
from ._fetch import fetch_100style, fetch_bandai_namco
from ._gait import make_emotional_gait
from ._home import get_data_home
from ._seed import SEED_IV_LABEL_NAMES, SEED_IV_SESSION_LABELS, SEED_LABEL_NAMES, load_seed
from ._seed_protocols import seed_cv_splits
from ._seed_v import SEED_V_LABEL_NAMES, SEED_V_SESSION_LABELS
from ._seed_writer import write_seed
from ._style100 import CONTENTS_100STYLE, load_100style

__all__ = [
    "CONTENTS_100STYLE",
    "DEAP_CHANNELS",
    "DEAP_PERIPHERAL_CHANNELS",
    "DEAP_RATINGS",
    "EEG_EMOTIONS",
    "EILA_LABELS",
    "EMOTIONAL_STYLES",
    "PROXEMO_LABELS",
    "SEED_IV_LABEL_NAMES",
    "SEED_IV_SESSION_LABELS",
    "SEED_LABEL_NAMES",
    "SEED_V_LABEL_NAMES",
    "SEED_V_SESSION_LABELS",
    "STEP_LABELS",
    "fetch_100style",
    "fetch_bandai_namco",
    "get_data_home",
    "load_100style",
    "load_annotated_videos",
    "load_bandai_namco",
    "load_deap",
    "load_emotion_gait",
    "load_seed",
    "make_eeg_emotion",
    "make_emotional_gait",
    "seed_cv_splits",
    "write_seed",
]
