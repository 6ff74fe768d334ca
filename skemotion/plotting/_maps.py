"""Maps of many samples: paths seen from above, and 2-D embeddings coloured by emotion."""

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Polygon
from scipy.spatial import ConvexHull, QhullError
from sklearn.utils import check_array

from ._base import check_sequences, label_colors, resolve_layout


def _joint_paths(X, layout, joint):
    """Positions ``(n, T, 3)`` of one joint; "root" falls back on the layout's map of the common root."""
    if layout is None:
        raise ValueError("plot_trajectories needs a layout to find the joint; pass layout=...")
    if joint == "root" and "root" not in layout.joint_names and layout.common_map is not None:
        return X[:, :, [layout.index(j) for j in layout.common_map["root"]]].mean(axis=2)
    return X[:, :, layout.index(joint)]


def _check_target(target, n_samples, name="target"):
    target = np.asarray(target)
    if target.ndim != 1 or len(target) != n_samples:
        raise ValueError(f"{name} must hold one label per sample ({n_samples}); got shape {target.shape}.")
    return target


def plot_trajectories(data, target, joint="root", layout="auto", *, ax=None, align_start=False, colors=None):
    """Paths of one joint seen from above, one colour per emotion.

    Each sequence is drawn as its (x, z) path on the ground plane, with a dot where it starts. The view is
    from above without mirroring: with y up, x grows to the right and z grows downwards, as in a map.

    Parameters
    ----------
    data : list of arrays of shape (n_frames, n_joints, 3), or array of shape (n_samples, n_frames, n_joints, 3)
        Skeleton sequences (NaN where a joint is missing; a missing stretch leaves a gap in the path).
    target : array-like of shape (n_samples,)
        Emotion (or any label) of each sequence; one colour and one legend entry per label.
    joint : str or int, default="root"
        Joint whose path is drawn (name in ``layout`` or index); ``"root"`` is the pelvis centre in any
        layout that maps onto the common one (e.g. the mean of a motion-capture rig's hips).
    layout : "auto", str or SkeletonLayout, default="auto"
        Joint layout of ``data`` (``"auto"``: the layout it carries, else its joint count's).
    ax : matplotlib Axes or None, default=None
        Axes to draw on; a new figure when None.
    align_start : bool, default=False
        Start every path at the origin, to compare directions and distances rather than positions.
    colors : dict or None, default=None
        Colour of each label, overriding the default tab10 colours (labels in sorted order).

    Returns
    -------
    ax : matplotlib Axes
        The axes, with one line per sequence (``ax.lines`` also holds the start dots) and a legend.

    Examples
    --------
    >>> from skemotion.datasets import make_emotional_gait
    >>> from skemotion.plotting import plot_trajectories
    >>> gait = make_emotional_gait(8, random_state=0)
    >>> ax = plot_trajectories(gait.data, gait.target, joint="root")
    >>> sorted(text.get_text() for text in ax.get_legend().get_texts())
    ['angry', 'happy', 'neutral', 'sad']
    """
    X, lengths = check_sequences(data, n_dims=(3,))
    target = _check_target(target, len(X))
    layout = resolve_layout(layout, data, X.shape[2])
    paths = _joint_paths(X, layout, joint)
    palette = label_colors(target, colors)
    if ax is None:
        _, ax = plt.subplots(figsize=(5, 5))
    labelled = set()
    for x, n, label in zip(paths, lengths, target):
        path = x[:n][:, [0, 2]]
        observed = ~np.isnan(path).any(axis=1)
        if not observed.any():
            continue
        if align_start:
            path = path - path[np.argmax(observed)]
        ax.plot(*path.T, color=palette[label], linewidth=1.2, alpha=0.8,
                label=None if label in labelled else str(label))
        ax.plot(*path[np.argmax(observed)], marker="o", markersize=4, color=palette[label])
        labelled.add(label)
    ax.set_aspect("equal", adjustable="datalim")
    if not ax.yaxis_inverted():
        ax.invert_yaxis()  # z towards the viewer's bottom: a top view, not its mirror image
    ax.set_xlabel("x")
    ax.set_ylabel("z")
    ax.set_title(f"{joint if isinstance(joint, str) else layout.joint_names[joint]} path, seen from above")
    _sorted_legend(ax, palette, title="emotion")
    return ax


def _hull_outline(points):
    """Vertices of the convex hull of 2-D points, in order; a segment or a point when they are degenerate."""
    if len(points) >= 3:
        try:
            return points[ConvexHull(points).vertices]
        except QhullError:  # all points on a line
            pass
    if len(points) == 1:
        return points
    # The two points farthest apart along the points' main direction.
    centered = points - points.mean(axis=0)
    direction = np.linalg.svd(centered, full_matrices=False)[2][0]
    along = centered @ direction
    return points[[np.argmin(along), np.argmax(along)]]


def plot_embedding(embedding, target, clusters=None, *, ax=None, colors=None):
    """A 2-D map of samples coloured by emotion, with the outline of each cluster.

    For an embedding such as multidimensional scaling of Wasserstein distances or PCA of motion features:
    each sample is a dot in its emotion's colour; when ``clusters`` is given, each cluster is outlined by the
    convex hull of its samples (``scipy.spatial.ConvexHull``; a segment for collinear or two samples) and
    labelled at its centre, so that clusters can be compared with emotions at a glance.

    Parameters
    ----------
    embedding : array-like of shape (n_samples, 2)
        2-D coordinates of the samples.
    target : array-like of shape (n_samples,)
        Emotion (or any label) of each sample; one colour and one legend entry per label.
    clusters : array-like of shape (n_samples,) or None, default=None
        Cluster label of each sample (e.g. ``KMeans.labels_``); None draws no outline.
    ax : matplotlib Axes or None, default=None
        Axes to draw on; a new figure when None.
    colors : dict or None, default=None
        Colour of each label, overriding the default tab10 colours (labels in sorted order).

    Returns
    -------
    ax : matplotlib Axes
        The axes: one scatter per label in ``ax.collections``, one outline per cluster in ``ax.patches``.

    Examples
    --------
    >>> import numpy as np
    >>> from skemotion.plotting import plot_embedding
    >>> points = np.array([[0, 0], [1, 0], [0, 1], [5, 5], [6, 5], [5, 7]])
    >>> ax = plot_embedding(points, ["sad"] * 3 + ["happy"] * 3, clusters=[0, 0, 0, 1, 1, 1])
    >>> len(ax.collections), len(ax.patches)
    (2, 2)
    """
    embedding = check_array(embedding, dtype=np.float64, input_name="embedding")
    if embedding.shape[1] != 2:
        raise ValueError(
            f"embedding must be 2-D coordinates (n_samples, 2); got {embedding.shape[1]} columns. Reduce it "
            "first, e.g. with sklearn.decomposition.PCA(n_components=2)."
        )
    target = _check_target(target, len(embedding))
    palette = label_colors(target, colors)
    if ax is None:
        _, ax = plt.subplots(figsize=(5, 5))
    for label in np.unique(target):
        points = embedding[target == label]
        ax.scatter(points[:, 0], points[:, 1], s=25, color=palette[label], label=str(label),
                   edgecolors="white", linewidths=0.5)
    if clusters is not None:
        clusters = _check_target(clusters, len(embedding), name="clusters")
        for cluster in np.unique(clusters):
            points = embedding[clusters == cluster]
            ax.add_patch(Polygon(_hull_outline(points), closed=True, fill=False, edgecolor="0.3", linestyle="--",
                                 linewidth=1))
            ax.annotate(str(cluster), points.mean(axis=0), color="0.3", ha="center", va="center",
                        fontsize="small", fontweight="bold")
    ax.set_aspect("equal", adjustable="datalim")
    _sorted_legend(ax, palette, title="emotion")
    return ax


def _sorted_legend(ax, palette, title):
    """A legend with one entry per label, in the palette's (sorted) order."""
    handles, labels = ax.get_legend_handles_labels()
    order = {str(label): i for i, label in enumerate(palette)}
    pairs = sorted(zip(handles, labels), key=lambda pair: order.get(pair[1], len(order)))
    if pairs:
        ax.legend(*zip(*pairs), title=title, fontsize="small", loc="best")
