"""A conditional VAE on feature vectors (MLP) or motion sequences (temporal convolutions), trained by skorch."""

import math

import torch
from torch import nn
from torch.nn import functional as F

from ._base import ConditionalGenerativeNet
from ._gan import mlp


class NegativeELBO(nn.Module):
    """Negative evidence lower bound of a VAE with a Gaussian decoder, averaged over the batch.

    ``-ELBO = E_q[-log N(x; mean(z), diag(sigma^2))] + beta * KL(q(z | x, class) || N(0, I))``

    with the reconstruction term estimated from one reparameterised draw and the KL in closed form. The
    decoder variance ``sigma^2`` of each channel is set to its maximum-likelihood value, the batch's mean
    squared reconstruction error in that channel (the "optimal sigma" of [2]_), so the balance between
    the two terms is fitted, not tuned, from the first step. ``beta = 1`` is the true ELBO [1]_; other
    values give a beta-VAE.

    Parameters
    ----------
    beta : float, default=1.0
        Weight of the KL term.

    References
    ----------
    .. [1] Kingma, D. P., & Welling, M. (2014). Auto-encoding variational Bayes. *ICLR*.
    .. [2] Rybkin, O., Daniilidis, K., & Levine, S. (2021). Simple and effective VAE training with
       calibrated decoders. *ICML*.
    """

    def __init__(self, beta=1.0):
        super().__init__()
        self.beta = beta

    def forward(self, outputs, x):
        """``outputs = (mean, mu, logvar)`` of a VAE module, ``x`` the encoded batch."""
        mean, mu, logvar = outputs
        variance = reconstruction_variance(x, mean).detach()
        nll = 0.5 * ((x - mean) ** 2 / variance + variance.log() + math.log(2 * math.pi))
        kl = 0.5 * (mu**2 + logvar.exp() - 1.0 - logvar)
        return nll.flatten(1).sum(1).mean() + self.beta * kl.sum(1).mean()


def reconstruction_variance(x, mean, floor=1e-6):
    """Mean squared error per channel (the last axis), over samples (and frames), at least ``floor``."""
    return ((x - mean) ** 2).mean(dim=tuple(range(x.dim() - 1)), keepdim=True).clamp_min(floor)


class _ConditionalVAEModule(nn.Module):
    """Encoder / decoder plumbing shared by the VAE modules: reparameterisation and the decoder scale.

    ``log_scale`` (a buffer, one value per channel) is the decoder's standard deviation used for sampling;
    :class:`ConditionalVAE` sets it after training from the reconstruction error on the training data.
    """

    def forward(self, x, y):
        """``(reconstruction mean, posterior mean, posterior log-variance)``."""
        mu, logvar = self.encode(x, y)
        # Drawn on the CPU, then moved: a seed gives the same noise on every device.
        noise = torch.randn(mu.shape, dtype=mu.dtype).to(mu.device)
        z = mu + noise * (0.5 * logvar).exp()
        return self.decode(z, y), mu, logvar

    def _one_hot(self, y, dtype):
        return F.one_hot(y, self.n_classes).to(dtype)


class ConditionalMLPVAE(_ConditionalVAEModule):
    """Conditional VAE with MLP encoder and decoder, for feature vectors of any dimension.

    Parameters
    ----------
    n_features : int
    n_classes : int
    latent_dim : int, default=8
    hidden_sizes : tuple of int, default=(128, 128)
    """

    def __init__(self, n_features, n_classes, latent_dim=8, hidden_sizes=(128, 128)):
        super().__init__()
        self.n_classes, self.latent_dim = n_classes, latent_dim
        self.encoder = mlp([n_features + n_classes, *hidden_sizes, 2 * latent_dim])
        self.decoder = mlp([latent_dim + n_classes, *hidden_sizes[::-1], n_features])
        self.register_buffer("log_scale", torch.zeros(n_features))

    def encode(self, x, y):
        """Posterior mean and log-variance ``(n, latent_dim)`` each."""
        return self.encoder(torch.cat([x, self._one_hot(y, x.dtype)], dim=1)).chunk(2, dim=1)

    def decode(self, z, y):
        """Decoder mean ``(n, n_features)``."""
        return self.decoder(torch.cat([z, self._one_hot(y, z.dtype)], dim=1))


def _halved(n_frames):
    """Frames after a stride-2 convolution with 'same' padding."""
    return -(-n_frames // 2)


class ConditionalTemporalVAE(_ConditionalVAEModule):
    """Conditional VAE for motion sequences ``(n, n_frames, n_channels)`` with temporal 1-D convolutions.

    Channels are the joint coordinates (``n_joints * 3``). The encoder has two stride-2 convolutions over
    time (the class as constant one-hot channels), the decoder a linear layer to a quarter of the frames
    and two upsample + convolution stages back to ``n_frames``, so decoded motions are smooth in time.

    Parameters
    ----------
    n_frames : int
    n_channels : int
    n_classes : int
    latent_dim : int, default=16
    hidden_channels : int, default=64
    kernel_size : int, default=5
        Odd temporal kernel size.
    """

    def __init__(self, n_frames, n_channels, n_classes, latent_dim=16, hidden_channels=64, kernel_size=5):
        super().__init__()
        self.n_classes, self.latent_dim, self.hidden_channels = n_classes, latent_dim, hidden_channels
        self.sizes = (n_frames, _halved(n_frames), _halved(_halved(n_frames)))
        pad = kernel_size // 2
        self.encoder = nn.Sequential(
            nn.Conv1d(n_channels + n_classes, hidden_channels, kernel_size, stride=2, padding=pad), nn.LeakyReLU(0.2),
            nn.Conv1d(hidden_channels, hidden_channels, kernel_size, stride=2, padding=pad), nn.LeakyReLU(0.2),
            nn.Flatten(), nn.Linear(hidden_channels * self.sizes[2], 2 * latent_dim),
        )
        self.expand = nn.Linear(latent_dim + n_classes, hidden_channels * self.sizes[2])
        self.decoder = nn.Sequential(
            nn.LeakyReLU(0.2), nn.Upsample(size=self.sizes[1], mode="linear"),
            nn.Conv1d(hidden_channels, hidden_channels, kernel_size, padding=pad), nn.LeakyReLU(0.2),
            nn.Upsample(size=self.sizes[0], mode="linear"),
            nn.Conv1d(hidden_channels, n_channels, kernel_size, padding=pad),
        )
        self.register_buffer("log_scale", torch.zeros(n_channels))

    def encode(self, x, y):
        """Posterior mean and log-variance from sequences ``(n, n_frames, n_channels)``."""
        labels = self._one_hot(y, x.dtype)[:, :, None].expand(-1, -1, x.shape[1])
        return self.encoder(torch.cat([x.transpose(1, 2), labels], dim=1)).chunk(2, dim=1)

    def decode(self, z, y):
        """Decoder mean ``(n, n_frames, n_channels)``."""
        h = self.expand(torch.cat([z, self._one_hot(y, z.dtype)], dim=1))
        return self.decoder(h.view(len(z), self.hidden_channels, self.sizes[2])).transpose(1, 2)


class ConditionalVAE(ConditionalGenerativeNet):
    """Conditional variational autoencoder (Sohn et al. 2015) as a skorch net: learns ``p(x | class)``.

    Trained on the negative ELBO (:class:`NegativeELBO`: Gaussian reconstruction with its maximum-likelihood
    scale plus ``beta`` times the KL divergence to the standard normal prior). After training, the decoder
    scale is set to the reconstruction error per channel on the training data. :meth:`sample` draws a
    latent code from the prior and decodes it for the requested class; for feature vectors it adds the
    decoder's Gaussian noise (the full model: the decoder mean alone would lack the variance the model
    attributes to noise), for sequences it returns the decoder mean (that noise is independent across
    frames, so it would only add jitter).

    With ``module=None`` the architecture follows the data: :class:`ConditionalMLPVAE` for feature vectors
    ``(n_samples, n_features)``, :class:`ConditionalTemporalVAE` for sequences ``(n_samples, n_frames,
    n_channels)``. Data-dependent sizes are inferred in ``fit``. Standardise the data first.

    Parameters
    ----------
    module : torch module class, instance or None, default=None
        VAE module with ``latent_dim``, a ``log_scale`` buffer, ``forward(x, labels) -> (mean, mu, logvar)``
        and ``decode(z, labels)``; ``module__*`` parameters (``latent_dim``, ``hidden_sizes``...) go to it.
    criterion : torch loss class, default=NegativeELBO
        ``criterion__beta`` sets the KL weight.
    optimizer : torch optimizer class, default=torch.optim.Adam
    lr : float, default=1e-3
    max_epochs : int, default=300
    batch_size : int, default=32
    train_split : None or callable, default=None
    verbose : int, default=0
    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, batch order and the reparameterisation noise.
    torch_threads : int or None, default=1
        Intra-op torch threads while training and sampling (restored afterwards); ``None`` keeps torch's
        setting. One thread is the fastest for small models.
    device : str or torch.device, default="cpu"
        Where the module trains and samples ("cuda" needs a GPU). The noise is drawn on the CPU, so a seed
        gives the same draws on every device.
    **kwargs
        Other :class:`skorch.NeuralNet` parameters.

    Attributes
    ----------
    module_ : torch module
    classes_ : ndarray of shape (n_classes,)
    input_shape_ : tuple
        Shape of one training sample.
    history_ : skorch History

    References
    ----------
    .. [1] Sohn, K., Lee, H., & Yan, X. (2015). Learning structured output representation using deep
       conditional generative models. *NeurIPS*.

    Examples
    --------
    >>> import numpy as np
    >>> from skemotion.nn import ConditionalVAE
    >>> rng = np.random.RandomState(0)
    >>> X = rng.normal(size=(40, 30, 6)).cumsum(axis=1).astype("float32")  # 40 sequences, 30 frames
    >>> vae = ConditionalVAE(max_epochs=3, random_state=0).fit(X, np.repeat([0, 1], 20))
    >>> type(vae.module_).__name__, vae.sample([1, 1], random_state=0).shape
    ('ConditionalTemporalVAE', (2, 30, 6))
    """

    _allow_sequences = True

    def __init__(self, module=None, *, criterion=NegativeELBO, optimizer=torch.optim.Adam, lr=1e-3, max_epochs=300,
                 batch_size=32, train_split=None, verbose=0, random_state=None, torch_threads=1, device="cpu",
                 **kwargs):
        super().__init__(module, criterion=criterion, optimizer=optimizer, lr=lr, max_epochs=max_epochs,
                         batch_size=batch_size, train_split=train_split, verbose=verbose,
                         random_state=random_state, torch_threads=torch_threads, device=device, **kwargs)

    def initialize_module(self):
        n_classes = len(self.classes_)
        if len(self.input_shape_) == 2:
            module, sizes = ConditionalTemporalVAE, dict(zip(("n_frames", "n_channels"), self.input_shape_))
        else:
            module, sizes = ConditionalMLPVAE, {"n_features": self.input_shape_[0]}
        self.module_ = self._initialized(module if self.module is None else self.module, "module",
                                         {**sizes, "n_classes": n_classes})
        return self

    def _after_training(self, X, labels):
        """Calibrate the decoder scale: the reconstruction error per channel on the training data.

        One reparameterised draw per sample, from a fixed seed outside the training's random stream.
        """
        self._set_training(False)
        with torch.no_grad(), torch.random.fork_rng(devices=[]):
            torch.manual_seed(0)
            x, y = self._tensor(X), self._tensor(labels)
            mean, _, _ = self.module_(x, y)
            self.module_.log_scale.copy_(0.5 * reconstruction_variance(x, mean).log().reshape(-1))

    def _decode(self, z, labels, generator):
        """Feature vectors: draws of the full model ``x ~ N(decoder mean(z, class), sigma^2)`` (the mean alone
        lacks the variance the model attributes to the decoder noise). Sequences: the decoder mean (the
        decoder's noise is independent across frames: white jitter, not motion)."""
        mean = self.module_.decode(z, labels)
        if mean.dim() > 2:
            return mean
        return mean + self.module_.log_scale.exp() * self._randn(*mean.shape, generator=generator)
