"""Downloading the data sets that have a stable public address, for users with a network connection.

The loaders never download; these helpers do, and only when called (never in the tests). Every file is
checked against a SHA-256 written in the registry below before it is kept, written atomically
(:func:`skemotion.utils._files.atomic_write`: an interrupted or failed download leaves no partial file), and
reused when a copy with the right checksum is already there. Archives are extracted into a temporary folder
that only replaces the target when every member is out, and a member with an absolute path or a ``..`` is
refused before anything is written.

Where the checksums come from (so that anyone can check them):

- Bandai-Namco-Research-Motiondataset-1 and -2: each file's SHA-256, computed from the git objects of commit
  :data:`BANDAI_NAMCO_COMMIT` (which git itself checks against the objects' SHA-1 ids), listed in
  ``_manifests/bandai-namco-{1,2}.txt`` as ``<sha256> <size> <path>``. The files are downloaded from
  raw.githubusercontent.com at that commit, which serves the git objects byte for byte (the repository has
  no LFS or line-ending attributes at that commit). Dataset-1's ``dance-long`` clip (over-long, and left out of
  the shared copy too) is not fetched: its object was not available to compute its SHA-256, and no
  checksum is invented.
- 100STYLE: ``100STYLE.zip`` of Zenodo record 8127870. Zenodo publishes its MD5 (verified too); the SHA-256
  is the one two independent projects pinned after downloading it (a Nix ``fetchurl`` hash and a
  Python registry), which agree.

Checksums are never optional by default: :func:`_download` takes ``sha256`` without a default, so a download
without verification has to be asked for by writing ``sha256=None``, and a registry entry without a
SHA-256 is refused.
"""

import hashlib
import http.client
import os
import re
import secrets
import shutil
import sys
import urllib.error
import urllib.request
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from ..utils._files import atomic_write
from ._home import get_data_home

#: The commit of BandaiNamcoResearchInc/Bandai-Namco-Research-Motiondataset the registry pins.
BANDAI_NAMCO_COMMIT = "74ead3ba1ae4696404e6086233779f60de8bf9ef"
_BANDAI_RAW = ("https://raw.githubusercontent.com/BandaiNamcoResearchInc/Bandai-Namco-Research-Motiondataset/"
               f"{BANDAI_NAMCO_COMMIT}/dataset/Bandai-Namco-Research-Motiondataset-{{}}/")
_MANIFESTS = Path(__file__).parent / "_manifests"
_CHUNK = 1 << 20
# Seconds without an answer before a request fails (a stalled server must not hang the fetch forever).
_TIMEOUT = 60
# Concurrent requests for the data sets of many small files (dataset-2 is 5,809 files, 515 MB).
_MAX_WORKERS = 8
# A fetched archive's folder holds this file, naming the archive's SHA-256, once it is completely extracted.
_STAMP = ".skemotion-fetched"

# The registry, as data. "files": a folder of files listed in a manifest, each at base_url + its path.
# "archive": one zip, extracted into folder.
REGISTRY = {
    "bandai-namco-1": {"kind": "files", "base_url": _BANDAI_RAW.format(1), "folder": "bandai-namco-1",
                       "manifest": _MANIFESTS / "bandai-namco-1.txt"},
    "bandai-namco-2": {"kind": "files", "base_url": _BANDAI_RAW.format(2), "folder": "bandai-namco-2",
                       "manifest": _MANIFESTS / "bandai-namco-2.txt"},
    "100style": {"kind": "archive", "url": "https://zenodo.org/api/records/8127870/files/100STYLE.zip/content",
                 "archive": "100STYLE.zip", "folder": "100STYLE", "size": 1_468_515_354,
                 "sha256": "2c3b4017f8e2397ee6904c9b9f43551d8b426d39ddc3558d121fee9e55cb2d58",
                 "md5": "3cf627852fd8192024c04a8d0ef49583"},
}

# A module attribute, so that a test can interrupt a download in the middle.
_urlopen = urllib.request.urlopen


@dataclass(frozen=True)
class _Entry:
    path: str
    sha256: str
    size: int


def _manifest(name):
    """The (path, sha256, size) of every file of a "files" data set, from its manifest."""
    manifest = Path(REGISTRY[name]["manifest"])
    entries = []
    for number, line in enumerate(manifest.read_text().splitlines(), 1):
        match = re.fullmatch(r"([0-9a-f]{64}) (\d+) (\S.*)", line)
        if not match:
            raise ValueError(f"{manifest}, line {number}: expected '<sha256> <size> <path>', found {line!r}.")
        entries.append(_Entry(_safe_member(match[3], manifest), match[1], int(match[2])))
    return entries


def _safe_member(name, archive):
    """``name`` if it stays inside the folder it is extracted to; an absolute path or a ``..`` is refused."""
    parts = PurePosixPath(name.replace("\\", "/")).parts
    if not parts or name.startswith(("/", "\\")) or re.match(r"[A-Za-z]:", name) or ".." in parts:
        raise ValueError(f"{archive}: refusing the member {name!r}, which would be written outside the folder "
                         "it is extracted to (absolute path or '..').")
    return name


def _hashes(path, md5=False):
    digests = [hashlib.sha256()] + ([hashlib.md5()] if md5 else [])
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(_CHUNK), b""):
            for digest in digests:
                digest.update(block)
    return [digest.hexdigest() for digest in digests]


def _report(progress, text):
    if progress:
        print(text, file=sys.stderr, flush=True)


def _download(url, path, *, sha256, size=None, md5=None, force=False, progress=False):
    """Download ``url`` to ``path`` unless a copy with checksum ``sha256`` is there; return ``path``.

    The bytes go to a temporary file next to ``path`` and replace it only once their size and checksums
    match, so an interruption, a network error or a wrong checksum leaves no file at ``path`` (a copy found
    there with a wrong checksum is removed first). ``sha256=None`` downloads without verification: it has to
    be written out, there is no default.
    """
    path = Path(path)
    if path.is_file() and not force:
        if sha256 is not None and _hashes(path)[0] == sha256:
            return path
        path.unlink()  # a wrong or unverifiable copy is never kept next to the right one
    path.parent.mkdir(parents=True, exist_ok=True)
    digests = {"SHA-256": hashlib.sha256(), "MD5": hashlib.md5()}
    try:
        with _urlopen(url, timeout=_TIMEOUT) as response, atomic_write(path, "wb") as fh:
            received = 0
            for block in iter(lambda: response.read(_CHUNK), b""):
                fh.write(block)
                for digest in digests.values():
                    digest.update(block)
                received += len(block)
                if size and progress and received % (64 * _CHUNK) < len(block):
                    _report(progress, f"{url}: {received / 1e6:.0f} of {size / 1e6:.0f} MB")
            if size is not None and received != size:
                raise OSError(f"{url}: received {received} bytes, expected {size}; the download was discarded.")
            for algorithm, expected in (("SHA-256", sha256), ("MD5", md5)):
                actual = digests[algorithm].hexdigest()
                if expected is not None and actual != expected:
                    raise OSError(f"{url}: {algorithm} mismatch: expected {expected}, got {actual}; the download "
                                  "was discarded.")
    except urllib.error.URLError as error:
        raise OSError(f"Could not download {url}: {error.reason}.") from error
    except (http.client.HTTPException, ConnectionError, TimeoutError) as error:
        raise OSError(f"The download of {url} failed ({error!r}); nothing was kept, try again.") from error
    return path


def _fetch_files(name, data_home, force, progress):
    """A "files" data set: every file of the manifest, verified, under ``<data_home>/<folder>``.

    A first download fills ``<folder>.partial`` and renames it only when every file is there, so that a
    loader never reads a half-fetched data set; an interrupted one resumes from the files already verified.
    """
    spec = REGISTRY[name]
    entries = _manifest(name)
    home = get_data_home(data_home, create=True)
    final = home / spec["folder"]
    staging = final if final.is_dir() else home / f"{spec['folder']}.partial"
    _report(progress, f"{name}: checking or downloading {len(entries)} files "
                      f"({sum(e.size for e in entries) / 1e6:.0f} MB) into {final}")

    def one(entry):
        return _download(spec["base_url"] + entry.path, staging / entry.path, sha256=entry.sha256,
                         size=entry.size, force=force)

    with ThreadPoolExecutor(max_workers=_MAX_WORKERS) as pool:
        futures = [pool.submit(one, entry) for entry in entries]
        try:
            for done, future in enumerate(futures, 1):
                future.result()
                if done % 500 == 0:
                    _report(progress, f"{name}: {done} of {len(entries)} files")
        except BaseException:
            for future in futures:
                future.cancel()  # the files written so far are complete and verified; the rest never start
            raise
    if staging != final:
        os.replace(staging, final)
    return final


def _extract_zip(archive, destination):
    """Extract ``archive`` into the new folder ``destination``, refusing unsafe members before writing any.

    The members go to a temporary folder that becomes ``destination`` only at the end (with the stamp that
    names the archive's checksum), so a failure leaves nothing. A zip whose members all lie in one top folder
    (``100STYLE/...``) gives that folder's contents.
    """
    with zipfile.ZipFile(archive) as zf:
        members = zf.infolist()
        for member in members:
            _safe_member(member.filename, archive)
        temporary = destination.with_name(f".{destination.name}.{secrets.token_hex(4)}.extracting")
        try:
            temporary.mkdir()
            zf.extractall(temporary, members)
            entries = list(temporary.iterdir())
            root = entries[0] if len(entries) == 1 and entries[0].is_dir() else temporary
            (root / _STAMP).write_text(_hashes(archive)[0] + "\n")
            if destination.exists():
                shutil.rmtree(destination)
            os.replace(root, destination)
        finally:
            shutil.rmtree(temporary, ignore_errors=True)
    return destination


def _fetch_archive(name, data_home, force, progress):
    """An "archive" data set: its zip, verified and extracted into ``<data_home>/<folder>``."""
    spec = REGISTRY[name]
    home = get_data_home(data_home, create=True)
    final = home / spec["folder"]
    stamp = final / _STAMP
    if not force and stamp.is_file() and stamp.read_text().strip() == spec["sha256"]:
        return final
    if final.exists() and not stamp.is_file():  # the user's own copy: never replaced, never deleted
        raise FileExistsError(f"{final} exists and was not extracted by fetch_{name}; pass it to the loader as it "
                              "is, or move it away to fetch a verified copy.")
    _report(progress, f"{name}: downloading {spec['url']} ({spec['size'] / 1e6:.0f} MB) into {home}")
    archive = _download(spec["url"], home / spec["archive"], sha256=spec["sha256"], size=spec.get("size"),
                        md5=spec.get("md5"), force=force, progress=progress)
    _report(progress, f"{name}: extracting {archive}")
    return _extract_zip(archive, final)


def _fetch(name, data_home, force, progress):
    spec = REGISTRY[name]
    if spec["kind"] == "archive" and not spec.get("sha256"):
        raise ValueError(f"The registry has no SHA-256 for {name} ({spec['url']}); it is not downloaded "
                         "unverified.")
    fetch = _fetch_files if spec["kind"] == "files" else _fetch_archive
    return fetch(name, data_home, force, progress)


def fetch_bandai_namco(data_home=None, *, dataset=1, force=False, progress=True):
    """Download a Bandai-Namco-Research-Motiondataset (1 or 2) from GitHub; return its folder.

    The files come from the repository at the pinned commit :data:`BANDAI_NAMCO_COMMIT`, each checked against
    its SHA-256 before it is kept: dataset-1 is 353 files (40 MB; without the over-long ``dance-long`` clip),
    dataset-2 5,809 files (515 MB). Files already there with the right checksum are not downloaded again, so
    an interrupted fetch resumes. Licence CC BY-NC 4.0 (non-commercial use).

    Parameters
    ----------
    data_home : str, Path or None, default=None
        Where to put the data set (see :func:`get_data_home`, created if needed).
    dataset : {1, 2}, default=1
        Which data set.
    force : bool, default=False
        Download every file again, even a verified copy.
    progress : bool, default=True
        Report progress on standard error.

    Returns
    -------
    path : Path
        ``<data_home>/bandai-namco-<dataset>``, to pass to :func:`load_bandai_namco`.

    Examples
    --------
    >>> from skemotion.datasets import fetch_bandai_namco, load_bandai_namco
    >>> folder = fetch_bandai_namco(dataset=2)  # doctest: +SKIP
    >>> load_bandai_namco(folder, styles="elderly", contents="walk").DESCR[:37]  # doctest: +SKIP
    'Bandai-Namco-Research-Motiondataset-2'
    """
    if dataset not in (1, 2):
        raise ValueError(f"dataset must be 1 or 2, got {dataset!r}.")
    return _fetch(f"bandai-namco-{dataset}", data_home, force, progress)


def fetch_100style(data_home=None, *, force=False, progress=True):
    """Download 100STYLE (``100STYLE.zip``, 1.47 GB, from Zenodo record 8127870); return its folder.

    The archive is checked against its SHA-256 and Zenodo's published MD5 before it is kept, then extracted
    safely. A folder already extracted from the same archive is reused without a download; the archive stays
    in ``data_home`` and may be deleted once extracted. Licence CC BY 4.0.

    Parameters
    ----------
    data_home : str, Path or None, default=None
        Where to put the data set (see :func:`get_data_home`, created if needed).
    force : bool, default=False
        Download and extract again, even a verified copy.
    progress : bool, default=True
        Report progress on standard error.

    Returns
    -------
    path : Path
        ``<data_home>/100STYLE``, to pass to :func:`load_100style`.

    Examples
    --------
    >>> from skemotion.datasets import fetch_100style, load_100style
    >>> clips = load_100style(fetch_100style(), styles="Angry", contents="FW")  # doctest: +SKIP
    """
    return _fetch("100style", data_home, force, progress)
