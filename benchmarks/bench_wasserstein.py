"""Pairwise exact 1-D Wasserstein distance matrices: skemotion against pair-by-pair loops of POT and scipy.

For N distributions of n samples each, ``skemotion.signatures.pairwise_wasserstein`` computes the whole
symmetric matrix (its N (N - 1) / 2 distinct pairs). The reference is what a user would otherwise write:
a Python loop over the same pairs calling ``ot.wasserstein_1d`` (POT; returns W_p^p, so the p-th root
is taken) or ``scipy.stats.wasserstein_distance`` (p = 1 only). The loops are timed on a random subset
of pairs and their time per pair is extrapolated to all N (N - 1) / 2 pairs; the maximum absolute
difference is taken over that subset. Everything runs in the same process, on the same data.

Distributions are speed-like: Gamma samples with a random shape (1 to 5) and scale (0.5 to 2) per
distribution. ``--ragged`` adds a case of unequal sizes (uniform between n/2 and 3n/2), which takes the
pair-by-pair merge path instead of the shared-grid kernel.

``--threads 1`` runs skemotion's kernels (numba, torch and BLAS) on one thread, like the reference loops.

Also measured: ``dtype="float32"`` (time and largest difference from float64), and the arithmetic limit
of this machine for the same work: the same kernel on 64 rows that stay in the L2 cache, repeated until it
has done the N (N - 1) / 2 x n differences of the case (so memory traffic and copies are excluded).
``--big 10000`` times N = 10,000 in a child process, under ``sklearn.config_context(working_memory=256)``,
and reports its peak resident memory beside the size of the result (N^2 float64 values).

    python benchmarks/bench_wasserstein.py --sizes 1000 --big 10000
    python benchmarks/bench_wasserstein.py --sizes 200 1000 --n-samples 2000 --loop-pairs 3000 --ragged
    python benchmarks/bench_wasserstein.py --threads 1
"""

import argparse
import os
import resource
import subprocess
import sys
import time

import numba
import numpy as np
import ot
import torch
from scipy.stats import wasserstein_distance
from sklearn import config_context
from threadpoolctl import threadpool_limits

from skemotion.signatures import pairwise_wasserstein
from skemotion.signatures._power_kernel import _two_against_four


def distributions(n_distributions, n_samples, rng, ragged=False):
    shape = rng.uniform(1.0, 5.0, n_distributions)
    scale = rng.uniform(0.5, 2.0, n_distributions)
    if not ragged:
        return rng.gamma(shape[:, None], scale[:, None], size=(n_distributions, n_samples))
    sizes = rng.integers(n_samples // 2, 3 * n_samples // 2 + 1, n_distributions)
    return [rng.gamma(k, s, size=m) for k, s, m in zip(shape, scale, sizes)]


def best_time(function, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return min(times), result


def loop_time(distance, U, pairs):
    """Seconds per pair of a Python loop over ``pairs``, and the distances it returns."""
    start = time.perf_counter()
    values = np.array([distance(U[i], U[j]) for i, j in pairs])
    return (time.perf_counter() - start) / len(pairs), values


def random_pairs(n, n_pairs, rng):
    i, j = np.triu_indices(n, k=1)
    pick = rng.choice(len(i), size=min(n_pairs, len(i)), replace=False)
    return list(zip(i[pick], j[pick]))


def run_case(n, args, p, ragged, rng):
    U = distributions(n, args.n_samples, rng, ragged)
    n_pairs = n * (n - 1) // 2
    ours, D = best_time(lambda: pairwise_wasserstein(U, p=p), args.repeats)
    pairs = random_pairs(n, args.loop_pairs, rng)
    per_pair_pot, pot = loop_time(lambda u, v: ot.wasserstein_1d(u, v, p=p) ** (1 / p), U, pairs)
    ours_on_pairs = np.array([D[i, j] for i, j in pairs])
    single, D32 = best_time(lambda: pairwise_wasserstein(U, p=p, dtype="float32"), args.repeats)
    row = {
        "float32": single,
        "float32_diff": np.abs(D32 - D).max(),
        "limit": np.nan if ragged else arithmetic_limit(n, args.n_samples, p, rng),
        "case": f"{'ragged' if ragged else 'equal'} N={n}",
        "p": p,
        "ours": ours,
        "pot": per_pair_pot * n_pairs,
        "pot_diff": np.abs(ours_on_pairs - pot).max(),
        "scipy": np.nan,
        "scipy_diff": np.nan,
    }
    if p == 1:
        per_pair_scipy, scipy_values = loop_time(wasserstein_distance, U, pairs)
        row["scipy"] = per_pair_scipy * n_pairs
        row["scipy_diff"] = np.abs(ours_on_pairs - scipy_values).max()
    return row


@numba.njit(fastmath=True)
def _in_cache_sums(A, repeats, p):
    """The kernel's inner block (two rows against four) on rows that stay in the L1/L2 cache, one thread."""
    total = 0.0
    for _ in range(repeats):
        for i in range(0, A.shape[0], 2):
            sums = _two_against_four(A[i], A[i + 1], A[0], A[1], A[2], A[3], p)
            for s in sums:
                total += s
    return total


def arithmetic_limit(n, n_samples, p, rng, n_rows=8):
    """Seconds for N (N - 1) / 2 x n differences at the in-cache rate of one thread, times the threads.

    One thread, no parallel region: on a loaded machine a barrier waits for descheduled threads, and that
    is not arithmetic. The limit assumes perfect scaling over ``numba.get_num_threads()`` threads.
    """
    A = np.sort(rng.gamma(2.0, size=(n_rows, n_samples)), axis=1)
    _in_cache_sums(A, 1, float(p))  # compiled
    repeats = max(1, round(n * (n - 1) / 2 / (4 * n_rows)))  # 4 n_rows differences of rows per repeat
    start = time.perf_counter()
    _in_cache_sums(A, repeats, float(p))
    return (time.perf_counter() - start) / numba.get_num_threads()


def big_case(n, n_samples, p):
    """Child process: time N = n under working_memory=256 MiB; print seconds and peak RSS in MiB."""
    U = distributions(n, n_samples, np.random.default_rng(0))
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    with config_context(working_memory=256):
        pairwise_wasserstein(U[:50], p=p)  # compile outside the timing
        start = time.perf_counter()
        pairwise_wasserstein(U, p=p)
        elapsed = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{elapsed} {before} {peak}")


def report_big(n, args):
    print(f"\nN = {n} distributions x {args.n_samples} samples, working_memory=256 MiB, child process:\n")
    print("| p | skemotion s | peak RSS MiB | RSS before MiB | input MiB | result MiB |")
    print("|---|-------------|--------------|----------------|-----------|------------|")
    for p in args.p:
        out = subprocess.run([sys.executable, __file__, "--child", str(n), str(p), str(args.n_samples)],
                             check=True, capture_output=True, text=True).stdout.split()
        elapsed, before, peak = map(float, out[-3:])
        print(f"| {p:g} | {elapsed:11.2f} | {peak:12.0f} | {before:14.0f} | {n * args.n_samples * 8 / 2**20:9.0f} | "
              f"{n * n * 8 / 2**20:10.0f} |")


def main(argv=None):
    if argv is None and len(sys.argv) > 1 and sys.argv[1] == "--child":
        return big_case(int(sys.argv[2]), int(sys.argv[4]), float(sys.argv[3]))
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[200, 1000], help="numbers of distributions N")
    parser.add_argument("--n-samples", type=int, default=2000, help="samples per distribution")
    parser.add_argument("--p", type=float, nargs="+", default=[1, 2])
    parser.add_argument("--loop-pairs", type=int, default=2000, help="pairs timed in the reference loops")
    parser.add_argument("--repeats", type=int, default=3, help="runs of pairwise_wasserstein (best is kept)")
    parser.add_argument("--ragged", action="store_true", help="add unequal sizes at the smallest N")
    parser.add_argument("--threads", type=int, default=None, help="threads of torch and BLAS (default: theirs)")
    parser.add_argument("--random-state", type=int, default=0)
    parser.add_argument("--big", type=int, default=None, help="also time this N in a child process")
    args = parser.parse_args(argv)
    rng = np.random.default_rng(args.random_state)
    if args.threads is not None:
        torch.set_num_threads(args.threads)
        threadpool_limits(args.threads)
        numba.set_num_threads(args.threads)

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"{args.n_samples} samples per distribution; torch threads: {torch.get_num_threads()}, "
          f"CPUs: {os.cpu_count()}, load average at start: {load:.1f}. Loop times measured on {args.loop_pairs} "
          "random pairs and extrapolated to all N(N-1)/2 pairs.\n")
    print("| case          | p | skemotion s | POT loop s (extrap.) | x POT  | scipy loop s (extrap.) | x scipy "
          "| max abs diff POT | max abs diff scipy | float32 s | x POT (f32) | f32 - f64 max | limit s | s / limit |")
    print("|---------------|---|-------------|----------------------|--------|------------------------|---------"
          "|------------------|--------------------|-----------|-------------|---------------|---------|-----------|")
    cases = [(n, p, False) for n in args.sizes for p in args.p]
    if args.ragged:
        cases += [(min(args.sizes), p, True) for p in args.p]
    for n, p, ragged in cases:
        row = run_case(n, args, p, ragged, rng)
        print(f"| {row['case']:<13} | {p:g} | {row['ours']:11.3f} | {row['pot']:20.1f} | "
              f"{row['pot'] / row['ours']:6.0f} |" + _scipy_columns(row)
              + f" {row['pot_diff']:16.1e} | {_format(row['scipy_diff'], '18.1e')} | {row['float32']:9.3f} | "
              f"{row['pot'] / row['float32']:11.0f} | {row['float32_diff']:13.1e} | {_format(row['limit'], '7.3f')} | "
              f"{_format(row['ours'] / row['limit'], '9.1f')} |")
    if args.big:
        report_big(args.big, args)


def _scipy_columns(row):
    if np.isnan(row["scipy"]):
        return f" {'n/a (W_1 only)':>22} | {'n/a':>7} |"
    return f" {row['scipy']:22.1f} | {row['scipy'] / row['ours']:7.0f} |"


def _format(value, spec):
    return f"{'n/a':>{spec.split('.')[0]}}" if np.isnan(value) else format(value, spec)


if __name__ == "__main__":
    main()
