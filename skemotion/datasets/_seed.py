"""Loader of the SEED family of EEG emotion data sets (SJTU BCMI lab; distributed on request).

SEED's folder holds ``ExtractedFeatures/`` and ``Preprocessed_EEG/``, each with one MATLAB file per
subject and session named ``{subject}_{date}.mat`` (e.g. ``1_20131027.mat``) and ``label.mat`` (key
``label``: the emotion of each of the 15 trials, -1 negative, 0 neutral, 1 positive).

* ``ExtractedFeatures/*.mat`` hold, per trial ``k``, features such as ``de_LDS{k}``, ``de_movingAve{k}``,
  ``psd_LDS{k}``, ``psd_movingAve{k}`` of shape ``(62, n_windows, 5)``: one value per channel, 1-s window
  and band (delta, theta, alpha, beta, gamma), smoothed by a linear dynamic system (LDS) or a moving average.
* ``Preprocessed_EEG/*.mat`` hold, per trial ``k``, the EEG ``{prefix}_eeg{k}`` of shape ``(62, n_samples)``
  at 200 Hz, with a subject prefix such as ``djc``.

SEED-IV (``dataset="seed_iv"``) keeps the same ``{subject}_{date}.mat`` files (24 trials each) in one folder
per session, ``eeg_feature_smooth/{1,2,3}/`` and ``eeg_raw_data/{1,2,3}/``, and lists the labels of each
session in its ReadMe (0 neutral, 1 sad, 2 fear, 3 happy): :data:`SEED_IV_SESSION_LABELS`. Other members of
the family in SEED's own layout load with ``labels=`` and ``label_names=``.
"""

import re
from pathlib import Path

import numpy as np
import scipy.io
from sklearn.utils import Bunch
from tqdm.auto import tqdm

from ..eeg._channels import SEED_BANDS, SEED_CHANNELS

SEED_LABEL_NAMES = {-1: "negative", 0: "neutral", 1: "positive"}
#: SEED-IV's label codes (its ReadMe).
SEED_IV_LABEL_NAMES = {0: "neutral", 1: "sad", 2: "fear", 3: "happy"}
#: SEED-IV's trial labels of each session, in trial order (its ReadMe; the same for every subject).
SEED_IV_SESSION_LABELS = {
    1: (1, 2, 3, 0, 2, 0, 0, 1, 0, 1, 2, 1, 1, 1, 2, 3, 2, 2, 3, 3, 0, 3, 0, 3),
    2: (2, 1, 3, 0, 0, 2, 0, 2, 3, 3, 2, 3, 2, 0, 1, 1, 2, 1, 0, 3, 0, 1, 3, 1),
    3: (1, 2, 2, 1, 3, 3, 3, 1, 1, 2, 1, 0, 2, 3, 3, 0, 2, 3, 0, 0, 2, 0, 1, 0),
}

_FOLDERS = {"features": "ExtractedFeatures", "eeg": "Preprocessed_EEG"}
_FOLDERS_IV = {"features": "eeg_feature_smooth", "eeg": "eeg_raw_data"}
_FILE_NAME = re.compile(r"^(\d+)_(\d+)\.mat$")
_EEG_KEY = re.compile(r"^(.+)_eeg(\d+)$")


def load_seed(path, *, kind="features", feature="de_LDS", subjects=None, epoch_duration=4.0, sfreq=200.0,
              labels=None, label_names="auto", dataset="seed", return_X_y=False, verbose=False):
    """Load SEED's extracted features or preprocessed EEG, with subject, session and trial of each sample.

    Parameters
    ----------
    path : str or path-like
        The data set folder (holding ``ExtractedFeatures/`` and ``Preprocessed_EEG/``) or one of those
        folders itself.
    kind : {"features", "eeg"}, default="features"
        ``"features"``: one sample per 1-s window of ``ExtractedFeatures``; ``"eeg"``: epochs of
        ``Preprocessed_EEG``.
    feature : str, default="de_LDS"
        For ``kind="features"``: the key prefix, e.g. ``"de_LDS"``, ``"de_movingAve"``, ``"psd_LDS"``.
    subjects : list of int or None, default=None
        Subjects to load (the number before ``_`` in the file names); ``None`` loads all. The whole
        preprocessed EEG of SEED needs several GB: load a few subjects at a time.
    epoch_duration : float or None, default=4.0
        For ``kind="eeg"``: cut each trial into consecutive epochs of this many seconds (the incomplete
        end is dropped). ``None`` returns whole trials as a list of ``(62, n_samples)`` arrays.
    sfreq : float, default=200.0
        Sampling frequency of the preprocessed EEG (200 Hz in SEED, SEED-IV and SEED-V).
    labels : array-like of int or None, default=None
        Label of each trial, in trial order; ``None`` reads ``label.mat`` next to the files.
    label_names : "auto", dict or None, default="auto"
        Label code to target name; ``"auto"`` is :data:`SEED_LABEL_NAMES` for SEED and
        :data:`SEED_IV_LABEL_NAMES` for SEED-IV; ``None`` keeps the codes.
    dataset : {"seed", "seed_iv"}, default="seed"
        ``"seed_iv"`` reads SEED-IV's session folders (``eeg_feature_smooth/{1,2,3}``, ``eeg_raw_data/{1,2,3}``)
        with the session of each file from its folder and the labels of :data:`SEED_IV_SESSION_LABELS` (or
        ``labels=`` as a dict session -> labels).
    return_X_y : bool, default=False
        If True, return ``(data, target)`` instead of a Bunch.
    verbose : bool, default=False
        Show a progress bar over the session files.

    Returns
    -------
    seed : :class:`~sklearn.utils.Bunch`
        With fields

        data : ndarray of shape (n_samples, n_channels, 5), (n_epochs, 62, n_times) or list
            Features as channels x bands (``data.reshape(len(data), -1)`` is channel-major, as the
            output of ``EEGBandFeatures``), or EEG in the unit stored in the files.
        target : ndarray of shape (n_samples,)
            Emotion of each sample (from its trial).
        groups : ndarray of int of shape (n_samples,)
            Subject of each sample, for leave-subjects-out cross-validation.
        session : ndarray of int of shape (n_samples,)
            Session of the subject (1 = earliest date).
        trial : ndarray of int of shape (n_samples,)
            Trial number (1-based, as in the keys).
        sfreq : float or None
            Sampling frequency of the EEG; None for features.
        ch_names : tuple of str or None
            SEED's 62 channels, or None when the rows are not channels (e.g. DASM features).
        band_names : list of str or None
            The five SEED bands for features; None for EEG.
        files : list of str
            Files read, in order.
        DESCR : str
            Description of the data set.

    (data, target) : tuple if ``return_X_y`` is True

    Raises
    ------
    FileNotFoundError
        When no ``{subject}_{date}.mat`` file (or no ``label.mat``) is found.
    ValueError
        When a file lacks a trial of the labels, or for unknown label codes.

    Examples
    --------
    >>> import numpy as np, scipy.io, tempfile, pathlib
    >>> from skemotion.datasets import load_seed
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> scipy.io.savemat(folder / "label.mat", {"label": [[1, 0, -1]]})
    >>> scipy.io.savemat(folder / "1_20131027.mat", {f"de_LDS{k}": np.ones((62, 10, 5)) for k in (1, 2, 3)})
    >>> seed = load_seed(folder)
    >>> seed.data.shape, seed.target[[0, 10, 20]].tolist()
    ((30, 62, 5), ['positive', 'neutral', 'negative'])
    """
    if kind not in _FOLDERS:
        raise ValueError(f"kind must be 'features' or 'eeg', got {kind!r}.")
    if dataset not in ("seed", "seed_iv"):
        raise ValueError(f"dataset must be 'seed' or 'seed_iv', got {dataset!r}.")
    if isinstance(label_names, str) and label_names == "auto":
        label_names = SEED_IV_LABEL_NAMES if dataset == "seed_iv" else SEED_LABEL_NAMES
    if dataset == "seed":
        folder = _data_folder(Path(path), _FOLDERS[kind])
        found = _session_files(folder, subjects)
        trial_labels = _trial_labels(folder, labels)
        files = [(f, subject, session, trial_labels) for f, subject, session in found]
    else:
        folder = _data_folder(Path(path), _FOLDERS_IV[kind])
        files = _seed_iv_files(folder, subjects, labels)
    rows, meta, codes = [], [], []
    for file, subject, session, trial_labels in tqdm(files, desc="SEED files", unit="file", disable=not verbose):
        trials = (_feature_trials(file, feature, len(trial_labels)) if kind == "features"
                  else _eeg_trials(file, len(trial_labels)))
        for k, trial in enumerate(trials):
            samples = _samples(trial, kind, epoch_duration, sfreq)
            rows.append(samples)
            meta.append(np.repeat([[subject, session, k + 1]], len(samples), axis=0))
            codes.append(np.repeat(trial_labels[k], len(samples)))
    meta = np.concatenate(meta)
    data = [x for block in rows for x in block] if kind == "eeg" and epoch_duration is None else np.concatenate(rows)
    target = _target(np.concatenate(codes), label_names)
    if return_X_y:
        return data, target
    n_rows = data[0].shape[0] if isinstance(data, list) else data.shape[1]
    return Bunch(
        data=data,
        target=target,
        groups=meta[:, 0],
        session=meta[:, 1],
        trial=meta[:, 2],
        sfreq=float(sfreq) if kind == "eeg" else None,
        ch_names=SEED_CHANNELS if n_rows == len(SEED_CHANNELS) else None,
        band_names=list(SEED_BANDS) if kind == "features" else None,
        files=[str(file) for file, *_ in files],
        DESCR=(f"{'SEED-IV' if dataset == 'seed_iv' else 'SEED'} {folder.name}"
               f"{f' ({feature})' if kind == 'features' else ''} from {folder}: {len(files)} session file(s) of "
               f"{len(set(meta[:, 0]))} subject(s), {len(files[0][3])} trials each. Zheng and Lu (2015); Zheng et "
               "al. (2019) for SEED-IV; distributed by SJTU BCMI under a licence agreement, on request."),
    )


def _data_folder(path, sub_folder):
    if (path / sub_folder).is_dir():
        return path / sub_folder
    if path.is_dir():
        return path
    raise FileNotFoundError(f"SEED folder {path} does not exist.")


def _session_files(folder, subjects):
    """(file, subject, session) of every ``{subject}_{date}.mat``, session = rank of the date per subject."""
    found = []
    for file in folder.iterdir():
        match = _FILE_NAME.match(file.name)
        if match:
            found.append((int(match[1]), match[2], file))
    if subjects is not None:
        wanted = {int(s) for s in subjects}
        missing = wanted - {s for s, _, _ in found}
        if missing:
            raise FileNotFoundError(f"No file of subject(s) {sorted(missing)} in {folder}.")
        found = [f for f in found if f[0] in wanted]
    if not found:
        raise FileNotFoundError(
            f"No SEED session file named {{subject}}_{{date}}.mat (e.g. 1_20131027.mat) in {folder}."
        )
    found.sort()
    sessions, files = {}, []
    for subject, _, file in found:
        sessions[subject] = sessions.get(subject, 0) + 1
        files.append((file, subject, sessions[subject]))
    return files


def _seed_iv_files(folder, subjects, labels):
    """(file, subject, session, labels) of SEED-IV's ``{session}/{subject}_{date}.mat`` files."""
    sessions = sorted(int(p.name) for p in folder.iterdir() if p.is_dir() and p.name.isdigit())
    if not sessions:
        raise FileNotFoundError(f"No SEED-IV session folder (1/, 2/, 3/) in {folder}.")
    session_labels = SEED_IV_SESSION_LABELS if labels is None else labels
    if not isinstance(session_labels, dict):
        raise TypeError("For SEED-IV, labels must be a dict {session: trial labels}.")
    files = []
    for session in sessions:
        if session not in session_labels:
            raise ValueError(f"No labels for SEED-IV session {session} ({folder / str(session)}).")
        trial_labels = np.asarray(session_labels[session]).ravel()
        for file, subject, _ in _session_files(folder / str(session), subjects):
            files.append((file, subject, session, trial_labels))
    return files


def _trial_labels(folder, labels):
    if labels is not None:
        return np.asarray(labels).ravel()
    label_file = folder / "label.mat"
    if not label_file.exists():
        raise FileNotFoundError(
            f"No label.mat in {folder}; pass the trial labels with labels=... (SEED-IV and SEED-V list them "
            "in their ReadMe)."
        )
    return np.asarray(_read_mat(label_file, ["label"])["label"]).ravel().astype(int)


def _read_mat(file, names=None):
    try:
        return scipy.io.loadmat(file, variable_names=names)
    except NotImplementedError as error:  # scipy raises this for HDF5-based files
        raise ValueError(
            f"{file} is a MATLAB v7.3 (HDF5) file; re-save it with save(..., '-v7') or read it with h5py."
        ) from error


def _feature_trials(file, feature, n_trials):
    names = [f"{feature}{k}" for k in range(1, n_trials + 1)]
    content = _read_mat(file, names)
    missing = [name for name in names if name not in content]
    if missing:
        available = sorted({re.sub(r"\d+$", "", name) for name, *_ in scipy.io.whosmat(file)})
        raise ValueError(
            f"{file.name} lacks {missing[:3]} ({len(missing)} of {n_trials} trials); feature prefixes in the "
            f"file: {available}."
        )
    trials = [np.asarray(content[name], dtype=np.float64) for name in names]
    for name, trial in zip(names, trials):
        if trial.ndim != 3:
            raise ValueError(f"{file.name}: {name} has shape {trial.shape}; expected (n_channels, n_windows, n_bands).")
    return [trial.transpose(1, 0, 2) for trial in trials]  # (n_windows, n_channels, n_bands)


def _eeg_trials(file, n_trials):
    keys = {}
    for name, *_ in scipy.io.whosmat(file):
        match = _EEG_KEY.match(name)
        if match:
            keys[int(match[2])] = name
    missing = [k for k in range(1, n_trials + 1) if k not in keys]
    if missing:
        raise ValueError(
            f"{file.name} lacks the EEG of trial(s) {missing[:5]} (keys '<prefix>_eeg<k>', found "
            f"{sorted(keys.values())[:5]}...); the labels list {n_trials} trials."
        )
    names = [keys[k] for k in range(1, n_trials + 1)]
    content = _read_mat(file, names)
    return [np.asarray(content[name]) for name in names]


def _samples(trial, kind, epoch_duration, sfreq):
    """The samples of one trial: its windows, its epochs, or the trial itself."""
    if kind == "features":
        return trial
    if epoch_duration is None:
        return [trial]
    n_times = int(round(epoch_duration * sfreq))
    n_epochs = trial.shape[1] // n_times
    return trial[:, : n_epochs * n_times].reshape(trial.shape[0], n_epochs, n_times).transpose(1, 0, 2)


def _target(codes, label_names):
    if label_names is None:
        return codes
    unknown = sorted(set(codes.tolist()) - set(label_names))
    if unknown:
        raise ValueError(f"Label code(s) {unknown} have no name in label_names {label_names}.")
    return np.array([label_names[c] for c in codes.tolist()])
