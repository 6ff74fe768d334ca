"""from_mne on real BioSemi recordings (EDF, BDF) and on MNE Epochs, end to end into EEGBandFeatures."""

from pathlib import Path

import mne
import numpy as np
import pytest
import scipy.signal
from scipy.integrate import trapezoid

from skemotion.eeg import EEGBandFeatures, from_mne


@pytest.fixture(scope="module", params=["biosemi128_test.edf", "biosemi64_test.bdf"])
def raw(request, eeg_path):
    path = eeg_path / request.param
    if not path.exists():
        pytest.fail(f"Real EEG test file {path} is missing from ../shared/data/eeg (see its README).")
    return mne.io.read_raw(path, preload=True, verbose=False)


# The channels MNE types as EEG in the two files that are not scalp electrodes (the files' own labels).
NON_SCALP = {
    "biosemi128_test.edf": ["Ergo-Left", "Ergo-Right"] + [f"I{k}" for k in range(1, 9)],  # A1-H16, then I1-I8
    "biosemi64_test.bdf": ["EXG1", "REOG", "LEOG", "IEOG", "EXG5", "M2", "M1", "EXG8"],
}


def test_real_biosemi_recordings_run_through_from_mne_and_band_features(raw):
    with pytest.warns(UserWarning, match=r"dropped \d+ channel\(s\) typed EEG that are not scalp electrodes"):
        eeg = from_mne(raw, epoch_duration=1.0)
    n_epochs = int(raw.times[-1] + 1 / raw.info["sfreq"])  # whole seconds
    dropped = NON_SCALP[Path(raw.filenames[0]).name]
    assert eeg.dropped_ch_names == dropped
    eeg_channels = [raw.ch_names[i] for i in mne.pick_types(raw.info, eeg=True) if raw.ch_names[i] not in dropped]
    assert len(eeg_channels) == {"biosemi128_test.edf": 128, "biosemi64_test.bdf": 64}[Path(raw.filenames[0]).name]
    assert eeg.ch_names == eeg_channels
    assert eeg.data.shape == (n_epochs, len(eeg_channels), int(raw.info["sfreq"]))
    assert eeg.sfreq == raw.info["sfreq"] and "Status" not in eeg.ch_names
    # The epochs are consecutive one-second slices of the recording, in volts.
    np.testing.assert_array_equal(eeg.data[0], raw.get_data(picks=eeg_channels)[:, : eeg.data.shape[2]])

    features = EEGBandFeatures(eeg.sfreq, ch_names=eeg.ch_names).fit(eeg.data)
    de = features.transform(eeg.data)
    assert de.shape == (n_epochs, 5 * len(eeg_channels)) and np.isfinite(de).all()
    names = features.get_feature_names_out()
    assert names[0] == f"{eeg.ch_names[0]}_delta_de"

    # Independent reference: alpha DE of the first channel from scipy's Welch PSD of the raw samples.
    signal = raw.get_data(picks=[eeg.ch_names[0]])[0, : int(eeg.sfreq)]
    freqs, psd = scipy.signal.welch(signal, eeg.sfreq, window="hann", nperseg=int(eeg.sfreq))
    alpha = (freqs >= 8) & (freqs <= 14)
    expected = 0.5 * np.log(2 * np.pi * np.e * trapezoid(psd[alpha], freqs[alpha]))
    assert de[0, 2] == pytest.approx(expected, rel=1e-10)


def test_raw_without_epoching_is_one_epoch(raw):
    eeg = from_mne(raw, picks=["Fp1"] if "Fp1" in raw.ch_names else ["A1"])
    assert eeg.data.shape == (1, 1, raw.n_times) and eeg.target is None


def test_non_scalp_channels_picked_by_name_are_kept(raw):
    names = NON_SCALP[Path(raw.filenames[0]).name][:2]
    eeg = from_mne(raw, picks=names)  # no warning: the user chose them
    assert eeg.ch_names == names and eeg.dropped_ch_names == []
    with pytest.raises(ValueError, match="named like a non-scalp channel"):
        from_mne(raw.copy().pick(names))


def test_epochs_keep_their_event_names():
    info = mne.create_info(["Fz", "Cz", "Pz", "STI"], 100.0, ch_types=["eeg", "eeg", "eeg", "stim"])
    data = np.random.default_rng(0).normal(size=(4, 2000)) * 1e-5
    raw = mne.io.RawArray(data, info, verbose=False)
    events = np.array([[200, 0, 1], [600, 0, 2], [1000, 0, 1]])
    epochs = mne.Epochs(raw, events, {"happy": 1, "sad": 2}, tmin=0, tmax=1.99, baseline=None, preload=True,
                        verbose=False)
    eeg = from_mne(epochs)
    assert eeg.data.shape == (3, 3, 200) and eeg.ch_names == ["Fz", "Cz", "Pz"]
    assert eeg.target.tolist() == ["happy", "sad", "happy"]
    np.testing.assert_allclose(eeg.data[1], data[:3, 600:800])
    with pytest.raises(ValueError, match="already Epochs"):
        from_mne(epochs, epoch_duration=1.0)


def test_from_mne_rejects_other_objects_and_empty_results():
    with pytest.raises(TypeError, match="Raw or Epochs"):
        from_mne(np.zeros((2, 3)))
    info = mne.create_info(["Fz"], 100.0, ch_types="eeg")
    raw = mne.io.RawArray(np.zeros((1, 50)), info, verbose=False)
    with pytest.raises(ValueError, match=r"lasts 0.5 s, shorter than epoch_duration=1 s"):
        from_mne(raw, epoch_duration=1.0)


def test_ten_five_names_and_scalp_like_labels_are_kept():
    names = ["Fz", "Cz", "Pz", "I1", "Iz", "I2", "HEOG", "EXG3", "M1"]
    info = mne.create_info(names, 100.0, ch_types="eeg")
    raw = mne.io.RawArray(np.random.default_rng(0).normal(size=(9, 300)) * 1e-5, info, verbose=False)
    with pytest.warns(UserWarning, match=r"dropped 3 channel\(s\) .*: HEOG, EXG3, M1\. Pick them by name"):
        eeg = from_mne(raw)
    assert eeg.ch_names == names[:6] and eeg.dropped_ch_names == ["HEOG", "EXG3", "M1"]
