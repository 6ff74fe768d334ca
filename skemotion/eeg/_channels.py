"""Channel names, frequency bands, electrode positions and the scalp grid of the SEED family.

SEED records 62 channels of the extended 10-20 system with an ESI NeuroScan cap; its files list them in
``SEED_CHANNELS`` order (upper case, as in the data set's ``channel-order.xlsx``).
"""

import warnings

import mne
import numpy as np

SEED_CHANNELS = (
    "FP1", "FPZ", "FP2", "AF3", "AF4",
    "F7", "F5", "F3", "F1", "FZ", "F2", "F4", "F6", "F8",
    "FT7", "FC5", "FC3", "FC1", "FCZ", "FC2", "FC4", "FC6", "FT8",
    "T7", "C5", "C3", "C1", "CZ", "C2", "C4", "C6", "T8",
    "TP7", "CP5", "CP3", "CP1", "CPZ", "CP2", "CP4", "CP6", "TP8",
    "P7", "P5", "P3", "P1", "PZ", "P2", "P4", "P6", "P8",
    "PO7", "PO5", "PO3", "POZ", "PO4", "PO6", "PO8",
    "CB1", "O1", "OZ", "O2", "CB2",
)  # fmt: skip

# The five bands of the SEED papers (Zheng & Lu 2015), as half-open intervals in Hz.
SEED_BANDS = {
    "delta": (1.0, 4.0), "theta": (4.0, 8.0), "alpha": (8.0, 14.0), "beta": (14.0, 31.0), "gamma": (31.0, 50.0),
}

# The 9 x 9 scalp map of the 62 SEED electrodes, as in the 2-D DE maps of SEED CNN papers: each row is one
# coronal line of the 10-20 extension, from the forehead (top) to the inion (bottom), left hemisphere on
# the left, each electrode in the column of its 10-20 position. "-" marks an empty cell.
SEED_GRID = (
    ("-", "-", "-", "FP1", "FPZ", "FP2", "-", "-", "-"),
    ("-", "-", "-", "AF3", "-", "AF4", "-", "-", "-"),
    ("F7", "F5", "F3", "F1", "FZ", "F2", "F4", "F6", "F8"),
    ("FT7", "FC5", "FC3", "FC1", "FCZ", "FC2", "FC4", "FC6", "FT8"),
    ("T7", "C5", "C3", "C1", "CZ", "C2", "C4", "C6", "T8"),
    ("TP7", "CP5", "CP3", "CP1", "CPZ", "CP2", "CP4", "CP6", "TP8"),
    ("P7", "P5", "P3", "P1", "PZ", "P2", "P4", "P6", "P8"),
    ("-", "PO7", "PO5", "PO3", "POZ", "PO4", "PO6", "PO8", "-"),
    ("-", "-", "CB1", "O1", "OZ", "O2", "CB2", "-", "-"),
)

# The cerebellar electrodes of NeuroScan caps are not in the 10-20 montage; they sit below and lateral
# of O1/O2, where the 10-10 system has O9/O10.
MONTAGE_ALIASES = {"CB1": "O9", "CB2": "O10"}


def grid_indices(ch_names, grid=SEED_GRID):
    """Index of each grid cell's channel in ``ch_names`` (case-insensitive), -1 for an empty cell.

    Parameters
    ----------
    ch_names : sequence of str
    grid : tuple of tuple of str
        Channel names by row, ``"-"`` for an empty cell.

    Returns
    -------
    indices : ndarray of int of shape (n_rows, n_cols)

    Examples
    --------
    >>> from skemotion.eeg import SEED_CHANNELS, grid_indices
    >>> grid_indices(SEED_CHANNELS)[0].tolist()
    [-1, -1, -1, 0, 1, 2, -1, -1, -1]
    """
    lookup = {name.upper(): i for i, name in enumerate(ch_names)}
    cells = {cell for row in grid for cell in row}
    missing = [name for name in ch_names if name.upper() not in cells]
    if missing:
        raise ValueError(
            f"Channel(s) {missing[:5]} have no cell in the 9 x 9 scalp grid of the SEED channels; use the "
            "'channels' arrangement or keep only SEED's 62 channels."
        )
    return np.array([[lookup.get(cell, -1) for cell in row] for row in grid], dtype=int)


def standard_montage():
    """The standard 10-20 montage of MNE (``standard_1020``, renamed ``colin27_1020`` in MNE 1.13)."""
    if "colin27_1020" in mne.channels.get_builtin_montages():
        return mne.channels.make_standard_montage("colin27_1020")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        return mne.channels.make_standard_montage("standard_1020")


def eeg_info(ch_names, sfreq=200.0):
    """An :class:`mne.Info` of EEG channels with the standard 10-20 positions.

    Names are matched case-insensitively; SEED's cerebellar channels CB1/CB2 take the positions of O9/O10.

    Parameters
    ----------
    ch_names : sequence of str
    sfreq : float, default=200.0

    Returns
    -------
    info : mne.Info

    Examples
    --------
    >>> from skemotion.eeg import SEED_CHANNELS, eeg_info
    >>> eeg_info(SEED_CHANNELS).get_montage() is not None
    True
    """
    montage = standard_montage()
    known = {name.upper(): name for name in montage.ch_names}
    names = [MONTAGE_ALIASES.get(name.upper(), name).upper() for name in ch_names]
    missing = [original for original, name in zip(ch_names, names) if name not in known]
    if missing:
        raise ValueError(
            f"Channel(s) {missing[:5]} have no position in the standard 10-20 montage; pass an mne.Info "
            "with the recording's own montage (info=...) instead."
        )
    info = mne.create_info([known[name] for name in names], sfreq, ch_types="eeg")
    info.set_montage(montage)
    return info


def channel_positions(ch_names):
    """3-D head positions (metres) of channels in the standard 10-20 montage, shape (n_channels, 3)."""
    info = eeg_info(ch_names)
    return np.array([ch["loc"][:3] for ch in info["chs"]])
