"""Loader for 100STYLE (Mason et al. 2022): one performer's locomotion in 100 styles, BVH at 60 fps.

The published folder: ``Frame_Cuts.csv`` and ``Dataset_List.csv`` at the top, one folder per style holding
``<Style>_<CONTENT>.bvh`` for the contents BR, BW, FR, FW (backwards / forwards run and walk), ID (idle),
SR, SW (sidestep run and walk) and TR1-TR3 (transitions). ``Frame_Cuts.csv`` has one row per style,
``STYLE_NAME`` then ``<CONTENT>_START`` and ``<CONTENT>_STOP`` per content, empty where the style lacks that
content; the frames outside [START, STOP] are the T-pose and padding, so they are cut. The frame numbers are
those of the authors' exporter (AI4Animation), which numbers frames from 1 and includes both ends.
"""

import csv
from pathlib import Path

import numpy as np
from sklearn.utils import Bunch

from ..io import read_bvh_files
from ..skeleton import COMMON_LAYOUT, convert_layout, get_layout, layout_from_rig, with_metadata
from ._bandai import _common_frame_rate

#: The contents of 100STYLE, in the column order of ``Frame_Cuts.csv``.
CONTENTS_100STYLE = ("BR", "BW", "FR", "FW", "ID", "SR", "SW", "TR1", "TR2", "TR3")

_DESCR = """100STYLE
--------
Mason, Starke and Komura (2022), "Real-Time Style Modelling of Human Locomotion via Feature-Wise
Transformations and Local Motion Phases", Proc. ACM Comput. Graph. Interact. Tech. 5(1). Licence: CC BY 4.0
(https://www.ianxmason.com/100style/). One performer, 100 locomotion styles (Angry, Depressed, Elated, Proud,
Old, Zombie, ...), each in up to ten contents: BR, BW, FR, FW (backwards / forwards run and walk), ID (idle),
SR, SW (sidestep run and walk), TR1-TR3 (transitions). BVH motion capture at 60 fps, about 4 million frames.

``target`` holds the style of each clip, ``groups`` its content (leave-one-content-out keeps a content's
clips out of training), ``descriptions`` the style's line of ``Dataset_List.csv``. Frames outside each
content's [START, STOP] in ``Frame_Cuts.csv`` (1-based, both included) are cut.
"""


def load_100style(path, styles=None, contents=None, *, layout="bvh", n_jobs=None):
    """Load 100STYLE clips labelled by style and content, cut to their ``Frame_Cuts.csv`` frames.

    Parameters
    ----------
    path : str or Path
        The data set folder: ``Frame_Cuts.csv``, ``Dataset_List.csv`` and one folder per style.
    styles : str, list of str or None, default=None
        Styles to keep (names as in ``STYLE_NAME``), ``None`` for all.
    contents : str, list of str or None, default=None
        Contents to keep (from :data:`CONTENTS_100STYLE`), ``None`` for all.
    layout : {"bvh", "body16"}, default="bvh"
        ``"bvh"`` keeps every joint of the rig; ``"body16"`` maps them onto the common body layout.
    n_jobs : int or None, default=None
        Largest number of processes reading files (joblib); fewer where there is too little text to repay
        them (see :func:`skemotion.io.read_bvh_files`).

    Returns
    -------
    data : Bunch
        ``data`` (list of (n_frames_i, n_joints, 3) :class:`~skemotion.skeleton.SkeletonArray`, y up, the
        frame rate read from each file's header), ``target`` (styles), ``groups`` (contents),
        ``filenames``, ``frames`` ((n_clips, 2) 1-based first and last frame kept), ``descriptions``,
        ``frame_rate``, ``joint_names``, ``parents``, ``layout`` and ``DESCR``.

    Examples
    --------
    >>> from skemotion.datasets import load_100style
    >>> clips = load_100style("100STYLE", styles=["Angry", "Neutral"], contents="FW")  # doctest: +SKIP
    >>> clips.frame_rate, sorted(set(clips.target))  # doctest: +SKIP
    (60.0, ['Angry', 'Neutral'])
    """
    root = Path(path)
    if not root.is_dir():
        raise FileNotFoundError(f"100STYLE folder not found: {root}.")
    if layout not in ("bvh", COMMON_LAYOUT):
        raise ValueError(f"layout must be 'bvh' or {COMMON_LAYOUT!r}, got {layout!r}.")
    cuts = _frame_cuts(root / "Frame_Cuts.csv")
    descriptions = _descriptions(root / "Dataset_List.csv")
    keep_styles = _select(styles, list(cuts), "styles")
    keep_contents = _select(contents, CONTENTS_100STYLE, "contents")

    clips = [
        (root / style / f"{style}_{content}.bvh", style, content, span)
        for style, spans in cuts.items() if style in keep_styles
        for content, span in spans.items() if content in keep_contents
    ]
    if not clips:
        raise ValueError(f"No clip of {root} matches styles={styles!r} and contents={contents!r}.")
    for file, *_ in clips:
        if not file.is_file():
            raise FileNotFoundError(f"{file} is listed in {root / 'Frame_Cuts.csv'} but missing.")

    motions = read_bvh_files([file for file, *_ in clips], n_jobs=n_jobs)
    frame_rate = _common_frame_rate(motions)
    rig = layout_from_rig(None, motions[0].joint_names, motions[0].parents)
    data = []
    for motion, (file, _, _, (start, stop)) in zip(motions, clips):
        if tuple(motion.joint_names) != rig.joint_names:
            raise ValueError(f"{file} has a different rig from {motions[0].filename}.")
        if stop > len(motion.positions):
            raise ValueError(
                f"{file} has {len(motion.positions)} frames but Frame_Cuts.csv keeps frames {start}-{stop}."
            )
        data.append(motion.positions[start - 1: stop])
    if layout == COMMON_LAYOUT:
        if rig.common_map is None:
            raise ValueError(f"The rig of {clips[0][0]} has no map onto the common layout; use layout='bvh'.")
        data, rig = [convert_layout(x, rig) for x in data], get_layout(COMMON_LAYOUT)
    data = [with_metadata(x, layout=rig, frame_rate=frame_rate, y_up=True) for x in data]
    return Bunch(
        data=data,
        target=np.array([style for _, style, _, _ in clips]),
        groups=np.array([content for _, _, content, _ in clips]),
        filenames=[str(file) for file, *_ in clips],
        frames=np.array([span for *_, span in clips], dtype=int).reshape(-1, 2),
        descriptions=np.array([descriptions.get(style, "") for _, style, _, _ in clips]),
        frame_rate=frame_rate,
        joint_names=list(rig.joint_names),
        parents=np.array(rig.parents),
        layout=rig,
        DESCR=_DESCR,
    )


def _select(requested, available, kind):
    if requested is None:
        return set(available)
    requested = [requested] if isinstance(requested, str) else list(requested)
    unknown = sorted(set(requested) - set(available))
    if unknown:
        raise ValueError(f"Unknown {kind} {unknown}; available: {sorted(set(available))}.")
    return set(requested)


def _read_csv(file):
    if not file.is_file():
        raise FileNotFoundError(f"100STYLE file not found: {file}.")
    try:
        with file.open(newline="", encoding="utf-8-sig") as handle:
            return list(csv.DictReader(handle))
    except (UnicodeDecodeError, csv.Error) as error:
        raise ValueError(f"{file} is not a readable CSV file ({error}).") from None


def _frame_cuts(file):
    """{style: {content: (start, stop)}} from Frame_Cuts.csv, skipping the contents a style lacks."""
    rows = _read_csv(file)
    columns = ["STYLE_NAME"] + [f"{c}_{end}" for c in CONTENTS_100STYLE for end in ("START", "STOP")]
    missing = [c for c in columns if not rows or c not in rows[0]]
    if missing:
        raise ValueError(f"{file} lacks the columns {missing} of 100STYLE's Frame_Cuts.csv.")
    cuts = {}
    for line, row in enumerate(rows, start=2):
        style = (row["STYLE_NAME"] or "").strip()
        if not style:
            raise ValueError(f"{file}, line {line}: empty STYLE_NAME.")
        spans = {}
        for content in CONTENTS_100STYLE:
            start, stop = (row[f"{content}_START"] or "").strip(), (row[f"{content}_STOP"] or "").strip()
            if not start and not stop:
                continue  # this style has no such content
            try:
                span = (int(float(start)), int(float(stop)))
            except ValueError:
                raise ValueError(
                    f"{file}, line {line}: {content}_START/{content}_STOP of {style} are {start!r}, {stop!r}; "
                    "expected frame numbers (or both empty)."
                ) from None
            if not 1 <= span[0] <= span[1]:
                raise ValueError(f"{file}, line {line}: {content} of {style} keeps frames {span[0]}-{span[1]}.")
            spans[content] = span
        cuts[style] = spans
    return cuts


def _descriptions(file):
    rows = _read_csv(file)
    if not rows or "Style Name" not in rows[0]:
        raise ValueError(f"{file} lacks the 'Style Name' column of 100STYLE's Dataset_List.csv.")
    return {(row["Style Name"] or "").strip(): (row.get("Description") or "").strip() for row in rows}
