"""check_eeg and EEGBandFeatures against closed forms, scipy's Welch/periodogram and MNE."""

import mne
import numpy as np
import pytest
import scipy.signal
import scipy.stats
from scipy.integrate import trapezoid
from sklearn.base import BaseEstimator

from skemotion.datasets import make_eeg_emotion
from skemotion.eeg import SEED_BANDS, EEGBandFeatures, check_eeg

SFREQ = 200.0


def band_limited_noise(rng, shape, sfreq, low, high, power):
    """Gaussian noise with a flat one-sided PSD on [low, high] Hz and the given total power (variance)."""
    n_times = shape[-1]
    freqs = np.fft.rfftfreq(n_times, 1 / sfreq)
    inside = (freqs >= low) & (freqs <= high)
    spectrum = (rng.normal(size=shape[:-1] + (len(freqs),)) + 1j * rng.normal(size=shape[:-1] + (len(freqs),)))
    spectrum *= inside
    x = np.fft.irfft(spectrum, n=n_times, axis=-1)
    expected_var = 4 * inside.sum() / n_times**2  # E|X_k|^2 = 2 per bin; a bin adds 2 |X_k|^2 / n^2
    return x * np.sqrt(power / expected_var)


# --------------------------------------------------------------------------------------------- check_eeg


def test_check_eeg_reads_2d_as_one_channel_and_records_channels():
    est = BaseEstimator()
    X = np.arange(12.0).reshape(3, 4)
    out = check_eeg(est, X, reset=True)
    assert out.shape == (3, 1, 4) and est.n_channels_in_ == 1 and est.n_features_in_ == 4
    np.testing.assert_array_equal(out[:, 0], X)
    flat = check_eeg(BaseEstimator(), X, reset=True, two_d_channels=2)
    np.testing.assert_array_equal(flat[1], [[4, 5], [6, 7]])  # channel-major


def test_check_eeg_rejects_nan_inf_bad_rank_and_channel_mismatch():
    est = BaseEstimator()
    X = np.zeros((2, 3, 10))
    check_eeg(est, X, reset=True)
    bad = X.copy()
    bad[1, 2, 5] = np.nan
    with pytest.raises(ValueError, match="NaN.*epoch 1, channel 2"):
        check_eeg(est, bad, reset=False)
    bad[1, 2, 5] = np.inf
    with pytest.raises(ValueError, match="infinity"):
        check_eeg(est, bad, reset=False)
    with pytest.raises(ValueError, match="Reshape your data"):
        check_eeg(est, np.zeros((2, 3, 4, 5)), reset=False)
    with pytest.raises(ValueError, match="X has 4 channel.*fitted with 3"):
        check_eeg(est, np.zeros((2, 4, 10)), reset=False)
    with pytest.raises(ValueError, match="not a multiple of 3"):
        check_eeg(BaseEstimator(), np.zeros((2, 10)), reset=True, two_d_channels=3)


def test_check_eeg_forgets_2d_feature_count_after_a_3d_fit():
    est = BaseEstimator()
    check_eeg(est, np.zeros((2, 5)), reset=True)
    check_eeg(est, np.zeros((2, 1, 7)), reset=True)
    assert not hasattr(est, "n_features_in_")


# ------------------------------------------------------------------------------ DE against closed forms


def test_de_formula_is_the_entropy_of_a_gaussian_in_nats():
    X = np.random.default_rng(0).normal(scale=3.0, size=(4, 2, 2000))
    # A band from 0 Hz to Nyquist filters nothing: the power is the variance of the signal.
    features = EEGBandFeatures(SFREQ, bands={"all": (0.0, SFREQ / 2)}, method="filter").fit_transform(X)
    reference = scipy.stats.norm(scale=X.std(axis=-1)).entropy().reshape(4, 2)
    np.testing.assert_allclose(features, reference, rtol=1e-12)


# Per-epoch agreement with the sample variance: the periodogram of one Hann window weighs the middle of
# the epoch more than its ends, so it estimates the variance less tightly than averaged estimates.
@pytest.mark.parametrize("method, atol", [("welch", 0.03), ("multitaper", 0.03), ("fft", 0.12), ("filter", 0.02)])
def test_de_of_band_limited_gaussian_noise_equals_the_closed_form(method, atol):
    rng = np.random.default_rng(1)
    power = 4e-11  # (6.3 µV)^2
    # Noise inside the beta band (14-31 Hz), clear of the neighbours' filter transition bands.
    X = band_limited_noise(rng, (6, 3, 60 * int(SFREQ)), SFREQ, 18.0, 22.0, power)
    features = EEGBandFeatures(SFREQ, method=method, feature="both").fit(X).transform(X).reshape(6, 3, 10)
    de, band_power = features[..., 3], features[..., 5:]
    # The filter method is corrected for white noise (see the white-noise test below), so noise that lies
    # inside the passband is underestimated by the filter's noise-equivalent bandwidth over the band width.
    scale = 1.0 if method != "filter" else 17.0 / _noise_equivalent_bandwidth(14.0, 31.0)
    closed_form = 0.5 * np.log(2 * np.pi * np.e * power * scale)
    assert abs(de.mean() - closed_form) < 0.03  # 18 epochs of 480 degrees of freedom each
    np.testing.assert_allclose(de, 0.5 * np.log(2 * np.pi * np.e * X.var(axis=-1) * scale), atol=atol)
    # Little leaks into the other bands; the transients of MNE's padded FIR filters at the epoch ends put
    # about 1 % of the power into the delta band.
    leak = 0.03 if method == "filter" else 0.01
    assert (band_power[..., [0, 1, 2, 4]] < leak * power).all()


# -------------------------------------------------------------------- band power against scipy.signal


def test_band_power_is_the_trapezoid_integral_of_scipy_welch():
    rng = np.random.default_rng(2)
    X = rng.normal(size=(3, 4, 800))
    power = EEGBandFeatures(SFREQ, feature="psd").fit_transform(X).reshape(3, 4, 5)
    freqs, psd = scipy.signal.welch(X, SFREQ, window="hann", nperseg=200)  # 1-s segments, 1 Hz bins
    for b, (low, high) in enumerate(SEED_BANDS.values()):
        inside = (freqs >= low) & (freqs <= high)
        np.testing.assert_allclose(power[..., b], trapezoid(psd[..., inside], freqs[inside]), rtol=1e-10)


def test_off_grid_band_edges_integrate_the_interpolated_welch_psd():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(2, 3, 1000))
    bands = {"a": (2.3, 7.9), "b": (7.9, 21.45)}
    power = EEGBandFeatures(SFREQ, bands=bands, feature="psd", n_per_seg=150).fit_transform(X).reshape(2, 3, 2)
    freqs, psd = scipy.signal.welch(X, SFREQ, window="hann", nperseg=150)
    for b, (low, high) in enumerate(bands.values()):
        fine = np.linspace(low, high, 20001)
        reference = trapezoid(np.apply_along_axis(lambda p, fine=fine: np.interp(fine, freqs, p), -1, psd), fine)
        np.testing.assert_allclose(power[..., b], reference, rtol=1e-6)
    union = EEGBandFeatures(SFREQ, bands={"ab": (2.3, 21.45)}, feature="psd", n_per_seg=150).fit_transform(X)
    np.testing.assert_allclose(power.sum(-1).ravel(), union.ravel(), rtol=1e-12)  # adjacent bands add up


def test_fft_method_is_the_hann_periodogram_and_multitaper_is_mne():
    rng = np.random.default_rng(4)
    X = rng.normal(size=(2, 3, 400))
    edges = np.array(list(SEED_BANDS.values()))
    freqs, psd = scipy.signal.periodogram(X, SFREQ, window="hann")
    fft = EEGBandFeatures(SFREQ, method="fft", feature="psd").fit_transform(X).reshape(2, 3, 5)
    mt_psd, mt_freqs = mne.time_frequency.psd_array_multitaper(X, SFREQ, normalization="full", verbose=False)
    multitaper = EEGBandFeatures(SFREQ, method="multitaper", feature="psd").fit_transform(X).reshape(2, 3, 5)
    for b, (low, high) in enumerate(edges):
        inside = (freqs >= low) & (freqs <= high)  # 0.5 Hz bins: every edge is on a bin
        np.testing.assert_allclose(fft[..., b], trapezoid(psd[..., inside], freqs[inside]), rtol=1e-10)
        inside = (mt_freqs >= low) & (mt_freqs <= high)
        np.testing.assert_allclose(multitaper[..., b], trapezoid(mt_psd[..., inside], mt_freqs[inside]), rtol=1e-10)


def _noise_equivalent_bandwidth(low, high, sfreq=SFREQ):
    """One-sided noise-equivalent bandwidth of MNE's default band-pass, by Parseval: (sfreq / 2) sum h**2."""
    h = mne.filter.create_filter(None, sfreq, low, high, verbose=False)
    return sfreq / 2 * np.sum(h**2)


def test_filter_method_is_the_variance_of_mne_filter_data_over_its_bandwidth():
    rng = np.random.default_rng(5)
    X = rng.normal(size=(2, 3, 800))
    power = EEGBandFeatures(SFREQ, method="filter", feature="psd", bands={"alpha": (8.0, 14.0)}).fit_transform(X)
    alpha = mne.filter.filter_data(X, SFREQ, 8.0, 14.0, verbose=False)
    half = len(mne.filter.create_filter(None, SFREQ, 8.0, 14.0, verbose=False)) // 2  # 331 taps
    expected = alpha[..., half:-half].var(axis=-1) * 6.0 / _noise_equivalent_bandwidth(8.0, 14.0)
    np.testing.assert_allclose(power.reshape(2, 3), expected, rtol=1e-12)


# Welch's 1-s segments have 1 Hz bins: the per-segment detrend removes the DC bin, which takes about 5 % of
# delta's lowest (1 Hz) bin with it through the Hann window's main lobe.
@pytest.mark.parametrize("method, rtol", [("filter", 0.02), ("welch", 0.06), ("multitaper", 0.03)])
def test_band_power_of_white_noise_equals_the_closed_form(method, rtol):
    # White noise of variance s**2 at rate fs has power s**2 * 2 * (high - low) / fs in a band. MNE's filters
    # alone overestimate it by 25-93 % (their transition bands, and the padding at the epoch ends); the
    # filter method divides out the noise-equivalent bandwidth and leaves out the ends.
    rng = np.random.default_rng(11)
    s2 = 4e-10
    X = rng.normal(scale=np.sqrt(s2), size=(100, 2, 20 * int(SFREQ)))
    power = EEGBandFeatures(SFREQ, method=method, feature="psd").fit_transform(X).reshape(100, 2, 5)
    closed_form = np.array([s2 * 2 * (high - low) / SFREQ for low, high in SEED_BANDS.values()])
    np.testing.assert_allclose(power.mean(axis=(0, 1)), closed_form, rtol=rtol)  # 200 epochs of 20 s
    if method == "filter":
        raw = mne.filter.filter_data(X[:, 0], SFREQ, 4.0, 8.0, verbose=False).var(axis=-1).mean()
        assert raw > 1.3 * closed_form[1]  # theta: the bias that the correction removes


def test_filter_method_warns_where_epochs_cannot_leave_out_the_filter_edges():
    X = np.random.default_rng(12).normal(size=(2, 1, 800))  # 4 s; the delta filter has 661 taps
    with pytest.warns(RuntimeWarning, match=r"epochs of 800 samples are too short .* 'delta' 1321"):
        EEGBandFeatures(SFREQ, method="filter").fit_transform(X)


def test_filter_and_welch_de_agree_on_synthetic_eeg():
    eeg = make_eeg_emotion(n_subjects=3, n_trials=3, random_state=0)
    welch = EEGBandFeatures(eeg.sfreq).fit_transform(eeg.data).reshape(9, 62, 5)
    filtered = EEGBandFeatures(eeg.sfreq, method="filter").fit_transform(eeg.data).reshape(9, 62, 5)
    for b in (2, 3, 4):  # alpha, beta, gamma
        assert np.corrcoef(welch[..., b].ravel(), filtered[..., b].ravel())[0, 1] > 0.95


# ------------------------------------------------------------------------------ layout, names, errors


def test_both_is_de_then_power_per_channel_with_matching_names():
    rng = np.random.default_rng(6)
    X = rng.normal(size=(3, 2, 400))
    names = ["Fp1", "Cz"]
    both = EEGBandFeatures(SFREQ, feature="both", ch_names=names).fit(X)
    out = both.transform(X).reshape(3, 2, 10)
    de = EEGBandFeatures(SFREQ).fit_transform(X).reshape(3, 2, 5)
    power = EEGBandFeatures(SFREQ, feature="psd").fit_transform(X).reshape(3, 2, 5)
    np.testing.assert_allclose(out[..., :5], de)
    np.testing.assert_allclose(out[..., 5:], power)
    feature_names = both.get_feature_names_out()
    assert feature_names[[0, 5, 10]].tolist() == ["Fp1_delta_de", "Fp1_delta_psd", "Cz_delta_de"]
    assert len(feature_names) == out.reshape(3, -1).shape[1]


def test_2d_input_is_one_channel():
    X = np.random.default_rng(7).normal(size=(4, 400))
    flat = EEGBandFeatures(SFREQ).fit_transform(X)
    np.testing.assert_allclose(flat, EEGBandFeatures(SFREQ).fit_transform(X[:, np.newaxis]))
    assert flat.shape == (4, 5)


def test_band_above_nyquist_is_an_error():
    with pytest.raises(ValueError, match=r"'gamma' \(31-50 Hz\) extends above the Nyquist frequency 40 Hz"):
        EEGBandFeatures(80.0).fit(np.zeros((2, 3, 400)))


def test_epoch_shorter_than_the_lowest_band_needs_is_an_error():
    features = EEGBandFeatures(SFREQ)
    with pytest.raises(ValueError, match=r"150 sample\(s\) \(0.75 s\) are shorter than the 200 samples.*'delta'"):
        features.fit(np.zeros((2, 3, 150)))
    features.fit(np.ones((2, 3, 400)) + np.arange(400))
    with pytest.raises(ValueError, match="shorter"):
        features.transform(np.zeros((2, 3, 150)))


def test_band_narrower_than_the_resolution_is_an_error():
    with pytest.raises(ValueError, match="narrower than the frequency resolution 2 Hz"):
        EEGBandFeatures(SFREQ, bands={"narrow": (10.0, 11.0)}, n_per_seg=100).fit(np.zeros((1, 1, 400)))
    with pytest.raises(ValueError, match="n_per_seg=500 exceeds"):
        EEGBandFeatures(SFREQ, n_per_seg=500).fit(np.zeros((1, 1, 400)))


def test_bad_bands_and_channel_names_are_errors():
    X = np.zeros((1, 2, 400))
    with pytest.raises(ValueError, match="0 <= low < high"):
        EEGBandFeatures(SFREQ, bands={"x": (8.0, 4.0)}).fit(X)
    with pytest.raises(ValueError, match="ch_names has 3 names but X has 2 channels"):
        EEGBandFeatures(SFREQ, ch_names=["a", "b", "c"]).fit(X)


@pytest.mark.parametrize("method", ["welch", "multitaper", "fft", "filter"])
@pytest.mark.parametrize("level", [0.0, 5.0, 0.10001])
def test_flat_channel_gives_minus_infinity_in_every_method(method, level):
    # Before, a constant channel gave a finite DE of about -35 to -75 nats (rounding of the mean subtracted,
    # the filter's ringing on a DC offset), and the filter method no warning at all.
    X = np.random.default_rng(8).normal(size=(2, 2, 1400))
    X[:, 1] = level
    X[1, 0, :] = -2.5  # and one channel flat in one epoch only
    with pytest.warns(RuntimeWarning, match="channel-band value.s. have zero power .flat channels"):
        de = EEGBandFeatures(SFREQ, method=method, feature="both").fit_transform(X).reshape(2, 2, 10)
    assert np.isneginf(de[:, 1, :5]).all() and (de[:, 1, 5:] == 0).all()
    assert np.isneginf(de[1, 0, :5]).all() and np.isfinite(de[0, 0]).all() and (de[0, 0, 5:] > 0).all()


def test_flat_channel_warns_and_gives_minus_infinity():
    X = np.random.default_rng(8).normal(size=(2, 2, 400))
    X[:, 1] = 5.0
    with pytest.warns(RuntimeWarning, match="zero power .*, e.g. channel 'ch1'"):
        de = EEGBandFeatures(SFREQ).fit_transform(X)
    assert np.isneginf(de[:, 5:]).all() and np.isfinite(de[:, :5]).all()
