"""Exact Wasserstein distances between 1-D empirical distributions, for every pair at once.

The W_p distance between two distributions on the real line is the L_p distance between their quantile
functions, ``W_p(u, v) = (integral_0^1 |Q_u(t) - Q_v(t)|^p dt)^(1/p)``. For empirical distributions the
quantile functions are step functions: ``Q_u`` of ``n`` sorted samples ``a`` jumps at the cumulative weights
``i / n``. On the merged grid of the jumps of ``u`` and ``v`` both are constant on every interval, so W_p^p
is a finite weighted sum, ``sum_k w_k |a[i_k] - b[j_k]|^p``, and nothing is approximated.

Distributions of equal sizes share one grid: their quantile functions become rows of a matrix and W_p a
(weighted) Minkowski distance between rows, computed for all pairs by one compiled, multi-threaded kernel
(``_power_kernel``; ``torch.cdist`` on a torch device) in memory-bounded blocks. The same
holds for every pair of sizes ``(n, m)`` shared by many pairs. Pairs of scattered sizes are merged pair by
pair in closed form, vectorised over pairs with numpy.
"""

from numbers import Integral, Real

import numpy as np
import torch
from sklearn import get_config
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions, validate_params

from ._power_kernel import power_sums

# Blocks of distributions of two sizes with fewer pairs than this are merged pair by pair instead.
_MIN_BLOCK_PAIRS = 32
# Values per working array when merging pair by pair: chunks that stay in the CPU cache.
_PAIR_CHUNK_VALUES = 2**16
_BYTES = 8


@validate_params(
    {
        "U": ["array-like"],
        "V": ["array-like", None],
        "p": [Interval(Real, 1, None, closed="left")],
        "dtype": [StrOptions({"float64", "float32"})],
        "device": [str, torch.device, None],
    },
    prefer_skip_nested_validation=True,
)
def pairwise_wasserstein(U, V=None, p=1, *, dtype="float64", device=None):
    """Exact W_p distance between every pair of 1-D empirical distributions.

    Each distribution is a set of samples with equal weights, so a vector of quantiles (for example
    the output of :class:`VelocityGradientSignature`) is the distribution of those quantiles. The result
    is W_p itself, not W_p to the power p (POT's ``ot.wasserstein_1d`` returns W_p^p).

    Parameters
    ----------
    U : array-like of shape (n_u, n_values) or list of 1-D array-likes
        Samples of each distribution; a list may hold arrays of any lengths. NaN entries are missing
        values (the padding of a NaN-padded array) and are ignored; infinite values are an error.
    V : same as U, or None, default=None
        Second set; ``None`` computes the symmetric matrix of ``U`` against itself (only one triangle
        is computed).
    p : float >= 1, default=1
        Order of the distance.
    dtype : {"float64", "float32"}, default="float64"
        Precision of the quantile values in the all-pairs kernel (sums accumulate in float64 either way).
        ``"float32"`` rounds every sample to float32 first (a relative ``6e-8`` each), so by the triangle
        inequality ``|W_p(float32) - W_p| <= 1.2e-7 * max|sample|``, for up to twice the speed. Pairs of
        scattered sizes, merged pair by pair, are always float64.
    device : str, torch.device or None, default=None
        ``None``: the compiled, multi-threaded CPU kernel (numba; ``NUMBA_NUM_THREADS`` /
        :func:`numba.set_num_threads`). A torch device (``"cuda"``, ``"cuda:1"``, ``"cpu"``):
        ``torch.cdist`` on it, chunk by chunk, for users with a GPU.

    Returns
    -------
    distances : ndarray of shape (n_u, n_v)
        ``distances[i, j] = W_p(U[i], V[j])``.

    Notes
    -----
    Memory beyond the result is bounded by scikit-learn's ``working_memory`` setting
    (:func:`sklearn.set_config`): the samples are sorted once (numpy's vectorised sort), then square chunks
    of pairs are computed. With equal sizes the sorted samples are used in place. Every sum is of the
    differences themselves (no ``|a|^2 + |b|^2 - 2 a.b`` shortcut for ``p = 2``), so no digit is lost to
    cancellation.

    Examples
    --------
    >>> import numpy as np
    >>> from scipy.stats import wasserstein_distance
    >>> from skemotion.signatures import pairwise_wasserstein
    >>> U = [np.array([0.0, 1.0, 3.0]), np.array([2.0, 5.0])]
    >>> pairwise_wasserstein(U).round(4)
    array([[0.    , 2.1667],
           [2.1667, 0.    ]])
    >>> round(float(wasserstein_distance(U[0], U[1])), 4)
    2.1667
    """
    dtype, device = np.dtype(dtype).type, _check_device(device)
    values_u, counts_u = sorted_distributions(U, "U")
    values_v, counts_v = (None, None) if V is None else sorted_distributions(V, "V")
    scale = _power_scale(values_u, values_v, p, dtype)
    if scale != 1.0:
        values_u = values_u / scale
        values_v = None if V is None else values_v / scale
    distances = _pairwise(values_u, counts_u, values_v, counts_v, p, dtype, device)
    _recompute_underflowed(distances, values_u, values_v, p, dtype)
    if scale != 1.0:
        distances *= scale  # in place: the matrix may be the largest array of the run
    return distances


# Headroom, in powers of two, that the terms |d|^p and their sums keep below the float range of each dtype.
_POWER_HEADROOM = {np.float64: 900, np.float32: 100}


def _power_scale(values_u, values_v, p, dtype):
    """A power of two that brings the largest |difference| near 1 when ``|d|^p`` would leave the float range.

    W_p is homogeneous (``W_p(sU, sV) = s W_p(U, V)``) and dividing by a power of two is exact, so the
    result is unchanged where no scaling was needed and finite where ``|d|^p`` would overflow (coordinates
    near 1e160, or p in the hundreds).
    """
    largest = np.nanmax(np.abs(values_u))
    if values_v is not None:
        largest = max(largest, np.nanmax(np.abs(values_v)))
    if largest == 0:
        return 1.0
    exponent = np.log2(2 * largest)  # |a - b| <= 2 * largest
    if p * abs(exponent) + np.log2(values_u.shape[1]) < _POWER_HEADROOM[dtype]:
        return 1.0
    return float(2.0 ** np.ceil(exponent))


def _recompute_underflowed(distances, values_u, values_v, p, dtype):
    """Recompute, pair by pair, the distances that ``|d|^p`` underflowed (in place).

    After :func:`_power_scale` nothing overflows, but the powers of differences far below the largest one
    fall under the smallest float (``p = 2`` and values around 1e-160, or ``p`` in the hundreds), and W_p
    would read 0 or lose its digits. Exactly those pairs (a distance below ``tiny ** (1 / p)``) are
    recomputed on their merged grid divided by their own largest difference, which is stable for any p.
    """
    if p == 1:  # |d| itself cannot underflow: a zero W_1 means equal distributions
        return
    floor = np.finfo(dtype).tiny ** (1.0 / p)
    symmetric = values_v is None
    values_v = values_u if symmetric else values_v
    for i, j in zip(*np.nonzero(distances < floor)):
        if symmetric and i == j:
            continue
        distances[i, j] = _stable_pair(values_u[i][~np.isnan(values_u[i])], values_v[j][~np.isnan(values_v[j])], p)


def _stable_pair(u, v, p):
    """W_p of two sorted samples as ``m * (sum_k w_k (|d_k| / m)^p)^(1/p)``, ``m`` the largest ``|d_k|``."""
    widths, index_u, index_v = _merged_grid(len(u), len(v))
    gaps = np.abs(u[index_u] - v[index_v])
    largest = gaps.max()
    if largest == 0:
        return 0.0
    return float(largest * np.sum(widths * (gaps / largest) ** p) ** (1.0 / p))


def _check_device(device):
    """``None`` (the compiled CPU kernel) or a usable torch device; a clear error for an absent GPU."""
    if device is None:
        return None
    device = torch.device(device)
    if device.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(f"device={str(device)!r} was requested but torch sees no CUDA GPU "
                         f"(torch {torch.__version__}); use device=None for the CPU kernel.")
    return device


def sorted_distributions(U, name="U"):
    """Sort each distribution's samples into a NaN-padded matrix.

    Returns
    -------
    values : ndarray of shape (n, max_count)
        Finite samples of each row in increasing order, then NaN.
    counts : ndarray of shape (n,)
        Number of finite samples of each row.
    """
    if isinstance(U, np.ndarray) and U.ndim == 2:
        values = np.array(U, dtype=np.float64)
    else:
        rows = [np.asarray(u, dtype=np.float64) for u in U]
        if not rows:
            raise ValueError(f"{name} holds no distribution.")
        bad = [i for i, u in enumerate(rows) if u.ndim != 1]
        if bad:
            raise ValueError(f"{name}[{bad[0]}] has shape {rows[bad[0]].shape}; each distribution must be 1-D.")
        values = np.full((len(rows), max(len(u) for u in rows)), np.nan)
        for i, u in enumerate(rows):
            values[i, : len(u)] = u
    if values.ndim != 2 or values.shape[0] == 0:
        raise ValueError(f"{name} must be a 2-D array or a non-empty list of 1-D arrays, got shape {values.shape}.")
    if np.isinf(values).any():
        raise ValueError(f"{name} contains infinite values; the Wasserstein distance is undefined for them.")
    values.sort(axis=1)  # NaN last
    counts = np.count_nonzero(~np.isnan(values), axis=1)
    empty = np.flatnonzero(counts == 0)
    if empty.size:
        raise ValueError(f"Distribution {empty[0]} of {name} has no finite sample.")
    return values[:, : counts.max()], counts


def _pairwise(values_u, counts_u, values_v, counts_v, p, dtype=np.float64, device=None):
    symmetric = values_v is None
    if symmetric:
        values_v, counts_v = values_u, counts_u
    sizes_u, group_u = np.unique(counts_u, return_inverse=True)
    sizes_v, group_v = np.unique(counts_v, return_inverse=True)
    large = np.outer(np.bincount(group_u), np.bincount(group_v)) >= _MIN_BLOCK_PAIRS
    if symmetric:
        large &= np.triu(np.ones_like(large))

    if len(sizes_u) == len(sizes_v) == 1 and large.all():  # one size everywhere: no copy in or out
        grid = _merged_grid(sizes_u[0], sizes_v[0])
        return _shared_grid_block(values_u, values_v, grid, p, symmetric, dtype, device)
    distances = np.zeros((len(counts_u), len(counts_v)))
    for gu, gv in zip(*np.nonzero(large)):
        rows, cols = np.flatnonzero(group_u == gu), np.flatnonzero(group_v == gv)
        grid = _merged_grid(sizes_u[gu], sizes_v[gv])
        block = _shared_grid_block(values_u[rows], values_v[cols], grid, p, symmetric and gu == gv, dtype, device)
        distances[np.ix_(rows, cols)] = block
        if symmetric:
            distances[np.ix_(cols, rows)] = block.T

    pair_is_small = ~large[group_u[:, np.newaxis], group_v[np.newaxis, :]]
    if symmetric:
        pair_is_small &= ~large.T[group_u[:, np.newaxis], group_v[np.newaxis, :]]
        pair_is_small &= np.triu(np.ones_like(pair_is_small), k=1)
    I, J = np.nonzero(pair_is_small)
    if I.size:
        distances[I, J] = _merged_pairs(values_u, counts_u, values_v, counts_v, I, J, p)
        if symmetric:
            distances[J, I] = distances[I, J]
    return distances


def _merged_grid(n, m):
    """Merged jumps of the quantile functions of ``n`` and ``m`` samples.

    The cumulative weights ``i / n`` and ``j / m`` are the integers ``i * m`` and ``j * n`` over the common
    denominator ``n * m``, so the merge is exact. Returns the width of each interval of the merged grid and
    the index of the sample of each distribution that its quantile function takes on that interval.
    """
    n, m = int(n), int(m)
    ends = np.union1d(np.arange(1, n + 1) * m, np.arange(1, m + 1) * n)
    widths = np.diff(ends, prepend=0) / (n * m)
    # On (t_{k-1}, t_k] the quantile function of n samples takes sample ceil(t_k * n) - 1.
    return widths, (ends - 1) // m, (ends - 1) // n


def _shared_grid_block(values_u, values_v, grid, p, symmetric, dtype=np.float64, device=None):
    """W_p between every row of ``values_u`` and of ``values_v``, all on one merged grid.

    On the grid, ``sum_k w_k |a_k - b_k|^p = ||w^(1/p) a - w^(1/p) b||_p^p``: a plain Minkowski distance
    between the scaled quantile vectors, computed in square chunks (upper ones only when ``symmetric``,
    mirrored chunk by chunk, so nothing but the result is ever as large as the matrix). Equal sizes need
    no scaling: the rows are used in place and the sums divided by ``n``.
    """
    widths, index_u, index_v = grid
    identity = len(widths) == index_u[-1] + 1 == index_v[-1] + 1  # n == m: the grid is the samples
    chunk = _square_chunk(len(widths))

    def rows(values, index, start):
        part = values[start : start + chunk, : index[-1] + 1]  # without the NaN padding of longer rows
        if identity:
            return part if dtype == np.float64 else part.astype(dtype)
        return (part[:, index] * widths ** (1.0 / p)).astype(dtype, copy=False)

    out = np.empty((len(values_u), len(values_v)))
    for r0 in range(0, len(values_u), chunk):
        A = rows(values_u, index_u, r0)
        for c0 in range(r0 if symmetric else 0, len(values_v), chunk):
            same = symmetric and c0 == r0
            B = A if same else rows(values_v, index_v, c0)
            block = out[r0 : r0 + len(A), c0 : c0 + len(B)]
            block[...] = _power_sums_on(A, B, p, same, device)
            if identity:
                block /= len(widths)
            block **= 1.0 / p
            if same:
                block[...] = np.triu(block, k=1) + np.triu(block, k=1).T
            elif symmetric:
                out[c0 : c0 + len(B), r0 : r0 + len(A)] = block.T
    return out


def _power_sums_on(A, B, p, upper, device):
    """``sum_k |A[i, k] - B[j, k]|^p`` for every pair of rows, on the CPU kernel or a torch device."""
    if device is None:
        return power_sums(A, B, p, upper=upper)
    a = torch.from_numpy(np.ascontiguousarray(A)).to(device)
    b = a if B is A else torch.from_numpy(np.ascontiguousarray(B)).to(device)
    # No matrix-product shortcut for p = 2: it would lose digits to cancellation.
    distances = torch.cdist(a, b, p=p, compute_mode="donot_use_mm_for_euclid_dist")
    return distances.double().cpu().numpy() ** p


def _merged_pairs(values_u, counts_u, values_v, counts_v, I, J, p):
    """W_p of the pairs ``(U[I[k]], V[J[k]])``, each on its own merged grid, vectorised over pairs.

    No merge is materialised: every interval of the merged grid of ``n`` and ``m`` samples ends at a jump
    of one of the two quantile functions, and its start and the other function's step there have closed
    forms (:func:`_intervals_ending_at_jumps`). Pairs are processed in chunks small enough for the cache.
    """
    values_u, values_v = _edge_padded(values_u, counts_u), _edge_padded(values_v, counts_v)
    steps_u = np.arange(1, values_u.shape[1] + 1, dtype=np.float64)
    steps_v = np.arange(1, values_v.shape[1] + 1, dtype=np.float64)
    out = np.empty(len(I))
    chunk = max(1, _PAIR_CHUNK_VALUES // (len(steps_u) + len(steps_v)))
    for s in range(0, len(I), chunk):
        i, j = I[s : s + chunk], J[s : s + chunk]
        n, m = counts_u[i, np.newaxis].astype(np.float64), counts_v[j, np.newaxis].astype(np.float64)
        a, b = values_u[i], values_v[j]
        total = (_intervals_ending_at_jumps(a, n, steps_u, b, m, p, ties_here=True)
                 + _intervals_ending_at_jumps(b, m, steps_v, a, n, p, ties_here=False))
        out[s : s + chunk] = (total / (n * m)[:, 0]) ** (1.0 / p)
    return out


def _intervals_ending_at_jumps(a, n, steps, b, m, p, ties_here):
    """``n * m * sum w |Q_a - Q_b|^p`` over the merged intervals that end at a jump ``k / n`` of ``a``.

    The interval ending at ``k / n`` starts at ``max((k - 1) / n, c / m)``, where ``c`` counts the jumps of
    ``b`` below ``k / n``; ``Q_a = a[k - 1]`` and ``Q_b = b[c]`` on it. A jump shared by both functions
    ends one interval, counted on the side with ``ties_here`` (``c`` counts strictly lower jumps there,
    jumps at or below on the other side, whose interval then has zero width). Numerators over ``n * m``
    are integers below 2**53, so the float floors are exact.
    """
    km = steps * m
    c = np.floor((km - 1) / n) if ties_here else np.floor(km / n)
    width = km - np.maximum(km - m, c * n)
    width *= steps <= n  # padding steps beyond the n samples
    np.minimum(c, m - 1, out=c)
    cost = np.take_along_axis(b, c.astype(np.intp), axis=1)
    cost -= a
    np.abs(cost, out=cost)
    if p != 1:
        cost **= p
    return np.einsum("ij,ij->i", width, cost)


def _edge_padded(values, counts):
    """Replace each row's NaN padding by its last sample, so that zero-width padding costs nothing."""
    index = np.minimum(np.arange(values.shape[1]), counts[:, np.newaxis] - 1)
    return np.take_along_axis(values, index, axis=1)


def _working_memory():
    """scikit-learn's ``working_memory`` in float64 values."""
    return get_config()["working_memory"] * 2**20 / _BYTES


def _chunk_size(values_per_row):
    """Rows per chunk so that the chunk's working arrays fit in scikit-learn's working memory."""
    return max(1, int(_working_memory() // max(1, values_per_row)))


def _square_chunk(n_grid):
    """Side c of square chunks: two c x n_grid inputs and four c x c temporaries fit in the working memory."""
    return max(1, int((np.sqrt(n_grid**2 + 4 * _working_memory()) - n_grid) / 4))


@validate_params(
    {
        "U": ["array-like"],
        "V": ["array-like", None],
        "n_projections": [Interval(Integral, 1, None, closed="left")],
        "p": [Interval(Real, 1, None, closed="left")],
        "projections": ["array-like", None],
        "random_state": ["random_state"],
    },
    prefer_skip_nested_validation=True,
)
def pairwise_sliced_wasserstein(U, V=None, n_projections=50, p=2, *, projections=None, random_state=None):
    """Sliced W_p distance between every pair of multivariate empirical distributions.

    ``SW_p(u, v) = (mean_theta W_p(theta . u, theta . v)^p)^(1/p)`` over directions ``theta`` drawn
    uniformly on the unit sphere and shared by all pairs, so every projected distance is an exact 1-D
    W_p computed by :func:`pairwise_wasserstein`. This is the definition of POT's
    ``ot.sliced_wasserstein_distance``; ``SW_p <= W_p`` for any set of directions.

    Parameters
    ----------
    U : array-like of shape (n_u, n_points, n_dims) or list of (n_points_i, n_dims) arrays
        Point clouds; points with a NaN coordinate are missing and ignored.
    V : same as U, or None, default=None
        Second set; ``None`` compares ``U`` with itself.
    n_projections : int, default=50
        Number of random directions (ignored when ``projections`` is given).
    p : float >= 1, default=2
        Order of the distance.
    projections : array-like of shape (n_projections, n_dims), default=None
        Directions to use (rows are normalised to unit length).
    random_state : int, RandomState instance or None, default=None
        Draws the directions.

    Returns
    -------
    distances : ndarray of shape (n_u, n_v)

    Examples
    --------
    >>> import numpy as np
    >>> from skemotion.signatures import pairwise_sliced_wasserstein
    >>> rng = np.random.default_rng(0)
    >>> clouds = [rng.normal(size=(40, 3)), rng.normal(size=(30, 3)) + 2.0]
    >>> D = pairwise_sliced_wasserstein(clouds, random_state=0)
    >>> D.shape, bool(D[0, 1] > 1.0)
    ((2, 2), True)
    """
    clouds_u = _point_clouds(U, "U")
    clouds_v = None if V is None else _point_clouds(V, "V")
    n_dims = clouds_u[0].shape[1]
    if clouds_v is not None and clouds_v[0].shape[1] != n_dims:
        raise ValueError(f"U has {n_dims}-D points but V has {clouds_v[0].shape[1]}-D points.")
    directions = (random_directions(n_projections, n_dims, random_state) if projections is None
                  else _unit_rows(np.asarray(projections, dtype=np.float64), n_dims))
    # One exact power of two for all clouds: W^p of coordinates near 1e160 would overflow, of 1e-160 underflow;
    # the distance is homogeneous of degree one, so it is computed at unit scale and scaled back.
    largest = max(np.abs(c).max(initial=0.0) for c in clouds_u + (clouds_v or []))
    exponent = int(np.floor(np.log2(largest))) if 0 < largest < np.inf else 0
    clouds_u = [np.ldexp(c, -exponent) for c in clouds_u]
    clouds_v = None if clouds_v is None else [np.ldexp(c, -exponent) for c in clouds_v]

    def projected_distances():
        for theta in directions:
            projected_u = [cloud @ theta for cloud in clouds_u]
            projected_v = None if clouds_v is None else [cloud @ theta for cloud in clouds_v]
            yield pairwise_wasserstein(projected_u, projected_v, p=p)

    return np.ldexp(_power_mean(projected_distances(), p), exponent)


def _power_mean(terms, p):
    """``(mean_k t_k^p)^(1/p)`` of non-negative arrays ``t_k`` (one per direction), streamed, stable for any p.

    As in :func:`_stable_pair`, each pair's terms are divided by their largest before the power, here by the
    power of two just above the running largest (an exact division; the sum so far is rescaled when it
    grows): for p in the hundreds ``t^p`` overflows above 1 and underflows below it, so the sliced distance
    read ``inf`` or 0 although every projected W_p was finite and positive.
    """
    exponent = total = None
    count = 0
    with np.errstate(under="ignore"):  # terms far below the largest may vanish: they do not count anyway
        for t in terms:
            t_exponent = np.frexp(t)[1]  # t < 2**t_exponent (0 for t = 0)
            if exponent is None:
                exponent, total = t_exponent, np.zeros_like(t)
            largest = np.maximum(exponent, t_exponent)
            total = total * np.exp2(p * (exponent - largest)) + np.ldexp(t, -largest) ** p
            exponent, count = largest, count + 1
    return np.ldexp((total / count) ** (1.0 / p), exponent)


def random_directions(n_projections, n_dims, random_state=None):
    """``n_projections`` directions uniform on the unit sphere of ``R^n_dims`` (normalised Gaussians).

    Examples
    --------
    >>> import numpy as np
    >>> theta = random_directions(5, 3, random_state=0)
    >>> theta.shape, bool(np.allclose(np.linalg.norm(theta, axis=1), 1.0))
    ((5, 3), True)
    """
    rng = check_random_state(random_state)
    return _unit_rows(rng.standard_normal((n_projections, n_dims)), n_dims)


def _unit_rows(directions, n_dims):
    if directions.ndim != 2 or directions.shape[1] != n_dims:
        raise ValueError(f"projections must have shape (n_projections, {n_dims}), got {directions.shape}.")
    norms = np.linalg.norm(directions, axis=1, keepdims=True)
    if not (norms > 0).all():
        raise ValueError("projections contains a zero direction.")
    return directions / norms


def _point_clouds(U, name):
    clouds = [np.asarray(u, dtype=np.float64) for u in U]
    if not clouds:
        raise ValueError(f"{name} holds no point cloud.")
    for i, cloud in enumerate(clouds):
        if cloud.ndim != 2 or cloud.shape[1] != clouds[0].shape[1]:
            raise ValueError(f"{name}[{i}] has shape {cloud.shape}; point clouds must be (n_points, n_dims) "
                             "with one n_dims for all.")
    return [cloud[~np.isnan(cloud).any(axis=1)] for cloud in clouds]
