"""Discovery of the public estimators of skemotion."""

import inspect
import pkgutil
from importlib import import_module

from sklearn.base import BaseEstimator

_EXCLUDED_MODULES = ("tests", "conftest", "__main__")


def all_estimators():
    """Every public estimator class of skemotion, sorted by name.

    Walks the package like :func:`sklearn.utils.discovery.all_estimators`: a class counts when it
    subclasses :class:`~sklearn.base.BaseEstimator`, is defined in skemotion, its name has no leading
    underscore and it is not abstract. A class whose optional dependency cannot be imported (a
    non-None ``_unavailable_reason``, e.g. :class:`~skemotion.nn.BraindecodeClassifier` without
    braindecode) is left out.

    Returns
    -------
    list of (name, class) tuples

    Examples
    --------
    >>> from skemotion.utils import all_estimators
    >>> "SkeletonNormalizer" in dict(all_estimators())
    True
    """
    import skemotion

    found = {}
    for module_info in pkgutil.walk_packages(skemotion.__path__, prefix="skemotion."):
        parts = module_info.name.split(".")
        if any(part.startswith("_test") or part in _EXCLUDED_MODULES for part in parts):
            continue
        module = import_module(module_info.name)
        for name, cls in inspect.getmembers(module, inspect.isclass):
            if (issubclass(cls, BaseEstimator) and cls.__module__.startswith("skemotion.")
                    and not name.startswith("_") and not inspect.isabstract(cls)
                    and getattr(cls, "_unavailable_reason", None) is None):
                found[name] = cls
    return sorted(found.items())
