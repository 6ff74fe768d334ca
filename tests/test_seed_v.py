"""SEED-V through load_seed(dataset="seed_v"), on files written in SEED-V's own structure.

The DE features are real ``.npz`` files in SEED-V's format (two pickled dicts keyed by trial 0-44). MNE reads
Neuroscan ``.cnt`` files but cannot write them, so the raw recordings are MNE ``RawArray`` objects returned by
a monkeypatched ``mne.io.read_raw_cnt`` for the ``.cnt`` names of SEED-V's ``EEG_raw/`` folder; the clip times
come from a ``trial_start_end_timestamp.txt`` written in the data set's format. A corrupt ``.cnt`` goes
through the real MNE reader.
"""

import pickle

import mne
import numpy as np
import pytest

from skemotion.datasets import SEED_V_LABEL_NAMES, SEED_V_SESSION_LABELS, load_seed
from skemotion.datasets._seed_v import read_trial_times
from skemotion.eeg import SEED_CHANNELS
from skemotion.io import UnsafeFileError

# The times SEED-V publishes (trial_start_end_timestamp.txt), as a golden reference for the parser.
PUBLISHED = {
    1: ([30, 132, 287, 555, 773, 982, 1271, 1628, 1730, 2025, 2227, 2435, 2667, 2932, 3204],
        [102, 228, 524, 742, 920, 1240, 1568, 1697, 1994, 2166, 2401, 2607, 2901, 3172, 3359]),
    2: ([30, 299, 548, 646, 836, 1000, 1091, 1392, 1657, 1809, 1966, 2186, 2333, 2490, 2741],
        [267, 488, 614, 773, 967, 1059, 1331, 1622, 1777, 1908, 2153, 2302, 2428, 2709, 2817]),
    3: ([30, 353, 478, 674, 825, 908, 1200, 1346, 1451, 1711, 2055, 2307, 2457, 2726, 2888],
        [321, 418, 643, 764, 877, 1147, 1284, 1418, 1679, 1996, 2275, 2425, 2664, 2857, 3066]),
}
SFREQ = 1000.0
# Small clips (seconds) so that the recordings stay small: trial k of session s starts at 1 + 3 (k - 1) + s / 2.
TIMES = {s: ([1 + 3 * k + s / 2 for k in range(15)], [1 + 3 * k + s / 2 + 2 + (k % 2) for k in range(15)])
         for s in (1, 2, 3)}
RAW_NAMES = {(1, 1): "1_1_20180804.cnt", (1, 2): "1_2_20180810.cnt", (2, 1): "2_1_20180507.cnt"}
# Neuroscan order: the mastoid and EOG channels among the EEG ones.
CNT_CHANNELS = list(SEED_CHANNELS[:32]) + ["M1"] + list(SEED_CHANNELS[32:42]) + ["M2"] + list(SEED_CHANNELS[42:]) \
    + ["VEO", "HEO"]


def times_text(times):
    return "".join(f"Session {s}:\nstart_second: [{', '.join(f'{x:g}' for x in a)}]\n"
                   f"end_second: [{', '.join(f'{x:g}' for x in b)}]\n\n" for s, (a, b) in times.items())


def raw_value(subject, session, channel, sample):
    """A value (volts) that tells its subject, session, channel and sample."""
    return (subject * 1e4 + session * 1e3 + channel + sample * 1e-6) * 1e-6


def fake_cnt(channels=CNT_CHANNELS, seconds=50.0):
    def read_raw_cnt(fname, preload=False, verbose=None):
        subject, session = (int(x) for x in str(fname).rsplit("/", 1)[-1].split("_")[:2])
        n = int(seconds * SFREQ)
        rows = [SEED_CHANNELS.index(c) if c in SEED_CHANNELS else 100 + i for i, c in enumerate(channels)]
        data = raw_value(subject, session, np.array(rows)[:, None], np.arange(n))
        return mne.io.RawArray(data, mne.create_info(list(channels), SFREQ, "eeg"), verbose="error")
    return read_raw_cnt


def npz_bytes(obj):
    return np.array(pickle.dumps(obj, protocol=4))  # a 0-d byte string, as in SEED-V's files


def write_features(file, subject, label_override=None, n_features=310):
    data, label = {}, {}
    for t in range(45):
        session, k = t // 15 + 1, t % 15 + 1
        n_windows = 2 + t % 3
        data[t] = np.full((n_windows, n_features), subject * 1e4 + session * 100 + k) + np.arange(n_windows)[:, None]
        code = SEED_V_SESSION_LABELS[session][k - 1]
        label[t] = np.full(n_windows, float(code))
    if label_override:
        label.update(label_override)
    np.savez(file, data=npz_bytes(data), label=npz_bytes(label))


@pytest.fixture()
def seed_v_root(tmp_path, monkeypatch):
    root = tmp_path / "SEED-V"
    (root / "EEG_DE_features").mkdir(parents=True)
    (root / "EEG_raw").mkdir()
    for subject in (1, 2):
        write_features(root / "EEG_DE_features" / f"{subject}_123.npz", subject)
    for name in RAW_NAMES.values():
        (root / "EEG_raw" / name).write_bytes(b"")  # read through the patched reader
    (root / "trial_start_end_timestamp.txt").write_text(times_text(TIMES))
    (root / "EEG_raw" / "load_raw.ipynb").write_text("{}")  # the notebook shipped beside the data
    monkeypatch.setattr(mne.io, "read_raw_cnt", fake_cnt())
    return root


def test_trial_times_parse_the_published_file(tmp_path):
    file = tmp_path / "trial_start_end_timestamp.txt"
    file.write_text(times_text(PUBLISHED))
    times = read_trial_times(file)
    assert {s: (list(a), list(b)) for s, (a, b) in times.items()} == PUBLISHED


def test_features_come_from_the_npz_dicts(seed_v_root):
    seed = load_seed(seed_v_root, dataset="seed_v")
    n_per_subject = sum(2 + t % 3 for t in range(45))
    assert seed.data.shape == (2 * n_per_subject, 310) and seed.sfreq is None and seed.band_names is None
    window = np.concatenate([np.arange(2 + t % 3) for t in range(45)] * 2)
    np.testing.assert_array_equal(seed.data[:, 7], seed.groups * 1e4 + seed.session * 100 + seed.trial + window)
    expected = [SEED_V_LABEL_NAMES[SEED_V_SESSION_LABELS[s][k - 1]] for s, k in zip(seed.session, seed.trial)]
    assert seed.target.tolist() == expected
    assert set(seed.session) == {1, 2, 3} and seed.trial.max() == 15


def test_raw_recordings_are_cut_at_the_times_of_the_file(seed_v_root):
    seed = load_seed(seed_v_root, dataset="seed_v", kind="raw", epoch_duration=None)
    assert seed.sfreq == SFREQ and seed.ch_names == SEED_CHANNELS
    assert len(seed.data) == 3 * 15 and seed.files[0].endswith("1_1_20180804.cnt")
    for i in (0, 7, 20, 44):
        subject, session, k = seed.groups[i], seed.session[i], seed.trial[i]
        start, end = TIMES[session][0][k - 1], TIMES[session][1][k - 1]
        samples = np.arange(int(round(start * SFREQ)), int(round(end * SFREQ)))
        expected = raw_value(subject, session, np.arange(62)[:, None], samples)  # M1, M2, VEO, HEO dropped
        np.testing.assert_allclose(seed.data[i], expected, rtol=1e-12)
        assert seed.target[i] == SEED_V_LABEL_NAMES[SEED_V_SESSION_LABELS[session][k - 1]]
    epochs = load_seed(seed_v_root, dataset="seed_v", kind="raw", epoch_duration=1.0, subjects=[2])
    assert epochs.data.shape == (sum(int(b - a) for a, b in zip(*TIMES[1])), 62, 1000)
    assert set(epochs.groups) == {2} and set(epochs.session) == {1}


def test_other_times_in_the_file_cut_elsewhere(seed_v_root):
    shifted = {s: ([a + 1 for a in starts], [b + 1 for b in ends]) for s, (starts, ends) in TIMES.items()}
    (seed_v_root / "trial_start_end_timestamp.txt").write_text(times_text(shifted))
    seed = load_seed(seed_v_root, dataset="seed_v", kind="raw", epoch_duration=None, subjects=[2])
    first = int(round(shifted[1][0][0] * SFREQ))
    assert seed.data[0][0, 0] == pytest.approx(raw_value(2, 1, 0, first), rel=1e-12)


def test_seed_v_errors_name_the_file(seed_v_root, monkeypatch, tmp_path):
    with pytest.raises(ValueError, match=r"kind must be 'features' or 'raw' for dataset='seed_v'"):
        load_seed(seed_v_root, dataset="seed_v", kind="eeg")
    # 61 channels in one recording
    monkeypatch.setattr(mne.io, "read_raw_cnt", fake_cnt([c for c in CNT_CHANNELS if c != "CB2"]))
    with pytest.raises(ValueError, match=r"1_1_20180804\.cnt has 61 of SEED's 62 EEG channels; missing \['CB2'\]"):
        load_seed(seed_v_root, dataset="seed_v", kind="raw")
    # a recording shorter than the clip times
    monkeypatch.setattr(mne.io, "read_raw_cnt", fake_cnt(seconds=20.0))
    with pytest.raises(ValueError, match=r"1_1_20180804\.cnt holds 20\.0 s, but trial 7 ends at 21\.5 s"):
        load_seed(seed_v_root, dataset="seed_v", kind="raw")
    # no times file
    (seed_v_root / "trial_start_end_timestamp.txt").unlink()
    with pytest.raises(FileNotFoundError, match="No trial_start_end_timestamp.txt"):
        load_seed(seed_v_root, dataset="seed_v", kind="raw")
    (seed_v_root / "trial_start_end_timestamp.txt").write_text("Session 1:\nstart_second: [1, 5]\n")
    with pytest.raises(ValueError, match=r"session 1 has no 'end_second: \[\.\.\.\]' list"):
        load_seed(seed_v_root, dataset="seed_v", kind="raw")
    # a corrupt .cnt through the real MNE reader
    monkeypatch.undo()
    bad = tmp_path / "EEG_raw"
    bad.mkdir()
    (bad / "3_1_20180101.cnt").write_bytes(b"not a cnt file" * 100)
    (tmp_path / "trial_start_end_timestamp.txt").write_text(times_text(TIMES))
    with pytest.raises(ValueError, match=r"3_1_20180101\.cnt is not a readable Neuroscan \.cnt file"):
        load_seed(tmp_path, dataset="seed_v", kind="raw")


def test_feature_file_errors_name_the_file(seed_v_root):
    folder = seed_v_root / "EEG_DE_features"
    write_features(folder / "2_123.npz", 2, label_override={20: np.full(2 + 20 % 3, 7.0)})
    with pytest.raises(ValueError, match=r"code\(s\) \[7\] have no name .*the first from .*2_123\.npz"):
        load_seed(seed_v_root, dataset="seed_v")
    write_features(folder / "2_123.npz", 2, label_override={3: np.array([1.0, 2.0])})
    with pytest.raises(ValueError, match=r"2_123\.npz: trial 3 has labels \[1\.0, 2\.0\]"):
        load_seed(seed_v_root, dataset="seed_v")
    write_features(folder / "2_123.npz", 2, n_features=305)
    with pytest.raises(ValueError, match=r"2_123\.npz: trial 0 has features of shape \(2, 305\)"):
        load_seed(seed_v_root, dataset="seed_v")
    (folder / "2_123.npz").write_bytes(b"PK\x03\x04 truncated")
    with pytest.raises(ValueError, match=r"2_123\.npz is not a readable \.npz file"):
        load_seed(seed_v_root, dataset="seed_v")
    hostile = pickle.dumps({0: __import__("os").getcwd})  # a pickle that would import and call os.getcwd
    np.savez(folder / "2_123.npz", data=np.array(hostile), label=npz_bytes({}))
    with pytest.raises(UnsafeFileError, match=r"2_123\.npz: 'data' refused to unpickle global 'posix\.getcwd'"):
        load_seed(seed_v_root, dataset="seed_v")
    with pytest.raises(FileNotFoundError, match=r"No SEED-V file of subject\(s\) \[9\]"):
        load_seed(seed_v_root, dataset="seed_v", subjects=[9])


def test_three_fold_protocol_tests_five_trials_of_every_session(seed_v_root):
    from sklearn.utils import Bunch

    from skemotion.datasets import seed_cv_splits

    seed = load_seed(seed_v_root, dataset="seed_v")
    folds = seed_cv_splits(seed, "three_fold")
    assert len(folds) == 2 * 3
    for j, (train, test) in enumerate(folds):
        subject = j // 3 + 1
        assert set(seed.groups[test]) == set(seed.groups[train]) == {subject}
        assert sorted(set(seed.trial[test])) == list(range(5 * (j % 3) + 1, 5 * (j % 3) + 6))
        assert set(seed.session[test]) == {1, 2, 3}
        assert len(train) + len(test) == (seed.groups == subject).sum() and not set(train) & set(test)
    with pytest.raises(ValueError, match="splits each session's trials in three; got 4"):
        seed_cv_splits(Bunch(groups=np.ones(4), session=np.ones(4), trial=np.arange(1, 5)), "three_fold")
