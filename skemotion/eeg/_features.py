"""Band power and differential entropy of EEG epochs."""

import math
import warnings
from functools import partial
from numbers import Integral, Real

import numpy as np
from mne.filter import create_filter, filter_data
from mne.time_frequency import psd_array_multitaper
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import _check_feature_names_in, check_is_fitted

from ..utils._parallel import parallel_blocks
from ..utils._tags import EEGMixin
from ..utils.validation import check_eeg
from ._channels import SEED_BANDS
from ._spectral import band_weights, differential_entropy, welch_psd

# Entries of X per process below which a process pool (~0.5 s to start, X pickled to it) does not pay on
# a small machine: 4 Mi values take MNE about 2 s to filter into five bands.
_MIN_VALUES_PER_PROCESS = 2**22


class EEGBandFeatures(EEGMixin, TransformerMixin, BaseEstimator):
    """Differential entropy and band power of every channel in every frequency band.

    The band power ``sigma**2`` of a channel is the power of its signal inside the band (in V**2 for data
    in volts, as MNE stores EEG). The differential entropy (DE) of a Gaussian signal of that variance is
    ``0.5 * ln(2 * pi * e * sigma**2)``, in **nats** (natural logarithm; the research code this replaces
    used bits), the feature of the SEED papers (Duan et al. 2013; Zheng & Lu 2015). The power comes from

    ``"welch"``
        Welch's PSD (Hann windows of ``n_per_seg`` samples, 50 % overlap, constant detrend per segment):
        the estimate of :func:`scipy.signal.welch` and MNE's ``psd_array_welch``, computed by
        :func:`skemotion.eeg._spectral.welch_psd` with :mod:`scipy.fft` in cache-sized blocks;
    ``"multitaper"``
        MNE's :func:`mne.time_frequency.psd_array_multitaper` (DPSS tapers, ``normalization="full"``);
    ``"fft"``
        the Hann-windowed periodogram of the whole epoch (:func:`scipy.signal.periodogram`, same code as
        ``"welch"`` with one segment);
    ``"filter"``
        MNE's :func:`mne.filter.filter_data` (zero-phase FIR band-pass, MNE's default transition bands),
        then the variance of the band-passed signal.

    For the spectral methods the band power is the integral of the PSD over the band, exact for the PSD
    linearly interpolated between bins (the trapezoidal rule on bins), so adjacent bands add up.
    Everything is vectorised over epochs and channels; nothing is learned in ``fit``.

    Parameters
    ----------
    sfreq : float
        Sampling frequency in Hz.
    bands : dict of str to (float, float) or None, default=None
        Band name to ``(low, high)`` edges in Hz, ``0 <= low < high <= sfreq / 2``. ``None`` uses SEED's
        five bands: delta 1-4, theta 4-8, alpha 8-14, beta 14-31, gamma 31-50 Hz.
    feature : {"de", "psd", "both"}, default="de"
        ``"de"``: differential entropy (nats); ``"psd"``: band power; ``"both"``: both, per channel the
        DE of every band, then the power of every band.
    method : {"welch", "multitaper", "fft", "filter"}, default="welch"
        How the band power is estimated (see above).
    ch_names : list of str or None, default=None
        Channel names for the feature names; ``None`` names them ``ch0``, ``ch1``...
    n_per_seg : int or None, default=None
        Welch segment length in samples. ``None`` uses one second, or one cycle of the lowest band edge
        if that is longer, and at most the epoch.
    n_jobs : int or None, default=None
        FFT threads of ``"welch"`` and ``"fft"``; for ``"filter"`` and ``"multitaper"``, processes that
        each take one block of epochs, used only for inputs of at least 4 Mi values per process (smaller
        ones run serially: a process pool would cost more than it saves). Results do not depend on it.

    Attributes
    ----------
    bands_ : dict of str to (float, float)
        The bands used.
    n_channels_in_ : int
        Channels seen in ``fit``.

    Notes
    -----
    Epochs are ``(n_epochs, n_channels, n_times)`` arrays; a 2-D array is read as ``(n_epochs, n_times)``
    of one channel (:func:`skemotion.eeg.check_eeg`). The output is ``(n_epochs, n_channels * n_values)``
    with ``n_values = n_bands`` (or ``2 * n_bands`` for ``"both"``), channel-major: reshaping it to
    ``(n_epochs, n_channels, n_values)`` gives the channels x bands maps that :class:`EEGCNNClassifier`
    reads.

    An epoch must hold one full cycle of the lowest band edge (1 s for delta at 1 Hz), and for the spectral
    methods every band must be at least one frequency bin wide; a band above the Nyquist frequency is an
    error, not an empty feature.

    References
    ----------
    .. [1] Duan, R.-N., Zhu, J.-Y., & Lu, B.-L. (2013). Differential entropy feature for EEG-based emotion
       classification. *6th International IEEE/EMBS Conference on Neural Engineering*, 81-84.
    .. [2] Zheng, W.-L., & Lu, B.-L. (2015). Investigating critical frequency bands and channels for
       EEG-based emotion recognition with deep neural networks. *IEEE Transactions on Autonomous Mental
       Development*, 7(3), 162-175.

    Examples
    --------
    >>> from skemotion.datasets import make_eeg_emotion
    >>> from skemotion.eeg import EEGBandFeatures
    >>> eeg = make_eeg_emotion(n_subjects=2, n_trials=3, random_state=0)
    >>> features = EEGBandFeatures(eeg.sfreq, ch_names=eeg.ch_names).fit(eeg.data)
    >>> features.transform(eeg.data).shape  # 62 channels x 5 bands
    (6, 310)
    >>> features.get_feature_names_out()[:3].tolist()
    ['FP1_delta_de', 'FP1_theta_de', 'FP1_alpha_de']
    """

    _parameter_constraints = {
        "sfreq": [Interval(Real, 0, None, closed="neither")],
        "bands": [dict, None],
        "feature": [StrOptions({"de", "psd", "both"})],
        "method": [StrOptions({"welch", "multitaper", "fft", "filter"})],
        "ch_names": ["array-like", None],
        "n_per_seg": [Interval(Integral, 2, None, closed="left"), None],
        "n_jobs": [Integral, None],
    }

    def __init__(self, sfreq, *, bands=None, feature="de", method="welch", ch_names=None, n_per_seg=None,
                 n_jobs=None):
        self.sfreq = sfreq
        self.bands = bands
        self.feature = feature
        self.method = method
        self.ch_names = ch_names
        self.n_per_seg = n_per_seg
        self.n_jobs = n_jobs

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Check the bands against the sampling frequency and the epochs against the bands.

        Parameters
        ----------
        X : array-like of shape (n_epochs, n_channels, n_times) or (n_epochs, n_times)
        y : ignored

        Returns
        -------
        self : EEGBandFeatures
        """
        self.bands_ = _checked_bands(self.bands, self.sfreq)
        X = check_eeg(self, X, reset=True)
        if self.ch_names is not None and len(self.ch_names) != X.shape[1]:
            raise ValueError(f"ch_names has {len(self.ch_names)} names but X has {X.shape[1]} channels.")
        self._segment_length(X.shape[2])
        return self

    def transform(self, X):
        """Compute the band features.

        Parameters
        ----------
        X : array-like of shape (n_epochs, n_channels, n_times) or (n_epochs, n_times)

        Returns
        -------
        features : ndarray of shape (n_epochs, n_channels * n_bands) or (n_epochs, n_channels * 2 * n_bands)
        """
        check_is_fitted(self)
        X = check_eeg(self, X, reset=False)
        # Powers square the signal: epochs of amplitude beyond 2**400 or below 2**-400 are divided by an exact
        # power of two first (1e-300 gave -inf DE, 1e300 NaN); ordinary epochs are untouched.
        exponent = _scale_exponents(X)
        power = self._band_power(np.ldexp(X, -exponent))
        # A flat channel has no power in any band, but every estimator turns its rounding (the mean
        # subtracted from a constant, a filter's ringing on a DC offset) into a tiny finite power, whose DE
        # (about -35 to -75 nats) would look like a very quiet channel. Such channels get exactly 0.
        power[_flat_channels(X)] = 0.0
        self._warn_silent(power)
        de = differential_entropy(power) + exponent * np.log(2.0)  # 0.5 ln(p * 4**e) = 0.5 ln p + e ln 2
        if self.feature != "de":
            power = _scaled_back(power, 2 * exponent, X)
        values = power if self.feature == "psd" else de if self.feature == "de" else np.concatenate([de, power], -1)
        return values.reshape(len(X), -1)

    def _band_power(self, X):
        """Power of every channel in every band, ``(n_epochs, n_channels, n_bands)``, in units**2."""
        n_per_seg = self._segment_length(X.shape[2])
        edges = np.array(list(self.bands_.values()))
        if self.method in ("welch", "fft"):  # scipy.fft threads: no start-up cost
            freqs, psd = welch_psd(X, self.sfreq, n_per_seg, n_jobs=self.n_jobs)
            return psd @ band_weights(freqs, edges)
        # MNE's own n_jobs starts a process pool in every call (one per band when filtering) and
        # holds the GIL in its per-channel loops: instead, one block of epochs per process, and none
        # at all for inputs too small to repay the pool (results are identical: epochs are independent).
        if self.method == "filter":
            self._warn_filter_edges(X.shape[2], edges)
        power = _filtered_power if self.method == "filter" else _multitaper_power
        return parallel_blocks(partial(power, sfreq=self.sfreq, edges=edges), X, self.n_jobs,
                               prefer="processes", min_values_per_worker=_MIN_VALUES_PER_PROCESS)

    def _segment_length(self, n_times):
        """Samples per spectral segment; raise if epochs are too short for the bands."""
        name, (low, _) = min(self.bands_.items(), key=lambda item: item[1][0])
        needed = math.ceil(self.sfreq / low - 1e-9) if low > 0 else 1
        if n_times < needed:
            raise ValueError(
                f"Epochs of {n_times} sample(s) ({n_times / self.sfreq:.3g} s) are shorter than the {needed} "
                f"samples ({needed / self.sfreq:.3g} s) that one cycle of the lowest band edge needs "
                f"(band {name!r} from {low:g} Hz at sfreq={self.sfreq:g} Hz). Use longer epochs or drop the band."
            )
        if self.method == "welch":
            default = min(n_times, max(needed, math.ceil(self.sfreq)))
            n_per_seg = default if self.n_per_seg is None else self.n_per_seg
            if n_per_seg > n_times:
                raise ValueError(f"n_per_seg={n_per_seg} exceeds the epoch length of {n_times} samples.")
        else:
            n_per_seg = n_times
        if self.method != "filter":
            self._check_resolution(self.sfreq / n_per_seg, n_per_seg)
        return n_per_seg

    def _check_resolution(self, resolution, n_per_seg):
        name, (low, high) = min(self.bands_.items(), key=lambda item: item[1][1] - item[1][0])
        if high - low < resolution - 1e-9:
            raise ValueError(
                f"Band {name!r} ({low:g}-{high:g} Hz) is narrower than the frequency resolution "
                f"{resolution:.3g} Hz of {n_per_seg}-sample spectra at sfreq={self.sfreq:g} Hz; use longer "
                "epochs, a larger n_per_seg or wider bands."
            )

    def _warn_filter_edges(self, n_times, edges):
        """Warn once where epochs are too short to leave out the filter's edge effects (see _filtered_power)."""
        nyquist = self.sfreq / 2
        short = {}
        for name, (low, high) in zip(self.bands_, edges):
            if low <= 0 and high >= nyquist:
                continue
            length = len(create_filter(None, self.sfreq, low if low > 0 else None, high if high < nyquist else None,
                                       verbose=False))
            if n_times < 2 * length - 1:
                short[name] = 2 * length - 1
        if short:
            needed = ", ".join(f"{name!r} {n}" for name, n in short.items())
            warnings.warn(
                f"EEGBandFeatures(method='filter'): epochs of {n_times} samples are too short to leave out the "
                f"filter's edge effects (samples needed, twice each band's filter length: {needed}); the power of "
                "those bands includes them and is overestimated (2.5x on white noise for delta in 4 s epochs at "
                "200 Hz). Use longer epochs or method='welch'.",
                RuntimeWarning,
                stacklevel=4,
            )

    def _warn_silent(self, power):
        silent = power <= 0
        if silent.any():
            _, channel, band = np.unravel_index(np.argmax(silent), power.shape)
            warnings.warn(
                f"EEGBandFeatures: {int(silent.sum())} channel-band value(s) have zero power (flat channels: no "
                "variation beyond 1e-12 of their magnitude within an epoch), e.g. channel "
                f"{self._channel_names()[channel]!r} in band {list(self.bands_)[band]!r}; their band power "
                "is 0 and their differential entropy -inf (a flat or disconnected channel?).",
                RuntimeWarning,
                stacklevel=3,
            )

    def _channel_names(self):
        if self.ch_names is not None:
            return [str(name) for name in self.ch_names]
        return [f"ch{c}" for c in range(self.n_channels_in_)]

    def get_feature_names_out(self, input_features=None):
        """Feature names ``{channel}_{band}_{de|psd}``, channel-major.

        Parameters
        ----------
        input_features : ignored
            Validated against the column names seen in ``fit`` (2-D input), which are time samples,
            not channels.

        Returns
        -------
        feature_names_out : ndarray of str objects
        """
        check_is_fitted(self)
        _check_feature_names_in(self, input_features, generate_names=False)
        kinds = {"de": ["de"], "psd": ["psd"], "both": ["de", "psd"]}[self.feature]
        names = [f"{ch}_{band}_{kind}" for ch in self._channel_names() for kind in kinds for band in self.bands_]
        return np.array(names, dtype=object)


def _checked_bands(bands, sfreq):
    bands = dict(SEED_BANDS if bands is None else bands)
    if not bands:
        raise ValueError("bands is empty; give at least one band as {name: (low, high)}.")
    nyquist = sfreq / 2
    checked = {}
    for name, edges in bands.items():
        if np.ndim(edges) != 1 or len(edges) != 2:
            raise ValueError(f"Band {name!r} must be given as (low, high) in Hz, got {edges!r}.")
        low, high = (float(e) for e in edges)
        if not 0 <= low < high:
            raise ValueError(f"Band {name!r} must satisfy 0 <= low < high, got ({low:g}, {high:g}) Hz.")
        if high > nyquist:
            raise ValueError(
                f"Band {name!r} ({low:g}-{high:g} Hz) extends above the Nyquist frequency {nyquist:g} Hz "
                f"of sfreq={sfreq:g} Hz; lower its upper edge or use data sampled faster."
            )
        checked[str(name)] = (low, high)
    return checked


def _scale_exponents(X):
    """``(n_epochs, 1, 1)`` exponents of a power of two near each epoch's largest |value|, 0 for ordinary ones."""
    largest = np.abs(X).max(axis=(1, 2), keepdims=True, initial=0.0)
    extreme = np.isfinite(largest) & (largest > 0) & ((largest > 2.0**400) | (largest < 2.0**-400))
    return np.where(extreme, np.floor(np.log2(np.where(extreme, largest, 1.0))), 0).astype(int)


def _scaled_back(power, exponent, X):
    """Band powers at unit scale times ``2**exponent``, refused where that leaves the float range."""
    with np.errstate(over="ignore", under="ignore"):
        scaled = np.ldexp(power, exponent)
    lost = (power > 0) & (np.isinf(scaled) | (scaled < np.finfo(float).tiny))
    if lost.any():
        epoch = np.unravel_index(np.argmax(lost), lost.shape)[0]
        raise OverflowError(f"EEGBandFeatures: the band powers of epoch {epoch} (amplitudes of about "
                            f"{np.abs(X[epoch]).max():.3g}) are outside the float range; rescale the signal "
                            "(e.g. to volts) or use feature='de', which is computed for any amplitude.")
    return scaled


def _flat_channels(X):
    """``(n_epochs, n_channels)`` mask of channels that do not vary beyond rounding within an epoch."""
    magnitude = np.abs(X).max(axis=-1)
    return np.ptp(X, axis=-1) <= 1e-12 * magnitude


def _multitaper_power(X, sfreq, edges):
    psd, freqs = psd_array_multitaper(X, sfreq, normalization="full", n_jobs=1, verbose=False)
    return psd @ band_weights(freqs, edges)


def _filtered_power(X, sfreq, edges):
    """Band power from MNE's band-pass filter, corrected to the band's nominal width.

    MNE's FIR filters put their -6 dB points half a transition band outside the edges, so the variance of
    the filtered signal overestimates the band power: by the ratio of the filter's noise-equivalent
    bandwidth ``(sfreq / 2) * sum(h**2)`` to ``high - low`` on white noise (1.25-1.40x for SEED's bands at
    200 Hz). That ratio is divided out. The filter's padding at the epoch's ends raises the variance there
    (up to 3x for delta), so where the epoch holds more than one filter length only the samples whose filter
    window lies inside the epoch are used.
    """
    nyquist = sfreq / 2
    n_times = X.shape[-1]
    power = np.empty(X.shape[:2] + (len(edges),))
    for k, (low, high) in enumerate(edges):
        low, high = (low if low > 0 else None), (high if high < nyquist else None)
        if low is None and high is None:  # the whole spectrum: no filter, no correction
            power[..., k] = X.var(axis=-1)
            continue
        h = create_filter(None, sfreq, low, high, verbose=False)
        band = filter_data(X, sfreq, low, high, n_jobs=1, verbose=False)
        half = len(h) // 2
        if n_times >= 2 * len(h) - 1:  # the condition of _warn_filter_edges
            band = band[..., half:n_times - half]
        power[..., k] = band.var(axis=-1) * (edges[k][1] - edges[k][0]) / (nyquist * np.sum(h**2))
    return power
