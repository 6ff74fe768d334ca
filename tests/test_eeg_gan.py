"""Synthetic EEG: the convolutional GAN on raw epochs, its sampler, the GAN on band features, spectral metrics.

Band power is measured independently of the generator, with EEGBandFeatures (itself tested against scipy)
and scipy's periodogram; distances against scipy.stats.wasserstein_distance.
"""

from collections import Counter

import numpy as np
import pytest
import scipy.signal
import scipy.stats
import torch
from imblearn.pipeline import make_pipeline as make_imblearn_pipeline
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold, cross_validate
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer, StandardScaler

from skemotion.datasets import make_eeg_emotion
from skemotion.eeg import EEGBandFeatures
from skemotion.metrics import band_power_distance, frechet_distance, tstr_score
from skemotion.nn import ConditionalConvGAN, ConditionalConvGenerator, ConditionalGAN
from skemotion.nn._conv_gan import log_spaced_bands
from skemotion.samplers import EEGGANSampler, GANSampler

SFREQ = 64.0
BANDS = {"theta": (4.0, 8.0), "alpha": (8.0, 13.0), "beta": (13.0, 30.0)}


@pytest.fixture(scope="module")
def alpha_epochs():
    """Two classes of 4-channel, 2-s epochs (volts): red noise plus alpha, 6 times stronger in "high"."""
    rng = np.random.default_rng(0)
    n, n_channels, n_times, warmup = 160, 4, 128, 64
    b, a = scipy.signal.butter(4, BANDS["alpha"], btype="band", fs=SFREQ)
    y = np.repeat(["low", "high"], n // 2)
    red = scipy.signal.lfilter([1.0], [1.0, -0.9], rng.standard_normal((n, n_channels, n_times + warmup)))
    alpha = scipy.signal.filtfilt(b, a, rng.standard_normal((n, n_channels, n_times + warmup)))
    X = 1e-5 * (red + np.where(y == "high", 3.0, 0.5)[:, None, None] * alpha)[..., warmup:]
    return X, y


@pytest.fixture(scope="module")
def alpha_gan(alpha_epochs):
    X, y = alpha_epochs
    return ConditionalConvGAN(max_epochs=20, random_state=0).fit(X, y)


def log_band_power(X):
    n_channels = X.shape[1]
    power = EEGBandFeatures(SFREQ, bands=BANDS, feature="psd").fit_transform(X)
    return np.log(power).reshape(len(X), n_channels, len(BANDS))


def test_generator_output_shape_and_latent_size():
    generator = ConditionalConvGenerator(n_channels=62, n_times=203, n_classes=3, global_dim=5, noise_channels=2,
                                         n_upsamplings=3)
    assert generator.lengths == [26, 52, 104, 208]  # ceil(203 / 8) doubled three times, cropped at the end
    assert generator.latent_dim == 5 + 2 * (26 + 52 + 104 + 208)
    x = generator(torch.randn(4, generator.latent_dim), torch.tensor([0, 1, 2, 0]))
    assert x.shape == (4, 62, 203) and x.dtype == torch.float32
    one_sample = ConditionalConvGenerator(n_channels=1, n_times=1, n_classes=2)
    assert one_sample(torch.randn(2, one_sample.latent_dim), torch.tensor([0, 1])).shape == (2, 1, 1)


def test_gan_standardises_channels_and_samples_in_volts(alpha_epochs, alpha_gan):
    X, _ = alpha_epochs
    np.testing.assert_allclose(alpha_gan.mean_[:, 0], X.mean(axis=(0, 2)), rtol=1e-4, atol=1e-12)
    np.testing.assert_allclose(alpha_gan.scale_[:, 0], X.std(axis=(0, 2)), rtol=1e-4)
    assert alpha_gan.input_shape_ == (4, 128) and alpha_gan.n_channels_in_ == 4
    samples = alpha_gan.sample(["high", "low", "low"], random_state=0)
    assert samples.shape == (3, 4, 128) and samples.dtype == np.float32
    assert 0.2 < samples.std() / X.std() < 5  # volts, not standardised units
    assert {"train_loss", "discriminator_loss", "spectral_loss"} <= set(alpha_gan.history[-1])


def test_log_spaced_bands_partition_the_bins():
    bands = log_spaced_bands(100).numpy()
    assert np.all((bands > 0).sum(axis=1) == 1)  # every bin in exactly one band
    np.testing.assert_allclose(bands.sum(axis=0), 1.0, rtol=1e-6)  # a band averages its bins
    widths = (bands > 0).sum(axis=0)
    assert widths[0] == 1 and np.all(np.diff(widths) >= 0) and widths[-1] > 10


def test_spectral_target_is_the_class_mean_periodogram(alpha_epochs, alpha_gan):
    X, y = alpha_epochs
    Z = (X - X.mean(axis=(0, 2), keepdims=True)) / X.std(axis=(0, 2), keepdims=True)
    _, psd = scipy.signal.periodogram(Z, window="hann", detrend=False, scaling="density")  # one-sided, fs=1
    psd[..., 1:-1] /= 2  # back to the bins' own power: |FFT|^2 / sum(window^2)
    bands = log_spaced_bands(64).numpy()
    for k, label in enumerate(alpha_gan.classes_):
        expected = np.log(psd[y == label, :, 1:].mean(axis=0) @ bands + 1e-8)  # without DC
        np.testing.assert_allclose(alpha_gan.class_log_spectra_[k], expected, atol=1e-4)


def test_conditioning_follows_the_class_band_power(alpha_epochs, alpha_gan):
    X, y = alpha_epochs
    real = log_band_power(X)
    real_effect = real[y == "high"].mean(axis=(0, 1)) - real[y == "low"].mean(axis=(0, 1))
    labels = np.repeat(["low", "high"], 100)
    synthetic = log_band_power(alpha_gan.sample(labels, random_state=0))
    effect = synthetic[labels == "high"].mean(axis=(0, 1)) - synthetic[labels == "low"].mean(axis=(0, 1))
    theta, alpha, beta = effect
    assert real_effect[1] > 1.5  # the data: about ln(36) / 2 more alpha power in "high"
    assert alpha > 0.3 and alpha > 2 * max(abs(theta), abs(beta))  # more alpha, and mostly alpha


def test_tstr_on_raw_epochs_is_above_chance(alpha_epochs):
    X, y = alpha_epochs
    index = np.arange(len(y))
    split = [(index[index % 4 != 0], index[index % 4 == 0])]
    classifier = make_pipeline(EEGBandFeatures(SFREQ, bands=BANDS, feature="psd"), FunctionTransformer(np.log),
                               StandardScaler(), LogisticRegression())
    scores = tstr_score(EEGGANSampler(max_epochs=20, random_state=0), classifier, X, y, cv=split,
                        scoring="accuracy")
    assert scores[0] > 0.8  # chance is 0.5


def test_sampler_reaches_class_counts_on_eeg_epochs(alpha_epochs):
    X, y = alpha_epochs
    keep = np.r_[0:80, 80:100]  # 80 "low", 20 "high" epochs
    sampler = EEGGANSampler(max_epochs=1, hidden_channels=4, random_state=0)
    X_res, y_res = sampler.fit_resample(X[keep].astype(np.float32), y[keep])
    assert Counter(y_res.tolist()) == {"low": 80, "high": 80}
    assert X_res.shape == (160, 4, 128) and X_res.dtype == np.float32
    np.testing.assert_array_equal(X_res[:100], X[keep].astype(np.float32))
    assert sampler.n_channels_in_ == 4 and sampler.gan_.input_shape_ == (4, 128)
    X_res, y_res = sampler.set_params(sampling_strategy={"high": 50}).fit_resample(X[keep, 0], y[keep])
    assert X_res.shape == (130, 128) and Counter(y_res.tolist())["high"] == 50  # 2-D: one channel


def test_sampler_rejects_bad_epochs(alpha_epochs):
    X, y = alpha_epochs
    X = X.copy()
    X[3, 2, 5] = np.nan
    with pytest.raises(ValueError, match="EEG data contain NaN"):
        EEGGANSampler(max_epochs=1).fit_resample(X, y)
    with pytest.raises(ValueError, match=r"\(n_epochs, n_channels, n_times\)"):
        EEGGANSampler(max_epochs=1).fit_resample(X[..., None], y)


def test_conv_gan_is_deterministic_and_leaves_torch_alone(alpha_epochs):
    X, y = alpha_epochs
    X, y = X[::4], y[::4]
    params = {"max_epochs": 2, "module__hidden_channels": 4, "discriminator__hidden_channels": 4}
    torch.manual_seed(123)
    state = torch.get_rng_state()
    first = ConditionalConvGAN(random_state=7, **params).fit(X, y).sample(y, random_state=1)
    assert torch.equal(torch.get_rng_state(), state)
    second = ConditionalConvGAN(random_state=7, **params).fit(X, y).sample(y, random_state=1)
    other = ConditionalConvGAN(random_state=8, **params).fit(X, y).sample(y, random_state=1)
    np.testing.assert_array_equal(first, second)
    assert not np.allclose(first, other)


def test_conv_gan_checks_the_epoch_length(alpha_epochs):
    X, y = alpha_epochs
    gan = ConditionalConvGAN(max_epochs=1, module__hidden_channels=4).fit(X[:20], y[:20])
    with pytest.raises(ValueError, match="epochs of 64 samples, but ConditionalConvGAN was fitted on 128"):
        gan.partial_fit(X[:20, :, :64], y[:20])
    with pytest.raises(ValueError, match="3 channel"):
        gan.partial_fit(X[:20, :3], y[:20])


def test_feature_gan_standardises_raw_features():
    rng = np.random.RandomState(0)
    X = (-12.0 + 1e-3 * rng.normal(size=(60, 5))).astype(np.float32)  # DE-like: far from 0, tiny spread
    gan = ConditionalGAN(max_epochs=2, random_state=0).fit(X, np.repeat([0, 1], 30))
    np.testing.assert_allclose(gan.mean_, X.mean(axis=0), rtol=1e-6)
    np.testing.assert_allclose(gan.scale_, X.std(axis=0), rtol=1e-4)
    samples = gan.sample(np.zeros(200, dtype=int), random_state=0)
    assert np.abs(samples.mean(axis=0) - X.mean(axis=0)).max() < 0.02  # in the data's units
    raw = ConditionalGAN(max_epochs=2, standardize=False, random_state=0).fit(X, np.repeat([0, 1], 30))
    assert np.all(raw.mean_ == 0) and np.all(raw.scale_ == 1)


def test_gan_sampler_on_band_features_in_a_group_pipeline():
    eeg = make_eeg_emotion(n_subjects=4, n_trials=6, n_epochs_per_trial=2, epoch_duration=1.0, random_state=0)
    keep = ~((eeg.target == "negative") & (eeg.trial % 2 == 0))  # make "negative" the minority
    X, y, groups = eeg.data[keep], eeg.target[keep], eeg.groups[keep]
    model = make_imblearn_pipeline(
        EEGBandFeatures(eeg.sfreq),
        GANSampler(max_epochs=3, batch_size=128, lr=2e-3, r1_penalty=10.0, random_state=0),
        StandardScaler(), LogisticRegression(C=0.1),
    )
    cv = GroupKFold(n_splits=2)
    result = cross_validate(model, X, y, groups=groups, cv=cv, return_estimator=True)
    for fitted, (train, _) in zip(result["estimator"], cv.split(X, y, groups)):
        counts = Counter(y[train].tolist())
        sampler = fitted.named_steps["gansampler"]
        assert sampler.n_features_in_ == 62 * 5
        # the GAN saw the training subjects only: it fills each class up to the training majority
        generated = {label: n for label, n in sampler.sampling_strategy_.items() if n}
        assert generated == {label: max(counts.values()) - n for label, n in counts.items()
                             if n < max(counts.values())}
        assert sampler.gan_.input_shape_ == (310,)


def test_band_power_distance_of_a_scaled_copy_is_the_log_power_ratio():
    real = np.random.default_rng(0).normal(size=(30, 3, 256))
    np.testing.assert_allclose(band_power_distance(real, 3 * real, SFREQ, bands=BANDS), np.log(9), rtol=1e-12)
    assert np.all(band_power_distance(real, real, SFREQ, bands=BANDS) == 0)


def test_band_power_distance_matches_scipy_wasserstein():
    rng = np.random.default_rng(1)
    real, synthetic = rng.normal(size=(25, 2, 256)), 1.5 * rng.normal(size=(40, 2, 256))
    distance = band_power_distance(real, synthetic, SFREQ, bands=BANDS, per_channel=True)
    log_real, log_synthetic = log_band_power(real), log_band_power(synthetic)
    expected = [[scipy.stats.wasserstein_distance(log_real[:, c, b], log_synthetic[:, c, b]) for b in range(3)]
                for c in range(2)]
    np.testing.assert_allclose(distance, expected, rtol=1e-10)
    with pytest.raises(ValueError, match="channel"):
        band_power_distance(real, synthetic[:, :1], SFREQ, bands=BANDS)


def test_frechet_distance_on_band_features_of_epochs(alpha_epochs):
    X, y = alpha_epochs
    features = make_pipeline(EEGBandFeatures(SFREQ, bands=BANDS), StandardScaler()).fit(X[y == "low"])
    same = frechet_distance(X[y == "low"][:40], X[y == "low"][40:], features=features)
    other = frechet_distance(X[y == "low"][:40], X[y == "high"], features=features)
    assert other > 5 * same
