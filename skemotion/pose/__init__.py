"""Pose estimation: skeleton sequences from videos and photos with MediaPipe's PoseLandmarker.

The output is in the MediaPipe-33 layout (``skemotion.skeleton.get_layout("mediapipe33")``) and feeds the
skeleton estimators, e.g. ``SkeletonNormalizer(layout="mediapipe33", to_common=True)``.
"""

from ._extractor import PoseExtractor, PoseNotFoundWarning
from ._model import MODEL_ENV_VAR, download_model, model_cache_dir, resolve_model_path

__all__ = [
    "MODEL_ENV_VAR",
    "PoseExtractor",
    "PoseNotFoundWarning",
    "download_model",
    "model_cache_dir",
    "resolve_model_path",
]
