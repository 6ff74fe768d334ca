"""Loader for the Bandai-Namco-Research-Motiondataset-1 and -2 (motion capture of walking/gesturing in styles).

Both data sets of the repository share one layout: ``data/dataset-N_{content}_{style}_{id}.bvh`` with a
``.json`` of ``{"content": i, "style": j}`` beside each, and the names in ``cfg/content_label.txt`` and
``cfg/style_label.txt`` (one ``dataset-N_<name>`` a line, no newline after the last). They differ in the
styles, the contents and the number of takes; the loader reads which one a folder holds from its cfg files.
"""

import json
import re
from pathlib import Path

import numpy as np
from sklearn.utils import Bunch

from ..io import read_bvh_files
from ..skeleton import COMMON_LAYOUT, convert_layout, get_layout, layout_from_rig, with_metadata

#: The styles of dataset-1 that carry an emotion (its other styles are characters: childish, giant, ...).
EMOTIONAL_STYLES = ("normal", "happy", "sad", "angry", "proud", "not-confident", "tired")

_REFERENCE = """Kobayashi et al. (2023), "Motion Capture Dataset for Practical Use of AI-based Motion Editing and
Stylization", arXiv:2306.08861. Licence: CC BY-NC 4.0
(https://github.com/BandaiNamcoResearchInc/Bandai-Namco-Research-Motiondataset)."""

_DESCR = {
    1: f"""Bandai-Namco-Research-Motiondataset-1
-------------------------------------
{_REFERENCE} BVH motion capture at 30 fps of professional actors performing 17
contents (walk, run, bow, ...) in 15 styles (normal, happy, sad, angry, proud, ...): 175 clips.
``target`` holds the style of each clip, ``groups`` its content.
""",
    2: f"""Bandai-Namco-Research-Motiondataset-2
-------------------------------------
{_REFERENCE} BVH motion capture at 30 fps, 2,902 clips (384,931 frames) of 10 contents
(walk, walk-turn-left/right, run, wave-both/left/right-hand, raise-up-both/left/right-hand) in 7 styles
(active, elderly, exhausted, feminine, masculine, normal, youthful), each style a single, uniform expression
with many takes per content. ``target`` holds the style of each clip, ``groups`` its content.
""",
}

# The names the repository gives each data set's folder (dataset/<name>/ in a clone).
_FOLDERS = {1: "Bandai-Namco-Research-Motiondataset-1", 2: "Bandai-Namco-Research-Motiondataset-2"}


def _labels(cfg_file, dataset):
    """Label names of cfg/{content,style}_label.txt without their "dataset-N_" prefix, in index order.

    The published files end without a newline; a line of another data set's prefix is named, since it
    means the files of two data sets were mixed.
    """
    try:
        lines = [line.strip() for line in cfg_file.read_text().splitlines() if line.strip()]
    except UnicodeDecodeError as error:
        raise ValueError(f"{cfg_file} is not a Bandai-Namco label table ({error}).") from None
    names = []
    for line in lines:
        prefix, _, name = line.partition("_")
        if prefix != f"dataset-{dataset}" or not name:
            raise ValueError(f"{cfg_file}: line {line!r} is not a dataset-{dataset} label "
                             f"('dataset-{dataset}_<name>').")
        names.append(name)
    return names


def _detect(cfg_file):
    """The data set number a folder's cfg/style_label.txt names (its lines start with "dataset-N_")."""
    try:
        first = cfg_file.read_text().split(maxsplit=1)[:1]
    except UnicodeDecodeError as error:
        raise ValueError(f"{cfg_file} is not a Bandai-Namco label table ({error}).") from None
    prefix = first[0].partition("_")[0] if first else ""
    number = prefix.removeprefix("dataset-")
    if not number.isdigit() or int(number) not in _FOLDERS:
        raise ValueError(f"{cfg_file} names no Bandai-Namco data set (its lines should start with 'dataset-1_' "
                         "or 'dataset-2_'); pass dataset=1 or dataset=2.")
    return int(number)


def _dataset_folder(root, dataset):
    """The data set folder (data/ and cfg/) and its number, from a data set folder or a repository clone.

    A clone (``dataset/Bandai-Namco-Research-Motiondataset-{1,2}/``) holds both data sets: ``dataset`` says
    which, and is required when both are there.
    """
    if dataset not in (None, 1, 2):
        raise ValueError(f"dataset must be 1, 2 or None (detected from the folder), got {dataset!r}.")
    if not ((root / "data").is_dir() and (root / "cfg").is_dir()):
        inner = [(n, base / name) for base in (root / "dataset", root) for n, name in _FOLDERS.items()
                 if (base / name / "data").is_dir() and (base / name / "cfg").is_dir()]
        if dataset is not None:
            inner = [(n, folder) for n, folder in inner if n == dataset]
        if len(inner) > 1:
            raise ValueError(f"{root} holds both Bandai-Namco data sets ({inner[0][1]} and {inner[1][1]}); "
                             "pass dataset=1 or dataset=2.")
        if not inner:
            raise FileNotFoundError(f"{root} is not a Bandai-Namco dataset folder (expected data/ and cfg/ "
                                    "inside, or a clone of the repository with dataset/"
                                    "Bandai-Namco-Research-Motiondataset-{1,2}/).")
        root = inner[0][1]
    detected = _detect(root / "cfg" / "style_label.txt")
    if dataset is not None and dataset != detected:
        raise ValueError(f"{root / 'cfg' / 'style_label.txt'} is dataset-{detected}'s, not dataset-{dataset}'s.")
    return root, detected


def _clip_labels(label_file, style_names, content_names, dataset):
    """Style and content names of one clip's ``.json``; a corrupt file or an index outside the tables is named.

    The file name repeats the labels (``dataset-N_{content}_{style}_{id}``); a name that disagrees with its
    json is named too, since one of the two is wrong.
    """
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
    style, content = names
    if not re.fullmatch(rf"dataset-{dataset}_{re.escape(content)}_{re.escape(style)}_\d+", label_file.stem):
        raise ValueError(f"{label_file}: its labels (content {content!r}, style {style!r}) disagree with its "
                         f"name, which should be 'dataset-{dataset}_{content}_{style}_<id>.json'.")
    return style, content


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


def load_bandai_namco(path, styles=None, contents=None, *, dataset=None, layout="bvh", n_jobs=None):
    """Load a Bandai-Namco motion data set, 1 or 2 (BVH clips labelled by style and content).

    Every clip is read with :func:`skemotion.io.read_bvh`, so positions come from real forward
    kinematics. Labels come from each clip's ``.json`` file and the names in ``cfg/``.

    Parameters
    ----------
    path : str or Path
        Dataset folder holding ``data/*.bvh``, ``data/*.json`` and ``cfg/{content,style}_label.txt``
        (``Bandai-Namco-Research-Motiondataset-1`` or ``-2``), or a clone of the repository (its
        ``dataset/`` folder holds both; then ``dataset`` says which).
    styles : str, list of str or None, default=None
        Styles to keep (e.g. :data:`EMOTIONAL_STYLES` for dataset-1; dataset-2 has active, elderly,
        exhausted, feminine, masculine, normal and youthful), ``None`` for all.
    contents : str, list of str or None, default=None
        Contents to keep (e.g. ``["walk", "run"]``), ``None`` for all, or ``"shared"`` for the contents
        performed in every selected style (so that no content gives a style away: ``normal`` alone has
        ``kick``, ``punch`` ...).
    dataset : {1, 2} or None, default=None
        Which data set; ``None`` reads it from the ``dataset-N_`` prefix of ``cfg/style_label.txt``. Required
        only for a repository clone, which holds both.
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
    >>> walks = load_bandai_namco("Bandai-Namco-Research-Motiondataset", dataset=2, styles="elderly",
    ...                           contents="walk")  # doctest: +SKIP
    >>> len(walks.data), walks.frame_rate  # doctest: +SKIP
    (17, 30.00003...)
    """
    if layout not in ("bvh", COMMON_LAYOUT):
        raise ValueError(f"layout must be 'bvh' or {COMMON_LAYOUT!r}, got {layout!r}.")
    root, dataset = _dataset_folder(Path(path), dataset)
    content_names = _labels(root / "cfg" / "content_label.txt", dataset)
    style_names = _labels(root / "cfg" / "style_label.txt", dataset)
    keep_styles = _select(styles, style_names, "styles")
    keep_contents = _select(None if contents == "shared" else contents, content_names, "contents")
    _check_pairs(root / "data")

    files, target, groups = [], [], []
    for label_file in sorted((root / "data").glob("*.json")):
        style, content = _clip_labels(label_file, style_names, content_names, dataset)
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
        DESCR=_DESCR[dataset],
    )


def _check_pairs(data):
    """Every clip is a ``.bvh`` with its ``.json``; one without the other is named (a partial copy)."""
    bvh, labels = ({p.stem for p in data.glob(f"*.{ext}")} for ext in ("bvh", "json"))
    for stem in sorted(bvh ^ labels):
        missing = "json" if stem in bvh else "bvh"
        raise FileNotFoundError(f"{data / stem}.{missing} is missing: every clip of a Bandai-Namco data set is a "
                                ".bvh with a .json of its labels beside it.")


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
