"""EEGGANSampler: over-sampling raw EEG epochs with a conditional convolutional GAN."""

from numbers import Integral, Real

import numpy as np
from imblearn.over_sampling.base import BaseOverSampler
from imblearn.utils import check_target_type
from sklearn.utils import check_consistent_length, check_random_state
from sklearn.utils._param_validation import Interval

from ..nn import ConditionalConvGAN
from ..nn._base import check_device, torch_seed
from ..utils._tags import skemotion_input_tags
from ..utils.validation import check_eeg
from ._base import dense_frame
from ._neural_samplers import TRAINING_CONSTRAINTS, _labels_to_draw


class EEGGANSampler(BaseOverSampler):
    """Over-sample raw EEG epochs of each class with a conditional convolutional GAN.

    A :class:`~skemotion.nn.ConditionalConvGAN` (torch through skorch: a 1-D convolutional generator with
    ``ConvTranspose1d`` upsampling and class-specific spectral gains, a convolutional projection
    discriminator, and a spectral moment-matching term in the generator's loss) is trained on the epochs
    passed to ``fit_resample`` and nothing else; new epochs of a class are the generator's output for
    random codes and that class, in the units of the input (volts for MNE data). Epochs are validated by
    :func:`skemotion.eeg.check_eeg`: ``(n_epochs, n_channels, n_times)``, or a 2-D array of one-channel
    epochs, returned in the same layout. Put it before the feature extractor in an
    ``imblearn.pipeline.Pipeline`` to balance the classes with synthetic signals, or use it with
    :func:`skemotion.metrics.tstr_score` to judge the generated EEG.

    A few hundred 62-channel epochs of 1 s train in about 30 s on one CPU thread. The generator learns the
    spectrum of every channel and class quickly; the variability between epochs and subtle regional effects
    need more data and epochs (see the EEG guide for measured numbers).

    Parameters
    ----------
    sampling_strategy : float, str, dict or callable, default="auto"
        As in imbalanced-learn.
    random_state : int, RandomState instance or None, default=None
        Seeds the networks and the draws.
    global_dim : int, default=16
        Dimension of the global part of the generator's latent code.
    hidden_channels : int, default=16
        Hidden channels of the generator (the discriminator has twice as many).
    spectral_weight : float, default=10.0
        Weight of the spectral moment-matching term (0: a plain conditional GAN).
    max_epochs : int, default=60
    batch_size : int, default=32
    lr : float, default=2e-3
        Adam learning rate of both networks.
    verbose : int, default=0
        Print skorch's training log.
    device : str or torch.device, default="cpu"
        Where the network trains and samples ("cuda" needs a GPU).

    Attributes
    ----------
    sampling_strategy_ : dict
    gan_ : ConditionalConvGAN
        The trained net.
    n_channels_in_ : int
        Channels seen in ``fit_resample``.
    n_features_in_ : int
        Columns of a 2-D input (samples of its one channel).

    See Also
    --------
    GANSampler : the same for feature vectors, e.g. band features of EEG.

    Examples
    --------
    >>> from collections import Counter
    >>> from skemotion.datasets import make_eeg_emotion
    >>> from skemotion.samplers import EEGGANSampler
    >>> eeg = make_eeg_emotion(n_subjects=2, n_trials=6, epoch_duration=1.0, random_state=0)
    >>> X, y = eeg.data[:10], eeg.target[:10]
    >>> sorted(Counter(y.tolist()).items())
    [('negative', 4), ('neutral', 4), ('positive', 2)]
    >>> X_res, y_res = EEGGANSampler(max_epochs=2, random_state=0).fit_resample(X, y)
    >>> X_res.shape, sorted(Counter(y_res.tolist()).items())
    ((12, 62, 200), [('negative', 4), ('neutral', 4), ('positive', 4)])
    """

    _parameter_constraints = {
        **BaseOverSampler._parameter_constraints,
        "global_dim": [Interval(Integral, 1, None, closed="left")],
        "hidden_channels": [Interval(Integral, 1, None, closed="left")],
        "spectral_weight": [Interval(Real, 0, None, closed="left")],
        **TRAINING_CONSTRAINTS,
    }

    def __init__(self, *, sampling_strategy="auto", random_state=None, global_dim=16, hidden_channels=16,
                 spectral_weight=10.0, max_epochs=60, batch_size=32, lr=2e-3, verbose=0, device="cpu"):
        super().__init__(sampling_strategy=sampling_strategy)
        self.random_state = random_state
        self.global_dim = global_dim
        self.hidden_channels = hidden_channels
        self.spectral_weight = spectral_weight
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.lr = lr
        self.verbose = verbose
        self.device = device

    def _check_X_y(self, X, y):
        y, binarize_y = check_target_type(y, indicate_one_vs_all=True)
        epochs = check_eeg(self, dense_frame(X), reset=True, dtype=[np.float64, np.float32])
        check_consistent_length(epochs, y)
        # 2-D input stays 2-D (one-channel epochs), as it came.
        return (epochs if np.ndim(X) == 3 else epochs[:, 0]), y, binarize_y

    def _fit_resample(self, X, y):
        counts = {label: n for label, n in self.sampling_strategy_.items() if n > 0}
        if not counts:  # already balanced: no model to train
            return X.copy(), y.copy()
        check_device(self.device, self)
        random_state = check_random_state(self.random_state)
        epochs = X if X.ndim == 3 else X[:, np.newaxis]
        self.gan_ = ConditionalConvGAN(
            module__global_dim=self.global_dim, module__hidden_channels=self.hidden_channels,
            discriminator__hidden_channels=2 * self.hidden_channels, spectral_weight=self.spectral_weight,
            max_epochs=self.max_epochs, batch_size=self.batch_size, lr=self.lr, verbose=self.verbose,
            random_state=torch_seed(random_state), device=self.device,
        ).fit(epochs.astype(np.float32), y)
        y_new = _labels_to_draw(counts, y.dtype)
        X_new = self.gan_.sample(y_new, random_state=random_state).reshape((len(y_new),) + X.shape[1:])
        return np.concatenate([X, X_new.astype(X.dtype)]), np.concatenate([y, y_new])

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags = skemotion_input_tags(tags.input_tags, sparse=False, allow_nan=False, eeg=True)
        return tags
