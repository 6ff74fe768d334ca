"""NeuralGas: Martinetz-Schulten neural gas with vectorised batch or mini-batch updates."""

from numbers import Integral, Real

import numpy as np
from sklearn.base import (
    BaseEstimator,
    ClassNamePrefixFeaturesOutMixin,
    ClusterMixin,
    TransformerMixin,
    _fit_context,
)
from sklearn.metrics.pairwise import euclidean_distances
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted, validate_data


def exponential_schedule(start, end, fraction):
    """``start * (end / start) ** fraction``: the decay of learning rate and neighbourhood of neural gas.

    Examples
    --------
    >>> exponential_schedule(10.0, 0.1, np.array([0.0, 0.5, 1.0]))
    array([10. ,  1. ,  0.1])
    """
    return start * (end / start) ** fraction


def neighbourhood_weights(order, lam):
    """``exp(-rank / lam)`` of every unit for every sample, from each sample's units sorted by distance.

    Examples
    --------
    >>> order = np.argsort([[0.3, 0.1, 0.2]], axis=1)  # the units by increasing distance
    >>> neighbourhood_weights(order, lam=1.0).round(3)
    array([[0.135, 1.   , 0.368]])
    """
    weights = np.empty(order.shape)
    weights[np.arange(len(order))[:, np.newaxis], order] = np.exp(-np.arange(order.shape[1]) / lam)
    return weights


def distance_scores(X, units):
    """``(||w||^2 - 2 x.w) / 2``: orders units like the Euclidean distance, for the cost of one product."""
    scores = X @ units.T
    scores *= -1.0
    scores += 0.5 * np.einsum("ij,ij->i", units, units)[np.newaxis, :]
    return scores


def nearest_distances(X, units, scores):
    """Euclidean distance from each sample to its nearest unit (found from :func:`distance_scores`).

    Computed from the differences, not from the expanded squares, so a sample on a unit is at distance 0.
    """
    return np.linalg.norm(X - units[scores.argmin(axis=1)], axis=1)


class NeuralGas(ClassNamePrefixFeaturesOutMixin, ClusterMixin, TransformerMixin, BaseEstimator):
    """Neural gas vector quantisation (Martinetz & Schulten), with vectorised updates.

    A set of units (prototypes) moves towards the data. Every sample pulls every unit, with a weight
    ``h = exp(-rank / lambda)`` that decays with the unit's distance rank for that sample, so the units
    spread over the data without a fixed topology. The neighbourhood range ``lambda`` (and, for the
    mini-batch algorithm, the learning rate) decays exponentially, ``start * (end / start) ** (t / t_max)``:
    early epochs organise the units globally, late epochs (small ``lambda``) are k-means steps.

    Units are initialised on distinct training samples. Two update rules:

    * ``algorithm="batch"`` (default): batch neural gas [2]_. Each epoch moves every unit to the
      ``h``-weighted mean of all samples, in one vectorised step; no learning rate. Few epochs suffice.
    * ``algorithm="minibatch"``: the online rule of [1]_, ``w += lr * mean_batch(h * (x - w))``, applied to
      shuffled mini-batches, with the schedules advanced per update. ``batch_size=1`` is the original
      one-sample-at-a-time algorithm.

    Parameters
    ----------
    n_units : int, default=10
        Number of units. At most the number of training samples.
    algorithm : {"batch", "minibatch"}, default="batch"
        Update rule, see above.
    max_iter : int, default=30
        Epochs (passes over the data).
    lambda_init : float or None, default=None
        Initial neighbourhood range, in ranks; ``None`` uses ``n_units / 2``.
    lambda_final : float, default=0.01
        Final neighbourhood range; ``0.01`` makes the last epochs plain k-means steps.
    lr_init, lr_final : float, default=0.5, 0.005
        Initial and final learning rates of ``algorithm="minibatch"``; ignored by the batch algorithm.
    batch_size : int, default=32
        Mini-batch size of ``algorithm="minibatch"``.
    record_history : bool, default=False
        Keep the unit positions after every epoch in ``history_`` (e.g. to animate the fit).
    random_state : int, RandomState instance or None, default=None
        Seeds the choice of initial samples and the mini-batch order.
    verbose : int, default=0
        Print the quantisation error after every epoch.

    Attributes
    ----------
    cluster_centers_ : ndarray of shape (n_units, n_features)
        Unit positions (named as in :class:`~sklearn.cluster.KMeans`).
    labels_ : ndarray of shape (n_samples,)
        Nearest unit of each training sample.
    quantization_error_ : ndarray of shape (max_iter + 1,)
        Mean Euclidean distance from each training sample to its nearest unit, at initialisation
        (entry 0) and after each epoch.
    history_ : ndarray of shape (max_iter + 1, n_units, n_features)
        Unit positions at initialisation and after each epoch; only with ``record_history=True``.
    n_iter_ : int
        Epochs run.
    n_features_in_ : int
        Features seen in ``fit``.

    References
    ----------
    .. [1] Martinetz, T. M., Berkovich, S. G., & Schulten, K. J. (1993). "Neural-gas" network for vector
       quantization and its application to time-series prediction. *IEEE Transactions on Neural
       Networks*, 4(4), 558-569.
    .. [2] Cottrell, M., Hammer, B., Hasenfuss, A., & Villmann, T. (2006). Batch and median neural gas.
       *Neural Networks*, 19(6-7), 762-771.

    Examples
    --------
    >>> import numpy as np
    >>> from skemotion.cluster import NeuralGas
    >>> X = np.array([[0.0, 0.0], [0.1, 0.0], [5.0, 5.0], [5.1, 5.0]])
    >>> ng = NeuralGas(n_units=2, random_state=0).fit(X)
    >>> np.round(ng.cluster_centers_[np.argsort(ng.cluster_centers_[:, 0])], 2)
    array([[0.05, 0.  ],
           [5.05, 5.  ]])
    >>> ng.predict([[4.0, 4.0]]) == ng.predict([[5.0, 5.0]])
    array([ True])
    """

    _parameter_constraints = {
        "n_units": [Interval(Integral, 1, None, closed="left")],
        "algorithm": [StrOptions({"batch", "minibatch"})],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "lambda_init": [Interval(Real, 0, None, closed="neither"), None],
        "lambda_final": [Interval(Real, 0, None, closed="neither")],
        "lr_init": [Interval(Real, 0, 1, closed="right")],
        "lr_final": [Interval(Real, 0, 1, closed="right")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "record_history": ["boolean"],
        "random_state": ["random_state"],
        "verbose": ["verbose"],
    }

    def __init__(self, n_units=10, *, algorithm="batch", max_iter=30, lambda_init=None, lambda_final=0.01,
                 lr_init=0.5, lr_final=0.005, batch_size=32, record_history=False, random_state=None, verbose=0):
        self.n_units = n_units
        self.algorithm = algorithm
        self.max_iter = max_iter
        self.lambda_init = lambda_init
        self.lambda_final = lambda_final
        self.lr_init = lr_init
        self.lr_final = lr_final
        self.batch_size = batch_size
        self.record_history = record_history
        self.random_state = random_state
        self.verbose = verbose

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Fit the units to ``X``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : ignored

        Returns
        -------
        self : NeuralGas
        """
        X = validate_data(self, X, reset=True, dtype=[np.float64, np.float32])
        n_samples = X.shape[0]
        if n_samples < self.n_units:
            raise ValueError(f"n_samples={n_samples} should be >= n_units={self.n_units}.")
        rng = check_random_state(self.random_state)
        X64 = X.astype(np.float64, copy=False)
        units = X64[rng.choice(n_samples, self.n_units, replace=False)]
        lambda_init = self.n_units / 2 if self.lambda_init is None else self.lambda_init
        lambda_init = max(lambda_init, self.lambda_final)

        errors, history = [], [units.copy()] if self.record_history else None
        step = self._batch_epoch if self.algorithm == "batch" else self._minibatch_epoch
        squared_norms = np.einsum("ij,ij->i", X64, X64)
        for epoch in range(self.max_iter):
            units, error = step(X64, squared_norms, units, epoch, lambda_init, rng)
            errors.append(error)
            if history is not None:
                history.append(units.copy())
            if self.verbose:
                print(f"NeuralGas epoch {epoch + 1}/{self.max_iter}: quantisation error {error:.6g}")
        scores = distance_scores(X64, units)
        errors.append(nearest_distances(X64, units, scores).mean())

        self.cluster_centers_ = units.astype(X.dtype, copy=False)
        self.labels_ = scores.argmin(axis=1)
        self.quantization_error_ = np.asarray(errors)
        if history is not None:
            self.history_ = np.stack(history)
        self.n_iter_ = self.max_iter
        return self

    def _batch_epoch(self, X, squared_norms, units, epoch, lambda_init, rng):
        """One batch neural gas step: every unit becomes the neighbourhood-weighted mean of the data.

        Returns the new units and the quantisation error of the units *before* the step (nearly free here:
        the nearest unit comes with the ranking, its distance from the expanded squares).
        """
        scores = distance_scores(X, units)
        order = np.argsort(scores, axis=1)
        nearest_scores = np.take_along_axis(scores, order[:, :1], axis=1)[:, 0]
        error = np.sqrt(np.maximum(squared_norms + 2 * nearest_scores, 0.0)).mean()
        lam = exponential_schedule(lambda_init, self.lambda_final, epoch / max(self.max_iter - 1, 1))
        weights = neighbourhood_weights(order, lam)
        total = weights.sum(axis=0)
        # A unit that is nobody's near neighbour at a tiny lambda gets weights that underflow: keep it.
        alive = total > np.finfo(np.float64).tiny
        units = units.copy()
        units[alive] = (weights.T @ X)[alive] / total[alive, np.newaxis]
        return units, error

    def _minibatch_epoch(self, X, squared_norms, units, epoch, lambda_init, rng):
        """One pass of online neural gas over shuffled mini-batches, the schedules advanced per update.

        Returns the new units and the quantisation error of the units before the pass.
        """
        error = nearest_distances(X, units, distance_scores(X, units)).mean()
        n_samples = X.shape[0]
        n_batches = -(-n_samples // self.batch_size)
        total_steps = max(self.max_iter * n_batches - 1, 1)
        order = rng.permutation(n_samples)
        for b in range(n_batches):
            batch = order[b * self.batch_size:(b + 1) * self.batch_size]
            progress = (epoch * n_batches + b) / total_steps
            lam = exponential_schedule(lambda_init, self.lambda_final, progress)
            lr = exponential_schedule(self.lr_init, self.lr_final, progress)
            ranking = np.argsort(distance_scores(X[batch], units), axis=1)
            weights = neighbourhood_weights(ranking, lam)  # (batch, n_units)
            # mean over the batch of h * (x - w), for all units at once
            pull = weights.T @ X[batch] - weights.sum(axis=0)[:, np.newaxis] * units
            units = units + lr * pull / len(batch)
        return units, error

    def predict(self, X):
        """Index of the nearest unit of each sample.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        labels : ndarray of shape (n_samples,)
        """
        return self.transform(X).argmin(axis=1)

    def transform(self, X):
        """Euclidean distance from each sample to each unit.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)

        Returns
        -------
        distances : ndarray of shape (n_samples, n_units)
        """
        check_is_fitted(self)
        X = validate_data(self, X, reset=False, dtype=[np.float64, np.float32])
        return euclidean_distances(X, self.cluster_centers_)

    @property
    def _n_features_out(self):
        """Number of distance features, for ``get_feature_names_out`` (``neuralgas0``, ``neuralgas1``...)."""
        return self.cluster_centers_.shape[0]
