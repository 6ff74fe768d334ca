"""make_eeg_emotion, measured from the signals alone with scipy's Welch PSD."""

import numpy as np
import pytest
import scipy.signal
from scipy.integrate import trapezoid
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skemotion.datasets import EEG_EMOTIONS, make_eeg_emotion
from skemotion.eeg import SEED_BANDS, SEED_CHANNELS, EEGBandFeatures


def log_band_power(data, sfreq):
    """Natural log of the power of every epoch, channel and SEED band, from scipy.signal.welch."""
    freqs, psd = scipy.signal.welch(data, sfreq, nperseg=int(sfreq))
    power = [trapezoid(psd[..., (freqs >= lo) & (freqs <= hi)], freqs[(freqs >= lo) & (freqs <= hi)])
             for lo, hi in SEED_BANDS.values()]
    return np.log(np.stack(power, axis=-1))


@pytest.fixture(scope="module")
def eeg():
    return make_eeg_emotion(n_subjects=6, n_trials=15, random_state=0)


def test_bunch_layout_and_balanced_design(eeg):
    assert eeg.data.shape == (90, 62, 800) and eeg.sfreq == 200.0 and eeg.ch_names == SEED_CHANNELS
    assert set(eeg.target) == set(EEG_EMOTIONS)
    for subject in range(6):
        mine = eeg.target[eeg.groups == subject]
        assert all((mine == e).sum() == 5 for e in EEG_EMOTIONS)
    assert np.array_equal(eeg.trial[eeg.groups == 0], np.arange(15))


def test_reproducible_and_seeded(eeg):
    again = make_eeg_emotion(n_subjects=6, n_trials=15, random_state=0)
    np.testing.assert_array_equal(again.data, eeg.data)
    other = make_eeg_emotion(n_subjects=6, n_trials=15, random_state=1)
    assert not np.allclose(other.data, eeg.data)
    X, y = make_eeg_emotion(n_subjects=1, n_trials=3, n_epochs_per_trial=2, epoch_duration=1.5,
                            return_X_y=True, random_state=0)
    assert X.shape == (6, 62, 300) and len(y) == 6


def test_amplitude_and_spectrum_look_like_scalp_eeg(eeg):
    rms = eeg.data.std(axis=-1) * 1e6
    assert 8 < np.median(rms) < 40  # tens of microvolts
    freqs, psd = scipy.signal.welch(eeg.data, eeg.sfreq, nperseg=400)
    mean_psd = psd.mean(axis=(0, 1))
    fit = (freqs >= 20) & (freqs <= 45)  # away from the alpha peak
    slope = np.polyfit(np.log(freqs[fit]), np.log(mean_psd[fit]), 1)[0]
    assert -2.5 < slope < -1.0  # 1/f^chi background
    # The alpha peak is posterior: O1/OZ/O2 have more 8-12 Hz power than FP1/FPZ/FP2 relative to 4-7 Hz.
    alpha, theta = (freqs >= 8) & (freqs <= 12), (freqs >= 4) & (freqs <= 7)
    ratio = psd[..., alpha].mean(-1) / psd[..., theta].mean(-1)
    occipital = [SEED_CHANNELS.index(c) for c in ("O1", "OZ", "O2")]
    frontal = [SEED_CHANNELS.index(c) for c in ("FP1", "FPZ", "FP2")]
    assert ratio[:, occipital].mean() > 1.5 * ratio[:, frontal].mean()
    assert abs(psd[..., freqs > 75].mean() / mean_psd[(freqs > 30) & (freqs < 50)].mean()) < 0.05  # band-limited


def test_emotion_effects_follow_the_seed_findings(eeg):
    """Zheng & Lu 2015 / Zheng, Zhu & Lu 2019: where each emotion has more power, measured by Welch."""
    log_power = log_band_power(eeg.data, eeg.sfreq)
    bands = list(SEED_BANDS)

    def mean(emotion, channels, band):
        rows = eeg.target == emotion
        cols = [SEED_CHANNELS.index(c) for c in channels]
        return log_power[rows][:, cols, bands.index(band)].mean()

    temporal, posterior, prefrontal = ("T7", "T8", "FT7", "FT8"), ("PZ", "POZ", "OZ", "O1", "O2"), ("FP1", "FPZ", "FP2")
    for band in ("beta", "gamma"):
        assert mean("positive", temporal, band) > mean("negative", temporal, band) + 0.1
        assert mean("positive", temporal, band) > mean("neutral", temporal, band) + 0.1
    for emotion, band in (("neutral", "alpha"), ("negative", "delta")):
        others = [mean(e, posterior, band) for e in EEG_EMOTIONS if e != emotion]
        assert mean(emotion, posterior, band) > max(others) + 0.1
    assert mean("negative", prefrontal, "gamma") > mean("neutral", prefrontal, "gamma") + 0.1
    # No effect where the studies report none: theta at the vertex.
    thetas = [mean(e, ("CZ", "CPZ", "FCZ"), "theta") for e in EEG_EMOTIONS]
    assert max(thetas) - min(thetas) < 0.1


def test_emotions_are_learnable_across_subjects_only_with_an_effect():
    model = make_pipeline(EEGBandFeatures(200.0), StandardScaler(), LogisticRegression(C=0.1, max_iter=500))
    scores = {}
    for effect in (0.0, 1.0):
        eeg = make_eeg_emotion(n_subjects=6, n_trials=15, effect_size=effect, random_state=1)
        scores[effect] = cross_val_score(model, eeg.data, eeg.target, groups=eeg.groups, cv=GroupKFold(3)).mean()
    assert scores[0.0] < 0.45  # chance is 1/3
    assert scores[1.0] > 0.5


def test_subjects_differ_unless_variability_is_zero():
    def subject_spread(variability):
        eeg = make_eeg_emotion(n_subjects=4, n_trials=3, n_epochs_per_trial=4, effect_size=0.0, noise=0.0,
                               subject_variability=variability, random_state=2)
        log_power = log_band_power(eeg.data, eeg.sfreq).reshape(len(eeg.data), -1)
        means = np.array([log_power[eeg.groups == s].mean(0) for s in range(4)])
        return means.std(axis=0).mean()

    assert subject_spread(1.0) > 3 * subject_spread(0.0)


@pytest.mark.parametrize("kwargs, match", [
    (dict(n_trials=2), "n_trials must be an integer >= 3"),
    (dict(sfreq=100.0), "at least 140 Hz"),
    (dict(epoch_duration=0.5), "at least 1 s"),
    (dict(effect_size=-1.0), "effect_size must be a non-negative"),
])
def test_bad_parameters_are_errors(kwargs, match):
    with pytest.raises(ValueError, match=match):
        make_eeg_emotion(**kwargs)
