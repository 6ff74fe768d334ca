"""Readers and writers for motion-capture files."""

from ._bvh import BVHError, BVHMotion, read_bvh, write_bvh
from ._retarget import skeleton_to_bvh

__all__ = ["BVHError", "BVHMotion", "read_bvh", "skeleton_to_bvh", "write_bvh"]
