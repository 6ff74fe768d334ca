"""A conditional GAN on raw EEG epochs: 1-D convolutional generator and discriminator, trained by skorch."""

from numbers import Real

import numpy as np
import torch
from sklearn.utils._param_validation import Interval
from skorch.callbacks import PassthroughScoring
from torch import nn
from torch.nn import functional as F

from ..utils._tags import EEGMixin
from ..utils.validation import check_eeg
from ._gan import ConditionalGAN


def _halved(n_times, times):
    """Length of a signal of ``n_times`` samples after halving it ``times`` times (rounding up)."""
    return -(-n_times // 2**times)


class ConditionalConvGenerator(nn.Module):
    """1-D convolutional generator ``G(z, class) -> (n_channels, n_times)`` for EEG epochs.

    The latent code holds a global part (``global_dim`` values: the state of the whole epoch) and white
    noise at ``n_upsamplings + 1`` resolutions, from ``n_times / 2**n_upsamplings`` samples up to
    ``n_times``. The coarsest noise goes through a convolution, then each ``ConvTranspose1d`` doubles the
    time resolution and the noise of that resolution, filtered by its own convolution, is added: slow
    rhythms come from the upsampling path and fast ones from the fine noise, as in a filter bank. A 1 x 1
    convolution mixes the hidden signals into the EEG channels (a spatial mixing, like volume conduction).

    The global code sets a gain and an offset of every hidden channel at every resolution through a small
    MLP (FiLM [1]_): epochs differ in the power of their rhythms, not only in their noise. The class acts
    twice, through learned tables that start at zero (all classes alike): a class embedding added to those
    FiLM parameters, and a class-specific log-gain of every channel at every frequency, applied to the
    output's spectrum (a zero-phase circular filter). The second is how an emotion changes the band power
    of some regions, the effect EEG studies report. The output is linear, for standardised signals.

    Parameters
    ----------
    n_channels : int
        EEG channels of the generated epochs.
    n_times : int
        Samples per epoch.
    n_classes : int
        Number of classes.
    global_dim : int, default=16
        Dimension of the global part of the latent code.
    noise_channels : int, default=4
        Channels of the white noise at every resolution.
    hidden_channels : int, default=16
        Channels of the hidden signals.
    n_upsamplings : int, default=3
        Number of ``ConvTranspose1d`` (x 2) stages.
    kernel_size : int, default=9
        Odd temporal kernel of the convolutions.

    Attributes
    ----------
    latent_dim : int
        Size of the latent code ``z``: ``global_dim + noise_channels * (sum of the lengths)``.
    class_log_gain : torch Parameter of shape (n_classes, n_channels, n_times // 2 + 1)
        Natural log of the amplitude gain of every class, channel and frequency.

    References
    ----------
    .. [1] Perez, E., Strub, F., de Vries, H., Dumoulin, V., & Courville, A. (2018). FiLM: Visual reasoning
       with a general conditioning layer. *AAAI*.
    """

    def __init__(self, n_channels, n_times, n_classes, global_dim=16, noise_channels=4, hidden_channels=16,
                 n_upsamplings=3, kernel_size=9):
        super().__init__()
        self.n_times, self.global_dim = n_times, global_dim
        self.noise_channels, self.hidden_channels = noise_channels, hidden_channels
        coarsest = _halved(n_times, n_upsamplings)
        self.lengths = [coarsest * 2**level for level in range(n_upsamplings + 1)]
        self.latent_dim = global_dim + noise_channels * sum(self.lengths)
        n_levels, pad = len(self.lengths), kernel_size // 2
        self.film = nn.Sequential(nn.Linear(global_dim, 64), nn.LeakyReLU(0.2),
                                  nn.Linear(64, 2 * hidden_channels * n_levels))
        self.class_film = nn.Embedding(n_classes, 2 * hidden_channels * n_levels)
        nn.init.zeros_(self.class_film.weight)  # classes start alike and drift apart as they must
        self.noise_filters = nn.ModuleList(
            nn.Conv1d(noise_channels, hidden_channels, kernel_size, padding=pad) for _ in range(n_levels))
        self.convs = nn.ModuleList(
            nn.Conv1d(hidden_channels, hidden_channels, kernel_size, padding=pad) for _ in range(n_levels))
        self.upsamplings = nn.ModuleList(
            nn.ConvTranspose1d(hidden_channels, hidden_channels, 4, stride=2, padding=1) for _ in range(n_upsamplings))
        self.spatial = nn.Conv1d(hidden_channels, n_channels, 1)
        self.class_log_gain = nn.Parameter(torch.zeros(n_classes, n_channels, n_times // 2 + 1))

    def forward(self, z, y):
        """Generated epochs ``(n, n_channels, n_times)`` for latent codes ``z`` and integer labels ``y``."""
        n = len(z)
        film = self.film(z[:, :self.global_dim]) + self.class_film(y)
        gain, offset = film.view(n, len(self.lengths), 2, self.hidden_channels, 1).unbind(2)
        noises = z[:, self.global_dim:].split([self.noise_channels * length for length in self.lengths], dim=1)
        h = None
        for level, (length, noise) in enumerate(zip(self.lengths, noises)):
            filtered = self.noise_filters[level](noise.reshape(n, self.noise_channels, length))
            h = filtered if h is None else self.upsamplings[level - 1](h) + filtered
            h = self.convs[level](F.leaky_relu(h, 0.2))
            h = h * gain[:, level].exp() + offset[:, level]
        x = self.spatial(h)[..., :self.n_times]
        spectrum = torch.fft.rfft(x) * self.class_log_gain[y].exp()
        return torch.fft.irfft(spectrum, n=self.n_times)

    decode = forward


class ConditionalConvDiscriminator(nn.Module):
    """1-D convolutional projection discriminator ``D(x, class) -> logit`` for EEG epochs.

    A 1 x 1 convolution makes ``hidden_channels`` spatial mixtures of the EEG channels; ``n_layers``
    strided convolutions (stride 2, LeakyReLU) follow, and their output is averaged over time, so the
    discriminator takes epochs of any length. The class enters by projection [1]_: the logit is
    ``w . h + embedding(class) . h`` for the pooled features ``h``.

    Parameters
    ----------
    n_channels : int
    n_times : int
        Samples per epoch (unused: the features are pooled over time).
    n_classes : int
    hidden_channels : int, default=32
    n_layers : int, default=5
        Strided convolutions; with ``kernel_size=7`` five layers see 187 samples (about 1 s at 200 Hz).
    kernel_size : int, default=7

    References
    ----------
    .. [1] Miyato, T., & Koyama, M. (2018). cGANs with projection discriminator. *ICLR*.
    """

    def __init__(self, n_channels, n_times, n_classes, hidden_channels=32, n_layers=5, kernel_size=7):
        super().__init__()
        layers = [nn.Conv1d(n_channels, hidden_channels, 1)]
        for _ in range(n_layers):
            layers += [nn.Conv1d(hidden_channels, hidden_channels, kernel_size, stride=2, padding=kernel_size // 2),
                       nn.LeakyReLU(0.2)]
        self.features = nn.Sequential(*layers)
        self.linear = nn.Linear(hidden_channels, 1)
        self.embedding = nn.Embedding(n_classes, hidden_channels)

    def forward(self, x, y):
        """Logit that the epochs ``x`` are real epochs of class ``y``, shape ``(n,)``."""
        h = self.features(x).mean(dim=-1)
        return self.linear(h).squeeze(1) + (self.embedding(y) * h).sum(dim=1)


def periodogram(x):
    """Hann-windowed periodogram of every channel without its DC bin, ``(..., n_times // 2)``.

    Scaled so that a bin of white noise of unit variance has power about 1 (``|FFT|^2 / sum(window^2)``).
    The DC bin (the epoch's offset, often exactly removed from real EEG) is left out.
    """
    window = torch.hann_window(x.shape[-1], periodic=True, dtype=x.dtype, device=x.device)
    return torch.fft.rfft(x * window)[..., 1:].abs().pow(2) / window.pow(2).sum().clamp_min(1e-12)


def log_spaced_bands(n_bins, per_octave=4):
    """Matrix ``(n_bins, n_bands)`` averaging periodogram bins 1..n_bins into bands of equal width in log
    frequency (``per_octave`` per octave; single bins where the bins are coarser than that)."""
    edges = np.unique(np.round(np.geomspace(1, n_bins + 1, int(per_octave * np.log2(n_bins + 1)) + 2)).astype(int))
    bins = np.arange(1, n_bins + 1)[:, np.newaxis]
    membership = (bins >= edges[:-1]) & (bins < edges[1:])
    return torch.as_tensor(membership / membership.sum(axis=0), dtype=torch.float32)


def class_log_spectra(x, labels, n_classes, eps=1e-8):
    """Log of the mean power of the epochs of each class in log-spaced frequency bands, and the class counts.

    Bands of equal width in log frequency weigh the slow rhythms (a few periodogram bins, most of the power
    of EEG) as much as the fast ones (most of the bins).
    """
    power = periodogram(x)
    sums = power.new_zeros((n_classes,) + power.shape[1:]).index_add(0, labels, power)
    counts = torch.bincount(labels, minlength=n_classes).to(power.dtype)
    bands = log_spaced_bands(power.shape[-1]).to(power)
    return torch.log(sums / counts.clamp_min(1)[:, None, None] @ bands + eps), counts


class ConditionalConvGAN(EEGMixin, ConditionalGAN):
    """Conditional GAN on raw EEG epochs ``(n_epochs, n_channels, n_times)``, with 1-D convolutions.

    A :class:`ConditionalGAN` whose generator is :class:`ConditionalConvGenerator` (multi-resolution noise,
    ``ConvTranspose1d`` upsampling, class- and code-dependent gains, spatial mixing) and whose
    discriminator is :class:`ConditionalConvDiscriminator` (spatial and strided temporal convolutions,
    projection of the class). Epochs are validated by :func:`skemotion.eeg.check_eeg` (a 2-D array is
    epochs of one channel) and standardised per channel (mean and standard deviation over epochs and time,
    ``mean_`` and ``scale_``); :meth:`sample` returns epochs ``(n, n_channels, n_times)`` in the units of
    the training data (volts for MNE data).

    The generator's loss adds to the adversarial loss a spectral moment-matching term (feature matching
    [2]_ on fixed features): ``spectral_weight`` times the squared difference between the log of the mean
    periodogram of the generated epochs of each class in the batch and that of the real training epochs
    of the class (``class_log_spectra_``), averaged over channels and over frequency bands of equal width
    in log frequency. The mean power is matched, not the mean log-power (which depends on how power
    varies between epochs), and log-spaced bands weigh the slow rhythms (a few periodogram bins that hold
    most of EEG's power) as much as the fast ones. This term makes the spectrum of every channel and class,
    the first thing an EEG researcher checks, converge within a minute on CPU; the adversarial term judges
    the rest (variability between epochs, cross-channel structure, waveforms).
    ``spectral_weight=0`` gives a plain conditional GAN.

    Parameters
    ----------
    module : torch module class or instance, default=ConditionalConvGenerator
        ``module__*`` parameters (``global_dim``, ``hidden_channels``, ``n_upsamplings``...) go to it.
    discriminator : torch module class or instance, default=ConditionalConvDiscriminator
        ``discriminator__*`` parameters go to it.
    lr : float, default=2e-3
        Learning rate of both Adam optimizers.
    r1_penalty : float, default=1.0
        Weight of the R1 penalty on real epochs.
    spectral_weight : float, default=10.0
        Weight of the spectral moment-matching term of the generator's loss.
    standardize : bool, default=True
        Standardise every channel (see above).
    max_epochs : int, default=60
        Passes over the training epochs. A few hundred 62-channel epochs of 1 s train in about 30 s.
    batch_size : int, default=32
    random_state : int, RandomState instance or None, default=None
        Seeds weights, batches and noise without touching the caller's torch random state.
    torch_threads : int or None, default=1
    device : str or torch.device, default="cpu"
        Where the modules train and sample ("cuda" needs a GPU).
    **kwargs
        Other :class:`ConditionalGAN` and :class:`skorch.NeuralNet` parameters.

    Attributes
    ----------
    module_, discriminator_ : torch modules
    classes_ : ndarray of shape (n_classes,)
    n_channels_in_ : int
        Channels seen in ``fit``.
    input_shape_ : tuple
        ``(n_channels, n_times)`` of one training epoch.
    mean_, scale_ : ndarray of shape (n_channels, 1)
        Per-channel training mean and standard deviation.
    class_log_spectra_ : ndarray of shape (n_classes, n_channels, n_bands)
        Log of the mean Hann-windowed periodogram of the standardised training epochs of each class,
        averaged in bands of equal width in log frequency (a quarter of an octave, single bins at the low
        end; the DC bin left out): the spectral target.
    history_ : skorch History
        With ``train_loss`` (the generator's total loss), ``discriminator_loss`` and ``spectral_loss``.

    References
    ----------
    .. [1] Mirza, M., & Osindero, S. (2014). Conditional generative adversarial nets. arXiv:1411.1784.
    .. [2] Salimans, T., Goodfellow, I., Zaremba, W., Cheung, V., Radford, A., & Chen, X. (2016). Improved
       techniques for training GANs. *NeurIPS*.

    Examples
    --------
    >>> from skemotion.datasets import make_eeg_emotion
    >>> from skemotion.nn import ConditionalConvGAN
    >>> eeg = make_eeg_emotion(n_subjects=2, n_trials=6, n_epochs_per_trial=2, epoch_duration=1.0,
    ...                        random_state=0)
    >>> gan = ConditionalConvGAN(max_epochs=2, random_state=0).fit(eeg.data, eeg.target)
    >>> epochs = gan.sample(["positive", "negative"], random_state=0)
    >>> epochs.shape, epochs.dtype
    ((2, 62, 200), dtype('float32'))
    """

    _allow_sequences = True
    _standardization_axes = (0, 2)
    _parameter_constraints = {
        **ConditionalGAN._parameter_constraints,
        "spectral_weight": [Interval(Real, 0, None, closed="left")],
    }

    def __init__(self, module=ConditionalConvGenerator, *, discriminator=ConditionalConvDiscriminator, lr=2e-3,
                 r1_penalty=1.0, spectral_weight=10.0, standardize=True, max_epochs=60, batch_size=32,
                 random_state=None, torch_threads=1, device="cpu", **kwargs):
        self.spectral_weight = spectral_weight
        super().__init__(module, discriminator=discriminator, lr=lr, r1_penalty=r1_penalty, standardize=standardize,
                         max_epochs=max_epochs, batch_size=batch_size, random_state=random_state,
                         torch_threads=torch_threads, device=device, **kwargs)

    @property
    def _default_callbacks(self):
        return [*super()._default_callbacks,
                ("spectral_loss", PassthroughScoring(name="spectral_loss", on_train=True))]

    def _check_X(self, X, reset):
        X = check_eeg(self, X, reset=reset, dtype=np.float32)
        if not reset and X.shape[2] != self.input_shape_[1]:
            raise ValueError(f"X has epochs of {X.shape[2]} samples, but {type(self).__name__} was fitted on "
                             f"{self.input_shape_[1]}.")
        return X

    def _validate_training_data(self, X, y, reset, classes=None):
        X, labels = super()._validate_training_data(X, y, reset, classes=classes)
        if reset:
            with torch.no_grad():
                log_spectra, _ = class_log_spectra(torch.as_tensor(X), torch.as_tensor(labels), len(self.classes_))
            self.class_log_spectra_ = log_spectra.numpy()
        return X, labels

    def initialize_module(self):
        sizes = {"n_channels": self.input_shape_[0], "n_times": self.input_shape_[1], "n_classes": len(self.classes_)}
        self.module_ = self._initialized(self.module, "module", sizes)
        self.discriminator_ = self._initialized(self.discriminator, "discriminator", sizes)
        return self

    def _generator_loss(self, fake, labels):
        """Adversarial loss plus ``spectral_weight`` times the spectral moment-matching term."""
        loss = super()._generator_loss(fake, labels)
        with torch.set_grad_enabled(bool(self.spectral_weight)):
            spectral = self._spectral_loss(fake, labels)
        self.history.record_batch("spectral_loss", spectral.item())
        return loss + self.spectral_weight * spectral if self.spectral_weight else loss

    def _spectral_loss(self, fake, labels):
        """Squared error of the log mean power of each class in the batch against the class's target,
        averaged over channels and log-spaced bands and weighted by the class's share of the batch."""
        if fake.shape[-1] < 2:  # one sample per epoch: no frequency but DC
            return fake.new_zeros(())
        log_spectra, counts = class_log_spectra(fake, labels, len(self.classes_))
        errors = ((log_spectra - self._tensor(self.class_log_spectra_)) ** 2).mean(dim=(1, 2))
        return errors @ counts / len(labels)
