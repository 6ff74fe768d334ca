"""ViewGroupGaitCNNClassifier: ProxEmo's emotion x view-group head on gait images, four views at inference."""

from numbers import Integral, Real

import numpy as np
import torch
from scipy.special import softmax
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, column_or_1d
from skorch import NeuralNetClassifier
from torch import nn

from ..motion import GaitImageEmbedding
from ..skeleton import yaw_rotation
from ..utils._tags import SkeletonMixin
from ..utils.validation import validate_skeletons
from ._gait_cnn import GaitCNN
from ._training import TRAINING_CONSTRAINTS, check_device, forward_float64, seeded_torch


class ViewGroupGaitCNNClassifier(SkeletonMixin, ClassifierMixin, BaseEstimator):
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
    device : str, default="cpu"
    random_state : int, RandomState instance or None, default=None
        Seeds the training views and torch (weights, shuffling, dropout).

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    n_joints_in_, n_dims_in_ : int
    net_ : skorch.NeuralNetClassifier
        Trained on ``n_classes * n_view_groups`` labels ``emotion * n_view_groups + group``.

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
        "n_view_groups": [Interval(Integral, 1, None, closed="left")],
        "views_per_group": [Interval(Integral, 1, None, closed="left")],
        "image_size": [tuple, list],
        "channels": [tuple, list],
        "n_groups": [Interval(Integral, 1, None, closed="left")],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        **TRAINING_CONSTRAINTS,
    }

    def __init__(self, n_view_groups=4, views_per_group=2, image_size=(32, 16), channels=(8, 16), n_groups=4,
                 dropout=0.2, max_epochs=20, batch_size=32, lr=3e-3, weight_decay=0.0, verbose=0, device="cpu",
                 random_state=None):
        self.n_view_groups = n_view_groups
        self.views_per_group = views_per_group
        self.image_size = image_size
        self.channels = channels
        self.n_groups = n_groups
        self.dropout = dropout
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.lr = lr
        self.weight_decay = weight_decay
        self.verbose = verbose
        self.device = device
        self.random_state = random_state

    def _images(self, X, angles):
        """Gait images of ``X[i]`` turned by ``angles[i]`` degrees about the vertical axis."""
        turned = np.einsum("nij,ntvj->ntvi", yaw_rotation(angles), X)
        return GaitImageEmbedding(image_size=tuple(self.image_size)).fit_transform(turned).astype(np.float32)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Train on every sequence seen from every view group.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_frames, n_joints, 3) or list of (n_frames, n_joints, 3)
        y : array-like of shape (n_samples,)

        Returns
        -------
        self : ViewGroupGaitCNNClassifier
        """
        X, _ = validate_skeletons(self, X, reset=True, n_dims=3)
        y = column_or_1d(y, warn=True)
        check_classification_targets(y)
        if len(y) != len(X):
            raise ValueError(f"X has {len(X)} samples but y has {len(y)}.")
        self.classes_, codes = np.unique(y, return_inverse=True)
        rng = check_random_state(self.random_state)
        G, width = self.n_view_groups, 360.0 / self.n_view_groups
        group = np.tile(np.repeat(np.arange(G), self.views_per_group), len(X))
        source = np.repeat(np.arange(len(X)), G * self.views_per_group)
        angles = group * width + rng.uniform(-width / 2, width / 2, len(group))
        images = self._images(X[source], angles)
        labels = (codes[source] * G + group).astype(np.int64)
        self.net_ = NeuralNetClassifier(
            GaitCNN, module__n_classes=len(self.classes_) * G, module__in_channels=3,
            module__channels=tuple(self.channels), module__n_groups=self.n_groups, module__dropout=self.dropout,
            criterion=nn.CrossEntropyLoss, optimizer=torch.optim.Adam, optimizer__weight_decay=self.weight_decay,
            lr=self.lr, max_epochs=self.max_epochs, batch_size=self.batch_size, iterator_train__shuffle=True,
            train_split=None, classes=np.arange(len(self.classes_) * G), verbose=self.verbose,
            device=check_device(self.device, self),
        )
        with seeded_torch(rng.randint(np.iinfo(np.int32).max), self.device):
            self.net_.fit(images, labels)
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
        check_is_fitted(self)
        X, _ = validate_skeletons(self, X, reset=False, n_dims=3)
        G, n_classes = self.n_view_groups, len(self.classes_)
        proba = np.zeros((len(X), n_classes))
        for g in range(G):
            logits = forward_float64(self.net_.module_, self._images(X, np.full(len(X), g * 360.0 / G)),
                                     self.net_.device)
            proba += softmax(logits.reshape(len(X), n_classes, G)[:, :, g], axis=1)
        return proba / G

    def predict(self, X):
        """Most probable emotion.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_frames, n_joints, 3) or list of arrays

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
        """
        proba = self.predict_proba(X)  # first: it checks that the model is fitted
        return self.classes_[np.argmax(proba, axis=1)]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # Views are turns of 3-D skeletons about the vertical axis: a 2-D feature matrix has no view, so
        # scikit-learn's common checks do not apply (tests/test_models.py runs the API checks that do).
        tags.input_tags.two_d_array = False
        tags.input_tags.three_d_array = True
        return tags
