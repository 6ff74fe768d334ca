"""Readers and writers: motion-capture files (BVH), videos and images."""

from ._bvh import BVHError, BVHMotion, read_bvh, write_bvh
from ._video import iter_video_frames, read_image, read_video, video_frame_rate

__all__ = ["BVHError", "BVHMotion", "iter_video_frames", "read_bvh", "read_image", "read_video",
           "video_frame_rate", "write_bvh"]
