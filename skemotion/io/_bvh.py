"""Reading and writing Biovision Hierarchy (BVH) motion capture files.

A BVH file has a ``HIERARCHY`` section (a tree of joints, each with an
``OFFSET`` from its parent and a list of ``CHANNELS``) followed by a
``MOTION`` section (one line of channel values per frame).  :func:`read_bvh`
parses both and runs forward kinematics (FK) once, so every
:class:`BVHMotion` carries world-space joint ``positions`` and global
``rotations``.

FK conventions
--------------
* Rotation channels are Euler angles in degrees, composed in the order in
  which they are listed: ``Zrotation Xrotation Yrotation`` gives
  ``R_local = Rz @ Rx @ Ry`` (scipy ``from_euler('ZXY', ..., degrees=True)``,
  intrinsic).  Every joint may use its own order.
* The local translation of a joint is its ``OFFSET``; a position channel
  (``Xposition`` ...) *replaces* the matching offset component, on any joint.
  For the root this is the usual global translation.  Files that put six
  channels on every joint (e.g. Bandai-Namco) store the offsets again in the
  non-root position channels, so bones stay rigid.
* ``R_j = R_parent @ R_local_j`` and ``p_j = p_parent + R_parent @ t_j``.
"""

from __future__ import annotations

import os
import re
import warnings
from dataclasses import dataclass, field
from functools import partial
from typing import NamedTuple

import numpy as np

from ..skeleton import layout_from_rig, with_metadata
from ..utils._files import atomic_write, check_writable
from ..utils._parallel import effective_workers, parallel_map

__all__ = ["BVHError", "BVHMotion", "read_bvh", "write_bvh"]

_AXES = "XYZ"
# Canonical channel names, looked up case-insensitively.
_CHANNELS = {
    f"{axis}{kind}".lower(): f"{axis}{kind}"
    for kind in ("position", "rotation")
    for axis in _AXES
}
_FRAMES_RE = re.compile(r"Frames\s*:\s*(\S*)\s*$", re.IGNORECASE)
_FRAME_TIME_RE = re.compile(r"Frame\s+Time\s*:\s*(\S*)\s*$", re.IGNORECASE)


class BVHError(ValueError):
    """A BVH file is malformed.

    The message starts with ``"<file name>, line <n>: "`` (1-based line).

    Attributes
    ----------
    filename : str
        Path of the offending file, as given to :func:`read_bvh`.
    lineno : int
        1-based line number where the problem was detected.
    message : str
        What is wrong, without the file and line.

    Notes
    -----
    It pickles (with its attributes), so an error raised in a joblib, loky or Dask worker reaches the caller
    intact, still naming the file and line.
    """

    def __init__(self, filename, lineno, message):
        self.filename = str(filename)
        self.lineno = lineno
        self.message = message
        super().__init__(f"{os.path.basename(self.filename)}, line {lineno}: {message}")

    def __reduce__(self):
        # The default rebuilds an exception from self.args (the formatted message alone), which does not fit
        # this __init__: unpickling in the parent process would fail with a TypeError instead.
        return type(self), (self.filename, self.lineno, self.message), self.__dict__


# --------------------------------------------------------------------------
# Data model
# --------------------------------------------------------------------------
@dataclass(frozen=True, eq=False, repr=False)
class BVHMotion:
    """A skeleton hierarchy plus per-frame channel values and their FK.

    Joints are stored in hierarchy order (every parent precedes its
    children).  Arrays are read-only, so ``positions`` and ``rotations``
    (computed once, at construction) always match ``motion``.

    Parameters
    ----------
    joint_names : list of str
        Joint names, in hierarchy order.
    parents : array-like of int, shape (n_joints,)
        Parent index of each joint, -1 for a root.
    offsets : array-like, shape (n_joints, 3)
        Offset of each joint from its parent, in the parent's frame.
    channels : list of tuple of str
        Channel names per joint, e.g. ``('Zrotation', 'Xrotation',
        'Yrotation')``; the columns of ``motion`` follow this order.
    motion : array-like, shape (n_frames, n_channels)
        Raw channel values (positions in file units, angles in degrees).
    frame_time : float
        Seconds per frame.
    end_sites : dict of int to ndarray, default={}
        ``End Site`` offsets, keyed by the index of the joint owning them.
    is_end_site : array-like of bool, shape (n_joints,), optional
        Marks joints that were appended for ``End Site`` entries
        (``read_bvh(..., end_sites=True)``); :func:`write_bvh` writes them
        back as ``End Site`` blocks.  Default: all False.
    filename : str, optional
        Source file, if any.

    Attributes
    ----------
    positions : SkeletonArray, shape (n_frames, n_joints, 3)
        World coordinates of every joint, carrying the rig's layout (:attr:`layout`), the frame rate and
        ``y_up=True`` (BVH's convention), so skeleton estimators need none of them restated.
    rotations : ndarray, shape (n_frames, n_joints, 3, 3)
        Global rotation matrix of every joint.

    See Also
    --------
    read_bvh, write_bvh
    """

    joint_names: list
    parents: np.ndarray
    offsets: np.ndarray
    channels: list
    motion: np.ndarray
    frame_time: float
    end_sites: dict = field(default_factory=dict)
    is_end_site: np.ndarray | None = None
    filename: str | None = None
    positions: np.ndarray = field(init=False)
    rotations: np.ndarray = field(init=False)

    def __post_init__(self):
        n = len(self.joint_names)
        parents = _frozen(self.parents, np.intp, (n,))
        offsets = _frozen(self.offsets, float, (n, 3))
        channels = [tuple(_canonical_channel(c) for c in chans) for chans in self.channels]
        motion = _frozen(self.motion, float, None)
        mask = np.zeros(n, bool) if self.is_end_site is None else self.is_end_site
        _check_structure(parents, channels, motion, n)
        values = {
            "joint_names": [str(name) for name in self.joint_names],
            "parents": parents,
            "offsets": offsets,
            "channels": channels,
            "motion": motion,
            "frame_time": float(self.frame_time),
            "end_sites": {int(j): _frozen(o, float, (3,)) for j, o in self.end_sites.items()},
            "is_end_site": _frozen(mask, bool, (n,)),
            "filename": None if self.filename is None else str(self.filename),
        }
        positions, rotations = forward_kinematics(parents, offsets, channels, motion)
        layout = layout_from_rig(None, values["joint_names"], parents)
        values["positions"] = _readonly(with_metadata(positions, layout=layout, frame_rate=1.0 / values["frame_time"],
                                                      y_up=True))
        values["rotations"] = _readonly(rotations)
        for name, value in values.items():
            object.__setattr__(self, name, value)

    @property
    def layout(self):
        """The rig as a :class:`~skemotion.skeleton.SkeletonLayout` (:func:`~skemotion.skeleton.layout_from_rig`)."""
        return self.positions.layout

    @property
    def frame_rate(self):
        """Frames per second, ``1 / frame_time``."""
        return 1.0 / self.frame_time

    @property
    def n_frames(self):
        """Number of frames."""
        return self.motion.shape[0]

    @property
    def n_joints(self):
        """Number of joints (including appended end sites, if any)."""
        return len(self.joint_names)

    def __repr__(self):
        source = os.path.basename(self.filename) if self.filename else "<memory>"
        return (
            f"BVHMotion({source!r}, {self.n_joints} joints, {self.n_frames} frames "
            f"at {self.frame_rate:.4g} fps)"
        )


def _readonly(array):
    array.setflags(write=False)
    return array


def _frozen(values, dtype, shape):
    """Read-only private copy (never freezes the caller's array)."""
    array = np.array(values, dtype=dtype)
    return _readonly(array if shape is None else array.reshape(shape))


def _canonical_channel(name):
    try:
        return _CHANNELS[str(name).lower()]
    except KeyError:
        raise ValueError(f"unknown channel name {name!r}") from None


def _check_structure(parents, channels, motion, n_joints):
    if len(channels) != n_joints:
        raise ValueError(f"got {len(channels)} channel tuples for {n_joints} joints")
    for j, (parent, chans) in enumerate(zip(parents, channels)):
        if not -1 <= parent < j:
            raise ValueError(f"joint {j} has parent {parent}; parents must precede children")
        if len(set(chans)) != len(chans):
            raise ValueError(f"joint {j} repeats a channel: {chans}")
    n_channels = sum(map(len, channels))
    if motion.ndim != 2 or motion.shape[1] != n_channels:
        raise ValueError(f"motion must have shape (n_frames, {n_channels}), got {motion.shape}")


# --------------------------------------------------------------------------
# Forward kinematics
# --------------------------------------------------------------------------
def forward_kinematics(parents, offsets, channels, motion):
    """Global joint positions and rotations from BVH channel values.

    Parameters
    ----------
    parents : ndarray of int, shape (n_joints,)
        Parent indices (-1 for roots); parents must precede children.
    offsets : ndarray, shape (n_joints, 3)
        Joint offsets in the parent's frame.
    channels : list of tuple of str
        Canonical channel names per joint.
    motion : ndarray, shape (n_frames, n_channels)
        Channel values, angles in degrees.

    Returns
    -------
    positions : ndarray, shape (n_frames, n_joints, 3)
    rotations : ndarray, shape (n_frames, n_joints, 3, 3)
    """
    translations = _local_translations(offsets, channels, motion)
    local = _local_rotations(channels, motion)
    n_frames, n_joints = motion.shape[0], len(parents)
    # Joint-major buffers so each joint's slice is contiguous in the loop.
    rot = np.empty((n_joints, n_frames, 3, 3))
    pos = np.empty((n_joints, n_frames, 3))
    for j, parent in enumerate(parents):
        if parent < 0:
            rot[j], pos[j] = local[j], translations[j]
        else:
            np.matmul(rot[parent], local[j], out=rot[j])
            pos[j] = pos[parent] + np.matmul(rot[parent], translations[j][..., None])[..., 0]
    return pos.transpose(1, 0, 2), rot.transpose(1, 0, 2, 3)


def _channel_columns(channels):
    """Column index of every channel, per joint."""
    starts = np.cumsum([0] + [len(c) for c in channels])
    return [range(start, start + len(c)) for start, c in zip(starts, channels)]


def _local_translations(offsets, channels, motion):
    """(n_joints, n_frames, 3): offsets, with position channels substituted."""
    out = np.repeat(offsets[:, None, :], motion.shape[0], axis=1)
    for j, (chans, cols) in enumerate(zip(channels, _channel_columns(channels))):
        for name, col in zip(chans, cols):
            if name.endswith("position"):
                out[j, :, _AXES.index(name[0])] = motion[:, col]
    return out


def _local_rotations(channels, motion):
    """(n_joints, n_frames, 3, 3) local rotation matrices.

    Joints sharing a rotation order are converted in a single scipy call.
    """
    out = np.empty((len(channels), motion.shape[0], 3, 3))
    out[:] = np.eye(3)
    groups = {}  # rotation order -> (joints, angle columns)
    for j, (chans, cols) in enumerate(zip(channels, _channel_columns(channels))):
        rot = [(name[0], col) for name, col in zip(chans, cols) if name.endswith("rotation")]
        if rot:
            order = "".join(axis for axis, _ in rot)
            joints, columns = groups.setdefault(order, ([], []))
            joints.append(j)
            columns.append([col for _, col in rot])
    for order, (joints, columns) in groups.items():
        angles = motion[:, np.array(columns)].transpose(1, 0, 2)  # (n_group, n_frames, len(order))
        out[joints] = euler_to_matrix(order, angles)
    return out


def euler_to_matrix(order, degrees):
    """Rotation matrices of intrinsic Euler angles, as BVH composes them.

    Same result as ``scipy.spatial.transform.Rotation.from_euler(order,
    degrees, degrees=True).as_matrix()`` for upper-case ``order``, but several
    times faster for large batches.

    Parameters
    ----------
    order : str
        Axes in composition order, e.g. ``'ZXY'`` for ``Rz @ Rx @ Ry``.
    degrees : array-like, shape (..., len(order))
        Angles in degrees.

    Returns
    -------
    ndarray, shape (..., 3, 3)
    """
    radians = np.deg2rad(np.asarray(degrees, dtype=float))
    cos, sin = np.cos(radians), np.sin(radians)
    result = None
    for k, axis in enumerate(order.upper()):
        matrix = _axis_rotation(_AXES.index(axis), cos[..., k], sin[..., k])
        result = matrix if result is None else np.matmul(result, matrix)
    return result


def _axis_rotation(axis, cos, sin):
    """Elementary rotations about one coordinate axis, shape cos.shape + (3, 3)."""
    i, j = (axis + 1) % 3, (axis + 2) % 3  # the plane that rotates, right-handed
    out = np.zeros(cos.shape + (3, 3))
    out[..., axis, axis] = 1.0
    out[..., i, i] = out[..., j, j] = cos
    out[..., i, j] = -sin
    out[..., j, i] = sin
    return out


# --------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------
def read_bvh(path, *, end_sites=False):
    """Read a BVH file and compute its forward kinematics.

    Parameters
    ----------
    path : str or path-like
        The ``.bvh`` file.  Line endings may be LF, CRLF or mixed.
    end_sites : bool, default=False
        If True, every ``End Site`` is appended as an extra joint named
        ``<parent>_end`` (no channels), so that ``joint_names``, ``parents``,
        ``offsets`` and ``positions`` include the end effectors.

    Returns
    -------
    BVHMotion
        Hierarchy, raw channel values, and FK ``positions``/``rotations``.
        See the module docstring for the FK conventions (Euler order as
        listed; position channels replace the offset on any joint).

    Raises
    ------
    BVHError
        If the file is malformed (unbalanced braces, unknown channel, missing
        ``MOTION`` section, zero frames, wrong number of values on a frame
        line, non-numeric value, fewer or more frames than declared...).  The
        message names the file and the 1-based line number.

    See Also
    --------
    write_bvh

    Examples
    --------
    A two-joint skeleton whose root turns by 90 degrees about Z in frame 1:

    >>> import pathlib, tempfile
    >>> from skemotion.io import read_bvh
    >>> text = '''HIERARCHY
    ... ROOT hip
    ... {
    ...   OFFSET 0 0 0
    ...   CHANNELS 6 Xposition Yposition Zposition Zrotation Xrotation Yrotation
    ...   JOINT knee
    ...   {
    ...     OFFSET 1 0 0
    ...     CHANNELS 3 Zrotation Xrotation Yrotation
    ...     End Site
    ...     {
    ...       OFFSET 0 -1 0
    ...     }
    ...   }
    ... }
    ... MOTION
    ... Frames: 2
    ... Frame Time: 0.04
    ... 0 0 0 0 0 0 0 0 0
    ... 0 0 5 90 0 0 0 0 0
    ... '''
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = pathlib.Path(tmp) / "tiny.bvh"
    ...     _ = path.write_text(text)
    ...     bvh = read_bvh(path, end_sites=True)
    >>> bvh
    BVHMotion('tiny.bvh', 3 joints, 2 frames at 25 fps)
    >>> bvh.joint_names
    ['hip', 'knee', 'knee_end']
    >>> bvh.positions[1].round(6) + 0.0  # knee offset (1, 0, 0) turned to (0, 1, 0)
    array([[0., 0., 5.],
           [0., 1., 5.],
           [1., 1., 5.]])
    """
    text = _read_text(path)
    lines = text.split("\n")
    parser = _HierarchyParser(path, lines)
    parser.parse()
    header = _parse_motion_header(path, lines, parser.motion_line)
    values = _parse_frames(path, lines, header, sum(map(len, parser.channels)))
    return _build_motion(path, parser, values, header.frame_time, end_sites)


# Parsing holds the GIL (numpy's text reader), so only processes read BVH files in parallel; their start-up
# and the return of every motion to the caller cost more than parsing up to about this much text per worker
# (measured on 2 cores: 40 MB of Bandai-Namco BVH read in 0.9 s serially, 1.5 s on two processes).
MIN_BVH_BYTES_PER_WORKER = 256 * 2**20


def read_bvh_files(paths, *, end_sites=False, n_jobs=None):
    """Read many BVH files, in worker processes only when there is enough text to repay them.

    Parameters
    ----------
    paths : sequence of str or path-like
    end_sites : bool, default=False
        As in :func:`read_bvh`.
    n_jobs : int or None, default=None
        Largest number of worker processes (joblib's convention; a backend chosen with
        ``joblib.parallel_config`` is used as given). Fewer than ``MIN_BVH_BYTES_PER_WORKER`` bytes of files
        per worker run fewer workers, down to a serial loop in this process, so ``n_jobs=2`` is never slower
        than ``n_jobs=1`` for lack of work, and the result is the same.

    Returns
    -------
    motions : list of BVHMotion
        In the order of ``paths``.

    Raises
    ------
    BVHError
        Of the first malformed file, naming it and its line (also when raised in a worker).

    Examples
    --------
    >>> from skemotion.io import read_bvh_files
    >>> read_bvh_files([])
    []
    """
    paths = list(paths)
    n_bytes = sum(os.path.getsize(path) for path in paths if os.path.isfile(path))
    workers = max(1, min(len(paths), effective_workers(n_jobs, n_bytes, MIN_BVH_BYTES_PER_WORKER)))
    return parallel_map(partial(read_bvh, end_sites=end_sites), paths, workers, prefer="processes")


def _read_text(path):
    with open(path, "rb") as fh:
        raw = fh.read()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")  # joint names only; never fails
    # Universal newlines, as text mode would do, but on the whole buffer.
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _build_motion(path, parser, values, frame_time, end_sites):
    names, parents = list(parser.names), list(parser.parents)
    offsets, channels = list(parser.offsets), list(parser.channels)
    is_end = [False] * len(names)
    if end_sites:
        for j, offset in parser.end_sites.items():
            names.append(f"{parser.names[j]}_end")
            parents.append(j)
            offsets.append(offset)
            channels.append(())
            is_end.append(True)
    return BVHMotion(
        joint_names=names,
        parents=np.array(parents, dtype=np.intp),
        offsets=np.array(offsets, dtype=float).reshape(-1, 3),
        channels=channels,
        motion=values,
        frame_time=frame_time,
        end_sites=parser.end_sites,
        is_end_site=np.array(is_end, bool),
        filename=os.fspath(path),
    )


class _HierarchyParser:
    """Recursive-descent parser for the HIERARCHY section.

    Works on a token stream that remembers each token's line, stopping at the
    first line that starts with ``MOTION``.  Joints come out in file order,
    which is the depth-first order of the channel columns.
    """

    def __init__(self, path, lines):
        self.path = path
        self.lines = lines
        self.tokens = []  # (token, 1-based line)
        self.motion_line = None  # 0-based index of the MOTION line
        for i, line in enumerate(lines):
            words = line.split()
            if words and words[0].upper() == "MOTION":
                self.motion_line = i
                break
            self.tokens.extend((word, i + 1) for word in words)
        self.pos = 0
        self.names, self.parents, self.offsets, self.channels = [], [], [], []
        self.end_sites = {}

    # -- token helpers ---------------------------------------------------
    def error(self, message, line=None):
        if line is None:
            line = self.tokens[self.pos][1] if self.pos < len(self.tokens) else self.end_line()
        raise BVHError(self.path, line, message)

    def end_line(self):
        return self.motion_line + 1 if self.motion_line is not None else _last_line(self.lines)

    def peek(self):
        return self.tokens[self.pos][0] if self.pos < len(self.tokens) else None

    def next(self, expected):
        if self.pos >= len(self.tokens):
            where = "MOTION" if self.motion_line is not None else "end of file"
            self.error(f"expected {expected}, reached {where}")
        token, line = self.tokens[self.pos]
        self.pos += 1
        return token, line

    def expect(self, word):
        token, line = self.next(f"'{word}'")
        if token.upper() != word.upper():
            self.error(f"expected '{word}', found '{token}'", line)
        return line

    def rest_of_line(self, line):
        """Tokens following the current one on the same line."""
        out = []
        while self.pos < len(self.tokens) and self.tokens[self.pos][1] == line and self.peek() != "{":
            out.append(self.next("")[0])
        return out

    # -- grammar ------------------------------------------------------------
    def parse(self):
        if not self.tokens and self.motion_line is None:
            self.error("empty file", 1)
        self.expect("HIERARCHY")
        while self.pos < len(self.tokens):
            token, line = self.next("ROOT")
            if token.upper() == "}":
                self.error("unbalanced braces: '}' without a matching '{'", line)
            if token.upper() != "ROOT":
                self.error(f"expected 'ROOT' or 'MOTION', found '{token}'", line)
            self.joint(line, parent=-1)
        if not self.names:
            self.error("no ROOT joint in HIERARCHY")
        if self.motion_line is None:
            self.error("file ends without a MOTION section")
        if not any(self.channels):
            self.error("the hierarchy declares no channels")

    def joint(self, line, parent):
        words = self.rest_of_line(line)
        if not words:
            self.error("joint without a name", line)
        index = len(self.names)
        self.names.append(" ".join(words))
        self.parents.append(parent)
        self.offsets.append(None)
        self.channels.append(None)
        self.open_brace(f"joint '{self.names[index]}'", line)
        while True:
            if self.pos >= len(self.tokens):
                self.error(f"unbalanced braces: joint '{self.names[index]}' from line {line} is never closed")
            token, tline = self.next("'}'")
            key = token.upper()
            if key == "}":
                break
            if key == "OFFSET":
                self.set_once(self.offsets, index, self.offset(tline), "OFFSET", tline)
            elif key == "CHANNELS":
                self.set_once(self.channels, index, self.channel_list(tline), "CHANNELS", tline)
            elif key == "JOINT":
                self.joint(tline, parent=index)
            elif key == "END":
                self.end_site(tline, index)
            elif key == "ROOT":
                self.error("unbalanced braces: ROOT inside an unclosed joint", tline)
            else:
                self.error(f"unexpected '{token}' in joint '{self.names[index]}'", tline)
        for what, store in (("OFFSET", self.offsets), ("CHANNELS", self.channels)):
            if store[index] is None:
                self.error(f"joint '{self.names[index]}' has no {what}", line)

    def open_brace(self, what, line):
        token, bline = self.next(f"'{{' after {what}")
        if token != "{":
            self.error(f"expected '{{' after {what} (line {line}), found '{token}'", bline)

    def set_once(self, store, index, value, what, line):
        if store[index] is not None:
            self.error(f"second {what} for joint '{self.names[index]}'", line)
        store[index] = value

    def end_site(self, line, owner):
        self.expect("Site")
        if owner in self.end_sites:
            self.error(f"second End Site for joint '{self.names[owner]}'", line)
        self.open_brace("End Site", line)
        token, oline = self.next("OFFSET")
        if token.upper() != "OFFSET":
            self.error(f"expected OFFSET in End Site, found '{token}'", oline)
        self.end_sites[owner] = self.offset(oline)
        token, cline = self.next("'}'")
        if token != "}":
            self.error(f"expected '}}' closing End Site, found '{token}'", cline)

    def offset(self, line):
        words = self.rest_of_line(line)
        if len(words) != 3:
            self.error(f"OFFSET needs 3 numbers, found {len(words)}", line)
        return [self.number(w, line, "OFFSET") for w in words]

    def number(self, word, line, what):
        value = _finite_float(word)
        if value is None:
            self.error(f"non-numeric {what} value '{word}'", line)
        return value

    def channel_list(self, line):
        words = self.rest_of_line(line)
        if not words or not words[0].isdigit():
            self.error("CHANNELS must be followed by a channel count", line)
        count, names = int(words[0]), words[1:]
        if len(names) != count:
            self.error(f"CHANNELS declares {count} channels but lists {len(names)}", line)
        try:
            chans = tuple(_canonical_channel(n) for n in names)
        except ValueError as exc:
            self.error(str(exc), line)
        if len(set(chans)) != len(chans):
            self.error(f"repeated channel in {' '.join(names)}", line)
        return chans


class _MotionHeader(NamedTuple):
    n_frames: int
    frame_time: float
    frames_line: int  # 1-based line of "Frames:"
    first: int  # 0-based index of the line after "Frame Time:"


def _parse_motion_header(path, lines, motion_line):
    i = _next_nonblank(lines, motion_line + 1)
    n_frames = _header_value(path, lines, i, _FRAMES_RE, "Frames: <count>", int)
    if n_frames <= 0:
        raise BVHError(path, i + 1, f"the file declares {n_frames} frames; need at least one")
    j = _next_nonblank(lines, i + 1)
    frame_time = _header_value(path, lines, j, _FRAME_TIME_RE, "Frame Time: <seconds>", float)
    if not (np.isfinite(frame_time) and frame_time > 0):
        raise BVHError(path, j + 1, f"frame time must be positive, found {frame_time}")
    return _MotionHeader(n_frames, frame_time, i + 1, j + 1)


def _last_line(lines):
    """1-based number of the last line (a final newline opens no new line)."""
    return max(len(lines) - (lines[-1] == ""), 1)


def _next_nonblank(lines, start):
    while start < len(lines) and not lines[start].strip():
        start += 1
    return start


def _header_value(path, lines, i, pattern, expected, convert):
    if i >= len(lines):
        raise BVHError(path, _last_line(lines), f"file ends before '{expected}'")
    match = pattern.match(lines[i].strip())
    if not match:
        raise BVHError(path, i + 1, f"expected '{expected}', found '{lines[i].strip()[:40]}'")
    try:
        return convert(match.group(1))
    except ValueError:
        raise BVHError(path, i + 1, f"expected '{expected}', found '{match.group(1)}'") from None


def _parse_frames(path, lines, header, n_channels):
    """(n_frames, n_channels) array from the frame lines.

    The fast path hands the whole block to numpy's C parser; only if that
    fails or gives the wrong shape do we scan line by line, which names the
    faulty line.
    """
    block = lines[header.first :]
    if any(line.strip() for line in block):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                values = np.loadtxt(block, dtype=float, comments=None, ndmin=2)
        except ValueError:
            values = None
        if values is not None and values.shape == (header.n_frames, n_channels) and np.isfinite(values).all():
            return values
    return _scan_frames(path, lines, header, n_channels)


def _scan_frames(path, lines, header, n_channels):
    """Line-by-line parse: the frame values, or a BVHError at the first problem."""
    numbered = [(i + 1, line.split()) for i, line in enumerate(lines[header.first :], header.first) if line.strip()]
    rows = []
    for lineno, words in numbered:
        if len(rows) == header.n_frames:
            raise BVHError(
                path, lineno, f"more frame lines than the {header.n_frames} declared in line {header.frames_line}"
            )
        if len(words) != n_channels:
            if lineno == numbered[-1][0] and len(words) < n_channels:
                detail = f" (the last line has only {len(words)} of {n_channels} values)"
                _truncated(path, lineno, len(rows), header, detail)
            raise BVHError(path, lineno, f"expected {n_channels} channel values, found {len(words)}")
        rows.append([_frame_value(path, lineno, c, word) for c, word in enumerate(words)])
    if len(rows) < header.n_frames:
        _truncated(path, numbered[-1][0] if numbered else header.first, len(rows), header)
    return np.array(rows, dtype=float)


def _frame_value(path, lineno, column, word):
    value = _finite_float(word)
    if value is None:
        raise BVHError(path, lineno, f"non-numeric value '{word}' (channel {column + 1})")
    return value


def _finite_float(word):
    """float(word), or None for text that is not a finite number (nan, inf...)."""
    try:
        value = float(word)
    except ValueError:
        return None
    return value if np.isfinite(value) else None


def _truncated(path, lineno, complete, header, detail=""):
    message = f"file ends after {complete} of {header.n_frames} frames declared in line {header.frames_line}"
    raise BVHError(path, lineno, message + detail)


# --------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------
def write_bvh(path, motion, *, precision=10):
    """Write a :class:`BVHMotion` to a BVH file, atomically.

    What this writes, :func:`read_bvh` reads back to the same joints in the same order, the same channels
    and the same values within the written precision. Everything that would break that is refused before
    the file is touched: NaN or infinite values, joint names that are empty or would break the file's syntax
    (whitespace, braces, unprintable characters), a precision outside 1 to 17, a motion without frames or
    without channels.
    The file is written to a temporary file in the same folder and moved over ``path`` only when complete,
    so a failure leaves an existing file as it was.

    Parameters
    ----------
    path : str or path-like
        Destination file (replaced). Its folder must exist.
    motion : BVHMotion
        What to write.  Joints flagged in ``motion.is_end_site`` are not
        written as joints; ``motion.end_sites`` become ``End Site`` blocks.
        Joints are written depth first (each joint right after its parent's
        earlier children), which is the order :func:`read_bvh` returns.
    precision : int, default=10
        Significant digits of the frame values (``%.{precision}g``), so a
        round trip changes a value ``x`` by at most ``0.5 * 10**(1 - precision) * |x|``.
        The default keeps 10 significant digits: a relative error below
        ``5e-10`` (at most ``5e-7`` file units on values up to 1000), and small
        values such as ``5.1e-06`` keep all their digits; 17 writes every
        double exactly.  Offsets and the frame time are always
        written exactly (shortest round-trip repr).

    Raises
    ------
    ValueError
        If ``motion`` cannot be written as a BVH file that reads back the same (see above); the message
        names the joint, frame and channel at fault.
    OSError
        If ``path`` cannot be written (missing folder, a folder, no permission), before anything is written.

    See Also
    --------
    read_bvh

    Examples
    --------
    >>> import pathlib, tempfile
    >>> import numpy as np
    >>> from skemotion.io import BVHMotion, read_bvh, write_bvh
    >>> arm = BVHMotion(
    ...     joint_names=["shoulder", "elbow"], parents=[-1, 0],
    ...     offsets=[[0, 0, 0], [0, 2, 0]],
    ...     channels=[("Xposition", "Yposition", "Zposition", "Yrotation"), ("Xrotation",)],
    ...     motion=np.array([[0, 0, 0, 0, 0], [1, 0, 5.1e-06, 0, 90]]), frame_time=1 / 30,
    ...     end_sites={1: [0, 1, 0]})
    >>> with tempfile.TemporaryDirectory() as tmp:
    ...     path = pathlib.Path(tmp) / "arm.bvh"
    ...     write_bvh(path, arm)
    ...     again = read_bvh(path)
    >>> again.channels
    [('Xposition', 'Yposition', 'Zposition', 'Yrotation'), ('Xrotation',)]
    >>> again.motion[1, 2]
    np.float64(5.1e-06)
    >>> np.allclose(again.positions, arm.positions)
    True
    """
    if not isinstance(motion, BVHMotion):
        raise TypeError(f"write_bvh writes a BVHMotion, got {type(motion).__name__}")
    precision = _check_precision(precision)
    keep = ~motion.is_end_site
    children = [[] for _ in motion.joint_names]
    for j, parent in enumerate(motion.parents):
        if parent >= 0 and keep[j]:
            children[parent].append(j)
    out = ["HIERARCHY"]
    order = []  # joints in written (depth-first) order = column order
    for root in np.flatnonzero((motion.parents < 0) & keep):
        _write_joint(out, motion, children, int(root), 0, order)
    _check_writable_motion(motion, order)
    _check_representable(motion, precision)
    columns = _channel_columns(motion.channels)
    values = motion.motion[:, [c for j in order for c in columns[j]]]
    out += ["MOTION", f"Frames: {motion.n_frames}", f"Frame Time: {_exact(motion.frame_time)}"]
    check_writable(path)  # before any formatting work
    with atomic_write(path, "w", newline="\n") as fh:
        fh.write("\n".join(out) + "\n")
        _write_frames(fh, values, precision)


def _write_frames(fh, values, precision):
    np.savetxt(fh, values, fmt=f"%.{precision}g", delimiter=" ")


def _check_precision(precision):
    # 17 significant digits already write every double exactly; 0 would write nothing readable.
    if isinstance(precision, bool) or not isinstance(precision, (int, np.integer)) or not 1 <= precision <= 17:
        raise ValueError(f"precision must be an integer from 1 to 17 (significant digits), got {precision!r}")
    return int(precision)


def _check_joint_name(name, j):
    bad = [c for c in name if c.isspace() or c in "{}" or not c.isprintable()]
    if not name or bad:
        what = "is empty" if not name else f"contains {''.join(dict.fromkeys(bad))!r}"
        raise ValueError(
            f"joint {j} name {name!r} {what}; read_bvh could not read it back (names must be non-empty, "
            f"without whitespace or braces)"
        )


def _check_writable_motion(motion, order):
    """Refuse what read_bvh would refuse or read back differently."""
    if not order:
        raise ValueError("the motion has no joint to write (every joint is an end site)")
    if motion.n_frames == 0:
        raise ValueError("the motion has no frames; a BVH file needs at least one")
    if not any(motion.channels[j] for j in order):
        raise ValueError("no joint has a channel; a BVH file needs at least one value per frame")
    if not (np.isfinite(motion.frame_time) and motion.frame_time > 0):
        raise ValueError(f"frame_time must be a positive number, got {motion.frame_time}")
    for j in order:
        _check_joint_name(motion.joint_names[j], j)
        for what, vector in (("OFFSET", motion.offsets[j]), ("End Site OFFSET", motion.end_sites.get(j))):
            if vector is not None and not np.isfinite(vector).all():
                raise ValueError(f"joint {motion.joint_names[j]!r} has a non-finite {what} {vector.tolist()}")
    bad = np.argwhere(~np.isfinite(motion.motion))
    if len(bad):
        frame, column = bad[0]
        joint, channel = _column_owner(motion.channels, column)
        raise ValueError(
            f"motion value {motion.motion[frame, column]} at frame {frame}, joint "
            f"{motion.joint_names[joint]!r} {channel} ({len(bad)} non-finite values in all); "
            "a BVH file holds finite numbers only"
        )


def _check_representable(motion, precision):
    """Refuse a value that rounds, at ``precision`` digits, beyond the largest double: the reader would read
    ``inf`` (1.7976931348623157e308 at 10 digits is 1.797693135e+308). Only values above 1e308 can."""
    for frame, column in np.argwhere(np.abs(motion.motion) > 1e308):
        value = motion.motion[frame, column]
        if np.isinf(float(f"%.{precision}g" % value)):
            joint, channel = _column_owner(motion.channels, column)
            raise ValueError(f"motion value {value!r} at frame {frame}, joint {motion.joint_names[joint]!r} "
                             f"{channel} rounds to {f'%.{precision}g' % value}, beyond the float range, at "
                             f"precision={precision}; write it with precision=17 (exact) or rescale it")


def _column_owner(channels, column):
    for j, chans in enumerate(channels):
        if column < len(chans):
            return j, chans[column]
        column -= len(chans)
    raise IndexError(column)


def _write_joint(out, motion, children, j, depth, order):
    pad = "\t" * depth
    order.append(j)
    keyword = "ROOT" if motion.parents[j] < 0 else "JOINT"
    chans = motion.channels[j]
    out += [
        f"{pad}{keyword} {motion.joint_names[j]}",
        f"{pad}{{",
        f"{pad}\tOFFSET {_vector(motion.offsets[j])}",
        f"{pad}\tCHANNELS {len(chans)}{''.join(' ' + c for c in chans)}",
    ]
    for child in children[j]:
        _write_joint(out, motion, children, child, depth + 1, order)
    if j in motion.end_sites:
        out += [f"{pad}\tEnd Site", f"{pad}\t{{", f"{pad}\t\tOFFSET {_vector(motion.end_sites[j])}", f"{pad}\t}}"]
    out.append(f"{pad}}}")


def _exact(value):
    """Shortest text that parses back to the same float (no '-0.0' noise)."""
    return repr(float(value) + 0.0)


def _vector(values):
    return " ".join(_exact(v) for v in values)
