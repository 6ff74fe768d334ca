"""The units of a neural gas (or any prototype model) moving onto a pose during fitting."""

import numpy as np
from matplotlib.animation import FuncAnimation

from ._base import (
    bounds,
    check_fps,
    check_frame,
    new_axes,
    resolve_layout,
    resolve_projection,
    set_limits,
    set_view,
)
from ._skeleton import _SkeletonDrawing


def _unit_history(neural_gas_or_history):
    """Unit positions per step ``(n_steps, n_units, n_features)`` from a fitted model or an array."""
    if hasattr(neural_gas_or_history, "history_"):
        history = neural_gas_or_history.history_
    elif hasattr(neural_gas_or_history, "fit"):
        raise ValueError(
            f"{type(neural_gas_or_history).__name__} has no history_: fit it with record_history=True to "
            "record the unit positions of every epoch, or pass a history array."
        )
    else:
        history = neural_gas_or_history
    history = np.asarray(history, dtype=float)
    if history.ndim != 3 or history.shape[2] not in (2, 3) or 0 in history.shape:
        raise ValueError(
            "Expected a history of unit positions (n_steps, n_units, 2 or 3) with at least one step and unit; "
            f"got shape {history.shape}."
        )
    if not np.isfinite(history).all():
        raise ValueError("The unit history holds NaN or infinite positions.")
    return history


def animate_neural_gas(neural_gas_or_history, frame=None, layout=None, *, ax=None, fps=5.0, projection=None,
                       elev=15.0, azim=35.0, unit_color="black", colors=None, figsize=None):
    """Animate the units of a neural gas settling onto one pose during fitting.

    Each animation frame shows the unit positions after one fitting step (``history_[0]`` is the
    initialisation), over the pose that was fitted: its joints as a faded skeleton when ``layout`` is
    given, as grey dots otherwise. Axis limits are fixed over all steps.

    Parameters
    ----------
    neural_gas_or_history : estimator or array-like of shape (n_steps, n_units, 2 or 3)
        A fitted model with a ``history_`` attribute of that shape (e.g. ``NeuralGas(record_history=True)``
        fitted on the joints of one pose, ``history_`` of shape ``(n_epochs + 1, n_units, 3)``), or such a
        history directly.
    frame : array-like of shape (n_joints, 2 or 3) or None, default=None
        The pose the units were fitted on, drawn underneath; same number of coordinates as the units.
    layout : str, SkeletonLayout or None, default=None
        Joint layout of ``frame``: its bones are drawn when given, only the joints otherwise.
    ax : matplotlib Axes or None, default=None
        Axes to draw on (a 3-D axes for 3-D units); a new figure when None.
    fps : float, default=5
        Fitting steps shown per second.
    projection : {"3d", "2d"} or None, default=None
        ``"2d"`` draws 3-D units in the (x, y) plane; None follows ``ax``, or the units' dimension.
    elev, azim : float, default=15, 35
        3-D viewing angles, as in :func:`plot_skeleton` (y vertical).
    unit_color : color, default="black"
        Colour of the units.
    colors : dict or None, default=None
        Body-side colours of the skeleton, as in :func:`plot_skeleton`.
    figsize : (float, float) or None, default=None
        Size of the new figure in inches.

    Returns
    -------
    animation : matplotlib.animation.FuncAnimation
        One animation frame per step of the history; save it as in :func:`animate_skeleton`.

    Examples
    --------
    >>> import tempfile
    >>> import numpy as np
    >>> from sklearn.cluster import MiniBatchKMeans
    >>> from skemotion.datasets import make_emotional_gait
    >>> from skemotion.plotting import animate_neural_gas
    >>> pose = make_emotional_gait(4, random_state=0).data[0][0]        # (16, 3) joints of one pose
    >>> kmeans, history = MiniBatchKMeans(n_clusters=5, random_state=0), []
    >>> for step in range(4):                                           # record the prototypes per step
    ...     history.append(kmeans.partial_fit(pose).cluster_centers_.copy())
    >>> anim = animate_neural_gas(np.array(history), frame=pose, layout="body16", figsize=(2, 2))
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     anim.save(f"{folder}/units.gif", writer="pillow", dpi=50)
    """
    history = _unit_history(neural_gas_or_history)
    n_steps, n_units, n_dims = history.shape
    fps = check_fps(fps)
    if frame is not None:
        layout = resolve_layout(layout, frame, np.shape(frame)[0])
        frame = check_frame(frame, n_dims=(n_dims,))
    projection = resolve_projection(projection, n_dims, ax)
    if ax is None:
        (ax,) = new_axes(projection, figsize=figsize)
    if projection == "3d":
        set_view(ax, elev, azim)
    else:  # the (x, y) plane, a front view of 3-D units
        history = history[..., :2]
    if frame is not None and layout is not None:
        _SkeletonDrawing(ax, layout, projection, colors, linewidth=1.5, joint_size=3, alpha=0.4).update(frame)
    elif frame is not None:
        ax.plot(*frame[:, : history.shape[2]].T, linestyle="", marker="o", markersize=4, color="0.6",
                label="joints")
    empty = ([], [], []) if projection == "3d" else ([], [])
    (units,) = ax.plot(*empty, linestyle="", marker="o", markersize=6, color=unit_color, label="units")
    points = history.reshape(-1, history.shape[2])
    if frame is not None:
        points = np.concatenate([points, frame[:, : history.shape[2]]])
    set_limits(ax, *bounds(points), projection)
    title = ax.set_title("")

    def draw(step):
        if projection == "3d":
            units.set_data_3d(*history[step].T)
        else:
            units.set_data(*history[step].T)
        title.set_text(f"{n_units} units, step {step} / {n_steps - 1}")
        return [units, title]

    draw(0)
    return FuncAnimation(ax.figure, draw, frames=n_steps, interval=1000.0 / fps, cache_frame_data=False)
