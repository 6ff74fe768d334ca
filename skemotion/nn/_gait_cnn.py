"""GaitCNNClassifier: a grouped-convolution CNN on gait images (after ProxEmo's VS-GCNN), trained with skorch."""

from numbers import Integral, Real

import numpy as np
import torch
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import validate_data
from torch import nn

from ._base import TorchClassifier


class GaitCNN(nn.Module):
    """Grouped 2-D convolutions over a gait image ``(channels, frames, joints)``, sized for a CPU.

    As in ProxEmo's VS-GCNN (Narayanan et al. 2020): an ungrouped 3x3 convolution that mixes the x, y, z
    channels, then blocks of grouped 3x3 convolution, ReLU and 2x2 max pooling. Unlike it, convolutions are
    padded and the head average-pools the feature maps to a fixed ``head_size`` grid (which keeps where in
    time and on which joints a pattern occurs) before a linear layer, so any image size works and the number
    of outputs is ``n_classes`` rather than set by the input size; group normalisation replaces batch
    normalisation so that a batch of one sample trains too.

    Parameters
    ----------
    n_classes : int
    in_channels : int, default=3
    channels : tuple of int, default=(16, 32, 64)
        Output channels of the first convolution and of each grouped block; multiples of ``n_groups``.
    n_groups : int, default=4
    dropout : float, default=0.2
    head_size : (int, int), default=(4, 4)
        Grid (frames x joints) the last feature maps are pooled to before the linear layer.
    """

    def __init__(self, n_classes, in_channels=3, channels=(16, 32, 64), n_groups=4, dropout=0.2, head_size=(4, 4)):
        super().__init__()
        layers = [nn.Conv2d(in_channels, channels[0], 3, padding=1), nn.ReLU()]
        for c_in, c_out in zip(channels[:-1], channels[1:]):
            layers += [
                nn.Conv2d(c_in, c_out, 3, padding=1, groups=n_groups), nn.ReLU(), nn.MaxPool2d(2, ceil_mode=True),
                nn.GroupNorm(n_groups, c_out), nn.Dropout(dropout),
            ]
        layers += [nn.AdaptiveAvgPool2d(head_size), nn.Flatten(),
                   nn.Linear(channels[-1] * head_size[0] * head_size[1], n_classes)]
        self.layers = nn.Sequential(*layers)

    def forward(self, images):
        return self.layers(images)


class GaitCNNClassifier(TorchClassifier):
    """Emotion classifier on gait images with a grouped-convolution CNN (ProxEmo's VS-GCNN, sized for CPU).

    A skorch net on skemotion's network base (:class:`~skemotion.nn.TorchClassifier`) that trains
    :class:`GaitCNN` with cross-entropy and Adam. The network's input channels and the classes are inferred
    from the data at fit time and kept in fitted attributes, so the estimator clones, grid-searches and
    cross-validates like any other. Feed it the images of :class:`~skemotion.motion.GaitImageEmbedding`.

    Parameters
    ----------
    channels : tuple of int, default=(16, 32, 64)
        Channels of the first convolution and of each grouped block (multiples of ``n_groups``).
    n_groups : int, default=4
        Groups of the grouped convolutions.
    dropout : float, default=0.2
    max_epochs : int, default=30
    batch_size : int, default=32
    lr : float, default=1e-3
        Adam's learning rate.
    weight_decay : float, default=0.0
    train_split : callable or None, default=None
        skorch's internal validation split (e.g. ``skorch.dataset.ValidSplit(5)``); ``None`` trains on all.
    callbacks : list or None, default=None
        skorch callbacks (e.g. early stopping with a ``train_split``).
    verbose : int, default=0
        skorch's per-epoch table when > 0.
    random_state : int, RandomState instance or None, default=None
        Seeds torch's weight initialisation, shuffling and dropout (inside a forked RNG: the global torch
        seed is left alone).
    device : str or torch.device, default="cpu"
        Where the network trains and predicts ("cuda" needs a GPU).
    torch_threads : int or None, default=None
        Intra-op torch threads while training and predicting; ``None`` keeps torch's setting.
    **kwargs
        Other :class:`skorch.NeuralNet` parameters (``module__*``, ``optimizer__*``, ``classes``...).

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    n_features_in_ : int
        Channels of the images (columns of a 2-D input).
    input_shape_ : tuple of int
        ``(channels, height, width)`` of the images seen in ``fit``; a 2-D input ``(n, n_features)`` is read
        as images of shape ``(1, 1, n_features)``.
    module_ : GaitCNN
        The trained network; ``history_`` is the training log.
    net_ : GaitCNNClassifier
        The estimator itself (it is the skorch net), for code written when the net was a wrapped attribute.

    Notes
    -----
    Predictions do not depend on batch composition: the network normalises each sample alone
    (``GroupNorm``, no batch statistics) and predicts in eval mode (dropout off), so a sample gets the same
    probabilities alone, in any batch and in any order, up to float round-off. A seeded fit gives the same
    model with any ``torch_threads`` up to round-off (``tests/test_reliability.py`` checks both).

    Examples
    --------
    >>> from sklearn.pipeline import make_pipeline
    >>> from skemotion.datasets import make_emotional_gait
    >>> from skemotion.motion import GaitImageEmbedding, SkeletonNormalizer
    >>> from skemotion.nn import GaitCNNClassifier
    >>> gait = make_emotional_gait(16, random_state=0)
    >>> model = make_pipeline(SkeletonNormalizer(align_yaw=True), GaitImageEmbedding(image_size=(16, 16)),
    ...                       GaitCNNClassifier(channels=(8, 16), max_epochs=2, random_state=0))
    >>> model.fit(gait.data, gait.target).predict(gait.data[:3]).shape
    (3,)
    >>> model[-1].input_shape_
    (3, 16, 16)
    """

    _parameter_constraints = {
        **TorchClassifier._parameter_constraints,
        "channels": [tuple, list],
        "n_groups": [Interval(Integral, 1, None, closed="left")],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "weight_decay": [Interval(Real, 0, None, closed="left")],
        "train_split": [callable, None],
        "callbacks": [list, None],
        "verbose": ["verbose"],
    }

    def __init__(self, channels=(16, 32, 64), n_groups=4, dropout=0.2, max_epochs=30, batch_size=32, lr=1e-3,
                 weight_decay=0.0, train_split=None, callbacks=None, verbose=0, random_state=None, device="cpu",
                 torch_threads=None, *, module=GaitCNN, criterion=nn.CrossEntropyLoss, optimizer=torch.optim.Adam,
                 **kwargs):
        self.channels = channels
        self.n_groups = n_groups
        self.dropout = dropout
        self.weight_decay = weight_decay
        super().__init__(module, criterion, optimizer=optimizer, lr=lr, max_epochs=max_epochs, batch_size=batch_size,
                         train_split=train_split, callbacks=callbacks, verbose=verbose, random_state=random_state,
                         device=device, torch_threads=torch_threads, **kwargs)

    def _validate_net_params(self):
        super()._validate_net_params()
        channels = tuple(self.channels)
        if not channels or any(not isinstance(c, Integral) or c < 1 or c % self.n_groups for c in channels):
            raise ValueError(
                f"channels must be positive multiples of n_groups={self.n_groups}, got {self.channels!r}."
            )

    def _check_X(self, X, reset):
        X = validate_data(self, X, reset=reset, allow_nd=True, dtype=np.float32)
        if X.ndim == 2:
            return X[:, np.newaxis, np.newaxis, :]
        if X.ndim != 4:
            raise ValueError(
                f"Expected images (n_samples, channels, height, width) or a 2-D array, got shape {X.shape}; "
                "embed skeletons with GaitImageEmbedding first."
            )
        return X

    def _check_input_shape(self, X):
        if X.shape[1:] != self.input_shape_:
            raise ValueError(f"X holds images of shape {X.shape[1:]}, but the network was fitted on "
                             f"{self.input_shape_}.")

    def initialize_module(self):
        """Build :class:`GaitCNN` with the channels and classes read in ``fit``."""
        sizes = dict(n_classes=len(self.classes_), in_channels=self.input_shape_[0], channels=tuple(self.channels),
                     n_groups=self.n_groups, dropout=self.dropout)
        self.module_ = self._initialized(self.module, "module", sizes)
        return self
