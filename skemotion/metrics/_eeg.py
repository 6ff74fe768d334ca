"""Spectral realism of synthetic EEG: distances between the band powers of real and synthetic epochs."""

import numpy as np
import ot

from ..eeg import EEGBandFeatures


def band_power_distance(real, synthetic, sfreq, *, bands=None, method="welch", n_per_seg=None, per_channel=False):
    """Wasserstein distance between the log band powers of real and synthetic EEG epochs, per band.

    For every channel and band, the natural log of the band power of each epoch (computed by
    :class:`~skemotion.eeg.EEGBandFeatures` with ``feature="psd"``) is one draw; the distance is the
    1-Wasserstein distance between the real and the synthetic draws (POT's batched
    :func:`ot.wasserstein_1d`), averaged over channels. It is at least the difference of the mean log
    powers (a synthetic spectrum that is too weak or too strong) and also grows when the spread over
    epochs differs (too uniform or too variable synthetic epochs). The unit is nats of log power: 0.1 is a
    power about 10 % off, 0.69 a factor of two (half as much in differential entropy, which is
    ``0.5 * ln(2 pi e power)``). The value between two sets of real epochs (e.g. training and held-out
    subjects) is the floor to compare a generator with.

    Parameters
    ----------
    real, synthetic : array-like of shape (n_epochs, n_channels, n_times)
        Epochs with the same channels and sampling frequency (a 2-D array is one channel, see
        :func:`~skemotion.eeg.check_eeg`); the numbers of epochs and of samples may differ.
    sfreq : float
        Sampling frequency in Hz.
    bands : dict of str to (float, float) or None, default=None
        Bands in Hz; ``None`` uses SEED's five bands.
    method : {"welch", "multitaper", "fft", "filter"}, default="welch"
        Band power estimate (see :class:`~skemotion.eeg.EEGBandFeatures`).
    n_per_seg : int or None, default=None
        Welch segment length in samples.
    per_channel : bool, default=False
        Return the distance of every channel instead of the mean over channels.

    Returns
    -------
    distance : ndarray of shape (n_bands,), or (n_channels, n_bands) with ``per_channel=True``
        In the order of the bands.

    See Also
    --------
    skemotion.plotting.plot_psd_comparison : the spectra behind these numbers.
    frechet_distance : a distance between the joint distributions of band features, e.g. with
        ``features=EEGBandFeatures(sfreq).fit(real)``.

    Examples
    --------
    >>> import numpy as np
    >>> from skemotion.metrics import band_power_distance
    >>> rng = np.random.default_rng(0)
    >>> real = rng.normal(size=(50, 2, 400))
    >>> band_power_distance(real, 2 * real, 100.0).round(3)  # 4 times the power: ln 4 in every band
    array([1.386, 1.386, 1.386, 1.386, 1.386])
    """
    features = EEGBandFeatures(sfreq, bands=bands, feature="psd", method=method, n_per_seg=n_per_seg).fit(real)
    log_powers = []
    for name, epochs in (("real", real), ("synthetic", synthetic)):
        power = features.transform(epochs)
        if (power <= 0).any():
            raise ValueError(f"Some {name} epochs have zero power in a band (a flat channel?): their log power "
                             "is -inf and no distance is defined.")
        log_powers.append(np.log(power))
    distance = ot.wasserstein_1d(*log_powers, p=1).reshape(features.n_channels_in_, len(features.bands_))
    return distance if per_channel else distance.mean(axis=0)
