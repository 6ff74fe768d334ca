"""Skeleton joint layouts and the common body layout every layout maps onto.

A layout names the joints of a skeleton array ``(n_samples, n_frames, n_joints, 3)``, gives each joint's
parent (the bones) and the left/right pairs swapped by mirroring. Registered layouts: ``"body16"`` (the
common layout, in the 16-joint Emotion-Gait / EWalk order), ``"ewalk16"``, ``"mediapipe33"``, ``"coco17"``
and ``"mpii16"``; a motion-capture rig read from a BVH file becomes a layout with :func:`layout_from_rig`.
"""

from ._layout import (
    COMMON_LAYOUT,
    SkeletonLayout,
    convert_layout,
    get_layout,
    layout_from_rig,
    list_layouts,
    register_layout,
    yaw_rotation,
)

__all__ = [
    "COMMON_LAYOUT",
    "SkeletonLayout",
    "convert_layout",
    "get_layout",
    "layout_from_rig",
    "list_layouts",
    "register_layout",
    "yaw_rotation",
]
