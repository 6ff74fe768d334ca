"""BraindecodeClassifier: braindecode's EEG networks (EEGNet, ShallowFBCSPNet, Deep4Net) in skemotion pipelines.

braindecode is an optional dependency; the ``test`` extra pins 0.8.1, the last release that does not require
``torchaudio`` (on PyPI, torchaudio's Linux wheels are CUDA builds that fail to load beside a CPU-only
torch; docs/models.rst). The wrapper takes the networks of braindecode 0.8 and 1.x alike. Where braindecode
cannot be imported the class still exists, is left out of :func:`skemotion.utils.all_estimators`, and
``fit`` raises an ImportError that says why.
"""

import inspect
from numbers import Integral

import numpy as np
from scipy.special import softmax
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, column_or_1d

from ..utils._tags import EEGMixin
from ..utils.validation import check_eeg
from ._training import TRAINING_CONSTRAINTS, check_device, forward_float64, seeded_torch


def _braindecode_import_error():
    """None where braindecode imports, else the reason it does not."""
    try:
        import braindecode  # noqa: F401
    except (ImportError, OSError) as error:  # OSError: a torchaudio built for another torch
        return f"{type(error).__name__}: {error}"
    return None


BRAINDECODE_MODELS = ("EEGNet", "ShallowFBCSPNet", "Deep4Net")

# braindecode before 1.0 (0.8.1, the release CI pins: it does not need torchaudio) names EEGNet "EEGNetv4".
_OLDER_NAMES = {"EEGNet": "EEGNetv4"}


def braindecode_network(name):
    """The braindecode network class called ``name`` in the installed release."""
    from braindecode import models

    network = getattr(models, name, None) or getattr(models, _OLDER_NAMES.get(name, name), None)
    if network is None:
        raise ValueError(f"braindecode {models.__name__} has no network {name!r}.")
    return network


class BraindecodeClassifier(EEGMixin, ClassifierMixin, BaseEstimator):
    """Raw-EEG classifier with one of braindecode's networks, trained through braindecode's EEGClassifier.

    A thin scikit-learn wrapper: the epochs ``(n_epochs, n_channels, n_times)`` are standardised per
    channel with the training mean and standard deviation (EEG in volts is far from the unit scale the
    networks expect), and braindecode's :class:`braindecode.EEGClassifier` builds the named network with
    the channels, times and classes read from the data at ``fit``. The networks themselves are
    braindecode's (Lawhern et al. 2018; Schirrmeister et al. 2017), not re-implemented here.

    **Cropped training.** With ``crop_size`` the network reads windows of ``crop_size`` samples instead
    of whole epochs, as in Schirrmeister et al.'s cropped decoding: every training epoch is cut into
    windows ``crop_stride`` samples apart (the last one ends at the epoch's end), each labelled with its
    epoch's label, and an epoch's class probabilities are the mean over its windows. On a few hundred
    epochs this multiplies the training examples; trained on whole epochs the networks learn the training
    set by heart (:doc:`/models` gives the measured effect). Epochs to predict may then have any length of
    at least ``crop_size`` samples.

    Parameters
    ----------
    model : {"EEGNet", "ShallowFBCSPNet", "Deep4Net"}, default="EEGNet"
    module_params : dict or None, default=None
        Extra parameters of the network (e.g. ``{"drop_prob": 0.5}``).
    crop_size : int or None, default=None
        Samples per window of cropped training; ``None`` trains on whole epochs. At least the network's
        receptive field (Deep4Net needs 441 samples or more with braindecode's default sizes).
    crop_stride : int or None, default=None
        Samples between the starts of consecutive windows; ``None`` is ``crop_size // 2``.
    max_epochs : int, default=30
    batch_size : int, default=32
    lr : float, default=1e-3
        AdamW's learning rate.
    weight_decay : float, default=0.0
    verbose : int, default=0
    device : str, default="cpu"
    random_state : int, RandomState instance or None, default=None

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    n_channels_in_ : int
    n_times_ : int
        Samples per training epoch.
    cropped_ : bool
        Whether the network was trained on windows (``crop_size`` given).
    window_size_, window_stride_ : int
        Samples the network reads (``crop_size``, or ``n_times_`` without cropping) and between the starts
        of consecutive windows.
    net_ : braindecode.EEGClassifier

    Examples
    --------
    >>> from skemotion.datasets import make_eeg_emotion
    >>> from skemotion.nn import BraindecodeClassifier
    >>> eeg = make_eeg_emotion(n_subjects=2, n_trials=3, epoch_duration=1.0, random_state=0)
    >>> clf = BraindecodeClassifier("ShallowFBCSPNet", crop_size=100, max_epochs=1, random_state=0)
    >>> clf.fit(eeg.data, eeg.target).predict_proba(eeg.data).shape
    (6, 3)
    """

    _unavailable_reason = _braindecode_import_error()

    _parameter_constraints = {
        "model": [StrOptions(set(BRAINDECODE_MODELS))],
        "module_params": [dict, None],
        "crop_size": [Interval(Integral, 1, None, closed="left"), None],
        "crop_stride": [Interval(Integral, 1, None, closed="left"), None],
        **TRAINING_CONSTRAINTS,
    }

    def __init__(self, model="EEGNet", module_params=None, crop_size=None, crop_stride=None, max_epochs=30,
                 batch_size=32, lr=1e-3, weight_decay=0.0, verbose=0, device="cpu", random_state=None):
        self.model = model
        self.module_params = module_params
        self.crop_size = crop_size
        self.crop_stride = crop_stride
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.lr = lr
        self.weight_decay = weight_decay
        self.verbose = verbose
        self.device = device
        self.random_state = random_state

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Train the network on raw epochs.

        Parameters
        ----------
        X : array-like of shape (n_epochs, n_channels, n_times)
        y : array-like of shape (n_epochs,)

        Returns
        -------
        self : BraindecodeClassifier
        """
        if self._unavailable_reason is not None:
            raise ImportError(f"BraindecodeClassifier needs braindecode, which cannot be imported here "
                              f"({self._unavailable_reason}); install braindecode==0.8.1 (it needs no "
                              "torchaudio), as docs/models.rst describes.")
        X = check_eeg(self, X, reset=True)
        y = column_or_1d(y, warn=True)
        check_classification_targets(y)
        self.n_times_ = X.shape[2]
        if self.crop_size is not None and self.crop_size > self.n_times_:
            raise ValueError(f"crop_size={self.crop_size} is longer than the epochs ({self.n_times_} samples).")
        self.cropped_ = self.crop_size is not None
        self.window_size_ = self.crop_size if self.cropped_ else self.n_times_
        self.window_stride_ = max(self.crop_stride or self.window_size_ // 2, 1)
        self.classes_, codes = np.unique(y, return_inverse=True)
        self.channel_mean_ = X.mean(axis=(0, 2))[:, None]
        std = X.std(axis=(0, 2))[:, None]
        self.channel_scale_ = np.where(std > 0, std, 1.0)
        windows = self._windows(self._standardised(X))
        self.net_ = self._build_net(X.shape[1])
        with seeded_torch(self.random_state, self.device):
            self.net_.fit(windows.reshape(-1, *windows.shape[2:]), np.repeat(codes, windows.shape[1]).astype(np.int64))
        return self

    def _windows(self, X):
        """``X`` cut into windows of ``window_size_`` samples: ``(n_epochs, n_windows, n_channels, window_size_)``.

        Consecutive windows start ``window_stride_`` samples apart; the last one ends at the epoch's end, so
        that no sample is left out.
        """
        last = X.shape[2] - self.window_size_
        starts = np.union1d(np.arange(0, last + 1, self.window_stride_), [last])
        windows = np.lib.stride_tricks.sliding_window_view(X, self.window_size_, axis=2)[:, :, starts]
        return windows.transpose(0, 2, 1, 3)

    def _build_net(self, n_channels):
        """braindecode's EEGClassifier with the network's input and output sizes given, not inferred from X.

        Given sizes let an unpickled estimator rebuild the network before loading its weights.
        """
        import torch
        from braindecode import EEGClassifier

        # Every network sizes its last layer to the epochs ("auto"): braindecode 0.8's ShallowFBCSPNet has a
        # fixed default of 30 samples (1.x: "auto"), longer than short epochs leave. module_params win.
        network = braindecode_network(self.model)
        params = {"final_conv_length": "auto"}
        if "add_log_softmax" in inspect.signature(network).parameters:
            params["add_log_softmax"] = False  # braindecode 0.8: logits out, as CrossEntropyLoss expects (1.x)
        params.update(self.module_params or {})
        module_params = {f"module__{k}": v for k, v in params.items()}
        return EEGClassifier(
            network, criterion=torch.nn.CrossEntropyLoss, optimizer=torch.optim.AdamW,
            optimizer__weight_decay=self.weight_decay, lr=self.lr, max_epochs=self.max_epochs,
            batch_size=self.batch_size, iterator_train__shuffle=True, train_split=None,
            # braindecode drops the last incomplete batch by default: with fewer epochs than batch_size
            # nothing would be trained at all.
            iterator_train__drop_last=False,
            classes=list(range(len(self.classes_))), verbose=self.verbose, device=check_device(self.device, self),
            module__n_chans=n_channels, module__n_outputs=len(self.classes_), module__n_times=self.window_size_,
            **module_params,
        )

    # EEGNet's max-norm constraint is a torch parametrization, which torch pickles only through state_dict():
    # the fitted network travels as its weights and is rebuilt on unpickling.
    def __getstate__(self):
        state = self.__dict__.copy()
        net = state.pop("net_", None)
        if net is not None:
            state["_net_weights"] = {name: value.detach().cpu() for name, value in net.module_.state_dict().items()}
        return state

    def __setstate__(self, state):
        weights = state.pop("_net_weights", None)
        self.__dict__.update(state)
        if weights is not None:
            self.net_ = self._build_net(self.n_channels_in_)
            with seeded_torch(self.random_state, self.device):
                self.net_.initialize()
            self.net_.module_.load_state_dict(weights)
            self.net_.module_.eval()

    def _standardised(self, X):
        return ((X - self.channel_mean_) / self.channel_scale_).astype(np.float32)

    def predict_proba(self, X):
        """Class probabilities.

        Parameters
        ----------
        X : array-like of shape (n_epochs, n_channels, n_times)

        Returns
        -------
        proba : ndarray of shape (n_epochs, n_classes)
        """
        check_is_fitted(self)
        X = check_eeg(self, X, reset=False)
        if not self.cropped_ and X.shape[2] != self.n_times_:
            raise ValueError(f"X has epochs of {X.shape[2]} samples; the network was fitted on {self.n_times_}.")
        if X.shape[2] < self.window_size_:
            raise ValueError(f"X has epochs of {X.shape[2]} samples, shorter than the network's windows of "
                             f"crop_size={self.window_size_}.")
        windows = self._windows(self._standardised(X))
        logits = forward_float64(self.net_.module_, windows.reshape(-1, *windows.shape[2:]), self.net_.device)
        return softmax(logits, axis=1).reshape(*windows.shape[:2], -1).mean(axis=1)  # the mean over windows

    def predict(self, X):
        """Most probable class.

        Parameters
        ----------
        X : array-like of shape (n_epochs, n_channels, n_times)

        Returns
        -------
        y_pred : ndarray of shape (n_epochs,)
        """
        proba = self.predict_proba(X)  # first: it checks that the model is fitted
        return self.classes_[np.argmax(proba, axis=1)]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # braindecode's networks filter across channels and need epochs as long as their receptive field
        # (braindecode 0.8's EEGNet about 30 samples, Deep4Net 441; its ShallowFBCSPNet and Deep4Net fail on
        # one channel): scikit-learn's 2-D toy data, read as one-channel epochs of a few samples, are no input
        # for them, so its checks do not apply (tests/test_models.py runs the API checks that do).
        tags.input_tags.two_d_array = False
        tags.input_tags.three_d_array = True
        return tags
