"""Loader for person-box emotion annotations of videos in the EiLA format (the PosEmotion research).

The CSV has one row per annotated frame and person, with the columns ``Video Tag`` (the video's YouTube id,
the file ``<tag>.mp4`` in the video folder), ``Clip Id`` (a clip of that video), ``Labels`` (a Python
literal: one list of labels per annotator, e.g. ``[['Happy'], ['Happy', 'Sad'], 'No annotation']``),
``Frame Number`` (0-based; EiLA samples every 6th frame), ``X``, ``Y`` (the top-left corner of the
person's box) and ``Width``, ``Height``, all in percent of the frame's width and height, and ``Person Id``
(unique within a video's clip). Its quirks, all handled here: ``Labels`` is a Python repr with single
quotes (not JSON); an annotator who gave no label appears as the string ``'No annotation'`` in place of a
list, and a whole cell may read ``No annotation``; files written by pandas may begin with an index column
(extra columns are ignored) or a byte-order mark.
"""

import ast
import csv
import math
from collections import Counter
from pathlib import Path

import numpy as np
from sklearn.utils import Bunch

from ..io import VideoSegment
from ..io._video import _claimed_frame_count, _frame_rate, _open_video
from ..skeleton import get_layout

#: EiLA's label set, in the order PosEmotion counts it (ties go to the first: see load_annotated_videos).
EILA_LABELS = ("Happy", "Sad", "Fear", "Surprise", "Disgust", "Anger", "Neutral")

COLUMNS = ("Video Tag", "Clip Id", "Labels", "Frame Number", "X", "Y", "Width", "Height", "Person Id")
NO_ANNOTATION = "No annotation"
VIDEO_SUFFIXES = (".mp4", ".mkv", ".webm", ".avi", ".mov")
_PERCENT_TOLERANCE = 1e-4  # rounding of annotation tools: a box may pass the edge by this many percent

_DESCR = """EiLA-format video annotations
-----------------------------
Emotion annotations of people in videos, in the format of the EiLA data set (Latin-American YouTube videos;
7 labels: Happy, Sad, Fear, Surprise, Disgust, Anger, Neutral) that PosEmotion used ("PosEmotion: Emotion
Recognition from Skeletal Movements", 2024, https://github.com/denskrlv/PosEmotion, code under Apache-2.0;
3675 annotated frames, 326 segments after its cleaning). The annotations' own licence is not stated in
public and the videos remain under their YouTube uploaders' terms: ask the data set's curators before
redistributing either. Cite PosEmotion and the data set's curators.

One item per segment, the rows of one (video, clip, person): ``data`` holds skemotion.io.VideoSegment
objects (the frame range and the person's box at each annotated frame) for PoseExtractor, ``target`` the
majority label over annotators and frames, ``groups`` the video (so that grouped cross-validation keeps a
video's people and clips out of training together), ``segments`` the table of segments.
"""


def load_annotated_videos(annotations_csv, video_dir, *, labels=EILA_LABELS, video_suffixes=VIDEO_SUFFIXES):
    """Load EiLA-format person-box annotations as video segments, labelled by majority vote.

    A segment is the set of rows sharing (``Video Tag``, ``Clip Id``, ``Person Id``), as in PosEmotion.
    It becomes a :class:`skemotion.io.VideoSegment` from its first to its last annotated frame, with the
    person's box at every annotated frame (in between, :class:`~skemotion.pose.PoseExtractor` interpolates
    the box). Nothing is extracted here: MediaPipe takes about a second per hundred frames, so the skeletons
    come from a :class:`~skemotion.pose.PoseExtractor` in the pipeline, which crops every frame to the
    person's box and so tracks the annotated person, not whoever is largest in the frame.

    The target is the label given most often, counting every label of every annotator on every frame of the
    segment (PosEmotion's count; ``'No annotation'`` counts for nothing). A tie goes to the tied label that
    comes first in ``labels`` (labels outside it come after, alphabetically); with the default
    :data:`EILA_LABELS` that is PosEmotion's order, so its segment labels are reproduced. ``label_counts``
    keeps every count, for another rule. Segments without a single label are left out and listed in
    ``unlabelled``.

    Parameters
    ----------
    annotations_csv : str or Path
        The annotation CSV (EiLA's ``annotations.csv``), columns as in the module's documentation.
    video_dir : str or Path
        Folder of the videos, ``<Video Tag><suffix>``.
    labels : sequence of str, default=EILA_LABELS
        The label set, in the order that breaks ties and orders the columns of ``label_counts``.
    video_suffixes : sequence of str, default=(".mp4", ".mkv", ".webm", ".avi", ".mov")
        File endings tried, in this order, for each video tag.

    Returns
    -------
    data : Bunch
        ``data`` (list of :class:`~skemotion.io.VideoSegment`), ``target`` (majority labels), ``groups``
        (video tags), ``filenames`` (each segment's video), ``frame_rate`` (the videos' common rate, None
        when they differ), ``frame_rates`` (each segment's video rate), ``layout`` (MediaPipe-33, the layout
        of PoseExtractor's output), ``joint_names``, ``label_names`` and ``label_counts`` ((n_segments,
        n_labels) label counts), ``segments`` (a table, e.g. for ``pandas.DataFrame(bunch.segments)``:
        ``video_tag``, ``clip_id``, ``person_id``, ``start_frame``, ``stop_frame``, ``n_annotated_frames``,
        ``first_row``: the 0-based row of its first frame), ``unlabelled`` ((video tag, clip id, person id)
        of the segments left out) and ``DESCR``.

    Raises
    ------
    FileNotFoundError
        When the CSV, the folder or a video tag's file is missing (the error names the tag and the row).
    ValueError
        When the CSV is empty or lacks a column, a cell does not parse (``Labels`` is read with
        :func:`ast.literal_eval`, never evaluated as code), a box is not inside 0-100 % of the frame, an
        annotated frame is past the end of its video, or a frame of a segment has two different boxes;
        the error names the file and the row (0-based data row, as pandas numbers it, and the line).

    Examples
    --------
    The skeletons of every segment, then a grouped cross-validation over videos::

        from sklearn.model_selection import GroupKFold, cross_val_score
        from sklearn.pipeline import make_pipeline
        from sklearn.svm import SVC
        from skemotion.datasets import load_annotated_videos
        from skemotion.motion import JointDistances, SkeletonNormalizer
        from skemotion.pose import PoseExtractor

        eila = load_annotated_videos("assets/annotations/annotations.csv", "assets/videos")
        poses = PoseExtractor(frame_step=6, n_jobs=-1).transform(eila.data)   # the annotated frames
        model = make_pipeline(SkeletonNormalizer(to_common=True), JointDistances(), SVC())
        cross_val_score(model, poses, eila.target, groups=eila.groups, cv=GroupKFold(5))
    """
    if isinstance(labels, str):
        raise TypeError(f"labels must be a sequence of label names, got the string {labels!r}: pass [{labels!r}].")
    csv_path, folder = Path(annotations_csv), Path(video_dir)
    if not csv_path.is_file():
        raise FileNotFoundError(f"Annotation file not found: {csv_path}.")
    if not folder.is_dir():
        raise FileNotFoundError(f"Video folder not found: {folder}.")
    rows = _read_rows(csv_path)
    videos = _find_videos(rows, csv_path, folder, tuple(video_suffixes))
    grouped = _segments(rows, csv_path)
    names = _label_names(grouped, labels)

    kept, unlabelled = [], []
    for key, segment_rows in grouped.items():
        counts = Counter(label for row in segment_rows for label in row["labels"])
        (kept if counts else unlabelled).append((key, segment_rows, counts))
    if not kept:
        raise ValueError(f"{csv_path}: no segment has a label (every Labels cell is empty or 'No annotation').")

    data, target, table = [], [], {name: [] for name in _TABLE_COLUMNS}
    label_counts = np.zeros((len(kept), len(names)), dtype=int)
    for i, ((tag, clip, person), segment_rows, counts) in enumerate(kept):
        path, _, _ = videos[tag]
        frames = [row["frame"] for row in segment_rows]
        boxes = [(row["frame"], *row["box"]) for row in segment_rows]
        data.append(VideoSegment(str(path), frames[0], frames[-1] + 1, boxes=boxes))
        label_counts[i] = [counts.get(name, 0) for name in names]
        target.append(names[int(np.argmax(label_counts[i]))])  # argmax takes the first of a tie
        for column, value in zip(_TABLE_COLUMNS, (tag, clip, person, frames[0], frames[-1] + 1,
                                                  len(segment_rows), segment_rows[0]["row"])):
            table[column].append(value)

    rates = np.array([np.nan if videos[tag][1] is None else videos[tag][1] for tag in table["video_tag"]])
    layout = get_layout("mediapipe33")
    return Bunch(
        data=data,
        target=np.array(target),
        groups=np.array(table["video_tag"]),
        filenames=[segment.path for segment in data],
        frame_rate=_common_rate(rates),
        frame_rates=rates,
        layout=layout,
        joint_names=list(layout.joint_names),
        label_names=list(names),
        label_counts=label_counts,
        segments={column: np.array(values) for column, values in table.items()},
        unlabelled=[key for key, _, _ in unlabelled],
        DESCR=_DESCR,
    )


_TABLE_COLUMNS = ("video_tag", "clip_id", "person_id", "start_frame", "stop_frame", "n_annotated_frames",
                  "first_row")


def _read_rows(csv_path):
    """Every data row, parsed and checked; a row that does not parse is named by its row and line."""
    with open(csv_path, newline="", encoding="utf-8-sig") as file:  # -sig: a spreadsheet's byte-order mark
        reader = csv.DictReader(file)
        if reader.fieldnames is None:
            raise ValueError(f"{csv_path} is empty: expected a header with the columns {', '.join(COLUMNS)}.")
        header = [name.strip() for name in reader.fieldnames]
        missing = [column for column in COLUMNS if column not in header]
        if missing:
            raise ValueError(f"{csv_path} lacks the column(s) {missing}; its header is {header}. Expected the "
                             f"EiLA columns {list(COLUMNS)}.")
        reader.fieldnames = header
        rows = []
        for index, raw in enumerate(reader):
            rows.append(_parse_row(raw, f"{csv_path}, row {index} (line {reader.line_num})", index))
    if not rows:
        raise ValueError(f"{csv_path} has a header but no annotation row.")
    return rows


def _parse_row(raw, where, index):
    if None in raw or any(raw.get(column) is None for column in COLUMNS):
        raise ValueError(f"{where}: the row has a different number of cells from the header (the file is cut, "
                         "or a cell holds an unquoted comma).")
    tag = raw["Video Tag"].strip()
    if not tag:
        raise ValueError(f"{where}: the Video Tag is empty.")
    box = tuple(_number(raw[column], column, where) for column in ("X", "Y", "Width", "Height"))
    return {
        "row": index,
        "where": where,
        "tag": tag,
        "clip": _integer(raw["Clip Id"], "Clip Id", where),
        "person": _integer(raw["Person Id"], "Person Id", where),
        "frame": _integer(raw["Frame Number"], "Frame Number", where),
        "box": _fractions(box, where),
        "labels": _parse_labels(raw["Labels"], where),
    }


def _number(text, column, where):
    try:
        value = float(text)
    except ValueError:
        raise ValueError(f"{where}: {column} is {text!r}, not a number.") from None
    if not math.isfinite(value):
        raise ValueError(f"{where}: {column} is {text!r}, not a finite number.")
    return value


def _integer(text, column, where):
    """A whole number >= 0; ``"12.0"`` (pandas writes integer columns with gaps as floats) is accepted."""
    value = _number(text, column, where)
    if value != int(value) or value < 0:
        raise ValueError(f"{where}: {column} is {text!r}, not a whole number >= 0.")
    return int(value)


def _fractions(box, where):
    """The box in percent, checked inside the frame, as fractions (the edges clipped by the rounding only)."""
    x, y, width, height = box
    inside = (width > 0 and height > 0 and x >= -_PERCENT_TOLERANCE and y >= -_PERCENT_TOLERANCE
              and x + width <= 100 + _PERCENT_TOLERANCE and y + height <= 100 + _PERCENT_TOLERANCE)
    if not inside:
        raise ValueError(f"{where}: the box X={x:g}, Y={y:g}, Width={width:g}, Height={height:g} is not inside "
                         "0-100 % of the frame (X + Width and Y + Height must be at most 100, sizes positive).")
    x, y = min(max(x, 0.0), 100.0), min(max(y, 0.0), 100.0)
    return x / 100, y / 100, min(width, 100 - x) / 100, min(height, 100 - y) / 100


def _parse_labels(cell, where):
    """All labels of a ``Labels`` cell, one entry per annotator's label; ``'No annotation'`` gives none."""
    text = cell.strip()
    if text == NO_ANNOTATION:
        return []
    try:
        # literal_eval reads Python literals only: a cell can never run code.
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError) as error:
        raise ValueError(f"{where}: the Labels cell {cell!r} does not parse as a list of per-annotator label "
                         f"lists ({type(error).__name__}: {error}).") from None
    if not isinstance(value, (list, tuple)):
        raise ValueError(f"{where}: the Labels cell {cell!r} is a {type(value).__name__}, not a list of "
                         "per-annotator label lists.")
    found = []
    for annotator in value:
        if annotator == NO_ANNOTATION:
            continue
        annotator = [annotator] if isinstance(annotator, str) else annotator
        if not isinstance(annotator, (list, tuple)) or not all(isinstance(label, str) for label in annotator):
            raise ValueError(f"{where}: the Labels cell {cell!r} holds {annotator!r}, not a list of label names.")
        found.extend(label.strip() for label in annotator if label.strip())
    return found


def _find_videos(rows, csv_path, folder, suffixes):
    """``{tag: (path, frame rate or None, frame count or None)}``; a missing or unreadable video names its row."""
    videos = {}
    for row in rows:
        tag = row["tag"]
        if tag not in videos:
            candidates = [folder / f"{tag}{suffix}" for suffix in suffixes]
            path = next((c for c in candidates if c.is_file()), None)
            if path is None:
                raise FileNotFoundError(f"{row['where']}: the video tag {tag!r} has no file in {folder} (looked "
                                        f"for {', '.join(c.name for c in candidates)}).")
            try:
                with _open_video(path) as capture:
                    videos[tag] = (path, _frame_rate(capture), _claimed_frame_count(capture))
            except (OSError, ValueError) as error:
                raise ValueError(f"{row['where']}: {error}") from None
        path, _, count = videos[tag]
        if count is not None and row["frame"] >= count:
            raise ValueError(f"{row['where']}: Frame Number {row['frame']} is past the end of {path}, which has "
                             f"{count} frames (0 to {count - 1}).")
    return videos


def _segments(rows, csv_path):
    """Rows grouped by (tag, clip, person) in order of first appearance, each sorted by frame.

    A frame annotated twice for one person with the same box is kept once (its labels counted once); with
    two different boxes, the person to track is ambiguous and both rows are named.
    """
    grouped = {}
    for row in rows:
        grouped.setdefault((row["tag"], row["clip"], row["person"]), {}).setdefault(row["frame"], []).append(row)
    segments = {}
    for key, by_frame in grouped.items():
        kept = []
        for frame in sorted(by_frame):
            first, *others = by_frame[frame]
            for other in others:
                if not np.allclose(other["box"], first["box"], rtol=0, atol=1e-9):
                    raise ValueError(f"{other['where']}: frame {frame} of video {key[0]!r}, clip {key[1]}, person "
                                     f"{key[2]} has a different box from row {first['row']}.")
            kept.append(first)
        segments[key] = kept
    return segments


def _label_names(grouped, labels):
    """The given labels in their order, then any other label found, alphabetically."""
    names = list(dict.fromkeys(labels))
    found = {label for rows in grouped.values() for row in rows for label in row["labels"]}
    return names + sorted(found - set(names))


def _common_rate(rates):
    finite = rates[np.isfinite(rates)]
    if len(finite) == len(rates) and np.allclose(finite, finite[0], rtol=1e-6):
        return float(finite[0])
    return None
