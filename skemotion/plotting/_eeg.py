"""Pictures EEG researchers expect: scalp maps of class differences per band, real vs synthetic signals."""

import matplotlib.pyplot as plt
import mne
import numpy as np

from ..eeg._channels import SEED_BANDS, eeg_info
from ..eeg._spectral import welch_psd


def plot_band_topomap(X, y, *, ch_names=None, info=None, band_names=None, contrast=None, cmap="RdBu_r",
                      title=None):
    """Scalp maps of class differences of band features, one column per band.

    Maps are drawn by :func:`mne.viz.plot_topomap` at the electrode positions of ``info`` or, from
    ``ch_names``, of the standard 10-20 montage (SEED's cerebellar CB1/CB2 at O9/O10). All maps share one
    symmetric colour scale.

    Parameters
    ----------
    X : array-like of shape (n_epochs, n_channels, n_bands) or (n_epochs, n_channels * n_bands)
        Band features, e.g. the output of ``EEGBandFeatures(feature="de")`` (2-D, channel-major).
    y : array-like of shape (n_epochs,)
        Class of each epoch.
    ch_names : list of str or None
        Channel names, needed for 2-D ``X`` and for positions when ``info`` is None.
    info : mne.Info or None
        Measurement info with a montage; overrides the standard positions.
    band_names : list of str, dict or None
        Column titles, or the bands themselves as ``{name: (low, high)}`` (e.g. ``EEGBandFeatures.bands_``),
        titled ``"theta 4-8 Hz"``. ``None`` reads the names from the columns of a DataFrame ``X``
        (``EEGBandFeatures`` with ``set_output(transform="pandas")``: ``{channel}_{band}_{kind}``), else uses
        SEED's band names for 5 bands, else ``band0``...
    contrast : (class_a, class_b) or None
        Plot ``mean(class_a) - mean(class_b)`` in one row; ``None`` plots one row per class, the class
        mean minus the mean over all epochs.
    cmap : str, default="RdBu_r"
    title : str or None

    Returns
    -------
    fig : matplotlib.figure.Figure

    Examples
    --------
    >>> from skemotion.datasets import make_eeg_emotion
    >>> from skemotion.eeg import EEGBandFeatures
    >>> from skemotion.plotting import plot_band_topomap
    >>> eeg = make_eeg_emotion(n_subjects=2, n_trials=3, random_state=0)
    >>> de = EEGBandFeatures(eeg.sfreq).fit_transform(eeg.data)
    >>> fig = plot_band_topomap(de, eeg.target, ch_names=eeg.ch_names, contrast=("positive", "negative"))
    >>> len(fig.axes)  # 5 maps and a colour bar
    6
    """
    ch_names = list(info["ch_names"]) if ch_names is None and info is not None else ch_names
    columns = [str(c) for c in X.columns] if hasattr(X, "columns") else None
    maps, y = _band_maps(X, y, ch_names)
    n_bands = maps.shape[2]
    if isinstance(band_names, dict):
        band_names = [f"{name} {low:g}-{high:g} Hz" for name, (low, high) in band_names.items()]
    elif band_names is None and columns is not None and ch_names is not None:
        band_names = _names_from_columns(columns[:n_bands], str(ch_names[0]))
    if band_names is None:
        band_names = list(SEED_BANDS) if n_bands == len(SEED_BANDS) else [f"band{b}" for b in range(n_bands)]
    if len(band_names) != n_bands:
        raise ValueError(f"band_names has {len(band_names)} names for {n_bands} bands.")
    rows, labels = _differences(maps, y, contrast)
    if info is None:
        if ch_names is None:
            raise ValueError("Pass ch_names (or an mne.Info as info) to place the channels on the scalp.")
        info = eeg_info(ch_names)
    elif len(info["ch_names"]) != maps.shape[1]:
        raise ValueError(f"info has {len(info['ch_names'])} channels but X has {maps.shape[1]}.")

    limit = np.abs(rows).max() or 1.0
    fig, axes = plt.subplots(len(rows), n_bands, figsize=(2.2 * n_bands + 0.8, 2.2 * len(rows) + 0.4),
                             squeeze=False, layout="constrained")
    for r, (row, label) in enumerate(zip(rows, labels)):
        for b in range(n_bands):
            image, _ = mne.viz.plot_topomap(row[:, b], info, axes=axes[r, b], cmap=cmap, vlim=(-limit, limit),
                                            show=False, contours=0)
            axes[r, b].set_title(band_names[b] if r == 0 else "")
        axes[r, 0].set_ylabel(label)
        axes[r, 0].yaxis.set_visible(True)
        axes[r, 0].set_yticks([])
    fig.colorbar(image, ax=axes, shrink=0.8, label="difference")
    if title:
        fig.suptitle(title)
    return fig


def _names_from_columns(columns, first_channel):
    """Band titles from the first channel's feature names ``{channel}_{band}_{kind}`` (None if not so named)."""
    prefix = f"{first_channel}_"
    if not all(c.startswith(prefix) for c in columns):
        return None
    names = [c[len(prefix):] for c in columns]
    kinds = {name.rsplit("_", 1)[-1] for name in names}
    if len(kinds) == 1 and all("_" in name for name in names):  # one kind (all DE): the band alone
        names = [name.rsplit("_", 1)[0] for name in names]
    return names


def _band_maps(X, y, ch_names):
    X = np.asarray(X, dtype=float)
    if X.ndim == 2:
        if ch_names is None or X.shape[1] % len(ch_names):
            raise ValueError("A 2-D X is read as (n_epochs, n_channels * n_bands): pass the ch_names of its "
                             "channels (the number of columns must be a multiple of their number).")
        X = X.reshape(len(X), len(ch_names), -1)
    if X.ndim != 3:
        raise ValueError(f"X must be (n_epochs, n_channels, n_bands) or 2-D; got shape {X.shape}.")
    y = np.asarray(y)
    if len(y) != len(X):
        raise ValueError(f"X has {len(X)} epochs but y has {len(y)} labels.")
    if ch_names is not None and len(ch_names) != X.shape[1]:
        raise ValueError(f"ch_names has {len(ch_names)} names but X has {X.shape[1]} channels.")
    return X, y


def _differences(maps, y, contrast):
    if contrast is not None:
        a, b = contrast
        for cls in (a, b):
            if not np.any(y == cls):
                raise ValueError(f"Class {cls} of contrast has no epoch; classes are {np.unique(y).tolist()}.")
        return [maps[y == a].mean(0) - maps[y == b].mean(0)], [f"{a} - {b}"]
    grand = maps.mean(0)
    classes = np.unique(y)
    return [maps[y == c].mean(0) - grand for c in classes], [f"{c} - mean" for c in classes]


def plot_signal_comparison(real, synthetic, sfreq, *, ch_names=None, picks=None, epoch=0,
                           labels=("real", "synthetic")):
    """Time courses of one real and one synthetic epoch, side by side, on a shared amplitude scale.

    Parameters
    ----------
    real, synthetic : array-like of shape (n_epochs, n_channels, n_times) or (n_epochs, n_times)
        Any two sets of epochs with the same channels (2-D: one channel); lengths may differ.
    sfreq : float
        Sampling frequency of both, in Hz.
    ch_names : list of str or None
    picks : list of int or None
        Channels to show; ``None`` shows up to the first four.
    epoch : int, default=0
        Which epoch of each set to show.
    labels : (str, str)

    Returns
    -------
    fig : matplotlib.figure.Figure

    Examples
    --------
    >>> import numpy as np
    >>> from skemotion.plotting import plot_signal_comparison
    >>> rng = np.random.default_rng(0)
    >>> fig = plot_signal_comparison(rng.normal(size=(2, 3, 200)), rng.normal(size=(2, 3, 200)), 100.0)
    >>> len(fig.axes)
    6
    """
    real, synthetic, picks, names = _paired(real, synthetic, ch_names, picks)
    fig, axes = plt.subplots(len(picks), 2, figsize=(10, 1.3 * len(picks) + 1), sharex=True, sharey=True,
                             squeeze=False, layout="constrained")
    for col, (data, label) in enumerate(zip((real, synthetic), labels)):
        if not 0 <= epoch < len(data):
            raise ValueError(f"epoch={epoch} is out of range for {len(data)} {label} epoch(s).")
        times = np.arange(data.shape[2]) / sfreq
        for row, c in enumerate(picks):
            axes[row, col].plot(times, data[epoch, c] * 1e6, lw=0.7, color=f"C{col}")
            axes[row, 0].set_ylabel(f"{names[c]}\n(µV)")
        axes[0, col].set_title(f"{label}, epoch {epoch}")
        axes[-1, col].set_xlabel("time (s)")
    return fig


def plot_psd_comparison(real, synthetic, sfreq, *, ch_names=None, picks=None, bands=None, fmax=None,
                        labels=("real", "synthetic")):
    """Welch PSD of real and synthetic epochs on one log-scale plot: median and 10-90 % range over epochs.

    Each epoch's PSD is averaged over the picked channels (1-s Hann windows, 50 % overlap); band edges are
    shaded.

    Parameters
    ----------
    real, synthetic : array-like of shape (n_epochs, n_channels, n_times) or (n_epochs, n_times)
        Any two sets of epochs with the same sampling frequency. With ``picks=None`` each set is averaged
        over all of its channels, so the two may come from different montages.
    sfreq : float
    ch_names : list of str or None
        Names of the channels of both sets, to pick channels by name.
    picks : list of int or str, or None
        Channels averaged (the same in both sets); ``None`` uses all channels of each set.
    bands : dict of str to (float, float) or None
        Bands to shade; ``None`` uses SEED's bands, ``{}`` none.
    fmax : float or None
        Upper frequency limit of the plot; ``None`` is the Nyquist frequency.
    labels : (str, str)

    Returns
    -------
    fig : matplotlib.figure.Figure

    Examples
    --------
    >>> import numpy as np
    >>> from skemotion.plotting import plot_psd_comparison
    >>> rng = np.random.default_rng(0)
    >>> fig = plot_psd_comparison(rng.normal(size=(4, 3, 400)), rng.normal(size=(4, 3, 400)), 100.0)
    >>> fig.axes[0].get_yscale()
    'log'
    """
    if picks is None:
        real, synthetic = (_as_epochs(x, name) for x, name in ((real, "real"), (synthetic, "synthetic")))
        sets = (real, synthetic)
    else:
        real, synthetic, picks, _ = _paired(real, synthetic, ch_names, picks)
        sets = (real[:, picks], synthetic[:, picks])
    bands = SEED_BANDS if bands is None else bands
    fmax = sfreq / 2 if fmax is None else fmax
    fig, ax = plt.subplots(figsize=(7, 4), layout="constrained")
    for k, (data, label) in enumerate(zip(sets, labels)):
        n_per_seg = min(data.shape[2], max(2, int(round(sfreq))))
        freqs, psd = welch_psd(data, sfreq, n_per_seg)
        psd = psd.mean(axis=1) * 1e12  # average over channels, V**2/Hz -> µV**2/Hz
        keep = (freqs > 0) & (freqs <= fmax)
        low, median, high = np.percentile(psd[:, keep], [10, 50, 90], axis=0)
        ax.fill_between(freqs[keep], low, high, color=f"C{k}", alpha=0.25, lw=0)
        ax.plot(freqs[keep], median, color=f"C{k}", label=f"{label} ({len(data)} epochs)")
    for i, (name, (low, high)) in enumerate(bands.items()):
        if low < fmax:
            high = min(high, fmax)
            ax.axvspan(low, high, color="0.5", alpha=0.08 if i % 2 else 0.0, lw=0)
            narrow = high - low < 0.06 * fmax  # a vertical label fits a narrow band
            ax.text((low + high) / 2, 0.98, name, transform=ax.get_xaxis_transform(), ha="center", va="top",
                    fontsize=8, color="0.3", rotation=90 if narrow else 0)
    ax.set(yscale="log", xlabel="frequency (Hz)", ylabel="PSD (µV²/Hz)", xlim=(0, fmax))
    ax.legend(loc="lower left")
    return fig


def _paired(real, synthetic, ch_names, picks):
    real, synthetic = (_as_epochs(x, name) for x, name in ((real, "real"), (synthetic, "synthetic")))
    if real.shape[1] != synthetic.shape[1]:
        raise ValueError(f"real has {real.shape[1]} channels but synthetic has {synthetic.shape[1]}.")
    n_channels = real.shape[1]
    names = list(ch_names) if ch_names is not None else [f"ch{c}" for c in range(n_channels)]
    if len(names) != n_channels:
        raise ValueError(f"ch_names has {len(names)} names but the data have {n_channels} channels.")
    if picks is None:
        picks = list(range(min(4, n_channels)))
    picks = [names.index(p) if isinstance(p, str) else int(p) for p in picks]
    if not picks or not all(0 <= p < n_channels for p in picks):
        raise ValueError(f"picks must name channels among the {n_channels} channels, got {picks}.")
    return real, synthetic, picks, names


def _as_epochs(X, name):
    X = np.asarray(X, dtype=float)
    X = X[:, np.newaxis] if X.ndim == 2 else X
    if X.ndim != 3 or not np.isfinite(X).all():
        raise ValueError(f"{name} must be finite epochs (n_epochs, n_channels, n_times); got shape {X.shape}.")
    return X
