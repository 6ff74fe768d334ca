"""DGCNNClassifier: a dynamical graph CNN over the electrodes for EEG band features (Song et al. 2018)."""

from numbers import Integral, Real

import numpy as np
import torch
from scipy.spatial.distance import pdist, squareform
from scipy.special import softmax
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context
from sklearn.utils._param_validation import Interval
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, column_or_1d
from skorch import NeuralNetClassifier
from torch import nn

from ..eeg._channels import SEED_CHANNELS, channel_positions
from ..utils._tags import EEGMixin
from ..utils.validation import check_eeg
from ._training import TRAINING_CONSTRAINTS, check_device, forward_float64, seeded_torch


def distance_adjacency(positions, sigma=None):
    """Gaussian kernel of electrode distances, ``exp(-d**2 / (2 sigma**2))``, zero on the diagonal.

    Parameters
    ----------
    positions : array-like of shape (n_channels, 3)
    sigma : float or None
        Kernel width; ``None`` takes the median distance between electrodes.

    Returns
    -------
    adjacency : ndarray of shape (n_channels, n_channels)

    Examples
    --------
    >>> import numpy as np
    >>> A = distance_adjacency(np.array([[0.0, 0, 0], [1, 0, 0], [3, 0, 0]]), sigma=1.0)
    >>> float(A[0, 1]) == float(np.exp(-0.5)), float(A[0, 0])
    (True, 0.0)
    """
    distances = squareform(pdist(np.asarray(positions, dtype=float)))
    if sigma is None:
        off_diagonal = distances[~np.eye(len(distances), dtype=bool)]
        sigma = np.median(off_diagonal) if off_diagonal.size else 1.0
    adjacency = np.exp(-(distances**2) / (2 * sigma**2))
    np.fill_diagonal(adjacency, 0.0)
    return adjacency


class DGCNN(nn.Module):
    """Chebyshev graph convolution with a learnable adjacency matrix, then a dense head (Song et al. 2018).

    The input ``(batch, n_channels, n_bands)`` is standardised; the adjacency ``W`` (a parameter, kept
    non-negative and symmetric by ``relu((W + W.T) / 2)``) gives the scaled Laplacian
    ``L~ = -D^-1/2 A D^-1/2`` (the normalised Laplacian minus the identity, taking its largest eigenvalue as
    2), whose Chebyshev polynomials ``T_0 .. T_{K-1}`` filter the band features:
    ``relu(sum_k T_k(L~) X Theta_k)``. The head is dropout and a linear layer from every channel's filtered
    features to the class logits.

    Parameters
    ----------
    n_channels, n_bands, n_classes : int
    adjacency : array-like of shape (n_channels, n_channels)
        Initial adjacency.
    mean, scale : array-like of shape (n_channels, n_bands) or None
    order : int, default=2
        Chebyshev order ``K``.
    hidden_units : int, default=32
    dropout : float, default=0.2
    """

    def __init__(self, n_channels, n_bands, n_classes, adjacency, mean=None, scale=None, order=2, hidden_units=32,
                 dropout=0.2):
        super().__init__()
        self.adjacency = nn.Parameter(torch.as_tensor(np.asarray(adjacency), dtype=torch.float32))
        shape = (n_channels, n_bands)
        self.register_buffer("mean", torch.as_tensor(np.zeros(shape) if mean is None else mean, dtype=torch.float32))
        self.register_buffer("scale", torch.as_tensor(np.ones(shape) if scale is None else scale,
                                                      dtype=torch.float32))
        self.filters = nn.ModuleList(nn.Linear(n_bands, hidden_units, bias=k == 0) for k in range(order))
        self.head = nn.Sequential(nn.Flatten(), nn.Dropout(dropout), nn.Linear(n_channels * hidden_units, n_classes))

    def scaled_laplacian(self):
        A = torch.relu((self.adjacency + self.adjacency.T) / 2)
        d = A.sum(dim=1).clamp(min=1e-6).rsqrt()
        return -(d[:, None] * A * d[None, :])

    def forward(self, X):
        x = (X.to(self.mean.dtype) - self.mean) / self.scale
        L = self.scaled_laplacian()
        previous, current = x, L @ x
        out = self.filters[0](x)
        for k, layer in enumerate(self.filters[1:], start=1):
            if k > 1:
                previous, current = current, 2 * (L @ current) - previous
            out = out + layer(current)
        return self.head(torch.relu(out))


class DGCNNClassifier(EEGMixin, ClassifierMixin, BaseEstimator):
    """EEG emotion classifier: a dynamical graph CNN over the electrodes (DGCNN, Song et al. 2018).

    Takes band features per channel, such as the differential entropy of
    :class:`~skemotion.eeg.EEGBandFeatures`: ``(n_epochs, n_channels, n_bands)``, or its 2-D output with
    ``ch_names`` (columns read channel-major). The graph's adjacency is a parameter of the network,
    initialised from the electrodes' distances on the standard 10-20 head (:func:`distance_adjacency` of
    :func:`skemotion.eeg.channel_positions`) and learnt with the rest, as DGCNN does. Without ``ch_names``,
    62 channels are SEED's; any other count starts from a uniform adjacency.

    Parameters
    ----------
    ch_names : list of str or None, default=None
        Channel names (10-20 names), for the electrode positions and to read a 2-D ``X``.
    sigma : float or None, default=None
        Width (metres) of the distance kernel; ``None`` is the median electrode distance.
    order : int, default=2
        Chebyshev order of the graph filters.
    hidden_units : int, default=32
    dropout : float, default=0.2
    max_epochs : int, default=100
    batch_size : int, default=32
    lr : float, default=1e-3
    weight_decay : float, default=1e-4
    verbose : int, default=0
    device : str, default="cpu"
    random_state : int, RandomState instance or None, default=None

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    n_channels_in_ : int
    n_bands_in_ : int
    initial_adjacency_ : ndarray of shape (n_channels, n_channels)
    adjacency_ : ndarray of shape (n_channels, n_channels)
        The learnt adjacency (symmetric, non-negative).
    net_ : skorch.NeuralNetClassifier

    Examples
    --------
    >>> from skemotion.datasets import make_eeg_emotion
    >>> from skemotion.eeg import EEGBandFeatures
    >>> from skemotion.nn import DGCNNClassifier
    >>> eeg = make_eeg_emotion(n_subjects=2, n_trials=6, random_state=0)
    >>> de = EEGBandFeatures(sfreq=eeg.sfreq).fit_transform(eeg.data)
    >>> model = DGCNNClassifier(ch_names=eeg.ch_names, max_epochs=2, random_state=0).fit(de, eeg.target)
    >>> model.adjacency_.shape
    (62, 62)
    """

    _parameter_constraints = {
        "ch_names": [list, tuple, None],
        "sigma": [Interval(Real, 0, None, closed="neither"), None],
        "order": [Interval(Integral, 1, None, closed="left")],
        "hidden_units": [Interval(Integral, 1, None, closed="left")],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        **TRAINING_CONSTRAINTS,
    }

    def __init__(self, ch_names=None, sigma=None, order=2, hidden_units=32, dropout=0.2, max_epochs=100,
                 batch_size=32, lr=1e-3, weight_decay=1e-4, verbose=0, device="cpu", random_state=None):
        self.ch_names = ch_names
        self.sigma = sigma
        self.order = order
        self.hidden_units = hidden_units
        self.dropout = dropout
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.lr = lr
        self.weight_decay = weight_decay
        self.verbose = verbose
        self.device = device
        self.random_state = random_state

    def _check_X(self, X, reset):
        n_names = 1 if self.ch_names is None else len(self.ch_names)
        X = check_eeg(self, X, reset=reset, two_d_channels=n_names)
        if self.ch_names is not None and X.shape[1] != n_names:
            raise ValueError(f"X has {X.shape[1]} channels but ch_names names {n_names}.")
        if not reset and X.shape[2] != self.n_bands_in_:
            raise ValueError(f"X has {X.shape[2]} values per channel; DGCNNClassifier was fitted on "
                             f"{self.n_bands_in_}.")
        return X

    def _initial_adjacency(self, n_channels):
        names = self.ch_names if self.ch_names is not None else SEED_CHANNELS if n_channels == 62 else None
        if names is None:
            return np.ones((n_channels, n_channels)) - np.eye(n_channels)
        return distance_adjacency(channel_positions(names), self.sigma)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Train the network.

        Parameters
        ----------
        X : array-like of shape (n_epochs, n_channels, n_bands) or (n_epochs, n_channels * n_bands)
        y : array-like of shape (n_epochs,)

        Returns
        -------
        self : DGCNNClassifier
        """
        X = self._check_X(X, reset=True)
        y = column_or_1d(y, warn=True)
        check_classification_targets(y)
        if len(y) != len(X):
            raise ValueError(f"X has {len(X)} epochs but y has {len(y)}.")
        self.n_bands_in_ = X.shape[2]
        self.classes_, codes = np.unique(y, return_inverse=True)
        self.initial_adjacency_ = self._initial_adjacency(X.shape[1])
        scale = X.std(axis=0)
        self.net_ = NeuralNetClassifier(
            DGCNN,
            module__n_channels=X.shape[1], module__n_bands=X.shape[2], module__n_classes=len(self.classes_),
            module__adjacency=self.initial_adjacency_, module__mean=X.mean(axis=0),
            module__scale=np.where(scale > 0, scale, 1.0), module__order=self.order,
            module__hidden_units=self.hidden_units, module__dropout=self.dropout,
            criterion=nn.CrossEntropyLoss, optimizer=torch.optim.Adam, optimizer__weight_decay=self.weight_decay,
            lr=self.lr, max_epochs=self.max_epochs, batch_size=self.batch_size, iterator_train__shuffle=True,
            train_split=None, classes=np.arange(len(self.classes_)), verbose=self.verbose,
            device=check_device(self.device, self),
        )
        with seeded_torch(self.random_state, self.device):
            self.net_.fit(X.astype(np.float32), codes.astype(np.int64))
        with torch.no_grad():
            W = self.net_.module_.adjacency.detach().cpu()
            self.adjacency_ = torch.relu((W + W.T) / 2).numpy().astype(np.float64)
        return self

    def predict_proba(self, X):
        """Class probabilities.

        Parameters
        ----------
        X : array-like of shape (n_epochs, n_channels, n_bands) or (n_epochs, n_channels * n_bands)

        Returns
        -------
        proba : ndarray of shape (n_epochs, n_classes)
        """
        check_is_fitted(self)
        X = self._check_X(X, reset=False)
        return softmax(forward_float64(self.net_.module_, X, self.net_.device), axis=1)

    def predict(self, X):
        """Most probable class.

        Parameters
        ----------
        X : array-like of shape (n_epochs, n_channels, n_bands) or (n_epochs, n_channels * n_bands)

        Returns
        -------
        y_pred : ndarray of shape (n_epochs,)
        """
        proba = self.predict_proba(X)  # first: it checks that the model is fitted
        return self.classes_[np.argmax(proba, axis=1)]
