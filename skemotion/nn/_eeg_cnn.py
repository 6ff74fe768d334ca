"""A small CNN on maps of EEG band features, and its scikit-learn classifier (skorch)."""

from contextlib import contextmanager

import numpy as np
import torch
from sklearn.metrics import accuracy_score
from sklearn.utils import check_random_state, column_or_1d
from sklearn.utils._param_validation import StrOptions, validate_parameter_constraints
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import _assert_all_finite, check_is_fitted
from skorch import NeuralNetClassifier
from skorch.callbacks import EpochScoring
from skorch.exceptions import NotInitializedError
from skorch.utils import is_dataset
from torch import nn

from ..eeg._channels import SEED_CHANNELS, grid_indices
from ..eeg._validation import check_eeg
from ..utils._tags import EEGMixin


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


def _accuracy_of_codes(net, X, y):
    """Validation accuracy during training, where targets are class codes 0..n_classes-1."""
    return accuracy_score(np.asarray(y), net.predict_proba(X).argmax(axis=1))


class EEGCNNClassifier(EEGMixin, NeuralNetClassifier):
    """CNN classifier of EEG band features (channels x bands, or the 9 x 9 scalp grid of SEED papers).

    A skorch :class:`~skorch.NeuralNetClassifier` that reads the shape of its input at ``fit`` time (as
    braindecode's ``_set_signal_args`` does): channels, values per channel (bands, or bands x features)
    and classes are kept in fitted attributes and passed to the module when it is built, never written
    into the parameters, so ``clone``, ``GridSearchCV`` and ``cross_val_score`` work. The loss is
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
        Seeds torch (weights, shuffling, dropout) for ``fit`` only, without touching the global torch
        state of the caller.
    verbose : int, default=0
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
        "arrangement": [StrOptions({"channels", "grid"})],
        "ch_names": ["array-like", None],
        "random_state": ["random_state"],
    }

    def __init__(self, module=EEGCNN, *, arrangement="channels", ch_names=None,
                 criterion=torch.nn.CrossEntropyLoss, optimizer=torch.optim.Adam, lr=1e-3, max_epochs=30,
                 batch_size=64, train_split=None, random_state=None, verbose=0, **kwargs):
        kwargs.setdefault("iterator_train__shuffle", True)
        super().__init__(module, criterion=criterion, optimizer=optimizer, lr=lr, max_epochs=max_epochs,
                         batch_size=batch_size, train_split=train_split, verbose=verbose, **kwargs)
        self.arrangement = arrangement
        self.ch_names = ch_names
        self.random_state = random_state

    @property
    def _default_callbacks(self):
        # skorch scores validation accuracy with ``predict``, which returns labels here, while the
        # training targets are class codes: score the codes instead.
        return [(name, EpochScoring(_accuracy_of_codes, name="valid_acc", lower_is_better=False)
                 if name == "valid_acc" else callback) for name, callback in super()._default_callbacks]

    def fit(self, X, y, **fit_params):
        """Read channels, maps and classes from the data, build the module and train it.

        Parameters
        ----------
        X : array-like of shape (n_epochs, n_channels, n_maps) or (n_epochs, n_channels * n_maps)
        y : array-like of shape (n_epochs,)
        **fit_params : passed to skorch's ``partial_fit``.

        Returns
        -------
        self : EEGCNNClassifier
        """
        return self._fit(X, y, reset=not (self.warm_start and self.initialized_), **fit_params)

    def partial_fit(self, X, y, classes=None, **fit_params):
        """Train for ``max_epochs`` more epochs, building the module on the first call.

        Parameters
        ----------
        X : array-like of shape (n_epochs, n_channels, n_maps) or (n_epochs, n_channels * n_maps)
        y : array-like of shape (n_epochs,)
        classes : array-like or None
            All classes, needed on the first call when ``y`` does not show them all.
        **fit_params : passed to skorch's ``partial_fit``.

        Returns
        -------
        self : EEGCNNClassifier
        """
        return self._fit(X, y, reset=not self.initialized_, classes=classes, **fit_params)

    def _fit(self, X, y, *, reset, classes=None, **fit_params):
        # scikit-learn's checks of this class's own parameters (skorch's _validate_params checks its kwargs).
        validate_parameter_constraints(self._parameter_constraints,
                                       {name: getattr(self, name) for name in self._parameter_constraints},
                                       caller_name=type(self).__name__)
        X = self._check_input(X, reset=reset)
        codes = self._encode(y, len(X), reset=reset, classes=classes)
        if reset:
            self._set_signal_attributes(X)
        with _seeded(self.random_state if reset else None):
            if reset:
                self.initialize()
            self.module_.to(torch.float32)  # train fast, in float32
            NeuralNetClassifier.partial_fit(self, X.astype(np.float32), codes, **fit_params)
        self.module_.to(torch.float64)  # predict in float64: a prediction does not depend on its batch-mates
        return self

    def _check_input(self, X, *, reset):
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

    def _encode(self, y, n_samples, *, reset, classes):
        if y is None:
            raise ValueError(f"{type(self).__name__} requires y to be passed, but the target y is None.")
        y = column_or_1d(y, warn=True)
        if y.dtype.kind == "f":
            _assert_all_finite(y, input_name="y")
        check_classification_targets(y)
        if len(y) != n_samples:
            raise ValueError(f"X has {n_samples} samples but y has {len(y)}.")
        if reset:
            given = self.classes if classes is None else classes
            self.classes_inferred_ = np.unique(y if given is None else np.asarray(given))
        known = self.classes_
        codes = np.searchsorted(known, y)
        unknown = (codes >= len(known)) | (known[np.minimum(codes, len(known) - 1)] != y)
        if unknown.any():
            raise ValueError(f"y contains label(s) {np.unique(y[unknown]).tolist()[:5]} not in the classes "
                             f"{known.tolist()}; pass all of them with classes=....")
        return codes.astype(np.int64)

    def _set_signal_attributes(self, X):
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

    @property
    def classes_(self):
        """Class labels (sorted), the columns of ``predict_proba``."""
        return self.classes_inferred_

    def check_data(self, X, y):
        """Labels are checked and encoded in ``fit``; skorch's own check would overwrite ``classes_``."""

    def initialize_module(self):
        """Build the module with the shape read from the data in ``fit`` and the ``module__*`` parameters."""
        if not hasattr(self, "n_maps_in_"):
            raise NotInitializedError(
                f"{type(self).__name__} reads its input shape from the data: call fit(X, y), not initialize()."
            )
        signal = dict(n_channels=self.n_channels_in_, n_maps=self.n_maps_in_, n_classes=len(self.classes_),
                      grid=self.grid_, mean=self.input_mean_, scale=self.input_scale_)
        self.module_ = self.initialized_instance(self.module, {**self.get_params_for("module"), **signal})
        return self

    def predict_proba(self, X):
        """Class probabilities (softmax of the logits), columns in the order of ``classes_``.

        Parameters
        ----------
        X : array-like of shape (n_epochs, n_channels, n_maps) or (n_epochs, n_channels * n_maps)

        Returns
        -------
        proba : ndarray of shape (n_epochs, n_classes)
        """
        if not is_dataset(X):  # skorch passes its own validation Dataset during training
            check_is_fitted(self)
            X = self._check_input(X, reset=False)
        return super().predict_proba(X)

    def predict(self, X):
        """Most probable class of every epoch.

        Parameters
        ----------
        X : array-like of shape (n_epochs, n_channels, n_maps) or (n_epochs, n_channels * n_maps)

        Returns
        -------
        y_pred : ndarray of shape (n_epochs,)
        """
        proba = self.predict_proba(X)
        return self.classes_[proba.argmax(axis=1)]


@contextmanager
def _seeded(random_state):
    """Seed torch inside the block, restoring the caller's global torch random state afterwards."""
    if random_state is None:
        yield
        return
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(int(check_random_state(random_state).randint(np.iinfo(np.int32).max)))
        yield
