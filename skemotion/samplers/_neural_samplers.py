"""VAESampler and GANSampler: over-sampling from a conditional VAE or GAN trained on the data."""

import warnings
from numbers import Integral, Real

import numpy as np
import torch
from sklearn.utils._param_validation import Interval, StrOptions

from ..nn import ConditionalGAN, ConditionalVAE
from ..nn._base import check_device, torch_seed
from ..skeleton import SkeletonLayout
from ..utils.validation import sequence_lengths
from ._base import BaseGenerativeOverSampler
from ._bone_space import from_bone_channels, to_bone_channels
from ._sequence_synthesis import resolve_parents

# Training parameters shared by every sampler that trains a network.
TRAINING_CONSTRAINTS = {
    "max_epochs": [Interval(Integral, 1, None, closed="left")],
    "batch_size": [Interval(Integral, 1, None, closed="left")],
    "lr": [Interval(Real, 0, None, closed="neither")],
    "verbose": ["verbose"],
    "device": [str, torch.device],
}
_NET_CONSTRAINTS = {
    "layout": [StrOptions({"auto"}), str, SkeletonLayout, None],
    "latent_dim": [Interval(Integral, 1, None, closed="left")],
    "hidden_size": [Interval(Integral, 1, None, closed="left")],
    **TRAINING_CONSTRAINTS,
}


class BoneSpaceMixin:
    """Skeleton sequences modelled as bone channels (``_bone_space.py``) and rebuilt by forward kinematics.

    Overrides the base's coordinate channels: the network sees, per frame of the time-normalised sequence,
    the root's velocity and start, each bone's unit direction and each bone's length; every new sequence
    takes the length of a random real sequence of its class and is rebuilt joint by joint from its root,
    so each bone keeps one length in every frame.
    """

    def _parents(self, n_joints):
        return resolve_parents(getattr(self, "layout_", None), n_joints)

    def _to_model_space(self, X):
        lengths = sequence_lengths(X)
        if any(np.isnan(X[i, :n]).any() for i, n in enumerate(lengths)):
            raise ValueError(
                f"{type(self).__name__} needs complete skeleton sequences, but some joints are missing (NaN) "
                "inside a sequence; fill the gaps first, e.g. with SkeletonNormalizer(max_gap=...)."
            )
        return to_bone_channels(X, lengths, self._parents(X.shape[2]), self.n_frames or X.shape[1]), lengths

    def _to_sequences(self, Z_new, y_new, X, y, lengths, random_state):
        new_lengths = np.empty(len(y_new), dtype=int)
        for label in np.unique(y_new):
            mask = y_new == label
            new_lengths[mask] = random_state.choice(lengths[y == label], size=mask.sum())
        out = np.full((len(Z_new),) + X.shape[1:], np.nan)
        for i, seq in enumerate(from_bone_channels(Z_new, new_lengths, self._parents(X.shape[2]), X.shape[3])):
            out[i, :len(seq)] = seq
        return out


def _labels_to_draw(counts, dtype):
    """One label per sample to generate: ``counts[label]`` copies of each label."""
    return np.concatenate([np.full(n, label, dtype=dtype) for label, n in counts.items()])


class VAESampler(BoneSpaceMixin, BaseGenerativeOverSampler):
    """Over-sample each class with a conditional variational autoencoder trained on all classes.

    A :class:`~skemotion.nn.ConditionalVAE` (torch, through skorch) is trained on the standardised data
    passed to ``fit_resample`` (and nothing else) by maximising the ELBO; new samples of a class are latent
    codes drawn from the prior and decoded for that class (plus the decoder's Gaussian noise for feature
    vectors). Feature vectors go through an MLP VAE; skeleton sequences through a VAE with temporal 1-D
    convolutions over frames, in bone space (:class:`BoneSpaceMixin`): each sequence, resampled to
    ``n_frames``, has as channels the root's velocity and start, the unit direction and the length of every
    bone (from the ``layout``'s parents); new sequences are rebuilt by forward kinematics, so every bone
    keeps one length in every frame, and take the length of a random real sequence of their class. It trains
    on CPU in seconds for data sets of a few hundred samples.

    With only a few samples per class (tens in all), the encoder can memorise the training samples and
    draws from the prior then decode to little more than an average: check the diversity of the new
    samples (:func:`skemotion.metrics.diversity`) against the real data's before relying on them.

    Parameters
    ----------
    sampling_strategy : float, str, dict or callable, default="auto"
        As in imbalanced-learn.
    random_state : int, RandomState instance or None, default=None
        Seeds the network and the draws.
    latent_dim : int, default=8
        Dimension of the latent code.
    hidden_size : int, default=128
        Width of the two hidden layers (MLP) or channels of the convolutions (sequences).
    beta : float, default=1.0
        Weight of the KL term; 1 is the true ELBO.
    max_epochs : int, default=300
    batch_size : int, default=32
    lr : float, default=1e-3
        Adam learning rate.
    n_frames : int or None, default=None
        Frames every sequence is resampled to; ``None`` keeps the input's frames.
    layout : "auto", str, SkeletonLayout or None, default="auto"
        Skeleton layout whose parents define the bones of sequences; ``"auto"`` takes the layout the data
        carries, else the one its joint count implies (:func:`skemotion.skeleton.resolve_layout`); ``None``
        (or no layout found) hangs every joint from joint 0.
    verbose : int, default=0
        Print skorch's training log.
    device : str or torch.device, default="cpu"
        Where the network trains and samples ("cuda" needs a GPU).

    Attributes
    ----------
    sampling_strategy_ : dict
    vae_ : ConditionalVAE
        The trained net (on standardised data).
    n_features_in_ : int
        Features of 2-D input. For skeletons, ``n_joints_in_`` and ``n_dims_in_`` instead.

    Examples
    --------
    >>> from collections import Counter
    >>> from sklearn.datasets import make_classification
    >>> from skemotion.samplers import VAESampler
    >>> X, y = make_classification(100, weights=[0.8, 0.2], random_state=0)
    >>> X_res, y_res = VAESampler(max_epochs=5, random_state=0).fit_resample(X, y)
    >>> sorted(Counter(y_res.tolist()).items())
    [(0, 80), (1, 80)]
    """

    _parameter_constraints = {
        **BaseGenerativeOverSampler._parameter_constraints,
        **_NET_CONSTRAINTS,
        "beta": [Interval(Real, 0, None, closed="left")],
    }

    def __init__(self, *, sampling_strategy="auto", random_state=None, latent_dim=8, hidden_size=128, beta=1.0,
                 max_epochs=300, batch_size=32, lr=1e-3, n_frames=None, layout="auto", verbose=0, device="cpu"):
        super().__init__(sampling_strategy=sampling_strategy)
        self.random_state = random_state
        self.latent_dim = latent_dim
        self.hidden_size = hidden_size
        self.beta = beta
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.lr = lr
        self.n_frames = n_frames
        self.layout = layout
        self.verbose = verbose
        self.device = device

    def _generate(self, Z, y, counts, random_state):
        check_device(self.device, self)
        width = ({"module__hidden_channels": self.hidden_size} if Z.ndim == 3
                 else {"module__hidden_sizes": (self.hidden_size, self.hidden_size)})
        self.vae_ = ConditionalVAE(
            module__latent_dim=self.latent_dim, **width, criterion__beta=self.beta, max_epochs=self.max_epochs,
            batch_size=self.batch_size, lr=self.lr, verbose=self.verbose, random_state=torch_seed(random_state),
            device=self.device,
        ).fit(Z.astype(np.float32), y)
        y_new = _labels_to_draw(counts, y.dtype)
        return self.vae_.sample(y_new, random_state=random_state).astype(np.float64), y_new


class GANSampler(BoneSpaceMixin, BaseGenerativeOverSampler):
    """Over-sample each class with a conditional GAN trained on all classes.

    A :class:`~skemotion.nn.ConditionalGAN` (a skorch net: MLP generator, MLP discriminator with its own
    optimizer, R1 penalty) is trained on the standardised data passed to ``fit_resample`` and nothing else;
    new samples of a class are the generator's output for random latent codes and that class. Skeleton
    sequences are modelled in bone space as in :class:`VAESampler` (root velocity and start, bone directions
    and lengths per frame, rebuilt by forward kinematics), flattened into one vector each.

    Parameters
    ----------
    sampling_strategy : float, str, dict or callable, default="auto"
        As in imbalanced-learn.
    random_state : int, RandomState instance or None, default=None
        Seeds the networks and the draws.
    latent_dim : int, default=16
        Dimension of the generator's latent code.
    hidden_size : int, default=128
        Width of the two hidden layers of the generator and of the discriminator.
    max_epochs : int, default=1000
        Epochs. A data set of a few tens of samples makes only one or two batches per epoch, and the GAN
        needs one to two thousand updates to fit it. For hundreds of samples of hundreds of features (the
        310 band features of a few hundred EEG epochs), ``max_epochs=300, batch_size=128, lr=2e-3`` fit in
        about 7 s instead of a minute (see the EEG guide).
    batch_size : int, default=32
    lr : float, default=2e-4
        Adam learning rate of both networks (the usual GAN setting; 1e-3 oscillates on tens of samples).
    r1_penalty : float, default=1.0
        Weight of the discriminator's R1 penalty (0 disables it).
    n_frames : int or None, default=None
        Frames every sequence is resampled to; ``None`` keeps the input's frames.
    layout : "auto", str, SkeletonLayout or None, default="auto"
        Skeleton layout whose parents define the bones of sequences; ``"auto"`` takes the layout the data
        carries, else the one its joint count implies (:func:`skemotion.skeleton.resolve_layout`); ``None``
        (or no layout found) hangs every joint from joint 0.
    verbose : int, default=0
        Print skorch's training log.
    device : str or torch.device, default="cpu"
        Where the network trains and samples ("cuda" needs a GPU).

    Attributes
    ----------
    sampling_strategy_ : dict
    gan_ : ConditionalGAN
        The trained net (on standardised data).
    n_features_in_ : int
        Features of 2-D input. For skeletons, ``n_joints_in_`` and ``n_dims_in_`` instead.

    Examples
    --------
    >>> from collections import Counter
    >>> from sklearn.datasets import make_classification
    >>> from skemotion.samplers import GANSampler
    >>> X, y = make_classification(100, weights=[0.8, 0.2], random_state=0)
    >>> X_res, y_res = GANSampler(max_epochs=5, random_state=0).fit_resample(X, y)
    >>> sorted(Counter(y_res.tolist()).items())
    [(0, 80), (1, 80)]
    """

    _parameter_constraints = {
        **BaseGenerativeOverSampler._parameter_constraints,
        **_NET_CONSTRAINTS,
        "r1_penalty": [Interval(Real, 0, None, closed="left")],
    }

    def __init__(self, *, sampling_strategy="auto", random_state=None, latent_dim=16, hidden_size=128,
                 max_epochs=1000, batch_size=32, lr=2e-4, r1_penalty=1.0, n_frames=None, layout="auto", verbose=0,
                 device="cpu"):
        super().__init__(sampling_strategy=sampling_strategy)
        self.random_state = random_state
        self.latent_dim = latent_dim
        self.hidden_size = hidden_size
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.lr = lr
        self.r1_penalty = r1_penalty
        self.n_frames = n_frames
        self.layout = layout
        self.verbose = verbose
        self.device = device

    def _generate(self, Z, y, counts, random_state):
        check_device(self.device, self)
        hidden = (self.hidden_size, self.hidden_size)
        self.gan_ = ConditionalGAN(
            module__latent_dim=self.latent_dim, module__hidden_sizes=hidden, discriminator__hidden_sizes=hidden,
            max_epochs=self.max_epochs, batch_size=self.batch_size, lr=self.lr, r1_penalty=self.r1_penalty,
            verbose=self.verbose, random_state=torch_seed(random_state), device=self.device,
        ).fit(Z.reshape(len(Z), -1).astype(np.float32), y)
        _warn_short_gan_training(self, len(Z))
        y_new = _labels_to_draw(counts, y.dtype)
        Z_new = self.gan_.sample(y_new, random_state=random_state).astype(np.float64)
        return Z_new.reshape((len(y_new),) + Z.shape[1:]), y_new


MIN_GAN_UPDATES = 1000  # the GAN needs one to two thousand updates on tens of samples (see max_epochs)
# At the equilibrium the discriminator cannot tell real from generated, D(G(z)) = 1/2, and the generator's
# (non-saturating) loss -log D(G(z)) is ln 2. Averaged over the last tenth of the epochs above 2 ln 2, the
# discriminator gives generated samples a geometric-mean probability below 1/4 of being real: it is winning,
# and the generator's samples are easy to tell from the data (healthy runs stay near ln 2).
MAX_FINAL_GENERATOR_LOSS = 2 * np.log(2)


def _warn_short_gan_training(sampler, n_samples):
    """A run too short to learn, or one the discriminator won, gives samples below chance in
    train-on-synthetic tests: say so, with advice."""
    updates = sampler.max_epochs * -(-n_samples // sampler.batch_size)
    if updates < MIN_GAN_UPDATES:
        warnings.warn(
            f"GANSampler trained for only {updates} updates (max_epochs={sampler.max_epochs}, "
            f"{-(-n_samples // sampler.batch_size)} batches of batch_size={sampler.batch_size} per epoch); a GAN "
            f"usually needs at least {MIN_GAN_UPDATES}, so its samples may not resemble the data. Raise "
            "max_epochs or lower batch_size, and check the samples (e.g. train on synthetic, test on real).",
            UserWarning, stacklevel=5)
        return
    history = sampler.gan_.history
    n_last = max(1, len(history) // 10)
    generator = np.mean(history[-n_last:, "train_loss"])
    discriminator = np.mean(history[-n_last:, "discriminator_loss"])
    if generator > MAX_FINAL_GENERATOR_LOSS:
        warnings.warn(
            f"GANSampler's discriminator won: over the last {n_last} epochs the generator's loss averaged "
            f"{generator:.2f} (ln 2 = 0.69 when the discriminator cannot tell real from generated; above "
            f"2 ln 2 = {MAX_FINAL_GENERATOR_LOSS:.2f} it calls generated samples real with probability below "
            f"1/4) and the discriminator's {discriminator:.2f} (2 ln 2 = 1.39 at the equilibrium), so its "
            f"samples may not resemble the data. Lower lr, raise r1_penalty, and check the samples (e.g. train "
            "on synthetic, test on real).",
            UserWarning, stacklevel=5)
