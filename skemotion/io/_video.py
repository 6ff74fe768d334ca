"""Video and image files read into RGB uint8 arrays, decoded by OpenCV.

OpenCV (``cv2``, installed with mediapipe) is imported on first use, so that ``import skemotion`` stays light.
Frames come out as RGB, the order MediaPipe and matplotlib expect; OpenCV itself decodes to BGR.
"""

import warnings
from contextlib import contextmanager
from pathlib import Path

import numpy as np


def _cv2():
    import cv2

    return cv2


@contextmanager
def _open_video(path):
    """An opened ``cv2.VideoCapture``, always released; a clear error when the file cannot be opened."""
    if not Path(path).is_file():
        raise FileNotFoundError(f"Cannot open the video {str(path)!r}: no such file.")
    cv2 = _cv2()
    capture = cv2.VideoCapture(str(path))
    try:
        if not capture.isOpened():
            raise ValueError(f"Cannot open the video {str(path)!r}: OpenCV cannot read it as a video "
                             "(corrupt or not a video).")
        yield capture
    finally:
        capture.release()


def _frame_rate(capture):
    """The container's frame rate, or None when it does not state a usable one."""
    rate = capture.get(_cv2().CAP_PROP_FPS)
    return float(rate) if rate and np.isfinite(rate) and rate > 0 else None


class PartialReadWarning(UserWarning):
    """A file gave fewer frames than its header claims (a truncated or damaged video): the result is shorter.

    The message names the file and both numbers. Turn it into an error with
    ``warnings.simplefilter("error", PartialReadWarning)``.
    """


def timestamp_ms(index, rate, previous=-1):
    """Integer millisecond timestamp of frame ``index`` at ``rate`` fps, after the ``previous`` one.

    ``round(index * 1000 / rate)`` alone repeats a value above 1000 fps, and MediaPipe's VIDEO mode refuses
    a timestamp that does not increase; a collision moves to one millisecond after ``previous``.

    Examples
    --------
    >>> from skemotion.io._video import timestamp_ms
    >>> stamps = [-1]
    >>> for index in range(4):
    ...     stamps.append(timestamp_ms(index, 2000.0, stamps[-1]))
    >>> stamps[1:]
    [0, 1, 2, 3]
    """
    return max(int(round(index * 1000.0 / rate)), previous + 1)


def _claimed_frame_count(capture):
    count = capture.get(_cv2().CAP_PROP_FRAME_COUNT)
    return int(count) if count and np.isfinite(count) and count > 0 else None


def _decode(capture, path, frame_step, max_frames, first=0):
    """Yield ``(index, rgb)`` of every ``frame_step``-th frame; skipped frames are grabbed, not decoded.

    ``first`` is the index of the frame the capture stands at (after a seek); indices are the video's own.
    A video that ends before the frame count of its header warns (:class:`PartialReadWarning`) with both
    numbers, so that a truncated file never gives a shorter result without a word.
    """
    cv2 = _cv2()
    index, kept = first, 0
    claimed = _claimed_frame_count(capture)
    while max_frames is None or kept < max_frames:
        if (index - first) % frame_step:
            if not capture.grab():
                break
        else:
            ok, bgr = capture.read()
            if not ok:
                break
            yield index, cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
            kept += 1
        index += 1
    if kept == 0:
        raise ValueError(f"Cannot read the video {str(path)!r}: it has no decodable frame (empty or not a video).")
    stopped_early = max_frames is not None and kept >= max_frames
    if claimed is not None and index < claimed and not stopped_early:
        warnings.warn(f"The video {str(path)!r} decoded only {index} of the {claimed} frames its header claims "
                      "(truncated or damaged); the result is shorter.", PartialReadWarning, stacklevel=3)


def claimed_frame_count(path):
    """Frames a video's header claims, or None when it claims none or the file cannot be opened."""
    try:
        with _open_video(path) as capture:
            return _claimed_frame_count(capture)
    except (OSError, ValueError):
        return None


def video_frame_rate(path):
    """Frames per second that a video's header states, or None when it states none.

    Examples
    --------
    >>> from skemotion.io import video_frame_rate
    >>> video_frame_rate("../shared/data/video/tfjs_pose_squats.mp4")
    5.0
    """
    with _open_video(path) as capture:
        return _frame_rate(capture)


def iter_video_frames(path, *, frame_step=1, max_frames=None, fallback_rate=30.0):
    """Yield ``(timestamp_ms, rgb_frame)`` for every ``frame_step``-th frame of a video file.

    Frames are decoded one at a time, so a long video never sits in memory whole.

    Parameters
    ----------
    path : str or path-like
        Video file (any container and codec that OpenCV's FFmpeg build reads).
    frame_step : int, default=1
        Keep every ``frame_step``-th frame (the others are skipped without decoding).
    max_frames : int or None, default=None
        Stop after this many kept frames.
    fallback_rate : float, default=30.0
        Frame rate for the timestamps when the file does not state one.

    Yields
    ------
    timestamp_ms : int
        Time of the frame from the start of the video, in milliseconds; strictly increasing at any frame
        rate (above 1000 fps, a frame that would round onto its predecessor's millisecond gets the next one).
    rgb_frame : ndarray of shape (height, width, 3), dtype uint8

    Raises
    ------
    FileNotFoundError
        When the file does not exist.
    ValueError
        When OpenCV cannot open it as a video, or it has no decodable frame.

    Warns
    -----
    PartialReadWarning
        When the video ends before the frame count its header claims.

    See Also
    --------
    read_video : all frames at once, with the frame rate.
    """
    with _open_video(path) as capture:
        rate = _frame_rate(capture) or fallback_rate
        previous = -1
        for index, rgb in _decode(capture, path, frame_step, max_frames):
            previous = timestamp_ms(index, rate, previous)
            yield previous, rgb


def read_video(path):
    """All frames of a video file as one RGB array, and the frame rate the file states.

    Parameters
    ----------
    path : str or path-like
        Video file.

    Returns
    -------
    frames : ndarray of shape (n_frames, height, width, 3), dtype uint8
    frame_rate : float or None
        Frames per second, or None when the file does not state it.

    Raises
    ------
    FileNotFoundError
        When the file does not exist.
    ValueError
        When OpenCV cannot open it as a video, or it has no decodable frame.

    Examples
    --------
    >>> import cv2, tempfile, pathlib
    >>> import numpy as np
    >>> from skemotion.io import read_video
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "grey.avi"
    >>> writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 10.0, (32, 24))
    >>> for _ in range(3):
    ...     _ = writer.write(np.full((24, 32, 3), 128, np.uint8))
    >>> writer.release()
    >>> frames, rate = read_video(path)
    >>> frames.shape, frames.dtype.name, rate
    ((3, 24, 32, 3), 'uint8', 10.0)
    """
    with _open_video(path) as capture:
        rate = _frame_rate(capture)
        frames = [rgb for _, rgb in _decode(capture, path, 1, None)]
    return np.stack(frames), rate


def read_image(path):
    """An image file as an RGB uint8 array ``(height, width, 3)``.

    Raises
    ------
    FileNotFoundError
        When the file does not exist.
    ValueError
        When OpenCV cannot decode it.
    """
    if not Path(path).is_file():
        raise FileNotFoundError(f"Cannot open the image {str(path)!r}: no such file.")
    cv2 = _cv2()
    bgr = cv2.imread(str(path), cv2.IMREAD_COLOR)
    if bgr is None:
        raise ValueError(f"Cannot read the image {str(path)!r}: OpenCV cannot decode it.")
    return cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB)
