"""MotionVAE: an unsupervised sequence VAE whose latent means are motion features (signatures)."""

from numbers import Integral, Real

import numpy as np
import torch
from sklearn.base import ClassNamePrefixFeaturesOutMixin, TransformerMixin
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval
from sklearn.utils.validation import check_array, check_is_fitted
from torch import nn

from ..utils._tags import SkeletonMixin
from ..utils.validation import validate_skeletons
from ._base import TorchNet, _Unavailable
from ._training import forward_float64


class MotionVAEModule(nn.Module):
    """A temporal-convolution encoder and a dense decoder of fixed-length skeleton sequences.

    The input ``(batch, frames, joints, dims)`` is standardised per joint and coordinate, missing values
    (NaN) are set to zero and one mask channel per joint is added; two 1-D convolutions over time (the
    second strided), average pooling to ``n_bins`` time bins and a linear layer give the mean and log
    variance of the latent code. The decoder maps a code through one hidden layer back to the standardised
    sequence. :meth:`forward` returns ``(reconstruction, mean, log_variance, target, mask)`` for the loss.

    Parameters
    ----------
    n_frames, n_joints, n_dims : int
    mean, scale : array-like of shape (n_joints, n_dims)
    latent_dim : int, default=8
    hidden_channels : int, default=32
    n_bins : int, default=4
    """

    def __init__(self, n_frames, n_joints, n_dims, mean, scale, latent_dim=8, hidden_channels=32, n_bins=4):
        super().__init__()
        self.latent_dim = latent_dim
        self.shape = (n_frames, n_joints, n_dims)
        self.register_buffer("mean", torch.as_tensor(np.asarray(mean), dtype=torch.float32))
        self.register_buffer("scale", torch.as_tensor(np.asarray(scale), dtype=torch.float32))
        in_channels = n_joints * (n_dims + 1)
        h = hidden_channels
        self.encoder = nn.Sequential(
            nn.Conv1d(in_channels, h, 5, padding=2), nn.ReLU(),
            nn.Conv1d(h, h, 5, stride=2, padding=2), nn.ReLU(),
            nn.AdaptiveAvgPool1d(n_bins), nn.Flatten(), nn.Linear(h * n_bins, 2 * latent_dim),
        )
        self.decoder = nn.Sequential(nn.Linear(latent_dim, 4 * h), nn.ReLU(),
                                     nn.Linear(4 * h, n_frames * n_joints * n_dims))

    def standardise(self, X):
        """Standardised input with NaN set to zero, and the mask of observed joints ``(batch, T, V, 1)``."""
        mask = ~torch.isnan(X).any(dim=-1, keepdim=True)
        x = torch.where(mask, (torch.nan_to_num(X) - self.mean) / self.scale, torch.zeros_like(X))
        return x, mask

    def encode(self, X):
        """Latent mean and log variance of a batch of sequences."""
        x, mask = self.standardise(X)
        channels = torch.cat([x, mask.to(x.dtype)], dim=-1).flatten(2).transpose(1, 2)  # (batch, V*(D+1), T)
        mean, log_var = self.encoder(channels).chunk(2, dim=1)
        return mean, log_var

    def decode(self, z):
        """Sequences ``(batch, frames, joints, dims)`` in the data's units for latent codes ``z``."""
        return self.decode_standardised(z) * self.scale + self.mean

    def decode_standardised(self, z):
        return self.decoder(z).view(len(z), *self.shape)

    def forward(self, X):
        mean, log_var = self.encode(X)
        z = mean + torch.randn_like(mean) * torch.exp(0.5 * log_var) if self.training else mean
        target, mask = self.standardise(X)
        return self.decode_standardised(z), mean, log_var, target, mask


class MaskedELBOLoss(nn.Module):
    """Negative ELBO per sequence: masked squared error of the standardised coordinates plus ``beta`` KL."""

    def __init__(self, beta=1.0):
        super().__init__()
        self.beta = beta

    def forward(self, y_pred, y_true=None):
        reconstruction, mean, log_var, target, mask = y_pred
        error = ((reconstruction - target) ** 2 * mask).sum(dim=(1, 2, 3))
        kl = -0.5 * (1 + log_var - mean**2 - log_var.exp()).sum(dim=1)
        return (error + self.beta * kl).mean()


class MotionVAE(SkeletonMixin, ClassNamePrefixFeaturesOutMixin, TransformerMixin, TorchNet):
    """Unsupervised variational autoencoder of skeleton sequences; ``transform`` gives the latent means.

    A learned alternative to hand-made motor signatures (:class:`~skemotion.signatures.VelocityGradientSignature`):
    the latent mean of a sequence is a fixed-length feature vector that a classifier, a clustering or
    :class:`~skemotion.signatures.WassersteinMDS`'s users can take, fitted without labels inside each
    cross-validation fold. The encoder convolves over time, the decoder is dense (:class:`MotionVAEModule`);
    the loss is the negative evidence lower bound with the reconstruction error counted on observed joints
    only (NaN joints and padding are masked out, and marked to the encoder by a mask channel).

    All sequences have the number of frames seen in ``fit`` (resample them first with
    :class:`~skemotion.motion.SkeletonNormalizer`\\ ``(n_frames=...)``); shorter ones are NaN-padded.

    Parameters
    ----------
    latent_dim : int, default=8
        Size of the latent code (the number of output features).
    hidden_channels : int, default=32
    beta : float, default=1.0
        Weight of the KL term (a beta-VAE for beta > 1).
    max_epochs : int, default=100
    batch_size : int, default=16
    lr : float, default=1e-3
    weight_decay : float, default=0.0
    verbose : int, default=0
    device : str or torch.device, default="cpu"
    random_state : int, RandomState instance or None, default=None
        Seeds the weights, shuffling and the reparameterisation noise of training, in a forked torch
        generator (the caller's is left alone).
    torch_threads : int or None, default=1
        Intra-op torch threads while training: one is the fastest for this small network.
    **kwargs
        Other :class:`skorch.NeuralNet` parameters (``module__n_bins``, ``optimizer__*``, ``callbacks``...).

    Attributes
    ----------
    n_joints_in_, n_dims_in_ : int
    n_frames_ : int
        Frames of the sequences seen in ``fit``.
    input_shape_ : tuple of int
        ``(n_frames, n_joints, n_dims)`` of the training sequences.
    module_ : MotionVAEModule
        The trained network; ``history_`` is the training log.
    net_ : MotionVAE
        The estimator itself (it is the skorch net); ``net_.module_`` is the :class:`MotionVAEModule`.

    Examples
    --------
    >>> from skemotion.datasets import make_emotional_gait
    >>> from skemotion.motion import SkeletonNormalizer
    >>> from skemotion.nn import MotionVAE
    >>> gait = SkeletonNormalizer(n_frames=32).fit_transform(make_emotional_gait(16, random_state=0).data)
    >>> vae = MotionVAE(latent_dim=4, max_epochs=3, random_state=0).fit(gait)
    >>> vae.transform(gait).shape
    (16, 4)
    >>> vae.sample(2, random_state=0).shape
    (2, 32, 16, 3)
    >>> vae.get_feature_names_out()[:2].tolist()
    ['motionvae0', 'motionvae1']
    """

    _supervised = False

    _parameter_constraints = {
        **TorchNet._parameter_constraints,
        "latent_dim": [Interval(Integral, 1, None, closed="left")],
        "hidden_channels": [Interval(Integral, 1, None, closed="left")],
        "beta": [Interval(Real, 0, None, closed="left")],
        "weight_decay": [Interval(Real, 0, None, closed="left")],
        "verbose": ["verbose"],
    }

    predict = _Unavailable("an autoencoder predicts nothing; use transform(X) for the latent means.")
    predict_proba = _Unavailable("an autoencoder predicts nothing; use transform(X) for the latent means.")

    def __init__(self, latent_dim=8, hidden_channels=32, beta=1.0, max_epochs=100, batch_size=16, lr=1e-3,
                 weight_decay=0.0, verbose=0, device="cpu", random_state=None, torch_threads=1, *,
                 module=MotionVAEModule, criterion=MaskedELBOLoss, optimizer=torch.optim.Adam, train_split=None,
                 **kwargs):
        self.latent_dim = latent_dim
        self.hidden_channels = hidden_channels
        self.beta = beta
        self.weight_decay = weight_decay
        super().__init__(module, criterion, optimizer=optimizer, lr=lr, max_epochs=max_epochs, batch_size=batch_size,
                         train_split=train_split, verbose=verbose, random_state=random_state, device=device,
                         torch_threads=torch_threads, **kwargs)

    def fit(self, X, y=None, **fit_params):
        """Train the VAE on the sequences (labels are not used).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_frames, n_joints, n_dims) or list of arrays
            Skeletons, NaN for missing joints. A 2-D array is read as sequences of one 1-D joint.
        y : ignored
        **fit_params : dict
            Passed to skorch's training loop.

        Returns
        -------
        self : MotionVAE
        """
        return super().fit(X, None, **fit_params)

    def partial_fit(self, X, y=None, classes=None, **fit_params):
        """Train for ``max_epochs`` more epochs (building the network on the first call); labels are not used.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_frames, n_joints, n_dims) or list of arrays
            Sequences of the frames, joints and coordinates seen in the first call.
        y, classes : ignored
        **fit_params : dict
            Passed to skorch's training loop.

        Returns
        -------
        self : MotionVAE
        """
        return super().partial_fit(X, None, **fit_params)

    def _check_X(self, X, reset):
        X, _ = validate_skeletons(self, X, reset=reset, two_d_as="frames")
        return X

    def _set_signal_args(self, X):
        """The sequences' shape and the per-joint standardisation of their observed coordinates."""
        self.input_shape_ = tuple(X.shape[1:])
        self.n_frames_ = X.shape[1]
        observed = ~np.isnan(X).any(axis=-1, keepdims=True)
        count = np.maximum(observed.sum(axis=(0, 1)), 1)
        mean = np.where(observed, X, 0.0).sum(axis=(0, 1)) / count
        std = np.sqrt(np.where(observed, (X - mean) ** 2, 0.0).sum(axis=(0, 1)) / count)
        self.input_mean_, self.input_scale_ = mean, np.where(std > 0, std, 1.0)

    def _train(self, X, codes, **fit_params):
        super()._train(X.astype(np.float32), None, **fit_params)  # validated in float64, trained in float32

    def initialize_module(self):
        """Build :class:`MotionVAEModule` with the sequence shape and standardisation read in ``fit``."""
        n_frames, n_joints, n_dims = self.input_shape_
        sizes = dict(n_frames=n_frames, n_joints=n_joints, n_dims=n_dims, mean=self.input_mean_,
                     scale=self.input_scale_, latent_dim=self.latent_dim, hidden_channels=self.hidden_channels)
        self.module_ = self._initialized(self.module, "module", sizes)
        return self

    def initialize_criterion(self):
        """The masked negative ELBO with ``beta`` (``criterion__*`` parameters win)."""
        self.criterion_ = self._initialized(self.criterion, "criterion", {"beta": self.beta})
        return self

    @property
    def _n_features_out(self):
        return self.latent_dim

    def _sequences(self, X):
        X, _ = validate_skeletons(self, X, reset=False, two_d_as="frames")
        if X.shape[1] > self.n_frames_:
            raise ValueError(f"MotionVAE was fitted on {self.n_frames_} frames; X has sequences of {X.shape[1]}. "
                             "Resample them with SkeletonNormalizer(n_frames=...) first.")
        if X.shape[1] < self.n_frames_:  # shorter sequences: their missing frames are padding
            pad = np.full((len(X), self.n_frames_ - X.shape[1]) + X.shape[2:], np.nan)
            X = np.concatenate([X, pad], axis=1)
        return X

    def transform(self, X):
        """Latent means of the sequences.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_frames, n_joints, n_dims) or list of arrays

        Returns
        -------
        Z : ndarray of shape (n_samples, latent_dim)
        """
        check_is_fitted(self, "module_")
        return self._encode(self._sequences(X))

    def _encode(self, X):
        module = self.module_

        class _Encoder(nn.Module):
            def __init__(self):
                super().__init__()
                self.vae = module

            def forward(self, x):
                return self.vae.encode(x)[0]

        return forward_float64(_Encoder(), X, self.device or "cpu")

    def inverse_transform(self, X):
        """Decode latent codes into sequences (the decoder's mean, in the data's units).

        Parameters
        ----------
        X : array-like of shape (n_samples, latent_dim)

        Returns
        -------
        sequences : ndarray of shape (n_samples, n_frames, n_joints, n_dims)
        """
        check_is_fitted(self, "module_")
        Z = check_array(X, dtype=np.float64)
        if Z.shape[1] != self.latent_dim:
            raise ValueError(f"X has {Z.shape[1]} columns; the latent codes of this MotionVAE have "
                             f"{self.latent_dim}.")
        module = self.module_

        class _Decoder(nn.Module):
            def __init__(self):
                super().__init__()
                self.vae = module

            def forward(self, z):
                return self.vae.decode(z)

        return forward_float64(_Decoder(), Z, self.device or "cpu")

    def sample(self, n_samples=1, random_state=None):
        """Draw sequences from the prior: decode codes drawn from a standard normal.

        Parameters
        ----------
        n_samples : int, default=1
        random_state : int, RandomState instance or None, default=None

        Returns
        -------
        sequences : ndarray of shape (n_samples, n_frames, n_joints, n_dims)
        """
        check_is_fitted(self, "module_")
        z = check_random_state(random_state).standard_normal((n_samples, self.latent_dim))
        return self.inverse_transform(z)
