"""PoseExtractor: videos, photos and frame arrays to MediaPipe-33 skeleton sequences."""

import os
import warnings
from numbers import Integral, Real

import numpy as np
from joblib import Parallel, delayed
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.utils._param_validation import Interval, StrOptions
from tqdm.auto import tqdm

from ..io import PartialReadWarning, VideoSegment, video_frame_rate
from ..io._video import claimed_frame_count
from ..skeleton import get_layout, with_metadata
from ..utils._parallel import effective_workers
from ._mediapipe import (
    N_LANDMARKS,
    LandmarkerConfig,
    extract_images,
    extract_sequence,
    is_image_path,
)
from ._model import MODEL_VARIANTS, resolve_model_path
from ._native_log import native_log_wanted, quiet_native_log

_UNITS = {"normalized": "normalized", "pixels": "pixels", "world": "m"}


class PoseNotFoundWarning(UserWarning):
    """No person was detected in a whole input (its frames are all NaN)."""


class PoseExtractor(TransformerMixin, BaseEstimator):
    """Skeleton sequences from videos, video segments, photos or frame arrays with MediaPipe's PoseLandmarker.

    Each input becomes a sequence of poses in the MediaPipe-33 layout
    (:func:`skemotion.skeleton.get_layout` ``("mediapipe33")``); the sequences are stacked into one
    NaN-padded :class:`~skemotion.skeleton.SkeletonArray` ``(n_samples, n_frames, 33, 3)`` that carries the
    layout, each video's frame rate (its header's rate divided by ``frame_step``; NaN for photos), the axis
    convention (``y_up``) and the units, so it feeds the skeleton estimators and the plots with their
    default parameters, e.g. ``SkeletonNormalizer(to_common=True)`` or ``overlay_pose``. Videos and frame
    arrays run in MediaPipe's
    VIDEO mode (the person is tracked from frame to frame), photos in IMAGE mode. Each worker opens one
    landmarker per video (tracking state must not leak from one video into the next) or one for all of its
    photos, reuses it for every frame and always closes it. A :class:`VideoSegment` is a frame range of a
    video with, optionally, the box of the one person to track (an annotation's person box): each frame is
    cropped to that box grown by ``box_margin``, MediaPipe runs on the crop, and the landmarks are mapped
    back to coordinates of the whole frame, so that the annotated person is tracked and not whoever is
    largest in the frame.

    The estimator is stateless: ``fit`` only checks the parameters, and ``transform`` needs no fit.

    Parameters
    ----------
    model_asset_path : str, Path or None, default=None
        MediaPipe PoseLandmarker ``.task`` bundle. ``None`` uses the environment variable
        ``SKEMOTION_POSE_MODEL``, else ``~/.cache/skemotion/pose_landmarker_{model_variant}.task`` (see
        :func:`download_model`).
    coordinates : {"normalized", "pixels", "world"}, default="normalized"
        ``"normalized"``: MediaPipe's image coordinates, x and y in [0, 1] of the frame width and height, z
        the depth relative to the hips on about the scale of x. ``"pixels"``: the same in pixels (x times
        the width, y times the height, z times the width), so that the three axes share one unit.
        ``"world"``: MediaPipe's metric 3-D estimate, in metres, centred on the hips.
    y_up : bool, default=True
        MediaPipe's y axis points down (image rows) and z away from the camera. With ``y_up=True`` the
        coordinates are turned half a turn about the x axis, ``(x, y, z) -> (x, -y, -z)`` (``1 - y`` for
        normalized coordinates, ``height - y`` for pixels), which gives the toolkit's convention: y up,
        right-handed, as in motion capture. A rotation, unlike flipping y alone, does not mirror the body,
        so left and right joints stay left and right for ``SkeletonNormalizer(align_yaw=True)``.
        ``False`` returns MediaPipe's own coordinates.
    min_visibility : float in [0, 1], default=0.5
        Landmarks whose visibility score is below this become NaN.
    frame_step : int, default=1
        Keep every ``frame_step``-th frame of videos and frame arrays (skipped frames are not decoded).
    max_frames : int or None, default=None
        Keep at most this many frames per input.
    num_poses : int, default=1
        Most poses MediaPipe detects per frame.
    person : {"largest", "most_visible"} or int, default="largest"
        Which detected pose to keep when there are several: the largest bounding box, the highest mean
        visibility, or the one at this index in MediaPipe's output (NaN frames when fewer are found).
    min_detection_confidence, min_tracking_confidence : float in [0, 1], default=0.5
        MediaPipe's thresholds for detecting a person and for keeping track of it.
    frame_rate : float, default=30.0
        Frames per second of frame arrays (for MediaPipe's timestamps), and of videos whose header does not
        say (with a warning naming the video).
    box_margin : float >= 0, default=0.25
        For :class:`VideoSegment` inputs with boxes: the crop is the box grown by this fraction of its width
        (height) on the left and right (top and bottom), clipped to the frame. MediaPipe's detector needs
        some context around the body, and annotated boxes often cut off a hand or a foot.
    model_variant : {"lite", "full", "heavy"}, default="full"
        Model looked up in the cache when neither ``model_asset_path`` nor the variable is set.
    on_error : {"raise", "warn"}, default="raise"
        What to do with an input that cannot be read (missing, not a video, no frame): raise, or warn and
        give it zero frames.
    n_jobs : int or None, default=None
        Largest number of inputs processed at once, in threads through joblib (``None`` means 1 unless in a
        :func:`joblib.parallel_backend` context; -1 uses every core). Each worker loads its own model, so
        fewer run when there are fewer than ``MIN_FRAMES_PER_WORKER`` (500) frames per worker; the poses
        never depend on it.
    verbose : int, default=0
        Show a progress bar over the inputs when > 0; from 2 on, also MediaPipe's own log (LiteRT and
        glog lines on stderr, about fifty per run), which is silenced otherwise. Setting the environment
        variable ``SKEMOTION_MEDIAPIPE_LOG=1`` shows that log too, e.g. for ``skemotion extract``.

    See Also
    --------
    skemotion.motion.SkeletonNormalizer : maps MediaPipe-33 onto the common layout.

    Notes
    -----
    ``transform`` returns the padded array only; :meth:`extract` also returns the number of frames of each
    input, which keeps trailing frames without a person (all NaN) apart from padding.

    Examples
    --------
    >>> from skemotion.pose import PoseExtractor
    >>> from skemotion.io import VideoSegment
    >>> extractor = PoseExtractor(model_asset_path="../shared/data/models/pose_landmarker_full.task",
    ...                           coordinates="world", max_frames=4)
    >>> poses, lengths = extractor.extract(["../shared/data/video/tfjs_pose_squats.mp4"])
    >>> poses.shape, lengths
    ((1, 4, 33, 3), array([4]))
    >>> bool(poses[0, 0, 0, 1] > poses[0, 0, 23, 1])  # y up: the nose is above the left hip
    True

    One person of a street scene, by the box around her (x, y, width, height in fractions of the frame):

    >>> woman = VideoSegment("../shared/data/video/mmpose_demo_street_walking.mp4", 0, 2,
    ...                      boxes=[(0, 0.50, 0.27, 0.09, 0.36)])
    >>> poses = PoseExtractor(model_asset_path="../shared/data/models/pose_landmarker_full.task",
    ...                       y_up=False).transform([woman])
    >>> bool(0.50 < poses[0, 0, 0, 0] < 0.59)  # her nose, in fractions of the whole frame's width
    True
    """

    _parameter_constraints = {
        "model_asset_path": [str, os.PathLike, None],
        "coordinates": [StrOptions({"normalized", "pixels", "world"})],
        "y_up": ["boolean"],
        "min_visibility": [Interval(Real, 0, 1, closed="both")],
        "frame_step": [Interval(Integral, 1, None, closed="left")],
        "max_frames": [Interval(Integral, 1, None, closed="left"), None],
        "num_poses": [Interval(Integral, 1, None, closed="left")],
        "person": [StrOptions({"largest", "most_visible"}), Interval(Integral, 0, None, closed="left")],
        "min_detection_confidence": [Interval(Real, 0, 1, closed="both")],
        "min_tracking_confidence": [Interval(Real, 0, 1, closed="both")],
        "frame_rate": [Interval(Real, 0, None, closed="neither")],
        "box_margin": [Interval(Real, 0, None, closed="left")],
        "model_variant": [StrOptions(set(MODEL_VARIANTS))],
        "on_error": [StrOptions({"raise", "warn"})],
        "n_jobs": [Integral, None],
        "verbose": ["verbose"],
    }

    def __init__(self, model_asset_path=None, coordinates="normalized", y_up=True, min_visibility=0.5,
                 frame_step=1, max_frames=None, num_poses=1, person="largest", min_detection_confidence=0.5,
                 min_tracking_confidence=0.5, frame_rate=30.0, box_margin=0.25, model_variant="full",
                 on_error="raise", n_jobs=None, verbose=0):
        self.model_asset_path = model_asset_path
        self.coordinates = coordinates
        self.y_up = y_up
        self.min_visibility = min_visibility
        self.frame_step = frame_step
        self.max_frames = max_frames
        self.num_poses = num_poses
        self.person = person
        self.min_detection_confidence = min_detection_confidence
        self.min_tracking_confidence = min_tracking_confidence
        self.frame_rate = frame_rate
        self.box_margin = box_margin
        self.model_variant = model_variant
        self.on_error = on_error
        self.n_jobs = n_jobs
        self.verbose = verbose

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X=None, y=None):
        """Check the parameters; nothing is learned.

        Parameters
        ----------
        X : ignored
            The inputs are only read by :meth:`transform`.
        y : ignored

        Returns
        -------
        self : PoseExtractor
        """
        return self

    def transform(self, X):
        """Extract the poses of every input.

        Parameters
        ----------
        X : list of str, Path, VideoSegment or ndarray
            Video files, video segments (:class:`VideoSegment`: a frame range and the box of the person to
            track), image files (by extension: .jpg, .png, ...) or frame arrays
            ``(n_frames, height, width, 3)`` of RGB uint8.

        Returns
        -------
        poses : SkeletonArray of shape (n_samples, n_frames, 33, 3)
            NaN where a landmark is not visible, no person is found, or after the end of a shorter input;
            carries the layout, frame rates, axis convention and units (see :meth:`extract`).
        """
        return self.extract(X)[0]

    def extract(self, X):
        """Extract the poses of every input and return them with the number of frames of each.

        Parameters
        ----------
        X : list of str, Path, VideoSegment or ndarray
            See :meth:`transform`.

        Returns
        -------
        poses : SkeletonArray of shape (n_samples, n_frames, 33, 3)
            ``poses.frame_rate`` holds each input's frame rate.
        lengths : ndarray of shape (n_samples,)
            Frames read from each input (0 for an input skipped with ``on_error="warn"``).
        """
        self._validate_params()
        sources = _check_sources(X)
        config = self._config()
        workers = effective_workers(self.n_jobs, self._frames_of_work(sources), MIN_FRAMES_PER_WORKER)
        tasks = self._tasks(sources, config, workers)
        outcomes = [None] * len(sources)
        # Threads: MediaPipe and OpenCV release the GIL, and processes pay a start-up and model load each
        # (benchmarks/bench_parallel.py: 1.04x with threads, 0.66x with processes, on 2 cores). Every worker
        # loads its own model, and MediaPipe already infers on more than one thread, so a second worker pays
        # only for long work: below MIN_FRAMES_PER_WORKER frames per worker, fewer workers. A backend the
        # user chooses (joblib.parallel_config: Dask, Ray) still wins.
        parallel = Parallel(n_jobs=workers, prefer="threads", return_as="generator")
        # MediaPipe's native log is silenced around the whole run (thread workers share this process's
        # stderr); the progress bar is made inside, so it writes to the real stderr.
        with quiet_native_log(not config.native_log), tqdm(total=len(sources), desc="PoseExtractor",
                                                           unit="input", disable=not self.verbose) as bar:
            for result in parallel(tasks):
                for outcome in result if isinstance(result, list) else [result]:
                    outcomes[outcome.index] = outcome
                    bar.update()
        poses, lengths = self._collect(outcomes, sources)
        rates = [self._frame_rate(source) for source in sources]
        return with_metadata(poses, layout=get_layout("mediapipe33"), frame_rate=rates,
                             y_up=self.y_up, units=_UNITS[self.coordinates]), lengths

    def _frames_of_work(self, sources):
        """Frames to infer on: what the video headers claim (a photo is one frame), over ``frame_step``."""
        frames = 0
        for source in sources:
            if isinstance(source, np.ndarray):
                count = len(source)
            elif isinstance(source, VideoSegment):
                count = source.n_frames
            elif is_image_path(source):
                count = self.frame_step
            else:
                count = claimed_frame_count(source) or self.frame_step
            if self.max_frames is not None:
                count = min(count, self.max_frames * self.frame_step)
            frames += count / self.frame_step
        return frames

    def _frame_rate(self, source):
        """Frames per second of the extracted sequence: the video's rate over ``frame_step``; None for photos."""
        if is_image_path(source):
            return None
        if isinstance(source, np.ndarray):
            rate = self.frame_rate
        else:
            rate = _stated_rate(source.path if isinstance(source, VideoSegment) else source)
        if rate is None:
            warnings.warn(f"The video {source} does not say its frame rate; using frame_rate={self.frame_rate:g}.",
                          RuntimeWarning, stacklevel=4)
            rate = self.frame_rate
        return rate / self.frame_step

    def _config(self):
        model_path = resolve_model_path(self.model_asset_path, self.model_variant)
        names = [f.name for f in LandmarkerConfig.__dataclass_fields__.values()
                 if f.name not in {"model_path", "native_log"}]
        return LandmarkerConfig(model_path=str(model_path), native_log=native_log_wanted(self.verbose),
                                **{name: getattr(self, name) for name in names})

    def _tasks(self, sources, config, workers):
        """One task per video or frame array; photos in one chunk per worker, sharing an IMAGE landmarker."""
        images = [(i, s) for i, s in enumerate(sources) if is_image_path(s)]
        tasks = [delayed(extract_sequence)(i, s, config) for i, s in enumerate(sources) if not is_image_path(s)]
        n_chunks = min(len(images), workers)
        tasks += [delayed(extract_images)(images[k::n_chunks], config) for k in range(n_chunks)]
        return tasks

    def _collect(self, outcomes, sources):
        for outcome in outcomes:
            if outcome.error is not None:
                if self.on_error == "raise":
                    raise outcome.error
                warnings.warn(f"Skipped input {outcome.index}: {outcome.error}", RuntimeWarning, stacklevel=3)
            elif outcome.warning is not None:
                warnings.warn(outcome.warning, PoseNotFoundWarning, stacklevel=3)
            if outcome.partial is not None:
                warnings.warn(outcome.partial, PartialReadWarning, stacklevel=3)
        lengths = np.array([0 if o.poses is None else len(o.poses) for o in outcomes])
        poses = np.full((len(sources), max(lengths.max(), 1), N_LANDMARKS, 3), np.nan)
        for outcome, length in zip(outcomes, lengths):
            if length:
                poses[outcome.index, :length] = outcome.poses
        return poses, lengths

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        # Inputs are file paths or stacks of RGB frames, never a numeric feature matrix: scikit-learn's
        # common checks do not apply (tests/test_pose.py runs those that do).
        tags.input_tags.two_d_array = False
        tags.input_tags.string = True
        tags.requires_fit = False
        return tags


# A second pose worker repays its model load and its share of the cores from about this many frames.
MIN_FRAMES_PER_WORKER = 500


def _stated_rate(path):
    try:
        return video_frame_rate(path)
    except (OSError, ValueError):  # an unreadable video was already reported by the extraction
        return None


def _check_sources(X):
    """A list of paths or 4-D uint8 RGB frame arrays; anything else raises a clear error."""
    if isinstance(X, (str, os.PathLike)):
        raise TypeError(f"X must be a list of inputs; got a single path {str(X)!r}: pass [{str(X)!r}].")
    if isinstance(X, VideoSegment):
        raise TypeError(f"X must be a list of inputs; got a single VideoSegment {X}: pass [segment].")
    if isinstance(X, np.ndarray) and X.dtype == np.uint8 and X.ndim == 4:
        raise TypeError(
            f"X must be a list of inputs; got one frame array of shape {X.shape}: pass [frames] for one video."
        )
    try:
        sources = list(X)
    except TypeError:
        raise TypeError(f"X must be a list of video/image paths, VideoSegments or frame arrays, got "
                        f"{type(X).__name__}.") from None
    if not sources:
        raise ValueError("X is empty: pass at least one video, image or frame array.")
    for i, source in enumerate(sources):
        if isinstance(source, (str, os.PathLike)):
            sources[i] = os.fspath(source)
            continue
        if isinstance(source, VideoSegment):
            continue
        frames = np.asarray(source)
        if frames.ndim != 4 or frames.shape[-1] != 3 or frames.dtype != np.uint8 or frames.shape[0] == 0:
            raise ValueError(
                f"Input {i} is an array of shape {frames.shape} and dtype {frames.dtype}; frame arrays must be "
                "(n_frames, height, width, 3) RGB uint8 with at least one frame (add a leading axis for one "
                "image: image[None])."
            )
        sources[i] = frames
    return sources
