"""Readers and writers: motion-capture files, model files, and safe loading of files made elsewhere."""

from ._bvh import BVHError, BVHMotion, read_bvh, write_bvh
from ._model import default_trusted_types, load_model, model_versions, save_model
from ._safe import RestrictedUnpickler, UnsafeFileError, safe_extract, safe_pickle_load, sha256sum

__all__ = [
    "BVHError",
    "BVHMotion",
    "RestrictedUnpickler",
    "UnsafeFileError",
    "default_trusted_types",
    "load_model",
    "model_versions",
    "read_bvh",
    "safe_extract",
    "safe_pickle_load",
    "save_model",
    "sha256sum",
    "write_bvh",
]
