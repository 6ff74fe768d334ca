"""The bottom layer of skeleton data: joint layouts, arrays that carry their metadata, and kinematics.

A layout names the joints of a skeleton array ``(n_samples, n_frames, n_joints, 3)``, gives each joint's
parent (the bones) and the left/right pairs swapped by mirroring. Registered layouts: ``"body16"`` (the
common layout, in the 16-joint Emotion-Gait / EWalk order), ``"ewalk16"``, ``"mediapipe33"``, ``"coco17"``
and ``"mpii16"``; a motion-capture rig read from a BVH file becomes a layout with :func:`layout_from_rig`.

A :class:`SkeletonArray` carries its layout, frame rate and axis convention, so that every step of a
pipeline reads them from the data (:func:`with_metadata`, :func:`skeleton_metadata`,
:func:`resolve_layout`, :func:`check_frame_rate`). Time derivatives, rotations about the vertical and
joint naming live here too (:func:`finite_difference`, :func:`yaw_rotation`), so that motion features,
signatures and samplers share one definition of each.
"""

from ._array import (
    SkeletonArray,
    SkeletonMetadata,
    check_frame_rate,
    resolve_layout,
    skeleton_metadata,
    with_metadata,
)
from ._kinematics import axis_name, difference_weights, finite_difference, joint_names, yaw_rotation
from ._layout import (
    COMMON_LAYOUT,
    SkeletonLayout,
    convert_layout,
    get_layout,
    layout_from_rig,
    list_layouts,
    register_layout,
)
from ._temporal import fill_gaps, resample

__all__ = [
    "COMMON_LAYOUT",
    "SkeletonArray",
    "SkeletonLayout",
    "SkeletonMetadata",
    "axis_name",
    "check_frame_rate",
    "convert_layout",
    "difference_weights",
    "fill_gaps",
    "finite_difference",
    "get_layout",
    "joint_names",
    "layout_from_rig",
    "list_layouts",
    "register_layout",
    "resample",
    "resolve_layout",
    "skeleton_metadata",
    "with_metadata",
    "yaw_rotation",
]
