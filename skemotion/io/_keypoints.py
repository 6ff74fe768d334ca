"""Reader for 2-D keypoint files of pose estimators: COCO keypoint JSON and OpenPose per-frame JSON.

Three formats, told apart by their top level:

* COCO keypoint *results* (what MMPose, RTMPose, Detectron2 and the COCO evaluation exchange): a list of
  detections ``{"image_id", "category_id", "keypoints": [x1, y1, s1, ..., x17, y17, s17], "score"}``, the
  third value a confidence.
* COCO keypoint *annotations* (the data set's own files): ``{"images": [...], "annotations": [...],
  "categories": [...]}`` where the third value is a visibility flag, 0 for a keypoint not labelled
  (stored as x = y = 0), 1 labelled but hidden, 2 visible.
* OpenPose ``--write_json`` output: one file per frame, ``{"version", "people": [{"pose_keypoints_2d":
  [x0, y0, c0, ...]}, ...]}`` in the BODY_25 order, with ``0, 0, 0`` for a keypoint not found.

Frames are images (sorted by ``image_id``) or files (sorted by the frame number at the end of their names).
Keypoints come back in image coordinates, y down, NaN where the keypoint is missing or its confidence is
below the threshold, so that the skeleton estimators treat them as gaps rather than as the image corner.
"""

import json
import re
from pathlib import Path

import numpy as np

from ..skeleton import get_layout, with_metadata

_COCO_JOINTS = 17
_BODY25_JOINTS = 25
_FRAME_NUMBER = re.compile(r"(\d+)(?!.*\d)")


def read_keypoints_json(path, *, person="best", min_confidence=0.1, frame_rate=None, units="pixels",
                        return_confidence=False):
    """Read 2-D keypoints of one person from COCO keypoint JSON or OpenPose per-frame JSON.

    Parameters
    ----------
    path : str, Path or list of them
        A COCO results or annotations file (one frame per image), an OpenPose JSON file (one frame), a
        folder of OpenPose JSON files, or a list of OpenPose files (one frame each, in frame order).
    person : "best" or int, default="best"
        Which person of each frame: ``"best"`` is the highest-scoring detection (COCO results: ``score``,
        else the mean keypoint confidence; COCO annotations: the largest ``area``; OpenPose: the highest
        summed confidence), an int the n-th person in that order. A frame without it gives a row of NaN.
    min_confidence : float, default=0.1
        Keypoints with a lower confidence become NaN (COCO annotations: those with visibility 0).
    frame_rate : float or None, default=None
        Frames per second to attach (the files carry none).
    units : {"pixels", "normalized"}, default="pixels"
        What the coordinates are (OpenPose's ``--keypoint_scale`` can write normalised ones).
    return_confidence : bool, default=False
        Also return the (n_frames, n_joints) confidences (NaN where the person is absent).

    Returns
    -------
    positions : SkeletonArray of shape (n_frames, n_joints, 2)
        x, y in image coordinates (``y_up=False``), layout ``"coco17"`` or ``"body25"``.
    confidence : ndarray of shape (n_frames, n_joints)
        Only with ``return_confidence=True``.

    Examples
    --------
    >>> import json, tempfile, pathlib
    >>> from skemotion.io import read_keypoints_json
    >>> frame = {"version": 1.3, "people": [{"pose_keypoints_2d": [100.0, 50.0, 0.9] * 25}]}
    >>> file = pathlib.Path(tempfile.mkdtemp()) / "walk_000000000000_keypoints.json"
    >>> _ = file.write_text(json.dumps(frame))
    >>> pose = read_keypoints_json(file, frame_rate=25)
    >>> pose.shape, pose.layout.name, pose.y_up
    ((1, 25, 2), 'body25', False)
    """
    if not (person == "best" or (isinstance(person, (int, np.integer)) and person >= 0)):
        raise ValueError(f"person must be 'best' or a non-negative int, got {person!r}.")
    if units not in ("pixels", "normalized"):
        raise ValueError(f"units must be 'pixels' or 'normalized', got {units!r}.")
    files = _frame_files(path)
    first = _load(files[0])
    if isinstance(first, list) or (isinstance(first, dict) and "annotations" in first):
        if len(files) > 1:
            raise ValueError(f"{files[0]} is a COCO file, which holds every frame; pass it alone.")
        keypoints, confidence = _coco(first, files[0], person, min_confidence)
        layout = get_layout("coco17")
    else:
        frames = [first] + [_load(f) for f in files[1:]]
        keypoints, confidence = _openpose(frames, files, person, min_confidence)
        layout = get_layout("body25")
    positions = with_metadata(keypoints, layout=layout, frame_rate=frame_rate, y_up=False, units=units)
    return (positions, confidence) if return_confidence else positions


def _frame_files(path):
    if isinstance(path, (list, tuple)):
        files = [Path(p) for p in path]
    else:
        path = Path(path)
        if path.is_dir():
            files = sorted(path.glob("*.json"), key=_frame_number)
            if not files:
                raise FileNotFoundError(f"No JSON keypoint file in {path}.")
        else:
            files = [path]
    if not files:
        raise ValueError("No keypoint file given.")
    for file in files:
        if not file.is_file():
            raise FileNotFoundError(f"Keypoint file not found: {file}.")
    return files


def _frame_number(file):
    """OpenPose names frames ``<name>_000000000012_keypoints.json``: sort by the last number in the stem."""
    match = _FRAME_NUMBER.search(file.stem)
    return (int(match.group(1)) if match else -1, file.name)


def _load(file):
    try:
        return json.loads(Path(file).read_text())
    except (json.JSONDecodeError, UnicodeDecodeError) as error:
        raise ValueError(f"{file} is not valid JSON ({error}).") from None


def _triplets(values, n_joints, file, where):
    """(n_joints, 3) array from a flat x, y, c list; the entry is named in the error."""
    array = np.asarray(values, dtype=float) if isinstance(values, list) else np.empty(0)
    if array.shape != (3 * n_joints,):
        raise ValueError(
            f"{file}: {where} has {array.size} keypoint values, expected {3 * n_joints} (x, y, c for {n_joints} "
            "keypoints)."
        )
    return array.reshape(n_joints, 3)


def _pick(candidates, person):
    """The chosen (score, triplets) of one frame, or None."""
    ranked = sorted(candidates, key=lambda c: -c[0])  # stable: ties keep the file's order
    index = 0 if person == "best" else person
    return ranked[index][1] if index < len(ranked) else None


def _frames_to_arrays(chosen, n_joints, min_confidence, visibility=False):
    keypoints = np.full((len(chosen), n_joints, 2), np.nan)
    confidence = np.full((len(chosen), n_joints), np.nan)
    for t, triplets in enumerate(chosen):
        if triplets is None:
            continue
        c = triplets[:, 2]
        # A zero confidence (OpenPose) or visibility (COCO) marks a keypoint not found, stored at (0, 0).
        found = c > 0 if visibility else (c > 0) & (c >= min_confidence)
        keypoints[t, found] = triplets[found, :2]
        confidence[t] = c
    return keypoints, confidence


def _coco(content, file, person, min_confidence):
    if isinstance(content, list):
        detections, image_ids, visibility = content, None, False
    else:
        detections = content.get("annotations")
        images = content.get("images")
        if not isinstance(detections, list) or not isinstance(images, list):
            raise ValueError(f"{file}: a COCO annotations file needs 'images' and 'annotations' lists.")
        image_ids, visibility = sorted(_field(im, "id", file, "image") for im in images), True
    by_image = {}
    for i, detection in enumerate(detections):
        where = f"entry {i}"
        if not isinstance(detection, dict) or "keypoints" not in detection or "image_id" not in detection:
            raise ValueError(f"{file}: {where} is not a COCO keypoint detection (needs 'image_id' and 'keypoints').")
        if detection.get("category_id", 1) != 1:
            continue
        triplets = _triplets(detection["keypoints"], _COCO_JOINTS, file, where)
        score = detection.get("area", 0.0) if visibility else detection.get("score", float(np.mean(triplets[:, 2])))
        by_image.setdefault(detection["image_id"], []).append((float(score), triplets))
    if image_ids is None:
        image_ids = sorted(by_image)
    if not image_ids:
        raise ValueError(f"{file} holds no person keypoints.")
    chosen = [_pick(by_image.get(image, []), person) for image in image_ids]
    return _frames_to_arrays(chosen, _COCO_JOINTS, min_confidence, visibility=visibility)


def _field(item, name, file, kind):
    if not isinstance(item, dict) or name not in item:
        raise ValueError(f"{file}: an {kind} entry has no {name!r}.")
    return item[name]


def _openpose(frames, files, person, min_confidence):
    chosen = []
    for content, file in zip(frames, files):
        if not isinstance(content, dict) or not isinstance(content.get("people"), list):
            raise ValueError(f"{file} is neither COCO keypoint JSON nor an OpenPose frame (no 'people' list).")
        candidates = []
        for i, entry in enumerate(content["people"]):
            values = entry.get("pose_keypoints_2d") if isinstance(entry, dict) else None
            if isinstance(values, list) and len(values) == 3 * 18:
                raise ValueError(f"{file}: person {i} has 18 keypoints (OpenPose's COCO-18 model); "
                                 "only BODY_25 is read.")
            triplets = _triplets(values, _BODY25_JOINTS, file, f"person {i} 'pose_keypoints_2d'")
            candidates.append((float(triplets[:, 2].sum()), triplets))
        chosen.append(_pick(candidates, person))
    return _frames_to_arrays(chosen, _BODY25_JOINTS, min_confidence)
