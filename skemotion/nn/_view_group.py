"""ViewGroupGaitCNNClassifier: ProxEmo's emotion x view-group head on gait images, four views at inference."""

from numbers import Integral, Real

import numpy as np
import torch
from scipy.special import softmax
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import check_is_fitted
from skorch.utils import is_dataset
from torch import nn

from ..motion import GaitImageEmbedding
from ..skeleton import yaw_rotation
from ..utils._tags import SkeletonMixin
from ..utils.validation import validate_skeletons
from ._base import TorchClassifier
from ._gait_cnn import GaitCNN
from ._training import forward_float64


class ViewGroupGaitCNNClassifier(SkeletonMixin, TorchClassifier):
    """ProxEmo's classifier (Narayanan et al. 2020): a gait-image CNN trained on emotion x view group.

    In ``fit`` every sequence is turned about the vertical axis into each of ``n_view_groups`` view groups
    (group ``g`` spans the yaw angles ``g * 360 / G`` +/- ``180 / G`` degrees; ``views_per_group`` random
    angles in each), embedded as a gait image (:class:`~skemotion.motion.GaitImageEmbedding`), and labelled
    with its emotion *and* its view group: the :class:`GaitCNN` has ``n_classes * n_view_groups`` outputs.
    At prediction each sequence is turned to the centre of every group, and the emotion probabilities of
    view ``g`` are read from group ``g``'s outputs (renormalised), then averaged over the four views.

    Feed it centred sequences that face +z (:class:`~skemotion.motion.SkeletonNormalizer`\\
    ``(align_yaw=True)``), so that the angle of each training copy is its view group.

    Parameters
    ----------
    n_view_groups : int, default=4
    views_per_group : int, default=2
        Random training views per sequence and group.
    image_size : (int, int), default=(32, 16)
        Gait-image size (frames x joints).
    channels : tuple of int, default=(8, 16)
        Channels of :class:`GaitCNN` (multiples of ``n_groups``).
    n_groups : int, default=4
    dropout : float, default=0.2
    max_epochs : int, default=20
    batch_size : int, default=32
    lr : float, default=3e-3
    weight_decay : float, default=0.0
    verbose : int, default=0
    device : str or torch.device, default="cpu"
    random_state : int, RandomState instance or None, default=None
        Seeds the training views and, in a forked torch generator, the weights, shuffling and dropout.
    torch_threads : int or None, default=1
        Intra-op torch threads while training: one is the fastest for this small network.
    **kwargs
        Other :class:`skorch.NeuralNet` parameters (``module__head_size``, ``optimizer__*``, ``callbacks``...).

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    n_joints_in_, n_dims_in_ : int
    input_shape_ : tuple of int
        ``(3, height, width)`` of the gait images the network reads.
    module_ : GaitCNN
        The trained network, with ``n_classes * n_view_groups`` outputs ``emotion * n_view_groups + group``;
        ``history_`` is the training log.
    net_ : ViewGroupGaitCNNClassifier
        The estimator itself (it is the skorch net).

    Examples
    --------
    >>> from skemotion.datasets import make_emotional_gait
    >>> from skemotion.motion import SkeletonNormalizer
    >>> from skemotion.nn import ViewGroupGaitCNNClassifier
    >>> gait = SkeletonNormalizer(align_yaw=True).fit_transform(make_emotional_gait(8, random_state=0).data)
    >>> model = ViewGroupGaitCNNClassifier(views_per_group=1, max_epochs=1, random_state=0)
    >>> model.fit(gait, ["a", "b"] * 4).predict_proba(gait[:2]).shape
    (2, 2)
    """

    _parameter_constraints = {
        **TorchClassifier._parameter_constraints,
        "n_view_groups": [Interval(Integral, 1, None, closed="left")],
        "views_per_group": [Interval(Integral, 1, None, closed="left")],
        "image_size": [tuple, list],
        "channels": [tuple, list],
        "n_groups": [Interval(Integral, 1, None, closed="left")],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "weight_decay": [Interval(Real, 0, None, closed="left")],
        "verbose": ["verbose"],
    }

    def __init__(self, n_view_groups=4, views_per_group=2, image_size=(32, 16), channels=(8, 16), n_groups=4,
                 dropout=0.2, max_epochs=20, batch_size=32, lr=3e-3, weight_decay=0.0, verbose=0, device="cpu",
                 random_state=None, torch_threads=1, *, module=GaitCNN, criterion=nn.CrossEntropyLoss,
                 optimizer=torch.optim.Adam, train_split=None, **kwargs):
        self.n_view_groups = n_view_groups
        self.views_per_group = views_per_group
        self.image_size = image_size
        self.channels = channels
        self.n_groups = n_groups
        self.dropout = dropout
        self.weight_decay = weight_decay
        super().__init__(module, criterion, optimizer=optimizer, lr=lr, max_epochs=max_epochs, batch_size=batch_size,
                         train_split=train_split, verbose=verbose, random_state=random_state, device=device,
                         torch_threads=torch_threads, **kwargs)

    def _images(self, X, angles):
        """Gait images of ``X[i]`` turned by ``angles[i]`` degrees about the vertical axis."""
        turned = np.einsum("nij,ntvj->ntvi", yaw_rotation(angles), X)
        return GaitImageEmbedding(image_size=tuple(self.image_size)).fit_transform(turned).astype(np.float32)

    def _check_X(self, X, reset):
        X, _ = validate_skeletons(self, X, reset=reset, n_dims=3)
        return X

    def _validate_training_data(self, X, y, reset, classes=None):
        """Every sequence seen from every view group: gait images and their emotion x group codes."""
        X, codes = super()._validate_training_data(X, y, reset, classes=classes)
        # A fresh fit draws its views from random_state; continued training goes on with the same stream.
        if reset or not hasattr(self, "_view_rng_"):
            self._view_rng_ = check_random_state(self.random_state)
        G, width = self.n_view_groups, 360.0 / self.n_view_groups
        group = np.tile(np.repeat(np.arange(G), self.views_per_group), len(X))
        source = np.repeat(np.arange(len(X)), G * self.views_per_group)
        angles = group * width + self._view_rng_.uniform(-width / 2, width / 2, len(group))
        return self._images(X[source], angles), (codes[source] * G + group).astype(np.int64)

    def _fit_seed(self):
        # The next draw of the stream that drew the views: one random_state seeds views and torch alike.
        return int(self._view_rng_.randint(np.iinfo(np.int32).max))

    def _set_signal_args(self, X):
        self.input_shape_ = (X.shape[-1], *map(int, self.image_size))  # gait images have one channel per axis

    def _check_input_shape(self, X):
        pass  # validate_skeletons checks the joints and coordinates; the number of frames may vary

    def initialize_module(self):
        """Build :class:`GaitCNN` with ``n_classes * n_view_groups`` outputs."""
        sizes = dict(n_classes=len(self.classes_) * self.n_view_groups, in_channels=self.input_shape_[0],
                     channels=tuple(self.channels), n_groups=self.n_groups, dropout=self.dropout)
        self.module_ = self._initialized(self.module, "module", sizes)
        return self

    def predict_proba(self, X):
        """Emotion probabilities averaged over the four (``n_view_groups``) views of each sequence.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_frames, n_joints, 3) or list of arrays

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
        """
        if is_dataset(X):  # skorch's own validation data during training (emotion x group codes)
            return super().predict_proba(X)
        check_is_fitted(self, "module_")
        X = self._check_X(X, reset=False)
        G, n_classes = self.n_view_groups, len(self.classes_)
        proba = np.zeros((len(X), n_classes))
        for g in range(G):
            logits = forward_float64(self.module_, self._images(X, np.full(len(X), g * 360.0 / G)),
                                     self.device or "cpu")
            proba += softmax(logits.reshape(len(X), n_classes, G)[:, :, g], axis=1)
        return proba / G

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # Views are turns of 3-D skeletons about the vertical axis: a 2-D feature matrix has no view, so
        # scikit-learn's common checks do not apply (tests/test_models.py runs the API checks that do).
        tags.input_tags.two_d_array = False
        tags.input_tags.three_d_array = True
        return tags
