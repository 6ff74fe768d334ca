"""Joint layouts: names, kinematic tree, mirror pairs and the map onto the common body layout."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

COMMON_LAYOUT = "body16"


@dataclass(frozen=True)
class SkeletonLayout:
    """A joint layout: joint names, parent of each joint and left/right mirror pairs.

    Parameters
    ----------
    name : str
        Registry name of the layout.
    joint_names : tuple of str
        One name per joint, in array order.
    parents : tuple of int
        Index of each joint's parent, ``-1`` for a root. Usually one root; a layout whose parts are not
        connected (MediaPipe's face landmarks are not linked to its body) has one root per part.
    mirror_pairs : tuple of (str, str)
        Left/right joint name pairs swapped by mirroring.
    common_map : dict or None
        For each joint of the common layout (``"body16"``), the names of this layout's joints whose
        mean gives it, e.g. ``{"root": ("left_hip", "right_hip"), ...}``. ``None`` when the layout
        cannot be mapped.

    Examples
    --------
    >>> from skemotion.skeleton import get_layout
    >>> layout = get_layout("body16")
    >>> layout.n_joints, layout.joint_names[:3]
    (16, ('root', 'spine', 'neck'))
    >>> layout.index("left_hand")
    6
    """

    name: str
    joint_names: tuple
    parents: tuple
    mirror_pairs: tuple = ()
    common_map: dict | None = field(default=None, compare=False)

    def __post_init__(self):
        n = len(self.joint_names)
        if len(set(self.joint_names)) != n:
            raise ValueError(f"Layout {self.name!r} has duplicate joint names.")
        if len(self.parents) != n:
            raise ValueError(f"Layout {self.name!r}: {len(self.parents)} parents for {n} joints.")
        for j, p in enumerate(self.parents):
            if not (p == -1 or 0 <= p < n) or p == j:
                raise ValueError(f"Layout {self.name!r}: joint {j} has invalid parent {p}.")
        for pair in self.mirror_pairs:
            for joint in pair:
                self.index(joint)
        if self.common_map is not None:
            for sources in self.common_map.values():
                for joint in sources:
                    self.index(joint)

    @property
    def n_joints(self):
        """Number of joints."""
        return len(self.joint_names)

    def index(self, joint):
        """Index of a joint given by name (an int is returned unchanged after a range check)."""
        if isinstance(joint, (int, np.integer)):
            if not 0 <= joint < self.n_joints:
                raise ValueError(f"Joint index {joint} out of range for layout {self.name!r}.")
            return int(joint)
        try:
            return self.joint_names.index(joint)
        except ValueError:
            raise ValueError(
                f"Layout {self.name!r} has no joint {joint!r}; joints are {list(self.joint_names)}."
            ) from None

    @property
    def bones(self):
        """(n_bones, 2) array of (parent, child) joint indices."""
        return np.array([(p, j) for j, p in enumerate(self.parents) if p >= 0], dtype=int).reshape(-1, 2)

    @property
    def mirror_permutation(self):
        """Joint permutation that swaps left and right joints (apply along the joint axis)."""
        perm = np.arange(self.n_joints)
        for left, right in self.mirror_pairs:
            i, k = self.index(left), self.index(right)
            perm[i], perm[k] = k, i
        return perm


_REGISTRY: dict[str, SkeletonLayout] = {}


def register_layout(layout, *, overwrite=False):
    """Add a layout to the registry so estimators can refer to it by name.

    Examples
    --------
    >>> from skemotion.skeleton import SkeletonLayout, register_layout, get_layout
    >>> arm = SkeletonLayout("arm3", ("shoulder", "elbow", "wrist"), (-1, 0, 1))
    >>> register_layout(arm, overwrite=True) is get_layout("arm3")
    True
    """
    if not isinstance(layout, SkeletonLayout):
        raise TypeError(f"Expected a SkeletonLayout, got {type(layout).__name__}.")
    if layout.name in _REGISTRY and not overwrite:
        raise ValueError(f"A layout named {layout.name!r} is already registered.")
    _REGISTRY[layout.name] = layout
    return layout


def get_layout(layout):
    """Return a registered layout by name (a :class:`SkeletonLayout` is returned unchanged)."""
    if isinstance(layout, SkeletonLayout):
        return layout
    try:
        return _REGISTRY[layout]
    except (KeyError, TypeError):
        raise ValueError(
            f"Unknown skeleton layout {layout!r}; registered layouts are {sorted(_REGISTRY)}."
        ) from None


def list_layouts():
    """Names of the registered layouts."""
    return sorted(_REGISTRY)


def _layout(name, joints, parent_names, mirror_pairs, common_map):
    """Build a layout from a joint->parent-name table (None for the root)."""
    parents = tuple(-1 if parent_names[j] is None else joints.index(parent_names[j]) for j in joints)
    return SkeletonLayout(name, tuple(joints), parents, tuple(mirror_pairs), common_map)


def _sided(stems, left="left_{}", right="right_{}"):
    return [(left.format(s), right.format(s)) for s in stems]


# --- The common body layout: the 16-joint Emotion-Gait / EWalk order (Bhattacharya et al. 2020) ---
_BODY16 = (
    "root", "spine", "neck", "head",
    "left_shoulder", "left_elbow", "left_hand", "right_shoulder", "right_elbow", "right_hand",
    "left_hip", "left_knee", "left_foot", "right_hip", "right_knee", "right_foot",
)
_BODY16_PARENTS = {
    "root": None, "spine": "root", "neck": "spine", "head": "neck",
    "left_shoulder": "neck", "left_elbow": "left_shoulder", "left_hand": "left_elbow",
    "right_shoulder": "neck", "right_elbow": "right_shoulder", "right_hand": "right_elbow",
    "left_hip": "root", "left_knee": "left_hip", "left_foot": "left_knee",
    "right_hip": "root", "right_knee": "right_hip", "right_foot": "right_knee",
}
_BODY16_PAIRS = _sided(["shoulder", "elbow", "hand", "hip", "knee", "foot"])


def _common_map(root, neck, head, shoulder, elbow, hand, hip, knee, foot, left="left_{}", right="right_{}"):
    """Common-layout map from a layout's own joint names.

    ``root``, ``neck`` and ``head`` are tuples of joint names averaged; the limb arguments are name stems
    formatted with ``left`` / ``right``. The spine is the midpoint of pelvis centre and neck base in every
    layout, so the same body point is used whatever the source.
    """
    mapping = {"root": tuple(root), "spine": tuple(root) + tuple(neck), "neck": tuple(neck), "head": tuple(head)}
    limbs = {"shoulder": shoulder, "elbow": elbow, "hand": hand, "hip": hip, "knee": knee, "foot": foot}
    for side, pattern in (("left", left), ("right", right)):
        for part, stem in limbs.items():
            mapping[f"{side}_{part}"] = (pattern.format(stem),)
    return mapping


def _midpoint_spine(mapping, root, neck):
    """Replace the spine entry by an equal-weight midpoint of root and neck groups (means of means)."""
    # Repeating names weights both groups equally when their sizes differ (e.g. 2 hips + 1 neck joint).
    mapping["spine"] = tuple(root) * len(neck) + tuple(neck) * len(root)
    return mapping


def _identity_map(joints):
    return {j: (j,) for j in joints}


register_layout(_layout(COMMON_LAYOUT, _BODY16, _BODY16_PARENTS, _BODY16_PAIRS, _identity_map(_BODY16)))
register_layout(_layout("ewalk16", _BODY16, _BODY16_PARENTS, _BODY16_PAIRS, _identity_map(_BODY16)))

# --- MediaPipe Pose (BlazePose) 33 landmarks ---
_MP33 = (
    "nose", "left_eye_inner", "left_eye", "left_eye_outer", "right_eye_inner", "right_eye",
    "right_eye_outer", "left_ear", "right_ear", "mouth_left", "mouth_right",
    "left_shoulder", "right_shoulder", "left_elbow", "right_elbow", "left_wrist", "right_wrist",
    "left_pinky", "right_pinky", "left_index", "right_index", "left_thumb", "right_thumb",
    "left_hip", "right_hip", "left_knee", "right_knee", "left_ankle", "right_ankle",
    "left_heel", "right_heel", "left_foot_index", "right_foot_index",
)
# MediaPipe has no pelvis joint: the body tree is rooted at the left hip and follows POSE_CONNECTIONS, in
# which the face is not linked to the body, so the nose roots a second tree.
_MP33_PARENTS = {
    "left_hip": None, "right_hip": "left_hip",
    "left_shoulder": "left_hip", "right_shoulder": "right_hip", "nose": None,
    "left_eye_inner": "nose", "left_eye": "left_eye_inner", "left_eye_outer": "left_eye",
    "left_ear": "left_eye_outer", "right_eye_inner": "nose", "right_eye": "right_eye_inner",
    "right_eye_outer": "right_eye", "right_ear": "right_eye_outer",
    "mouth_left": "nose", "mouth_right": "mouth_left",
}
for _side in ("left", "right"):
    _MP33_PARENTS.update({
        f"{_side}_elbow": f"{_side}_shoulder", f"{_side}_wrist": f"{_side}_elbow",
        f"{_side}_pinky": f"{_side}_wrist", f"{_side}_index": f"{_side}_wrist",
        f"{_side}_thumb": f"{_side}_wrist", f"{_side}_knee": f"{_side}_hip",
        f"{_side}_ankle": f"{_side}_knee", f"{_side}_heel": f"{_side}_ankle",
        f"{_side}_foot_index": f"{_side}_ankle",
    })
_MP33_PAIRS = _sided([
    "eye_inner", "eye", "eye_outer", "ear", "shoulder", "elbow", "wrist", "pinky", "index", "thumb",
    "hip", "knee", "ankle", "heel", "foot_index",
]) + [("mouth_left", "mouth_right")]
_HIPS = ("left_hip", "right_hip")
_SHOULDERS = ("left_shoulder", "right_shoulder")
register_layout(_layout("mediapipe33", _MP33, _MP33_PARENTS, _MP33_PAIRS, _midpoint_spine(
    _common_map(_HIPS, _SHOULDERS, ("left_ear", "right_ear"), "shoulder", "elbow", "wrist", "hip", "knee", "ankle"),
    _HIPS, _SHOULDERS)))

# --- COCO 17 keypoints ---
_COCO17 = (
    "nose", "left_eye", "right_eye", "left_ear", "right_ear", "left_shoulder", "right_shoulder",
    "left_elbow", "right_elbow", "left_wrist", "right_wrist", "left_hip", "right_hip",
    "left_knee", "right_knee", "left_ankle", "right_ankle",
)
_COCO17_PARENTS = {
    "left_hip": None, "right_hip": "left_hip", "left_shoulder": "left_hip", "right_shoulder": "right_hip",
    "nose": None, "left_eye": "nose", "right_eye": "nose", "left_ear": "left_eye",
    "right_ear": "right_eye",
}
for _side in ("left", "right"):
    _COCO17_PARENTS.update({
        f"{_side}_elbow": f"{_side}_shoulder", f"{_side}_wrist": f"{_side}_elbow",
        f"{_side}_knee": f"{_side}_hip", f"{_side}_ankle": f"{_side}_knee",
    })
register_layout(_layout(
    "coco17", _COCO17, _COCO17_PARENTS, _sided(["eye", "ear", "shoulder", "elbow", "wrist", "hip", "knee", "ankle"]),
    _midpoint_spine(_common_map(_HIPS, _SHOULDERS, ("left_ear", "right_ear"), "shoulder", "elbow", "wrist", "hip",
                                "knee", "ankle"), _HIPS, _SHOULDERS)))

# --- MPII 16 joints (index order of the MPII Human Pose annotations) ---
_MPII16 = (
    "right_ankle", "right_knee", "right_hip", "left_hip", "left_knee", "left_ankle", "pelvis", "thorax",
    "upper_neck", "head_top", "right_wrist", "right_elbow", "right_shoulder", "left_shoulder",
    "left_elbow", "left_wrist",
)
_MPII16_PARENTS = {"pelvis": None, "thorax": "pelvis", "upper_neck": "thorax", "head_top": "upper_neck"}
for _side in ("left", "right"):
    _MPII16_PARENTS.update({
        f"{_side}_hip": "pelvis", f"{_side}_knee": f"{_side}_hip", f"{_side}_ankle": f"{_side}_knee",
        f"{_side}_shoulder": "thorax", f"{_side}_elbow": f"{_side}_shoulder", f"{_side}_wrist": f"{_side}_elbow",
    })
register_layout(_layout(
    "mpii16", _MPII16, _MPII16_PARENTS, _sided(["ankle", "knee", "hip", "shoulder", "elbow", "wrist"]),
    _common_map(("pelvis",), ("thorax",), ("upper_neck", "head_top"), "shoulder", "elbow", "wrist", "hip", "knee",
                "ankle")))

# --- Motion-capture rigs: common-layout maps matched by joint names when a BVH rig is read ---
_RIG_MAPS = {
    "bandai_namco": _midpoint_spine(_common_map(
        ("Hips",), ("Neck",), ("Head",), "UpperArm", "LowerArm", "Hand", "UpperLeg", "LowerLeg", "Foot",
        left="{}_L", right="{}_R"), ("Hips",), ("Neck",)),
    "cmu": _midpoint_spine(_common_map(
        ("Hips",), ("lowerneck",), ("Head",), "Shoulder", "Elbow", "Wrist", "Hip", "Knee", "Ankle",
        left="Left{}", right="Right{}"), ("Hips",), ("lowerneck",)),
}

_SIDE_PATTERNS = (
    (re.compile(r"^(.*)_L$"), "{}_R"),
    (re.compile(r"^Left(.*)$"), "Right{}"),
    (re.compile(r"^left_(.*)$"), "right_{}"),
    (re.compile(r"^L(?=[A-Z])(.*)$"), "R{}"),
    (re.compile(r"^l(?=[a-z])(hand)$"), "r{}"),
)


def _infer_mirror_pairs(joint_names):
    """Left/right pairs from the usual naming conventions (``_L``/``_R``, ``Left``/``Right``, ``L``/``R``)."""
    names = set(joint_names)
    pairs = []
    for name in joint_names:
        for pattern, right in _SIDE_PATTERNS:
            match = pattern.match(name)
            if match and right.format(match.group(1)) in names:
                pairs.append((name, right.format(match.group(1))))
                break
    return tuple(pairs)


def layout_from_rig(name, joint_names, parents):
    """Layout of a motion-capture rig (e.g. one read from a BVH file).

    Mirror pairs are inferred from the joint names. The map onto the common layout is found when the rig's
    joint names match a known rig (Bandai-Namco, CMU); otherwise ``common_map`` is ``None``. A ``name`` of
    None names the layout after the known rig (``"bandai_namco"``, ``"cmu"``), else ``"bvh_rig"``.

    Examples
    --------
    >>> from skemotion.skeleton import layout_from_rig
    >>> rig = layout_from_rig("toy", ["Hips", "LeftHip", "RightHip"], [-1, 0, 0])
    >>> rig.mirror_pairs
    (('LeftHip', 'RightHip'),)
    """
    joint_names = tuple(joint_names)
    common_map = None
    for rig, mapping in _RIG_MAPS.items():
        if all(j in joint_names for sources in mapping.values() for j in sources):
            common_map = mapping
            name = rig if name is None else name
            break
    name = "bvh_rig" if name is None else name
    return SkeletonLayout(
        name, joint_names, tuple(int(p) for p in parents), _infer_mirror_pairs(joint_names), common_map
    )


def convert_layout(X, source, target=COMMON_LAYOUT):
    """Map skeleton arrays from one layout onto the common body layout.

    Each common joint is the mean of the source joints named in ``source.common_map``; a missing
    (NaN) source joint makes the common joint missing rather than biasing the mean.

    Parameters
    ----------
    X : ndarray of shape (..., n_joints, n_dims)
        Joint positions in the ``source`` layout (any leading axes: samples, frames).
    source, target : str or SkeletonLayout
        Source layout, and the target, which must be the common layout or the source itself.

    Returns
    -------
    ndarray of shape (..., 16, n_dims)

    Examples
    --------
    >>> import numpy as np
    >>> from skemotion.skeleton import convert_layout
    >>> pose = np.random.default_rng(0).normal(size=(33, 3))
    >>> body = convert_layout(pose, "mediapipe33")
    >>> body.shape
    (16, 3)
    >>> bool(np.allclose(body[0], (pose[23] + pose[24]) / 2))  # root = hip midpoint
    True
    """
    source, target = get_layout(source), get_layout(target)
    X = np.asarray(X, dtype=float)
    if X.ndim < 2 or X.shape[-2] != source.n_joints:
        raise ValueError(
            f"Expected joints on axis -2 with {source.n_joints} joints for layout {source.name!r}, "
            f"got an array of shape {X.shape}."
        )
    if source == target:
        return X.copy()
    if target.name != COMMON_LAYOUT and target.common_map != _identity_map(target.joint_names):
        raise ValueError(f"Can only convert to the common layout {COMMON_LAYOUT!r}, not {target.name!r}.")
    if source.common_map is None:
        raise ValueError(
            f"Layout {source.name!r} has no map onto the common layout {COMMON_LAYOUT!r}; build one with "
            "SkeletonLayout(..., common_map={common joint: (source joints, ...)})."
        )
    return np.stack(
        [X[..., [source.index(j) for j in source.common_map[joint]], :].mean(axis=-2) for joint in target.joint_names],
        axis=-2,
    )

# --- OpenPose BODY_25 (index order of OpenPose's POSE_BODY_25_BODY_PARTS) ---
_BODY25 = (
    "nose", "neck", "right_shoulder", "right_elbow", "right_wrist", "left_shoulder", "left_elbow",
    "left_wrist", "mid_hip", "right_hip", "right_knee", "right_ankle", "left_hip", "left_knee", "left_ankle",
    "right_eye", "left_eye", "right_ear", "left_ear", "left_big_toe", "left_small_toe", "left_heel",
    "right_big_toe", "right_small_toe", "right_heel",
)
# The tree follows OpenPose's limb pairs, rooted at the mid hip.
_BODY25_PARENTS = {"mid_hip": None, "neck": "mid_hip", "nose": "neck"}
for _side in ("left", "right"):
    _BODY25_PARENTS.update({
        f"{_side}_shoulder": "neck", f"{_side}_elbow": f"{_side}_shoulder", f"{_side}_wrist": f"{_side}_elbow",
        f"{_side}_hip": "mid_hip", f"{_side}_knee": f"{_side}_hip", f"{_side}_ankle": f"{_side}_knee",
        f"{_side}_eye": "nose", f"{_side}_ear": f"{_side}_eye", f"{_side}_big_toe": f"{_side}_ankle",
        f"{_side}_small_toe": f"{_side}_big_toe", f"{_side}_heel": f"{_side}_ankle",
    })
# Root and neck from the hips and shoulders, as for coco17 and mediapipe33, so that the common joints of a
# person are the same body points whichever of these detectors saw them (OpenPose's own mid_hip and neck are
# predicted points near those means).
register_layout(_layout(
    "body25", _BODY25, _BODY25_PARENTS,
    _sided(["shoulder", "elbow", "wrist", "hip", "knee", "ankle", "eye", "ear", "big_toe", "small_toe", "heel"]),
    _midpoint_spine(_common_map(_HIPS, _SHOULDERS, ("left_ear", "right_ear"), "shoulder", "elbow", "wrist", "hip",
                                "knee", "ankle"), _HIPS, _SHOULDERS)))

# --- 100STYLE's rig (Mason et al. 2022): Hips, Chest..Chest4, Neck, Head, Left/Right Collar, Shoulder, Elbow,
# Wrist, Hip, Knee, Ankle, Toe ---
_RIG_MAPS["style100"] = _midpoint_spine(_common_map(
    ("Hips",), ("Neck",), ("Head",), "Shoulder", "Elbow", "Wrist", "Hip", "Knee", "Ankle",
    left="Left{}", right="Right{}"), ("Hips",), ("Neck",))
