"""STGCNClassifier: spatial-temporal graph convolution over a skeleton layout's bones (Yan et al. 2018)."""

from collections import deque
from itertools import pairwise
from numbers import Integral, Real

import numpy as np
import torch
from scipy.special import softmax
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted
from skorch.utils import is_dataset
from torch import nn

from ..skeleton import SkeletonLayout
from ..utils._tags import SkeletonMixin
from ..utils.validation import check_skeleton_layout, validate_skeletons
from ._base import TorchClassifier
from ._training import forward_float64

# The input streams of the network, each ``n_dims`` channels per joint and frame.
INPUTS = ("position", "velocity", "bone")
# How the last block is summarised over frames and joints before the linear head.
POOLINGS = ("mean", "mean+std")


def masked_pool(h, mask, pooling="mean"):
    """Summary of features ``h`` (batch, channels, frames, joints) over the observed cells of ``mask``.

    ``"mean"``: the masked mean over frames and joints, ``(batch, channels)``. ``"mean+std"`` adds, for each
    channel, the standard deviation over the observed frames of each joint, averaged over the observed joints
    (how much the feature varies in time), concatenated after the mean: ``(batch, 2 * channels)``.

    Examples
    --------
    >>> h = torch.tensor([[[[1.0], [3.0], [100.0]]]])  # 1 sequence, 1 channel, 3 frames, 1 joint
    >>> mask = torch.tensor([[[[1.0], [1.0], [0.0]]]])  # the last frame is padding
    >>> masked_pool(h, mask, "mean+std").tolist()
    [[2.0, 1.0]]
    """
    observed = h * mask
    mean = observed.sum(dim=(2, 3)) / mask.sum(dim=(2, 3)).clamp(min=1.0)
    if pooling == "mean":
        return mean
    frames = mask.sum(dim=2, keepdim=True)  # observed frames per joint
    joint_mean = observed.sum(dim=2, keepdim=True) / frames.clamp(min=1.0)
    variance = (((h - joint_mean) * mask) ** 2).sum(dim=2, keepdim=True) / frames.clamp(min=1.0)
    std = torch.sqrt(variance + 1e-8)
    joints = (frames > 0).to(h.dtype)
    std = (std * joints).sum(dim=(2, 3)) / joints.sum(dim=(2, 3)).clamp(min=1.0)
    return torch.cat([mean, std], dim=1)


def hop_distances(n_joints, bones, source):
    """Number of bones between ``source`` and every joint (``inf`` for joints of another part)."""
    neighbours = [[] for _ in range(n_joints)]
    for a, b in bones:
        neighbours[a].append(b)
        neighbours[b].append(a)
    distance = np.full(n_joints, np.inf)
    distance[source] = 0
    queue = deque([source])
    while queue:
        joint = queue.popleft()
        for other in neighbours[joint]:
            if distance[other] == np.inf:
                distance[other] = distance[joint] + 1
                queue.append(other)
    return distance


def spatial_partitions(n_joints, bones, center):
    """ST-GCN's spatial-configuration partitions of the bone graph, normalised: ``(3, n_joints, n_joints)``.

    The neighbourhood of joint ``i`` is ``i`` and the joints one bone away. Each neighbour ``j`` falls in
    one of three subsets by its hop distance to the ``center`` joint compared with ``i``'s: the *root*
    subset (as far as ``i``, which holds ``i`` itself), the *centripetal* subset (closer) and the
    *centrifugal* subset (farther). ``A[k, j, i]`` is the weight of neighbour ``j`` in subset ``k`` of
    ``i``: one over the size of ``i``'s neighbourhood (Yan et al. 2018, eq. 9: ``A D^-1`` of the whole
    neighbourhood, so that the three subsets together average the neighbours).

    Examples
    --------
    >>> import numpy as np
    >>> A = spatial_partitions(3, np.array([[0, 1], [1, 2]]), center=0)  # a chain 0 - 1 - 2
    >>> A.shape
    (3, 3, 3)
    >>> float(A[0, 1, 1]), float(A[1, 0, 1]), float(A[2, 2, 1])  # joint 1: itself, 0 closer, 2 farther
    (0.3333333333333333, 0.3333333333333333, 0.3333333333333333)
    >>> float(A.sum(axis=(0, 1))[2])  # each joint's neighbourhood weights sum to one
    1.0
    """
    adjacency = np.eye(n_joints)
    for a, b in bones:
        adjacency[a, b] = adjacency[b, a] = 1.0
    normalised = adjacency / adjacency.sum(axis=0, keepdims=True)  # column i divided by the degree of i
    distance = hop_distances(n_joints, bones, center)
    # Joints of another part (unreachable from the centre) compare as equal: they stay in the root subset.
    d = np.where(np.isinf(distance), -1.0, distance)
    d_neighbour, d_joint = d[:, np.newaxis], d[np.newaxis, :]
    subsets = [d_neighbour == d_joint, d_neighbour < d_joint, d_neighbour > d_joint]
    return np.stack([np.where(subset, normalised, 0.0) for subset in subsets])


class STGCNBlock(nn.Module):
    """One ST-GCN unit: partitioned graph convolution, temporal convolution, residual connection.

    Group normalisation stands in for batch normalisation, so that a batch of one trains too.
    """

    def __init__(self, in_channels, out_channels, n_partitions, n_joints, temporal_kernel=9, stride=1,
                 dropout=0.0, n_groups=4):
        super().__init__()
        self.out_channels = out_channels
        self.spatial = nn.Conv2d(in_channels, out_channels * n_partitions, kernel_size=1)
        # ST-GCN's learnable edge importance: one weight per partition and edge, initialised to one.
        self.edge_importance = nn.Parameter(torch.ones(n_partitions, n_joints, n_joints))
        padding = (temporal_kernel - 1) // 2
        self.temporal = nn.Sequential(
            nn.GroupNorm(n_groups, out_channels), nn.ReLU(),
            nn.Conv2d(out_channels, out_channels, (temporal_kernel, 1), (stride, 1), (padding, 0)),
            nn.GroupNorm(n_groups, out_channels), nn.Dropout(dropout),
        )
        if in_channels == out_channels and stride == 1:
            self.residual = nn.Identity()
        else:
            self.residual = nn.Sequential(nn.Conv2d(in_channels, out_channels, 1, (stride, 1)),
                                          nn.GroupNorm(n_groups, out_channels))
        self.relu = nn.ReLU()

    def forward(self, x, adjacency):
        n, _, t, v = x.shape
        h = self.spatial(x).view(n, -1, self.out_channels, t, v)
        h = torch.einsum("nkctj,kji->ncti", h, adjacency * self.edge_importance)
        return self.relu(self.temporal(h) + self.residual(x))


def input_streams(X, inputs, parents):
    """The input streams of skeletons ``X`` (batch, frames, joints, dims), concatenated on the last axis.

    ``"position"`` is the coordinates; ``"velocity"`` the change to the next frame (NaN at the last observed
    frame); ``"bone"`` each joint minus its parent (zero at a root), the second stream of 2s-AGCN (Shi et
    al. 2019). ``parents`` holds each joint's parent index, its own index at a root.

    Examples
    --------
    >>> X = torch.tensor([[[[0.0], [1.0]], [[2.0], [4.0]]]])  # one sequence, 2 frames, 2 joints, 1 dim
    >>> input_streams(X, ("position", "velocity", "bone"), [0, 0])[0, 0].tolist()
    [[0.0, 2.0, 0.0], [1.0, 3.0, 1.0]]
    """
    streams = []
    for name in inputs:
        if name == "position":
            streams.append(X)
        elif name == "velocity":
            streams.append(torch.cat([X[:, 1:] - X[:, :-1], torch.full_like(X[:, :1], float("nan"))], dim=1))
        else:
            streams.append(X - X[:, :, list(parents)])
    return torch.cat(streams, dim=-1)


class STGCN(nn.Module):
    """Spatial-temporal graph convolutional network over skeletons ``(batch, frames, joints, dims)``.

    The input streams (:func:`input_streams`: positions, and optionally velocities and bone vectors, as in
    the multi-stream ST-GCNs since 2s-AGCN) are standardised; a missing value (a NaN joint, the NaN padding,
    the velocity of the last frame) is then set to zero, and a mask channel (1 where the joint is observed,
    0 where it is missing) joins them, so the network tells a missing joint from one at the mean position.
    The output is a masked summary over the frames and joints of the last block (padding and missing joints
    do not count; :func:`masked_pool`: the mean, or the mean and the temporal standard deviation), then a
    linear layer to the class logits.

    Parameters
    ----------
    n_dims, n_classes : int
    adjacency : array-like of shape (n_partitions, n_joints, n_joints)
        From :func:`spatial_partitions`.
    mean, scale : array-like of shape (n_inputs * n_dims,) or None
        Standardisation of the input streams (training mean and standard deviation of the observed values).
    channels : tuple of int, default=(16, 32, 32)
        Output channels of each block (multiples of 4, the groups of the group normalisation).
    strides : tuple of int or None, default=None
        Temporal stride of each block; ``None`` halves the frame rate at every block where the channels grow.
    temporal_kernel : int, default=7
    dropout : float, default=0.1
    inputs : tuple of str, default=("position",)
        Input streams, among ``"position"``, ``"velocity"`` and ``"bone"``.
    parents : sequence of int or None, default=None
        Parent of each joint (its own index at a root) for the ``"bone"`` stream; ``None``: every joint is a
        root (zero bones).
    pooling : {"mean", "mean+std"}, default="mean"
        Summary of the last block read by the head (:func:`masked_pool`).
    """

    def __init__(self, n_dims, n_classes, adjacency, mean=None, scale=None, channels=(16, 32, 32), strides=None,
                 temporal_kernel=7, dropout=0.1, inputs=("position",), parents=None, pooling="mean"):
        super().__init__()
        if pooling not in POOLINGS:
            raise ValueError(f"pooling must be one of {POOLINGS}, got {pooling!r}.")
        self.pooling = pooling
        adjacency = torch.as_tensor(np.asarray(adjacency), dtype=torch.float32)
        n_partitions, n_joints = adjacency.shape[0], adjacency.shape[1]
        self.inputs = tuple(inputs)
        self.parents = list(range(n_joints)) if parents is None else [int(p) for p in parents]
        n_in = n_dims * len(self.inputs)
        self.register_buffer("adjacency", adjacency)
        self.register_buffer("mean", torch.as_tensor(np.zeros(n_in) if mean is None else mean, dtype=torch.float32))
        self.register_buffer("scale", torch.as_tensor(np.ones(n_in) if scale is None else scale, dtype=torch.float32))
        channels = tuple(channels)
        if strides is None:
            strides = [1] + [2 if c_out > c_in else 1 for c_in, c_out in pairwise(channels)]
        in_channels = [n_in + 1] + list(channels[:-1])
        self.blocks = nn.ModuleList(
            STGCNBlock(c_in, c_out, n_partitions, n_joints, temporal_kernel, stride, dropout)
            for c_in, c_out, stride in zip(in_channels, channels, strides)
        )
        self.head = nn.Linear(channels[-1] * (2 if pooling == "mean+std" else 1), n_classes)

    def features(self, X):
        """Standardised streams with missing values zeroed, plus the mask: ``(batch, channels + 1, T, V)``."""
        mask = ~torch.isnan(X).any(dim=-1, keepdim=True)
        streams = input_streams(X, self.inputs, self.parents)
        x = torch.where(mask & ~torch.isnan(streams), (torch.nan_to_num(streams) - self.mean) / self.scale,
                        torch.zeros_like(streams))
        return torch.cat([x, mask.to(x.dtype)], dim=-1).permute(0, 3, 1, 2), mask.permute(0, 3, 1, 2)

    def forward(self, X):
        h, mask = self.features(X)
        mask = mask.to(h.dtype)
        for block in self.blocks:
            h = block(h, self.adjacency)
            if mask.shape[2] != h.shape[2]:  # a strided block: a frame is observed if any of its inputs was
                mask = nn.functional.adaptive_max_pool2d(mask, h.shape[2:])
        return self.head(masked_pool(h, mask, self.pooling))


class STGCNClassifier(SkeletonMixin, TorchClassifier):
    """Emotion classifier with a spatial-temporal graph convolutional network (ST-GCN, Yan et al. 2018).

    The graph is the skeleton layout's bones with ST-GCN's *spatial configuration* partitioning: each
    joint's neighbours are split into the joint itself and those as far from the centre joint (root),
    closer (centripetal) and farther (centrifugal), each subset with its own weights and a learnable edge
    importance (:func:`spatial_partitions`). Any registered layout works, a BVH rig through
    :func:`~skemotion.skeleton.layout_from_rig` too. The number of joints, coordinates and classes are read
    at ``fit`` and kept in fitted attributes. The STEP gait-emotion models (Bhattacharya et al. 2020) are
    ST-GCNs of this kind; this default is smaller (three blocks of 16-32 channels) so that a CPU trains it
    on a hundred clips in seconds.

    **Recipe for small data sets.** By default the network reads three streams per joint, as the
    multi-stream ST-GCNs since 2s-AGCN (Shi et al. 2019) do: the positions, their velocities and the bone
    vectors, each standardised on the training set; it trains with label smoothing (0.1). Feed it skeletons
    normalised by :class:`~skemotion.motion.SkeletonNormalizer` (``align_yaw=True``) and resampled to a
    fixed *frame rate* (``frame_rate=6``) rather than a fixed number of frames: clips then keep their
    duration, and the velocities their speed, which carry emotion (tired and sad movements are slow).
    :doc:`/models` gives the measured effect of each choice.

    **Missing joints.** A NaN joint (and the NaN padding of shorter sequences) is set to zero after the
    streams are standardised, and an extra input channel marks it (1 observed, 0 missing); the final
    average over frames and joints counts only observed positions. The network therefore never sees the
    value of a missing joint. Sequences of any length are accepted: a list is NaN-padded to the longest.

    Parameters
    ----------
    layout : "auto", str, SkeletonLayout or None, default="auto"
        Layout whose bones make the graph. ``"auto"``: the data's layout where it carries one, else the
        default layout of the joint count (:func:`skemotion.skeleton.resolve_layout`: 16 joints are
        ``body16``). ``None``: no bones (each joint alone, a temporal network per joint).
    center : str, int or None, default=None
        Centre joint of the partitioning; ``None`` takes the layout's first root (``"root"``, the pelvis, in
        ``body16``).
    channels : tuple of int, default=(16, 32, 32)
        Output channels of each ST-GCN block (multiples of 4); the original has ten blocks of 64-256.
    temporal_kernel : int, default=7
        Frames of each temporal convolution (odd; the original's is 9).
    dropout : float, default=0.1
    inputs : tuple of str, default=("position", "velocity", "bone")
        Input streams per joint (:func:`input_streams`); ``("position",)`` is the original ST-GCN. Without a
        layout the bone stream is zero.
    label_smoothing : float, default=0.1
        Label smoothing of the cross-entropy loss.
    pooling : {"mean", "mean+std"}, default="mean"
        What the linear head reads from the last block, over the observed frames and joints
        (:func:`masked_pool`): ``"mean"``, the original's average; ``"mean+std"`` adds each channel's
        standard deviation over the frames (averaged over the joints), how much the feature varies in time,
        the kind of summary statistic the joint-distance forest reads. :doc:`/models` gives its effect.
    max_epochs : int, default=40
    batch_size : int, default=16
    lr : float, default=3e-3
        Adam's learning rate.
    weight_decay : float, default=1e-4
    train_split : callable or None, default=None
        skorch's internal validation split; ``None`` trains on all of ``X``.
    callbacks : list or None, default=None
        skorch callbacks (a learning-rate schedule: ``skorch.callbacks.LRScheduler``).
    verbose : int, default=0
    device : str or torch.device, default="cpu"
        Torch device to train and predict on (``"cuda"`` where a GPU exists).
    random_state : int, RandomState instance or None, default=None
        Seeds weights, shuffling and dropout, in a forked torch generator (the caller's is left alone).
    torch_threads : int or None, default=1
        Intra-op torch threads while training and predicting: one is the fastest for this small network.
    **kwargs
        Other :class:`skorch.NeuralNet` parameters (``module__*``, ``optimizer__*``, ``classes``...).

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
    n_joints_in_, n_dims_in_ : int
    input_shape_ : tuple of int
        ``(n_joints, n_dims)`` of the training skeletons (the number of frames may vary).
    layout_ : SkeletonLayout or None
        The layout the graph was built from.
    adjacency_ : ndarray of shape (3, n_joints, n_joints)
        The normalised partitions (:func:`spatial_partitions`).
    input_mean_, input_scale_ : ndarray of shape (n_inputs * n_dims,)
        Standardisation of the input streams, from the observed training values.
    module_ : STGCN
        The trained network; ``history_`` is the training log.
    net_ : STGCNClassifier
        The estimator itself (it is the skorch net), for code written when the net was a wrapped attribute.

    Examples
    --------
    >>> from skemotion.datasets import make_emotional_gait
    >>> from skemotion.nn import STGCNClassifier
    >>> gait = make_emotional_gait(16, random_state=0)
    >>> model = STGCNClassifier(layout="body16", channels=(8, 8), max_epochs=2, random_state=0)
    >>> model.fit(gait.data, gait.target).predict(gait.data[:3]).shape
    (3,)
    >>> model.adjacency_.shape
    (3, 16, 16)
    """

    _parameter_constraints = {
        **TorchClassifier._parameter_constraints,
        "layout": [StrOptions({"auto"}), str, SkeletonLayout, None],
        "center": [str, Integral, None],
        "channels": [tuple, list],
        "temporal_kernel": [Interval(Integral, 1, None, closed="left")],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "inputs": [tuple, list],
        "label_smoothing": [Interval(Real, 0, 1, closed="left")],
        "pooling": [StrOptions(set(POOLINGS))],
        "weight_decay": [Interval(Real, 0, None, closed="left")],
        "train_split": [callable, None],
        "callbacks": [list, None],
        "verbose": ["verbose"],
    }

    def __init__(self, layout="auto", center=None, channels=(16, 32, 32), temporal_kernel=7, dropout=0.1,
                 inputs=INPUTS, label_smoothing=0.1, pooling="mean", max_epochs=40, batch_size=16, lr=3e-3,
                 weight_decay=1e-4, train_split=None, callbacks=None, verbose=0, device="cpu", random_state=None,
                 torch_threads=1, *,
                 module=STGCN, criterion=nn.CrossEntropyLoss, optimizer=torch.optim.Adam, **kwargs):
        self.layout = layout
        self.center = center
        self.channels = channels
        self.temporal_kernel = temporal_kernel
        self.dropout = dropout
        self.inputs = inputs
        self.label_smoothing = label_smoothing
        self.pooling = pooling
        self.weight_decay = weight_decay
        super().__init__(module, criterion, optimizer=optimizer, lr=lr, max_epochs=max_epochs, batch_size=batch_size,
                         train_split=train_split, callbacks=callbacks, verbose=verbose, random_state=random_state,
                         device=device, torch_threads=torch_threads, **kwargs)

    def _validate_net_params(self):
        super()._validate_net_params()
        channels = tuple(self.channels)
        if not channels or any(not isinstance(c, Integral) or c < 4 or c % 4 for c in channels):
            raise ValueError(f"channels must be positive multiples of 4, got {self.channels!r}.")
        unknown = sorted(set(self.inputs) - set(INPUTS))
        if not self.inputs or unknown or len(set(self.inputs)) != len(self.inputs):
            raise ValueError(f"inputs must be distinct names among {INPUTS}, got {self.inputs!r}.")

    def _check_X(self, X, reset):
        raw = X
        X, _ = validate_skeletons(self, X, reset=reset, two_d_as="joints")
        if reset:
            check_skeleton_layout(self, raw, X.shape[2], reset=True, required=True)  # sets layout_
        return X

    def _train(self, X, codes, **fit_params):
        super()._train(X.astype(np.float32), codes, **fit_params)  # validated in float64, trained in float32

    def _set_signal_args(self, X):
        """The graph of the layout and the standardisation of the input streams, from the training data."""
        self.input_shape_ = tuple(X.shape[2:])
        self.adjacency_ = self._adjacency(X.shape[2])
        streams = input_streams(torch.as_tensor(X), tuple(self.inputs), self._parents(X.shape[2])).numpy()
        means, scales = [], []
        for column in streams.reshape(-1, streams.shape[-1]).T:  # observed values of each channel
            observed = column[~np.isnan(column)]
            means.append(observed.mean() if observed.size else 0.0)
            scales.append(observed.std() if observed.size else 0.0)
        self.input_mean_ = np.asarray(means)
        self.input_scale_ = np.where(np.asarray(scales) > 1e-8, scales, 1.0)

    def _check_input_shape(self, X):
        pass  # validate_skeletons checks the joints and coordinates; the number of frames may vary

    def _parents(self, n_joints):
        if self.layout_ is None:
            return list(range(n_joints))
        return [joint if parent < 0 else parent for joint, parent in enumerate(self.layout_.parents)]

    def _adjacency(self, n_joints):
        if self.layout_ is None:
            bones = np.empty((0, 2), dtype=int)
            center = 0
        else:
            bones = self.layout_.bones
            center = self.layout_.parents.index(-1) if self.center is None else self.layout_.index(self.center)
        if self.layout_ is None and self.center is not None:
            raise ValueError("center needs a layout: without bones there is no centre to partition around.")
        return spatial_partitions(n_joints, bones, center)

    def initialize_module(self):
        """Build :class:`STGCN` with the graph, streams and classes read in ``fit``."""
        sizes = dict(n_dims=self.input_shape_[1], n_classes=len(self.classes_), adjacency=self.adjacency_,
                     mean=self.input_mean_, scale=self.input_scale_, channels=tuple(self.channels),
                     temporal_kernel=self.temporal_kernel, dropout=self.dropout, inputs=tuple(self.inputs),
                     parents=self._parents(self.input_shape_[0]), pooling=self.pooling)
        self.module_ = self._initialized(self.module, "module", sizes)
        return self

    def initialize_criterion(self):
        """Cross-entropy with ``label_smoothing`` (``criterion__*`` parameters win)."""
        kwargs = {"label_smoothing": self.label_smoothing, **self.get_params_for("criterion")}
        self.criterion_ = self.initialized_instance(self.criterion, kwargs)
        return self


    def predict_proba(self, X):
        """Class probabilities (softmax of the network's logits, computed in float64).

        Parameters
        ----------
        X : array-like of shape (n_samples, n_frames, n_joints, n_dims) or list of arrays

        Returns
        -------
        proba : ndarray of shape (n_samples, n_classes)
        """
        if is_dataset(X):  # skorch's own validation data during training
            return super().predict_proba(X)
        check_is_fitted(self, "module_")
        X = self._check_X(X, reset=False)
        logits = forward_float64(self.module_, X, self.device or "cpu")
        return softmax(logits, axis=1)
