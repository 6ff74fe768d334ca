"""Where the real data sets are on disk."""

import os
from pathlib import Path

# This repository keeps the real data beside it, in ../shared/data; examples run from the repository root
# (python examples/x.py) or, under sphinx-gallery, from examples/.
_SEARCHED = (Path("..") / "shared" / "data", Path("..") / ".." / "shared" / "data")
# Where the fetch_* helpers put data when no folder is given, set or found (scikit-learn's habit).
_DEFAULT = Path("~") / "skemotion_data"


def get_data_home(data_home=None, *, create=False):
    """The folder holding the real data sets (``bandai-namco-1/``, ``eeg/``, ``video/``, ``models/`` ...).

    Looked up in this order: ``data_home``; the environment variable ``SKEMOTION_DATA``; ``../shared/data``
    and ``../../shared/data`` relative to the working directory (this repository's layout, from its root or
    from ``examples/``). Nothing is downloaded here; the ``fetch_*`` helpers download into this folder.

    Parameters
    ----------
    data_home : str, Path or None, default=None
        An explicit folder.
    create : bool, default=False
        The folder to download into (for the ``fetch_*`` helpers), created when it does not exist:
        ``data_home`` or ``SKEMOTION_DATA`` where given, else ``~/skemotion_data``. The searched
        ``../shared/data`` folders are reference data read in place and are never written to.

    Returns
    -------
    Path

    Examples
    --------
    >>> import tempfile
    >>> from skemotion.datasets import get_data_home
    >>> folder = tempfile.mkdtemp()
    >>> get_data_home(folder).is_dir()
    True
    """
    given = data_home if data_home is not None else os.environ.get("SKEMOTION_DATA") or None
    if create:
        folder = Path(given if given is not None else _DEFAULT).expanduser()
        folder.mkdir(parents=True, exist_ok=True)
        return folder.resolve()
    candidates = [given] if given is not None else list(_SEARCHED)
    for candidate in candidates:
        if Path(candidate).is_dir():
            return Path(candidate).resolve()
    raise FileNotFoundError(
        f"No data folder found (looked in {', '.join(str(Path(c)) for c in candidates)}). Pass data_home, set "
        "SKEMOTION_DATA to the folder holding bandai-namco-1/, eeg/, video/ and models/, or run from the "
        "repository root with ../shared/data beside it."
    )
