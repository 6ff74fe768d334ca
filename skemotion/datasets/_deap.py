"""Loader of DEAP's preprocessed Python data (Koelstra et al. 2012), read without running code.

DEAP's ``data_preprocessed_python/`` holds one file per participant, ``s01.dat`` ... ``s32.dat``: a Python 2
pickle of a dict with ``data`` (40 trials x 40 channels x 8064 samples, 128 Hz: a 3-s pre-trial baseline,
then the 60-s music video) and ``labels`` (40 trials x 4 ratings on 1-9: valence, arousal, dominance,
liking). Channels 1-32 are EEG in the Geneva order, 33-40 peripheral signals. Trials are in video order
(``Experiment_id``), not presentation order. A pickle can run code when loaded, so the files are read by
:func:`skemotion.io.safe_pickle_load`, which rebuilds numeric arrays and nothing else.
"""

import re
from pathlib import Path

import numpy as np
from sklearn.utils import Bunch

from ..io._safe import safe_pickle_load

DEAP_CHANNELS = (
    "Fp1", "AF3", "F3", "F7", "FC5", "FC1", "C3", "T7", "CP5", "CP1", "P3", "P7", "PO3", "O1", "Oz", "Pz",
    "Fp2", "AF4", "Fz", "F4", "F8", "FC6", "FC2", "Cz", "C4", "T8", "CP6", "CP2", "P4", "P8", "PO4", "O2",
)
DEAP_PERIPHERAL_CHANNELS = ("hEOG", "vEOG", "zEMG", "tEMG", "GSR", "Respiration belt", "Plethysmograph",
                            "Temperature")
DEAP_RATINGS = ("valence", "arousal", "dominance", "liking")

_SFREQ = 128.0
_BASELINE_SECONDS = 3.0
_FOLDER = "data_preprocessed_python"
_FILE_NAME = re.compile(r"^s(\d+)\.dat$")

_DESCR = """DEAP: a Database for Emotion Analysis using Physiological signals
------------------------------------------------------------------
Koelstra, Muehl, Soleymani, Lee, Yazdani, Ebrahimi, Pun, Nijholt, Patras (2012), "DEAP: A Database for
Emotion Analysis Using Physiological Signals", IEEE Transactions on Affective Computing 3(1), 18-31.
32 participants watched 40 one-minute music videos and rated each for valence, arousal, dominance and
liking (1-9). Preprocessed data: 32 EEG channels (Geneva order) and 8 peripheral channels, downsampled
to 128 Hz, EOG artefacts removed, band-pass 4-45 Hz, common average reference, 3-s pre-trial baseline.
Licence: DEAP's end-user licence agreement (academic research only, signed by a permanent staff member);
the data may not be redistributed: download it from https://www.eecs.qmul.ac.uk/mmv/datasets/deap/.
"""


def load_deap(path, subjects=None, *, target="valence", threshold=5.0, baseline="cut", return_X_y=False):
    """Load DEAP's preprocessed EEG, peripheral signals and ratings, grouped by participant.

    Parameters
    ----------
    path : str or path-like
        The DEAP folder holding ``data_preprocessed_python/``, or that folder itself.
    subjects : list of int or None, default=None
        Participants to load (1-32, the number in ``sXX.dat``); ``None`` loads every file found. All 32
        need about 3.3 GB as float64: load a few at a time.
    target : str or list of str, default="valence"
        Rating(s) used as target, among ``"valence"``, ``"arousal"``, ``"dominance"``, ``"liking"``; a list
        gives a 2-D target, one column per rating.
    threshold : float or None, default=5.0
        Ratings above ``threshold`` are ``"high"``, the others ``"low"``, as in Koelstra et al. (2012), who
        place the threshold in the middle of the 1-9 scale. ``None`` returns the ratings themselves, for
        regression.
    baseline : {"cut", "keep"}, default="cut"
        ``"cut"`` drops the 3-s pre-trial baseline (384 samples), leaving the 60 s of each video (7680
        samples); ``"keep"`` returns all 8064 samples (the baseline first).
    return_X_y : bool, default=False
        If True, return ``(data, target)`` instead of a Bunch.

    Returns
    -------
    deap : :class:`~sklearn.utils.Bunch`
        With fields

        data : ndarray of shape (n_trials, 32, n_times)
            EEG, in the Geneva channel order of ``ch_names``, microvolts as stored.
        target : ndarray of shape (n_trials,) or (n_trials, n_ratings)
            ``"high"`` / ``"low"``, or the ratings when ``threshold=None``.
        groups : ndarray of int of shape (n_trials,)
            Participant of each trial, for leave-subjects-out cross-validation.
        trial : ndarray of int of shape (n_trials,)
            Video number (1-40; DEAP's ``Experiment_id``).
        ratings : ndarray of shape (n_trials, 4)
            Valence, arousal, dominance and liking on 1-9.
        peripheral : ndarray of shape (n_trials, 8, n_times)
            The peripheral channels, kept apart from the EEG (other units, other processing).
        sfreq : float
            128.0.
        ch_names, peripheral_names, rating_names : tuple of str
            The 32 EEG channels (Geneva order), the 8 peripheral channels, the 4 ratings.
        files : list of str
            Files read, in subject order.
        DESCR : str
            Citation and licence.

    (data, target) : tuple if ``return_X_y`` is True

    Raises
    ------
    FileNotFoundError
        When no ``sXX.dat`` file (or no file of a requested subject) is found.
    ValueError
        When a file is not a readable pickle, lacks DEAP's structure, has ratings outside 1-9, or has another
        trial length than the first file; the message names the file.
    skemotion.io.UnsafeFileError
        When a file holds anything but plain data (a pickle that would import a module or call a function);
        it is refused before anything in it runs.

    Examples
    --------
    >>> import pickle, tempfile, pathlib, numpy as np
    >>> from skemotion.datasets import load_deap
    >>> folder = pathlib.Path(tempfile.mkdtemp()) / "data_preprocessed_python"
    >>> folder.mkdir()
    >>> rng = np.random.default_rng(0)
    >>> # DEAP's structure, with 8 s per trial instead of 63 to keep the example small
    >>> content = {"data": rng.normal(size=(40, 40, 1024)), "labels": rng.uniform(1, 9, size=(40, 4))}
    >>> _ = (folder / "s01.dat").write_bytes(pickle.dumps(content, protocol=2))
    >>> deap = load_deap(folder.parent, target="arousal")
    >>> deap.data.shape, deap.peripheral.shape, deap.sfreq
    ((40, 32, 640), (40, 8, 640), 128.0)
    >>> np.unique(deap.target).tolist()
    ['high', 'low']
    """
    names = _target_names(target)
    if baseline not in ("cut", "keep"):
        raise ValueError(f"baseline must be 'cut' or 'keep', got {baseline!r}.")
    files = _subject_files(_data_folder(Path(path)), subjects)
    start = int(round(_BASELINE_SECONDS * _SFREQ)) if baseline == "cut" else 0
    eeg, peripheral, ratings, groups = [], [], [], []
    first = None
    for subject, file in files:
        data, labels = _read_subject(file)
        first = first or (file, data.shape[2])
        if data.shape[2] != first[1]:  # one length for all, or the trials cannot be stacked
            raise ValueError(
                f"{file} has {data.shape[2]} samples per trial, but {first[0]} has {first[1]} (DEAP: 8064); the "
                "files of one data set must have the same trial length."
            )
        eeg.append(data[:, : len(DEAP_CHANNELS), start:])
        peripheral.append(data[:, len(DEAP_CHANNELS):, start:])
        ratings.append(labels)
        groups.append(np.full(len(labels), subject))
    ratings = np.concatenate(ratings)
    columns = ratings[:, [DEAP_RATINGS.index(name) for name in names]]
    y = columns if threshold is None else np.where(columns > threshold, "high", "low")
    y = y[:, 0] if isinstance(target, str) else y
    data = np.concatenate(eeg)
    if return_X_y:
        return data, y
    return Bunch(
        data=data,
        target=y,
        groups=np.concatenate(groups),
        trial=np.concatenate([np.arange(1, len(g) + 1) for g in groups]),
        ratings=ratings,
        peripheral=np.concatenate(peripheral),
        sfreq=_SFREQ,
        ch_names=DEAP_CHANNELS,
        peripheral_names=DEAP_PERIPHERAL_CHANNELS,
        rating_names=DEAP_RATINGS,
        files=[str(file) for _, file in files],
        DESCR=_DESCR,
    )


def _target_names(target):
    names = [target] if isinstance(target, str) else list(target)
    unknown = [name for name in names if name not in DEAP_RATINGS]
    if unknown or not names:
        raise ValueError(f"target must be one or more of {list(DEAP_RATINGS)}, got {target!r}.")
    return names


def _data_folder(path):
    if (path / _FOLDER).is_dir():
        return path / _FOLDER
    if path.is_dir():
        return path
    raise FileNotFoundError(f"DEAP folder {path} does not exist.")


def _subject_files(folder, subjects):
    found = {int(m[1]): file for file in folder.iterdir() if (m := _FILE_NAME.match(file.name))}
    if subjects is not None:
        wanted = sorted({int(s) for s in subjects})
        missing = [s for s in wanted if s not in found]
        if missing:
            raise FileNotFoundError(f"No DEAP file of subject(s) {missing} (s{missing[0]:02d}.dat) in {folder}.")
        found = {s: found[s] for s in wanted}
    if not found:
        raise FileNotFoundError(f"No DEAP participant file named sXX.dat (e.g. s01.dat) in {folder}.")
    return sorted(found.items())


def _read_subject(file):
    """``data`` (n_trials, 40, n_samples) and ``labels`` (n_trials, 4) of one file, structure checked."""
    content = safe_pickle_load(file)
    if not isinstance(content, dict) or not {"data", "labels"} <= set(content):
        keys = sorted(content) if isinstance(content, dict) else type(content).__name__
        raise ValueError(f"{file} is not a DEAP file: expected a dict with 'data' and 'labels', got {keys}.")
    data, labels = content["data"], content["labels"]
    n_channels = len(DEAP_CHANNELS) + len(DEAP_PERIPHERAL_CHANNELS)
    baseline = int(round(_BASELINE_SECONDS * _SFREQ))
    if not isinstance(data, np.ndarray) or data.ndim != 3 or data.shape[1] != n_channels or data.shape[2] <= baseline:
        shape = getattr(data, "shape", type(data).__name__)
        raise ValueError(f"{file}: 'data' has shape {shape}; DEAP's is (40 trials, 40 channels, 8064 samples).")
    if not isinstance(labels, np.ndarray) or labels.shape != (len(data), len(DEAP_RATINGS)):
        shape = getattr(labels, "shape", type(labels).__name__)
        raise ValueError(f"{file}: 'labels' has shape {shape}; expected ({len(data)} trials, 4 ratings).")
    labels = np.asarray(labels, dtype=float)
    outside = ~((labels >= 1) & (labels <= 9))  # NaN is outside too
    if outside.any():
        trial, rating = (int(i[0]) for i in np.nonzero(outside))
        raise ValueError(
            f"{file}: trial {trial + 1} rates {DEAP_RATINGS[rating]} {labels[trial, rating]}, outside DEAP's 1-9 "
            f"scale ({int(outside.sum())} rating(s) outside it)."
        )
    return data, labels
