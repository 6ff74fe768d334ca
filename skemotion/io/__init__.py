"""Readers and writers for motion-capture and keypoint files."""

from ._bvh import BVHError, BVHMotion, read_bvh, write_bvh
from ._c3d import read_c3d
from ._keypoints import read_keypoints_json

__all__ = ["BVHError", "BVHMotion", "read_bvh", "read_c3d", "read_keypoints_json", "write_bvh"]
