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

SEED-V (``dataset="seed_v"``) has a layout of its own (``EEG_DE_features/*.npz``, raw ``EEG_raw/*.cnt`` cut at
the times of ``trial_start_end_timestamp.txt``), read by ``_seed_v.py``.

Items that disagree are errors naming the file, never settled by the first one: trials with other channels
(61 rows among 62), label codes outside the label table, recordings at other sampling rates, corrupt files.
"""

import re
import warnings
import zlib
from pathlib import Path

import numpy as np
import scipy.io
from sklearn.utils import Bunch
from tqdm.auto import tqdm

from ..eeg._channels import SEED_BANDS, SEED_CHANNELS
from . import _seed_v
from ._seed_v import SEED_V_LABEL_NAMES, SEED_V_SESSION_LABELS

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
    kind : {"features", "eeg", "raw"}, default="features"
        ``"features"``: one sample per 1-s window of ``ExtractedFeatures`` (SEED-V: per 4-s window of
        ``EEG_DE_features``); ``"eeg"``: epochs of ``Preprocessed_EEG`` (SEED, SEED-IV); ``"raw"``: epochs of
        SEED-V's raw ``EEG_raw/*.cnt`` recordings (read by MNE, ``mne.io.read_raw_cnt``) cut into trials at the
        times of ``trial_start_end_timestamp.txt``, in volts, at the recordings' rate (1000 Hz).
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
    labels : array-like of int, dict or None, default=None
        Label of each trial, in trial order; ``None`` reads ``label.mat`` next to the files (SEED), or uses
        :data:`SEED_IV_SESSION_LABELS` / :data:`SEED_V_SESSION_LABELS` (a dict session -> labels overrides
        them). SEED-V's feature files carry their own labels, which are used.
    label_names : "auto", dict or None, default="auto"
        Label code to target name; ``"auto"`` is :data:`SEED_LABEL_NAMES` for SEED and
        :data:`SEED_IV_LABEL_NAMES` for SEED-IV, :data:`SEED_V_LABEL_NAMES` for SEED-V; ``None`` keeps the codes.
    dataset : {"seed", "seed_iv", "seed_v"}, default="seed"
        ``"seed_iv"`` reads SEED-IV's session folders (``eeg_feature_smooth/{1,2,3}``, ``eeg_raw_data/{1,2,3}``)
        with the session of each file from its folder and the labels of :data:`SEED_IV_SESSION_LABELS` (or
        ``labels=`` as a dict session -> labels). ``"seed_v"`` reads SEED-V: ``EEG_DE_features/{subject}_123.npz``
        (``kind="features"``; ``data`` is then ``(n_windows, 310)`` as stored: 62 channels x 5 bands in an
        order the data set does not document, so it is not reshaped) or ``EEG_raw/{subject}_{session}_{date}.cnt``
        (``kind="raw"``, the session from the file name).
    return_X_y : bool, default=False
        If True, return ``(data, target)`` instead of a Bunch.
    verbose : bool, default=False
        Show a progress bar over the session files.

    Returns
    -------
    seed : :class:`~sklearn.utils.Bunch`
        With fields

        data : ndarray of shape (n_samples, n_channels, 5), (n_samples, 310), (n_epochs, 62, n_times) or list
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
            Sampling frequency of the EEG (the recordings' own for ``kind="raw"``); None for features.
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
        When no ``{subject}_{date}.mat`` file (or no ``label.mat``, no SEED-V ``.npz`` / ``.cnt`` file, no
        ``trial_start_end_timestamp.txt``) is found.
    ValueError
        When a file lacks a trial of the labels, is corrupt, has other channels than the other trials, is
        shorter than its trial times, or for label codes outside ``label_names``; the message names the file.

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
    dataset = _check_dataset(dataset, kind)
    if isinstance(label_names, str) and label_names == "auto":
        label_names = {"seed": SEED_LABEL_NAMES, "seed_iv": SEED_IV_LABEL_NAMES, "seed_v": SEED_V_LABEL_NAMES}[dataset]
    if dataset == "seed_v":
        folder, files, trials = _seed_v_trials(Path(path), kind, subjects, labels, verbose)
        sfreq = trials[0][5] if kind == "raw" else sfreq
    else:
        folder, files = _seed_files(Path(path), dataset, kind, subjects, labels)
        trials = _seed_trials(files, kind, feature, verbose)
    _check_same_rows(trials, kind)
    rows, meta, codes = [], [], []
    for file, subject, session, k, trial, rate, code in trials:
        samples = _samples(trial, kind, epoch_duration, rate if rate is not None else sfreq)
        if len(samples) == 0:  # never drop a whole trial without a word
            warnings.warn(f"{Path(file).name}, trial {k}: {trial.shape[-1]} samples, shorter than one "
                          f"{epoch_duration:g}-s epoch; the trial gives no sample.", stacklevel=2)
        rows.append(samples)
        meta.append(np.repeat([[subject, session, k]], len(samples), axis=0))
        codes.append(np.repeat(code, len(samples)))
    meta = np.concatenate(meta)
    if kind != "features" and epoch_duration is None:
        data = [x for block in rows for x in block]
    else:
        data = np.concatenate(rows)
    target = _target(np.concatenate(codes), label_names, _label_source(trials, meta, codes, folder, labels, dataset))
    if return_X_y:
        return data, target
    n_rows = data[0].shape[0] if isinstance(data, list) else data.shape[1]
    name = {"seed": "SEED", "seed_iv": "SEED-IV", "seed_v": "SEED-V"}[dataset]
    return Bunch(
        data=data,
        target=target,
        groups=meta[:, 0],
        session=meta[:, 1],
        trial=meta[:, 2],
        sfreq=float(sfreq) if kind != "features" else None,
        ch_names=SEED_CHANNELS if n_rows == len(SEED_CHANNELS) else None,
        band_names=list(SEED_BANDS) if kind == "features" and dataset != "seed_v" else None,
        files=[str(file) for file in files],
        DESCR=(f"{name} {folder.name}{f' ({feature})' if kind == 'features' and dataset != 'seed_v' else ''} from "
               f"{folder}: {len(files)} file(s) of {len(set(meta[:, 0]))} subject(s), {len(trials)} trials. "
               "Zheng and Lu (2015); Zheng et al. (2019) for SEED-IV; Liu et al. (2021) for SEED-V; distributed by "
               "SJTU BCMI under a licence agreement, on request."),
    )


def _check_dataset(dataset, kind):
    kinds = {"seed": ("features", "eeg"), "seed_iv": ("features", "eeg"), "seed_v": ("features", "raw")}
    if dataset not in kinds:
        raise ValueError(f"dataset must be 'seed', 'seed_iv' or 'seed_v', got {dataset!r}.")
    if kind not in kinds[dataset]:
        allowed = " or ".join(map(repr, kinds[dataset]))
        raise ValueError(f"kind must be {allowed} for dataset={dataset!r}, got {kind!r}.")
    return dataset


def _seed_files(path, dataset, kind, subjects, labels):
    """SEED and SEED-IV: the data folder and (file, subject, session, trial labels, label source) of each file."""
    if dataset == "seed":
        folder = _data_folder(path, _FOLDERS[kind])
        found = _session_files(folder, subjects)
        trial_labels, source = _trial_labels(folder, labels)
        return folder, [(f, subject, session, trial_labels, source) for f, subject, session in found]
    folder = _data_folder(path, _FOLDERS_IV[kind])
    return folder, _seed_iv_files(folder, subjects, labels)


def _seed_trials(files, kind, feature, verbose):
    """(file, subject, session, trial, array, rate, code) of every trial of SEED / SEED-IV files."""
    trials = []
    for file, subject, session, trial_labels, _ in tqdm(files, desc="SEED files", unit="file", disable=not verbose):
        arrays = (_feature_trials(file, feature, len(trial_labels)) if kind == "features"
                  else _eeg_trials(file, len(trial_labels)))
        trials += [(file, subject, session, k, x, None, trial_labels[k - 1]) for k, x in enumerate(arrays, start=1)]
    return trials


def _seed_v_trials(path, kind, subjects, labels, verbose):
    """SEED-V: the data folder, the files read and their trials (file, subject, session, trial, array, rate, code)."""
    folder = _data_folder(path, _seed_v.FOLDERS[kind])
    trials = []
    if kind == "features":
        found = _seed_v.feature_files(folder, subjects)
        for file, subject in tqdm(found, desc="SEED-V files", unit="file", disable=not verbose):
            trials += [(file, subject, session, k, x, None, code)
                       for session, k, x, code in _seed_v.read_feature_file(file)]
        return folder, [file for file, _ in found], trials
    times = _seed_v.read_trial_times(_times_file(folder))
    session_labels = SEED_V_SESSION_LABELS if labels is None else labels
    if not isinstance(session_labels, dict):
        raise TypeError("For SEED-V, labels must be a dict {session: trial labels}.")
    found = _seed_v.raw_files(folder, subjects)
    rates = {}
    for file, subject, session in tqdm(found, desc="SEED-V recordings", disable=not verbose):
        if session not in times or session not in session_labels:
            where = _times_file(folder) if session not in times else "labels"
            raise ValueError(f"{file.name}: no trial times or labels of session {session} in {where}.")
        starts, ends = times[session]
        codes = np.asarray(session_labels[session]).ravel()
        if len(codes) != len(starts):
            raise ValueError(f"Session {session} has {len(starts)} trial times but {len(codes)} labels.")
        arrays, rate = _seed_v.read_raw_trials(file, starts, ends)
        rates[file] = rate
        trials += [(file, subject, session, k, x, rate, codes[k - 1]) for k, x in enumerate(arrays, start=1)]
    if len(set(rates.values())) > 1:
        listed = ", ".join(f"{f.name}: {r:g} Hz" for f, r in rates.items())
        raise ValueError(f"SEED-V recordings disagree on the sampling rate ({listed}); resample them first.")
    return folder, [f for f, _, _ in found], trials


def _times_file(folder):
    """``trial_start_end_timestamp.txt`` next to ``EEG_raw/`` (the data set's root) or inside it."""
    for candidate in (folder.parent / _seed_v.TIMES_FILE, folder / _seed_v.TIMES_FILE):
        if candidate.is_file():
            return candidate
    return folder.parent / _seed_v.TIMES_FILE


def _check_same_rows(trials, kind):
    """Every trial has the channels (rows) of the first: a 61-channel trial among 62-channel ones is an error."""
    axis = 1 if kind == "features" else 0
    first_file, _, _, first_k, first, *_ = trials[0]
    for file, _, _, k, trial, *_ in trials:
        if trial.shape[axis] != first.shape[axis] or (kind == "features" and trial.shape[2:] != first.shape[2:]):
            raise ValueError(
                f"{Path(file).name}, trial {k}: {trial.shape[axis]} rows (channels) of shape {trial.shape}, but "
                f"{Path(first_file).name}, trial {first_k} has {first.shape[axis]} ({first.shape}); the trials of "
                "one data set must have the same channels."
            )


def _label_source(trials, meta, codes, folder, labels, dataset):
    """Where each sample's label code came from, to name it in an error."""
    if dataset == "seed_v" and trials[0][5] is None:  # features: the labels are in each .npz file
        files = np.concatenate([np.full(len(c), str(t[0]), dtype=object) for t, c in zip(trials, codes)])
        return lambda i: files[i]
    if labels is not None:
        return lambda i: "labels="
    sources = {"seed": lambda i: str(folder / "label.mat"),
               "seed_iv": lambda i: "SEED_IV_SESSION_LABELS",
               "seed_v": lambda i: "SEED_V_SESSION_LABELS"}
    return sources[dataset]


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
            files.append((file, subject, session, trial_labels, "SEED_IV_SESSION_LABELS"))
    return files


def _trial_labels(folder, labels):
    if labels is not None:
        return np.asarray(labels).ravel(), "labels="
    label_file = folder / "label.mat"
    if not label_file.exists():
        raise FileNotFoundError(
            f"No label.mat in {folder}; pass the trial labels with labels=... (SEED-IV and SEED-V list them "
            "in their ReadMe)."
        )
    content = _read_mat(label_file, ["label"])
    if "label" not in content:
        raise ValueError(f"{label_file} has no variable 'label' (the 15 trials' labels).")
    return np.asarray(content["label"]).ravel().astype(int), str(label_file)


def _read_mat(file, names=None):
    return _mat_call(scipy.io.loadmat, file, variable_names=names)


def _whosmat(file):
    return _mat_call(scipy.io.whosmat, file)


def _mat_call(function, file, **kwargs):
    """scipy's MATLAB reader, with its errors on a corrupt or truncated file turned into one naming the file."""
    try:
        return function(file, **kwargs)
    except NotImplementedError as error:  # scipy raises this for HDF5-based files
        raise ValueError(
            f"{file} is a MATLAB v7.3 (HDF5) file; re-save it with save(..., '-v7') or read it with h5py."
        ) from error
    except (ValueError, OSError, EOFError, TypeError, zlib.error, scipy.io.matlab.MatReadError) as error:
        raise ValueError(f"{file} is not a readable MATLAB .mat file (corrupt or truncated: {error}).") from None


def _feature_trials(file, feature, n_trials):
    names = [f"{feature}{k}" for k in range(1, n_trials + 1)]
    content = _read_mat(file, names)
    missing = [name for name in names if name not in content]
    if missing:
        available = sorted({re.sub(r"\d+$", "", name) for name, *_ in _whosmat(file)})
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
    for name, *_ in _whosmat(file):
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


def _target(codes, label_names, source):
    """Names of the label codes; a code outside the label table is an error naming where it came from."""
    if label_names is None:
        return codes
    unknown = ~np.isin(codes, list(label_names))
    if unknown.any():
        first = int(np.flatnonzero(unknown)[0])
        raise ValueError(
            f"Label code(s) {sorted(set(codes[unknown].tolist()))} have no name in label_names {label_names} "
            f"(the first from {source(first)}); pass label_names=None to keep the codes."
        )
    return np.array([label_names[c] for c in codes.tolist()])
