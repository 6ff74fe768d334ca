"""WassersteinMDS: multidimensional scaling of Wasserstein distances, with an out-of-sample transform."""

import warnings
from numbers import Integral, Real

import numpy as np
from scipy.linalg import eigh
from scipy.spatial.distance import pdist, squareform
from sklearn.base import BaseEstimator, ClassNamePrefixFeaturesOutMixin, TransformerMixin, _fit_context
from sklearn.manifold import smacof
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from ..utils.validation import validate_signatures
from ._wasserstein import pairwise_wasserstein


class WassersteinMDS(ClassNamePrefixFeaturesOutMixin, TransformerMixin, BaseEstimator):
    """Embed distributions by multidimensional scaling of their Wasserstein distances.

    ``fit`` computes the exact W_p distance between the training samples in every view
    (:func:`pairwise_wasserstein`), combines the views into one dissimilarity matrix and embeds it in
    ``n_components`` dimensions. ``transform`` places new samples in the same embedding from their
    distances to the training samples, so the embedding can sit inside a cross-validated pipeline.

    Methods:

    * ``"classical"`` (Torgerson-Gower): the top eigenvectors of the double-centred matrix of squared
      dissimilarities. New points are placed by the Gower / landmark-MDS formula (de Silva & Tenenbaum,
      2004), ``y = -1/2 Lambda^(-1/2) V^T (delta_new - mean_i delta_i)`` with ``delta`` the squared
      distances to the training samples. Training samples are mapped exactly onto their embedding, and
      a new point is placed exactly when the dissimilarities are Euclidean (as W_2 with one view is).
    * ``"smacof"``: metric SMACOF (:func:`sklearn.manifold.smacof`) started from the classical solution,
      which lowers the stress when the dissimilarities are not Euclidean. New points are placed by fixing
      the training configuration and minimising each new point's own stress,
      ``sum_i (||y - x_i|| - d_i)^2``, by the same majorisation (Guttman) update, started from the
      Gower placement.

    Parameters
    ----------
    n_components : int, default=2
        Dimension of the embedding.
    p : float >= 1, default=1
        Order of the Wasserstein distance.
    views : {"sum", "mean", "power_mean"} or array-like of shape (n_views,), default="sum"
        How the per-view distances ``W^(v)`` become one dissimilarity: their sum, their mean,
        ``(mean_v (W^(v))^p)^(1/p)`` (the W_p distance on the product of the views, and the sliced
        Wasserstein distance when the views are random projections, see
        :class:`VelocityGradientSignature`), or a weighted sum with these non-negative weights.
    method : {"classical", "smacof"}, default="classical"
        Embedding method (see above).
    max_iter : int, default=300
        SMACOF iterations, for the training configuration and for each new point.
    tol : float, default=1e-6
        SMACOF convergence tolerance (relative change of the stress; of the new point's position for
        ``transform``).

    Attributes
    ----------
    embedding_ : ndarray of shape (n_samples, n_components)
        Embedding of the training samples.
    dissimilarity_matrix_ : ndarray of shape (n_samples, n_samples)
        Combined Wasserstein dissimilarities of the training samples.
    eigenvalues_ : ndarray of shape (n_components,)
        Top eigenvalues of the double-centred squared dissimilarities (negative or zero ones give zero
        components).
    stress_ : float
        ``sum_{i<j} (||y_i - y_j|| - d_ij)^2`` of the embedding.
    X_fit_ : ndarray of shape (n_samples, n_views, n_values)
        Training signatures, needed to place new samples.
    n_views_in_ : int
        Views seen in ``fit``.

    References
    ----------
    V. de Silva and J. B. Tenenbaum, "Sparse multidimensional scaling using landmark points", 2004.
    J. C. Gower, "Adding a point to vector diagrams in multivariate analysis", Biometrika, 1968.

    Examples
    --------
    >>> import numpy as np
    >>> from skemotion.signatures import WassersteinMDS
    >>> rng = np.random.default_rng(0)
    >>> X = np.sort(rng.normal(size=(20, 2, 50)), axis=-1)     # 20 samples, 2 views, 50 quantiles
    >>> X[10:] += 1.0                                          # two groups of distributions
    >>> mds = WassersteinMDS(n_components=2).fit(X)
    >>> mds.embedding_.shape, mds.dissimilarity_matrix_.shape
    ((20, 2), (20, 20))
    >>> np.allclose(mds.transform(X), mds.embedding_)
    True
    """

    _parameter_constraints = {
        "n_components": [Interval(Integral, 1, None, closed="left")],
        "p": [Interval(Real, 1, None, closed="left")],
        "views": [StrOptions({"sum", "mean", "power_mean"}), "array-like"],
        "method": [StrOptions({"classical", "smacof"})],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
    }

    def __init__(self, n_components=2, *, p=1, views="sum", method="classical", max_iter=300, tol=1e-6):
        self.n_components = n_components
        self.p = p
        self.views = views
        self.method = method
        self.max_iter = max_iter
        self.tol = tol

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Compute the dissimilarities of the training samples and embed them.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_views, n_values) or (n_samples, n_values)
            Signatures (for example from :class:`VelocityGradientSignature`); NaN entries are padding.
        y : ignored

        Returns
        -------
        self : WassersteinMDS
        """
        self._fit(X)
        return self

    def fit_transform(self, X, y=None):
        """Fit and return the embedding of the training samples.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_views, n_values) or (n_samples, n_values)
        y : ignored

        Returns
        -------
        embedding : ndarray of shape (n_samples, n_components)
        """
        return self.fit(X).embedding_.copy()

    def _fit(self, X):
        X = validate_signatures(self, X, reset=True)
        if len(X) < 2:
            raise ValueError(f"WassersteinMDS needs at least 2 samples, got n_samples = {len(X)}.")
        if self.n_components >= len(X):
            raise ValueError(f"n_components={self.n_components} must be smaller than n_samples={len(X)}.")
        self._view_weights(X.shape[1])
        self.X_fit_ = X
        self.dissimilarity_matrix_ = self._dissimilarities(X)
        # The embedding is computed from dissimilarities divided by an exact power of two near the largest:
        # squares of distances near 1e-160 underflow to 0 (a collapsed embedding), near 1e160 overflow.
        largest = self.dissimilarity_matrix_.max(initial=0.0)
        self._exponent = int(np.floor(np.log2(largest))) if 0 < largest < np.inf else 0
        unit = np.ldexp(self.dissimilarity_matrix_, -self._exponent)
        squared = unit**2
        self._mean_squared = squared.mean(axis=0)
        embedding, eigenvalues, self._gower_projector = _classical_mds(squared, self.n_components)
        if self.method == "smacof":
            embedding, _, self.n_iter_ = smacof(
                unit, metric=True, n_components=self.n_components, init=embedding,
                n_init=1, max_iter=self.max_iter, eps=self.tol, return_n_iter=True, normalized_stress=False,
            )
        self.embedding_ = np.ldexp(embedding, self._exponent)
        self.eigenvalues_ = np.ldexp(eigenvalues, 2 * self._exponent)
        self.stress_ = float(np.ldexp(_stress(embedding, unit), 2 * self._exponent))  # a squared length

    def transform(self, X):
        """Place samples in the embedding from their distances to the training samples.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_views, n_values) or (n_samples, n_values)

        Returns
        -------
        X_new : ndarray of shape (n_samples, n_components)
        """
        check_is_fitted(self)
        X = validate_signatures(self, X, reset=False)
        distances = np.ldexp(self._dissimilarities(X, self.X_fit_), -self._exponent)  # as in fit: unit scale
        placed = -0.5 * (distances**2 - self._mean_squared) @ self._gower_projector
        if self.method == "smacof":
            placed = _place_by_stress(placed, np.ldexp(self.embedding_, -self._exponent), distances,
                                      self.max_iter, self.tol)
        return np.ldexp(placed, self._exponent)

    def _view_weights(self, n_views):
        if isinstance(self.views, str):
            return None
        weights = np.asarray(self.views, dtype=np.float64)
        if weights.shape != (n_views,) or (weights < 0).any() or not np.isfinite(weights).all():
            raise ValueError(
                f"views must be 'sum', 'mean', 'power_mean' or {n_views} non-negative weights (one per view); "
                f"got {self.views!r}."
            )
        return weights

    def _dissimilarities(self, X, Y=None):
        """Per-view W_p between the samples of X (and Y), combined as ``views`` says."""
        weights = self._view_weights(X.shape[1])
        combine = self.views if weights is None else "weights"
        total = 0.0
        for v in range(X.shape[1]):
            distance = pairwise_wasserstein(X[:, v], None if Y is None else Y[:, v], p=self.p)
            if combine == "power_mean":
                total = total + distance**self.p
            else:
                total = total + (distance if weights is None else weights[v] * distance)
        if combine == "mean":
            return total / X.shape[1]
        if combine == "power_mean":
            return (total / X.shape[1]) ** (1.0 / self.p)
        return total

    @property
    def _n_features_out(self):
        return self.embedding_.shape[1]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.input_tags.three_d_array = True
        return tags


def _classical_mds(squared, n_components):
    """Classical MDS of squared dissimilarities: embedding, eigenvalues and the Gower projector.

    The projector ``V Lambda^(-1/2)`` maps ``-1/2 (delta - mean_i delta_i)`` to coordinates; components
    with a non-positive eigenvalue are zero (the dissimilarities have fewer Euclidean dimensions).
    """
    n_samples = len(squared)
    mean = squared.mean(axis=0)
    centred = -0.5 * (squared - mean[np.newaxis, :] - mean[:, np.newaxis] + mean.mean())
    eigenvalues, eigenvectors = eigh(centred, subset_by_index=[n_samples - n_components, n_samples - 1])
    eigenvalues, eigenvectors = eigenvalues[::-1], eigenvectors[:, ::-1]
    # Deterministic signs: the largest entry of each eigenvector is positive.
    signs = np.sign(eigenvectors[np.argmax(np.abs(eigenvectors), axis=0), np.arange(n_components)])
    eigenvectors *= signs
    positive = eigenvalues > 1e-10 * max(eigenvalues[0], np.finfo(float).tiny)
    if not positive.all():
        warnings.warn(
            f"Only {positive.sum()} of the {n_components} leading eigenvalues of the double-centred squared "
            "dissimilarities are positive; the remaining components are set to zero.",
            UserWarning,
            stacklevel=3,
        )
    root = np.sqrt(np.where(positive, eigenvalues, 0.0))
    embedding = eigenvectors * root
    projector = np.divide(eigenvectors, root, out=np.zeros_like(eigenvectors), where=positive)
    return embedding, eigenvalues, projector


def _place_by_stress(points, configuration, distances, max_iter, tol):
    """Move each new point to a minimum of ``sum_i (||y - x_i|| - d_i)^2`` with the ``x_i`` fixed.

    Majorisation of the stress by Cauchy-Schwarz gives the update
    ``y <- mean_i (x_i + d_i (y - x_i) / ||y - x_i||)``, which never increases the stress.
    """
    scale = max(np.abs(configuration).max(), np.finfo(float).tiny)
    for _ in range(max_iter):
        offsets = points[:, np.newaxis, :] - configuration[np.newaxis, :, :]
        norms = np.linalg.norm(offsets, axis=-1, keepdims=True)
        directions = np.divide(offsets, norms, out=np.zeros_like(offsets), where=norms > 0)
        updated = (configuration[np.newaxis] + distances[..., np.newaxis] * directions).mean(axis=1)
        converged = np.abs(updated - points).max() <= tol * scale
        points = updated
        if converged:
            break
    return points


def _stress(embedding, dissimilarities):
    """Raw stress ``sum_{i<j} (||y_i - y_j|| - d_ij)^2``."""
    residual = pdist(embedding) - squareform(dissimilarities, checks=False)
    return float((residual**2).sum())
