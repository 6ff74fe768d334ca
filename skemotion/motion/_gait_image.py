"""GaitImageEmbedding: a skeleton sequence as a pseudo-RGB image (time x joints, x/y/z as colour channels)."""

from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.utils._available_if import available_if
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import check_is_fitted

from ..skeleton import axis_name
from ..skeleton._temporal import nan_warnings_ignored, resample
from ..utils._tags import SkeletonMixin
from ..utils.validation import validate_skeletons


def _image_shape(image_size):
    return (image_size, image_size) if isinstance(image_size, Integral) else tuple(image_size)


class GaitImageEmbedding(SkeletonMixin, TransformerMixin, BaseEstimator):
    """Embed skeleton sequences as pseudo-RGB images for 2-D convolutional networks, as in ProxEmo.

    Row ``t`` and column ``j`` of the image hold joint ``j`` at time ``t``; its three channels are the x, y
    and z coordinates (Narayanan et al. 2020, ProxEmo). Each sequence is resampled linearly over its own
    length to ``height`` rows; joints are repeated over ``width`` columns (nearest neighbour: joints next to
    each other in the layout are not next to each other on the body, so blending them, as an image resize
    would, invents coordinates). Each channel of each image is then min-max scaled to [0, 1]. Every sample is
    embedded on its own: nothing is learned from the training set.

    Parameters
    ----------
    image_size : int or (int, int), default=64
        Output ``(height, width)``: frames along the height, joints along the width. The width must be at
        least the number of joints.
    invert : bool, default=False
        Use ``1 - v`` (ProxEmo's ``(max - v) / (max - min)``) instead of ``v``.
    fill_value : float, default=0.0
        Value of missing (NaN) joints after scaling.
    flatten : bool, default=False
        Return ``(n_samples, 3 * height * width)`` rows instead of ``(n_samples, 3, height, width)`` images.

    Attributes
    ----------
    n_joints_in_, n_dims_in_ : int
        Joints and coordinates per joint seen in ``fit``; the images have ``n_dims_in_`` channels.

    Examples
    --------
    >>> from skemotion.datasets import make_emotional_gait
    >>> from skemotion.motion import GaitImageEmbedding
    >>> gait = make_emotional_gait(4, random_state=0)
    >>> images = GaitImageEmbedding(image_size=(32, 48)).fit_transform(gait.data)
    >>> images.shape, images.dtype
    ((4, 3, 32, 48), dtype('float32'))
    >>> float(images.min()), float(images.max())
    (0.0, 1.0)
    """

    _parameter_constraints = {
        "image_size": [Interval(Integral, 1, None, closed="left"), tuple, list],
        "invert": ["boolean"],
        "fill_value": [Real],
        "flatten": ["boolean"],
    }

    def __init__(self, image_size=64, invert=False, fill_value=0.0, flatten=False):
        self.image_size = image_size
        self.invert = invert
        self.fill_value = fill_value
        self.flatten = flatten

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Check the input and the image size.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_frames, n_joints, n_dims) or list of arrays
        y : ignored

        Returns
        -------
        self : GaitImageEmbedding
        """
        X, _ = validate_skeletons(self, X, reset=True)
        self._checked_size()
        return self

    def _checked_size(self):
        shape = _image_shape(self.image_size)
        if len(shape) != 2 or not all(isinstance(s, Integral) and s >= 1 for s in shape):
            raise ValueError(f"image_size must be an int or (height, width) of positive ints, got {self.image_size!r}.")
        if shape[1] < self.n_joints_in_:
            raise ValueError(
                f"The image width {shape[1]} is smaller than the {self.n_joints_in_} joints: some joints would be "
                "dropped. Use a width of at least the number of joints."
            )
        return shape

    def transform(self, X):
        """Embed each sequence.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_frames, n_joints, n_dims) or list of arrays

        Returns
        -------
        images : ndarray of shape (n_samples, n_dims, height, width) or (n_samples, n_dims * height * width)
            float32 values in [0, 1].
        """
        check_is_fitted(self)
        X, lengths = validate_skeletons(self, X, reset=False)
        height, width = self._checked_size()
        columns = (np.arange(width) * X.shape[2]) // width  # joint shown in each column
        images = resample(X, lengths, height)[:, :, columns]  # (n, height, width, dims)
        with nan_warnings_ignored():
            low = np.nanmin(images, axis=(1, 2), keepdims=True)
            span = np.nanmax(images, axis=(1, 2), keepdims=True) - low
        images = np.divide(images - low, span, out=np.zeros_like(images), where=span > 0)
        if self.invert:
            images = 1.0 - images
        images = np.where(np.isnan(images), self.fill_value, images)
        images = images.transpose(0, 3, 1, 2).astype(np.float32)
        return images.reshape(len(images), -1) if self.flatten else images

    @available_if(lambda self: self.flatten)
    def get_feature_names_out(self, input_features=None):
        """Names ``{channel}_r{row}_c{column}`` of the flattened pixels (only with ``flatten=True``)."""
        check_is_fitted(self)
        height, width = _image_shape(self.image_size)
        return np.array([f"{axis_name(d)}_r{r}_c{c}" for d in range(self.n_dims_in_) for r in range(height)
                         for c in range(width)], dtype=object)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.transformer_tags.preserves_dtype = ["float32"]  # float32 images, whatever the input
        return tags
