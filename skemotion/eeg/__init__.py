"""EEG: validation, band features, prewhitening, MNE bridge and channel tables.

The EEG plots are in :mod:`skemotion.plotting`.

EEG estimators take epochs ``(n_epochs, n_channels, n_times)`` in volts (a 2-D array is one channel, see
:func:`check_eeg`); feature transformers return 2-D arrays with ``get_feature_names_out``.
"""

from ..utils.validation import check_eeg
from ._channels import SEED_BANDS, SEED_CHANNELS, SEED_GRID, eeg_info, grid_indices
from ._features import EEGBandFeatures
from ._mne import from_mne
from ._prewhitening import EEGPrewhitener

__all__ = [
    "EEGBandFeatures",
    "EEGPrewhitener",
    "SEED_BANDS",
    "SEED_CHANNELS",
    "SEED_GRID",
    "check_eeg",
    "eeg_info",
    "from_mne",
    "grid_indices",
]
