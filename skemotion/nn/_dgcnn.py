"""DGCNNClassifier: a dynamical graph CNN over the electrodes for EEG band features (Song et al. 2018)."""

from numbers import Integral, Real

import numpy as np
import torch
from scipy.spatial.distance import pdist, squareform
from scipy.special import softmax
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import check_is_fitted
from skorch.utils import is_dataset
from torch import nn

from ..eeg._channels import SEED_CHANNELS, channel_positions
from ..utils._tags import EEGMixin
from ..utils.validation import check_eeg
from ._base import TorchClassifier
from ._training import forward_float64


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


class DGCNNClassifier(EEGMixin, TorchClassifier):
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
    device : str or torch.device, default="cpu"
    random_state : int, RandomState instance or None, default=None
        Seeds weights, shuffling and dropout, in a forked torch generator (the caller's is left alone).
    torch_threads : int or None, default=1
        Intra-op torch threads while training and predicting: one is the fastest for this small network.
    **kwargs
        Other :class:`skorch.NeuralNet` parameters (``module__*``, ``optimizer__*``, ``classes``...).

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    n_channels_in_ : int
    n_bands_in_ : int
    input_shape_ : tuple of int
        ``(n_channels, n_bands)`` of the training features.
    initial_adjacency_ : ndarray of shape (n_channels, n_channels)
    adjacency_ : ndarray of shape (n_channels, n_channels)
        The learnt adjacency (symmetric, non-negative).
    module_ : DGCNN
        The trained network; ``history_`` is the training log.
    net_ : DGCNNClassifier
        The estimator itself (it is the skorch net), for code written when the net was a wrapped attribute.

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
        **TorchClassifier._parameter_constraints,
        "ch_names": [list, tuple, None],
        "sigma": [Interval(Real, 0, None, closed="neither"), None],
        "order": [Interval(Integral, 1, None, closed="left")],
        "hidden_units": [Interval(Integral, 1, None, closed="left")],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "weight_decay": [Interval(Real, 0, None, closed="left")],
        "verbose": ["verbose"],
    }

    def __init__(self, ch_names=None, sigma=None, order=2, hidden_units=32, dropout=0.2, max_epochs=100,
                 batch_size=32, lr=1e-3, weight_decay=1e-4, verbose=0, device="cpu", random_state=None,
                 torch_threads=1, *, module=DGCNN, criterion=nn.CrossEntropyLoss, optimizer=torch.optim.Adam,
                 train_split=None, **kwargs):
        self.ch_names = ch_names
        self.sigma = sigma
        self.order = order
        self.hidden_units = hidden_units
        self.dropout = dropout
        self.weight_decay = weight_decay
        super().__init__(module, criterion, optimizer=optimizer, lr=lr, max_epochs=max_epochs, batch_size=batch_size,
                         train_split=train_split, verbose=verbose, random_state=random_state, device=device,
                         torch_threads=torch_threads, **kwargs)

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

    def _train(self, X, codes, **fit_params):
        super()._train(X.astype(np.float32), codes, **fit_params)  # validated in float64, trained in float32

    def _set_signal_args(self, X):
        """The electrode graph and the feature standardisation, from the training data."""
        self.input_shape_ = tuple(X.shape[1:])
        self.n_bands_in_ = X.shape[2]
        self.initial_adjacency_ = self._initial_adjacency(X.shape[1])
        scale = X.std(axis=0)
        self.input_mean_, self.input_scale_ = X.mean(axis=0), np.where(scale > 0, scale, 1.0)

    def initialize_module(self):
        """Build :class:`DGCNN` with the electrodes, bands and classes read in ``fit``."""
        sizes = dict(n_channels=self.input_shape_[0], n_bands=self.input_shape_[1], n_classes=len(self.classes_),
                     adjacency=self.initial_adjacency_, mean=self.input_mean_, scale=self.input_scale_,
                     order=self.order, hidden_units=self.hidden_units, dropout=self.dropout)
        self.module_ = self._initialized(self.module, "module", sizes)
        return self


    def _after_training(self, X, codes):
        # The learnt graph, symmetric and non-negative as the network uses it.
        with torch.no_grad():
            W = self.module_.adjacency.detach().cpu()
            self.adjacency_ = torch.relu((W + W.T) / 2).numpy().astype(np.float64)

    def predict_proba(self, X):
        """Class probabilities.

        Parameters
        ----------
        X : array-like of shape (n_epochs, n_channels, n_bands) or (n_epochs, n_channels * n_bands)

        Returns
        -------
        proba : ndarray of shape (n_epochs, n_classes)
        """
        if is_dataset(X):  # skorch's own validation data during training
            return super().predict_proba(X)
        check_is_fitted(self, "module_")
        X = self._check_X(X, reset=False)
        return softmax(forward_float64(self.module_, X, self.device or "cpu"), axis=1)
