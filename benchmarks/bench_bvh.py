"""Speed of BVH reading: skemotion's ``read_bvh`` (parsing and forward kinematics) against NumPy's parsing alone.

For each Bandai-Namco-1 clip of the sample, in the same run: ``np.loadtxt`` of the MOTION block's numbers (the
reference: reading the numbers is the least any reader does) and ``skemotion.io.read_bvh`` (header, numbers and
forward kinematics of every joint). The table gives the best of ``--repeat`` times per clip, summed, and the
ratio to the reference. (This replaces a timed unit test: speed is measured here, not asserted in tests.)

    python benchmarks/bench_bvh.py --bandai ../shared/data/bandai-namco-1
"""

import argparse
import time
from pathlib import Path

import numpy as np

from skemotion.io import read_bvh


def _best(func, arg, repeat):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        func(arg)
        times.append(time.perf_counter() - start)
    return min(times)


def _numbers_only(path):
    lines = Path(path).read_text().splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == "MOTION") + 3
    return np.loadtxt(lines[start:], ndmin=2)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bandai", default="../shared/data/bandai-namco-1")
    parser.add_argument("--n-files", type=int, default=20, help="clips timed (every k-th of the sorted list)")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    files = sorted(Path(args.bandai, "data").glob("*.bvh"))
    if not files:
        raise SystemExit(f"No .bvh file in {Path(args.bandai, 'data')}")
    sample = files[:: max(1, len(files) // args.n_files)][: args.n_files]
    reference = sum(_best(_numbers_only, path, args.repeat) for path in sample)
    ours = sum(_best(read_bvh, path, args.repeat) for path in sample)
    frames = sum(read_bvh(path).n_frames for path in sample)
    print(f"{len(sample)} clips, {frames} frames, best of {args.repeat}\n")
    print("| reader | seconds | ms per clip | ratio to reference |")
    print("|---|---|---|---|")
    print(f"| np.loadtxt of the numbers (reference) | {reference:.3f} | {1e3 * reference / len(sample):.1f} | 1.00 |")
    print(f"| skemotion.io.read_bvh (with FK) | {ours:.3f} | {1e3 * ours / len(sample):.1f} | "
          f"{ours / reference:.2f} |")


if __name__ == "__main__":
    main()
