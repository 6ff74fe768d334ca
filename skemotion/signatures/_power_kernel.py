"""Sums ``sum_k |A[i, k] - B[j, k]|^p`` for every pair of rows: the arithmetic core of the exact W_p.

A compiled (numba), multi-threaded, cache-tiled kernel: work is split into tiles of ``_TILE`` x ``_TILE``
row pairs (two tiles of rows stay in the L2 cache while every pair of them is summed), and inside a tile
two rows of A are compared with four rows of B at once (a 2 x 4 register block: six loads serve eight
differences, and the eight running sums fit in the vector registers of AVX2). The sums accumulate in
float64 whatever the input's dtype. ``torch.cdist`` does the same on other devices.
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
def _two_against_four(a0, a1, b0, b1, b2, b3, p):
    s00 = s01 = s02 = s03 = s10 = s11 = s12 = s13 = 0.0
    for k in range(a0.shape[0]):
        x, y = a0[k], a1[k]
        c0, c1, c2, c3 = b0[k], b1[k], b2[k], b3[k]
        s00 += _term(x - c0, p)
        s01 += _term(x - c1, p)
        s02 += _term(x - c2, p)
        s03 += _term(x - c3, p)
        s10 += _term(y - c0, p)
        s11 += _term(y - c1, p)
        s12 += _term(y - c2, p)
        s13 += _term(y - c3, p)
    return s00, s01, s02, s03, s10, s11, s12, s13


@njit(fastmath=True)
def _row_against_one(a, b, p):
    s = 0.0
    for k in range(a.shape[0]):
        s += _term(a[k] - b[k], p)
    return s


@njit(fastmath=True)
def _tile(A, B, p, out, i0, i1, j0, j1):
    """All pairs of rows ``i0:i1`` of A and ``j0:j1`` of B: 2 x 4 blocks, then the remainders one by one."""
    i_even = i0 + (i1 - i0) // 2 * 2
    j_four = j0 + (j1 - j0) // 4 * 4
    for i in range(i0, i_even, 2):
        for j in range(j0, j_four, 4):
            (out[i, j], out[i, j + 1], out[i, j + 2], out[i, j + 3],
             out[i + 1, j], out[i + 1, j + 1], out[i + 1, j + 2], out[i + 1, j + 3]) = _two_against_four(
                A[i], A[i + 1], B[j], B[j + 1], B[j + 2], B[j + 3], p)
    for i in range(i0, i1):
        for j in range(j_four if i < i_even else j0, j1):
            out[i, j] = _row_against_one(A[i], B[j], p)


@njit(parallel=True, fastmath=True, cache=True)
def _power_sums(A, B, p, upper):
    n_a, n_b = A.shape[0], B.shape[0]
    out = np.zeros((n_a, n_b))
    tiles_a, tiles_b = (n_a + _TILE - 1) // _TILE, (n_b + _TILE - 1) // _TILE
    for tile in prange(tiles_a * tiles_b):  # one flat loop balances the triangle over the threads
        ta, tb = tile // tiles_b, tile % tiles_b
        if upper and tb < ta:
            continue
        i0, j0 = ta * _TILE, tb * _TILE
        i1, j1 = min(n_a, i0 + _TILE), min(n_b, j0 + _TILE)
        _tile(A, B, p, out, i0, i1, j0, j1)
        if upper and ta == tb:  # a diagonal tile is computed whole (blocks beat branches); keep j > i only
            for i in range(i0, i1):
                for j in range(j0, min(i + 1, j1)):
                    out[i, j] = 0.0
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
