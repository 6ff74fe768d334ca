"""Metrics of synthetic data against real data: realism, diversity and detectability.

Every metric compares sets in one feature space. ``features`` is the single feature map applied to every
set: ``None`` flattens each sample (a feature vector, or a fixed-length skeleton sequence), a callable is
applied as is, and a fitted transformer (e.g. a pipeline fitted on the real training data) through its
``transform``. Computing the sets' features with different maps (e.g. one PCA per set) makes any
distance meaningless.
"""

import numpy as np
from scipy.spatial.distance import cdist, pdist
from sklearn.base import clone
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import StratifiedKFold, cross_val_score
from sklearn.utils import check_array, check_random_state
from sklearn.utils.validation import check_is_fitted

from ..utils.validation import to_skeleton_array


def embed(X, features=None):
    """Apply the shared feature map to one set of samples and return a finite 2-D float array.

    Parameters
    ----------
    X : array-like of shape (n_samples, ...) or list of arrays
        Samples: feature vectors, fixed-length sequences, or whatever ``features`` accepts.
    features : None, callable or fitted transformer, default=None
        ``None`` flattens each sample; a transformer must be fitted (on real data) beforehand.

    Returns
    -------
    Z : ndarray of shape (n_samples, n_features)

    Examples
    --------
    >>> import numpy as np
    >>> embed(np.zeros((4, 10, 16, 3))).shape
    (4, 480)
    """
    if features is None:
        if isinstance(X, (list, tuple)) and len(X) and np.ndim(X[0]) == 3:
            X = to_skeleton_array(X)
        X = np.asarray(X, dtype=np.float64)
        Z = X.reshape(len(X), -1)
        if np.isnan(Z).any():
            raise ValueError(
                "The samples contain NaN (missing joints or sequences of different lengths padded with NaN); "
                "resample them to one length (SkeletonNormalizer(n_frames=...)) or pass features=..."
            )
    elif hasattr(features, "transform"):
        check_is_fitted(features, msg="The features transformer %(name)s is not fitted: fit it on real data first.")
        Z = features.transform(X)
    elif callable(features):
        Z = features(X)
    else:
        raise TypeError(f"features must be None, a callable or a fitted transformer; got {type(features).__name__}.")
    return check_array(Z, dtype=np.float64)


def _embed_pair(real, synthetic, features):
    R, S = embed(real, features), embed(synthetic, features)
    if R.shape[1] != S.shape[1]:
        raise ValueError(f"Real and synthetic samples have {R.shape[1]} and {S.shape[1]} features; the feature "
                         "map must give both the same dimension.")
    return R, S


def gaussian_frechet_distance(mean1, cov1, mean2, cov2):
    """Squared Fréchet (2-Wasserstein) distance between two Gaussians, from their moments.

    ``||mean1 - mean2||^2 + tr(cov1) + tr(cov2) - 2 tr((cov1^(1/2) cov2 cov1^(1/2))^(1/2))``

    Both square roots are taken by symmetric eigendecomposition, with round-off eigenvalues (below
    ``d * eps`` times the largest) set to zero. This is exact for singular (rank-deficient) covariances,
    which arise whenever there are fewer samples than features, and needs no ridge; the common route
    ``scipy.linalg.sqrtm(cov1 @ cov2)`` takes the root of a non-symmetric product and returns complex
    round-off or fails there.

    Examples
    --------
    >>> import numpy as np
    >>> float(gaussian_frechet_distance(np.zeros(2), np.eye(2), np.ones(2), 4 * np.eye(2)))  # 2 + 2 * (2 - 1)^2
    4.0
    """
    mean1, cov1 = _check_moments(mean1, cov1, "1")
    mean2, cov2 = _check_moments(mean2, cov2, "2")
    if len(mean1) != len(mean2):
        raise ValueError(f"The two Gaussians have dimensions {len(mean1)} and {len(mean2)}; they must match.")
    # Scale first: the squares of coordinates near the float range overflow, the distance scales as s^2.
    scale = max(np.abs(mean1 - mean2).max(initial=0.0), np.sqrt(np.abs(cov1).max()), np.sqrt(np.abs(cov2).max()))
    scale = 2.0 ** np.floor(np.log2(scale)) if scale > 0 else 1.0  # a power of two: the division is exact
    mean1, mean2, cov1, cov2 = mean1 / scale, mean2 / scale, cov1 / scale / scale, cov2 / scale / scale
    eigval, eigvec = np.linalg.eigh(cov1)
    sqrt_cov1 = (eigvec * np.sqrt(_psd_eigenvalues(eigval))) @ eigvec.T
    middle = sqrt_cov1 @ cov2 @ sqrt_cov1
    trace_sqrt = np.sqrt(_psd_eigenvalues(np.linalg.eigvalsh((middle + middle.T) / 2))).sum()
    distance = max(float(np.sum((mean1 - mean2) ** 2) + np.trace(cov1) + np.trace(cov2) - 2 * trace_sqrt), 0.0)
    return _squared_back(distance, scale)


def _check_moments(mean, cov, which):
    """A finite mean of shape (d,) and a finite symmetric positive semi-definite covariance (d, d)."""
    mean = np.atleast_1d(np.asarray(mean, dtype=float))
    cov = np.atleast_2d(np.asarray(cov, dtype=float))
    if mean.ndim != 1 or cov.shape != (len(mean), len(mean)):
        raise ValueError(f"mean{which} has shape {mean.shape} and cov{which} {cov.shape}; expected (d,) and (d, d).")
    if not (np.isfinite(mean).all() and np.isfinite(cov).all()):
        raise ValueError(f"mean{which} and cov{which} must be finite.")
    size = np.abs(cov).max(initial=0.0)
    tolerance = 100 * len(mean) * np.finfo(float).eps * size
    if np.abs(cov - cov.T).max(initial=0.0) > tolerance:
        raise ValueError(f"cov{which} is not symmetric (largest |C - C.T| is {np.abs(cov - cov.T).max():.3g}); "
                         "a covariance matrix is.")
    smallest = np.linalg.eigvalsh((cov + cov.T) / 2).min() if size > 0 else 0.0
    if smallest < -tolerance:
        raise ValueError(f"cov{which} is not positive semi-definite (smallest eigenvalue {smallest:.3g}); a "
                         "covariance matrix is.")
    return mean, cov


def _psd_eigenvalues(eigval):
    """Eigenvalues of a positive semi-definite matrix with round-off (below ``d * eps * max``) set to 0.

    A square root turns round-off of 1e-16 into errors of 1e-8: zero eigenvalues must stay exactly zero.
    """
    tolerance = len(eigval) * np.finfo(float).eps * max(np.abs(eigval).max(initial=0.0), np.finfo(float).tiny)
    return np.where(eigval > tolerance, eigval, 0.0)


def frechet_distance(real, synthetic, features=None, *, ridge=0.0):
    """Fréchet distance between real and synthetic samples in one shared feature space (FID-style).

    The Fréchet distance of Heusel et al. (2017) between Gaussians fitted to the two sets of features:
    ``||mu_r - mu_s||^2 + tr(S_r + S_s - 2 (S_r^(1/2) S_s S_r^(1/2))^(1/2))`` (squared mean term;
    covariances with ``n - 1`` in the denominator). See :func:`gaussian_frechet_distance` for the matrix
    square root, which is exact for singular covariances.

    With few samples and many features the estimate is biased upwards (the covariance of each set is
    noisy), so compare generators at equal sample sizes, in a low-dimensional shared feature space (e.g.
    a PCA fitted on the real training data, passed as ``features``), and report the distance between two
    real sets as the floor.

    Parameters
    ----------
    real, synthetic : array-like of shape (n_samples, ...)
        At least two samples each.
    features : None, callable or fitted transformer, default=None
        The one feature map applied to both sets (see :func:`embed`).
    ridge : float, default=0.0
        Added to the diagonal of both covariances. The default 0 is exact; a small positive value
        regularises (and slightly biases) the estimate when features far outnumber samples.

    Returns
    -------
    distance : float

    References
    ----------
    .. [1] Heusel, M., Ramsauer, H., Unterthiner, T., Nessler, B., & Hochreiter, S. (2017). GANs trained by
       a two time-scale update rule converge to a local Nash equilibrium. *NeurIPS*.
    .. [2] Dowson, D. C., & Landau, B. V. (1982). The Fréchet distance between multivariate normal
       distributions. *Journal of Multivariate Analysis*, 12(3), 450-455.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.RandomState(0)
    >>> real, synthetic = rng.normal(0, 1, (5000, 2)), rng.normal(1, 1, (5000, 2))
    >>> abs(frechet_distance(real, synthetic) - 2.0) < 0.15  # ||mu_r - mu_s||^2 = 2, equal covariances
    True
    """
    R, S = _embed_pair(real, synthetic, features)
    if len(R) < 2 or len(S) < 2:
        raise ValueError(f"Need at least 2 samples per set to estimate a covariance; got {len(R)} and {len(S)}.")
    # The covariances square the features: computed from features divided by an exact power of two (near
    # 1e160 they would overflow, near 1e-160 underflow), and the distance (degree two) is scaled back.
    scale = _power_of_two_scale(R, S)
    R, S = R / scale, S / scale
    ridge_matrix = ridge / scale / scale * np.eye(R.shape[1])
    cov_r = np.cov(R, rowvar=False).reshape(R.shape[1], R.shape[1]) + ridge_matrix
    cov_s = np.cov(S, rowvar=False).reshape(S.shape[1], S.shape[1]) + ridge_matrix
    return _squared_back(gaussian_frechet_distance(R.mean(axis=0), cov_r, S.mean(axis=0), cov_s), scale)


def _squared_back(distance, scale):
    """A squared distance at unit scale times ``scale**2``, refused when that leaves the float range."""
    with np.errstate(over="ignore", under="ignore"):
        scaled = float(distance * scale * scale)
    if not np.isfinite(scaled):
        raise OverflowError(f"The squared Fréchet distance exceeds the float range (scale {scale:.3g}); rescale "
                            "the features before comparing them.")
    if distance > 0 and scaled < np.finfo(float).tiny:
        raise ValueError(f"The squared Fréchet distance is below the float range (scale {scale:.3g}), it would "
                         "read 0; rescale the features before comparing them.")
    return scaled


def _mean_pair_distance(Z, n_pairs, random_state):
    """Mean Euclidean distance between distinct samples: all pairs, or ``n_pairs`` random pairs."""
    n = len(Z)
    if n < 2:
        raise ValueError(f"Need at least 2 samples to measure distances between them; got {n}.")
    scale = _power_of_two_scale(Z)
    Z = Z / scale  # exact; squares of coordinates near the float range would overflow
    if n_pairs is None:
        return float(pdist(Z).mean() * scale)
    first = random_state.randint(n, size=n_pairs)
    second = (first + random_state.randint(1, n, size=n_pairs)) % n  # uniform among the other samples
    return float(np.linalg.norm(Z[first] - Z[second], axis=1).mean() * scale)


def diversity(X, *, features=None, n_pairs=None, random_state=None):
    """Diversity of a set of samples: mean distance between two random samples (Guo et al. 2020).

    Action2Motion's diversity [1]_: the mean Euclidean distance, in the feature space, between the samples
    of random pairs drawn across the whole set, whatever their class. By itself the number has no scale:
    compare the diversity of synthetic data with that of real data in the same feature space (a good
    generator matches it; a collapsed one is lower, a noisy one higher).

    Parameters
    ----------
    X : array-like of shape (n_samples, ...)
    features : None, callable or fitted transformer, default=None
        Feature map (see :func:`embed`).
    n_pairs : int or None, default=None
        ``None``: the exact mean over all pairs of distinct samples. An int: the Monte-Carlo estimate of
        [1]_ from that many random pairs of distinct samples (200 in [1]_).
    random_state : int, RandomState instance or None, default=None
        Seeds the pairs.

    Returns
    -------
    diversity : float

    References
    ----------
    .. [1] Guo, C., Zuo, X., Wang, S., Zou, S., Sun, Q., Deng, A., Gong, M., & Cheng, L. (2020).
       Action2Motion: Conditioned generation of 3D human motions. *ACM Multimedia*.

    Examples
    --------
    >>> import numpy as np
    >>> round(diversity(np.array([[0.0, 0.0], [3.0, 4.0], [0.0, 0.0]])), 3)  # pairs at distances 5, 0, 5
    3.333
    """
    return _mean_pair_distance(embed(X, features), n_pairs, check_random_state(random_state))


def multimodality(X, y, *, features=None, n_pairs=None, random_state=None):
    """Multimodality: mean distance between two random samples of the same class, averaged over classes.

    Action2Motion's multimodality [1]_: the diversity within each class (action, here emotion), averaged
    with equal weight over the classes. It measures how varied the samples of one condition are; as for
    :func:`diversity`, compare it with the real data's value.

    Parameters
    ----------
    X : array-like of shape (n_samples, ...)
    y : array-like of shape (n_samples,)
        Class of each sample; every class needs at least two samples.
    features : None, callable or fitted transformer, default=None
        Feature map (see :func:`embed`).
    n_pairs : int or None, default=None
        Pairs per class: ``None`` for all pairs of distinct samples, an int for that many random pairs
        (20 in [1]_).
    random_state : int, RandomState instance or None, default=None

    Returns
    -------
    multimodality : float

    References
    ----------
    .. [1] Guo, C., et al. (2020). Action2Motion: Conditioned generation of 3D human motions.
       *ACM Multimedia*.

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0], [2.0], [10.0], [11.0]])
    >>> multimodality(X, [0, 0, 1, 1])  # (2 + 1) / 2
    1.5
    """
    Z, y = embed(X, features), np.asarray(y)
    if len(y) != len(Z):
        raise ValueError(f"X has {len(Z)} samples but y has {len(y)}.")
    labels, counts = np.unique(y, return_counts=True)
    if counts.min() < 2:
        raise ValueError(f"multimodality needs at least 2 samples of every class; class {labels[counts.argmin()]} "
                         f"has {counts.min()}.")
    random_state = check_random_state(random_state)
    return float(np.mean([_mean_pair_distance(Z[y == label], n_pairs, random_state) for label in labels]))


def _kth_neighbour_distance(Z, n_neighbors, chunk_size):
    """Distance from each sample to its ``n_neighbors``-th nearest other sample.

    Distances here and in :func:`precision_recall_density_coverage` come from the same exact formula
    (``scipy.spatial.distance.cdist``), so a sample at exactly a ball's radius is outside it consistently.
    """
    if len(Z) <= n_neighbors:
        raise ValueError(f"n_neighbors={n_neighbors} needs more than {n_neighbors} samples per set; got {len(Z)}.")
    radii = np.empty(len(Z))
    for start in range(0, len(Z), chunk_size):
        block = slice(start, start + chunk_size)
        # index n_neighbors among the sorted distances: index 0 is the sample itself
        radii[block] = np.partition(cdist(Z[block], Z), n_neighbors, axis=1)[:, n_neighbors]
    return radii


def _scaled(*sets):
    """The sets divided by one power of two, their largest |value|: distances near the float range (whose
    squares overflow in ``cdist``) become finite, and ratios of distances, all PRDC uses, stay exact."""
    scale = _power_of_two_scale(*sets)
    return tuple(Z / scale for Z in sets)


def _power_of_two_scale(*sets):
    """The power of two at or below the largest |value| of the sets (1 for all zeros): dividing is exact."""
    largest = max(np.abs(Z).max(initial=0.0) for Z in sets)
    return 2.0 ** np.floor(np.log2(largest)) if largest > 0 else 1.0


def _check_radii(radii, which, n_neighbors):
    """A k-NN ball of radius 0 (a sample with ``n_neighbors`` exact duplicates) contains nothing, not even its
    duplicates: the scores would silently drop. Refuse, with what to do."""
    zero = np.count_nonzero(radii == 0)
    if zero:
        raise ValueError(f"{zero} {which} sample(s) have at least n_neighbors={n_neighbors} exact duplicates, so "
                         "their k-NN radius is 0 and their ball holds nothing; remove duplicates or raise "
                         "n_neighbors.")


def precision_recall_density_coverage(real, synthetic, *, n_neighbors=5, features=None, chunk_size=1024):
    """Precision, recall, density and coverage of synthetic samples (Naeem et al. 2020).

    Each real sample ``x_i`` defines a ball of radius ``r_i``, its distance to its ``n_neighbors``-th
    nearest real neighbour; each synthetic sample ``y_j`` a ball of radius ``s_j`` among synthetic ones.

    * precision: share of synthetic samples inside at least one real ball (realism) [2]_;
    * recall: share of real samples inside at least one synthetic ball [2]_;
    * density: number of real balls containing a synthetic sample, averaged over synthetic samples and
      divided by ``n_neighbors`` (about 1 when the two distributions match; robust to real outliers);
    * coverage: share of real samples whose ball contains at least one synthetic sample (diversity that
      outliers cannot inflate).

    "Inside" means at a distance strictly smaller than the radius, as in the authors' code.
    Use held-out real data: synthetic copies of training samples would look perfect against the
    training set.

    Parameters
    ----------
    real, synthetic : array-like of shape (n_samples, ...)
        More than ``n_neighbors`` samples each.
    n_neighbors : int, default=5
        The ``k`` of the k-nearest-neighbour balls.
    features : None, callable or fitted transformer, default=None
        Feature map (see :func:`embed`).
    chunk_size : int, default=1024
        Rows per block of the distance matrices (bounds memory).

    Returns
    -------
    scores : dict
        ``{"precision", "recall", "density", "coverage"}`` as floats.

    References
    ----------
    .. [1] Naeem, M. F., Oh, S. J., Uh, Y., Choi, Y., & Yoo, J. (2020). Reliable fidelity and diversity
       metrics for generative models. *ICML*.
    .. [2] Kynkäänniemi, T., Karras, T., Laine, S., Lehtinen, J., & Aila, T. (2019). Improved precision and
       recall metric for assessing generative models. *NeurIPS*.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.RandomState(0)
    >>> scores = precision_recall_density_coverage(rng.normal(size=(500, 2)), rng.normal(size=(500, 2)))
    >>> scores["precision"] > 0.8 and scores["coverage"] > 0.8
    True
    """
    R, S = _scaled(*_embed_pair(real, synthetic, features))
    real_radii = _kth_neighbour_distance(R, n_neighbors, chunk_size)
    synthetic_radii = _kth_neighbour_distance(S, n_neighbors, chunk_size)
    _check_radii(real_radii, "real", n_neighbors)
    _check_radii(synthetic_radii, "synthetic", n_neighbors)
    in_real_balls = np.zeros(len(S), dtype=bool)
    real_balls_hit = 0
    nearest_synthetic = np.full(len(R), np.inf)
    in_synthetic_balls = np.zeros(len(R), dtype=bool)
    for start in range(0, len(S), chunk_size):
        block = slice(start, start + chunk_size)
        distances = cdist(S[block], R)  # (synthetic block, real)
        inside_real = distances < real_radii[np.newaxis, :]
        in_real_balls[block] = inside_real.any(axis=1)
        real_balls_hit += int(inside_real.sum())
        nearest_synthetic = np.minimum(nearest_synthetic, distances.min(axis=0))
        in_synthetic_balls |= (distances < synthetic_radii[block, np.newaxis]).any(axis=0)
    return {
        "precision": float(in_real_balls.mean()),
        "recall": float(in_synthetic_balls.mean()),
        "density": real_balls_hit / (n_neighbors * len(S)),
        "coverage": float((nearest_synthetic < real_radii).mean()),
    }


def classifier_two_sample_auc(real, synthetic, *, estimator=None, cv=5, features=None, random_state=None,
                              n_jobs=None):
    """Classifier two-sample test: cross-validated ROC AUC of telling synthetic from real samples.

    A classifier learns to separate real (label 0) from synthetic (label 1) samples; its out-of-fold ROC
    AUC is about 0.5 when it cannot (the generator is realistic) and 1 when the synthetic samples are
    trivially recognisable [1]_. Use held-out real data: near-copies of the generator's training samples
    are indistinguishable from those training samples.

    Parameters
    ----------
    real, synthetic : array-like of shape (n_samples, ...)
    estimator : classifier or None, default=None
        ``None`` uses ``RandomForestClassifier(n_estimators=200)``, which needs no scaling and detects
        non-linear differences.
    cv : int or cross-validation generator, default=5
        An int gives a shuffled ``StratifiedKFold``.
    features : None, callable or fitted transformer, default=None
        Feature map (see :func:`embed`).
    random_state : int, RandomState instance or None, default=None
        Seeds the default classifier and the shuffling of the folds.
    n_jobs : int or None, default=None
        Folds in parallel.

    Returns
    -------
    auc : float
        Mean ROC AUC over the folds.

    References
    ----------
    .. [1] Lopez-Paz, D., & Oquab, M. (2017). Revisiting classifier two-sample tests. *ICLR*.

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.RandomState(0)
    >>> real = rng.normal(size=(200, 3))
    >>> classifier_two_sample_auc(real, rng.normal(size=(200, 3)), random_state=0) < 0.65
    True
    >>> classifier_two_sample_auc(real, rng.normal(3, 1, size=(200, 3)), random_state=0) > 0.95
    True
    """
    R, S = _embed_pair(real, synthetic, features)
    Z = np.vstack([R, S])
    labels = np.r_[np.zeros(len(R), dtype=int), np.ones(len(S), dtype=int)]
    random_state = check_random_state(random_state)
    if estimator is None:
        estimator = RandomForestClassifier(n_estimators=200, random_state=random_state.randint(2**31 - 1))
        # Trees compute in float32, where features beyond 3e38 are inf and below 1e-45 are 0, but are blind
        # to scaling a feature: each one is divided by an exact power of two near its largest |value|.
        Z = Z / np.array([_power_of_two_scale(column) for column in Z.T])
    if isinstance(cv, int):
        cv = StratifiedKFold(cv, shuffle=True, random_state=random_state.randint(2**31 - 1))
    return float(cross_val_score(clone(estimator), Z, labels, cv=cv, scoring="roc_auc", n_jobs=n_jobs).mean())
