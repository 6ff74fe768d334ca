"""EEG plots return figures and draw the numbers they claim to draw."""

import matplotlib.pyplot as plt
import numpy as np
import pytest
import scipy.signal
from matplotlib.figure import Figure

from skemotion.datasets import make_eeg_emotion
from skemotion.eeg import SEED_CHANNELS, eeg_info
from skemotion.plotting import plot_band_topomap, plot_psd_comparison, plot_signal_comparison


@pytest.fixture(scope="module")
def eeg():
    return make_eeg_emotion(n_subjects=2, n_trials=6, random_state=0)


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


def test_band_topomap_of_a_contrast_draws_the_class_difference():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(20, 62, 5))
    y = np.repeat(["positive", "negative"], 10)
    fig = plot_band_topomap(X.reshape(20, -1), y, ch_names=SEED_CHANNELS, contrast=("positive", "negative"))
    assert isinstance(fig, Figure) and len(fig.axes) == 6  # 5 bands and a colour bar
    difference = X[:10].mean(0) - X[10:].mean(0)
    image = fig.axes[0].images[0]
    assert image.get_clim() == pytest.approx((-np.abs(difference).max(), np.abs(difference).max()))
    assert [ax.get_title() for ax in fig.axes[:5]] == ["delta", "theta", "alpha", "beta", "gamma"]


def test_band_topomap_rows_per_class_with_an_mne_info(eeg):
    maps = np.random.default_rng(1).normal(size=(len(eeg.target), 62, 3))
    fig = plot_band_topomap(maps, eeg.target, info=eeg_info(eeg.ch_names), band_names=["a", "b", "c"], title="t")
    assert len(fig.axes) == 3 * 3 + 1
    assert fig.axes[0].get_ylabel() == "negative - mean"


def test_band_topomap_errors():
    X = np.zeros((4, 3, 5))
    with pytest.raises(ValueError, match="Pass ch_names"):
        plot_band_topomap(X, [0, 0, 1, 1])
    with pytest.raises(ValueError, match="no position in the standard 10-20 montage"):
        plot_band_topomap(X, [0, 0, 1, 1], ch_names=["Fz", "Cz", "EKG"])
    with pytest.raises(ValueError, match="Class 2 of contrast has no epoch"):
        plot_band_topomap(X, [0, 0, 1, 1], ch_names=["Fz", "Cz", "Pz"], contrast=(0, 2))


def test_signal_comparison_draws_both_epochs_in_microvolts(eeg):
    real, synthetic = eeg.data[:3], eeg.data[3:6]
    fig = plot_signal_comparison(real, synthetic, eeg.sfreq, ch_names=eeg.ch_names, picks=["O1", "T7"], epoch=2)
    assert len(fig.axes) == 4
    np.testing.assert_allclose(fig.axes[0].lines[0].get_ydata(), real[2, SEED_CHANNELS.index("O1")] * 1e6)
    np.testing.assert_allclose(fig.axes[3].lines[0].get_ydata(), synthetic[2, SEED_CHANNELS.index("T7")] * 1e6)
    with pytest.raises(ValueError, match="epoch=5 is out of range"):
        plot_signal_comparison(real, synthetic, eeg.sfreq, epoch=5)
    with pytest.raises(ValueError, match="real has 62 channels but synthetic has 1"):
        plot_signal_comparison(real, synthetic[:, 0], eeg.sfreq)


def test_psd_comparison_median_is_the_median_of_scipy_welch(eeg):
    real, synthetic = eeg.data[:6], eeg.data[6:]
    fig = plot_psd_comparison(real, synthetic, eeg.sfreq, picks=[0, 1], fmax=60)
    ax = fig.axes[0]
    assert ax.get_yscale() == "log" and ax.get_xlim() == (0, 60)
    freqs, psd = scipy.signal.welch(synthetic[:, [0, 1]], eeg.sfreq, nperseg=200)
    keep = (freqs > 0) & (freqs <= 60)
    median = np.median(psd.mean(axis=1)[:, keep], axis=0) * 1e12
    line = ax.lines[1]  # the synthetic median
    np.testing.assert_allclose(line.get_xdata(), freqs[keep])
    np.testing.assert_allclose(line.get_ydata(), median, rtol=1e-10)


def test_psd_comparison_of_different_montages_averages_each_over_its_channels(eeg):
    fig = plot_psd_comparison(eeg.data[:3, :10], eeg.data[3:6], eeg.sfreq, bands={})
    freqs, psd = scipy.signal.welch(eeg.data[:3, :10], eeg.sfreq, nperseg=200)
    keep = freqs > 0
    np.testing.assert_allclose(fig.axes[0].lines[0].get_ydata(), np.median(psd.mean(1)[:, keep], 0) * 1e12)


def test_band_topomap_titles_named_bands_from_the_bands_or_the_columns(eeg):
    from skemotion.eeg import EEGBandFeatures

    bands = {"theta": (4, 8), "alpha": (8, 14), "beta": (14, 31), "gamma": (31, 50)}
    features = EEGBandFeatures(eeg.sfreq, bands=bands, ch_names=eeg.ch_names).set_output(transform="pandas")
    de = features.fit_transform(eeg.data)
    fig = plot_band_topomap(de, eeg.target, ch_names=eeg.ch_names, contrast=("positive", "negative"))
    assert [ax.get_title() for ax in fig.axes[:4]] == ["theta", "alpha", "beta", "gamma"]
    fig = plot_band_topomap(de.to_numpy(), eeg.target, ch_names=eeg.ch_names, band_names=features.bands_,
                            contrast=("positive", "negative"))
    assert [ax.get_title() for ax in fig.axes[:4]] == ["theta 4-8 Hz", "alpha 8-14 Hz", "beta 14-31 Hz",
                                                       "gamma 31-50 Hz"]
