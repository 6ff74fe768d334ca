"""A conditional GAN on feature vectors: torch generator and discriminator, trained by a skorch net."""

from numbers import Real

import numpy as np
import torch
from sklearn.utils._param_validation import Interval
from skorch.callbacks import PassthroughScoring
from skorch.dataset import unpack_data
from skorch.utils import to_tensor
from torch import nn
from torch.nn import functional as F

from ._base import NET_CONSTRAINTS, ConditionalGenerativeNet


def mlp(sizes, negative_slope=0.2, dropout=0.0):
    """Linear layers of the given sizes with LeakyReLU (and dropout) between them, none after the last."""
    layers = []
    for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        layers.append(nn.Linear(n_in, n_out))
        if i < len(sizes) - 2:
            layers.append(nn.LeakyReLU(negative_slope))
            if dropout:
                layers.append(nn.Dropout(dropout))
    return nn.Sequential(*layers)


class ConditionalGenerator(nn.Module):
    """MLP generator ``G(z, class) -> x`` for feature vectors of any dimension.

    The class enters as a one-hot vector concatenated to the latent code. The output is linear, for
    standardised data.

    Parameters
    ----------
    n_features : int
        Dimension of the generated vectors.
    n_classes : int
        Number of classes.
    latent_dim : int, default=16
        Dimension of the Gaussian latent code.
    hidden_sizes : tuple of int, default=(128, 128)
        Widths of the hidden layers.
    """

    def __init__(self, n_features, n_classes, latent_dim=16, hidden_sizes=(128, 128)):
        super().__init__()
        self.n_classes = n_classes
        self.latent_dim = latent_dim
        self.net = mlp([latent_dim + n_classes, *hidden_sizes, n_features])

    def forward(self, z, y):
        """Generated samples ``(n, n_features)`` for latent codes ``z`` and integer labels ``y``."""
        return self.net(torch.cat([z, F.one_hot(y, self.n_classes).to(z.dtype)], dim=1))

    decode = forward


class ConditionalDiscriminator(nn.Module):
    """MLP discriminator ``D(x, class) -> logit`` (real vs generated) for feature vectors of any dimension.

    Parameters
    ----------
    n_features : int
        Dimension of the vectors.
    n_classes : int
        Number of classes.
    hidden_sizes : tuple of int, default=(128, 128)
        Widths of the hidden layers.
    dropout : float, default=0.0
        Dropout after each hidden layer (it made the conditional fit of small data sets worse).
    """

    def __init__(self, n_features, n_classes, hidden_sizes=(128, 128), dropout=0.0):
        super().__init__()
        self.n_classes = n_classes
        self.net = mlp([n_features + n_classes, *hidden_sizes, 1], dropout=dropout)

    def forward(self, x, y):
        """Logit that ``x`` is a real sample of class ``y``, shape ``(n,)``."""
        return self.net(torch.cat([x, F.one_hot(y, self.n_classes).to(x.dtype)], dim=1)).squeeze(1)


class ConditionalGAN(ConditionalGenerativeNet):
    """Conditional GAN (Mirza & Osindero 2014) as a skorch net: learns ``p(x | class)`` of feature vectors.

    The generator is skorch's ``module``; the discriminator is an extra module with its own optimizer,
    following skorch's recipe for additional modules (so ``discriminator__*``, ``optimizer_discriminator__*``
    parameters work with ``set_params`` and grid search). Each batch makes one discriminator step on real
    versus generated samples (non-saturating logistic loss, with an R1 gradient penalty on real samples
    [2]_ that keeps the discriminator smooth on small data sets) and one generator step. The generator's
    loss is ``train_loss`` in the history, the discriminator's ``discriminator_loss``.

    Sizes that depend on the data (``n_features``, ``n_classes``) are inferred in ``fit``, so the same net
    fits skeleton features or EEG features of any dimension (e.g. the 62 x 5 = 310 differential entropies
    of :class:`~skemotion.eeg.EEGBandFeatures`). With ``standardize=True`` every feature is standardised
    with the training mean and standard deviation (fitted attributes ``mean_`` and ``scale_``) and
    :meth:`sample` returns samples in the original units, so raw features (DE in nats around -10, band
    powers in V**2) can be passed as they are.

    Parameters
    ----------
    module : torch module class or instance, default=ConditionalGenerator
        Generator with ``latent_dim`` and ``forward(z, labels)``; ``module__*`` parameters go to it.
    discriminator : torch module class or instance, default=ConditionalDiscriminator
        Discriminator ``forward(x, labels) -> logits``; ``discriminator__*`` parameters go to it.
    criterion : torch loss class, default=torch.nn.BCEWithLogitsLoss
        Loss on the discriminator's logits.
    optimizer, optimizer_discriminator : torch optimizer class, default=torch.optim.Adam
        Optimizers of the generator and the discriminator. Adam gets ``betas=(0.5, 0.999)`` (the usual GAN
        setting) unless ``optimizer__betas`` / ``optimizer_discriminator__betas`` are given.
    lr : float, default=2e-4
        Learning rate of both optimizers (``optimizer_discriminator__lr`` overrides the discriminator's).
    r1_penalty : float, default=1.0
        Weight ``gamma`` of the R1 penalty ``gamma / 2 * E ||grad_x D(x)||^2`` on real samples; 0 disables it.
        Hundreds of features (EEG band features) train better with a stronger penalty (about 10).
    standardize : bool, default=True
        Standardise the data inside the net (see above); ``False`` trains on the data as given.
    max_epochs : int, default=300
    batch_size : int, default=32
    train_split : None or callable, default=None
        No validation split by default: a GAN's losses say little about sample quality.
    verbose : int, default=0
    random_state : int, RandomState instance or None, default=None
        Seeds weight initialisation, batch order and noise (torch's global generator is restored afterwards).
    torch_threads : int or None, default=1
        Intra-op torch threads while training and sampling (restored afterwards); ``None`` keeps torch's
        setting. One thread is the fastest for small models.
    device : str or torch.device, default="cpu"
        Where the modules train and sample ("cuda" needs a GPU). The noise is drawn on the CPU, so a seed
        gives the same draws on every device.
    **kwargs
        Other :class:`skorch.NeuralNet` parameters (``callbacks``, ``module__hidden_sizes``, ...).

    Attributes
    ----------
    module_, discriminator_ : torch modules
    optimizer_, optimizer_discriminator_ : torch optimizers
    classes_ : ndarray of shape (n_classes,)
    input_shape_ : tuple
        Shape of one training sample, ``(n_features,)``.
    mean_, scale_ : ndarray of shape (n_features,)
        Training mean and standard deviation of every feature (0 and 1 with ``standardize=False``).
    n_features_in_ : int
    history_ : skorch History

    References
    ----------
    .. [1] Mirza, M., & Osindero, S. (2014). Conditional generative adversarial nets. arXiv:1411.1784.
    .. [2] Mescheder, L., Geiger, A., & Nowozin, S. (2018). Which training methods for GANs do actually
       converge? *ICML*.

    Examples
    --------
    >>> import numpy as np
    >>> from skemotion.nn import ConditionalGAN
    >>> rng = np.random.RandomState(0)
    >>> X = np.vstack([rng.normal(-2, 1, (50, 3)), rng.normal(2, 1, (50, 3))]).astype("float32")
    >>> y = np.repeat(["calm", "angry"], 50)
    >>> gan = ConditionalGAN(max_epochs=5, random_state=0).fit(X, y)
    >>> gan.sample(["angry", "calm", "calm"], random_state=0).shape
    (3, 3)
    >>> "discriminator_loss" in gan.history[-1]
    True
    """

    _parameter_constraints = {
        **NET_CONSTRAINTS,
        "r1_penalty": [Interval(Real, 0, None, closed="left")],
        "standardize": ["boolean"],
    }

    def __init__(self, module=ConditionalGenerator, *, discriminator=ConditionalDiscriminator,
                 criterion=torch.nn.BCEWithLogitsLoss, optimizer=torch.optim.Adam,
                 optimizer_discriminator=torch.optim.Adam, lr=2e-4, r1_penalty=1.0, standardize=True, max_epochs=300,
                 batch_size=32, train_split=None, verbose=0, random_state=None, torch_threads=1, device="cpu",
                 **kwargs):
        self.discriminator = discriminator
        self.optimizer_discriminator = optimizer_discriminator
        self.r1_penalty = r1_penalty
        self.standardize = standardize
        super().__init__(module, criterion=criterion, optimizer=optimizer, lr=lr, max_epochs=max_epochs,
                         batch_size=batch_size, train_split=train_split, verbose=verbose,
                         random_state=random_state, torch_threads=torch_threads, device=device, **kwargs)

    @property
    def _default_callbacks(self):
        return [*super()._default_callbacks,
                ("discriminator_loss", PassthroughScoring(name="discriminator_loss", on_train=True))]

    # Axes over which a feature's mean and scale are computed: samples (and, for signals, time).
    _standardization_axes = (0,)

    def _validate_training_data(self, X, y, reset, classes=None):
        """Validate, and standardise with the training statistics (computed on the first fit)."""
        X, labels = super()._validate_training_data(X, y, reset, classes=classes)
        if reset:
            axes = self._standardization_axes
            mean = X.mean(axis=axes, keepdims=True, dtype=np.float64)[0]
            scale = X.std(axis=axes, keepdims=True, dtype=np.float64)[0]
            scale[scale <= 1e-12 * np.maximum(np.abs(mean), 1.0)] = 1.0  # constant features stay constant
            if not self.standardize:
                mean, scale = np.zeros_like(mean), np.ones_like(scale)
            self.mean_, self.scale_ = mean.astype(np.float32), scale.astype(np.float32)
        return ((X - self.mean_) / self.scale_).astype(np.float32), labels

    def _decode(self, z, labels, generator):
        """The generator's output, back in the units of the training data."""
        return self.module_.decode(z, labels) * self._tensor(self.scale_) + self._tensor(self.mean_)

    def initialize_module(self):
        sizes = {"n_features": self.input_shape_[0], "n_classes": len(self.classes_)}
        self.module_ = self._initialized(self.module, "module", sizes)
        self.discriminator_ = self._initialized(self.discriminator, "discriminator", sizes)
        return self

    def initialize_optimizer(self, *args, **kwargs):
        for name, module in (("optimizer", self.module_), ("optimizer_discriminator", self.discriminator_)):
            pgroups, options = self.get_params_for_optimizer(name, module.named_parameters())
            optimizer = getattr(self, name)
            if optimizer in (torch.optim.Adam, torch.optim.AdamW):
                options.setdefault("betas", (0.5, 0.999))
            setattr(self, name + "_", optimizer(*pgroups, **options))
        return self

    def _discriminator_loss(self, x_real, labels, fake):
        """Logistic loss of real versus generated samples, plus the R1 penalty on real samples."""
        ones, zeros = x_real.new_ones(len(x_real)), x_real.new_zeros(len(x_real))
        x_real = x_real.requires_grad_(self.r1_penalty > 0)
        d_real = self.discriminator_(x_real, labels)
        loss = self.criterion_(d_real, ones) + self.criterion_(self.discriminator_(fake.detach(), labels), zeros)
        if self.r1_penalty > 0:
            (grad,) = torch.autograd.grad(d_real.sum(), x_real, create_graph=True)
            loss = loss + 0.5 * self.r1_penalty * grad.pow(2).flatten(1).sum(dim=1).mean()
        return loss

    def _generator_loss(self, fake, labels):
        """Non-saturating loss of the generator: the discriminator should call its samples real."""
        return self.criterion_(self.discriminator_(fake, labels), fake.new_ones(len(fake)))

    def train_step(self, batch, **fit_params):
        """One discriminator step, then one generator step, on one batch of real data."""
        self._set_training(True)
        Xi, _ = unpack_data(batch)
        x_real, labels = (to_tensor(Xi[key], device=self.device) for key in ("x", "y"))
        z = self._randn(len(x_real), self.module_.latent_dim)
        fake = self.module_(z, labels)

        d_loss = self._discriminator_loss(x_real, labels, fake)
        self.optimizer_discriminator_.zero_grad()
        d_loss.backward()
        self.optimizer_discriminator_.step()

        g_loss = self._generator_loss(fake, labels)
        self.optimizer_.zero_grad()
        g_loss.backward()
        self.optimizer_.step()
        self.history.record_batch("discriminator_loss", d_loss.item())
        return {"loss": g_loss.detach(), "y_pred": fake.detach()}

    def validation_step(self, batch, **fit_params):
        """Generator loss on a validation batch (only with a ``train_split``)."""
        self._set_training(False)
        Xi, _ = unpack_data(batch)
        labels = to_tensor(Xi["y"], device=self.device)
        with torch.no_grad():
            fake = self.module_(self._randn(len(labels), self.module_.latent_dim), labels)
            loss = self.criterion_(self.discriminator_(fake, labels), fake.new_ones(len(fake)))
        return {"loss": loss, "y_pred": fake}
