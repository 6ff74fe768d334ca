"""SEED-IV through load_seed (files written in SEED-IV's structure) and the SEED protocols' splits."""

import numpy as np
import pytest
import scipy.io
from sklearn.model_selection import LeaveOneGroupOut

from skemotion.datasets import SEED_IV_LABEL_NAMES, SEED_IV_SESSION_LABELS, load_seed, seed_cv_splits

DATES = {1: ["20160518", "20160725", "20161026"], 4: ["20160303", "20160405", "20160602"]}


@pytest.fixture(scope="module")
def seed_iv_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("SEED_IV")
    for kind, folder in (("features", "eeg_feature_smooth"), ("eeg", "eeg_raw_data")):
        for session in (1, 2, 3):
            (root / folder / str(session)).mkdir(parents=True)
            for subject, dates in DATES.items():
                name = root / folder / str(session) / f"{subject}_{dates[session - 1]}.mat"
                if kind == "features":
                    content = {f"de_LDS{k}": np.full((62, 2, 5), subject * 1000 + session * 100 + k)
                               for k in range(1, 25)}
                else:
                    content = {f"cz_eeg{k}": np.full((62, 400), float(session * 100 + k)) for k in range(1, 25)}
                scipy.io.savemat(name, content)
    return root


def test_seed_iv_sessions_come_from_folders_and_labels_from_the_readme(seed_iv_root):
    seed = load_seed(seed_iv_root, dataset="seed_iv")
    assert seed.data.shape == (2 * 3 * 24 * 2, 62, 5)
    # Each value tells its subject, session and trial (written above).
    value = seed.data[:, 0, 0]
    np.testing.assert_array_equal(value, seed.groups * 1000 + seed.session * 100 + seed.trial)
    expected = [SEED_IV_LABEL_NAMES[SEED_IV_SESSION_LABELS[s][t - 1]] for s, t in zip(seed.session, seed.trial)]
    assert list(seed.target) == expected
    assert set(seed.target) == {"neutral", "sad", "fear", "happy"}
    eeg = load_seed(seed_iv_root, dataset="seed_iv", kind="eeg", epoch_duration=1.0, subjects=[4])
    assert eeg.data.shape == (3 * 24 * 2, 62, 200) and set(eeg.groups) == {4}
    np.testing.assert_array_equal(eeg.data[:, 0, 0], eeg.session * 100 + eeg.trial)
    with pytest.raises(TypeError, match="labels must be a dict"):
        load_seed(seed_iv_root, dataset="seed_iv", labels=[0] * 24)
    with pytest.raises(ValueError, match=r"No labels for SEED-IV session 3"):
        load_seed(seed_iv_root, dataset="seed_iv", labels={1: [0] * 24, 2: [0] * 24})
    with pytest.raises(FileNotFoundError, match=r"No SEED-IV session folder .* in .*eeg_feature_smooth"):
        (seed_iv_root / "eeg_feature_smooth" / "empty").mkdir(exist_ok=True)
        load_seed(seed_iv_root / "eeg_feature_smooth" / "empty", dataset="seed_iv")


def test_subject_dependent_protocol_first_16_of_24(seed_iv_root):
    seed = load_seed(seed_iv_root, dataset="seed_iv")
    folds = seed_cv_splits(seed)
    assert len(folds) == 2 * 3
    covered = np.concatenate([test for _, test in folds])
    assert sorted(covered) == np.flatnonzero(seed.trial > 16).tolist()   # every last-8 sample tested once
    for train, test in folds:
        assert len({(seed.groups[i], seed.session[i]) for i in np.concatenate([train, test])}) == 1
        assert set(seed.trial[train]) == set(range(1, 17)) and set(seed.trial[test]) == set(range(17, 25))


def test_subject_dependent_protocol_first_9_of_15():
    trial = np.tile(np.repeat(np.arange(1, 16), 3), 2)
    seed = {"groups": np.repeat([1, 2], 45), "session": np.ones(90, int), "trial": trial}
    folds = seed_cv_splits(seed)
    assert [(set(trial[tr]), set(trial[te])) for tr, te in folds] == [(set(range(1, 10)), set(range(10, 16)))] * 2
    with pytest.raises(ValueError, match=r"n_train_trials must be in 1\.\.14"):
        seed_cv_splits(seed, n_train_trials=15)


def test_leave_one_subject_out_and_cross_session_match_sklearn(seed_iv_root):
    seed = load_seed(seed_iv_root, dataset="seed_iv")
    reference = list(LeaveOneGroupOut().split(seed.data, groups=seed.groups))
    ours = seed_cv_splits(seed, "leave_one_subject_out")
    assert all(np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1]) for a, b in zip(ours, reference))
    folds = seed_cv_splits(seed, "cross_session")
    assert len(folds) == 2 * 3
    for subject in (1, 4):
        mine = np.flatnonzero(seed.groups == subject)
        expected = [(mine[tr], mine[te]) for tr, te in LeaveOneGroupOut().split(mine, groups=seed.session[mine])]
        got = [f for f in folds if seed.groups[f[1][0]] == subject]
        assert all(np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1]) for a, b in zip(got, expected))
    with pytest.raises(ValueError, match="protocol must be one of"):
        seed_cv_splits(seed, "random")
