"""Sums ``sum_k |A[i, k] - B[j, k]|^p`` for every pair of rows: the arithmetic core of the exact W_p.

A compiled (numba), multi-threaded, cache-tiled kernel: work is split into tiles of ``_TILE`` x ``_TILE``
row pairs (two tiles of rows stay in the L2 cache while every pair of them is summed), and each row of A
is compared with four rows of B at once, so that one load of ``A[i, k]`` serves four differences. The
sums accumulate in float64 whatever the input's dtype. ``torch.cdist`` does the same on other devices.
"""

import numpy as np
from numba import njit, prange

_TILE = 16


@njit(fastmath=True, inline="always")
def _term(d, p):
    if p == 1.0:
        return abs(d)
    if p == 2.0:
        return d * d
    return abs(d) ** p


@njit(fastmath=True)
def _row_against_four(a, b0, b1, b2, b3, p):
    s0 = s1 = s2 = s3 = 0.0
    for k in range(a.shape[0]):
        x = a[k]
        s0 += _term(x - b0[k], p)
        s1 += _term(x - b1[k], p)
        s2 += _term(x - b2[k], p)
        s3 += _term(x - b3[k], p)
    return s0, s1, s2, s3


@njit(fastmath=True)
def _row_against_one(a, b, p):
    s = 0.0
    for k in range(a.shape[0]):
        s += _term(a[k] - b[k], p)
    return s


@njit(parallel=True, fastmath=True, cache=True)
def _power_sums(A, B, p, upper):
    n_a, n_b = A.shape[0], B.shape[0]
    out = np.zeros((n_a, n_b))
    tiles_a, tiles_b = (n_a + _TILE - 1) // _TILE, (n_b + _TILE - 1) // _TILE
    for tile in prange(tiles_a * tiles_b):  # one flat loop balances the triangle over the threads
        ta, tb = tile // tiles_b, tile % tiles_b
        if upper and tb < ta:
            continue
        j_end = min(n_b, (tb + 1) * _TILE)
        for i in range(ta * _TILE, min(n_a, (ta + 1) * _TILE)):
            a = A[i]
            j = max(tb * _TILE, i + 1) if upper else tb * _TILE
            while j + 4 <= j_end:
                out[i, j], out[i, j + 1], out[i, j + 2], out[i, j + 3] = _row_against_four(
                    a, B[j], B[j + 1], B[j + 2], B[j + 3], p)
                j += 4
            while j < j_end:
                out[i, j] = _row_against_one(a, B[j], p)
                j += 1
    return out


def power_sums(A, B, p, upper=False):
    """``out[i, j] = sum_k |A[i, k] - B[j, k]|^p`` (float64); with ``upper``, only ``j > i`` (rest 0).

    Examples
    --------
    >>> import numpy as np
    >>> A = np.array([[0.0, 1.0], [2.0, 4.0]])
    >>> power_sums(A, A, 1.0)
    array([[0., 5.],
           [5., 0.]])
    >>> power_sums(A, A, 2.0, upper=True)
    array([[ 0., 13.],
           [ 0.,  0.]])
    """
    return _power_sums(np.ascontiguousarray(A), np.ascontiguousarray(B), float(p), bool(upper))
