"""Base class of the generative over-samplers: imbalanced-learn's contract, on features and on skeletons."""

from abc import abstractmethod
from numbers import Integral

import numpy as np
from imblearn.over_sampling.base import BaseOverSampler
from imblearn.utils import check_target_type
from sklearn.utils import check_consistent_length, check_random_state
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import validate_data

from ..skeleton import skeleton_metadata, with_metadata
from ..skeleton._temporal import resample
from ..utils._tags import skemotion_input_tags
from ..utils.validation import (
    check_skeleton_layout,
    is_ragged_list,
    n_axes,
    sequence_lengths,
    to_skeleton_array,
    validate_skeletons,
)


class SkeletonSamplerMixin:
    """imbalanced-learn's ``fit_resample`` template, extended to ragged lists of skeleton sequences.

    The one place where a sampler of skeletons departs from imbalanced-learn's template: a list of
    ``(n_frames_i, n_joints, n_dims)`` sequences is NaN-padded into one 4-D array, resampled by the
    template (``_check_X_y``, ``sampling_strategy_``, ``_fit_resample``), and cut back into a list by
    :meth:`_to_ragged`. Samplers override ``_check_X_y`` and ``_fit_resample`` (and, if their new
    sequences are not cut at their NaN padding, ``_to_ragged``), never ``fit_resample``.

    Skeleton output carries the input's layout, axes and units, and a frame rate per sequence
    (:meth:`_output_frame_rates`), so the steps after the sampler read them as before it.
    """

    def fit_resample(self, X, y, **params):
        """Resample the data set.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features), (n_samples, n_frames, n_joints, n_dims) or list of arrays
            Feature vectors, or skeleton sequences (NaN-padded array or list of variable-length sequences).
        y : array-like of shape (n_samples,)
            Class labels.
        **params : dict
            Passed to ``_fit_resample``.

        Returns
        -------
        X_resampled : same kind as X
            A list of arrays for a list of sequences.
        y_resampled : array-like of shape (n_samples_new,)
        """
        metadata = skeleton_metadata(X)
        dtype = _skeleton_float_dtype(X)
        if not is_ragged_list(X):
            X_res, y_res = super().fit_resample(X, y, **params)
            if np.ndim(X_res) != 4:
                return X_res, y_res
            X_res = X_res.astype(dtype or X_res.dtype, copy=False)  # float32 in, float32 out
            return carry_metadata(X_res, metadata, self._output_frame_rates(metadata, y, y_res)), y_res
        padded = carry_metadata(to_skeleton_array(X), metadata, metadata.frame_rates)
        X_res, y_res = super().fit_resample(padded, y, **params)
        out = self._to_ragged(X, X_res)
        out = [seq.astype(dtype or seq.dtype, copy=False) for seq in out]
        wrapped = carry_metadata(out, metadata, self._output_frame_rates(metadata, y, y_res))
        originals = {id(x) for x in X}  # the input's own sequences come back untouched
        return [seq if id(seq) in originals else new for seq, new in zip(out, wrapped)], y_res

    def _output_frame_rates(self, metadata, y, y_res):
        """Rates of the output: the input's, then for each new sequence its class's median input rate.

        The median is the rate of every sequence of the class when they agree, and the rate of a sequence
        of typical duration when they were time-normalised (``SkeletonNormalizer(n_frames=...)`` gives every
        sequence its own rate).
        """
        if metadata.frame_rates is None:
            return None
        y, new = np.asarray(y), np.asarray(y_res)[len(y):]
        median = {label: np.nanmedian(metadata.frame_rates[y == label]) for label in np.unique(y)}
        return np.concatenate([metadata.frame_rates, [median[label] for label in new]])

    def _to_ragged(self, X, X_res):
        """The resampled sequences as a list: ``X`` itself, then the new ones cut at their NaN padding."""
        new = X_res[len(X):]
        return list(X) + [seq[:n] for seq, n in zip(new, sequence_lengths(new))]


def _skeleton_float_dtype(X):
    """The floating dtype of skeleton input (an array of 4 axes or a list of sequences), else None.

    Validation computes in float64; the output is cast back to this, so float32 data stays float32 (half
    the memory) through every sampler, whatever its model computes in.
    """
    if is_ragged_list(X):
        dtypes = {np.asarray(x).dtype for x in X}
        return dtypes.pop() if len(dtypes) == 1 and np.issubdtype(next(iter(dtypes)), np.floating) else None
    dtype = getattr(X, "dtype", None)
    if n_axes(X) == 4 and dtype is not None and np.issubdtype(dtype, np.floating):
        return dtype
    return None


class BaseGenerativeOverSampler(SkeletonSamplerMixin, BaseOverSampler):
    """Over-sampler that learns a generative model of the classes and draws new samples from it.

    ``fit_resample`` returns the input samples unchanged, followed by the new ones (as every imbalanced-learn
    over-sampler does). Subclasses implement :meth:`_generate` on standardised data:

    * 2-D input ``(n_samples, n_features)``: every feature is standardised (mean 0, variance 1 over the
      data passed to ``fit_resample``); the model sees ``(n_samples, n_features)``.
    * Skeleton input (a 4-D NaN-padded array ``(n_samples, n_frames, n_joints, n_dims)`` or a list of
      ``(n_frames_i, n_joints, n_dims)`` sequences): every sequence is linearly resampled to ``n_frames``
      frames and every coordinate channel (joint x axis) is standardised over samples and frames; the model
      sees ``(n_samples, n_frames, n_joints * n_dims)``. A new sequence is given the length of a random real
      sequence of its class and padded with NaN like the input; a list comes back as a list.

    Missing joints (NaN inside a sequence) are not imputed: fill them first (e.g.
    :class:`~skemotion.motion.SkeletonNormalizer` with ``max_gap``).
    """

    _parameter_constraints = {
        **BaseOverSampler._parameter_constraints,
        "n_frames": [Interval(Integral, 2, None, closed="left"), None],
    }

    def _check_X_y(self, X, y):
        y, binarize_y = check_target_type(y, indicate_one_vs_all=True)
        X = dense_frame(X)
        if n_axes(X) == 4:
            X_checked, _ = validate_skeletons(self, X, reset=True)
            if "layout" in self.get_params(deep=False):  # the one layout resolution, while X carries its own
                check_skeleton_layout(self, X, X_checked.shape[2], reset=True)
            X = X_checked
            check_consistent_length(X, y)
        else:
            # C order: a DataFrame gives a column-major array, and torch sums it in another order.
            X, y = validate_data(self, X, y, reset=True, dtype=[np.float64, np.float32], order="C")
        return X, y, binarize_y

    def _fit_resample(self, X, y):
        random_state = check_random_state(self.random_state)
        counts = {label: n for label, n in self.sampling_strategy_.items() if n > 0}
        if not counts:  # already balanced: no model to train
            return X.copy(), y.copy()
        is_sequence = X.ndim == 4
        Z, lengths = self._to_model_space(X) if is_sequence else (X.astype(np.float64), None)
        axes = tuple(range(Z.ndim - 1))
        center, scale = Z.mean(axis=axes), Z.std(axis=axes)
        scale[scale < 1e-12 * max(1.0, np.abs(center).max())] = 1.0  # constant channels stay constant
        Z_new, y_new = self._generate((Z - center) / scale, y, counts, random_state)
        Z_new = Z_new * scale + center
        X_new = self._to_sequences(Z_new, y_new, X, y, lengths, random_state) if is_sequence else Z_new
        return np.concatenate([X, X_new.astype(X.dtype, copy=False)]), np.concatenate([y, y_new.astype(y.dtype)])

    @abstractmethod
    def _generate(self, Z, y, counts, random_state):
        """Fit the generative model on standardised ``Z`` and draw ``counts[label]`` samples of each label.

        Parameters
        ----------
        Z : ndarray of shape (n_samples, n_features) or (n_samples, n_frames, n_channels)
        y : ndarray of shape (n_samples,)
        counts : dict
            Label -> number of samples to generate (all positive).
        random_state : RandomState instance

        Returns
        -------
        Z_new : ndarray of shape (sum(counts.values()),) + Z.shape[1:]
        y_new : ndarray of shape (sum(counts.values()),)
        """

    def _to_model_space(self, X):
        """Resample every sequence to ``n_frames`` and merge joints and coordinates into channels."""
        lengths = sequence_lengths(X)
        n_frames = self.n_frames or X.shape[1]
        Z = resample(X, lengths, n_frames)
        if np.isnan(Z).any():
            raise ValueError(
                f"{type(self).__name__} needs complete skeleton sequences, but some joints are missing (NaN) "
                "inside a sequence; fill the gaps first, e.g. with SkeletonNormalizer(max_gap=...)."
            )
        return Z.reshape(Z.shape[0], n_frames, -1), lengths

    @staticmethod
    def _to_sequences(Z_new, y_new, X, y, lengths, random_state):
        """Back to skeletons: each new sequence takes the length of a random real sequence of its class."""
        n_joints, n_dims = X.shape[2:]
        new_lengths = np.empty(len(y_new), dtype=int)
        for label in np.unique(y_new):
            mask = y_new == label
            new_lengths[mask] = random_state.choice(lengths[y == label], size=mask.sum())
        Z_new = Z_new.reshape(len(Z_new), -1, n_joints, n_dims)
        out = np.full((len(Z_new),) + X.shape[1:], np.nan)
        for length in np.unique(new_lengths):
            rows = np.flatnonzero(new_lengths == length)
            model_lengths = np.full(len(rows), Z_new.shape[1])
            out[rows, :length] = resample(Z_new[rows], model_lengths, length)
        return out

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags = skemotion_input_tags(
            tags.input_tags, sparse=False, allow_nan=False, skeleton=True, variable_length=True
        )
        return tags


def check_class_sizes(sampler, y, counts, minimum=2):
    """Raise a clear error when a class to be over-sampled has too few samples to learn its spread from."""
    for label in counts:
        n = int(np.sum(y == label))
        if n < minimum:
            raise ValueError(
                f"{type(sampler).__name__} needs at least {minimum} samples of a class to generate new ones; "
                f"class {label} has {n}. Exclude it from sampling_strategy or gather more data."
            )


def dense_frame(X):
    """A pandas DataFrame of sparse columns as a dense one: the models need dense data, and
    imbalanced-learn's template gives the output the input's column types again."""
    return X.sparse.to_dense() if hasattr(X, "sparse") else X


def carry_metadata(X_out, metadata, frame_rates):
    """Skeletons ``X_out`` (a 4-D array or a list) with the input's layout, axes and units and these rates."""
    if all(v is None for v in (metadata.layout, metadata.frame_rates, metadata.y_up, metadata.units)):
        return X_out
    return with_metadata(X_out, layout=metadata.layout, frame_rate=frame_rates, y_up=metadata.y_up,
                         units=metadata.units)
