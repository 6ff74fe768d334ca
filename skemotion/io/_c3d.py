"""Reader for C3D marker-based motion capture files (Vicon, Qualisys, Motion Analysis ...) through ezc3d.

ezc3d (Michaud and Begon 2021) parses the file; this module turns its ``(4, n_markers, n_frames)`` point
block into ``(n_frames, n_markers, 3)`` marker trajectories in metres, with gaps as NaN: C3D marks a point
that the cameras lost with a negative residual (ezc3d reads those as NaN), and many exporters also write
such a point as exactly (0, 0, 0).

Markers sit on the skin, not at the joints, so a marker set is mapped onto the common layout ``body16`` by a
documented rule (:data:`PLUG_IN_GAIT`, Vicon's Plug-in Gait full-body set): most joints are the mean of a
group of markers (the head of its four head markers, the wrist of its two wrist-bar markers); the hip joint
centres, which no marker reaches, are placed by Bell, Brand and Pedersen's (1989) rule from the pelvis
markers: 30 % of the inter-ASIS distance distal, 14 % medial and 22 % posterior to each ASIS marker. A joint
is NaN in a frame where any of its markers is missing, so that a lost marker never shifts a joint.
"""

import struct
import warnings
from pathlib import Path

import numpy as np
from sklearn.utils import Bunch

from ..skeleton import get_layout, with_metadata
from ._video import PartialReadWarning

# C3D's POINT:UNITS, as written by the usual exporters, to metres.
_TO_METRES = {"mm": 1e-3, "cm": 1e-2, "m": 1.0}


#: Vicon Plug-in Gait markers of each ``body16`` joint: the joint is their mean, except the hips (``"HJC"``:
#: Bell et al. 1989 from LASI, RASI and the posterior pelvis) and the root (the mid-point of the hips, as in
#: the other layouts' maps). Markers on the skin are offset from the joint centres (the shoulder marker lies
#: on the acromion, the elbow, knee and ankle markers on the lateral epicondyles and malleolus).
PLUG_IN_GAIT = {
    "root": "HJC",
    "spine": ("T10", "STRN"),
    "neck": ("C7", "CLAV"),
    "head": ("LFHD", "RFHD", "LBHD", "RBHD"),
    "left_shoulder": ("LSHO",),
    "left_elbow": ("LELB",),
    "left_hand": ("LWRA", "LWRB"),
    "right_shoulder": ("RSHO",),
    "right_elbow": ("RELB",),
    "right_hand": ("RWRA", "RWRB"),
    "left_hip": "HJC",
    "left_knee": ("LKNE",),
    "left_foot": ("LANK",),
    "right_hip": "HJC",
    "right_knee": ("RKNE",),
    "right_foot": ("RANK",),
}
MARKER_SETS = {"plug_in_gait": PLUG_IN_GAIT}
# Bell, Brand and Pedersen (1989): hip joint centre from each ASIS, as fractions of the inter-ASIS distance.
_HJC_DISTAL, _HJC_MEDIAL, _HJC_POSTERIOR = 0.30, 0.14, 0.22
# Plug-in Gait's posterior pelvis: both PSIS markers, or the one sacral marker some labs place instead.
_POSTERIOR_PELVIS = (("LPSI", "RPSI"), ("SACR",))
# The file's vertical axis to y up, by a proper rotation (no mirroring): z up -> (x, z, -y).
_TO_Y_UP = {"y": np.eye(3), "z": np.array([[1.0, 0, 0], [0, 0, 1], [0, -1, 0]])}


def _claimed_frames(file):
    """The frame count of the C3D header (words 4 and 5: first and last frame), None where it cannot say.

    ezc3d rewrites its own copy of the header to the frames it could read, so a file cut short is only seen
    against the bytes themselves. Words are little-endian except on MIPS files (processor byte 86)."""
    with open(file, "rb") as fh:
        head = fh.read(10)
        if len(head) < 10:
            return None
        fh.seek(max(head[0] - 1, 0) * 512 + 3)  # the parameter section's processor byte
        processor = fh.read(1)
    first, last = struct.unpack((">" if processor == b"\x56" else "<") + "2H", head[6:10])
    return last - first + 1 if first <= last < 65535 else None  # 65535: a long file counts elsewhere


def read_c3d(path, *, zero_as_gap=True, marker_set=None, up_axis="z"):
    """Read marker trajectories, labels and rate from a C3D file.

    Requires the ``c3d`` extra (``pip install skemotion[c3d]``, which installs ezc3d).

    Parameters
    ----------
    path : str or Path
        The ``.c3d`` file.
    zero_as_gap : bool, default=True
        Also read a marker at exactly (0, 0, 0) as a gap (how many exporters write a lost marker).
    marker_set : {"plug_in_gait"} or None, default=None
        Also map the markers onto the common layout (:func:`markers_to_body16`); the result is ``skeleton``.
    up_axis : {"z", "y"}, default="z"
        The file's vertical axis, for ``marker_set`` (Vicon and Qualisys write z up).

    Returns
    -------
    motion : Bunch
        ``markers`` (:class:`~skemotion.skeleton.SkeletonArray` of shape (n_frames, n_markers, 3), in metres
        when the file states mm, cm or m, NaN in gaps; no joint layout: markers are not joints),
        ``labels`` (marker names), ``frame_rate``, ``units`` (as stated in the file), ``first_frame``,
        ``residuals`` ((n_frames, n_markers), NaN in gaps) and ``filename``; with ``marker_set``, also
        ``skeleton`` (``body16``, y up, in metres) and ``missing_markers`` (markers of the set not in the file).

    Examples
    --------
    >>> from skemotion.io import read_c3d
    >>> motion = read_c3d("walk.c3d")  # doctest: +SKIP
    >>> motion.markers.shape, motion.labels[:2], motion.frame_rate  # doctest: +SKIP
    ((600, 39, 3), ['LFHD', 'RFHD'], 100.0)
    """
    try:
        import ezc3d
    except ImportError:  # pragma: no cover - depends on the environment
        raise ImportError("read_c3d needs ezc3d: pip install 'skemotion[c3d]' (or pip install ezc3d).") from None
    file = Path(path)
    if not file.is_file():
        raise FileNotFoundError(f"C3D file not found: {file}.")
    try:
        content = ezc3d.c3d(str(file), extract_forceplat_data=False)
    except (OSError, RuntimeError, ValueError) as error:
        raise ValueError(f"{file} is not a readable C3D file ({error}).") from None

    points = np.asarray(content["data"]["points"], dtype=float)
    if points.ndim != 3 or points.shape[0] < 3:
        raise ValueError(f"{file}: expected a (4, n_markers, n_frames) point block, got shape {points.shape}.")
    claimed = _claimed_frames(file)
    if claimed is not None and points.shape[2] < claimed:
        warnings.warn(f"{file}: read {points.shape[2]} of the {claimed} frames its header claims; the file is "
                      "shorter than it says (truncated or damaged).", PartialReadWarning, stacklevel=2)
    markers = np.moveaxis(points[:3], 0, -1).transpose(1, 0, 2).copy()   # (n_frames, n_markers, 3)
    residuals = _residuals(content, markers.shape[:2])
    gaps = ~np.isfinite(markers).all(axis=-1) | (residuals < 0)
    if zero_as_gap:
        gaps |= (markers == 0).all(axis=-1)
    markers[gaps] = np.nan
    residuals[gaps] = np.nan

    parameters = content["parameters"]["POINT"]
    labels = [str(label).strip() for label in parameters["LABELS"]["value"]][: markers.shape[1]]
    if len(labels) != markers.shape[1]:
        raise ValueError(f"{file}: {len(labels)} POINT:LABELS for {markers.shape[1]} markers.")
    rate = float(np.ravel(parameters["RATE"]["value"])[0])
    if not np.isfinite(rate) or rate <= 0:
        raise ValueError(f"{file}: POINT:RATE is {rate}, expected a positive frame rate.")
    units = _units(parameters)
    scale = _TO_METRES.get(units)
    if scale is not None:
        markers *= scale
    motion = Bunch(
        markers=with_metadata(markers, frame_rate=rate, units="m" if scale is not None else None),
        labels=labels,
        frame_rate=rate,
        units=units,
        first_frame=int(content["header"]["points"]["first_frame"]),
        residuals=residuals,
        filename=str(file),
    )
    if marker_set is not None:
        try:
            motion.skeleton, motion.missing_markers = _map_markers(motion.markers, labels, marker_set, up_axis)
        except ValueError as error:
            raise ValueError(f"{file}: {error}") from None
    return motion


def markers_to_body16(markers, labels, marker_set="plug_in_gait", *, up_axis="z"):
    """Map marker trajectories onto the common body layout ``body16``.

    Parameters
    ----------
    markers : array-like of shape (n_frames, n_markers, 3)
        Marker positions (e.g. ``read_c3d(path).markers``), NaN in gaps.
    labels : list of str
        Marker names; a subject prefix such as ``"Jane:LASI"`` is ignored, and case too.
    marker_set : {"plug_in_gait"} or dict, default="plug_in_gait"
        The rule of each ``body16`` joint: :data:`PLUG_IN_GAIT`, or a dict joint -> marker names (their mean).
    up_axis : {"z", "y"}, default="z"
        The vertical axis of ``markers``; the result is y up (a rotation about x when z is up).

    Returns
    -------
    skeleton : SkeletonArray of shape (n_frames, 16, 3)
        Layout ``body16``, y up, with the frame rate and units of ``markers``. A joint is NaN in a frame where
        one of its markers is missing, and in every frame when one is absent from ``labels``.

    Raises
    ------
    ValueError
        When no joint can be placed (no marker of the set is in ``labels``), or for an unknown marker set.

    Examples
    --------
    >>> import numpy as np
    >>> from skemotion.io import markers_to_body16
    >>> labels = ["LFHD", "RFHD", "LBHD", "RBHD", "LSHO"]
    >>> markers = np.array([[[0.1, 0.1, 1.7], [0.1, -0.1, 1.7], [-0.1, 0.1, 1.7], [-0.1, -0.1, 1.7],
    ...                      [0.0, 0.2, 1.4]]])
    >>> body = markers_to_body16(markers, labels)
    >>> body.layout.name, body[0, 3].round(3).tolist(), body[0, 4].round(3).tolist()  # head, left shoulder
    ('body16', [0.0, 1.7, 0.0], [0.0, 1.4, -0.2])
    >>> bool(np.isnan(body[0, 0]).all())  # no pelvis markers: no root
    True
    """
    return _map_markers(markers, labels, marker_set, up_axis)[0]


def _map_markers(markers, labels, marker_set, up_axis):
    rules = MARKER_SETS.get(marker_set) if isinstance(marker_set, str) else marker_set
    if not isinstance(rules, dict):
        raise ValueError(f"marker_set must be one of {sorted(MARKER_SETS)} or a dict, got {marker_set!r}.")
    if up_axis not in _TO_Y_UP:
        raise ValueError(f"up_axis must be 'z' or 'y', got {up_axis!r}.")
    X = np.asarray(markers, dtype=float)
    if X.ndim != 3 or X.shape[1:] != (len(labels), 3):
        raise ValueError(f"markers must be (n_frames, {len(labels)} markers, 3), got shape {X.shape}.")
    index = {str(label).rsplit(":", 1)[-1].strip().upper(): i for i, label in enumerate(labels)}
    wanted = {m for group in rules.values() if group != "HJC" for m in group}
    if any(group == "HJC" for group in rules.values()):
        wanted |= {"LASI", "RASI"} | {m for group in _POSTERIOR_PELVIS for m in group}
    nan = np.full(X.shape[:1] + (3,), np.nan)

    def marker(name):
        return X[:, index[name]] if name in index else nan

    hips = _hip_centres(marker) if "HJC" in rules.values() else None
    layout = get_layout("body16")
    joints = []
    for joint in layout.joint_names:
        group = rules.get(joint, ())
        if group == "HJC":
            joints.append({"left_hip": hips[0], "right_hip": hips[1], "root": (hips[0] + hips[1]) / 2}[joint])
        else:
            joints.append(np.mean([marker(m.upper()) for m in group], axis=0) if group else nan)
    body = np.stack(joints, axis=1) @ _TO_Y_UP[up_axis].T
    if np.isnan(body).all() and len(X):
        raise ValueError(f"no marker of the set is among the labels {list(labels)[:8]}...; is it {marker_set!r}?")
    missing = sorted(m for m in wanted if m not in index and not _posterior_alternative(m, index))
    meta = getattr(markers, "frame_rate", None), getattr(markers, "units", None)
    return with_metadata(body, layout="body16", frame_rate=meta[0], y_up=True, units=meta[1]), missing


def _posterior_alternative(name, index):
    """A posterior pelvis marker is not missing when the other convention (PSIS pair or SACR) is there."""
    groups = [g for g in _POSTERIOR_PELVIS if name in g]
    return bool(groups) and any(all(m in index for m in g) for g in _POSTERIOR_PELVIS if g not in groups)


def _hip_centres(marker):
    """Left and right hip joint centres (n_frames, 3) by Bell et al. (1989), NaN where a pelvis marker is lost."""
    lasi, rasi = marker("LASI"), marker("RASI")
    psis = marker("LPSI"), marker("RPSI")
    posterior = (psis[0] + psis[1]) / 2
    if np.isnan(posterior).all():  # no PSIS pair in the file: the sacral marker
        posterior = marker("SACR")
    width = np.linalg.norm(rasi - lasi, axis=-1, keepdims=True)
    right = (rasi - lasi) / width
    forward = (lasi + rasi) / 2 - posterior
    forward -= (forward * right).sum(axis=-1, keepdims=True) * right
    forward /= np.linalg.norm(forward, axis=-1, keepdims=True)
    up = np.cross(right, forward)
    down_back = -_HJC_DISTAL * up - _HJC_POSTERIOR * forward
    left = lasi + width * (down_back + _HJC_MEDIAL * right)
    right_hip = rasi + width * (down_back - _HJC_MEDIAL * right)
    return left, right_hip


def _residuals(content, shape):
    meta = content["data"].get("meta_points", {})
    residuals = np.asarray(meta.get("residuals", np.zeros((1,) + shape[::-1])), dtype=float)
    return residuals.reshape(shape[::-1]).T.copy() if residuals.size == shape[0] * shape[1] else np.zeros(shape)


def _units(parameters):
    value = parameters.get("UNITS", {}).get("value", [])
    value = list(value) if not isinstance(value, str) else [value]
    return str(value[0]).strip().lower() if value else None
