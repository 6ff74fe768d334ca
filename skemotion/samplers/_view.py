"""ViewAugmenter: new views of skeleton sequences (yaw rotation, mirroring, scaling, jitter) for training folds."""

from numbers import Integral, Real

import numpy as np
from imblearn.base import BaseSampler
from imblearn.utils import check_target_type
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import check_consistent_length

from ..skeleton import SkeletonLayout, yaw_rotation
from ..utils._tags import skemotion_input_tags
from ..utils.validation import check_skeleton_layout, validate_skeletons
from ._base import SkeletonSamplerMixin


class ViewAugmenter(SkeletonSamplerMixin, BaseSampler):
    """Augment skeleton sequences with new views: yaw rotations, mirror images, scaling and jitter.

    Each sequence gets one copy per view angle, rotated about the vertical (y) axis through the origin
    (centre the sequences first, e.g. with :class:`~skemotion.motion.SkeletonNormalizer`, to turn each body
    in place); with ``mirror=True`` each copy also gets its mirror image (x -> -x with the layout's
    left/right joints swapped, so a left hand stays a left hand). Every copy is then scaled by a random
    factor and jittered with Gaussian noise if asked. Labels are copied with their sequences.

    As an imbalanced-learn sampler it acts only in ``fit`` of an :class:`imblearn.pipeline.Pipeline`: the
    training folds are augmented, the test folds are not. It multiplies every class by the same factor
    (it does not balance classes; combine it with a balancing sampler for that).

    Parameters
    ----------
    angles : array-like of float or None, default=None
        Yaw angles in degrees, one copy per angle for every sequence (``0`` gives an unrotated copy, useful
        with mirroring, scaling or jitter). ``None`` draws ``n_views`` angles uniformly in [0, 360) per
        sequence.
    n_views : int, default=4
        Random views per sequence when ``angles`` is None.
    mirror : bool, default=True
        Add the mirror image of every copy.
    scale_range : (float, float) or None, default=None
        Multiply each copy by a factor drawn uniformly in this range (about the origin).
    jitter_std : float, default=0.0
        Standard deviation of the Gaussian noise added to every coordinate of the copies (data units).
    keep_original : bool, default=True
        Return the original sequences first, then the copies.
    layout : "auto", str, SkeletonLayout or None, default="auto"
        Joint layout, for the left/right swap of mirroring: ``"auto"`` reads the layout the data carries,
        else the one its joint count implies (an error otherwise, when mirroring); ``None`` mirrors
        coordinates only.
    random_state : int, RandomState instance or None, default=None
        Seed of the random angles, scales and jitter.

    Attributes
    ----------
    sampling_strategy_ : dict
        Number of copies added per class.
    sample_indices_ : ndarray of shape (n_samples_resampled,)
        Index of the original sequence of each returned sequence.
    n_joints_in_, n_dims_in_ : int
        Joints and coordinates per joint seen in ``fit_resample``.
    layout_ : SkeletonLayout or None
        The layout used to mirror (from ``layout``).

    Examples
    --------
    >>> from skemotion.datasets import make_emotional_gait
    >>> from skemotion.samplers import ViewAugmenter
    >>> gait = make_emotional_gait(6, random_state=0)
    >>> augmenter = ViewAugmenter(angles=[90, 180], mirror=True, random_state=0)
    >>> X_res, y_res = augmenter.fit_resample(gait.data, gait.target)
    >>> len(X_res)  # 6 originals + 6 x 2 angles x 2 (mirrored or not)
    30
    >>> augmenter.sample_indices_[:8].tolist()
    [0, 1, 2, 3, 4, 5, 0, 0]
    """

    _sampling_type = "bypass"

    _parameter_constraints = {
        "angles": ["array-like", None],
        "n_views": [Interval(Integral, 1, None, closed="left")],
        "mirror": ["boolean"],
        "scale_range": [tuple, list, None],
        "jitter_std": [Interval(Real, 0, None, closed="left")],
        "keep_original": ["boolean"],
        "layout": [str, SkeletonLayout, None],
        "random_state": ["random_state"],
    }

    def __init__(self, angles=None, n_views=4, mirror=True, scale_range=None, jitter_std=0.0, keep_original=True,
                 layout="auto", random_state=None):
        self.angles = angles
        self.n_views = n_views
        self.mirror = mirror
        self.scale_range = scale_range
        self.jitter_std = jitter_std
        self.keep_original = keep_original
        self.layout = layout
        self.random_state = random_state

    @property
    def sampling_strategy(self):
        """Copies added per class, from the labels of the last fit (read-only; not a parameter).

        imbalanced-learn's template stores it in ``sampling_strategy_``: every class is multiplied by the
        same factor, so the counts follow from ``angles`` / ``n_views`` and ``mirror``.
        """
        return getattr(self, "_copies_per_class", "auto")

    def _check_X_y(self, X, y):
        """Skeletons ``(n, T, J, D)`` of X's float dtype (a 2-D array stays 2-D, as it came) and the labels."""
        y, one_vs_all = check_target_type(y, indicate_one_vs_all=True)
        skeletons, _ = validate_skeletons(self, X, reset=True, two_d_as="joints")
        check_consistent_length(skeletons, y)
        self.layout_ = check_skeleton_layout(self, X, skeletons.shape[2], reset=True, required=self.mirror)
        self._check_params(skeletons.shape[3])
        classes, counts = np.unique(y, return_counts=True)
        self._copies_per_class = dict(zip(classes.tolist(), (counts * self._n_copies()).tolist()))
        dtype = X.dtype if getattr(X, "dtype", None) is not None and X.dtype.kind == "f" else np.float64
        if np.ndim(X) == 2:
            skeletons = skeletons.reshape(len(skeletons), -1)
        return skeletons.astype(dtype, copy=False), y, one_vs_all

    def _output_frame_rates(self, metadata, y, y_res):
        """Every copy is recorded at its original's rate."""
        return None if metadata.frame_rates is None else metadata.frame_rates[self.sample_indices_]

    def _to_ragged(self, X, X_res):
        """Each returned sequence keeps the frames of its original."""
        lengths = np.array([len(seq) for seq in X])
        return [x[:n] for x, n in zip(X_res, lengths[self.sample_indices_])]

    def _check_params(self, n_dims):
        rotates = self.angles is None or np.any(np.asarray(self.angles, dtype=float) % 360 != 0)
        if rotates and n_dims != 3:
            raise ValueError(
                f"Rotation about the vertical axis needs 3 coordinates per joint, got {n_dims}; use angles=[0] to "
                "only mirror, scale or jitter."
            )
        if self.angles is not None and np.ndim(self.angles) != 1:
            raise ValueError(f"angles must be a 1-D list of degrees, got {self.angles!r}.")
        if self.scale_range is not None:
            low, high = self.scale_range
            if not 0 < low <= high:
                raise ValueError(f"scale_range must be (low, high) with 0 < low <= high, got {self.scale_range!r}.")

    def _n_copies(self):
        n_angles = self.n_views if self.angles is None else len(self.angles)
        return n_angles * (2 if self.mirror else 1)

    def _fit_resample(self, X, y):
        """Originals (if kept) then copies ``(n * n_copies, T, J, D)`` in sample order, with their labels."""
        rng = check_random_state(self.random_state)
        n, shape, dtype = len(X), X.shape, X.dtype
        X = X.reshape(n, 1, -1, 1) if X.ndim == 2 else X  # a 2-D array is one frame of 1-D joints
        if self.angles is None:
            angles = rng.uniform(0.0, 360.0, size=(n, self.n_views))
        else:
            angles = np.broadcast_to(np.asarray(self.angles, dtype=float), (n, len(self.angles)))
        copies = X[:, np.newaxis]
        if np.any(angles % 360 != 0):
            copies = np.einsum("nvij,ntkj->nvtki", yaw_rotation(angles), X)
        else:
            copies = np.repeat(copies, angles.shape[1], axis=1)
        if self.mirror:
            copies = np.concatenate([copies, self._mirrored(copies)], axis=1)
        if self.scale_range is not None:
            copies = copies * rng.uniform(*self.scale_range, size=copies.shape[:2] + (1, 1, 1))
        if self.jitter_std > 0:
            copies = copies + rng.normal(0.0, self.jitter_std, size=copies.shape)
        n_copies = copies.shape[1]
        copies = copies.reshape((n * n_copies,) + X.shape[1:])
        indices = np.repeat(np.arange(n), n_copies)
        if self.keep_original:
            copies, indices = np.concatenate([X, copies]), np.concatenate([np.arange(n), indices])
        self.sample_indices_ = indices
        return copies.reshape((len(copies),) + shape[1:]).astype(dtype, copy=False), y[indices]

    def _mirrored(self, X):
        """Mirror image in the x = 0 plane, with left and right joints swapped."""
        if self.layout_ is not None:
            X = X[..., self.layout_.mirror_permutation, :]
        sign = np.ones(X.shape[-1])
        sign[0] = -1.0
        return X * sign

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags = skemotion_input_tags(
            tags.input_tags, allow_nan=True, skeleton=True, variable_length=True, dataframe=False, sparse=False
        )
        tags.sampler_tags.sample_indices = True
        return tags
