"""load_seed on .mat files written in exactly SEED's structure (the real data cannot be shipped)."""

import numpy as np
import pytest
import scipy.io

from skemotion.datasets import SEED_LABEL_NAMES, load_seed
from skemotion.eeg import SEED_CHANNELS

LABELS = np.array([1, 0, -1, -1, 0, 1])  # SEED has 15 trials; 6 keep the files small
SESSIONS = {1: ["20131027", "20131030"], 2: ["20140404"]}  # subject -> dates; session 1 is the earliest
PREFIX = {1: "djc", 2: "jl"}
N_WINDOWS = [4, 3, 5, 2, 4, 3]  # 1-s windows per trial
N_SAMPLES = [1000, 850, 1200, 640, 800, 999]  # 200 Hz samples per trial


def feature_value(subject, session, trial, channel, window, band):
    """A value that tells where it came from."""
    return subject * 1e6 + session * 1e5 + trial * 1e3 + channel * 10 + window + band / 10


@pytest.fixture(scope="module")
def seed_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("SEED")
    features, eeg = root / "ExtractedFeatures", root / "Preprocessed_EEG"
    features.mkdir()
    eeg.mkdir()
    for folder in (features, eeg):
        scipy.io.savemat(folder / "label.mat", {"label": LABELS[np.newaxis]})
        (folder / "readme.txt").write_text("not a session file")
    for subject, dates in SESSIONS.items():
        for session, date in reversed(list(enumerate(dates, start=1))):  # latest first, on purpose
            content = {}
            for k, n in enumerate(N_WINDOWS, start=1):
                c, w, b = np.meshgrid(np.arange(62), np.arange(n), np.arange(5), indexing="ij")
                content[f"de_LDS{k}"] = feature_value(subject, session, k, c, w, b)
                content[f"psd_movingAve{k}"] = np.zeros((62, n, 5))
                content[f"dasm_LDS{k}"] = np.zeros((27, n, 5))
            scipy.io.savemat(features / f"{subject}_{date}.mat", content)
            signals = {f"{PREFIX[subject]}_eeg{k}": np.tile(np.arange(n, dtype=float), (62, 1)) * (1 + 0.01 * k)
                       + np.arange(62)[:, None] * 1e4 + session * 1e6
                       for k, n in enumerate(N_SAMPLES, start=1)}
            signals["__not_eeg"] = np.zeros(3)
            scipy.io.savemat(eeg / f"{subject}_{date}.mat", signals)
    return root


def test_extracted_features_are_windows_of_channels_by_bands(seed_root):
    seed = load_seed(seed_root)
    n_per_file = sum(N_WINDOWS)
    assert seed.data.shape == (3 * n_per_file, 62, 5)
    assert seed.ch_names == SEED_CHANNELS and seed.band_names == ["delta", "theta", "alpha", "beta", "gamma"]
    assert seed.groups.tolist() == [1] * 2 * n_per_file + [2] * n_per_file
    assert seed.session.tolist() == ([1] * n_per_file + [2] * n_per_file + [1] * n_per_file)
    # Every value comes from its subject, session, trial, channel, window and band.
    for i in [0, 5, n_per_file + 7, 2 * n_per_file + n_per_file - 1]:
        subject, session, trial = seed.groups[i], seed.session[i], seed.trial[i]
        window = i - np.flatnonzero((seed.groups == subject) & (seed.session == session) & (seed.trial == trial))[0]
        expected = feature_value(subject, session, trial, np.arange(62)[:, None], window, np.arange(5))
        np.testing.assert_array_equal(seed.data[i], expected)
    expected_target = [SEED_LABEL_NAMES[LABELS[t - 1]] for t in seed.trial]
    assert seed.target.tolist() == expected_target
    assert seed.sfreq is None


def test_folder_itself_subjects_other_features_and_raw_codes(seed_root):
    seed = load_seed(seed_root / "ExtractedFeatures", subjects=[2], feature="dasm_LDS", label_names=None)
    assert seed.data.shape == (sum(N_WINDOWS), 27, 5) and seed.ch_names is None
    assert set(seed.groups) == {2} and set(seed.target) == {-1, 0, 1}
    X, y = load_seed(seed_root, feature="psd_movingAve", return_X_y=True, verbose=True)  # a progress bar
    assert len(X) == len(y) == 3 * sum(N_WINDOWS)


def test_preprocessed_eeg_is_cut_into_epochs(seed_root):
    seed = load_seed(seed_root, kind="eeg", epoch_duration=2.0)
    per_trial = [n // 400 for n in N_SAMPLES]  # whole 2-s epochs at 200 Hz
    assert seed.data.shape == (3 * sum(per_trial), 62, 400) and seed.sfreq == 200.0
    # Epoch j of trial k of subject 1, session 1 holds samples 400 j ... 400 j + 399 of that trial.
    first = (seed.groups == 1) & (seed.session == 1) & (seed.trial == 3)
    epochs = seed.data[first]
    assert len(epochs) == per_trial[2]
    expected = np.arange(400, 800) * 1.03 + np.arange(62)[:, None] * 1e4 + 1e6
    np.testing.assert_allclose(epochs[1], expected)
    assert seed.target[first].tolist() == ["negative"] * per_trial[2]


def test_preprocessed_eeg_as_whole_trials(seed_root):
    seed = load_seed(seed_root, kind="eeg", epoch_duration=None, subjects=[1])
    assert len(seed.data) == 2 * len(LABELS)
    assert [x.shape for x in seed.data[: len(LABELS)]] == [(62, n) for n in N_SAMPLES]
    assert seed.trial.tolist() == list(range(1, 7)) * 2


def test_explicit_labels_for_other_seed_family_members(seed_root):
    seed = load_seed(seed_root, labels=[0, 1, 2, 3, 0, 1], label_names={0: "neutral", 1: "sad", 2: "fear", 3: "happy"})
    assert seed.target[seed.trial == 3][0] == "fear"


def test_loader_errors_are_clear(seed_root, tmp_path):
    with pytest.raises(ValueError, match="kind must be"):
        load_seed(seed_root, kind="raw")
    with pytest.raises(FileNotFoundError, match=r"\{subject\}_\{date\}.mat"):
        load_seed(tmp_path)
    with pytest.raises(FileNotFoundError, match=r"subject\(s\) \[7\]"):
        load_seed(seed_root, subjects=[7])
    with pytest.raises(ValueError, match=r"lacks \['de_LDS7'.*prefixes in the file: \['dasm_LDS', 'de_LDS'"):
        load_seed(seed_root, labels=np.zeros(7, dtype=int))
    with pytest.raises(ValueError, match=r"lacks the EEG of trial\(s\) \[7\]"):
        load_seed(seed_root, kind="eeg", labels=np.zeros(7, dtype=int))
    with pytest.raises(ValueError, match=r"code\(s\) \[5\] have no name"):
        load_seed(seed_root, labels=[5, 0, 0, 0, 0, 0])
    scipy.io.savemat(tmp_path / "3_20150101.mat", {"de_LDS1": np.zeros((62, 2, 5))})
    with pytest.raises(FileNotFoundError, match="No label.mat"):
        load_seed(tmp_path)


def _small_seed(folder, label=(1, 0, -1)):
    folder.mkdir(exist_ok=True)
    scipy.io.savemat(folder / "label.mat", {"label": np.array([label])})
    for subject in (1, 2):
        content = {f"de_LDS{k}": np.ones((62, 2, 5)) for k in (1, 2, 3)}
        content.update({f"ab_eeg{k}": np.ones((62, 400)) for k in (1, 2, 3)})
        scipy.io.savemat(folder / f"{subject}_20130101.mat", content)
    return folder


def test_a_trial_with_61_channels_names_its_file_and_trial(tmp_path):
    folder = _small_seed(tmp_path / "SEED")
    content = {f"de_LDS{k}": np.ones((62 if k != 2 else 61, 2, 5)) for k in (1, 2, 3)}
    content.update({f"ab_eeg{k}": np.ones((62 if k != 3 else 61, 400)) for k in (1, 2, 3)})
    scipy.io.savemat(folder / "2_20130101.mat", content)
    with pytest.raises(ValueError, match=r"2_20130101\.mat, trial 2: 61 rows .* but 1_20130101\.mat, trial 1 has 62"):
        load_seed(folder)
    with pytest.raises(ValueError, match=r"2_20130101\.mat, trial 3: 61 rows .* but 1_20130101\.mat, trial 1 has 62"):
        load_seed(folder, kind="eeg")


def test_a_label_outside_the_table_names_label_mat(tmp_path):
    folder = _small_seed(tmp_path / "SEED", label=(1, 2, -1))
    with pytest.raises(ValueError, match=r"code\(s\) \[2\] have no name .*the first from .*label\.mat"):
        load_seed(folder)
    np.testing.assert_array_equal(np.unique(load_seed(folder, label_names=None).target), [-1, 1, 2])


@pytest.mark.parametrize("damage", ["garbage", "truncated", "empty"])
def test_a_corrupt_mat_names_its_file(tmp_path, damage):
    folder = _small_seed(tmp_path / "SEED")
    file = folder / "2_20130101.mat"
    data = file.read_bytes()
    damaged = {"garbage": b"not a MATLAB file" * 20, "truncated": data[: len(data) // 100], "empty": b""}
    file.write_bytes(damaged[damage])
    with pytest.raises(ValueError, match=r"2_20130101\.mat is not a readable MATLAB \.mat file"):
        load_seed(folder)
    (folder / "label.mat").write_bytes(b"\x00" * 10)
    with pytest.raises(ValueError, match=r"label\.mat is not a readable MATLAB \.mat file"):
        load_seed(folder, subjects=[1])


def test_a_trial_shorter_than_one_epoch_is_reported(tmp_path):
    folder = _small_seed(tmp_path / "SEED")
    content = {f"ab_eeg{k}": np.ones((62, 400 if k != 2 else 150)) for k in (1, 2, 3)}
    scipy.io.savemat(folder / "2_20130101.mat", content)
    with pytest.warns(UserWarning, match=r"2_20130101\.mat, trial 2: 150 samples, shorter than one 2-s epoch"):
        seed = load_seed(folder, kind="eeg", epoch_duration=2.0)
    assert len(seed.data) == 5 and (seed.trial[seed.groups == 2] != 2).all()
