"""load_deap on files written in DEAP's exact structure: Python 2 pickles of {'data', 'labels'}."""

import pickle
import struct

import mne
import numpy as np
import pytest

from skemotion.datasets import DEAP_CHANNELS, DEAP_PERIPHERAL_CHANNELS, load_deap
from skemotion.io import UnsafeFileError


class _Python2Pickler(pickle._Pickler):
    """Writes what Python 2's cPickle wrote: ``str`` and byte buffers as BINSTRING, numpy.core names."""

    dispatch = pickle._Pickler.dispatch.copy()

    def _save_py2_str(self, obj):
        data = obj.encode("latin1") if isinstance(obj, str) else obj
        if len(data) < 256:
            self.write(pickle.SHORT_BINSTRING + bytes([len(data)]) + data)
        else:
            self.write(pickle.BINSTRING + struct.pack("<i", len(data)) + data)
        self.memoize(obj)

    dispatch[str] = _save_py2_str
    dispatch[bytes] = _save_py2_str


def write_deap_file(path, data, labels):
    buffer = __import__("io").BytesIO()
    _Python2Pickler(buffer, protocol=2).dump({"labels": labels, "data": data})
    # Python 2's numpy named its reconstructor numpy.core.multiarray (GLOBAL opcodes are text lines)
    path.write_bytes(buffer.getvalue().replace(b"numpy._core.multiarray", b"numpy.core.multiarray"))


@pytest.fixture
def deap_folder(tmp_path):
    """Two participants in DEAP's layout: 40 trials x 40 channels x 8064 samples, 40 x 4 ratings."""
    folder = tmp_path / "deap" / "data_preprocessed_python"
    folder.mkdir(parents=True)
    rng = np.random.default_rng(0)
    contents = {}
    for subject in (1, 7):
        data = rng.normal(size=(40, 40, 8064)).astype(np.float32)  # float64 in DEAP; float32 keeps tests light
        labels = np.round(rng.uniform(1, 9, size=(40, 4)), 2)
        labels[0, 0], labels[1, 0] = 5.0, 5.01  # ties at the threshold are low, as "above the middle" is high
        write_deap_file(folder / f"s{subject:02d}.dat", data, labels)
        contents[subject] = data, labels
    return folder.parent, contents


def test_python2_structure_is_what_the_writer_makes(deap_folder):
    path, _ = deap_folder
    raw = (path / "data_preprocessed_python" / "s01.dat").read_bytes()
    assert b"cnumpy.core.multiarray\n_reconstruct\n" in raw and b"U\x04data" in raw and b"_codecs" not in raw


def test_load_deap_reads_eeg_peripheral_ratings_and_groups(deap_folder):
    path, contents = deap_folder
    deap = load_deap(path)
    assert deap.data.shape == (80, 32, 7680) and deap.peripheral.shape == (80, 8, 7680)
    np.testing.assert_array_equal(deap.data[:40], contents[1][0][:, :32, 384:])
    np.testing.assert_array_equal(deap.peripheral[40:], contents[7][0][:, 32:, 384:])
    np.testing.assert_array_equal(deap.ratings[40:], contents[7][1])
    assert deap.groups.tolist() == [1] * 40 + [7] * 40 and deap.trial.tolist() == list(range(1, 41)) * 2
    expected = np.where(np.concatenate([contents[1][1], contents[7][1]])[:, 0] > 5, "high", "low")
    np.testing.assert_array_equal(deap.target, expected)
    assert deap.target[0] == "low" and deap.target[1] == "high"
    assert deap.sfreq == 128.0 and deap.data.shape[2] / deap.sfreq == 60.0
    assert "Koelstra" in deap.DESCR and "not be redistributed" in deap.DESCR


def test_channel_names_are_the_32_geneva_electrodes_of_the_10_20_system():
    montage = mne.channels.make_standard_montage("standard_1020")
    assert len(DEAP_CHANNELS) == 32 == len(set(DEAP_CHANNELS)) and set(DEAP_CHANNELS) <= set(montage.ch_names)
    assert DEAP_CHANNELS[:4] == ("Fp1", "AF3", "F3", "F7") and DEAP_CHANNELS[-1] == "O2"
    assert len(DEAP_PERIPHERAL_CHANNELS) == 8 and DEAP_PERIPHERAL_CHANNELS[4] == "GSR"


def test_targets_subjects_baseline_and_regression(deap_folder):
    path, contents = deap_folder
    deap = load_deap(path / "data_preprocessed_python", subjects=[7], target=["arousal", "liking"],
                     threshold=None, baseline="keep")
    assert deap.data.shape == (40, 32, 8064)
    np.testing.assert_array_equal(deap.target, contents[7][1][:, [1, 3]])
    X, y = load_deap(path, subjects=[1], target="dominance", threshold=3.0, return_X_y=True)
    np.testing.assert_array_equal(y, np.where(contents[1][1][:, 2] > 3.0, "high", "low"))


@pytest.mark.parametrize("kwargs, message", [
    ({"target": "joy"}, r"target must be one or more of \['valence'"),
    ({"baseline": "subtract"}, r"baseline must be 'cut' or 'keep'"),
    ({"subjects": [3]}, r"No DEAP file of subject\(s\) \[3\] \(s03\.dat\)"),
])
def test_bad_arguments(deap_folder, kwargs, message):
    with pytest.raises((ValueError, FileNotFoundError), match=message):
        load_deap(deap_folder[0], **kwargs)


def test_an_empty_folder(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"No DEAP participant file named sXX\.dat"):
        load_deap(tmp_path)


@pytest.mark.parametrize("content, message", [
    ({"data": np.zeros((40, 40, 8064))}, r"s02\.dat is not a DEAP file: expected a dict with 'data' and 'labels'"),
    ({"data": np.zeros((40, 32, 8064)), "labels": np.zeros((40, 4))}, r"s02\.dat: 'data' has shape \(40, 32, 8064\)"),
    ({"data": np.zeros((40, 40, 600)), "labels": np.zeros((40, 3))}, r"s02\.dat: 'labels' has shape \(40, 3\)"),
])
def test_a_wrong_structure_names_the_file(tmp_path, content, message):
    (tmp_path / "s02.dat").write_bytes(pickle.dumps(content, protocol=2))
    with pytest.raises(ValueError, match=message):
        load_deap(tmp_path)


def test_a_corrupt_file_names_the_file(tmp_path):
    (tmp_path / "s05.dat").write_bytes(b"\x80\x02}q\x00(U\x04data")
    with pytest.raises(ValueError, match=r"s05\.dat is not a readable pickle"):
        load_deap(tmp_path)


class _Hostile:
    def __init__(self, mark):
        self.mark = mark

    def __reduce__(self):
        return open, (str(self.mark), "w")


def test_a_hostile_dat_is_refused_and_creates_nothing(tmp_path):
    mark = tmp_path / "created-by-the-file"
    (tmp_path / "s09.dat").write_bytes(pickle.dumps({"data": _Hostile(mark), "labels": np.zeros((40, 4))},
                                                    protocol=2))
    with pytest.raises(UnsafeFileError, match=r"s09\.dat: refused to unpickle global 'io\.open'"):
        load_deap(tmp_path)
    assert not mark.exists()


def test_files_that_disagree_or_rate_outside_the_scale_are_named(tmp_path):
    folder = tmp_path / "data_preprocessed_python"
    folder.mkdir()
    labels = np.full((40, 4), 5.0)
    write_deap_file(folder / "s01.dat", np.zeros((40, 40, 8064), np.float32), labels)
    write_deap_file(folder / "s02.dat", np.zeros((40, 40, 8000), np.float32), labels)
    with pytest.raises(ValueError, match=r"s02\.dat has 8000 samples per trial, but .*s01\.dat has 8064"):
        load_deap(tmp_path)
    bad = labels.copy()
    bad[12, 2] = 10.5  # dominance of trial 13
    write_deap_file(folder / "s02.dat", np.zeros((40, 40, 8064), np.float32), bad)
    with pytest.raises(ValueError, match=r"s02\.dat: trial 13 rates dominance 10\.5, outside DEAP's 1-9 scale"):
        load_deap(tmp_path)
    bad[12, 2], bad[0, 1] = 5.0, np.nan
    write_deap_file(folder / "s02.dat", np.zeros((40, 40, 8064), np.float32), bad)
    with pytest.raises(ValueError, match=r"s02\.dat: trial 1 rates arousal nan"):
        load_deap(tmp_path)
