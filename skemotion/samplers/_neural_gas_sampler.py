"""NeuralGasSampler: over-sampling from local Gaussians around the units of one neural gas per class."""

import warnings
from numbers import Integral, Real

import numpy as np
from scipy.ndimage import gaussian_filter1d
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.extmath import svd_flip

from ..cluster import NeuralGas
from ..skeleton import SkeletonLayout
from ._base import BaseGenerativeOverSampler, check_class_sizes
from ._sequence_synthesis import neural_gas_fit_resample

# Each unit should summarise at least this many samples on average: a unit on a single sample sits on it,
# so its "local Gaussian" would emit copies of training samples (the defect of the research code this
# replaces, with 50 units for a handful of clips).
MIN_SAMPLES_PER_UNIT = 2
DEFAULT_N_UNITS = 10


def units_for_class(n_units, n_class_samples):
    """Units of a class's neural gas: ``min(n_units, n_class_samples // 2)``, at least 1.

    Examples
    --------
    >>> units_for_class(10, 7), units_for_class(10, 100), units_for_class(10, 2)
    (3, 10, 1)
    """
    return max(1, min(n_units, n_class_samples // MIN_SAMPLES_PER_UNIT))


class NeuralGasSampler(BaseGenerativeOverSampler):
    """Over-sample each class from local Gaussians around the units of its own neural gas.

    For each class to over-sample, a :class:`~skemotion.cluster.NeuralGas` with
    ``min(n_units, n_class_samples // 2)`` units (at least one) is fitted to the class's standardised
    samples. A unit therefore summarises two or more samples on average and sits between them, never on a
    single one. Every sample is assigned to its nearest unit; a new sample picks a unit with probability
    equal to its share of the class's samples, then is drawn from that unit's Gaussian: centred on the unit,
    with covariance

    ``Sigma_k = (n_k * S_k + prior_count * S_pooled) / (n_k + prior_count)``

    where ``S_k`` is the scatter of the unit's ``n_k`` samples around it and ``S_pooled`` the scatter of
    all the class's samples around their units. The pooled term regularises units with few samples (a unit
    with one sample gets a fraction of the class's typical local spread instead of none), so new samples
    are never copies, yet they stay close to the class's samples.

    With ``covariance="full"`` the covariance is exact: a draw is the unit plus its covariance factor times a
    standard Gaussian vector, written in an orthonormal basis of the samples' deviations from their units, so
    new samples lie in the span of the class's own local variations (e.g. smooth motions stay smooth), and
    the cost grows linearly with the number of samples. ``"diag"`` keeps only the per-feature variances.

    Skeleton sequences (a NaN-padded 4-D array or a list of variable-length sequences) are not flattened
    and mixed frame by frame, which would blend clips in different gait phases and shorten bones. Instead
    (module ``skemotion/samplers/_sequence_synthesis.py``) the class's neural gas, fitted on its clips resampled
    to ``n_frames`` frames, pairs each clip with the other clips of its unit; a new sequence mixes a clip
    with a partner after turning the partner to face the same way and time-warping it onto the clip by
    dynamic time warping. The mix is made of bone directions (from the ``layout``'s parents), root motion
    and per-sequence bone lengths, its length is drawn between the two clips', and forward kinematics
    rebuilds the joints, so every bone keeps one length over the whole sequence. ``covariance``,
    ``prior_count`` and ``smoothing`` apply to 2-D input only.

    No new sequence is a near-copy of a real one, by this rule (``min_novelty``, sequences only): every
    input clip (of any class) is described by kinematic features (speed, acceleration and jerk statistics,
    path length, range per joint) and by the distances of the end effectors (joints that are no one's
    parent: head, hands, feet) to the other joints, standardised over the input clips; a candidate's
    novelty is its distance to its nearest input clip divided by the median distance of an input clip to
    its nearest other one. A candidate below ``min_novelty`` is rejected and drawn again: with another
    partner and a partner weight nearer 1/2 (up to 6 mixes), then as the base clip varied alone with
    growing amplitude and tempo changes (up to 6 more), then varied with its mean posture shifted towards
    that of another clip of its class, the lowest joint kept on the base's ground (up to 6 more: a clip
    that barely moves, such as a sad wave, changes little when its motion is scaled). Candidates of all
    classes are scored together, round by round. If every attempt stays below, the most novel one is kept
    and a ``RuntimeWarning`` says how many.

    Parameters
    ----------
    sampling_strategy : float, str, dict or callable, default="auto"
        As in imbalanced-learn: which classes to over-sample and to how many samples.
    random_state : int, RandomState instance or None, default=None
        Seeds the neural gases and the draws.
    n_units : int, default=10
        Maximum units per class. A class of ``n`` samples holds at most ``n // 2`` units; a value other than
        the default that a class caps gives a warning naming the effective units per class.
    max_iter : int, default=30
        Epochs of each (batch) neural gas.
    covariance : {"full", "diag"}, default="full"
        Covariance of the local Gaussians.
    prior_count : float, default=1.0
        Weight, in samples, of the class's pooled local scatter in every unit's covariance; ``0`` uses each
        unit's own scatter only (a unit with one sample then copies it).
    smoothing : float, default=1.0
        Standard deviation, in frames, of the Gaussian filter applied along time to new sequences;
        ``0`` for none. Ignored for 2-D input.
    n_frames : int or None, default=None
        Frames every sequence is resampled to for the neural gas that pairs clips (``None``: 32); new
        sequences have lengths between real ones (where every input clip has one length, as after
        ``SkeletonNormalizer(n_frames=...)``, new ones have that length too).
    layout : "auto", str, SkeletonLayout or None, default="auto"
        Skeleton layout whose parents define the bones of sequences; ``"auto"`` takes the layout the data
        carries, else the one its joint count implies (:func:`skemotion.skeleton.resolve_layout`); ``None``
        (or no layout found) hangs every joint from joint 0.
    y_up : bool, default=True
        Vertical axis of 3-D sequences, y (``True``) or z; partners are turned about it.
    min_novelty : float, default=0.3
        Smallest novelty of a new sequence (see above), in units of the median real-to-real nearest
        distance; ``0`` accepts every first draw. Ignored for 2-D input.

    Attributes
    ----------
    sampling_strategy_ : dict
        Number of samples generated per class.
    neural_gases_ : dict
        Label -> the fitted :class:`~skemotion.cluster.NeuralGas` of that class (in standardised units).
    n_features_in_ : int
        Features of 2-D input. For skeletons, ``n_joints_in_`` and ``n_dims_in_`` instead.

    See Also
    --------
    VAESampler, GANSampler : neural generative samplers, slower.
    imblearn.over_sampling.SMOTE : interpolation between neighbours.

    Examples
    --------
    >>> from collections import Counter
    >>> from sklearn.datasets import make_classification
    >>> from skemotion.samplers import NeuralGasSampler
    >>> X, y = make_classification(200, weights=[0.8, 0.2], random_state=0)
    >>> X_res, y_res = NeuralGasSampler(random_state=0).fit_resample(X, y)
    >>> sorted(Counter(y_res).items())
    [(np.int64(0), 159), (np.int64(1), 159)]
    """

    _parameter_constraints = {
        **BaseGenerativeOverSampler._parameter_constraints,
        "n_units": [Interval(Integral, 1, None, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "covariance": [StrOptions({"full", "diag"})],
        "prior_count": [Interval(Real, 0, None, closed="left")],
        "smoothing": [Interval(Real, 0, None, closed="left")],
        "layout": [StrOptions({"auto"}), str, SkeletonLayout, None],
        "y_up": ["boolean"],
        "min_novelty": [Interval(Real, 0, None, closed="left")],
    }

    def __init__(self, *, sampling_strategy="auto", random_state=None, n_units=10, max_iter=30, covariance="full",
                 prior_count=1.0, smoothing=1.0, n_frames=None, layout="auto", y_up=True,
                 min_novelty=0.3):
        super().__init__(sampling_strategy=sampling_strategy)
        self.random_state = random_state
        self.n_units = n_units
        self.max_iter = max_iter
        self.covariance = covariance
        self.prior_count = prior_count
        self.smoothing = smoothing
        self.n_frames = n_frames
        self.layout = layout
        self.y_up = y_up
        self.min_novelty = min_novelty

    def _fit_resample(self, X, y):
        self._warn_capped_units(y)
        if X.ndim == 4:  # skeleton sequences: time-aligned mixing of bones, see _sequence_synthesis
            return neural_gas_fit_resample(self, X, y)
        return super()._fit_resample(X, y)

    def _warn_capped_units(self, y):
        """Say once per fit when a chosen ``n_units`` exceeds what a class can hold (else a grid over it is flat).

        Not for the default, a safe choice whose cap the docstring states (and which every small data set meets).
        """
        if self.n_units == DEFAULT_N_UNITS:
            return
        labels, sizes = np.unique(y, return_counts=True)
        sizes = dict(zip(labels.tolist(), sizes.tolist()))
        capped = {label: units_for_class(self.n_units, sizes[label]) for label in self.sampling_strategy_
                  if units_for_class(self.n_units, sizes[label]) < self.n_units}
        if capped:
            effective = ", ".join(f"{label!s}: {units}" for label, units in capped.items())
            warnings.warn(f"n_units={self.n_units} is more than some classes can hold (at most one unit per "
                          f"{MIN_SAMPLES_PER_UNIT} samples); effective units per class: {effective}. Larger "
                          "n_units values give the same result.", UserWarning, stacklevel=4)

    def _generate(self, Z, y, counts, random_state):
        check_class_sizes(self, y, counts)
        self.neural_gases_ = {}
        Z_new, y_new = [], []
        for label, n_new in counts.items():
            points = Z[y == label].reshape(int(np.sum(y == label)), -1)
            gas = NeuralGas(units_for_class(self.n_units, len(points)), max_iter=self.max_iter,
                            random_state=random_state.randint(np.iinfo(np.int32).max)).fit(points)
            self.neural_gases_[label] = gas
            Z_new.append(self._draw(gas, points, n_new, random_state).reshape((n_new,) + Z.shape[1:]))
            y_new.append(np.full(n_new, label, dtype=y.dtype))
        Z_new = np.concatenate(Z_new)
        if Z.ndim == 3 and self.smoothing > 0:
            Z_new = gaussian_filter1d(Z_new, self.smoothing, axis=1, mode="nearest")
        return Z_new, np.concatenate(y_new)

    def _draw(self, gas, points, n_new, random_state):
        """``n_new`` draws from the mixture of the units' regularised local Gaussians.

        Self-contained: it needs the fitted ``gas``, the (flattened) ``points`` it was fitted on, and the
        random state. Cost ``O(n_points r^2 + n_new r (r + n_features))`` with ``r = min(n_points,
        n_features)``: linear in the data.
        """
        units, owner = gas.cluster_centers_, gas.labels_
        n_points = len(points)
        members = np.bincount(owner, minlength=len(units))
        chosen = random_state.choice(len(units), size=n_new, p=members / n_points)
        deviations = points - units[owner]  # (n_points, n_features)
        weight = 1.0 / np.sqrt(members + self.prior_count)  # (n_units,)
        draws = units[chosen]
        if self.covariance == "diag":
            own_scatter = np.zeros_like(units)
            np.add.at(own_scatter, owner, deviations**2)
            pooled_scatter = self.prior_count * (deviations**2).mean(axis=0)
            std = weight[chosen, np.newaxis] * np.sqrt(own_scatter[chosen] + pooled_scatter)
            return draws + std * random_state.standard_normal(draws.shape)
        # Every unit's covariance lives in the span of the deviations: work in an orthonormal basis of it
        # (r <= min(n_points, n_features) coordinates), so new samples stay in the span of the class's own
        # local variations, and a d x d factor is never needed when the features outnumber the points.
        basis, coords = _row_space(deviations)  # (r, n_features), (n_points, r)
        pooled_scatter = (self.prior_count / n_points) * (coords.T @ coords)
        for unit in np.unique(chosen):
            rows = np.flatnonzero(chosen == unit)
            own = coords[owner == unit]
            factor = weight[unit] * _psd_factor(own.T @ own + pooled_scatter)  # Sigma_k = factor @ factor.T
            draws[rows] += (random_state.standard_normal((len(rows), len(basis))) @ factor.T) @ basis
        return draws


def _row_space(deviations):
    """Orthonormal basis (rows) of the span of the rows of ``deviations``, and their coordinates in it."""
    U, s, Vt = np.linalg.svd(deviations, full_matrices=False)
    # LAPACK's signs of singular vectors depend on the memory layout: fix them by the data, so that a
    # seed gives the same samples from a C- or F-ordered array (or a DataFrame).
    U, Vt = svd_flip(U, Vt)
    rank = int(np.sum(s > s[0] * max(deviations.shape) * np.finfo(float).eps))  # 0 if all deviations are 0
    return Vt[:rank], U[:, :rank] * s[:rank]


def _psd_factor(scatter):
    """``L`` with ``L @ L.T == scatter`` for a symmetric positive semi-definite matrix (rank-deficient too).

    Cholesky's factor is unique, hence reproducible; a singular matrix (``prior_count=0``) falls back to
    the eigendecomposition, with each eigenvector's largest entry made positive for the same reason.
    """
    try:
        return np.linalg.cholesky(scatter)
    except np.linalg.LinAlgError:
        eigenvalues, eigenvectors = np.linalg.eigh(scatter)
        signs = np.sign(eigenvectors[np.abs(eigenvectors).argmax(axis=0), np.arange(len(scatter))])
        return eigenvectors * (signs * np.sqrt(np.clip(eigenvalues, 0.0, None)))
