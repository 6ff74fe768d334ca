"""Pose landmarks drawn on video frames with OpenCV, written as a video or shown as a contact sheet."""

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from ..io import read_video
from ..skeleton import skeleton_metadata
from ..utils._files import atomic_path, check_writable
from ._base import SIDES, bone_sides, joint_sides, positive_int, resolve_layout, rgb255, side_colors

_VIDEO_CODECS = {".mp4": "mp4v", ".m4v": "mp4v", ".mov": "mp4v", ".avi": "MJPG"}
_IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg"}


def _cv2():
    import cv2  # OpenCV comes with mediapipe; imported here so that skemotion.plotting loads without it

    return cv2


def _check_frames(frames):
    frames = np.asarray(frames)
    if frames.ndim != 4 or frames.shape[3] != 3 or frames.dtype != np.uint8 or len(frames) == 0:
        raise ValueError(
            "Expected video frames as an RGB uint8 array (n_frames, height, width, 3) or a video path; got "
            f"an array of shape {frames.shape} and dtype {frames.dtype}."
        )
    return frames


def _pixel_landmarks(landmarks, frames_shape, layout, normalized, y_up):
    """Landmarks ``(n_frames, n_joints, >=2)`` (or one sample of a 4-D extractor output) as pixel (x, y).

    ``normalized`` and ``y_up`` come from the caller, else from what the landmarks carry (PoseExtractor's
    output says both), else image coordinates are assumed and checked: a pose whose head is drawn below
    its feet in most frames is refused rather than drawn upside down.
    """
    metadata = skeleton_metadata(landmarks)
    points = np.asarray(landmarks, dtype=float)
    if points.ndim == 4 and points.shape[0] == 1:
        points = points[0]
    n_frames, height, width = frames_shape[:3]
    if points.ndim != 3 or points.shape[2] < 2:
        raise ValueError(
            "Expected landmarks of shape (n_frames, n_joints, 2 or 3) (or (1, n_frames, n_joints, 3) from a "
            f"pose extractor); got {points.shape}."
        )
    if points.shape[0] != n_frames:
        raise ValueError(f"Got landmarks for {points.shape[0]} frames but the video has {n_frames} frames.")
    if points.shape[1] != layout.n_joints:
        raise ValueError(
            f"Layout {layout.name!r} has {layout.n_joints} joints but the landmarks have {points.shape[1]}."
        )
    if metadata.units == "m" or metadata.units == "cm":
        raise ValueError(
            f"The landmarks are world coordinates ({metadata.units}), not image positions; extract them with "
            "PoseExtractor(coordinates='normalized') or 'pixels' to draw them on the video."
        )
    if normalized is None:
        normalized = metadata.units != "pixels" if metadata.units is not None else _looks_normalized(points)
    xy = points[..., :2].copy()
    finite = xy[np.isfinite(xy)]
    if normalized and finite.size and np.abs(finite).max() > 10:
        raise ValueError(
            "normalized=True expects landmark x, y in [0, 1] (image fractions), but values reach "
            f"{np.abs(finite).max():.0f}; pass normalized=False for pixel coordinates."
        )
    if normalized:
        xy = xy * [width, height]
    explicit = y_up is not None or metadata.y_up is not None
    if (y_up if y_up is not None else metadata.y_up):
        xy[..., 1] = height - xy[..., 1]  # undo PoseExtractor's half turn about x: back to image rows
    if not explicit and _upside_down(xy, layout):
        raise ValueError(
            "These landmarks would be drawn upside down: the head is below the feet in most frames, as with "
            "y-up coordinates (PoseExtractor's default y_up=True). Pass y_up=True, or pass the extractor's "
            "output itself, which says its convention."
        )
    return xy


def _looks_normalized(points):
    finite = points[..., :2][np.isfinite(points[..., :2])]
    return not finite.size or np.abs(finite).max() <= 10


def _upside_down(xy, layout):
    """True when, in image rows (y down), the head lies below the feet in most frames with both seen."""
    if layout.common_map is None:
        return False
    head = xy[:, [layout.index(j) for j in layout.common_map["head"]], 1].mean(axis=1)
    feet = xy[:, [layout.index(j) for side in ("left_foot", "right_foot") for j in layout.common_map[side]], 1]
    seen = ~np.isnan(head) & ~np.isnan(feet).any(axis=1)
    return bool(seen.any() and np.mean(head[seen] > feet[seen].mean(axis=1)) > 0.5)


def _draw_pose(image, xy, layout, bone_rgb, joint_rgb, thickness, radius):
    """Draw bones then joints of one pose on an RGB image in place (missing joints and their bones skipped)."""
    cv2 = _cv2()
    shift = 4  # sub-pixel precision: coordinates are passed in 1/16 pixel
    fixed = np.round(np.nan_to_num(xy) * (1 << shift)).astype(np.int32)
    observed = np.isfinite(xy).all(axis=1)
    for (p, c), color in zip(layout.bones, bone_rgb):
        if observed[p] and observed[c]:
            cv2.line(image, tuple(map(int, fixed[p])), tuple(map(int, fixed[c])), color, thickness, cv2.LINE_AA,
                     shift)
    for j in np.flatnonzero(observed):
        cv2.circle(image, tuple(map(int, fixed[j])), radius << shift, joint_rgb[j], -1, cv2.LINE_AA, shift)
    return image


def contact_sheet(frames, every=1, n_cols=None, tile_width=320, first_index=0):
    """A grid of every ``every``-th frame, each labelled with its frame index, as one RGB image."""
    cv2 = _cv2()
    picked = np.arange(0, len(frames), every)
    height, width = frames.shape[1:3]
    if tile_width is not None and tile_width != width:
        size = (int(tile_width), max(1, int(round(height * tile_width / width))))
        tiles = [cv2.resize(frames[i], size, interpolation=cv2.INTER_AREA) for i in picked]
    else:
        tiles = [frames[i].copy() for i in picked]
    n_cols = int(np.ceil(np.sqrt(len(tiles)))) if n_cols is None else min(n_cols, len(tiles))
    n_rows = int(np.ceil(len(tiles) / n_cols))
    tile_h, tile_w = tiles[0].shape[:2]
    sheet = np.zeros((n_rows * tile_h, n_cols * tile_w, 3), dtype=np.uint8)
    scale = max(tile_h, tile_w) / 500
    for k, (i, tile) in enumerate(zip(picked, tiles)):
        for color, weight in (((0, 0, 0), 3), ((255, 255, 255), 1)):  # white text with a dark outline
            cv2.putText(tile, str(first_index + i), (4, int(24 * scale) + 4), cv2.FONT_HERSHEY_SIMPLEX, scale,
                        color, max(1, int(weight * scale * 2)), cv2.LINE_AA)
        row, col = divmod(k, n_cols)
        sheet[row * tile_h:(row + 1) * tile_h, col * tile_w:(col + 1) * tile_w] = tile
    return sheet


def _write_video(path, frames, fps, name):
    """Write ``frames`` to ``path`` (a temporary file); errors speak of ``name``, the file the user asked for."""
    cv2 = _cv2()
    height, width = frames.shape[1:3]
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*_VIDEO_CODECS[path.suffix.lower()]), fps,
                             (width, height))
    if not writer.isOpened():
        raise OSError(f"OpenCV cannot write the video {str(name)!r}; try an .avi output (MJPG codec).")
    for frame in frames:
        writer.write(cv2.cvtColor(frame, cv2.COLOR_RGB2BGR))
    writer.release()


def overlay_pose(video, landmarks, output=None, *, layout="auto", normalized=None, y_up=None, every=1, n_cols=None,
                 tile_width=320, fps=None, colors=None, thickness=None, ax=None):
    """Draw pose landmarks and bones on video frames, to check what a pose extractor saw.

    Every frame gets its landmarks (circles) and bones (lines between a joint and its parent in the
    layout), left and right sides in two colours and centre joints in a third, as in
    :func:`plot_skeleton`. Missing (NaN) landmarks, and bones touching them, are not drawn. The result is
    written as a new video (``.mp4``, ``.mov``, ``.m4v`` or ``.avi`` output, every frame) and/or shown as a
    contact sheet: a grid of every ``every``-th frame, each labelled with its frame index (``.png`` or
    ``.jpg`` output, or ``ax``).

    Parameters
    ----------
    video : str, Path or ndarray of shape (n_frames, height, width, 3)
        A video file (read with OpenCV) or its frames as an RGB ``uint8`` array.
    landmarks : array-like of shape (n_frames, n_joints, 2 or 3)
        One pose per frame, e.g. a pose extractor's output for this one video, ``(1, n_frames, 33, 3)``
        (also accepted as is). Only x and y are drawn; NaN marks a missing landmark or frame.
        :class:`~skemotion.pose.PoseExtractor`'s output says its layout, units and axis convention, so it is
        drawn right with the default parameters.
    output : str, Path or None, default=None
        File to write: a video (``.mp4``, ``.mov``, ``.m4v``: MPEG-4 codec; ``.avi``: Motion-JPEG) or a
        contact sheet image (``.png``, ``.jpg``). None writes nothing.
    layout : "auto", str or SkeletonLayout, default="auto"
        Joint layout of the landmarks, giving the bones and the body sides; ``"auto"`` reads it from the
        landmarks, else from their joint count (33: MediaPipe).
    normalized : bool or None, default=None
        True when x and y are fractions of the image width and height in [0, 1] (MediaPipe); False when
        they are pixels; None reads it from the landmarks (their ``units``), else from their range.
    y_up : bool or None, default=None
        True when y points up (PoseExtractor's default, ``y_up=True``), False for image rows (y down);
        None reads it from the landmarks, else assumes image rows and refuses a pose that would then be
        drawn upside down.
    every : int, default=1
        The contact sheet shows frames 0, every, 2 * every, ...
    n_cols : int or None, default=None
        Columns of the contact sheet; None makes it about square.
    tile_width : int or None, default=320
        Width in pixels of each contact-sheet tile (height keeps the aspect ratio); None keeps full size.
    fps : float or None, default=None
        Frame rate of a video output; None keeps the input video's (30 for an array input).
    colors : dict or None, default=None
        Body-side colours ``{"left": ..., "right": ..., "center": ...}`` (any matplotlib colour).
    thickness : int or None, default=None
        Bone thickness in pixels (joints are drawn with twice this radius); None scales with the image.
    ax : matplotlib Axes or None, default=None
        Axes to show the contact sheet on. When both ``output`` and ``ax`` are None, a new figure is used.

    Returns
    -------
    image : AxesImage or Path
        The contact sheet shown on the axes (``image.get_array()`` holds its pixels); or, when only
        ``output`` is given, the path of the written file.

    Examples
    --------
    >>> import numpy as np
    >>> from skemotion.plotting import overlay_pose
    >>> frames = np.zeros((4, 120, 80, 3), dtype=np.uint8)                  # 4 black 80x120 frames
    >>> landmarks = np.random.default_rng(0).uniform(0.2, 0.8, (4, 33, 3))  # normalised MediaPipe output
    >>> sheet = overlay_pose(frames, landmarks, every=2, tile_width=None)   # frames 0 and 2 side by side
    >>> sheet.get_array().shape
    (120, 160, 3)
    """
    layout = resolve_layout(layout, landmarks, np.shape(landmarks)[-2])
    every = positive_int(every, "every", allow_none=False)
    n_cols, tile_width, thickness = (positive_int(v, name) for v, name in
                                     ((n_cols, "n_cols"), (tile_width, "tile_width"), (thickness, "thickness")))
    output = None if output is None else Path(output)
    if output is not None and output.suffix.lower() not in {*_VIDEO_CODECS, *_IMAGE_SUFFIXES}:
        raise ValueError(
            f"Unknown output type {output.suffix!r}; use a video ({', '.join(sorted(_VIDEO_CODECS))}) or an "
            f"image ({', '.join(sorted(_IMAGE_SUFFIXES))})."
        )
    if output is not None:
        check_writable(output)  # before reading and drawing every frame
    if isinstance(video, (str, Path)):
        frames, video_fps = read_video(video)
    else:
        frames, video_fps = _check_frames(video), None
    xy = _pixel_landmarks(landmarks, frames.shape, layout, normalized, y_up)

    palette = side_colors(colors)
    bone_rgb = [rgb255(palette[SIDES[s]]) for s in bone_sides(layout)]
    joint_rgb = [rgb255(palette[SIDES[s]]) for s in joint_sides(layout)]
    thickness = max(1, round(min(frames.shape[1:3]) / 250)) if thickness is None else thickness
    drawn = frames.copy()
    for image, pose in zip(drawn, xy):
        _draw_pose(image, pose, layout, bone_rgb, joint_rgb, thickness, 2 * thickness)

    if output is not None and output.suffix.lower() in _VIDEO_CODECS:
        with atomic_path(output) as part:  # OpenCV writes to a name, so the name is temporary
            _write_video(part, drawn, fps or video_fps or 30.0, output)
    sheet = None
    if output is not None and output.suffix.lower() in _IMAGE_SUFFIXES:
        sheet = contact_sheet(drawn, every, n_cols, tile_width)
        from PIL import Image

        with atomic_path(output) as part:  # the temporary name keeps the suffix PIL reads the format from
            Image.fromarray(sheet).save(part)
    if ax is None and output is not None:
        return output
    if sheet is None:
        sheet = contact_sheet(drawn, every, n_cols, tile_width)
    if ax is None:
        _, ax = plt.subplots(figsize=(8, 8 * sheet.shape[0] / sheet.shape[1]))
    ax.set_axis_off()
    return ax.imshow(sheet)
