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

``--threads 1`` runs skemotion's kernels (torch and BLAS) on one thread, like the reference loops.

    python benchmarks/bench_wasserstein.py
    python benchmarks/bench_wasserstein.py --sizes 200 1000 --n-samples 2000 --loop-pairs 3000 --ragged
    python benchmarks/bench_wasserstein.py --threads 1
"""

import argparse
import os
import time

import numpy as np
import ot
import torch
from scipy.stats import wasserstein_distance
from threadpoolctl import threadpool_limits

from skemotion.signatures import pairwise_wasserstein


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
    row = {
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


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[200, 1000], help="numbers of distributions N")
    parser.add_argument("--n-samples", type=int, default=2000, help="samples per distribution")
    parser.add_argument("--p", type=float, nargs="+", default=[1, 2])
    parser.add_argument("--loop-pairs", type=int, default=2000, help="pairs timed in the reference loops")
    parser.add_argument("--repeats", type=int, default=3, help="runs of pairwise_wasserstein (best is kept)")
    parser.add_argument("--ragged", action="store_true", help="add unequal sizes at the smallest N")
    parser.add_argument("--threads", type=int, default=None, help="threads of torch and BLAS (default: theirs)")
    parser.add_argument("--random-state", type=int, default=0)
    args = parser.parse_args(argv)
    rng = np.random.default_rng(args.random_state)
    if args.threads is not None:
        torch.set_num_threads(args.threads)
        threadpool_limits(args.threads)

    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"{args.n_samples} samples per distribution; torch threads: {torch.get_num_threads()}, "
          f"CPUs: {os.cpu_count()}, load average at start: {load:.1f}. Loop times measured on {args.loop_pairs} "
          "random pairs and extrapolated to all N(N-1)/2 pairs.\n")
    print("| case          | p | skemotion s | POT loop s (extrap.) | x POT  | scipy loop s (extrap.) | x scipy "
          "| max abs diff POT | max abs diff scipy |")
    print("|---------------|---|-------------|----------------------|--------|------------------------|---------"
          "|------------------|--------------------|")
    cases = [(n, p, False) for n in args.sizes for p in args.p]
    if args.ragged:
        cases += [(min(args.sizes), p, True) for p in args.p]
    for n, p, ragged in cases:
        row = run_case(n, args, p, ragged, rng)
        print(f"| {row['case']:<13} | {p:g} | {row['ours']:11.3f} | {row['pot']:20.1f} | "
              f"{row['pot'] / row['ours']:6.0f} |" + _scipy_columns(row)
              + f" {row['pot_diff']:16.1e} | {_format(row['scipy_diff'], '18.1e')} |")


def _scipy_columns(row):
    if np.isnan(row["scipy"]):
        return f" {'n/a (W_1 only)':>22} | {'n/a':>7} |"
    return f" {row['scipy']:22.1f} | {row['scipy'] / row['ours']:7.0f} |"


def _format(value, spec):
    return f"{'n/a':>{spec.split('.')[0]}}" if np.isnan(value) else format(value, spec)


if __name__ == "__main__":
    main()
