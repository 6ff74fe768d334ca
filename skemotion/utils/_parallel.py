"""Parallel only when it pays: no worker pool for work too small to repay its start-up.

A joblib pool of processes costs about half a second to start on a small machine, and every task pays to
pickle its input and its result; threads cost almost nothing but help only where the work releases the
GIL (numpy, scipy.fft, OpenCV, MediaPipe). These helpers size the pool to the work: serial (no pool at all)
below a minimum of work per worker, and never more workers than there is work for. A backend chosen by the
user (``joblib.parallel_config(backend="dask")``, ``parallel_backend("ray")``) always wins over the
``prefer`` hint used here.
"""

import numpy as np
from joblib import Parallel, delayed, effective_n_jobs
from joblib.parallel import get_active_backend

# joblib's own backends, on this machine; any other (Dask, Ray) is a cluster the user chose on purpose.
_LOCAL_BACKENDS = frozenset({"LokyBackend", "ThreadingBackend", "MultiprocessingBackend", "SequentialBackend"})


def cluster_backend_active():
    """Whether a ``parallel_config`` / ``parallel_backend`` context has chosen a non-local backend (Dask, Ray)."""
    return type(get_active_backend()[0]).__name__ not in _LOCAL_BACKENDS


def effective_workers(n_jobs, n_work, min_work_per_worker=1):
    """Workers worth starting for ``n_work`` units of work: at most ``n_jobs``'s, at least one.

    Under a cluster backend the user chose (Dask, Ray), ``min_work_per_worker`` does not apply: the work
    goes to the cluster as asked.

    Parameters
    ----------
    n_jobs : int or None
        As in joblib (``None``: 1 unless a ``parallel_config`` context says otherwise; ``-1``: all CPUs).
    n_work : int
        Units of work (tasks, rows, values).
    min_work_per_worker : int, default=1
        Units below which one more worker costs more than it saves.

    Returns
    -------
    n_workers : int

    Examples
    --------
    >>> effective_workers(4, 10), effective_workers(4, 10, min_work_per_worker=5), effective_workers(1, 100)
    (4, 2, 1)
    """
    if cluster_backend_active():
        min_work_per_worker = 1
    return max(1, min(effective_n_jobs(n_jobs), int(n_work // max(1, min_work_per_worker))))


def parallel_map(function, items, n_jobs=None, *, prefer="threads", min_items_per_worker=1):
    """``[function(item) for item in items]``, in parallel only where it pays.

    Parameters
    ----------
    function : callable
    items : iterable
    n_jobs : int or None, default=None
        Maximum workers (joblib's convention).
    prefer : {"threads", "processes"}, default="threads"
        joblib's soft hint: threads for work that releases the GIL. A backend set by the user wins.
    min_items_per_worker : int, default=1
        Fewer items per worker than this runs fewer workers; a single worker runs in this thread, no pool.

    Returns
    -------
    results : list
        In the order of ``items``.

    Examples
    --------
    >>> parallel_map(abs, [-1, 2, -3], n_jobs=2)
    [1, 2, 3]
    """
    items = list(items)
    workers = effective_workers(n_jobs, len(items), min_items_per_worker)
    if workers == 1:
        return [function(item) for item in items]
    return Parallel(n_jobs=workers, prefer=prefer)(delayed(function)(item) for item in items)


def parallel_blocks(function, X, n_jobs=None, *, prefer="threads", min_values_per_worker=1):
    """``function(X)`` computed on contiguous blocks of rows of ``X``, one block per worker, concatenated.

    For functions that treat every row on its own (the result is then identical to ``function(X)``).
    Few large tasks instead of many small ones: each worker gets one block.

    Parameters
    ----------
    function : callable
        Takes an array of rows, returns an array with one row (along axis 0) per input row.
    X : ndarray
    n_jobs : int or None, default=None
        Maximum workers.
    prefer : {"threads", "processes"}, default="threads"
        joblib's soft hint; a backend set by the user wins.
    min_values_per_worker : int, default=1
        Entries of ``X`` below which one more worker does not pay; ``X`` smaller than twice this runs
        serially, in this thread.

    Returns
    -------
    result : ndarray

    Examples
    --------
    >>> import numpy as np
    >>> X = np.arange(12.0).reshape(6, 2)
    >>> bool(np.array_equal(parallel_blocks(lambda b: b.sum(axis=1), X, n_jobs=2), X.sum(axis=1)))
    True
    """
    workers = min(len(X), effective_workers(n_jobs, X.size, min_values_per_worker))
    if workers <= 1:
        return function(X)
    blocks = np.array_split(np.arange(len(X)), workers)
    results = Parallel(n_jobs=workers, prefer=prefer)(delayed(function)(X[rows]) for rows in blocks)
    return np.concatenate(results)


BLOCK_MEMORY_MIB = 64  # temporaries per block: small beside a large data set, large enough to vectorise well


def sample_blocks(X, temporaries=8):
    """Slices of samples whose float64 temporaries (``temporaries`` per value) fit in ``BLOCK_MEMORY_MIB``, or
    in sklearn's ``working_memory`` when that is smaller.

    Transformers that make several full-size temporaries (derivatives, distances, gap filling) loop over
    these blocks, so their peak memory stays near their input and output (benchmarks/bench_memory.py).

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn import config_context
    >>> with config_context(working_memory=1):      # MiB
    ...     [b.stop for b in sample_blocks(np.zeros((5, 100, 16, 3)))]   # 3 samples of 0.3 MiB a block
    [3, 5]
    """
    from sklearn import get_config
    from sklearn.utils import gen_batches

    per_sample = 8 * temporaries * max(1, int(np.prod(X.shape[1:])))
    budget = min(get_config()["working_memory"], BLOCK_MEMORY_MIB) * 2**20
    return gen_batches(len(X), max(1, int(budget // per_sample)))
