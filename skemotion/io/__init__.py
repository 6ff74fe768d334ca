"""Readers and writers for motion-capture files."""

from ._bvh import BVHError, BVHMotion, read_bvh, write_bvh

__all__ = ["BVHError", "BVHMotion", "read_bvh", "write_bvh"]
