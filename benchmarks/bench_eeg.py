"""Speed and agreement of EEG band features: skemotion against MNE in the same run.

1000 epochs x 62 channels x 800 samples (4 s at 200 Hz) of synthetic SEED-like EEG (make_eeg_emotion).

* skemotion: ``EEGBandFeatures(feature="both", method="welch")``, DE and band power of the 5 SEED bands from
  one Welch PSD (1-s Hann windows, 50 % overlap);
* references: DE from MNE's ``filter_data`` (FIR band-pass) + variance, the way the SEED papers compute DE,
  and band power from MNE's ``psd_array_welch`` with the same windows + a trapezoid over each band.

Times are the best of ``--repeat`` runs, single-threaded everywhere (n_jobs=None). Targets: skemotion's
DE + PSD within 1.5 s, and its DE correlated >= 0.97 with the filter-based DE in alpha, beta and gamma.

    python benchmarks/bench_eeg.py
"""

import argparse
import os
import time

import mne
import numpy as np
from scipy.integrate import trapezoid

from skemotion.datasets import make_eeg_emotion
from skemotion.eeg import SEED_BANDS, EEGBandFeatures

TIME_TARGET_S = 1.5
CORRELATION_TARGET = 0.97


def best_time(function, repeat):
    """Best wall time of ``repeat`` calls and the last result."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return min(times), result


def mne_filter_de(X, sfreq):
    """DE per band from MNE's FIR band-pass filter and the variance of the filtered signal."""
    power = np.stack([mne.filter.filter_data(X, sfreq, low, high, verbose=False).var(axis=-1)
                      for low, high in SEED_BANDS.values()], axis=-1)
    return 0.5 * np.log(2 * np.pi * np.e * power)


def mne_sharp_filter_de(X, sfreq):
    """As mne_filter_de with 1-Hz transition bands, so that the filter keeps to the band edges."""
    power = np.stack([mne.filter.filter_data(X, sfreq, low, high, l_trans_bandwidth=1.0, h_trans_bandwidth=1.0,
                                             verbose=False).var(axis=-1) for low, high in SEED_BANDS.values()],
                     axis=-1)
    return 0.5 * np.log(2 * np.pi * np.e * power)


def mne_welch_power(X, sfreq):
    """Band power from MNE's Welch PSD (same windows as skemotion) and a trapezoid over each band."""
    n = int(sfreq)
    psd, freqs = mne.time_frequency.psd_array_welch(X, sfreq, n_fft=n, n_per_seg=n, n_overlap=n // 2,
                                                    window="hann", verbose=False)
    return np.stack([trapezoid(psd[..., (freqs >= lo) & (freqs <= hi)], freqs[(freqs >= lo) & (freqs <= hi)])
                     for lo, hi in SEED_BANDS.values()], axis=-1)


def run(args):
    eeg = make_eeg_emotion(n_subjects=10, n_trials=20, n_epochs_per_trial=args.n_epochs // 200,
                           random_state=args.random_state)
    X, sfreq = eeg.data, eeg.sfreq
    n_epochs, n_channels, n_times = X.shape
    print(f"{n_epochs} epochs x {n_channels} channels x {n_times} samples at {sfreq:g} Hz, 5 SEED bands; "
          f"best of {args.repeat}; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPU(s)\n")

    both = EEGBandFeatures(sfreq, feature="both")
    t_ours, features = best_time(lambda: both.fit_transform(X), args.repeat)
    features = features.reshape(n_epochs, n_channels, 10)
    our_de, our_power = features[..., :5], features[..., 5:]
    filtered = EEGBandFeatures(sfreq, method="filter")
    t_our_filter, _ = best_time(lambda: filtered.fit_transform(X), 1)
    t_filter, ref_de = best_time(lambda: mne_filter_de(X, sfreq), args.repeat)
    t_welch, ref_power = best_time(lambda: mne_welch_power(X, sfreq), args.repeat)

    rows = [
        ("DE + PSD", "skemotion EEGBandFeatures(feature='both')", t_ours, t_filter + t_welch),
        ("DE", "MNE filter_data + variance (reference)", t_filter, None),
        ("PSD", "MNE psd_array_welch + trapezoid (reference)", t_welch, None),
        ("DE + PSD", "MNE references together", t_filter + t_welch, None),
        ("DE", "skemotion EEGBandFeatures(method='filter')", t_our_filter, t_filter),
    ]
    print(f"| {'features':<9}| {'implementation':<44}| time s | speed-up vs MNE |")
    print(f"|{'-' * 10}|{'-' * 45}|--------|-----------------|")
    for what, name, seconds, reference in rows:
        ratio = f"{reference / seconds:14.1f}x" if reference else " " * 15
        print(f"| {what:<9}| {name:<44}| {seconds:6.2f} | {ratio} |")

    subset = slice(0, min(200, n_epochs))
    sharp_de = mne_sharp_filter_de(X[subset], sfreq)
    print("\nCorrelation of skemotion's Welch DE with the filter-based DE over epochs x channels, and the largest")
    print("relative difference of its band power from MNE's psd_array_welch (same estimator):\n")
    print("| band  | corr, MNE filter (default transitions) | corr, MNE filter 1-Hz transitions* | PSD rel. diff |")
    print("|-------|----------------------------------------|------------------------------------|---------------|")
    correlations = {}
    for b, band in enumerate(SEED_BANDS):
        correlations[band] = np.corrcoef(our_de[..., b].ravel(), ref_de[..., b].ravel())[0, 1]
        sharp = np.corrcoef(our_de[subset, :, b].ravel(), sharp_de[..., b].ravel())[0, 1]
        rel = np.abs(our_power[..., b] - ref_power[..., b]).max() / np.abs(ref_power[..., b]).max()
        print(f"| {band:<6}| {correlations[band]:38.4f} | {sharp:34.4f} | {rel:13.1e} |")
    print(f"* on the first {subset.stop} epochs. MNE's default transition bands (e.g. 10.5-14 Hz below beta) let "
          "neighbouring bands\n  into the filter-based DE; with 1-Hz transitions the two DEs agree more closely.")

    fast = t_ours <= TIME_TARGET_S
    close = all(correlations[b] >= CORRELATION_TARGET for b in ("alpha", "beta", "gamma"))
    print(f"\nskemotion DE + PSD in {t_ours:.2f} s (target <= {TIME_TARGET_S} s): {'met' if fast else 'MISSED'}; "
          f"DE correlation in alpha/beta/gamma >= {CORRELATION_TARGET}: {'met' if close else 'MISSED'}.")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n-epochs", type=int, default=1000, help="a multiple of 200")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--random-state", type=int, default=0)
    run(parser.parse_args())


if __name__ == "__main__":
    main()
