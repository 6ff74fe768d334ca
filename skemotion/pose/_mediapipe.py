"""MediaPipe PoseLandmarker on video files, image files and frame arrays: one landmarker per call, always closed.

These functions run inside joblib workers: they return plain arrays and messages (warnings raised in a
worker process would be lost), and the estimator turns the messages into warnings or errors.
"""

import math
import queue
import threading
import warnings
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from ..io import PartialReadWarning, VideoSegment, iter_video_frames, read_image
from ..io._video import _claimed_frame_count, _cv2, _decode, _frame_rate, _open_video, timestamp_ms
from ._native_log import quiet_native_log

N_LANDMARKS = 33
IMAGE_SUFFIXES = frozenset({".jpg", ".jpeg", ".png", ".bmp", ".webp", ".tif", ".tiff"})


class PoseModelError(RuntimeError):
    """The pose model bundle cannot be loaded: an error about the set-up, never about one input."""


@dataclass(frozen=True)
class LandmarkerConfig:
    """Everything a worker needs to run the landmarker (picklable)."""

    model_path: str
    coordinates: str = "normalized"
    y_up: bool = True
    min_visibility: float = 0.5
    frame_step: int = 1
    max_frames: int | None = None
    num_poses: int = 1
    person: str | int = "largest"
    min_detection_confidence: float = 0.5
    min_tracking_confidence: float = 0.5
    frame_rate: float = 30.0
    box_margin: float = 0.25
    native_log: bool = False  # show MediaPipe's own log on stderr (silenced by default)


@dataclass
class Outcome:
    """Result of one input: poses ``(n_frames, 33, 3)`` (or None on error), and what to tell the user."""

    index: int
    poses: np.ndarray | None = None
    warning: str | None = None
    error: Exception | None = None
    partial: str | None = None  # a video that decoded only partly (PartialReadWarning's message)


def is_image_path(source):
    return isinstance(source, (str, Path)) and Path(source).suffix.lower() in IMAGE_SUFFIXES


def open_landmarker(config, video):
    """A PoseLandmarker in VIDEO (tracking) or IMAGE mode; use it as a context manager so it is closed."""
    from mediapipe.tasks.python import BaseOptions, vision

    options = vision.PoseLandmarkerOptions(
        base_options=BaseOptions(model_asset_path=config.model_path),
        running_mode=vision.RunningMode.VIDEO if video else vision.RunningMode.IMAGE,
        num_poses=config.num_poses,
        min_pose_detection_confidence=config.min_detection_confidence,
        min_tracking_confidence=config.min_tracking_confidence,
    )
    try:
        return vision.PoseLandmarker.create_from_options(options)
    except (RuntimeError, ValueError) as exc:
        raise PoseModelError(f"Could not load the MediaPipe pose model {config.model_path}: {exc}") from exc


def array_frames(frames, frame_step=1, max_frames=None, frame_rate=30.0):
    """Yield ``(timestamp_ms, rgb_frame)`` from an ``(n_frames, H, W, 3)`` uint8 array."""
    indices = range(0, len(frames), frame_step)
    previous = -1
    for i in indices[:max_frames]:
        previous = timestamp_ms(i, frame_rate, previous)  # strictly increasing at any rate, as MediaPipe needs
        yield previous, np.ascontiguousarray(frames[i])


def segment_frames(segment, frame_step=1, max_frames=None, fallback_rate=30.0, box_margin=0.25):
    """Yield ``(timestamp_ms, rgb, crop)`` for every ``frame_step``-th frame of a :class:`VideoSegment`.

    The video is opened at ``start_frame`` (a seek, so a segment late in a long video does not decode what
    precedes it). With boxes, ``rgb`` is the crop to the person's box grown by ``box_margin`` and ``crop``
    its bounds ``(x0, y0, x1, y1, width, height)`` in pixels of the ``width`` x ``height`` frame; without,
    ``rgb`` is the whole frame and ``crop`` None. Timestamps are those of the frames in the whole video.
    """
    wanted = len(range(segment.start_frame, segment.stop_frame, frame_step))
    wanted = wanted if max_frames is None else min(wanted, max_frames)
    with _open_video(segment.path) as capture:
        claimed = _claimed_frame_count(capture)
        if claimed is not None and segment.stop_frame > claimed:
            raise ValueError(f"The segment {segment} asks for frames up to {segment.stop_frame - 1}, but the "
                             f"video {segment.path!r} has {claimed} frames.")
        rate = _frame_rate(capture) or fallback_rate
        if segment.start_frame:
            capture.set(_cv2().CAP_PROP_POS_FRAMES, segment.start_frame)
        previous = -1
        for index, rgb in _decode(capture, segment.path, frame_step, wanted, first=segment.start_frame):
            previous = timestamp_ms(index, rate, previous)
            box = segment.box_at(index)
            if box is None:
                yield previous, rgb, None
                continue
            x0, y0, x1, y1 = crop_bounds(box, box_margin, rgb.shape[1], rgb.shape[0])
            yield previous, np.ascontiguousarray(rgb[y0:y1, x0:x1]), (x0, y0, x1, y1, rgb.shape[1], rgb.shape[0])


def crop_bounds(box, margin, width, height):
    """Pixel bounds ``(x0, y0, x1, y1)`` of a box in fractions, grown by ``margin`` of its size on each side.

    MediaPipe's detector finds a person more reliably with some context around the body, and an annotated
    box often cuts off a hand or a foot; the bounds stay inside the frame and at least one pixel wide.
    """
    x, y, w, h = box
    x0 = min(max(math.floor((x - margin * w) * width), 0), width - 1)
    y0 = min(max(math.floor((y - margin * h) * height), 0), height - 1)
    x1 = max(min(math.ceil((x + w + margin * w) * width), width), x0 + 1)
    y1 = max(min(math.ceil((y + h + margin * h) * height), height), y0 + 1)
    return x0, y0, x1, y1


def _whole_frames(frames):
    """``(timestamp, rgb)`` items as ``(timestamp, rgb, None)``: no crop."""
    for timestamp, rgb in frames:
        yield timestamp, rgb, None


_END = object()
PREFETCH_FRAMES = 4  # decoded frames waiting for the landmarker: a few, so memory stays small


def prefetched(frames, depth=PREFETCH_FRAMES):
    """Iterate over the generator ``frames`` while a reader thread produces the next ones.

    OpenCV decodes and MediaPipe infers without the GIL, so decoding frame ``t + 1`` overlaps inference
    on frame ``t``. Items come in order, unchanged; an exception of the reader is raised here, and the
    generator is closed (releasing the video) however the iteration ends.
    """
    buffer = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def put(item):
        while not stop.is_set():  # the consumer may stop early: never block forever on a full queue
            try:
                buffer.put(item, timeout=0.05)
                return True
            except queue.Full:
                pass
        return False

    def read():
        try:
            for frame in frames:
                if not put((frame, None)):
                    return
            put((_END, None))
        except Exception as exc:  # handed to the consumer, which raises it
            put((_END, exc))
        finally:
            frames.close()

    reader = threading.Thread(target=read, name="skemotion-frame-reader", daemon=True)
    reader.start()
    try:
        while True:
            item, error = buffer.get()
            if error is not None:
                raise error
            if item is _END:
                return
            yield item
    finally:
        stop.set()
        reader.join()


def _mp_image(rgb):
    import mediapipe as mp

    return mp.Image(image_format=mp.ImageFormat.SRGB, data=rgb)


def _landmark_array(landmarks):
    """``(33, 4)``: x, y, z, visibility (a model without visibility counts as fully visible)."""
    return np.array([(lm.x, lm.y, lm.z, 1.0 if lm.visibility is None else lm.visibility) for lm in landmarks])


def _choose_person(image_landmarks, person, width, height):
    """Index of the pose to keep among those detected in one frame, or None."""
    if isinstance(person, (int, np.integer)):
        return int(person) if person < len(image_landmarks) else None
    if len(image_landmarks) == 1:
        return 0
    if person == "most_visible":
        return int(np.argmax([lms[:, 3].mean() for lms in image_landmarks]))
    pixels = [lms[:, :2] * (width, height) for lms in image_landmarks]  # "largest": bounding-box area
    return int(np.argmax([np.prod(p.max(axis=0) - p.min(axis=0)) for p in pixels]))


def frame_pose(result, config, width, height):
    """The chosen person's ``(33, 3)`` coordinates from one PoseLandmarkerResult (all NaN if nobody)."""
    image_landmarks = [_landmark_array(lms) for lms in result.pose_landmarks]
    chosen = _choose_person(image_landmarks, config.person, width, height) if image_landmarks else None
    if chosen is None:
        return np.full((N_LANDMARKS, 3), np.nan)
    visibility = image_landmarks[chosen][:, 3]
    if config.coordinates == "world":
        xyz = _landmark_array(result.pose_world_landmarks[chosen])[:, :3]
        flip = np.array([1.0, -1.0, -1.0])
        xyz = xyz * flip if config.y_up else xyz
    else:
        xyz = image_landmarks[chosen][:, :3].copy()
        if config.y_up:  # a half turn about x: y up and z towards the camera keeps a right-handed frame
            xyz[:, 1], xyz[:, 2] = 1.0 - xyz[:, 1], -xyz[:, 2]
        if config.coordinates == "pixels":  # MediaPipe's z has roughly the scale of x
            xyz *= (width, height, width)
    xyz[visibility < config.min_visibility] = np.nan
    return xyz


def crop_pose(result, config, crop):
    """:func:`frame_pose` of a landmarker run on a crop, in coordinates of the whole frame.

    MediaPipe's image coordinates are fractions of the crop; ``x_frame = (x0 + x * crop_width) / width``
    and likewise for y. Its z is on the scale of x, so it is rescaled by ``crop_width / width``. World
    coordinates (metres about the hips) do not depend on the image, so they stay as they are.
    """
    x0, y0, x1, y1, width, height = crop
    crop_width, crop_height = x1 - x0, y1 - y0
    if config.coordinates == "world":
        return frame_pose(result, config, crop_width, crop_height)
    # The mapping needs MediaPipe's own frame (y down); the convention and the units are applied after it.
    xyz = frame_pose(result, replace(config, coordinates="normalized", y_up=False), crop_width, crop_height)
    xyz = xyz * (crop_width / width, crop_height / height, crop_width / width) + (x0 / width, y0 / height, 0.0)
    if config.y_up:
        xyz[:, 1], xyz[:, 2] = 1.0 - xyz[:, 1], -xyz[:, 2]
    if config.coordinates == "pixels":
        xyz *= (width, height, width)
    return xyz


def _no_person_warning(name, poses):
    if np.isnan(poses).all():
        return f"No person detected in {name}: its {len(poses)} frame(s) are all NaN."
    return None


def extract_sequence(index, source, config):
    """Poses of one video file or frame array, tracked in VIDEO mode."""
    # Also here, not only in the estimator: a process worker has its own stderr.
    with quiet_native_log(not config.native_log):
        return _extract_sequence(index, source, config)


def _extract_sequence(index, source, config):
    try:
        if isinstance(source, np.ndarray):
            name, frames = f"frame array {index}", array_frames(source, config.frame_step, config.max_frames,
                                                                 config.frame_rate)
            frames = _whole_frames(frames)
        elif isinstance(source, VideoSegment):
            name = str(source)
            if not Path(source.path).is_file():
                raise FileNotFoundError(f"Video file not found: {source.path} (segment {source})")
            frames = segment_frames(source, config.frame_step, config.max_frames, config.frame_rate,
                                    config.box_margin)
        else:
            name = str(source)
            if not Path(source).is_file():
                raise FileNotFoundError(f"Video file not found: {source}")
            frames = _whole_frames(iter_video_frames(source, frame_step=config.frame_step,
                                                     max_frames=config.max_frames, fallback_rate=config.frame_rate))
        poses = []
        # A warning in a worker process would be lost: it travels back in the outcome instead.
        with warnings.catch_warnings(record=True) as caught, open_landmarker(config, video=True) as landmarker:
            warnings.simplefilter("always", PartialReadWarning)
            for timestamp, rgb, crop in prefetched(frames):
                result = landmarker.detect_for_video(_mp_image(rgb), timestamp)
                poses.append(frame_pose(result, config, rgb.shape[1], rgb.shape[0]) if crop is None
                             else crop_pose(result, config, crop))
        poses = np.stack(poses)
        partial = [str(w.message) for w in caught if issubclass(w.category, PartialReadWarning)]
        return Outcome(index, poses, warning=_no_person_warning(name, poses), partial=partial[0] if partial else None)
    except PoseModelError:
        raise
    except (OSError, ValueError, RuntimeError) as exc:
        return Outcome(index, error=exc)


def extract_images(indexed_paths, config):
    """Poses of image files, one IMAGE-mode landmarker reused for all of them."""
    outcomes = []
    with quiet_native_log(not config.native_log), open_landmarker(config, video=False) as landmarker:
        for index, path in indexed_paths:
            try:
                if not Path(path).is_file():
                    raise FileNotFoundError(f"Image file not found: {path}")
                rgb = read_image(path)
                poses = frame_pose(landmarker.detect(_mp_image(rgb)), config, rgb.shape[1], rgb.shape[0])[None]
                outcomes.append(Outcome(index, poses, warning=_no_person_warning(str(path), poses)))
            except (OSError, ValueError, RuntimeError) as exc:
                outcomes.append(Outcome(index, error=exc))
    return outcomes
