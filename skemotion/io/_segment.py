"""VideoSegment: a frame range of a video file and, optionally, the box of the one person to track in it."""

import math
import os
from dataclasses import dataclass
from numbers import Integral, Real

import numpy as np

# A box may pass the frame's edge by this much (a fraction of the frame) from rounding in annotation tools.
_EDGE_TOLERANCE = 1e-6


@dataclass(frozen=True)
class VideoSegment:
    """Frames ``start_frame`` to ``stop_frame - 1`` of a video file, with the box of the person to track.

    :class:`~skemotion.pose.PoseExtractor` takes a segment wherever it takes a video path: it seeks to
    ``start_frame`` and, when ``boxes`` is given, crops every frame to the person's box (grown by the
    extractor's ``box_margin``), runs MediaPipe on the crop and maps the landmarks back to coordinates of
    the whole frame. Boxes are given at key frames (an annotation's sampled frames); a frame between two key frames
    gets the linear interpolation of their boxes, a frame before the first or after the last the nearest
    key frame's box. :func:`skemotion.datasets.load_annotated_videos` returns such segments. The class lives
    here, beside the video readers, because both the loaders and the pose extractor import ``skemotion.io``
    while the loaders never import the pose layer (docs/architecture.rst).

    Parameters
    ----------
    path : str or path-like
        The video file.
    start_frame : int
        First frame (0-based, as ``cv2.CAP_PROP_POS_FRAMES`` counts).
    stop_frame : int
        One past the last frame.
    boxes : sequence of (frame, x, y, width, height) or None, default=None
        The person's box at key frames in increasing frame order: the top-left corner and the size, as
        fractions of the frame's width and height (in [0, 1]). ``None`` keeps whole frames.

    Examples
    --------
    >>> from skemotion.io import VideoSegment
    >>> segment = VideoSegment("street.mp4", 0, 7, boxes=[(0, 0.5, 0.2, 0.1, 0.4), (6, 0.56, 0.2, 0.1, 0.4)])
    >>> [round(x, 2) for x in segment.box_at(3)]
    [0.53, 0.2, 0.1, 0.4]
    """

    path: str
    start_frame: int
    stop_frame: int
    boxes: tuple | None = None

    def __post_init__(self):
        if not isinstance(self.path, (str, os.PathLike)):
            raise TypeError(f"VideoSegment.path must be a path, got {type(self.path).__name__}.")
        object.__setattr__(self, "path", os.fspath(self.path))
        for name in ("start_frame", "stop_frame"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, Integral) or value < 0:
                raise ValueError(f"VideoSegment of {self.path}: {name} must be an integer >= 0, got {value!r}.")
            object.__setattr__(self, name, int(value))
        if self.stop_frame <= self.start_frame:
            raise ValueError(f"VideoSegment of {self.path}: stop_frame ({self.stop_frame}) must be greater than "
                             f"start_frame ({self.start_frame}).")
        if self.boxes is not None:
            object.__setattr__(self, "boxes", self._checked_boxes(self.boxes))

    def _checked_boxes(self, boxes):
        """The boxes as a tuple of (int frame, four floats): hashable, picklable, compared by value."""
        rows = []
        for row in boxes:
            row = tuple(row)
            if len(row) != 5 or not all(isinstance(v, Real) and math.isfinite(v) for v in row):
                raise ValueError(f"VideoSegment of {self.path}: a box is (frame, x, y, width, height) of finite "
                                 f"numbers, got {row!r}.")
            frame, x, y, w, h = row
            if w <= 0 or h <= 0 or x < -_EDGE_TOLERANCE or y < -_EDGE_TOLERANCE \
                    or x + w > 1 + _EDGE_TOLERANCE or y + h > 1 + _EDGE_TOLERANCE:
                raise ValueError(f"VideoSegment of {self.path}: the box at frame {frame} (x={x:g}, y={y:g}, "
                                 f"width={w:g}, height={h:g}) is not inside the frame (fractions in [0, 1]).")
            rows.append((int(frame), float(x), float(y), float(w), float(h)))
        frames = [row[0] for row in rows]
        if not rows or any(b <= a for a, b in zip(frames, frames[1:])):
            raise ValueError(f"VideoSegment of {self.path}: boxes need at least one key frame, in strictly "
                             f"increasing frame order; got frames {frames}.")
        return tuple(rows)

    def box_at(self, frame):
        """The box ``(x, y, width, height)`` at ``frame``, interpolated between key frames; None without boxes."""
        if self.boxes is None:
            return None
        table = np.array(self.boxes)
        return tuple(float(np.interp(frame, table[:, 0], table[:, k])) for k in range(1, 5))

    @property
    def n_frames(self):
        """Frames in the segment, ``stop_frame - start_frame``."""
        return self.stop_frame - self.start_frame

    def __str__(self):
        return f"{self.path} (frames {self.start_frame}-{self.stop_frame - 1})"
