"""Writing EEG epochs as a SEED-format folder, so that :func:`~skemotion.datasets.load_seed` can be tried end to end.

SEED's ``Preprocessed_EEG/`` holds one MATLAB file per subject and session, ``{subject}_{date}.mat``, with the
EEG of trial ``k`` under ``{prefix}_eeg{k}`` (62 channels x samples), and ``label.mat`` with ``label``: one
label per trial (1 positive, 0 neutral, -1 negative), shared by every subject. The epochs of a trial are
written one after the other, so ``load_seed(..., kind="eeg", epoch_duration=...)`` with the epochs' duration
gives them back. The folder is written as a whole (:func:`skemotion.utils._files.atomic_folder`): every file
goes into a staging folder that takes the folder's name only once all are complete, so a failure part-way
never leaves old and new files mixed.
"""

from pathlib import Path

import numpy as np
import scipy.io

from ..eeg._channels import SEED_CHANNELS
from ..utils._files import atomic_folder, atomic_write
from ._seed import SEED_LABEL_NAMES

_CODES = {name: code for code, name in SEED_LABEL_NAMES.items()}


def write_seed(eeg, path, *, date="20000101", prefix="sk", overwrite=False):
    """Write EEG epochs (e.g. from :func:`make_eeg_emotion`) as SEED's ``Preprocessed_EEG`` folder.

    Parameters
    ----------
    eeg : Bunch
        With ``data`` (n_epochs, 62, n_times) in SEED's channel order, ``target`` (``"negative"``,
        ``"neutral"``, ``"positive"``), ``groups`` (subject) and ``trial`` (trial of the subject), as
        :func:`~skemotion.datasets.make_eeg_emotion` returns. Every subject must have the same trials with the
        same labels, as in SEED (``make_eeg_emotion(..., label_order="seed")`` gives SEED's own order).
    path : str or path-like
        The data set folder; ``Preprocessed_EEG/`` is created in it.
    date : str, default="20000101"
        The date in the file names (SEED names each session file ``{subject}_{date}.mat``).
    prefix : str, default="sk"
        The subject prefix of the variable names (SEED uses initials, e.g. ``djc_eeg1``).
    overwrite : bool, default=False
        Whether an existing ``Preprocessed_EEG/`` may be replaced. It is replaced as a whole, files this
        call does not write (other subjects, other dates) included, so that loading it never mixes two
        writes; the default refuses with :class:`FileExistsError`.

    Returns
    -------
    folder : Path
        The ``Preprocessed_EEG`` folder written. Subject ``g`` of ``groups`` is written as subject ``g + 1``
        (SEED numbers from 1) when ``groups`` starts at 0, else as ``g``; trial ``t`` likewise.

    Examples
    --------
    >>> import tempfile
    >>> from skemotion.datasets import load_seed, make_eeg_emotion, write_seed
    >>> eeg = make_eeg_emotion(n_subjects=2, n_trials=15, label_order="seed", random_state=0)
    >>> folder = write_seed(eeg, tempfile.mkdtemp())
    >>> seed = load_seed(folder.parent, kind="eeg", epoch_duration=4.0)
    >>> bool((seed.data == eeg.data).all()), seed.target[:3].tolist()
    (True, ['positive', 'neutral', 'negative'])
    """
    data, codes, subjects, trials = _check_epochs(eeg)
    if not (str(date).isdigit() and prefix.isidentifier()):
        raise ValueError(f"date must be digits and prefix a MATLAB name, got {date!r} and {prefix!r}.")
    trial_codes = _shared_trial_labels(codes, subjects, trials)
    folder = Path(path) / "Preprocessed_EEG"
    folder.parent.mkdir(parents=True, exist_ok=True)
    subject_numbers = subjects + (1 if subjects.min() == 0 else 0)
    trial_numbers = trials + (1 if trials.min() == 0 else 0)
    with atomic_folder(folder, overwrite=overwrite) as staging:  # refuses an unwritable folder before any work
        for s in np.unique(subject_numbers):
            mine = subject_numbers == s
            content = {f"{prefix}_eeg{k}": _trial_signal(data[mine & (trial_numbers == k)])
                       for k in np.unique(trial_numbers[mine])}
            _savemat(staging / f"{s}_{date}.mat", content)
        _savemat(staging / "label.mat", {"label": trial_codes[np.newaxis]})
    return folder


def _check_epochs(eeg):
    try:
        data, target, groups, trial = (eeg[name] for name in ("data", "target", "groups", "trial"))
    except (KeyError, TypeError):
        raise ValueError("eeg must be a Bunch with data, target, groups and trial (as make_eeg_emotion returns).") \
            from None
    data = np.asarray(data)
    if data.ndim != 3 or data.shape[1] != len(SEED_CHANNELS) or not np.isfinite(data).all():
        raise ValueError(f"data must be finite epochs of shape (n_epochs, 62, n_times), got shape {data.shape}.")
    target, groups, trial = np.asarray(target), np.asarray(groups), np.asarray(trial)
    if not len(target) == len(groups) == len(trial) == len(data):
        raise ValueError("data, target, groups and trial must have one entry per epoch.")
    unknown = sorted(set(target.tolist()) - set(_CODES))
    if unknown:
        raise ValueError(f"SEED's labels are {sorted(_CODES)}; got {unknown}.")
    for name, values in (("groups", groups), ("trial", trial)):
        if not np.issubdtype(values.dtype, np.integer) or values.min() < 0:
            raise ValueError(f"{name} must be non-negative integers (SEED's numbers), got {values.dtype} values.")
    return data, np.array([_CODES[t] for t in target.tolist()]), groups, trial


def _shared_trial_labels(codes, subjects, trials):
    """The label of each trial, which must be the same for every subject (SEED shares one label.mat)."""
    all_trials = np.unique(trials)
    reference = None
    for s in np.unique(subjects):
        mine = subjects == s
        if not np.array_equal(np.unique(trials[mine]), all_trials):
            raise ValueError(f"Subject {s} lacks trial(s) {sorted(set(all_trials) - set(trials[mine]))}.")
        labels = []
        for k in all_trials:
            found = np.unique(codes[mine & (trials == k)])
            if len(found) != 1:
                raise ValueError(f"Subject {s}, trial {k} has epochs of several labels; a trial has one.")
            labels.append(found[0])
        if reference is None:
            reference = (s, np.array(labels))
        elif not np.array_equal(labels, reference[1]):
            raise ValueError(
                f"Subject {s}'s trials have other labels than subject {reference[0]}'s; SEED shares one label.mat "
                "across subjects: make the data with make_eeg_emotion(..., label_order='seed')."
            )
    return reference[1]


def _trial_signal(epochs):
    """The epochs of one trial, one after the other: (62, n_epochs * n_times)."""
    return np.concatenate(list(epochs), axis=1)


def _savemat(path, content):
    with atomic_write(path, "wb") as fh:
        scipy.io.savemat(fh, content)
