"""Spectral estimates and band integrals, vectorised over every leading axis.

``welch_psd`` computes exactly the estimate of :func:`scipy.signal.welch` (and of MNE's
``psd_array_welch``): Hann window, constant detrend per segment, density scaling, one-sided. It works on
cache-sized blocks of signals, which is several times faster than those functions on arrays of thousands of
epochs, because they allocate every windowed segment of every signal at once.
"""

import numpy as np
import scipy.fft
import scipy.signal
from joblib import effective_n_jobs

# Values per block (~1 MB of float64): large enough to vectorise, small enough to stay in the CPU cache.
_BLOCK_VALUES = 1 << 17


def welch_psd(X, sfreq, n_per_seg, n_jobs=None):
    """Welch power spectral density with 50 % overlapping Hann windows.

    Parameters
    ----------
    X : ndarray of shape (..., n_times)
    sfreq : float
        Sampling frequency in Hz.
    n_per_seg : int
        Samples per segment (at most ``n_times``); ``n_per_seg == n_times`` gives the Hann-windowed
        periodogram (:func:`scipy.signal.periodogram` with ``window="hann"``).
    n_jobs : int or None
        Threads of the FFT (``scipy.fft`` workers).

    Returns
    -------
    freqs : ndarray of shape (n_per_seg // 2 + 1,)
    psd : ndarray of shape (..., n_freqs)
        One-sided PSD in units**2 / Hz.

    Examples
    --------
    >>> import numpy as np, scipy.signal
    >>> x = np.random.default_rng(0).normal(size=(3, 400))
    >>> freqs, psd = welch_psd(x, 100.0, 100)
    >>> np.allclose(psd, scipy.signal.welch(x, 100.0, window="hann", nperseg=100)[1])
    True
    """
    n_times = X.shape[-1]
    step = n_per_seg - n_per_seg // 2
    n_segments = (n_times - n_per_seg) // step + 1
    window = scipy.signal.get_window("hann", n_per_seg)
    workers = effective_n_jobs(n_jobs)
    signals = X.reshape(-1, n_times)
    psd = np.empty((len(signals), n_per_seg // 2 + 1))
    block = max(1, _BLOCK_VALUES // (n_segments * n_per_seg))
    for start in range(0, len(signals), block):
        segments = np.lib.stride_tricks.sliding_window_view(signals[start:start + block], n_per_seg, axis=-1)
        segments = segments[:, ::step]
        segments = (segments - segments.mean(axis=-1, keepdims=True)) * window
        spectrum = scipy.fft.rfft(segments, axis=-1, workers=workers)
        psd[start:start + block] = (spectrum.real**2 + spectrum.imag**2).mean(axis=1)
    psd /= sfreq * (window**2).sum()
    last = -1 if n_per_seg % 2 == 0 else None  # the Nyquist bin of an even length is not doubled
    psd[:, 1:last] *= 2
    return np.fft.rfftfreq(n_per_seg, 1 / sfreq), psd.reshape(X.shape[:-1] + (-1,))


def band_weights(freqs, bands):
    """Weights that integrate a PSD over each band: ``band_power = psd @ weights``.

    The integral is exact for the PSD linearly interpolated between its bins, so on bins the weights are
    the trapezoidal rule (:func:`scipy.integrate.trapezoid`), and edges between bins are handled exactly:
    the powers of adjacent bands add up to the power of their union.

    Parameters
    ----------
    freqs : ndarray of shape (n_freqs,)
        Evenly spaced frequencies from 0 Hz.
    bands : ndarray of shape (n_bands, 2)
        Lower and upper edge of each band in Hz, within ``[freqs[0], freqs[-1]]`` (clipped to it).

    Returns
    -------
    weights : ndarray of shape (n_freqs, n_bands)

    Examples
    --------
    >>> import numpy as np
    >>> freqs = np.arange(6.0)
    >>> band_weights(freqs, np.array([[1.0, 3.0]]))[:, 0].tolist()  # trapezoid over bins 1, 2, 3
    [0.0, 0.5, 1.0, 0.5, 0.0, 0.0]
    """
    df = freqs[1] - freqs[0]
    edges = np.clip(np.asarray(bands, dtype=float), freqs[0], freqs[-1])
    lower = (edges[:, 0] - freqs[:, np.newaxis]) / df
    upper = (edges[:, 1] - freqs[:, np.newaxis]) / df
    return df * (_hat_integral(upper) - _hat_integral(lower))


def _hat_integral(u):
    """Integral from -inf to u of the unit hat function max(0, 1 - |t|)."""
    u = np.clip(u, -1.0, 1.0)
    return np.where(u <= 0, 0.5 * (u + 1) ** 2, 1 - 0.5 * (1 - u) ** 2)


def differential_entropy(power):
    """Differential entropy of a Gaussian of variance ``power``, in nats: 0.5 ln(2 pi e power)."""
    with np.errstate(divide="ignore"):
        return 0.5 * np.log(2 * np.pi * np.e * power)
