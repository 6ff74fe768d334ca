"""EEGPrewhitener: autoregressive prediction-error filters, against scipy's lfilter and known AR processes."""

import numpy as np
import pytest
from scipy.signal import lfilter, welch

from skemotion.datasets import make_eeg_emotion
from skemotion.eeg import EEGPrewhitener


def _ar_process(coefficients, shape, seed=0):
    """Epochs of the AR process ``x[t] = sum_k a_k x[t - k] + e[t]`` driven by unit white noise ``e``."""
    noise = np.random.default_rng(seed).standard_normal(shape)
    return lfilter([1.0], np.r_[1.0, -np.asarray(coefficients)], noise, axis=-1), noise


def test_recovers_the_coefficients_of_each_channel():
    ar2, _ = _ar_process([1.2, -0.5], (40, 1, 1000))
    ar1, _ = _ar_process([-0.6, 0.0], (40, 1, 1000), seed=1)
    whitener = EEGPrewhitener(order=2).fit(np.concatenate([ar2, ar1], axis=1))
    np.testing.assert_allclose(whitener.coef_, [[1.2, -0.5], [-0.6, 0.0]], atol=0.02)


def test_transform_is_the_prediction_error_filter():
    X = make_eeg_emotion(n_subjects=1, n_trials=3, epoch_duration=1.0, random_state=0).data
    whitener = EEGPrewhitener(order=4).fit(X)
    expected = np.stack([lfilter(np.r_[1.0, -whitener.coef_[c]], [1.0], X[:, c], axis=-1)
                         for c in range(X.shape[1])], axis=1)
    np.testing.assert_allclose(whitener.transform(X), expected, rtol=1e-10, atol=1e-20)
    # Driven by white noise, the filtered AR process is the noise again (after the first `order` samples).
    X_ar, noise = _ar_process([1.2, -0.5], (20, 1, 2000))
    np.testing.assert_allclose(EEGPrewhitener(order=2).fit(X_ar).transform(X_ar)[..., 2:], noise[..., 2:], atol=0.1)


def test_flattens_the_eeg_spectrum():
    eeg = make_eeg_emotion(n_subjects=3, random_state=0)
    freqs, raw = welch(eeg.data, fs=eeg.sfreq, nperseg=200)
    _, whitened = welch(EEGPrewhitener().fit_transform(eeg.data), fs=eeg.sfreq, nperseg=200)
    band = (freqs >= 1) & (freqs <= 50)  # SEED's bands
    spread = [p.mean(axis=(0, 1))[band].max() / p.mean(axis=(0, 1))[band].min() for p in (raw, whitened)]
    assert spread[0] > 50 and spread[1] < 3  # measured: 90.7 and 2.1


def test_constant_channel_short_epochs_and_two_d_input():
    X, _ = _ar_process([0.5], (5, 2, 100))
    X[:, 1] = 3.0
    whitener = EEGPrewhitener(order=3).fit(X)
    assert np.all(whitener.coef_[1] == 0)
    np.testing.assert_array_equal(whitener.transform(X)[:, 1], X[:, 1])
    with pytest.raises(ValueError, match="Epochs of 3 samples are too short .* order=3: they need at least 4"):
        EEGPrewhitener(order=3).fit(X[..., :3])
    flat = EEGPrewhitener(order=2).fit(X[:, 0])  # a 2-D array is one channel
    assert flat.transform(X[:, 0]).shape == (5, 100)
    np.testing.assert_allclose(flat.transform(X[:, 0]), EEGPrewhitener(order=2).fit(X[:, :1]).transform(X[:, :1])[:, 0])
