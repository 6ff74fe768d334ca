"""Model files that do not run code when opened: skops' secure persistence, with the versions that made them.

A joblib or pickle model file is a program: opening it can call any importable function. A ``.skops`` file
is a zip of JSON and numpy arrays; skops rebuilds only the types it is told to trust and lists the others,
so an untrusted file is inspected before anything in it is used.
"""

import json
import platform
import warnings
import zipfile
from importlib.metadata import PackageNotFoundError, version
from io import BytesIO
from pathlib import Path

from ..utils._files import atomic_write, check_writable
from ._safe import UnsafeFileError

__all__ = ["default_trusted_types", "load_model", "model_versions", "save_model"]

# Written inside the .skops zip beside skops' own schema.json; skops ignores members it does not know.
_VERSIONS_MEMBER = "skemotion_versions.json"
_PACKAGES = ("skemotion", "scikit-learn", "numpy", "scipy", "torch", "skops")

# scikit-learn's own tree structure (the Cython ``Tree`` inside every decision tree and forest). skops
# lists it as untrusted only because it is rebuilt through ``__reduce__``; its state is numeric arrays and
# its ``__setstate__`` is scikit-learn's, so trusting it by name admits no code from the file.
_SKLEARN_TRUSTED = ("sklearn.tree._tree.Tree",)


def _versions():
    found = {"python": platform.python_version()}
    for name in _PACKAGES:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = None
    return found


def default_trusted_types():
    """The types :func:`load_model` trusts without being told: skemotion's own estimators and joint layouts,
    and sklearn's Tree.

    A skemotion estimator is trusted by default because skops rebuilds it without running any of its code:
    ``cls.__new__`` and then scikit-learn's ``BaseEstimator.__setstate__``, which only sets attributes;
    the classes listed here define no ``__setstate__`` or ``__reduce__`` of their own (checked when the list
    is made). What those attributes hold is checked by skops like everything else, so a skemotion
    estimator that carries a function, a torch module or any other type still needs that type trusted.

    Returns
    -------
    types : list of str
        Fully qualified type names, as skops reports them.

    Examples
    --------
    >>> from skemotion.io import default_trusted_types
    >>> "skemotion.motion._normalizer.SkeletonNormalizer" in default_trusted_types()
    True
    """
    from ..utils import all_estimators

    own = []
    for _, cls in all_estimators():
        ours = [k for k in cls.__mro__ if k.__module__.startswith("skemotion")]
        if not any(hook in vars(k) for k in ours for hook in ("__setstate__", "__reduce__", "__reduce_ex__")):
            own.append(f"{cls.__module__}.{cls.__qualname__}")
    # Fitted skeleton estimators keep their resolved layout (layout_): a frozen dataclass of joint names,
    # parent indices and name pairs, rebuilt by setting those fields; it defines no loading hook of its own.
    own.append("skemotion.skeleton._layout.SkeletonLayout")
    return sorted(own) + list(_SKLEARN_TRUSTED)


def save_model(model, path):
    """Save a fitted estimator (or pipeline) in skops' format, with the versions that made it.

    The file is written atomically (a temporary file in the target folder, then :func:`os.replace`), so an
    interrupted save never leaves a half-written model behind.

    Parameters
    ----------
    model : estimator
        Any object skops can persist (scikit-learn and skemotion estimators, pipelines, numpy arrays).
    path : str or path-like
        The output file, conventionally ``*.skops``.

    Returns
    -------
    path : Path

    See Also
    --------
    load_model, model_versions

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from sklearn.linear_model import LogisticRegression
    >>> from skemotion.io import load_model, save_model
    >>> model = LogisticRegression().fit([[0.0], [1.0]], [0, 1])
    >>> path = save_model(model, pathlib.Path(tempfile.mkdtemp()) / "model.skops")
    >>> load_model(path).predict([[0.9]]).tolist()
    [1]
    """
    import skops.io

    path = Path(path)
    buffer = BytesIO(skops.io.dumps(model, compression=zipfile.ZIP_DEFLATED))
    with zipfile.ZipFile(buffer, "a") as archive:
        archive.writestr(_VERSIONS_MEMBER, json.dumps(_versions(), indent=2))
    path.parent.mkdir(parents=True, exist_ok=True)
    # The toolkit's one atomic writer: fsync, a replaced file's permissions kept, the umask for a new one
    # (mkstemp would make every model file 0600).
    with atomic_write(check_writable(path), "wb") as file:
        file.write(buffer.getvalue())
    return path


def _check_model_file(path):
    if not path.is_file():
        raise FileNotFoundError(f"Model file {path} does not exist.")
    if not zipfile.is_zipfile(path):
        raise UnsafeFileError(
            f"{path} is not a skops model file. Pickle and joblib files run code when opened and are not read; "
            "save models with skemotion.io.save_model (or `skemotion train`)."
        )


def model_versions(path):
    """The versions of Python and the libraries that wrote a model file (``None`` for a plain skops file).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from sklearn.dummy import DummyClassifier
    >>> from skemotion.io import model_versions, save_model
    >>> path = save_model(DummyClassifier().fit([[0]], [0]), pathlib.Path(tempfile.mkdtemp()) / "m.skops")
    >>> sorted(model_versions(path))
    ['numpy', 'python', 'scikit-learn', 'scipy', 'skemotion', 'skops', 'torch']
    """
    path = Path(path)
    _check_model_file(path)
    with zipfile.ZipFile(path) as archive:
        if _VERSIONS_MEMBER not in archive.namelist():
            return None
        return json.loads(archive.read(_VERSIONS_MEMBER))


def load_model(path, trusted=None):
    """Load a model saved by :func:`save_model` without running code from the file.

    The types the file names are listed first (:func:`skops.io.get_untrusted_types`); any type that is
    neither trusted by default (:func:`default_trusted_types`, plus skops' own list of safe scikit-learn and
    numpy types) nor passed in ``trusted`` makes the load fail before anything is built.

    Parameters
    ----------
    path : str or path-like
        A ``.skops`` file.
    trusted : list of str or None, default=None
        Further types to trust, by their full names as the error message lists them. Pass only the types
        of a file whose origin you trust: a trusted function or class can run code.

    Returns
    -------
    model : estimator

    Raises
    ------
    UnsafeFileError
        When the file names types that are not trusted (the message lists them and says how to trust them),
        or when it is not a skops file (e.g. a pickle or joblib file).
    FileNotFoundError
        When the file does not exist.

    Warns
    -----
    UserWarning
        When the file was written with another scikit-learn or skemotion version than the running one.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from sklearn.preprocessing import FunctionTransformer
    >>> from skemotion.io import load_model, save_model
    >>> path = save_model(FunctionTransformer(func=print), pathlib.Path(tempfile.mkdtemp()) / "f.skops")
    >>> load_model(path)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    skemotion.io._safe.UnsafeFileError: ... not trusted: ['builtins.print']. ...
    >>> load_model(path, trusted=["builtins.print"]).func is print
    True
    """
    import skops.io

    path = Path(path)
    _check_model_file(path)
    trusted = list(trusted or [])
    allowed = set(default_trusted_types()) | set(trusted)
    try:
        named = skops.io.get_untrusted_types(file=path)
    except Exception as error:  # a zip that is not a skops file, or a corrupt schema
        raise ValueError(f"{path} is not a readable skops model file ({error}).") from error
    refused = [name for name in named if name not in allowed]
    if refused:
        fragment = " ".join(f"--trust {name}" for name in refused)
        raise UnsafeFileError(
            f"{path}: the model file holds types that are not trusted: {refused}. Building them could run code "
            "from the file. Only if you trust where the file came from, pass them explicitly: "
            f"load_model(path, trusted={refused!r}) in Python, or `{fragment}` on the command line."
        )
    _warn_versions(path)
    return skops.io.load(path, trusted=sorted(allowed & set(named)))


def _warn_versions(path):
    stored = model_versions(path)
    if not stored:
        return
    running = _versions()
    differ = [f"{name} {stored.get(name)} (running {running[name]})" for name in ("scikit-learn", "skemotion")
              if stored.get(name) != running[name]]
    if differ:
        warnings.warn(f"{path} was written with {', '.join(differ)}; predictions may differ.", UserWarning,
                      stacklevel=3)
