"""Safe loading of files made elsewhere: restricted unpickling and archive extraction.

This is the one module of skemotion that unpickles. Pickle runs code on load (any importable callable can be
named in a pickle and is called while loading), so a data set in pickle format (DEAP's
``data_preprocessed_python/*.dat``) is read by :class:`RestrictedUnpickler`, which admits only the globals
that rebuild plain numeric numpy arrays and refuses every other one *before* it is imported or called.
Archives are checked member by member before anything is written, and their checksum before they are opened.
"""

import hashlib
import pickle
import tarfile
import zipfile
from pathlib import Path, PurePosixPath

import numpy as np

try:  # numpy >= 2
    from numpy._core.multiarray import scalar as _numpy_scalar
    from numpy._core.numeric import _frombuffer as _numpy_frombuffer
except ImportError:  # numpy 1.x
    from numpy.core.multiarray import scalar as _numpy_scalar
    from numpy.core.numeric import _frombuffer as _numpy_frombuffer

__all__ = ["UnsafeFileError", "RestrictedUnpickler", "safe_extract", "safe_pickle_load", "sha256sum"]

# dtype kinds a data set holds: bool, signed and unsigned integers, floats, complex. Object ("O") and
# structured ("V") dtypes are refused: an object array unpickles arbitrary objects element by element.
_NUMERIC_KINDS = frozenset("biufc")


class UnsafeFileError(ValueError):
    """A file holds something that could run code when loaded (a refused pickle global, an untrusted type
    in a model file, an archive member that would be written outside its folder)."""


def _numeric_dtype(*args, **kwargs):
    dtype = np.dtype(*args, **kwargs)
    if dtype.kind not in _NUMERIC_KINDS:
        raise pickle.UnpicklingError(f"numpy array of dtype {dtype} (only numeric dtypes are admitted)")
    return dtype


def _reconstruct(cls, *args):
    if cls is not np.ndarray:  # _reconstruct calls cls.__new__: only the plain ndarray is admitted
        raise pickle.UnpicklingError(f"numpy _reconstruct of {cls!r} (only numpy.ndarray is admitted)")
    return np.ndarray.__new__(np.ndarray, *args)


def _scalar(dtype, *args):
    if not isinstance(dtype, np.dtype) or dtype.kind not in _NUMERIC_KINDS:
        raise pickle.UnpicklingError(f"numpy scalar of dtype {dtype!r} (only numeric dtypes are admitted)")
    return _numpy_scalar(dtype, *args)


def _latin1_bytes(text, encoding="utf-8", *args):
    # Python 3 writes bytes in protocol-2 pickles as _codecs.encode(text, "latin1"); no other codec is admitted.
    if encoding.lower().replace("-", "").replace("_", "") not in {"latin1", "iso88591"}:
        raise pickle.UnpicklingError(f"global '_codecs.encode' with codec {encoding!r} (only latin1 is admitted)")
    return text.encode("latin1")


def _frombuffer(buffer, dtype, shape, order):
    # numpy's protocol-5 reconstructor (pickles written with protocol=5)
    if not isinstance(dtype, np.dtype) or dtype.kind not in _NUMERIC_KINDS:
        raise pickle.UnpicklingError(f"numpy array of dtype {dtype!r} (only numeric dtypes are admitted)")
    return _numpy_frombuffer(buffer, dtype, shape, order)


def _complex(real=0.0, imag=0.0):
    if not all(isinstance(part, (int, float)) for part in (real, imag)):
        raise pickle.UnpicklingError("global 'builtins.complex' of non-numbers")
    return complex(real, imag)


# (module, name) -> the callable used instead. Python 2 and numpy 1 files name numpy.core.multiarray; numpy 2
# writes numpy._core.multiarray. Nothing else is importable from a restricted pickle.
_ADMITTED = {}
for _module in ("numpy.core.multiarray", "numpy._core.multiarray"):
    _ADMITTED[(_module, "_reconstruct")] = _reconstruct
    _ADMITTED[(_module, "scalar")] = _scalar
_ADMITTED[("numpy", "ndarray")] = np.ndarray
_ADMITTED[("numpy", "dtype")] = _numeric_dtype
_ADMITTED[("_codecs", "encode")] = _latin1_bytes
for _module in ("numpy.core.numeric", "numpy._core.numeric"):
    _ADMITTED[(_module, "_frombuffer")] = _frombuffer
for _module in ("builtins", "__builtin__"):  # Python 3 and Python 2 names of the built-in complex
    _ADMITTED[(_module, "complex")] = _complex


class RestrictedUnpickler(pickle.Unpickler):
    """An unpickler that rebuilds dicts, lists, tuples, numbers, strings and numeric numpy arrays, nothing else.

    Every global a pickle names (the only way a pickle reaches code) goes through :meth:`find_class`, which
    admits only numpy's array reconstructors, ``numpy.ndarray``, ``numpy.dtype`` (of a numeric dtype),
    ``complex`` of two numbers and ``_codecs.encode`` with the latin1 codec (how Python 3 writes bytes in
    protocol-2 pickles), and
    raises :class:`pickle.UnpicklingError` for any other global before importing it.

    Parameters
    ----------
    file : binary file object
        The open pickle.
    encoding : str, default="latin1"
        How Python 2 ``str`` objects are decoded; ``"latin1"`` keeps numpy array buffers written by Python 2
        byte for byte (as numpy's own documentation advises for Python 2 pickles).
    """

    def __init__(self, file, *, encoding="latin1"):
        super().__init__(file, encoding=encoding)

    def find_class(self, module, name):
        try:
            return _ADMITTED[(module, name)]
        except KeyError:
            raise pickle.UnpicklingError(f"global '{module}.{name}'") from None


def safe_pickle_load(path):
    """Read a pickle that should hold only plain data, refusing anything that could run code.

    Parameters
    ----------
    path : str or path-like
        The pickle file (e.g. a DEAP ``sXX.dat``).

    Returns
    -------
    obj : dict, list, tuple, number, str or ndarray
        The content, rebuilt without importing or calling anything but numpy's array reconstructors.

    Raises
    ------
    UnsafeFileError
        When the pickle names a global outside the admitted ones (e.g. ``os.system``, ``builtins.open``) or
        a non-numeric numpy dtype; the message names the file and what was refused.
    ValueError
        When the file is not a readable pickle (truncated, corrupt).

    Examples
    --------
    >>> import pickle, tempfile, pathlib, numpy as np
    >>> from skemotion.io import safe_pickle_load
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "data.dat"
    >>> _ = path.write_bytes(pickle.dumps({"data": np.zeros((2, 3)), "n": 2}, protocol=2))
    >>> safe_pickle_load(path)["data"].shape
    (2, 3)
    """
    path = Path(path)
    with open(path, "rb") as file:
        try:
            return RestrictedUnpickler(file).load()
        except pickle.UnpicklingError as error:
            if str(error).startswith(("global ", "numpy ")):  # raised by find_class or an admitted wrapper
                raise UnsafeFileError(
                    f"{path}: refused to unpickle {error}; this file may try to run code and was not loaded. "
                    "Only dicts, lists, tuples, numbers, strings and numeric numpy arrays are admitted."
                ) from None
            raise ValueError(f"{path} is not a readable pickle ({error}).") from error
        except (EOFError, ValueError, TypeError, AttributeError, IndexError, KeyError, MemoryError) as error:
            raise ValueError(f"{path} is not a readable pickle (corrupt or truncated: {error!r}).") from error


def sha256sum(path, chunk_size=1 << 20):
    """The SHA-256 hex digest of a file, read in chunks.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> from skemotion.io import sha256sum
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "x"
    >>> _ = path.write_bytes(b"abc")
    >>> sha256sum(path)[:16]
    'ba7816bf8f01cfea'
    """
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for chunk in iter(lambda: file.read(chunk_size), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _check_member_name(archive, name):
    """Refuse absolute paths, drive letters and ``..`` components: they would escape the target folder."""
    posix = PurePosixPath(name.replace("\\", "/"))
    if posix.is_absolute() or (posix.parts and ":" in posix.parts[0]) or ".." in posix.parts:
        raise UnsafeFileError(
            f"{archive}: member {name!r} would be written outside the extraction folder; nothing was extracted."
        )


def _tar_members(archive, tar):
    members = tar.getmembers()
    for member in members:
        _check_member_name(archive, member.name)
        if member.issym() or member.islnk():
            target = PurePosixPath(member.name).parent / member.linkname if member.issym() else member.linkname
            _check_member_name(archive, str(target))
            if PurePosixPath(member.linkname).is_absolute():
                raise UnsafeFileError(f"{archive}: link {member.name!r} points to {member.linkname!r}, outside "
                                      "the extraction folder; nothing was extracted.")
        elif not (member.isfile() or member.isdir()):
            raise UnsafeFileError(f"{archive}: member {member.name!r} is a device or FIFO; nothing was extracted.")
    return members


def safe_extract(archive, folder, *, sha256):
    """Extract a tar or zip archive into ``folder``, never writing outside it.

    The checksum is verified first (a wrong or tampered download is never opened), then every member name is
    checked (no absolute path, drive letter or ``..``; tar links must stay inside; no devices), and only then
    is anything written. Tar archives are also extracted with tarfile's ``filter="data"``, which refuses the
    same escapes and strips set-uid bits, as a second line of defence.

    Parameters
    ----------
    archive : str or path-like
        A ``.tar``, ``.tar.gz``, ``.tgz``, ``.tar.bz2``, ``.tar.xz`` or ``.zip`` file.
    folder : str or path-like
        Where to extract (created if needed).
    sha256 : str or None
        Expected SHA-256 hex digest of the archive. Every ``fetch_*`` helper passes the published one;
        ``None`` skips the check (for an archive you made yourself).

    Returns
    -------
    names : list of str
        The member names extracted.

    Raises
    ------
    UnsafeFileError
        On a checksum mismatch or a member that would escape ``folder``; nothing is extracted then.
    ValueError
        When the file is neither a tar nor a zip archive.

    Examples
    --------
    >>> import tarfile, tempfile, pathlib
    >>> from skemotion.io import safe_extract, sha256sum
    >>> tmp = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (tmp / "a.txt").write_text("hello")
    >>> with tarfile.open(tmp / "a.tar.gz", "w:gz") as tar:
    ...     tar.add(tmp / "a.txt", arcname="data/a.txt")
    >>> safe_extract(tmp / "a.tar.gz", tmp / "out", sha256=sha256sum(tmp / "a.tar.gz"))
    ['data/a.txt']
    """
    archive, folder = Path(archive), Path(folder)
    if sha256 is not None:
        actual = sha256sum(archive)
        if actual.lower() != sha256.lower():
            raise UnsafeFileError(f"{archive}: SHA-256 {actual} differs from the expected {sha256}; the file is "
                                  "corrupt or was tampered with, and was not extracted.")
    if zipfile.is_zipfile(archive):
        with zipfile.ZipFile(archive) as zipped:
            names = zipped.namelist()
            for name in names:
                _check_member_name(archive, name)
            folder.mkdir(parents=True, exist_ok=True)
            zipped.extractall(folder)
        return names
    if tarfile.is_tarfile(archive):
        with tarfile.open(archive) as tar:
            members = _tar_members(archive, tar)
            folder.mkdir(parents=True, exist_ok=True)
            try:
                tar.extractall(folder, members=members, filter="data")
            except tarfile.FilterError as error:  # checked above; kept in case tarfile finds more
                raise UnsafeFileError(f"{archive}: {error}") from error
        return sorted(member.name for member in members)
    raise ValueError(f"{archive} is neither a tar nor a zip archive.")
