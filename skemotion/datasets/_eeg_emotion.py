"""SEED-like synthetic EEG: 62 channels, 200 Hz, negative / neutral / positive emotion.

The toolkit's embedded default for EEG. Each epoch is a Gaussian process synthesised in the frequency
domain: a subject's background spectrum (aperiodic 1/f component plus a posterior alpha peak), multiplied
per channel and band by log-normal gains (subject topography, emotion effect, trial and epoch state),
with random complex Fourier coefficients, mixed across neighbouring electrodes (volume conduction) and
inverse-transformed. The emotion effects follow the SEED studies (``EMOTION_BAND_EFFECTS``).
"""

import numbers
from functools import lru_cache

import numpy as np
from scipy.special import expit
from sklearn.utils import Bunch, check_random_state

from ..eeg._channels import SEED_BANDS, SEED_CHANNELS, channel_positions

EEG_EMOTIONS = ("negative", "neutral", "positive")

# Scalp regions named by the SEED studies, as SEED channels.
REGIONS = {
    "prefrontal": ("FP1", "FPZ", "FP2", "AF3", "AF4"),
    "lateral_temporal": ("FT7", "T7", "TP7", "FT8", "T8", "TP8"),
    "parietal_occipital": (
        "P7", "P5", "P3", "P1", "PZ", "P2", "P4", "P6", "P8",
        "PO7", "PO5", "PO3", "POZ", "PO4", "PO6", "PO8", "CB1", "O1", "OZ", "O2", "CB2",
    ),  # fmt: skip
}

# Emotion effects: change of the natural log of band power in a region, at effect_size=1. The directions
# and places are those reported for SEED; the magnitudes are illustrative (the papers report classifier
# weights and averaged DE maps, not effect sizes).
#   positive: beta and gamma are the critical bands and the lateral temporal channels the critical
#             channels [1]; the lateral temporal areas activate more for positive than negative emotion in
#             beta and gamma [2].
#   neutral:  higher alpha responses at parietal and occipital sites [2].
#   negative: higher delta responses at parietal and occipital sites and higher gamma at prefrontal
#             sites [2].
EMOTION_BAND_EFFECTS = {
    "negative": {("delta", "parietal_occipital"): 0.30, ("gamma", "prefrontal"): 0.35},
    "neutral": {("alpha", "parietal_occipital"): 0.35},
    "positive": {("beta", "lateral_temporal"): 0.35, ("gamma", "lateral_temporal"): 0.45},
}

_RMS_VOLTS = 20e-6  # typical scalp EEG amplitude
_VOLUME_CONDUCTION_M = 0.025  # spatial spread of a source over the scalp (Gaussian sd, metres)
_BAND_EDGE_HZ = 0.5  # width of the logistic band edges of the gains
_EPOCH_BLOCK = 64  # epochs synthesised at once (bounds the memory of the complex spectra)
#: SEED's shared clip order (its label.mat: 1 positive, 0 neutral, -1 negative), the same for every subject.
SEED_TRIAL_LABELS = (1, 0, -1, -1, 0, 1, -1, 0, 1, 1, 0, -1, 0, 1, -1)


def make_eeg_emotion(
    n_subjects=15,
    n_trials=15,
    *,
    n_epochs_per_trial=1,
    epoch_duration=4.0,
    sfreq=200.0,
    effect_size=1.0,
    subject_variability=1.0,
    noise=1.0,
    label_order="random",
    return_X_y=False,
    random_state=None,
):
    """Generate SEED-like EEG epochs of negative, neutral and positive emotion.

    62 channels of the extended 10-20 system in SEED's channel order, sampled at 200 Hz like SEED's
    preprocessed EEG, in volts. Every subject watches ``n_trials`` clips, as balanced over the three
    emotions as ``n_trials`` allows, in a random order per subject; each trial gives ``n_epochs_per_trial``
    epochs, independent realisations that share the trial's gains.

    The power spectrum of an epoch is, per channel, a subject's background times log-normal band gains:

    * background: aperiodic ``(1 + f)**-chi`` with a subject exponent ``chi ~ N(1.6, 0.15)``, plus an alpha
      peak at a subject frequency ``~ N(10, 0.8)`` Hz that is strongest over posterior channels, band-limited
      to 0.5-70 Hz (SEED's preprocessing band-passes 0-75 Hz) and scaled to about 20 µV RMS;
    * subject: a per-subject gain of every channel and band (sd 0.25 in log power), an overall amplitude
      (sd 0.3) and an emotion responsiveness (log-normal, sd 0.3), all times ``subject_variability``;
    * emotion: ``EMOTION_BAND_EFFECTS`` times ``effect_size`` times the responsiveness [1]_ [2]_;
    * trial and epoch state: per trial a gain per channel and band (sd 0.15) and per band (sd 0.15), per
      epoch a gain per band (sd 0.1), all times ``noise``.

    Gains change smoothly (0.5 Hz logistic edges) between SEED's bands (delta 1-4, theta 4-8, alpha 8-14,
    beta 14-31, gamma 31-50 Hz). Fourier coefficients are complex Gaussian, so band power also varies
    like a real periodogram. Sources are mixed across electrodes with a Gaussian of their distance
    (sd 2.5 cm on the standard 10-20 head) to mimic volume conduction. Everything is vectorised: a block
    of epochs is one FFT.

    Parameters
    ----------
    n_subjects : int, default=15
    n_trials : int, default=15
        Trials per subject, at least 3 (one per emotion); SEED has 15 per session (5 per emotion).
    n_epochs_per_trial : int, default=1
    epoch_duration : float, default=4.0
        Seconds per epoch; at least 1 s so that the delta band (from 1 Hz) is resolved.
    sfreq : float, default=200.0
        Sampling frequency in Hz, at least 140 Hz (the signal is band-limited to 70 Hz).
    effect_size : float, default=1.0
        Scale of the emotion effects; 0 makes the emotions indistinguishable.
    subject_variability : float, default=1.0
        Scale of the differences between subjects; 0 makes the subjects identical.
    noise : float, default=1.0
        Scale of the trial-to-trial and epoch-to-epoch gain fluctuations.
    label_order : {"random", "seed"}, default="random"
        ``"random"``: each subject's trials in a random balanced order. ``"seed"``: every subject watches the
        clips in SEED's shared order (``label.mat``: positive, neutral, negative, negative, neutral, positive,
        ...; ``SEED_TRIAL_LABELS``, repeated when ``n_trials`` exceeds 15), so that
        :func:`~skemotion.datasets.write_seed` can write one ``label.mat`` for all subjects. The default stays
        ``"random"`` so that seeded data sets (and the numbers recorded from them) do not change.
    return_X_y : bool, default=False
        If True, return ``(data, target)`` instead of a Bunch.
    random_state : int, RandomState instance or None, default=None

    Returns
    -------
    eeg : :class:`~sklearn.utils.Bunch`
        With fields

        data : ndarray of shape (n_epochs, 62, n_times)
            EEG in volts, ``n_epochs = n_subjects * n_trials * n_epochs_per_trial``.
        target : ndarray of str of shape (n_epochs,)
            ``"negative"``, ``"neutral"`` or ``"positive"``.
        groups : ndarray of int of shape (n_epochs,)
            Subject of each epoch, for leave-subjects-out cross-validation.
        trial : ndarray of int of shape (n_epochs,)
            Trial of each epoch within its subject.
        sfreq : float
            Sampling frequency in Hz.
        ch_names : tuple of str
            SEED's 62 channel names.
        DESCR : str
            Description of the data set.

    (data, target) : tuple if ``return_X_y`` is True

    References
    ----------
    .. [1] Zheng, W.-L., & Lu, B.-L. (2015). Investigating critical frequency bands and channels for
       EEG-based emotion recognition with deep neural networks. *IEEE Transactions on Autonomous Mental
       Development*, 7(3), 162-175.
    .. [2] Zheng, W.-L., Zhu, J.-Y., & Lu, B.-L. (2019). Identifying stable patterns over time for emotion
       recognition from EEG. *IEEE Transactions on Affective Computing*, 10(3), 417-429.

    Examples
    --------
    >>> from skemotion.datasets import make_eeg_emotion
    >>> eeg = make_eeg_emotion(n_subjects=2, n_trials=3, n_epochs_per_trial=2, random_state=0)
    >>> eeg.data.shape, eeg.sfreq
    ((12, 62, 800), 200.0)
    >>> print(*sorted(set(eeg.target)))
    negative neutral positive
    >>> eeg.groups.tolist()
    [0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1]
    """
    _check_params(n_subjects, n_trials, n_epochs_per_trial, epoch_duration, sfreq, effect_size,
                  subject_variability, noise)
    if label_order not in ("random", "seed"):
        raise ValueError(f"label_order must be 'random' or 'seed', got {label_order!r}.")
    rng = check_random_state(random_state)
    n_times = int(round(epoch_duration * sfreq))
    freqs = np.fft.rfftfreq(n_times, 1 / sfreq)
    band_masks = _band_masks(freqs)  # (n_bands, n_freqs)

    emotion, subject, trial = _design(n_subjects, n_trials, n_epochs_per_trial, label_order, rng)
    background = _background(n_subjects, freqs, subject_variability, rng)  # (n_subjects, 62, n_freqs)
    log_gain = _log_band_gains(emotion, subject, trial, n_subjects, n_trials, effect_size,
                               subject_variability, noise, rng)  # (n_epochs, 62, n_bands)
    mixing = _mixing_matrix()

    coefficient_rng = np.random.default_rng(rng.randint(np.iinfo(np.int32).max))  # the fast generator
    data = np.empty((len(emotion), len(SEED_CHANNELS), n_times))
    for start in range(0, len(emotion), _EPOCH_BLOCK):
        block = slice(start, start + _EPOCH_BLOCK)
        psd = background[subject[block]] * np.exp(log_gain[block] @ band_masks)
        sources = _gaussian_process(psd, n_times, sfreq, coefficient_rng)
        data[block] = np.tensordot(mixing, sources, axes=([1], [1])).transpose(1, 0, 2)  # one large GEMM

    target = np.asarray(EEG_EMOTIONS)[emotion]
    if return_X_y:
        return data, target
    return Bunch(
        data=data,
        target=target,
        groups=subject,
        trial=trial,
        sfreq=float(sfreq),
        ch_names=SEED_CHANNELS,
        DESCR=(
            f"Synthetic SEED-like EEG (skemotion.datasets.make_eeg_emotion): {n_subjects} subjects x "
            f"{n_trials} trials x {n_epochs_per_trial} epoch(s) of {epoch_duration:g} s, 62 channels at "
            f"{sfreq:g} Hz, emotions {', '.join(EEG_EMOTIONS)}."
        ),
    )


def _check_params(n_subjects, n_trials, n_epochs_per_trial, epoch_duration, sfreq, effect_size,
                  subject_variability, noise):
    for name, value, low in (("n_subjects", n_subjects, 1), ("n_trials", n_trials, len(EEG_EMOTIONS)),
                             ("n_epochs_per_trial", n_epochs_per_trial, 1)):
        if not isinstance(value, numbers.Integral) or isinstance(value, bool) or value < low:
            raise ValueError(f"{name} must be an integer >= {low}, got {value!r}.")
    if not isinstance(sfreq, numbers.Real) or not sfreq >= 140:
        raise ValueError(f"sfreq must be at least 140 Hz (the signal reaches 70 Hz), got {sfreq!r}.")
    if not isinstance(epoch_duration, numbers.Real) or not epoch_duration >= 1:
        raise ValueError(f"epoch_duration must be at least 1 s to resolve the delta band, got {epoch_duration!r}.")
    for name, value in (("effect_size", effect_size), ("subject_variability", subject_variability),
                        ("noise", noise)):
        if not isinstance(value, numbers.Real) or not value >= 0:
            raise ValueError(f"{name} must be a non-negative number, got {value!r}.")


def _design(n_subjects, n_trials, n_epochs_per_trial, label_order, rng):
    """Emotion, subject and trial of every epoch; each subject's trials balanced, in a random or SEED's order."""
    if label_order == "seed":  # SEED's codes -1, 0, 1 are the indices 0, 1, 2 of EEG_EMOTIONS
        order = np.resize(np.asarray(SEED_TRIAL_LABELS) + 1, n_trials)
        emotion = np.tile(order, n_subjects)
    else:
        emotion = np.concatenate([rng.permutation(np.arange(n_trials) % len(EEG_EMOTIONS))
                                  for _ in range(n_subjects)])
    subject = np.repeat(np.arange(n_subjects), n_trials)
    trial = np.tile(np.arange(n_trials), n_subjects)
    return (np.repeat(emotion, n_epochs_per_trial), np.repeat(subject, n_epochs_per_trial),
            np.repeat(trial, n_epochs_per_trial))


def _band_masks(freqs):
    """Smooth indicator of each SEED band over the frequencies, (n_bands, n_freqs)."""
    edges = np.array(list(SEED_BANDS.values()))
    return expit((freqs - edges[:, :1]) / _BAND_EDGE_HZ) - expit((freqs - edges[:, 1:]) / _BAND_EDGE_HZ)


def _background(n_subjects, freqs, variability, rng):
    """Background PSD (V**2/Hz) of each subject and channel: 1/f plus a posterior alpha peak."""
    chi = 1.6 + 0.15 * variability * rng.standard_normal((n_subjects, 1, 1))
    alpha_freq = np.clip(10 + 0.8 * variability * rng.standard_normal((n_subjects, 1, 1)), 8.5, 12.0)
    alpha_ratio = 4.0 * np.exp(0.4 * variability * rng.standard_normal((n_subjects, 1, 1)))
    aperiodic = (1 + freqs) ** -chi
    peak = np.exp(-0.5 * ((freqs - alpha_freq) / 1.2) ** 2) * (1 + alpha_freq) ** -chi
    posterior = expit(-channel_positions(SEED_CHANNELS)[:, 1] / 0.02 - 1)[:, np.newaxis]  # y < 0 is posterior
    band_limit = (freqs / 0.5) ** 2 / (1 + (freqs / 0.5) ** 2) / (1 + (freqs / 70.0) ** 8)
    shape = (aperiodic + alpha_ratio * posterior * peak) * band_limit
    df = freqs[1] - freqs[0]
    power = shape.sum(axis=-1, keepdims=True).mean(axis=1, keepdims=True) * df
    amplitude = np.exp(0.3 * variability * rng.standard_normal((n_subjects, 1, 1)))
    return shape * amplitude * _RMS_VOLTS**2 / power


def _log_band_gains(emotion, subject, trial, n_subjects, n_trials, effect_size, variability, noise, rng):
    """Natural-log gain of every epoch, channel and band, (n_epochs, 62, n_bands)."""
    n_channels, n_bands = len(SEED_CHANNELS), len(SEED_BANDS)
    effects = np.zeros((len(EEG_EMOTIONS), n_channels, n_bands))
    bands = list(SEED_BANDS)
    for k, name in enumerate(EEG_EMOTIONS):
        for (band, region), value in EMOTION_BAND_EFFECTS[name].items():
            channels = [SEED_CHANNELS.index(c) for c in REGIONS[region]]
            effects[k, channels, bands.index(band)] += value
    topography = 0.25 * variability * rng.standard_normal((n_subjects, n_channels, n_bands))
    responsiveness = np.exp(0.3 * variability * rng.standard_normal(n_subjects))
    trial_id = subject * n_trials + trial
    n_trials_total = n_subjects * n_trials
    trial_local = 0.15 * noise * rng.standard_normal((n_trials_total, n_channels, n_bands))
    trial_global = 0.15 * noise * rng.standard_normal((n_trials_total, 1, n_bands))
    epoch_global = 0.10 * noise * rng.standard_normal((len(emotion), 1, n_bands))
    return (topography[subject] + effect_size * responsiveness[subject, None, None] * effects[emotion]
            + trial_local[trial_id] + trial_global[trial_id] + epoch_global)


@lru_cache(maxsize=1)
def _mixing_matrix():
    """Volume conduction: each electrode sums nearby sources, Gaussian in distance, unit-norm rows."""
    positions = channel_positions(SEED_CHANNELS)
    distance = np.linalg.norm(positions[:, np.newaxis] - positions[np.newaxis], axis=-1)
    mixing = np.exp(-0.5 * (distance / _VOLUME_CONDUCTION_M) ** 2)
    return mixing / np.linalg.norm(mixing, axis=1, keepdims=True)


def _gaussian_process(psd, n_times, sfreq, rng):
    """Real signals whose one-sided PSD is ``psd`` (..., n_freqs), through complex Gaussian coefficients."""
    df = sfreq / n_times
    coefficients = rng.standard_normal(psd.shape) + 1j * rng.standard_normal(psd.shape)
    # E|X_k|^2 = n_times^2 * psd * df / 2 gives each one-sided bin a variance psd * df.
    spectrum = coefficients * (n_times * np.sqrt(psd * df / 4))
    spectrum[..., 0] = 0.0  # no DC offset
    if n_times % 2 == 0:
        spectrum[..., -1] = 0.0  # the Nyquist bin must be real; the 70 Hz band limit leaves it empty anyway
    return np.fft.irfft(spectrum, n=n_times, axis=-1)
