"""Skeleton poses and animations: bones from the layout's parents, body sides in colour, y up."""

import numpy as np
from matplotlib.animation import FuncAnimation
from matplotlib.collections import LineCollection
from mpl_toolkits.mplot3d.art3d import Line3DCollection

from ..skeleton import skeleton_metadata
from ._base import (
    SIDES,
    bone_sides,
    bounds,
    check_fps,
    check_frame,
    check_sequences,
    joint_sides,
    new_axes,
    resolve_layout,
    resolve_projection,
    set_limits,
    set_view,
    side_colors,
    upright,
)


class _SkeletonDrawing:
    """The artists of one skeleton on an axes (a bone collection, one marker line per body side), per frame."""

    def __init__(self, ax, layout, projection, colors=None, linewidth=2.0, joint_size=4.0, alpha=1.0):
        self.ax, self.projection, self.layout = ax, projection, layout
        palette = side_colors(colors)
        self.bones_index = layout.bones
        self.bone_colors = np.array([palette[SIDES[s]] for s in bone_sides(layout)], dtype=object)
        if projection == "3d":
            self.bones = Line3DCollection([], linewidths=linewidth, alpha=alpha)
            ax.add_collection3d(self.bones, autolim=False)
        else:
            self.bones = LineCollection([], linewidths=linewidth, alpha=alpha)
            ax.add_collection(self.bones, autolim=False)
        sides = joint_sides(layout)
        self.joints = {}
        for code, side in enumerate(SIDES):
            index = np.flatnonzero(sides == code)
            if index.size:
                empty = ([], [], []) if projection == "3d" else ([], [])
                (line,) = ax.plot(*empty, linestyle="", marker="o", markersize=joint_size, color=palette[side],
                                  alpha=alpha, label=f"{side} joints")
                self.joints[side] = (index, line)

    def update(self, frame):
        """Draw one pose ``(n_joints, n_dims)``; bones with a missing (NaN) end and missing joints are left out."""
        coords = frame[:, :3] if self.projection == "3d" else frame[:, :2]
        observed = ~np.isnan(coords).any(axis=1)
        parent, child = self.bones_index.T
        drawn = observed[parent] & observed[child]
        self.bones.set_segments(np.stack([coords[parent[drawn]], coords[child[drawn]]], axis=1))
        self.bones.set_color(list(self.bone_colors[drawn]))
        for index, line in self.joints.values():
            if self.projection == "3d":
                line.set_data_3d(*coords[index].T)
            else:
                line.set_data(*coords[index].T)
        return [self.bones, *(line for _, line in self.joints.values())]


def _label_axes(ax, drawing, units, projection, legend=True):
    """Axis names with the data's units ("arbitrary units" when it carries none), and a left/right legend."""
    unit = units or "arbitrary units"
    ax.set_xlabel(f"x ({unit})")
    ax.set_ylabel(f"y ({unit})")
    if projection == "3d":
        ax.set_zlabel(f"z ({unit})")
    sides = [side for side in ("left", "right") if side in drawing.joints]
    if legend and sides:
        ax.legend([drawing.joints[side][1] for side in sides], [f"{side} side" for side in sides],
                  loc="upper right", fontsize="small")


def plot_skeleton(frame, layout="auto", *, ax=None, projection=None, elev=15.0, azim=35.0, colors=None,
                  linewidth=2.0, joint_size=4.0):
    """Draw one pose: bones from the layout's parents, left and right sides in two colours.

    Left and right joints are those of the layout's mirror pairs (``(left, right)``); the others (spine,
    head, ...) are centre joints, drawn in a third colour. A bone takes the side of its joints, or of its
    limb joint when the other end is a centre joint. Missing (NaN) joints are not drawn, and neither is any
    bone touching one: the skeleton is drawn with gaps.

    Parameters
    ----------
    frame : array-like of shape (n_joints, 3) or (n_joints, 2)
        Joint positions of one pose, in skemotion's convention (right-handed, y up, facing +z).
    layout : "auto", str or SkeletonLayout, default="auto"
        Joint layout of ``frame``: ``"auto"`` reads the layout the pose carries (a frame of a loader's or
        PoseExtractor's sequence), else the one its joint count implies
        (:func:`skemotion.skeleton.resolve_layout`).
    ax : matplotlib Axes or None, default=None
        Axes to draw on (a 3-D axes for a 3-D plot); a new figure when None.
    projection : {"3d", "2d"} or None, default=None
        ``"3d"`` draws in 3-D with y vertical; ``"2d"`` draws (x, y), i.e. a front view of 3-D data. None
        follows ``ax``, or the number of coordinates when ``ax`` is None.
    elev, azim : float, default=15, 35
        3-D viewing angles in degrees (``matplotlib``'s ``view_init`` with ``vertical_axis="y"``):
        ``azim=0`` looks at a body facing +z from the front, ``azim=90`` from its left side, ``elev=90``
        from above.
    colors : dict or None, default=None
        Colours of the body sides, ``{"left": ..., "right": ..., "center": ...}`` (defaults: tab:blue,
        tab:red, tab:green).
    linewidth, joint_size : float, default=2, 4
        Bone width and joint marker size, in points.

    The axis limits are set to fit the pose, at one scale on every axis.

    Returns
    -------
    bones : LineCollection or Line3DCollection
        One segment per drawn bone (bones with a missing end are left out); in 3-D, ``get_segments()``
        gives the projected segments once the figure is drawn. The joints are marker lines on the same
        axes (``bones.axes``).

    Raises
    ------
    ValueError
        If the pose has no observed joint, or its joints do not match the layout.

    See Also
    --------
    animate_skeleton : the same drawing over a whole sequence.

    Examples
    --------
    >>> import numpy as np
    >>> from skemotion.datasets import make_emotional_gait
    >>> from skemotion.plotting import plot_skeleton
    >>> pose = make_emotional_gait(4, random_state=0).data[0][0]     # (16, 3), body16 layout
    >>> bones = plot_skeleton(pose, layout="body16")                 # 3-D, y up
    >>> pose[6] = np.nan                                             # the left hand goes missing
    >>> bones = plot_skeleton(pose, projection="2d")                 # front view (x, y)
    >>> len(bones.get_segments())                                    # 14 of the 15 bones of body16
    14
    """
    layout = resolve_layout(layout, frame, np.shape(frame)[0])
    frame = upright(check_frame(frame), skeleton_metadata(frame).y_up)
    projection = resolve_projection(projection, frame.shape[1], ax)
    if ax is None:
        (ax,) = new_axes(projection)
    if projection == "3d":
        set_view(ax, elev, azim)
    units = skeleton_metadata(frame).units
    drawing = _SkeletonDrawing(ax, layout, projection, colors, linewidth, joint_size)
    drawing.update(frame)
    _label_axes(ax, drawing, units, projection)
    coords = frame if projection == "3d" else frame[:, :2]
    set_limits(ax, *bounds(coords), projection)
    return drawing.bones


def animate_skeleton(sequences, layout="auto", *, fps=None, titles=None, ax=None, projection=None, elev=15.0,
                     azim=35.0, colors=None, linewidth=2.0, joint_size=4.0, figsize=None):
    """Animate one or several skeleton sequences side by side, with fixed axis limits.

    Each sequence gets its own axes, with limits fixed over its whole motion (a walk crosses the axes
    rather than the axes following the walker); all axes share one scale, so sizes and speeds compare.
    Shorter sequences hold their last pose until the longest one ends. Missing joints are drawn with gaps
    as in :func:`plot_skeleton`.

    Save the animation as a GIF with Pillow (no other software needed), or as an MP4 when FFmpeg is
    installed (``matplotlib.animation.writers.is_available("ffmpeg")``)::

        anim = animate_skeleton(walk, fps=30)
        anim.save("walk.gif", writer="pillow")    # frames per second follow fps
        anim.save("walk.mp4", writer="ffmpeg")

    In a notebook, ``IPython.display.HTML(anim.to_jshtml())`` shows it inline. Keep a reference to the
    returned object until it is saved or shown: matplotlib stops an animation that is garbage-collected.

    Parameters
    ----------
    sequences : array-like of shape (n_frames, n_joints, n_dims), list of such arrays, or 4-D array
        One sequence, or several (variable lengths in a list, or NaN-padded in an array of shape
        ``(n_sequences, n_frames, n_joints, n_dims)``); ``n_dims`` is 3 or 2.
    layout : "auto", str or SkeletonLayout, default="auto"
        Joint layout of the sequences (``"auto"``: the layout they carry, else their joint count's).
    fps : float or None, default=None
        Frames per second of playback. None plays in real time at the rate the sequences carry (they must
        agree); data that carries none needs ``fps``.
    titles : list of str or None, default=None
        One title per sequence, e.g. the emotion of each walk, or "real" / "synthetic".
    ax : Axes, list of Axes or None, default=None
        One axes per sequence, all in one figure (3-D axes for a 3-D animation); a new figure when None.
    projection, elev, azim, colors, linewidth, joint_size
        As in :func:`plot_skeleton`.
    figsize : (float, float) or None, default=None
        Size of the new figure in inches (4 inches wide per sequence when None).

    Returns
    -------
    animation : matplotlib.animation.FuncAnimation
        One animation frame per frame of the longest sequence; ``animation._fig`` is the figure.

    Raises
    ------
    ValueError
        If a sequence is empty or entirely missing, or the joints do not match the layout.

    Examples
    --------
    >>> from skemotion.datasets import make_emotional_gait
    >>> from skemotion.plotting import animate_skeleton
    >>> import tempfile
    >>> from pathlib import Path
    >>> from PIL import Image
    >>> gait = make_emotional_gait(4, random_state=0)
    >>> walks = [x[:6] for x in gait.data[:2]]                       # the first 6 frames of two walks
    >>> anim = animate_skeleton(walks, titles=list(gait.target[:2]), figsize=(4, 2))   # real time: 30 fps
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     anim.save(Path(folder) / "walks.gif", writer="pillow", dpi=50)
    ...     with Image.open(Path(folder) / "walks.gif") as gif:
    ...         print(gif.n_frames, gif.size)
    6 (200, 100)
    """
    X, lengths = check_sequences(sequences)
    fps = check_fps(_playback_rate(sequences) if fps is None else fps)
    layout = resolve_layout(layout, sequences, X.shape[2])
    axes = _animation_axes(ax, len(X), projection, X.shape[3], figsize)
    projection = resolve_projection(projection, X.shape[3], axes[0])
    if titles is not None and len(titles) != len(X):
        raise ValueError(f"Got {len(titles)} titles for {len(X)} sequences.")
    coords = X if projection == "3d" else X[..., :2]
    boxes = [bounds(x) for x in coords]
    half = np.max([h for _, h in boxes], axis=0)  # one scale for all axes, so that sizes compare
    drawings = []
    for i, (axis, (center, _)) in enumerate(zip(axes, boxes)):
        if projection == "3d":
            set_view(axis, elev, azim)
        drawings.append(_SkeletonDrawing(axis, layout, projection, colors, linewidth, joint_size))
        set_limits(axis, center, half, projection)
        _label_axes(axis, drawings[-1], skeleton_metadata(sequences).units, projection, legend=i == 0)
        if titles is not None:
            axis.set_title(str(titles[i]))
    fig = axes[0].figure
    clock = fig.text(0.01, 0.01, "", fontsize="small")

    def draw(t):
        artists = [a for d, x, n in zip(drawings, X, lengths) for a in d.update(x[min(t, n - 1)])]
        clock.set_text(f"{t / fps:.2f} s")
        return [*artists, clock]

    draw(0)
    return FuncAnimation(fig, draw, frames=int(lengths.max()), interval=1000.0 / fps, cache_frame_data=False)


def _animation_axes(ax, n, projection, n_dims, figsize):
    """The given axes (one per sequence, in one figure) or a new figure with ``n`` of them."""
    if ax is None:
        return new_axes(resolve_projection(projection, n_dims), n, figsize)
    axes = list(np.ravel(ax)) if isinstance(ax, (list, tuple, np.ndarray)) else [ax]
    if len(axes) != n:
        raise ValueError(f"Got {len(axes)} axes for {n} sequences; pass one axes per sequence.")
    if len({id(a.figure) for a in axes}) != 1:
        raise ValueError("All axes of an animation must belong to one figure.")
    return axes


def _playback_rate(sequences):
    """The one frame rate the sequences carry, for real-time playback."""
    rates = skeleton_metadata([sequences] if np.ndim(sequences) == 3 else sequences).frame_rates
    if rates is None or np.isnan(rates).any() or np.ptp(rates) > 1e-9 * rates.max():
        found = "carry no frame rate" if rates is None or np.isnan(rates).any() else f"have rates {np.unique(rates)}"
        raise ValueError(f"The sequences {found}: pass fps=... (frames per second of playback).")
    return float(rates[0])
