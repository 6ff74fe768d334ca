"""Shared plotting helpers: body-side colours, input checks, axes creation and fixed axis limits."""

from numbers import Integral, Real

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.colors import to_rgb
from sklearn.utils import check_array

from ..skeleton import resolve_layout as _resolve_layout
from ..skeleton import skeleton_metadata
from ..utils.validation import check_skeletons, n_axes

SIDE_COLORS = {"left": "tab:blue", "right": "tab:red", "center": "tab:green"}
SIDES = ("center", "left", "right")  # side codes 0, 1, 2


def side_colors(colors=None):
    """Default body-side colours updated with the user's ``{"left": ..., "right": ..., "center": ...}``."""
    colors = dict(colors or {})
    unknown = sorted(set(colors) - set(SIDE_COLORS))
    if unknown:
        raise ValueError(f"Unknown body side(s) {unknown} in colors; use keys {sorted(SIDE_COLORS)}.")
    return {**SIDE_COLORS, **colors}


def joint_sides(layout):
    """Side code of every joint (0 centre, 1 left, 2 right) from the layout's (left, right) mirror pairs."""
    sides = np.zeros(layout.n_joints, dtype=int)
    for left, right in layout.mirror_pairs:
        sides[layout.index(left)], sides[layout.index(right)] = 1, 2
    return sides


def bone_sides(layout):
    """Side code of every bone: its joints' common side, the limb's side next to a centre joint, else centre.

    A bone joining the two sides (hip to hip in MediaPipe) is a centre bone.
    """
    parent, child = joint_sides(layout)[layout.bones].T
    return np.where(parent == child, parent, np.where(parent == 0, child, np.where(child == 0, parent, 0)))


def check_fps(fps):
    """Frames per second of an animation: a positive number."""
    if not isinstance(fps, Real) or isinstance(fps, bool) or not fps > 0:
        raise ValueError(f"fps must be a positive number, got {fps!r}.")
    return float(fps)


def positive_int(value, name, allow_none=True):
    """An integer parameter that must be positive (or None when allowed)."""
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, Integral) or value < 1:
        raise ValueError(f"{name} must be a positive integer{' or None' if allow_none else ''}, got {value!r}.")
    return int(value)


def label_colors(labels, colors=None):
    """One colour per distinct label (sorted), from tab10 (tab20 beyond 10 labels), overridden by ``colors``."""
    names = np.unique(np.asarray(labels))
    cmap = plt.get_cmap("tab10" if len(names) <= 10 else "tab20")
    palette = {name: cmap(i % cmap.N) for i, name in enumerate(names)}
    palette.update(colors or {})
    return palette


def rgb255(color):
    """A matplotlib colour as an (r, g, b) tuple of ints in 0-255, for OpenCV drawing on RGB images."""
    return tuple(int(round(255 * c)) for c in to_rgb(color))


def check_frame(frame, n_dims=(2, 3)):
    """One pose ``(n_joints, n_dims)`` as a float array; at least one joint must be observed."""
    frame = check_array(frame, ensure_all_finite="allow-nan", dtype=np.float64, input_name="frame")
    if frame.shape[1] not in n_dims:
        raise ValueError(
            f"A pose must be (n_joints, {' or '.join(map(str, n_dims))}) coordinates; got shape {frame.shape}."
        )
    if np.isnan(frame).all():
        raise ValueError("The pose has no observed joint (all NaN); nothing to draw.")
    return frame


def check_sequences(data, n_dims=(2, 3)):
    """Skeleton sequences through skemotion's validation layer: a NaN-padded 4-D array and the lengths.

    One sequence ``(n_frames, n_joints, n_dims)`` is accepted as well as several (a list or a 4-D array).
    Data in image coordinates (``y_up=False``, as MediaPipe's own output) are turned half a turn about x,
    so that every plot shows the body upright.
    """
    if isinstance(data, np.ndarray) and data.ndim == 3:
        data = [data]
    if isinstance(data, (list, tuple)) and len(data) == 0:
        raise ValueError("No skeleton sequence given: expected (n_frames, n_joints, n_dims) arrays.")
    if n_axes(data) == 2:
        raise ValueError(
            "Expected skeleton sequences (n_frames, n_joints, n_dims), a list of them or a 4-D array; "
            "got 2-D data (draw a single pose with plot_skeleton)."
        )
    X, lengths = check_skeletons(data, n_dims=n_dims)
    return upright(X, skeleton_metadata(data).y_up), lengths


def upright(X, y_up):
    """Coordinates with y up: image coordinates (``y_up=False``) turned half a turn about x."""
    if y_up is not False:
        return X
    flip = np.ones(X.shape[-1])
    flip[1:3] = -1.0
    return X * flip


def resolve_layout(layout, data, n_joints):
    """The plot's layout: the one place (:func:`skemotion.skeleton.resolve_layout`), reading ``data``'s."""
    return _resolve_layout(layout, skeleton_metadata(data), n_joints, "The plot")


def resolve_projection(projection, n_dims, ax=None):
    """``"3d"`` or ``"2d"``: from ``projection``, else from a given ``ax``, else from the data's dimension."""
    if projection is None:
        projection = ("3d" if n_dims == 3 else "2d") if ax is None else ("3d" if ax.name == "3d" else "2d")
    if projection not in ("2d", "3d"):
        raise ValueError(f"projection must be '2d', '3d' or None, got {projection!r}.")
    if projection == "3d" and n_dims != 3:
        raise ValueError("A 3-D plot needs 3 coordinates per joint; these data have 2 (use projection='2d').")
    if ax is not None and (ax.name == "3d") != (projection == "3d"):
        raise ValueError(
            f"projection={projection!r} does not match the given axes ({ax.name!r}); create it with "
            "fig.add_subplot(projection='3d') for 3-D plots."
        )
    return projection


def new_axes(projection, n=1, figsize=None):
    """A new figure with ``n`` axes side by side."""
    width = 4.0 if projection == "3d" else 3.5
    fig = plt.figure(figsize=figsize or (width * n, 4.0))
    if projection == "3d":  # 3-D axes keep wide empty margins by default
        fig.subplots_adjust(left=0, right=1, bottom=0.04, top=0.92, wspace=0)
    return [fig.add_subplot(1, n, i + 1, projection="3d" if projection == "3d" else None) for i in range(n)]


def set_view(ax, elev, azim):
    """3-D view with skemotion's y axis vertical (``azim=0`` looks at a body facing +z from the front)."""
    ax.view_init(elev=elev, azim=azim, vertical_axis="y")
    ax.set_xlabel("x")
    ax.set_ylabel("y")
    ax.set_zlabel("z")
    ax.locator_params(nbins=4)  # few, small ticks: 3-D axes are small
    ax.tick_params(labelsize="small")


def bounds(points):
    """Centre and half-range along each axis of the bounding box of the observed points ``(..., n_dims)``."""
    points = np.asarray(points, dtype=float).reshape(-1, np.shape(points)[-1])
    points = points[~np.isnan(points).any(axis=1)]
    low, high = points.min(axis=0), points.max(axis=0)
    return (low + high) / 2, (high - low) / 2


def set_limits(ax, center, half, projection, margin=0.08, min_ratio=0.5):
    """Fixed axis limits at one scale on every axis: ``half`` (per axis) around ``center``, plus a margin.

    Thin axes are widened to ``min_ratio`` of the widest one so that a flat pose does not give a flat box;
    the margin, a fraction of the widest half-range, is the same on every axis. The 3-D box takes the
    proportions of the limits, so a unit has the same length along every axis.
    """
    half = np.asarray(half, dtype=float)
    widest = half.max() if half.max() > 0 else 1.0
    half = np.maximum(half, min_ratio * widest) + margin * widest
    low, high = center - half, center + half
    ax.set_xlim(low[0], high[0])
    ax.set_ylim(low[1], high[1])
    if projection == "3d":
        ax.set_zlim(low[2], high[2])
        ax.set_box_aspect(tuple(half), zoom=0.9)
    else:
        ax.set_aspect("equal", adjustable="box")
