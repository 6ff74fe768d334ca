"""A small CNN on maps of EEG band features, and its scikit-learn classifier (skorch)."""

import numpy as np
import torch
from sklearn.utils._param_validation import StrOptions
from torch import nn

from ..eeg._channels import SEED_CHANNELS, grid_indices
from ..utils._tags import EEGMixin
from ..utils.validation import check_eeg
from ._base import TorchClassifier


class EEGCNN(nn.Module):
    """Two convolution layers and a dense head over a 2-D map of band features.

    The input ``(batch, n_channels, n_maps)`` (e.g. the DE of every channel in every band) is standardised
    with the training mean and scale, then arranged as one image ``channels x maps`` (``grid=None``) or,
    with ``grid``, as ``n_maps`` images of the electrodes placed on a scalp grid (zeros in empty cells).
    Each convolution is 3 x 3 with "same" padding and an ELU; the head is dropout, a hidden dense layer
    with ELU, dropout and a linear layer to the class logits. There is no batch normalisation, so any batch
    size (including 1) trains the same way.

    Parameters
    ----------
    n_channels, n_maps, n_classes : int
        Input channels, values per channel, and classes.
    grid : array-like of int of shape (n_rows, n_cols) or None
        Channel index of every grid cell, -1 for an empty cell; ``None`` uses the channels x maps image.
    mean, scale : array-like of shape (n_channels, n_maps) or None
        Input standardisation; ``None`` leaves the input as is.
    n_filters : tuple of int, default=(16, 32)
        Filters of the convolution layers.
    hidden_units : int, default=64
    dropout : float, default=0.25
    """

    def __init__(self, n_channels, n_maps, n_classes, *, grid=None, mean=None, scale=None, n_filters=(16, 32),
                 hidden_units=64, dropout=0.25):
        super().__init__()
        mean = np.zeros((n_channels, n_maps)) if mean is None else mean
        scale = np.ones((n_channels, n_maps)) if scale is None else scale
        self.register_buffer("mean", torch.as_tensor(np.asarray(mean), dtype=torch.float32))
        self.register_buffer("scale", torch.as_tensor(np.asarray(scale), dtype=torch.float32))
        if grid is None:
            self.grid, in_planes, height, width = None, 1, n_channels, n_maps
        else:
            grid = np.asarray(grid)
            cells = np.where(grid < 0, n_channels, grid)  # index n_channels is the zero padding
            self.register_buffer("grid", torch.as_tensor(cells.ravel(), dtype=torch.long))
            self.grid_shape = grid.shape
            in_planes, (height, width) = n_maps, grid.shape
        layers, planes = [], in_planes
        for filters in n_filters:
            layers += [nn.Conv2d(planes, filters, kernel_size=3, padding=1), nn.ELU()]
            planes = filters
        self.features = nn.Sequential(*layers)
        self.head = nn.Sequential(
            nn.Flatten(), nn.Dropout(dropout), nn.Linear(planes * height * width, hidden_units), nn.ELU(),
            nn.Dropout(dropout), nn.Linear(hidden_units, n_classes),
        )

    def arrange(self, X):
        """Standardise a batch ``(batch, n_channels, n_maps)`` and lay it out as images ``(batch, planes, H, W)``."""
        X = (X.to(self.mean.dtype) - self.mean) / self.scale
        if self.grid is None:
            return X.unsqueeze(1)
        padded = torch.cat([X, X.new_zeros(len(X), 1, X.shape[2])], dim=1)
        return padded[:, self.grid].transpose(1, 2).reshape(len(X), X.shape[2], *self.grid_shape)

    def forward(self, X):
        """Class logits of a batch ``(batch, n_channels, n_maps)``."""
        return self.head(self.features(self.arrange(X)))


class EEGCNNClassifier(EEGMixin, TorchClassifier):
    """CNN classifier of EEG band features (channels x bands, or the 9 x 9 scalp grid of SEED papers).

    A skorch net on skemotion's network base (:class:`~skemotion.nn.TorchClassifier`) that reads the shape
    of its input at ``fit`` time (as braindecode's ``_set_signal_args`` does): channels, values per channel
    (bands, or bands x features) and classes are kept in fitted attributes and passed to the module when
    it is built, never written into the parameters, so ``clone``, ``GridSearchCV`` and ``cross_val_score``
    work. The loss is
    :class:`torch.nn.CrossEntropyLoss` on the logits of :class:`EEGCNN`; inputs are standardised with the
    training mean and standard deviation of every channel and value, inside the module. The network trains
    in float32 and predicts in float64 (CPU), so that the prediction of an epoch does not depend on which
    other epochs share its batch (float32 convolutions differ in the last bits with the batch composition).

    Parameters
    ----------
    module : torch.nn.Module class, default=EEGCNN
        Built with ``n_channels``, ``n_maps``, ``n_classes``, ``grid``, ``mean``, ``scale`` and any
        ``module__*`` parameter (e.g. ``module__n_filters=(8, 16)``, ``module__dropout=0.5``).
    arrangement : {"channels", "grid"}, default="channels"
        ``"channels"``: one ``n_channels x n_maps`` image; ``"grid"``: one image per map with the
        electrodes on the 9 x 9 grid of :data:`skemotion.eeg.SEED_GRID` (SEED's 62 channels or a subset,
        named by ``ch_names``; without ``ch_names``, 62 channels in SEED's order).
    ch_names : list of str or None, default=None
        Channel names. With a 2-D ``X`` (the output of :class:`~skemotion.eeg.EEGBandFeatures`), the
        columns are read channel-major as ``len(ch_names)`` channels; without names a 2-D ``X`` is one
        channel (:func:`skemotion.eeg.check_eeg`).
    criterion : torch loss class, default=torch.nn.CrossEntropyLoss
    optimizer : torch optimizer class, default=torch.optim.Adam
    lr : float, default=1e-3
    max_epochs : int, default=30
    batch_size : int, default=64
    train_split : callable or None, default=None
        skorch's internal validation split; ``None`` trains on all of ``X`` (leave validation to the
        outer cross-validation).
    random_state : int, RandomState instance or None, default=None
        Seeds torch (weights, shuffling, dropout) inside a forked generator, without touching the global
        torch state of the caller; ``partial_fit`` continues the seeded stream.
    verbose : int, default=0
    device : str or torch.device, default="cpu"
        Where the module trains and predicts ("cuda" needs a GPU).
    torch_threads : int or None, default=None
        Intra-op torch threads while training and predicting; ``None`` keeps torch's setting.
    classes : array-like or None, default=None
        All class labels, when ``y`` of the first ``partial_fit`` does not show them all.
    **kwargs
        Any other :class:`~skorch.NeuralNet` parameter (``iterator_train__shuffle`` defaults to True).

    Attributes
    ----------
    n_channels_in_ : int
        Channels seen in ``fit``.
    n_maps_in_ : int
        Values per channel seen in ``fit``.
    grid_ : ndarray of shape (9, 9) or None
        Channel of each grid cell (-1 empty) for ``arrangement="grid"``.
    input_mean_, input_scale_ : ndarray of shape (n_channels, n_maps)
        Training standardisation passed to the module.
    input_shape_ : tuple
        ``(n_channels, n_maps)`` of one training epoch.
    classes_ : ndarray of shape (n_classes,)
    module_ : torch.nn.Module

    Examples
    --------
    >>> import numpy as np
    >>> from skemotion.nn import EEGCNNClassifier
    >>> rng = np.random.default_rng(0)
    >>> y = np.repeat(["calm", "tense"], 40)
    >>> X = rng.normal(size=(80, 6, 5)) + (y == "tense")[:, None, None]  # 6 channels x 5 bands
    >>> net = EEGCNNClassifier(max_epochs=10, random_state=0).fit(X, y)
    >>> net.n_channels_in_, net.n_maps_in_, net.classes_.tolist()
    (6, 5, ['calm', 'tense'])
    >>> float(net.score(X, y)) > 0.9
    True
    """

    _parameter_constraints = {
        **TorchClassifier._parameter_constraints,
        "arrangement": [StrOptions({"channels", "grid"})],
        "ch_names": ["array-like", None],
    }

    def __init__(self, module=EEGCNN, *, arrangement="channels", ch_names=None,
                 criterion=torch.nn.CrossEntropyLoss, optimizer=torch.optim.Adam, lr=1e-3, max_epochs=30,
                 batch_size=64, train_split=None, random_state=None, verbose=0, device="cpu", torch_threads=None,
                 classes=None, **kwargs):
        self.arrangement = arrangement
        self.ch_names = ch_names
        super().__init__(module, criterion, optimizer=optimizer, lr=lr, max_epochs=max_epochs, batch_size=batch_size,
                         train_split=train_split, verbose=verbose, random_state=random_state, device=device,
                         torch_threads=torch_threads, classes=classes, **kwargs)

    def _train(self, X, codes, **fit_params):
        self.module_.to(torch.float32)  # train fast, in float32
        super()._train(X.astype(np.float32), codes, **fit_params)

    def _after_training(self, X, codes):
        self.module_.to(torch.float64)  # predict in float64: a prediction does not depend on its batch-mates

    def _check_X(self, X, reset):
        n_channels = 1 if self.ch_names is None else len(self.ch_names)
        X = check_eeg(self, X, reset=reset, two_d_channels=n_channels)
        if self.ch_names is not None and X.shape[1] != n_channels:
            raise ValueError(f"ch_names has {n_channels} names but X has {X.shape[1]} channels.")
        if reset:
            self.n_maps_in_ = X.shape[2]
        elif X.shape[2] != self.n_maps_in_:
            raise ValueError(
                f"X has {X.shape[2]} values per channel, but {type(self).__name__} was fitted with "
                f"{self.n_maps_in_}."
            )
        return X

    def _set_signal_args(self, X):
        super()._set_signal_args(X)
        if self.arrangement == "grid":
            names = SEED_CHANNELS if self.ch_names is None else self.ch_names
            if len(names) != X.shape[1]:
                raise ValueError(
                    f"arrangement='grid' needs ch_names for {X.shape[1]} channels (without ch_names the 62 "
                    "SEED channels in SEED's order are expected)."
                )
            self.grid_ = grid_indices(names)
        else:
            self.grid_ = None
        self.input_mean_ = X.mean(axis=0)
        scale = X.std(axis=0)
        self.input_scale_ = np.where(scale > 0, scale, 1.0)

    def initialize_module(self):
        """Build the module with the shape read from the data in ``fit`` and the ``module__*`` parameters."""
        signal = dict(n_channels=self.n_channels_in_, n_maps=self.n_maps_in_, n_classes=len(self.classes_),
                      grid=self.grid_, mean=self.input_mean_, scale=self.input_scale_)
        self.module_ = self.initialized_instance(self.module, {**self.get_params_for("module"), **signal})
        return self
