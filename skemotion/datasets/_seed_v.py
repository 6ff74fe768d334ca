"""SEED-V in its own layout: DE features in ``.npz`` files and raw Neuroscan ``.cnt`` recordings.

SEED-V (Liu et al. 2021; SJTU BCMI, on request) is laid out unlike SEED and SEED-IV (its ``Read me.txt``):

* ``EEG_DE_features/{subject}_123.npz``: one file per subject with the DE features of its three sessions. The
  npz holds two byte strings, ``data`` and ``label``, each a pickled dict keyed by the trial index 0-44
  (session ``t // 15 + 1``, trial ``t % 15 + 1``): ``data[t]`` is ``(n_windows, 310)`` (62 channels x 5
  bands of 4-s windows), ``label[t]`` the label of each window (0 disgust, 1 fear, 2 sad, 3 neutral, 4 happy).
* ``EEG_raw/{subject}_{session}_{date}.cnt``: the continuous recordings (Neuroscan, 1000 Hz, 62 EEG channels
  plus M1, M2, VEO, HEO). The session number is that of the film clips watched, not the order of the dates.
* ``trial_start_end_timestamp.txt``: per session, ``start_second: [...]`` and ``end_second: [...]`` of the 15
  clips in the recordings. The raw recordings are cut at these times, read from the file, never from code.
* ``emotion_label_and_stimuli_order.xlsx``: the emotion of each clip, the same for every subject, built in
  as :data:`SEED_V_SESSION_LABELS`.

The pickles inside the npz files are read by :class:`skemotion.io.RestrictedUnpickler` (numeric arrays in
plain containers, nothing that can run code).
"""

import io
import pickle
import re
import zipfile
from pathlib import Path

import numpy as np

from ..eeg._channels import SEED_CHANNELS
from ..io._safe import RestrictedUnpickler, UnsafeFileError

#: SEED-V's label codes (its documentation).
SEED_V_LABEL_NAMES = {0: "disgust", 1: "fear", 2: "sad", 3: "neutral", 4: "happy"}
#: SEED-V's clip labels of each session, in trial order (``emotion_label_and_stimuli_order.xlsx``; the same
#: for every subject).
SEED_V_SESSION_LABELS = {
    1: (4, 1, 3, 2, 0, 4, 1, 3, 2, 0, 4, 1, 3, 2, 0),
    2: (2, 1, 3, 0, 4, 4, 0, 3, 2, 1, 3, 4, 1, 2, 0),
    3: (2, 1, 3, 0, 4, 4, 0, 3, 2, 1, 3, 4, 1, 2, 0),
}
N_TRIALS = 15
N_SESSIONS = 3
TIMES_FILE = "trial_start_end_timestamp.txt"
FOLDERS = {"features": "EEG_DE_features", "raw": "EEG_raw"}
_NPZ_NAME = re.compile(r"^(\d+)_123\.npz$")
_CNT_NAME = re.compile(r"^(\d+)_(\d+)_(\d+)\.cnt$")
_N_FEATURES = len(SEED_CHANNELS) * 5


# --- trial times ---------------------------------------------------------------------------------------

def read_trial_times(file):
    """``{session: (starts, ends)}`` in seconds from SEED-V's ``trial_start_end_timestamp.txt``.

    The file lists, per session, ``Session k:`` then ``start_second: [a, b, ...]`` and
    ``end_second: [c, d, ...]``.
    """
    file = Path(file)
    if not file.is_file():
        raise FileNotFoundError(
            f"No {TIMES_FILE} at {file}; SEED-V's raw recordings are cut at the clip times it lists."
        )
    text = file.read_text(encoding="utf-8", errors="replace")
    times = {}
    for block in re.finditer(r"Session\s*(\d+)\s*:(.*?)(?=Session\s*\d+\s*:|\Z)", text, flags=re.S | re.I):
        session = int(block[1])
        starts, ends = (_second_list(file, session, name, block[2]) for name in ("start_second", "end_second"))
        if len(starts) != len(ends):
            raise ValueError(f"{file}: session {session} has {len(starts)} start and {len(ends)} end times.")
        bad = [k + 1 for k, (a, b) in enumerate(zip(starts, ends)) if not 0 <= a < b]
        if bad:
            raise ValueError(f"{file}: session {session}, trial(s) {bad} do not end after they start.")
        times[session] = (starts, ends)
    if not times:
        raise ValueError(f"{file} lists no 'Session k:' block with start_second and end_second.")
    return times


def _second_list(file, session, name, text):
    match = re.search(rf"{name}\s*:?\s*\[([^\]]*)\]", text)
    if match is None:
        raise ValueError(f"{file}: session {session} has no '{name}: [...]' list.")
    try:
        return [float(item) for item in match[1].replace(",", " ").split()]
    except ValueError:
        raise ValueError(f"{file}: session {session}, {name} holds a value that is not a number.") from None


# --- DE features (.npz) ------------------------------------------------------------------------------------

def feature_files(folder, subjects):
    """(file, subject) of every ``{subject}_123.npz``."""
    found = {int(m[1]): file for file in folder.iterdir() if (m := _NPZ_NAME.match(file.name))}
    return _select(found, subjects, folder, "{subject}_123.npz (e.g. 1_123.npz)")


def read_feature_file(file):
    """Trials of one SEED-V feature file: list of (session, trial, features (n_windows, 310), label code)."""
    data, label = (_unpickled(file, key) for key in ("data", "label"))
    trials = []
    for t in range(N_SESSIONS * N_TRIALS):
        if t not in data or t not in label:
            raise ValueError(f"{file}: no trial {t} in 'data' or 'label' (SEED-V has 45 trials, keys 0-44).")
        features, codes = np.asarray(data[t], dtype=np.float64), np.asarray(label[t]).ravel()
        if features.ndim != 2 or features.shape[1] != _N_FEATURES:
            raise ValueError(f"{file}: trial {t} has features of shape {features.shape}; expected (n_windows, 310).")
        if len(codes) != len(features):
            raise ValueError(f"{file}: trial {t} has {len(features)} windows but {len(codes)} labels.")
        unique = np.unique(codes)
        if len(unique) != 1:
            raise ValueError(f"{file}: trial {t} has labels {unique.tolist()}; a trial has one emotion.")
        trials.append((t // N_TRIALS + 1, t % N_TRIALS + 1, features, int(unique[0])))
    return trials


def _unpickled(file, key):
    try:
        with np.load(file, allow_pickle=False) as content:
            if key not in content.files:
                raise ValueError(f"{file} has no '{key}' entry (found {content.files}); not a SEED-V feature file.")
            raw = content[key]
    except (OSError, zipfile.BadZipFile, EOFError) as error:
        raise ValueError(f"{file} is not a readable .npz file ({error}).") from None
    if raw.dtype.kind != "S":
        raise ValueError(f"{file}: '{key}' is {raw.dtype} data, not SEED-V's pickled dict.")
    try:
        content = RestrictedUnpickler(io.BytesIO(raw.tobytes())).load()
    except pickle.UnpicklingError as error:
        if str(error).startswith(("global ", "numpy ")):
            raise UnsafeFileError(f"{file}: '{key}' refused to unpickle {error}; it was not loaded.") from None
        raise ValueError(f"{file}: '{key}' is not a readable pickle ({error}).") from None
    except (EOFError, ValueError, TypeError, AttributeError, IndexError, KeyError) as error:
        raise ValueError(f"{file}: '{key}' is not a readable pickle (corrupt: {error!r}).") from None
    if not isinstance(content, dict):
        raise ValueError(f"{file}: '{key}' holds a {type(content).__name__}, not a dict of trials.")
    return content


# --- raw recordings (.cnt) ---------------------------------------------------------------------------------

def raw_files(folder, subjects):
    """(file, subject, session) of every ``{subject}_{session}_{date}.cnt``, sorted by subject and session."""
    found = {}
    for file in folder.iterdir():
        if m := _CNT_NAME.match(file.name):
            found.setdefault(int(m[1]), []).append((int(m[2]), file))
    selected = _select(found, subjects, folder, "{subject}_{session}_{date}.cnt (e.g. 1_1_20180804.cnt)")
    files = []
    for sessions, subject in selected:
        numbers = [s for s, _ in sessions]
        if len(set(numbers)) != len(numbers):
            raise ValueError(f"Subject {subject} has two recordings of one session in {folder}: {sorted(numbers)}.")
        files += [(file, subject, session) for session, file in sorted(sessions)]
    return files


def read_raw_trials(file, starts, ends):
    """EEG of each trial of one recording, in volts, SEED's 62 channels in SEED's order, and the rate."""
    import mne

    try:
        raw = mne.io.read_raw_cnt(file, preload=False, verbose="error")
    except (OSError, ValueError, RuntimeError, EOFError, IndexError) as error:
        cause = error.__cause__ or error.__context__ or error
        raise ValueError(f"{file} is not a readable Neuroscan .cnt file ({cause!r}).") from None
    by_name = {name.upper(): name for name in raw.ch_names}
    missing = [name for name in SEED_CHANNELS if name.upper() not in by_name]
    if missing:
        raise ValueError(
            f"{file} has {len(SEED_CHANNELS) - len(missing)} of SEED's 62 EEG channels; missing {missing}. "
            "Every recording of a data set must have the same channels."
        )
    picks = [by_name[name.upper()] for name in SEED_CHANNELS]
    sfreq = float(raw.info["sfreq"])
    n_times = raw.n_times
    trials = []
    for k, (start, end) in enumerate(zip(starts, ends), start=1):
        first, stop = int(round(start * sfreq)), int(round(end * sfreq))
        if stop > n_times:
            raise ValueError(
                f"{file} holds {n_times / sfreq:.1f} s, but trial {k} ends at {end:g} s ({TIMES_FILE}); the "
                "recording is shorter than the clip times say."
            )
        trials.append(raw.get_data(picks=picks, start=first, stop=stop))
    return trials, sfreq


def _select(found, subjects, folder, pattern):
    if subjects is not None:
        wanted = sorted({int(s) for s in subjects})
        missing = [s for s in wanted if s not in found]
        if missing:
            raise FileNotFoundError(f"No SEED-V file of subject(s) {missing} in {folder}.")
        found = {s: found[s] for s in wanted}
    if not found:
        raise FileNotFoundError(f"No SEED-V file named {pattern} in {folder}.")
    return [(found[s], s) for s in sorted(found)]
