"""Joint positions to a BVH rig: bone-direction inverse kinematics, so any skeleton sequence opens in a viewer.

A BVH file stores one rotation per joint, applied to the offsets of all its children. A joint with several
children (a pelvis with a spine and two hips) can then only move them rigidly together, which generated or
measured positions rarely do exactly. The rig written here gives every bone its own rotation: a joint with
several children gets one zero-offset helper joint per child (``"<joint>_to_<child>"``), and each
rotation is the smallest one that turns the bone's rest offset onto its direction in the frame (no twist:
a skeleton of points has none). Forward kinematics of the file then puts every joint of the sequence back
where it was, up to the bone lengths (one per bone: the sequence's median) and the file's decimals.
"""

from numbers import Real

import numpy as np
from scipy.spatial.transform import Rotation

from ._bvh import BVHMotion

_ROOT_CHANNELS = ("Xposition", "Yposition", "Zposition", "Zrotation", "Xrotation", "Yrotation")
_CHANNELS = ("Zrotation", "Xrotation", "Yrotation")  # BVH's usual order: R = Rz @ Rx @ Ry
_END_SITE_FRACTION = 0.25  # an end site continues the last bone by this fraction of its length


def _swing(a, b):
    """Rotation matrices, shape (n, 3, 3), of the smallest rotations that turn unit vector ``a`` onto each ``b``."""
    axis = np.cross(a, b)
    sin, cos = np.linalg.norm(axis, axis=-1), b @ a  # unit vectors: no scale left to overflow or underflow
    angle = np.arctan2(sin, cos)
    # angle / sin tends to 1 for nearly equal vectors, so the rotation vector stays exact down to sin = 0.
    ratio = np.divide(angle, sin, out=np.ones_like(sin), where=sin > 0)
    # Opposite vectors (or nearly): any axis perpendicular to a will do.
    fallback = np.cross(a, [1.0, 0, 0] if abs(a[0]) < 0.9 else [0, 1.0, 0])
    fallback = fallback / np.linalg.norm(fallback) * angle[:, None]
    rotvec = np.where(((cos < 0) & (sin < 1e-9))[:, None], fallback, axis * ratio[:, None])
    return Rotation.from_rotvec(rotvec).as_matrix()


def _rig(parents, joint_names):
    """BVH joints: the layout's joints, plus one helper per child of a joint with several children.

    Returns names, BVH parents, the index in the sequence of each BVH joint (-1 for a helper) and, for each
    BVH joint, the sequence joint of the bone it rotates (-1 if none).
    """
    children = [[c for c in range(len(parents)) if parents[c] == j] for j in range(len(parents))]
    names, bvh_parents, source, bone_child = [], [], [], []

    def add(name, parent, joint, child):
        names.append(name)
        bvh_parents.append(parent)
        source.append(joint)
        bone_child.append(child)
        return len(names) - 1

    def visit(joint, bvh_parent):
        kids = children[joint]
        me = add(joint_names[joint], bvh_parent, joint, kids[0] if len(kids) == 1 else -1)
        for kid in kids:
            owner = me if len(kids) == 1 else add(f"{joint_names[joint]}_to_{joint_names[kid]}", me, -1, kid)
            visit(kid, owner)

    for root in np.flatnonzero(np.asarray(parents) < 0):
        visit(int(root), -1)
    return names, np.array(bvh_parents), np.array(source), np.array(bone_child)


def skeleton_to_bvh(sequence, layout, *, frame_rate, joint_names=None):
    """A skeleton sequence as a :class:`BVHMotion` on a rig built from its layout, by bone-direction IK.

    The rest pose is the sequence's first frame with every bone at its median length; each frame's joint
    rotations turn the rest bones onto that frame's bone directions (see the module's notes). Write it with
    :func:`write_bvh`; :func:`read_bvh` of the file gives the sequence's joints back (``positions`` of the
    joints named like the layout's), with every bone direction as in the sequence, at any scale of the
    coordinates (``1e-170`` to ``1e150``: lengths are never squared). Two joints that coincide in every
    frame keep a bone of length 0; a bone of zero length in some frames only is refused, naming the joints
    and the frame, since its direction there is undefined.

    Parameters
    ----------
    sequence : array-like of shape (n_frames, n_joints, 3)
        Joint positions, complete (no NaN), e.g. a sequence made by
        :class:`~skemotion.samplers.NeuralGasSampler`.
    layout : str, SkeletonLayout or array-like of int
        The joints' layout (its ``parents`` and ``joint_names``), or the parents alone (``-1`` for roots).
    frame_rate : float
        Frames per second.
    joint_names : list of str or None, default=None
        Names of the joints; ``None`` takes the layout's (or ``joint0``, ``joint1``... for bare parents).

    Returns
    -------
    motion : BVHMotion

    Examples
    --------
    >>> import numpy as np
    >>> from skemotion.io import skeleton_to_bvh
    >>> t = np.linspace(0, np.pi, 5)[:, None]
    >>> arm = np.stack([np.zeros((5, 3)), np.c_[np.cos(t), np.sin(t), 0 * t] * 2,
    ...                 np.c_[np.cos(t), np.sin(t) + 1, 0 * t] * 2], axis=1)
    >>> motion = skeleton_to_bvh(arm, [-1, 0, 1], frame_rate=30)
    >>> motion.joint_names
    ['joint0', 'joint1', 'joint2']
    >>> bool(np.allclose(motion.positions, arm))
    True
    """
    sequence = np.asarray(sequence, dtype=float)
    if sequence.ndim != 3 or sequence.shape[2] != 3:
        raise ValueError(f"skeleton_to_bvh needs one sequence of shape (n_frames, n_joints, 3); got {sequence.shape}.")
    if np.isnan(sequence).any():
        raise ValueError("skeleton_to_bvh needs complete sequences; fill the missing (NaN) joints first.")
    if np.isinf(sequence).any():
        raise ValueError("skeleton_to_bvh needs finite coordinates; the sequence holds infinite values.")
    if isinstance(frame_rate, bool) or not isinstance(frame_rate, Real) or not 0 < frame_rate < np.inf:
        raise ValueError(f"skeleton_to_bvh needs a positive finite frame_rate (frames per second), got {frame_rate!r}.")
    parents, joint_names = _parents_and_names(layout, sequence.shape[1], joint_names)
    names, bvh_parents, source, bone_child = _rig(parents, joint_names)
    n_frames = len(sequence)
    bone = np.where(bone_child >= 0, bone_child, 0)
    vectors = sequence[:, bone] - sequence[:, np.where(parents[bone] >= 0, parents[bone], bone)]
    lengths, directions = _bone_directions(vectors, bone_child, joint_names, parents)
    rest = directions[0]
    offsets = np.zeros((len(names), 3))
    global_rot = np.empty((len(names), n_frames, 3, 3))
    local_rot = np.empty_like(global_rot)
    for k, parent in enumerate(bvh_parents):
        if source[k] >= 0 and parent >= 0:  # a layout joint sits at the end of its parent's bone
            offsets[k] = lengths[parent] * rest[parent]
        parent_rot = np.broadcast_to(np.eye(3), (n_frames, 3, 3)) if parent < 0 else global_rot[parent]
        global_rot[k] = _swing(rest[k], directions[:, k]) if bone_child[k] >= 0 else parent_rot
        local_rot[k] = np.swapaxes(parent_rot, -1, -2) @ global_rot[k]
    columns = [sequence[:, source[k]] if parent < 0 else np.empty((n_frames, 0))
               for k, parent in enumerate(bvh_parents)]
    euler = Rotation.from_matrix(local_rot.reshape(-1, 3, 3)).as_euler("ZXY", degrees=True)
    euler = euler.reshape(len(names), n_frames, 3)
    motion = np.hstack([np.hstack([columns[k], euler[k]]) for k in range(len(names))])
    channels = [_ROOT_CHANNELS if parent < 0 else _CHANNELS for parent in bvh_parents]
    leaves = [k for k in range(len(names)) if not np.any(bvh_parents == k)]
    end_sites = {k: _END_SITE_FRACTION * lengths[bvh_parents[k]] * rest[bvh_parents[k]]
                 for k in leaves if bvh_parents[k] >= 0}
    return BVHMotion(joint_names=names, parents=bvh_parents, offsets=offsets, channels=channels, motion=motion,
                     frame_time=1.0 / frame_rate, end_sites=end_sites)


def _bone_directions(vectors, bone_child, joint_names, parents):
    """Median length and unit direction of each BVH joint's bone, free of the coordinates' scale.

    Lengths come from :func:`~skemotion.skeleton._kinematics.vector_norm` (no squaring of ``1e-170`` or
    ``1e160``), so directions are unit vectors at any scale. A bone of zero length in every frame (two
    joints that coincide) keeps length 0 and a fixed direction: forward kinematics still puts the child on
    its parent. A bone of zero length in some frames only has no direction there, and any direction the
    rig chose would put the child a whole bone length away from where it is: refused, naming joint and frame.
    """
    from ..skeleton._kinematics import vector_norm

    norms = vector_norm(vectors)
    zero = (norms == 0) & (bone_child >= 0)
    partly = zero.any(axis=0) & ~zero.all(axis=0)
    if partly.any():
        k = int(np.flatnonzero(partly)[0])
        frame = int(np.flatnonzero(zero[:, k])[0])
        child = bone_child[k]
        raise ValueError(
            f"skeleton_to_bvh: the bone from joint {joint_names[parents[child]]!r} to joint "
            f"{joint_names[child]!r} has zero length in frame "
            f"{frame} (the joints coincide) but not in every frame, so its direction there is undefined; "
            f"move the joints apart or drop the frame.")
    unit = np.divide(vectors, norms[..., None], out=np.zeros_like(vectors), where=norms[..., None] > 0)
    unit[:, zero.all(axis=0) | (bone_child < 0)] = (0.0, 1.0, 0.0)  # any fixed direction: length 0 or unused
    return np.median(norms, axis=0), unit


def _parents_and_names(layout, n_joints, joint_names):
    from ..skeleton import SkeletonLayout, get_layout

    if isinstance(layout, (str, SkeletonLayout)):
        layout = get_layout(layout)
        parents, names = np.asarray(layout.parents), list(layout.joint_names)
    else:
        parents, names = np.asarray(layout, dtype=int), [f"joint{j}" for j in range(len(layout))]
    if len(parents) != n_joints:
        raise ValueError(f"The layout has {len(parents)} joints but the sequence has {n_joints}.")
    if joint_names is not None:
        if len(joint_names) != n_joints:
            raise ValueError(f"Got {len(joint_names)} joint names for {n_joints} joints.")
        names = [str(n) for n in joint_names]
    if any(p >= j for j, p in enumerate(parents)):
        raise ValueError("skeleton_to_bvh needs every joint's parent listed before it in the layout.")
    return parents, names
