"""GPU check: every torch estimator fits on ``device="cuda"``, agrees with the CPU, and how much faster it is.

Each net is fitted for a few epochs with the same seed on the CPU and on the GPU. The noise is drawn on the
CPU on both (see :class:`skemotion.nn.TorchNet`) and dropout is off, so the two fits differ only by
floating-point arithmetic: their outputs (class probabilities, or samples drawn with the same seed) must
agree within a tolerance. The table reports the fit times and their ratio (CPU / GPU).

Run ``python benchmarks/gpu_check.py``. Without a GPU it prints "no GPU: skipped" and exits 0.
"""

import sys
import time

import numpy as np
import torch

from skemotion.datasets import make_eeg_emotion, make_emotional_gait
from skemotion.eeg import EEGBandFeatures
from skemotion.motion import SkeletonNormalizer
from skemotion.nn import (
    BraindecodeClassifier,
    ConditionalConvGAN,
    ConditionalGAN,
    ConditionalVAE,
    DGCNNClassifier,
    EEGCNNClassifier,
    GaitCNNClassifier,
    MotionVAE,
    STGCNClassifier,
    ViewGroupGaitCNNClassifier,
)
from skemotion.samplers import EEGGANSampler, GANSampler, VAESampler

# Absolute tolerance on probabilities / standardised samples after a few epochs of float32 training.
TOLERANCE = 5e-2


def _data(rng):
    y = np.repeat([0, 1], 64)
    features = rng.normal(size=(128, 16)).astype(np.float32) + y[:, None]
    images = rng.normal(size=(128, 3, 16, 16)).astype(np.float32) + y[:, None, None, None]
    maps = rng.normal(size=(128, 8, 5)).astype(np.float32) + y[:, None, None]
    sequences = rng.normal(size=(128, 24, 6)).cumsum(axis=1).astype(np.float32)
    eeg = make_eeg_emotion(n_subjects=2, n_trials=6, n_epochs_per_trial=4, epoch_duration=1.0, random_state=0)
    gait = make_emotional_gait(24, random_state=0)
    gait.data = SkeletonNormalizer(align_yaw=True, n_frames=32).fit_transform(gait.data)
    return y, features, images, maps, sequences, eeg, gait


def cases():
    """(name, make(device), fit_and_output(estimator)) for every torch estimator and sampler."""
    y, features, images, maps, sequences, eeg, gait = _data(np.random.RandomState(0))
    draw = np.tile(np.unique(y), 16)
    de = EEGBandFeatures(sfreq=eeg.sfreq).fit_transform(eeg.data)

    def classify(X, target=y):
        return lambda est: est.fit(X, target).predict_proba(X)

    def generate(X, target, labels):
        def run(est):
            est.fit(X, target)
            out = est.sample(labels, random_state=0)
            return out / (np.std(out) + 1e-12)  # scale-free: EEG is in volts
        return run

    def resample(X, target):
        return lambda est: est.fit_resample(X[:len(X) * 3 // 4], target[:len(X) * 3 // 4])[0]

    eeg_labels = np.unique(eeg.target)[np.arange(16) % 3]
    imbalanced = (np.arange(128) % 4 == 0).astype(int)  # 1 in 4, so that any first 3/4 holds both classes
    return [
        ("GaitCNNClassifier", lambda d: GaitCNNClassifier(channels=(8, 16), dropout=0.0, max_epochs=5,
                                                          random_state=0, device=d), classify(images)),
        ("EEGCNNClassifier", lambda d: EEGCNNClassifier(module__dropout=0.0, max_epochs=5, random_state=0,
                                                        device=d), classify(maps)),
        ("ConditionalGAN", lambda d: ConditionalGAN(max_epochs=5, random_state=0, device=d),
         generate(features, y, draw)),
        ("ConditionalVAE", lambda d: ConditionalVAE(max_epochs=5, random_state=0, device=d),
         generate(sequences, y, draw)),
        ("ConditionalConvGAN", lambda d: ConditionalConvGAN(max_epochs=2, random_state=0, device=d),
         generate(eeg.data, eeg.target, eeg_labels)),
        ("VAESampler", lambda d: VAESampler(max_epochs=5, random_state=0, device=d), resample(features, imbalanced)),
        ("GANSampler", lambda d: GANSampler(max_epochs=5, random_state=0, device=d), resample(features, imbalanced)),
        ("EEGGANSampler", lambda d: EEGGANSampler(max_epochs=2, random_state=0, device=d),
         lambda est: est.fit_resample(eeg.data[:40], eeg.target[:40])[0] / np.std(eeg.data)),
        ("STGCNClassifier", lambda d: STGCNClassifier(layout="body16", dropout=0.0, max_epochs=3, random_state=0,
                                                      device=d), classify(gait.data, gait.target)),
        ("ViewGroupGaitCNN", lambda d: ViewGroupGaitCNNClassifier(dropout=0.0, max_epochs=2, random_state=0,
                                                                  device=d), classify(gait.data, gait.target)),
        ("MotionVAE", lambda d: MotionVAE(max_epochs=3, random_state=0, device=d),
         lambda est: est.fit(gait.data).transform(gait.data)),
        ("DGCNNClassifier", lambda d: DGCNNClassifier(ch_names=list(eeg.ch_names), dropout=0.0, max_epochs=5,
                                                      random_state=0, device=d), classify(de, eeg.target)),
    ] + ([] if BraindecodeClassifier._unavailable_reason else [
        ("BraindecodeClassifier", lambda d: BraindecodeClassifier(
            "ShallowFBCSPNet", module_params={"drop_prob": 0.0}, crop_size=100, max_epochs=3, random_state=0,
            device=d), classify(eeg.data, eeg.target)),
    ])



def main():
    if not torch.cuda.is_available():
        print(f"no GPU: skipped (torch {torch.__version__} sees no CUDA device)")
        return 0
    print(f"GPU: {torch.cuda.get_device_name(0)}, torch {torch.__version__}")
    print(f"{'estimator':<20} {'cpu s':>8} {'cuda s':>8} {'speed-up':>9} {'max |diff|':>11}  ok")
    failures = 0
    for name, make, run in cases():
        timings, outputs = {}, {}
        for device in ("cpu", "cuda"):
            start = time.perf_counter()
            outputs[device] = np.asarray(run(make(device)), dtype=np.float64)
            if device == "cuda":
                torch.cuda.synchronize()
            timings[device] = time.perf_counter() - start
        diff = float(np.nanmax(np.abs(outputs["cpu"] - outputs["cuda"])))
        ok = outputs["cpu"].shape == outputs["cuda"].shape and diff <= TOLERANCE
        failures += not ok
        print(f"{name:<20} {timings['cpu']:8.2f} {timings['cuda']:8.2f} {timings['cpu'] / timings['cuda']:8.2f}x "
              f"{diff:11.2e}  {'yes' if ok else 'NO'}")
    print(f"{failures} estimator(s) differ between CPU and CUDA beyond {TOLERANCE}" if failures else
          "all estimators agree between CPU and CUDA")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
