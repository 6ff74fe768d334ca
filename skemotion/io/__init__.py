"""Readers and writers: motion capture (BVH, C3D), keypoint JSON, videos, video segments and images, model
files, and safe loading of files made elsewhere."""

from ._bvh import BVHError, BVHMotion, read_bvh, read_bvh_files, write_bvh
from ._c3d import PLUG_IN_GAIT, markers_to_body16, read_c3d
from ._keypoints import read_keypoints_json
from ._model import default_trusted_types, load_model, model_versions, save_model
from ._retarget import skeleton_to_bvh
from ._safe import RestrictedUnpickler, UnsafeFileError, safe_extract, safe_pickle_load, sha256sum
from ._segment import VideoSegment
from ._video import PartialReadWarning, iter_video_frames, read_image, read_video, video_frame_rate

__all__ = [
    "BVHError",
    "BVHMotion",
    "PLUG_IN_GAIT",
    "PartialReadWarning",
    "RestrictedUnpickler",
    "UnsafeFileError",
    "VideoSegment",
    "default_trusted_types",
    "iter_video_frames",
    "load_model",
    "markers_to_body16",
    "model_versions",
    "read_bvh",
    "read_bvh_files",
    "read_c3d",
    "read_image",
    "read_keypoints_json",
    "read_video",
    "safe_extract",
    "safe_pickle_load",
    "save_model",
    "sha256sum",
    "skeleton_to_bvh",
    "video_frame_rate",
    "write_bvh",
]
