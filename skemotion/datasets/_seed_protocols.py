"""The cross-validation protocols that SEED-family papers report, as train/test index pairs.

* ``"subject_dependent"``: one fold per subject and session; its first trials train and its last trials test
  (SEED: 9 and 6 of 15, Zheng and Lu 2015; SEED-IV: 16 and 8 of 24, Zheng et al. 2019).
* ``"leave_one_subject_out"``: one fold per subject, tested on all of that subject's data.
* ``"cross_session"``: one fold per subject and session, trained on the subject's other sessions.
* ``"three_fold"``: SEED-V's subject-dependent protocol (Liu et al. 2021): three folds per subject, fold ``j``
  testing trials ``5 j + 1 .. 5 j + 5`` of every session, trained on the subject's other trials.

The folds come from the ``groups`` (subject), ``session`` and ``trial`` fields of
:func:`~skemotion.datasets.load_seed`; each is a pair of index arrays, so the list is a ``cv=`` argument.
"""

import numpy as np

PROTOCOLS = ("subject_dependent", "leave_one_subject_out", "cross_session", "three_fold")
# First trials for training in the subject-dependent protocol, by trials per session.
_N_TRAIN = {15: 9, 24: 16}


def seed_cv_splits(seed, protocol="subject_dependent", *, n_train_trials=None):
    """Train/test splits of a SEED-family Bunch under a protocol of the literature.

    Parameters
    ----------
    seed : Bunch
        From :func:`~skemotion.datasets.load_seed` (fields ``groups``, ``session``, ``trial``).
    protocol : str, default="subject_dependent"
        ``"subject_dependent"`` (per subject and session, first trials train, last trials test),
        ``"leave_one_subject_out"``, ``"cross_session"`` (per subject, one session tests) or ``"three_fold"``
        (SEED-V: per subject, fold ``j`` tests trials ``5 j + 1 .. 5 j + 5`` of every session).
    n_train_trials : int or None, default=None
        Subject-dependent protocol: trials ``1..n_train_trials`` of each session train, the rest test.
        ``None``: 9 for 15 trials per session (SEED), 16 for 24 (SEED-IV), else an error.

    Returns
    -------
    list of (train, test) index arrays

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.utils import Bunch
    >>> from skemotion.datasets import seed_cv_splits
    >>> trial = np.tile(np.arange(1, 16), 2)
    >>> seed = Bunch(groups=np.ones(30, int), session=np.repeat([1, 2], 15), trial=trial)
    >>> [(trial[tr].max(), trial[te].min()) for tr, te in seed_cv_splits(seed)]
    [(np.int64(9), np.int64(10)), (np.int64(9), np.int64(10))]
    """
    subject, session, trial = (np.asarray(seed[name]) for name in ("groups", "session", "trial"))
    if not len(subject) == len(session) == len(trial):
        raise ValueError("groups, session and trial must have one entry per sample.")
    if protocol == "leave_one_subject_out":
        return [_pair(subject != s, subject == s) for s in np.unique(subject)]
    if protocol == "cross_session":
        folds = []
        for s in np.unique(subject):
            mine = subject == s
            if len(np.unique(session[mine])) < 2:
                raise ValueError(f"Subject {s} has one session only; the cross-session protocol needs two.")
            folds += [_pair(mine & (session != k), mine & (session == k)) for k in np.unique(session[mine])]
        return folds
    if protocol == "three_fold":
        n_trials = int(trial.max())
        if n_trials % 3:
            raise ValueError(f"The three-fold protocol splits each session's trials in three; got {n_trials} trials.")
        size = n_trials // 3
        part = (trial - 1) // size
        return [_pair((subject == s) & (part != j), (subject == s) & (part == j))
                for s in np.unique(subject) for j in range(3)]
    if protocol == "subject_dependent":
        n_trials = int(trial.max())
        n_train = _N_TRAIN.get(n_trials) if n_train_trials is None else int(n_train_trials)
        if n_train is None or not 0 < n_train < n_trials:
            raise ValueError(
                f"n_train_trials must be in 1..{n_trials - 1}; the default is known for 15 (SEED) and 24 (SEED-IV) "
                f"trials per session, got {n_train_trials!r} for {n_trials} trials."
            )
        folds = []
        for s, k in sorted({(a, b) for a, b in zip(subject.tolist(), session.tolist())}):
            mine = (subject == s) & (session == k)
            folds.append(_pair(mine & (trial <= n_train), mine & (trial > n_train)))
        return folds
    raise ValueError(f"protocol must be one of {PROTOCOLS}, got {protocol!r}.")


def _pair(train, test):
    return np.flatnonzero(train), np.flatnonzero(test)
