"""One base for every torch network of skemotion: a skorch net with scikit-learn's contract.

:class:`TorchNet` gives every network the same meaning of ``random_state`` (a forked, seeded torch
generator), of ``device`` and ``torch_threads``, one label encoding, declared ``_parameter_constraints``,
and the shape of the input read at ``fit`` time into fitted attributes (as braindecode's
``_set_signal_args``). :class:`TorchClassifier` adds ``predict`` / ``predict_proba`` on the original
labels; :class:`ConditionalGenerativeNet` adds ``sample`` for the conditional generators.
"""

from abc import ABCMeta, abstractmethod
from contextlib import contextmanager
from numbers import Integral, Real

import numpy as np
import torch
from sklearn.base import ClassifierMixin
from sklearn.metrics import accuracy_score
from sklearn.utils import check_random_state, column_or_1d
from sklearn.utils._param_validation import Interval, Options, validate_parameter_constraints
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import _assert_all_finite, check_consistent_length, check_is_fitted, validate_data
from skorch import NeuralNet
from skorch.callbacks import EpochScoring
from skorch.exceptions import NotInitializedError
from skorch.utils import is_dataset, to_tensor


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


def check_device(device, owner):
    """The ``torch.device`` for ``device`` ("cpu", "cuda", "cuda:1", a ``torch.device``), or a clear error.

    ``owner`` (an estimator or a name) names the estimator in the error. A CUDA device must exist on this
    machine: a net that silently fell back to the CPU would hide a misconfiguration.

    Examples
    --------
    >>> check_device("cpu", "GaitCNNClassifier")
    device(type='cpu')
    """
    name = owner if isinstance(owner, str) else type(owner).__name__
    try:
        parsed = torch.device(device)
    except (RuntimeError, TypeError):
        raise ValueError(
            f"{name}: device={device!r} is not a torch device; use 'cpu', or 'cuda' (or 'cuda:N') on a machine "
            "with a GPU."
        ) from None
    if parsed.type == "cuda":
        available = torch.cuda.device_count() if torch.cuda.is_available() else 0
        if (parsed.index or 0) >= available:
            raise ValueError(
                f"{name}: device={device!r} was asked for, but torch sees {available} CUDA device(s) "
                f"(torch {torch.__version__}); use device='cpu'."
            )
    elif parsed.type != "cpu":
        raise ValueError(f"{name}: device={device!r} is not supported; use 'cpu' or 'cuda'.")
    return parsed


def cuda_indices(device):
    """Indices of the CUDA devices whose random generator a fit on ``device`` draws from (empty on CPU)."""
    if device is None:
        return []
    parsed = torch.device(device)
    if parsed.type != "cuda":
        return []
    return [torch.cuda.current_device() if parsed.index is None else parsed.index]


class _Unavailable:
    """A method a generator does not have: ``hasattr`` is False and the error says what to use instead."""

    def __init__(self, hint):
        self.hint = hint

    def __set_name__(self, owner, name):
        self.name = name

    def __get__(self, instance, owner=None):
        raise AttributeError(f"{owner.__name__} has no {self.name}(): {self.hint}")


# Parameters every network declares (the networks add their own).
NET_CONSTRAINTS = {
    "random_state": ["random_state"],
    "torch_threads": [Interval(Integral, 1, None, closed="left"), None],
    "device": [str, torch.device, None],
    "max_epochs": [Interval(Integral, 0, None, closed="left")],
    "batch_size": [Interval(Integral, 1, None, closed="left"), Options(Integral, {-1})],  # -1: one batch
    "lr": [Interval(Real, 0, None, closed="neither")],
    "warm_start": ["boolean"],
}


class TorchNet(NeuralNet, metaclass=ABCMeta):
    """Base of skemotion's torch networks: a skorch :class:`~skorch.NeuralNet` with scikit-learn's contract.

    ``fit(X, y)`` (and ``partial_fit``) is one template:

    1. the parameters are validated against ``_parameter_constraints`` and ``device`` is checked;
    2. ``_check_X`` validates the samples, :meth:`_encode_labels` encodes the class labels into
       ``classes_`` (sorted, as every scikit-learn classifier) and integer codes;
    3. on a fresh fit, ``_set_signal_args`` reads the data-dependent sizes into fitted attributes
       (``input_shape_`` and what a subclass needs), never into parameters, so ``clone`` and grid search
       work; a later ``partial_fit`` checks the shape against them;
    4. the modules are built (``initialize_module`` reads those attributes) and trained by skorch inside
       a forked torch random generator seeded from ``random_state`` (CPU and, on ``device="cuda"``, that
       GPU): the same seed gives the same model, the caller's torch state is left alone, and continued
       training (``partial_fit``, ``warm_start``) resumes the random stream instead of replaying it;
    5. ``_after_training`` runs (e.g. to calibrate a decoder).

    The networks draw their noise on the CPU and move it to ``device``, so a seed gives the same draws on
    every device (the numbers then differ only by the device's floating-point arithmetic; dropout draws on
    the device). skorch's bookkeeping (``history_``, ``initialized_``) is a class default until ``fit``:
    ``__init__`` stores parameters only.
    """

    _parameter_constraints = dict(NET_CONSTRAINTS)

    # Whether ``fit`` learns from class labels; an unsupervised net (an autoencoder) ignores ``y``.
    _supervised = True

    # skorch sets these in __init__; as class defaults, a fresh net holds parameters only.
    history_ = None
    initialized_ = False

    @property
    def virtual_params_(self):
        """skorch's virtual parameters, kept privately (skorch writes this attribute in ``__init__``)."""
        return self.__dict__.setdefault("_virtual_params", {})

    @virtual_params_.setter
    def virtual_params_(self, value):
        self.__dict__["_virtual_params"] = value

    def __init__(self, module, criterion, *, random_state=None, torch_threads=None, device="cpu", **kwargs):
        self.random_state = random_state
        self.torch_threads = torch_threads
        super().__init__(module, criterion, device=device, **kwargs)
        for name, default in (("history_", None), ("initialized_", False)):
            if self.__dict__.get(name, default) is default:
                self.__dict__.pop(name, None)

    @property
    def net_(self):
        """The estimator itself (the trained skorch net), for code written when the net was a wrapped attribute."""
        if not self.initialized_:
            raise AttributeError(f"{type(self).__name__} has no net_ before fit.")
        return self

    def _get_param_names(self):
        # skorch lists every attribute without a trailing underscore, private bookkeeping included.
        return [name for name in super()._get_param_names() if not name.startswith("_")]

    def set_params(self, **params):
        # Before fit a plain ``callbacks=`` is stored and validated in fit (scikit-learn's rule); skorch would
        # build the callbacks at once.
        if not self.initialized_ and "callbacks" in params:
            self.callbacks = params.pop("callbacks")
        return super().set_params(**params)

    def get_iterator(self, dataset, training=False):
        """skorch's batches; training batches are shuffled unless ``iterator_train__shuffle=False``."""
        if not training or "iterator_train__shuffle" in self.__dict__:
            return super().get_iterator(dataset, training=training)
        kwargs = {"shuffle": True, "batch_size": self.batch_size, **self.get_params_for("iterator_train")}
        if kwargs["batch_size"] == -1:
            kwargs["batch_size"] = len(dataset)
        return self.iterator_train(dataset, **kwargs)

    # ------------------------------------------------------------------ the fit template
    def fit(self, X, y=None, **fit_params):
        """Validate the data, (re)build the modules unless ``warm_start``, and train.

        Parameters
        ----------
        X : array-like
            Training samples (see the estimator for the accepted shapes).
        y : array-like of shape (n_samples,)
            Class labels.
        **fit_params : dict
            Passed to skorch's training loop.

        Returns
        -------
        self
        """
        return self._fit_net(X, y, reset=not (self.warm_start and self.initialized_), **fit_params)

    def partial_fit(self, X, y=None, classes=None, **fit_params):
        """Train for ``max_epochs`` more epochs (building the modules on the first call).

        Parameters
        ----------
        X : array-like
        y : array-like of shape (n_samples,)
        classes : array-like or None, default=None
            All classes, needed on the first call when ``y`` does not show them all; ignored afterwards.
        **fit_params : dict
            Passed to skorch's training loop.

        Returns
        -------
        self
        """
        return self._fit_net(X, y, reset=not self.initialized_, classes=classes, **fit_params)

    def _fit_net(self, X, y, *, reset, classes=None, **fit_params):
        self._validate_net_params()
        X, codes = self._validate_training_data(X, y, reset, classes=classes)
        with self._seeded(reset), torch_threads(self.torch_threads):
            if reset:
                self.initialize()
            self._train(X, codes, **fit_params)
        with torch_threads(self.torch_threads):
            self._after_training(X, codes)
        return self

    def _validate_net_params(self):
        """scikit-learn's parameter validation (skorch checks only its prefixed ``**kwargs``)."""
        validate_parameter_constraints(self._parameter_constraints,
                                       {name: getattr(self, name) for name in self._parameter_constraints},
                                       caller_name=type(self).__name__)
        if self.device is not None:
            check_device(self.device, self)

    def _validate_training_data(self, X, y, reset, classes=None):
        """Validated samples and label codes; on ``reset`` the data-dependent sizes are read from them."""
        X = self._check_X(X, reset)
        codes = None
        if self._supervised:
            codes = self._encode_labels(y, reset=reset, classes=classes)
            check_consistent_length(X, codes)
        if reset:
            self._set_signal_args(X)
        else:
            self._check_input_shape(X)
        return X, codes

    def _check_X(self, X, reset):
        """Validate the samples (float32, finite); subclasses accept their own shapes."""
        return validate_data(self, X, reset=reset, dtype=np.float32, allow_nd=True)

    def _set_signal_args(self, X):
        """Read the sizes the modules need from the training samples into fitted attributes."""
        self.input_shape_ = tuple(X.shape[1:])

    def _check_input_shape(self, X):
        if tuple(X.shape[1:]) != self.input_shape_:
            raise ValueError(f"X has samples of shape {tuple(X.shape[1:])}, but {type(self).__name__} was fitted "
                             f"on samples of shape {self.input_shape_}.")

    def _train(self, X, codes, **fit_params):
        """skorch's training loop for ``max_epochs`` epochs on the validated data."""
        NeuralNet.partial_fit(self, self._net_input(X, codes), codes, **fit_params)

    def _net_input(self, X, codes):
        """What skorch passes to the module: the samples (generators add the labels)."""
        return X

    def _after_training(self, X, codes):
        """Hook run after every training call; nothing by default."""

    def initialize(self):
        """Build the modules, criterion and optimizers (``fit`` calls it; it needs the fitted sizes)."""
        if not hasattr(self, "input_shape_"):
            raise NotInitializedError(
                f"{type(self).__name__} reads its input shape from the data: call fit(X, y), not initialize()."
            )
        return super().initialize()

    def initialize_optimizer(self, *args, **kwargs):
        """skorch's optimizer; a ``weight_decay`` parameter of the net is its default (``optimizer__*`` wins)."""
        if not hasattr(self, "weight_decay"):
            return super().initialize_optimizer(*args, **kwargs)
        pgroups, options = self.get_params_for_optimizer("optimizer", self.get_all_learnable_params())
        options.setdefault("weight_decay", self.weight_decay)
        self.optimizer_ = self.optimizer(*pgroups, **options)
        return self

    @abstractmethod
    def initialize_module(self):
        """Build ``module_`` (and any other module) with the sizes read in ``fit``."""

    def _initialized(self, component, prefix, sizes):
        """Instantiate ``component`` with the data-dependent ``sizes`` and the user's ``prefix__`` params.

        An already instantiated torch module keeps its own sizes (skorch's rule for module instances).
        """
        kwargs = self.get_params_for(prefix)
        if not isinstance(component, torch.nn.Module):
            kwargs = {**sizes, **kwargs}
        return self.initialized_instance(component, kwargs)

    # ------------------------------------------------------------------ labels
    def _encode_labels(self, y, *, reset, classes=None):
        """Integer codes of the labels ``y`` in ``classes_`` (set on ``reset`` from ``classes`` or ``y``)."""
        if y is None:
            raise ValueError(f"{type(self).__name__} requires y to be passed, but the target y is None: it "
                             "learns the classes of the data.")
        y = column_or_1d(y, warn=True)
        if y.dtype.kind == "f":
            _assert_all_finite(y, input_name="y")
        check_classification_targets(y)
        if reset:
            self.classes_ = np.unique(y if classes is None else np.asarray(classes))
        return self._label_codes(y)

    def _label_codes(self, y):
        y = np.asarray(y)
        codes = np.minimum(np.searchsorted(self.classes_, y), len(self.classes_) - 1)
        unknown = self.classes_[codes] != y
        if unknown.any():
            raise ValueError(f"Unknown class label(s) {np.unique(y[unknown]).tolist()[:5]} not in the classes "
                             f"{self.classes_.tolist()} seen in fit; pass all of them with classes=... to the "
                             "first partial_fit.")
        return codes.astype(np.int64)

    # ------------------------------------------------------------------ randomness and device
    @contextmanager
    def _seeded(self, restart):
        """Train with torch's global generators seeded by ``random_state`` (restored afterwards).

        A fresh fit starts from the seed; continued training resumes the random stream where the
        previous call left it, instead of replaying the same batches and noise.
        """
        if self.random_state is None:
            yield
            return
        devices = cuda_indices(self.device)
        with torch.random.fork_rng(devices=devices):
            if restart or not hasattr(self, "_torch_rng_state_"):
                torch.manual_seed(self._fit_seed())
            else:
                cpu_state, cuda_states = self._torch_rng_state_
                torch.random.set_rng_state(cpu_state)
                for index, state in zip(devices, cuda_states):
                    torch.cuda.set_rng_state(state, index)
            yield
            self._torch_rng_state_ = (torch.random.get_rng_state(),
                                      [torch.cuda.get_rng_state(index) for index in devices])

    def _fit_seed(self):
        """The torch seed of a fresh fit: :func:`torch_seed` of ``random_state``."""
        return torch_seed(self.random_state)

    def _randn(self, *shape, generator=None):
        """Standard normal noise drawn on the CPU, then moved to ``device``: the same draws on every device."""
        return torch.randn(*shape, generator=generator).to(self.device or "cpu")

    def _tensor(self, array):
        """``array`` as a tensor on ``device``."""
        return to_tensor(np.asarray(array), device=self.device or "cpu")

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.required = self._supervised
        return tags


def _accuracy_of_codes(net, X, y):
    """Validation accuracy during training, where the targets are class codes 0..n_classes-1."""
    return accuracy_score(np.asarray(y), net.predict_proba(X).argmax(axis=1))


class TorchClassifier(ClassifierMixin, TorchNet):
    """Base of the torch classifiers: labels in ``classes_``, ``predict_proba`` columns in their order.

    The module outputs class logits; the loss (cross-entropy by default) trains on the label codes, and
    ``predict`` maps the most probable code back to its label. Prediction draws nothing from the caller's
    torch random state (skorch's data loader would take a seed from it).
    """

    _parameter_constraints = {**TorchNet._parameter_constraints, "classes": ["array-like", None]}

    def __init__(self, module, criterion=torch.nn.CrossEntropyLoss, *, classes=None, **kwargs):
        self.classes = classes
        super().__init__(module, criterion, **kwargs)

    def partial_fit(self, X, y=None, classes=None, **fit_params):
        # A classes= passed here takes precedence over the parameter, on the first call.
        return self._fit_net(X, y, reset=not self.initialized_,
                             classes=self.classes if classes is None else classes, **fit_params)

    def fit(self, X, y=None, **fit_params):
        return self._fit_net(X, y, reset=not (self.warm_start and self.initialized_), classes=self.classes,
                             **fit_params)

    fit.__doc__ = TorchNet.fit.__doc__
    partial_fit.__doc__ = TorchNet.partial_fit.__doc__

    @property
    def _default_callbacks(self):
        # Validation accuracy (with a train_split) on the class codes the network trains on.
        callbacks = list(super()._default_callbacks)
        position = next((i for i, (name, _) in enumerate(callbacks) if name == "print_log"), len(callbacks))
        callbacks.insert(position, ("valid_acc", EpochScoring(_accuracy_of_codes, name="valid_acc",
                                                              lower_is_better=False)))
        return callbacks

    def predict_proba(self, X):
        """Class probabilities (softmax of the logits), columns in the order of ``classes_``.

        Parameters
        ----------
        X : array-like
            Samples of the shape seen in ``fit``.

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
        """
        if is_dataset(X):  # skorch's own validation data during training
            return super().predict_proba(X)
        check_is_fitted(self, "module_")
        X = self._check_X(X, reset=False)
        self._check_input_shape(X)
        with torch.random.fork_rng(devices=[]), torch_threads(self.torch_threads):
            return super().predict_proba(X)

    def predict(self, X):
        """Most probable class of every sample.

        Parameters
        ----------
        X : array-like
            Samples of the shape seen in ``fit``.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,)
        """
        proba = self.predict_proba(X)  # first: it says so when the net is not fitted
        return self.classes_[np.argmax(proba, axis=1)]

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = True
        return tags


class ConditionalGenerativeNet(TorchNet):
    """Base of skorch nets that learn ``p(x | class)`` and draw from it with :meth:`sample`.

    The :class:`TorchNet` template with the class labels as a second module input: skorch passes
    ``{"x": X, "y": codes}`` to the module. It uses ``torch_threads`` intra-op threads (one is the fastest
    for the small models here; more only add synchronisation). The module is the generator: it must
    expose ``latent_dim`` and ``decode(z, labels)``.

    A generator predicts nothing: ``predict`` and ``predict_proba`` do not exist; use :meth:`sample`.
    """

    _allow_sequences = False

    predict = _Unavailable("a generator predicts nothing; draw samples with sample(y).")
    predict_proba = _Unavailable("a generator predicts nothing; draw samples with sample(y).")

    def __init__(self, module, *, criterion, random_state=None, torch_threads=1, device="cpu", **kwargs):
        super().__init__(module, criterion, random_state=random_state, torch_threads=torch_threads, device=device,
                         **kwargs)

    def _net_input(self, X, codes):
        return {"x": X, "y": codes}

    def _check_X(self, X, reset):
        """Validate the training samples (float32, finite, of the accepted rank)."""
        X = validate_data(self, X, reset=reset, dtype=np.float32, allow_nd=self._allow_sequences)
        if X.ndim > (3 if self._allow_sequences else 2):
            raise ValueError(f"{type(self).__name__} takes 2-D data{' or 3-D sequences' * self._allow_sequences}; "
                             f"got an array of shape {X.shape}.")
        return X

    def get_loss(self, y_pred, y_true, X=None, training=False):
        """The criterion applied to the module's output and the batch's data (the labels are in X)."""
        return self.criterion_(y_pred, to_tensor(X["x"], device=self.device))

    def sample(self, y, random_state=None):
        """Draw one sample of each class label in ``y``.

        Parameters
        ----------
        y : array-like of shape (n_samples,)
            Class label of each sample to draw (labels seen in ``fit``).
        random_state : int, RandomState instance or None, default=None
            Seeds the latent draws (made on the CPU: the same codes on every device).

        Returns
        -------
        X : ndarray of shape (n_samples,) + the shape of one training sample, float32
        """
        self.check_is_fitted()
        labels = self._tensor(self._label_codes(column_or_1d(y)))
        generator = torch.Generator().manual_seed(torch_seed(random_state))
        z = self._randn(len(labels), self.module_.latent_dim, generator=generator)
        self._set_training(False)
        with torch.no_grad(), torch_threads(self.torch_threads):
            return self._decode(z, labels, generator).cpu().numpy()

    def _decode(self, z, labels, generator):
        """Samples of the generative model for latent codes ``z`` (the generator's output by default)."""
        return self.module_.decode(z, labels)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = self._allow_sequences
        return tags
