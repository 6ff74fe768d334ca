"""Shared machinery of the conditional generative skorch nets: validation, label encoding, seeding, sampling."""

from abc import ABCMeta, abstractmethod
from contextlib import contextmanager

import numpy as np
import torch
from sklearn.utils import check_random_state, column_or_1d
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_consistent_length, validate_data
from skorch import NeuralNet


def torch_seed(random_state):
    """An integer seed for torch: ``random_state`` itself if it is an int, else a draw from it."""
    if isinstance(random_state, (int, np.integer)):
        return int(random_state)
    return int(check_random_state(random_state).randint(np.iinfo(np.int32).max))


@contextmanager
def torch_threads(n_threads):
    """Run the block with ``n_threads`` intra-op torch threads (restored afterwards; nothing if None)."""
    if n_threads is None:
        yield
        return
    previous = torch.get_num_threads()
    torch.set_num_threads(n_threads)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


class _Unavailable:
    """A method a generator does not have: ``hasattr`` is False and the error says what to use instead."""

    def __init__(self, hint):
        self.hint = hint

    def __set_name__(self, owner, name):
        self.name = name

    def __get__(self, instance, owner=None):
        raise AttributeError(f"{owner.__name__} has no {self.name}(): {self.hint}")


class ConditionalGenerativeNet(NeuralNet, metaclass=ABCMeta):
    """Base of skorch nets that learn ``p(x | class)`` and draw from it with :meth:`sample`.

    ``fit(X, y)`` validates ``X`` (float32, no NaN) and encodes the class labels ``y`` into ``classes_``.
    Training runs inside a seeded copy of torch's random generator (``random_state``): a given seed gives
    the same model without touching the caller's torch seed, and ``partial_fit`` continues the random
    stream. It uses ``torch_threads`` intra-op threads (one is the fastest for the small models here;
    more only add synchronisation). Module sizes that depend on the data (features, frames, classes) are
    inferred in ``fit`` and kept in fitted attributes, not in parameters. The module is the generator: it
    must expose ``latent_dim`` and ``decode(z, labels)``.

    A generator predicts nothing: ``predict`` and ``predict_proba`` do not exist; use :meth:`sample`.
    """

    _allow_sequences = False

    predict = _Unavailable("a generator predicts nothing; draw samples with sample(y).")
    predict_proba = _Unavailable("a generator predicts nothing; draw samples with sample(y).")

    def __init__(self, module, *, criterion, random_state=None, torch_threads=1, **kwargs):
        self.random_state = random_state
        self.torch_threads = torch_threads
        kwargs.setdefault("iterator_train__shuffle", True)
        super().__init__(module, criterion, **kwargs)

    def _get_param_names(self):
        # skorch lists every attribute without a trailing underscore, private bookkeeping included.
        return [name for name in super()._get_param_names() if not name.startswith("_")]

    def fit(self, X, y=None, **fit_params):
        """Validate the data, (re)initialise the modules unless ``warm_start``, and train.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            Training data (standardise it first: the generator has a linear output).
        y : array-like of shape (n_samples,)
            Class labels.
        **fit_params : dict
            Passed to skorch's training loop.

        Returns
        -------
        self
        """
        restart = not (self.warm_start and self.initialized_)
        X, labels = self._validate_training_data(X, y, reset=restart)
        with self._seeded(restart), torch_threads(self.torch_threads):
            if restart:
                self.initialize()
            NeuralNet.partial_fit(self, {"x": X, "y": labels}, labels, **fit_params)
        with torch_threads(self.torch_threads):
            self._after_training(X, labels)
        return self

    def partial_fit(self, X, y=None, classes=None, **fit_params):
        """Train for ``max_epochs`` more epochs (initialising the modules on the first call).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
        y : array-like of shape (n_samples,)
        classes : ignored
            The classes are those of the first call.
        **fit_params : dict
            Passed to skorch's training loop.

        Returns
        -------
        self
        """
        restart = not self.initialized_
        X, labels = self._validate_training_data(X, y, reset=restart)
        with self._seeded(restart), torch_threads(self.torch_threads):
            if restart:
                self.initialize()
            NeuralNet.partial_fit(self, {"x": X, "y": labels}, labels, **fit_params)
        with torch_threads(self.torch_threads):
            self._after_training(X, labels)
        return self

    @contextmanager
    def _seeded(self, restart):
        """Train with torch's global generator seeded by ``random_state`` (restored afterwards).

        A fresh fit starts from the seed; continued training (``partial_fit``, ``warm_start``) resumes the
        random stream where the previous call left it, instead of replaying the same batches and noise.
        """
        if self.random_state is None:
            yield
            return
        with torch.random.fork_rng(devices=[]):
            if restart or not hasattr(self, "_torch_rng_state_"):
                torch.manual_seed(torch_seed(self.random_state))
            else:
                torch.random.set_rng_state(self._torch_rng_state_)
            yield
            self._torch_rng_state_ = torch.random.get_rng_state()

    def _after_training(self, X, labels):
        """Hook run after every training call (e.g. to calibrate a decoder); nothing by default."""

    def _validate_training_data(self, X, y, reset):
        if y is None:
            raise ValueError(
                f"{type(self).__name__} requires y to be passed, but the target y is None: it learns the data "
                "of each class."
            )
        X = self._check_X(X, reset)
        y = column_or_1d(y)
        check_classification_targets(y)
        check_consistent_length(X, y)
        if reset:
            self.classes_ = np.unique(y)
            self.input_shape_ = X.shape[1:]
        elif X.shape[1:] != self.input_shape_:
            raise ValueError(f"X has samples of shape {X.shape[1:]}, but {type(self).__name__} was fitted on "
                             f"shape {self.input_shape_}.")
        return X, self._encode(y)

    def _check_X(self, X, reset):
        """Validate the training samples (float32, finite, of the accepted rank)."""
        X = validate_data(self, X, reset=reset, dtype=np.float32, allow_nd=self._allow_sequences)
        if X.ndim > (3 if self._allow_sequences else 2):
            raise ValueError(f"{type(self).__name__} takes 2-D data{' or 3-D sequences' * self._allow_sequences}; "
                             f"got an array of shape {X.shape}.")
        return X

    def _encode(self, y):
        y = np.asarray(y)
        labels = np.searchsorted(self.classes_, y)
        labels = np.minimum(labels, len(self.classes_) - 1)
        unknown = self.classes_[labels] != y
        if unknown.any():
            raise ValueError(f"Unknown class label(s) {np.unique(y[unknown]).tolist()}; the classes seen in fit "
                             f"are {self.classes_.tolist()}.")
        return labels.astype(np.int64)

    @abstractmethod
    def initialize_module(self):
        """Build ``module_`` (and any other module) with the sizes inferred in ``fit``."""

    def _initialized(self, component, prefix, sizes):
        """Instantiate ``component`` with the data-dependent ``sizes`` and the user's ``prefix__`` params.

        An already instantiated torch module keeps its own sizes (skorch's rule for module instances).
        """
        kwargs = self.get_params_for(prefix)
        if not isinstance(component, torch.nn.Module):
            kwargs = {**sizes, **kwargs}
        return self.initialized_instance(component, kwargs)

    def get_loss(self, y_pred, y_true, X=None, training=False):
        """The criterion applied to the module's output and the batch's data (the labels are in X)."""
        return self.criterion_(y_pred, X["x"])

    def sample(self, y, random_state=None):
        """Draw one sample of each class label in ``y``.

        Parameters
        ----------
        y : array-like of shape (n_samples,)
            Class label of each sample to draw (labels seen in ``fit``).
        random_state : int, RandomState instance or None, default=None
            Seeds the latent draws.

        Returns
        -------
        X : ndarray of shape (n_samples,) + the shape of one training sample, float32
        """
        self.check_is_fitted()
        labels = torch.as_tensor(self._encode(column_or_1d(y)))
        generator = torch.Generator().manual_seed(torch_seed(random_state))
        z = torch.randn(len(labels), self.module_.latent_dim, generator=generator)
        self._set_training(False)
        with torch.no_grad(), torch_threads(self.torch_threads):
            return self._decode(z, labels, generator).numpy()

    def _decode(self, z, labels, generator):
        """Samples of the generative model for latent codes ``z`` (the generator's output by default)."""
        return self.module_.decode(z, labels)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = True
        tags.input_tags.three_d_array = self._allow_sequences
        return tags
