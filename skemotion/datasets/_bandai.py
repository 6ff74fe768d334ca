"""Loader for the Bandai-Namco-Research-Motiondataset-1 (motion capture of walking/gesturing in styles)."""

import json
from pathlib import Path

import numpy as np
from sklearn.utils import Bunch

from ..io import read_bvh_files
from ..skeleton import COMMON_LAYOUT, convert_layout, get_layout, layout_from_rig, with_metadata

EMOTIONAL_STYLES = ("normal", "happy", "sad", "angry", "proud", "not-confident", "tired")

_DESCR = """Bandai-Namco-Research-Motiondataset-1
------------------------------------
Kobayashi et al. (2023), "Motion Capture Dataset for Practical Use of AI-based Motion Editing and
Stylization", arXiv:2306.08861. Licence: CC BY-NC 4.0. BVH motion capture at 30 fps of professional actors
performing contents (walk, run, bow, ...) in styles (normal, happy, sad, angry, proud, ...).
``target`` holds the style of each clip, ``groups`` its content.
"""


def _labels(cfg_file):
    """Label names of cfg/{content,style}_label.txt without the "dataset-1_" prefix, in index order."""
    lines = [line.strip() for line in cfg_file.read_text().splitlines() if line.strip()]
    return [line.split("_", 1)[1] if line.startswith("dataset-") else line for line in lines]


def _clip_labels(label_file, style_names, content_names):
    """Style and content names of one clip's ``.json``; a corrupt file or an index outside the tables is named."""
    try:
        label = json.loads(label_file.read_text())
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise ValueError(f"{label_file} is not a valid label file ({error}).") from None
    names = []
    for key, table, table_file in (("style", style_names, "style_label.txt"),
                                   ("content", content_names, "content_label.txt")):
        index = label.get(key) if isinstance(label, dict) else None
        if isinstance(index, bool) or not isinstance(index, int):
            raise ValueError(f"{label_file}: expected an integer {key!r} label, found {index!r}.")
        if not 0 <= index < len(table):
            raise ValueError(f"{label_file}: {key} label {index} is outside cfg/{table_file}, "
                             f"which names {len(table)} {key}s (0..{len(table) - 1}).")
        names.append(table[index])
    return tuple(names)


def _select(requested, available, kind):
    if requested is None:
        return set(available)
    requested = [requested] if isinstance(requested, str) else list(requested)
    unknown = sorted(set(requested) - set(available))
    if unknown:
        raise ValueError(f"Unknown {kind} {unknown}; available: {sorted(set(available))}.")
    return set(requested)


def _shared_contents(files, target, groups):
    """Keep the clips whose content is performed in every style present."""
    styles = set(target)
    shared = {c for c in set(groups) if {t for t, g in zip(target, groups) if g == c} == styles}
    kept = [(f, t, g) for f, t, g in zip(files, target, groups) if g in shared]
    return tuple(map(list, zip(*kept))) if kept else ([], [], [])


def load_bandai_namco(path, styles=None, contents=None, *, layout="bvh", n_jobs=None):
    """Load the Bandai-Namco motion dataset (BVH clips labelled by style and content).

    Every clip is read with :func:`skemotion.io.read_bvh`, so positions come from real forward
    kinematics. Labels come from each clip's ``.json`` file and the names in ``cfg/``.

    Parameters
    ----------
    path : str or Path
        Dataset folder holding ``data/*.bvh``, ``data/*.json`` and ``cfg/{content,style}_label.txt``.
    styles : str, list of str or None, default=None
        Styles to keep (e.g. :data:`EMOTIONAL_STYLES`), ``None`` for all.
    contents : str, list of str or None, default=None
        Contents to keep (e.g. ``["walk", "run"]``), ``None`` for all, or ``"shared"`` for the contents
        performed in every selected style (so that no content gives a style away: ``normal`` alone has
        ``kick``, ``punch`` ...).
    layout : {"bvh", "body16"}, default="bvh"
        ``"bvh"`` keeps every joint of the motion-capture rig; ``"body16"`` maps them onto the common
        body layout shared with skeletons from video.
    n_jobs : int or None, default=None
        Largest number of processes reading files (joblib); fewer where there is too little text to repay
        them (see :func:`skemotion.io.read_bvh_files`).

    Returns
    -------
    data : Bunch
        ``data`` (list of (n_frames_i, n_joints, 3) :class:`~skemotion.skeleton.SkeletonArray`, centimetres,
        y up, each carrying its layout and frame rate, so that skeleton estimators read them from the data),
        ``target`` (style names),
        ``groups`` (content names), ``filenames``, ``frame_rate``, ``joint_names``, ``parents``, ``layout``
        (a :class:`~skemotion.skeleton.SkeletonLayout`) and ``DESCR``.

    Examples
    --------
    >>> from skemotion.datasets import load_bandai_namco
    >>> bunch = load_bandai_namco("../shared/data/bandai-namco-1", styles=["happy", "sad"],
    ...                           contents="walk", layout="body16")  # doctest: +SKIP
    >>> len(bunch.data), bunch.data[0].shape[1:]  # doctest: +SKIP
    (4, (16, 3))
    """
    root = Path(path)
    if not (root / "data").is_dir() or not (root / "cfg").is_dir():
        raise FileNotFoundError(f"{root} is not a Bandai-Namco dataset folder (expected data/ and cfg/ inside).")
    if layout not in ("bvh", COMMON_LAYOUT):
        raise ValueError(f"layout must be 'bvh' or {COMMON_LAYOUT!r}, got {layout!r}.")
    content_names, style_names = _labels(root / "cfg" / "content_label.txt"), _labels(root / "cfg" / "style_label.txt")
    keep_styles = _select(styles, style_names, "styles")
    keep_contents = _select(None if contents == "shared" else contents, content_names, "contents")

    files, target, groups = [], [], []
    for label_file in sorted((root / "data").glob("*.json")):
        style, content = _clip_labels(label_file, style_names, content_names)
        if style in keep_styles and content in keep_contents:
            files.append(label_file.with_suffix(".bvh"))
            target.append(style)
            groups.append(content)
    if contents == "shared":
        files, target, groups = _shared_contents(files, target, groups)
    if not files:
        raise ValueError(f"No clip of {root} matches styles={styles!r} and contents={contents!r}.")

    motions = read_bvh_files(files, n_jobs=n_jobs)
    rig = layout_from_rig("bandai_namco", motions[0].joint_names, motions[0].parents)
    frame_rate = _common_frame_rate(motions)
    for motion in motions:
        if tuple(motion.joint_names) != rig.joint_names:
            raise ValueError(f"{motion.filename} has a different rig from {motions[0].filename}.")
    data = [m.positions for m in motions]
    if layout == COMMON_LAYOUT:
        data, rig = [convert_layout(x, rig) for x in data], get_layout(COMMON_LAYOUT)
    data = [with_metadata(x, layout=rig, frame_rate=frame_rate, y_up=True, units="cm") for x in data]
    return Bunch(
        data=data,
        target=np.array(target),
        groups=np.array(groups),
        filenames=[str(f) for f in files],
        frame_rate=frame_rate,
        joint_names=list(rig.joint_names),
        parents=np.array(rig.parents),
        layout=rig,
        DESCR=_DESCR,
    )


def _common_frame_rate(motions):
    """The frame rate every clip shares; clips that disagree are named, never averaged or relabelled."""
    first = motions[0]
    for motion in motions[1:]:
        if not np.isclose(motion.frame_rate, first.frame_rate, rtol=1e-6):
            raise ValueError(
                f"{motion.filename} is at {motion.frame_rate:g} fps but {first.filename} at {first.frame_rate:g}; "
                "load them separately and bring them to one rate with SkeletonNormalizer(frame_rate=...)."
            )
    return first.frame_rate
