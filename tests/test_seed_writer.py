"""write_seed: SEED-format folders from make_eeg_emotion, read back by load_seed."""

import numpy as np
import pytest
import scipy.io

from skemotion.datasets import load_seed, make_eeg_emotion, seed_cv_splits, write_seed
from skemotion.eeg import SEED_CHANNELS

# SEED's label.mat (the data set's documentation and every public SEED loader): the 15 clips' emotions.
SEED_LABEL_MAT = [1, 0, -1, -1, 0, 1, -1, 0, 1, 1, 0, -1, 0, 1, -1]


@pytest.fixture(scope="module")
def eeg():
    return make_eeg_emotion(n_subjects=3, n_trials=15, n_epochs_per_trial=2, label_order="seed", random_state=0)


def test_seed_label_order_is_seeds_label_mat_for_every_subject(eeg):
    names = {-1: "negative", 0: "neutral", 1: "positive"}
    for subject in range(3):
        mine = eeg.groups == subject
        assert eeg.target[mine][::2].tolist() == [names[c] for c in SEED_LABEL_MAT]
    short = make_eeg_emotion(n_subjects=1, n_trials=6, label_order="seed", random_state=0)
    assert short.target.tolist() == [names[c] for c in SEED_LABEL_MAT[:6]]
    with pytest.raises(ValueError, match="label_order must be 'random' or 'seed'"):
        make_eeg_emotion(n_subjects=1, label_order="SEED")


def test_written_folder_reads_back_identically(eeg, tmp_path):
    folder = write_seed(eeg, tmp_path / "SEED")
    assert sorted(p.name for p in folder.iterdir()) == ["1_20000101.mat", "2_20000101.mat", "3_20000101.mat",
                                                        "label.mat"]
    np.testing.assert_array_equal(scipy.io.loadmat(folder / "label.mat")["label"], [SEED_LABEL_MAT])
    keys = sorted(name for name, *_ in scipy.io.whosmat(folder / "1_20000101.mat"))
    assert keys == sorted(f"sk_eeg{k}" for k in range(1, 16))
    assert scipy.io.whosmat(folder / "1_20000101.mat")[0][1] == (62, 1600)  # two 4-s epochs at 200 Hz
    seed = load_seed(tmp_path / "SEED", kind="eeg", epoch_duration=4.0)
    np.testing.assert_array_equal(seed.data, eeg.data)
    np.testing.assert_array_equal(seed.target, eeg.target)
    np.testing.assert_array_equal(seed.groups, eeg.groups + 1)
    np.testing.assert_array_equal(seed.trial, eeg.trial + 1)
    assert set(seed.session) == {1} and seed.ch_names == SEED_CHANNELS and seed.sfreq == 200.0
    folds = seed_cv_splits(seed, "subject_dependent")
    assert len(folds) == 3 and all(seed.trial[test].min() == 10 for _, test in folds)


def test_random_orders_and_bad_input_are_refused(eeg, tmp_path):
    mixed = make_eeg_emotion(n_subjects=2, n_trials=15, random_state=0)
    with pytest.raises(ValueError, match=r"Subject 1's trials have other labels than subject 0's.*label_order='seed'"):
        write_seed(mixed, tmp_path)
    assert not (tmp_path / "Preprocessed_EEG" / "1_20000101.mat").exists()
    bad = dict(eeg, data=eeg.data[:, :61])
    with pytest.raises(ValueError, match=r"shape \(n_epochs, 62, n_times\), got shape \(90, 61, 800\)"):
        write_seed(bad, tmp_path)
    with pytest.raises(ValueError, match="SEED's labels are"):
        write_seed(dict(eeg, target=np.full(len(eeg.target), "sad")), tmp_path)


def test_a_write_that_fails_midway_leaves_that_file_intact(eeg, tmp_path, monkeypatch):
    folder = write_seed(eeg, tmp_path)
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    calls = []

    def failing_savemat(fh, content):
        calls.append(fh)
        fh.write(b"MATLAB 5.0 half a file")
        if len(calls) == 2:
            raise OSError("disk full")

    monkeypatch.setattr(scipy.io, "savemat", failing_savemat)
    other = make_eeg_emotion(n_subjects=3, n_trials=15, n_epochs_per_trial=2, label_order="seed", random_state=1)
    with pytest.raises(OSError, match="disk full"):
        write_seed(other, tmp_path, overwrite=True)
    after = {p.name: p.read_bytes() for p in folder.iterdir()}
    assert after.keys() == before.keys()  # no temporary file left behind
    assert after["2_20000101.mat"] == before["2_20000101.mat"]  # the file being written when it failed
