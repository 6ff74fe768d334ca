"""Writing files so that a failure never loses data.

Every file the toolkit writes goes through this module. :func:`atomic_write` (an open file) and
:func:`atomic_path` (a path, for writers that only take a file name, such as OpenCV) write into a temporary
file next to the target, flush it to disk (``fsync``) and only then move it over the target with
:func:`os.replace`, which is atomic on one file system. A failure at any point (an exception, Ctrl-C) removes
the temporary file and leaves the old target as it was. :func:`atomic_folder` does the same for a folder of
files that belong together (a data set). :func:`check_writable` refuses an output that cannot
be written before any work is done, so a long job does not fail at its very end.
"""

import errno
import os
import secrets
import shutil
from contextlib import contextmanager
from pathlib import Path

__all__ = ["atomic_folder", "atomic_path", "atomic_write", "check_writable"]


def check_writable(path):
    """Refuse, with an error naming it, an output path that cannot be written.

    Parameters
    ----------
    path : str or path-like
        The file about to be written (it may exist: it will be replaced).

    Returns
    -------
    path : Path
        ``path`` as a :class:`~pathlib.Path`.

    Raises
    ------
    FileNotFoundError
        The folder of ``path`` does not exist.
    NotADirectoryError
        What should be the folder of ``path`` is a file.
    IsADirectoryError
        ``path`` is a folder.
    PermissionError
        The folder cannot be written to, or ``path`` exists and is read-only.

    Examples
    --------
    >>> import tempfile
    >>> from skemotion.utils._files import check_writable
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     check_writable(f"{folder}/missing/out.npz")
    Traceback (most recent call last):
    ...
    FileNotFoundError: Cannot write '.../missing/out.npz': its folder '.../missing' does not exist.
    """
    path = Path(path)
    folder = path.parent
    if path.is_dir():
        raise IsADirectoryError(f"Cannot write {str(path)!r}: it is a folder; give a file name.")
    if not folder.exists():
        raise FileNotFoundError(f"Cannot write {str(path)!r}: its folder {str(folder)!r} does not exist.")
    if not folder.is_dir():
        raise NotADirectoryError(f"Cannot write {str(path)!r}: {str(folder)!r} is a file, not a folder.")
    if path.exists() and not os.access(path, os.W_OK):
        raise PermissionError(f"Cannot write {str(path)!r}: the file is read-only.")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise PermissionError(f"Cannot write {str(path)!r}: no permission to write in {str(folder)!r}.")
    return path


def _temporary_name(path):
    """A new, empty file next to ``path``, created with the default permissions (the umask applies).

    The name ends in ``path``'s suffix, so writers that pick the format from the name still see it.
    """
    for _ in range(100):
        part = path.with_name(f".{path.stem}.{secrets.token_hex(4)}.part{path.suffix}")
        try:
            os.close(os.open(part, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
        except FileExistsError:
            continue
        return part
    raise FileExistsError(errno.EEXIST, "No free temporary name next to the target", str(path))


def _fsync(path):
    with open(path, "rb+") as fh:
        os.fsync(fh.fileno())


def _commit(part, path):
    """Move the finished temporary file over ``path``, keeping the permissions of a file it replaces."""
    if path.exists():
        shutil.copymode(path, part)
    os.replace(part, path)
    _fsync_folder(path.parent)  # make the rename itself durable


@contextmanager
def atomic_path(path):
    """A temporary path to write to; it replaces ``path`` only when the block ends without an error.

    For writers that need a file name rather than an open file (OpenCV's ``VideoWriter``, ...). The
    temporary file is in the folder of ``path`` and ends in its suffix.

    Parameters
    ----------
    path : str or path-like
        The final file.

    Yields
    ------
    part : Path
        Where to write. It exists (empty) when the block starts.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from skemotion.utils._files import atomic_path
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     with atomic_path(Path(folder) / "notes.txt") as part:
    ...         _ = part.write_text("done")
    ...     print(sorted(p.name for p in Path(folder).iterdir()))
    ['notes.txt']
    """
    path = check_writable(path)
    part = _temporary_name(path)
    try:
        yield part
        _fsync(part)
        _commit(part, path)
    finally:
        part.unlink(missing_ok=True)


@contextmanager
def atomic_write(path, mode="w", *, encoding="utf-8", newline=None):
    """Open a temporary file that replaces ``path`` only when the block ends without an error.

    The data is flushed to disk before the rename, so ``path`` holds either its old content or the whole
    new one, never a part; on any exception the temporary file is removed and the old file stays intact.

    Parameters
    ----------
    path : str or path-like
        The final file. Its folder must exist (:func:`check_writable` is called first).
    mode : {"w", "wb"}, default="w"
        Text or binary.
    encoding : str, default="utf-8"
        Text encoding (text mode only).
    newline : str or None, default=None
        As for :func:`open` (text mode only); ``"\\n"`` writes Unix line ends on every platform.

    Yields
    ------
    file : file object
        Open for writing.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from skemotion.utils._files import atomic_write
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     target = Path(folder) / "table.md"
    ...     _ = target.write_text("old")
    ...     try:
    ...         with atomic_write(target) as fh:
    ...             _ = fh.write("half of the new")
    ...             raise RuntimeError("the writer failed")
    ...     except RuntimeError:
    ...         pass
    ...     print(target.read_text(), sorted(p.name for p in Path(folder).iterdir()))
    old ['table.md']
    """
    if mode not in ("w", "wb"):
        raise ValueError(f"mode must be 'w' or 'wb', got {mode!r}")
    text = {"encoding": encoding, "newline": newline} if mode == "w" else {}
    with atomic_path(path) as part, open(part, mode, **text) as fh:
        yield fh
        fh.flush()


@contextmanager
def atomic_folder(path, *, overwrite=False):
    """A staging folder that replaces the folder ``path`` as a whole when the block ends without an error.

    For writers of several files that belong together (a data set folder): they are written into a staging
    folder next to ``path``, which is renamed to ``path`` only once every file is complete, so ``path`` holds
    either all the old files or all the new ones, never a mix. On any failure (an exception, Ctrl-C) the
    staging folder is removed and ``path`` is left as it was.

    Parameters
    ----------
    path : str or path-like
        The final folder. Its parent must exist and be writable.
    overwrite : bool, default=False
        Whether an existing folder ``path`` may be replaced; its files are then removed, including files
        the writer did not write, so the default refuses.

    Yields
    ------
    staging : Path
        The (empty) folder to write into.

    Raises
    ------
    FileExistsError
        ``path`` exists and ``overwrite`` is false.
    NotADirectoryError
        ``path`` exists and is a file.

    Notes
    -----
    A new folder is renamed into place in one atomic step. An existing one is first renamed aside, then the
    staging folder takes its name and the old one is removed; if the second rename fails the old folder is
    renamed back. (POSIX has no portable atomic exchange of two folders, so between the two renames ``path``
    is briefly absent, though its old files are never lost.)

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> from skemotion.utils._files import atomic_folder
    >>> with tempfile.TemporaryDirectory() as parent:
    ...     with atomic_folder(Path(parent) / "data") as staging:
    ...         _ = (staging / "a.txt").write_text("1")
    ...         _ = (staging / "b.txt").write_text("2")
    ...     print([p.name for p in Path(parent).iterdir()], sorted(p.name for p in Path(parent, "data").iterdir()))
    ['data'] ['a.txt', 'b.txt']
    """
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise NotADirectoryError(f"Cannot write the folder {str(path)!r}: it is a file.")
    if path.exists() and not overwrite:
        raise FileExistsError(f"The folder {str(path)!r} exists; pass overwrite=True to replace it "
                              "(its files are removed).")
    staging = _temporary_folder(path, "part")
    try:
        yield staging
        _swap_in(staging, path)
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _temporary_folder(path, kind):
    """A new, empty folder ``.{name}.{random}.{kind}`` next to ``path`` (the folder's writability checked first)."""
    for _ in range(100):
        folder = path.with_name(f".{path.name}.{secrets.token_hex(4)}.{kind}")
        check_writable(folder)  # its parent exists, is a folder and can be written to
        try:
            folder.mkdir()
        except FileExistsError:
            continue
        return folder
    raise FileExistsError(errno.EEXIST, "No free temporary name next to the target", str(path))


def _swap_in(staging, path):
    """Rename the finished ``staging`` to ``path``, moving an existing ``path`` aside and removing it after."""
    if not path.exists():
        os.rename(staging, path)
        _fsync_folder(path.parent)
        return
    aside = _temporary_folder(path, "old")  # a free name next to path
    aside.rmdir()
    os.rename(path, aside)
    try:
        os.rename(staging, path)
    except BaseException:
        os.rename(aside, path)  # the old files come back under their name
        raise
    _fsync_folder(path.parent)
    shutil.rmtree(aside, ignore_errors=True)


def _fsync_folder(folder):
    """Make the renames in ``folder`` durable; not every platform can open a folder."""
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)
