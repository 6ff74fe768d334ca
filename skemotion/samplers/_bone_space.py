"""Bone space for the neural samplers: sequences as per-frame channels from which bodies are rebuilt by FK.

A network that models joint coordinates directly makes bones stretch and shrink from frame to frame and
feet drift; one that models a body's bones cannot. Each sequence, time-normalised to ``n_frames``, becomes
``n_frames`` rows of channels:

* the root's frame-to-frame velocity (``n_dims``), the last frame's repeated, and its start position
  (``n_dims``, the same in every frame);
* the length of every bone (``n_bones``, the sequence's median, the same in every frame);
* the unit direction of every bone (``n_bones * n_dims``, bones from the layout's parents).

Back from the channels (:func:`from_bone_channels`): lengths and start are averaged over frames, the root
is the start plus the summed velocity, directions are renormalised, the sequence is retimed to its length
in this representation (cubic, so bones stay rigid), and forward kinematics rebuilds the joints.
"""

import numpy as np

from ..skeleton._temporal import resample
from ._sequence_synthesis import from_bones, interpolate_frames, to_bones


def to_bone_channels(X, lengths, parents, n_frames):
    """Bone channels ``(n_samples, n_frames, 2 * n_dims + n_bones * (n_dims + 1))`` of NaN-padded ``X``.

    Examples
    --------
    >>> import numpy as np
    >>> arm = np.zeros((1, 3, 2, 3))
    >>> arm[0, :, 1] = [[0, 2, 0], [2, 0, 0], [0, 2, 0]]
    >>> Z = to_bone_channels(arm, np.array([3]), np.array([-1, 0]), 3)
    >>> Z.shape, Z[0, 0, 6], Z[0, :, 7:].tolist()  # root velocity and start, bone length, bone direction
    ((1, 3, 10), np.float64(2.0), [[0.0, 1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0]])
    """
    Z = resample(X, lengths, n_frames)
    rows = []
    for i, (seq, n) in enumerate(zip(Z, lengths)):
        root, directions, _ = to_bones(seq, parents)
        bone_lengths = to_bones(np.asarray(X[i, :n], dtype=np.float64), parents)[2]  # of the raw clip
        velocity = np.diff(root, axis=0) if n_frames > 1 else np.zeros_like(root)
        velocity = np.r_[velocity, velocity[-1:]]
        constant = np.r_[root[0], bone_lengths]
        rows.append(np.hstack([velocity, np.broadcast_to(constant, (n_frames, len(constant))),
                               directions.reshape(n_frames, -1)]))
    return np.stack(rows)


def from_bone_channels(Z, new_lengths, parents, n_dims):
    """Sequences (a list, each of its own length in ``new_lengths``) from bone channels, by FK.

    Examples
    --------
    >>> import numpy as np
    >>> arm = np.zeros((1, 3, 2, 3))
    >>> arm[0, :, 1] = [[0, 2, 0], [2, 0, 0], [0, 2, 0]]
    >>> Z = to_bone_channels(arm, np.array([3]), np.array([-1, 0]), 3)
    >>> np.allclose(from_bone_channels(Z, [3], np.array([-1, 0]), 3)[0], arm[0])
    True
    """
    n_bones = len(parents) - 1
    out = []
    for z, length in zip(Z, new_lengths):
        velocity = z[:, :n_dims]
        start = z[:, n_dims:2 * n_dims].mean(axis=0)
        bone_lengths = np.abs(z[:, 2 * n_dims:2 * n_dims + n_bones].mean(axis=0))
        directions = z[:, 2 * n_dims + n_bones:].reshape(len(z), n_bones, n_dims)
        root = start + np.r_[np.zeros((1, n_dims)), np.cumsum(velocity[:-1], axis=0)]
        times = np.linspace(0, len(z) - 1, length)
        directions = interpolate_frames(directions, times)
        directions /= np.maximum(np.linalg.norm(directions, axis=-1, keepdims=True), 1e-12)
        out.append(from_bones(interpolate_frames(root, times), directions, bone_lengths, parents))
    return out
