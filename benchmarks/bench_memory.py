"""Peak memory of SkeletonNormalizer and the feature transformers, as a multiple of their input.

Run: ``python benchmarks/bench_memory.py [--n-sequences 5000]``. Sequences are random walks of 60-80 frames
of the 16 body16 joints, carrying a 30 fps rate; the peak of the memory allocated during ``fit_transform``
(tracemalloc) is divided by the size of the input (the arrays of the list). Issue target: <= 3x.
"""

import argparse
import tracemalloc

import numpy as np

from skemotion.motion import JointDistances, KinematicFeatures, SkeletonNormalizer
from skemotion.skeleton import with_metadata


def sequences(n, seed=0):
    rng = np.random.default_rng(seed)
    lengths = rng.integers(60, 81, n)
    return with_metadata([np.cumsum(rng.normal(size=(t, 16, 3)), axis=0) for t in lengths], layout="body16",
                         frame_rate=30.0, y_up=True, units="m")


def peak_ratio(estimator, X):
    size = sum(x.nbytes for x in X)
    tracemalloc.start()
    estimator.fit_transform(X)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return size, peak / size


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n-sequences", type=int, default=5000)
    args = parser.parse_args()
    X = sequences(args.n_sequences)
    print("| transformer | input (MB) | peak / input |\n|---|---|---|")
    for name, estimator in [("SkeletonNormalizer(align_yaw=True)", SkeletonNormalizer(align_yaw=True)),
                            ("SkeletonNormalizer(n_frames=32)", SkeletonNormalizer(n_frames=32)),
                            ("KinematicFeatures()", KinematicFeatures()),
                            ("JointDistances()", JointDistances())]:
        size, ratio = peak_ratio(estimator, X)
        print(f"| {name} | {size / 1e6:.0f} | {ratio:.2f} |")


if __name__ == "__main__":
    main()
