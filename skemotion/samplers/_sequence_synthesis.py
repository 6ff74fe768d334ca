"""Sequence synthesis that respects time and bodies: time-aligned mixing of a class's motions, bone by bone.

Mixing two whole clips frame by frame (what a flat over-sampler does) averages a foot lift with a foot plant
when the clips are in different gait phases, and shortens every bone it rotates. Here a new sequence is made
from a *base* clip and a *partner* clip of the same class, chosen among the base's neighbours on the class's
neural gas:

1. Both clips go to a bone representation: root trajectory, one unit direction per bone (from the layout's
   parents) and one length per bone (the clip's median; a body does not change size while it moves).
2. The partner is turned about the vertical axis to face the base's way, then dynamic time warping (DTW) on
   the bone directions maps every base frame to a (fractional, smoothed, monotone) partner time, so steps are
   mixed with steps and arm swings with arm swings.
3. Directions, root displacement and bone lengths are mixed with a weight ``w`` drawn in ``MIX_RANGE`` (the
   base dominates), the directions are renormalised, and the timing is sampled too: the mix is resampled
   to a length between the two clips'.
4. Forward kinematics from the root rebuilds joint positions: every bone keeps one length in every frame.
5. Novelty: a candidate nearer to a real clip than ``min_novelty`` (in the motion features of
   ``_novelty.py``, relative to the median real-to-real nearest distance) is drawn again, with another
   partner and a weight nearer 1/2, then as its base varied alone, then with the base's mean posture
   shifted towards another clip's of the class (:func:`_candidates`).
"""

import warnings

import numpy as np
from scipy.linalg.lapack import dgtsv
from scipy.ndimage import gaussian_filter1d

from ._novelty import NoveltyMeter

# Weight of the partner clip in a mix: at most 0.4, so the base's timing (kept as is) is the dominant motion;
# at least 0.2, so the mix moves away from its base (a candidate still too near a real clip is redrawn by
# the novelty rule, see _candidates).
MIX_RANGE = (0.2, 0.4)
# Two clips travel alike when each root moves more than this fraction of the body's summed bone lengths,
# within this angle of each other once the partner is turned to face like the base.
TRAVEL_FRACTION = 0.25
MAX_TRAVEL_ANGLE = 45.0
# A clip without a compatible partner is varied alone: its amplitude and its tempo are each multiplied or
# divided by a factor in this range (never close to 1, which would copy the clip).
VARIATION_RANGE = (1.08, 1.25)
# Last resort, for a clip that neither mixes nor variations move far enough from every real clip (a clip
# with no partner that barely moves, e.g. a sad wave: scaling its small motion changes little): its mean
# posture is shifted towards another clip's of the class by a weight drawn in this range, raised by
# POSTURE_STEP at each further attempt. Posture carries style (a sad body hangs its head), so the class's
# own postures are what it borrows.
POSTURE_RANGE = (0.25, 0.35)
POSTURE_STEP = 0.05
# Candidates tried per kind (mixes, then variations alone, then posture shifts) before the most novel one
# is kept.
MAX_ATTEMPTS = 6
N_KINDS = 3
# DTW needs a few frames to map one motion's phases onto another's.
MIN_FRAMES = 4
# Smoothing (frames) of the DTW time map: a DTW path moves in unit steps and would make the partner stutter.
WARP_SMOOTHING = 2.0
# Largest speed-up (and slow-down) of the query that a DTW time map may apply, relative to its mean slope.
MAX_WARP = 1.5


def star_parents(n_joints):
    """Parents of a star skeleton (every joint hangs from joint 0), for data without a layout.

    Examples
    --------
    >>> star_parents(3)
    array([-1,  0,  0])
    """
    parents = np.zeros(n_joints, dtype=int)
    parents[0] = -1
    return parents


def check_parents(parents):
    """Parents as an int array, with one root (joint 0) and every parent listed before its child."""
    parents = np.asarray(parents, dtype=int)
    if parents[0] != -1 or (parents[1:] < 0).any() or (parents[1:] >= np.arange(1, len(parents))).any():
        raise ValueError("Sequence synthesis needs a layout with one root, joint 0, and every joint's parent "
                         f"listed before it; got parents {parents.tolist()}.")
    return parents


def to_bones(sequence, parents):
    """Root trajectory, unit bone directions and median bone lengths of one sequence.

    Parameters
    ----------
    sequence : ndarray of shape (n_frames, n_joints, n_dims)
    parents : ndarray of shape (n_joints,)
        Parent of each joint, ``-1`` for the root (joint 0).

    Returns
    -------
    root : ndarray of shape (n_frames, n_dims)
    directions : ndarray of shape (n_frames, n_joints - 1, n_dims)
        Unit vector of the bone from each non-root joint's parent to it.
    lengths : ndarray of shape (n_joints - 1,)

    Examples
    --------
    >>> import numpy as np
    >>> arm = np.array([[[0, 0, 0], [0, 2, 0]], [[0, 0, 0], [2, 0, 0]]], dtype=float)
    >>> root, directions, lengths = to_bones(arm, np.array([-1, 0]))
    >>> directions[:, 0].tolist(), lengths.tolist()
    ([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0]], [2.0])
    """
    bones = sequence[:, 1:] - sequence[:, parents[1:]]
    norms = np.linalg.norm(bones, axis=-1, keepdims=True)
    # A zero-length bone (two joints on one point) has no direction: give it an arbitrary unit one.
    directions = np.where(norms > 1e-12, bones / np.maximum(norms, 1e-12), _unit(sequence.shape[-1]))
    return sequence[:, 0].copy(), directions, np.median(norms[..., 0], axis=0)


def _unit(n_dims):
    unit = np.zeros(n_dims)
    unit[-1] = 1.0
    return unit


def from_bones(root, directions, lengths, parents):
    """Joint positions by forward kinematics: each joint at its parent plus its bone's length along its direction.

    The inverse of :func:`to_bones` for a sequence whose bones keep their lengths.

    Examples
    --------
    >>> import numpy as np
    >>> from_bones(np.zeros((1, 3)), np.array([[[0.0, 1.0, 0.0]]]), np.array([2.0]), np.array([-1, 0]))[0, 1]
    array([0., 2., 0.])
    """
    n_frames, n_bones, n_dims = directions.shape
    positions = np.empty((n_frames, n_bones + 1, n_dims))
    positions[:, 0] = root
    for j in range(1, n_bones + 1):  # parents precede children
        positions[:, j] = positions[:, parents[j]] + lengths[j - 1] * directions[:, j - 1]
    return positions


def dtw_time_map(reference, query):
    """For each frame of ``reference``, the (fractional) frame of ``query`` that DTW aligns with it.

    DTW with steps (1, 0), (0, 1), (1, 1) and squared Euclidean cost, computed row by row: within a row the
    recursion ``D[i, j] = c[i, j] + min(a[j], D[i, j - 1])`` with ``a[j] = min(D[i-1, j], D[i-1, j-1])`` is
    a running minimum of ``a - cumsum(c)`` plus ``cumsum(c)``, so each row is one vectorised pass. When the
    query is at least as long as the reference, the reference is matched to the best *part* of the query
    (subsequence DTW: free start and end in the query), so the two motions keep their own tempos; a shorter
    query is aligned end to end. The path's matched query frames are averaged per reference frame, smoothed,
    and the slope of the map is kept within ``[1 / MAX_WARP, MAX_WARP]`` (of the mean slope, end to end).

    Parameters
    ----------
    reference : ndarray of shape (n, n_features)
    query : ndarray of shape (m, n_features)

    Returns
    -------
    time_map : ndarray of shape (n,)
        Increasing values in ``[0, m - 1]``.

    Examples
    --------
    >>> import numpy as np
    >>> t = np.linspace(0, 1, 20)[:, None]
    >>> slow = np.sin(3 * t)
    >>> fast = np.sin(3 * np.linspace(0, 1, 15)[:, None])
    >>> time_map = dtw_time_map(slow, fast)  # end to end: the query is shorter
    >>> float(time_map[0]), float(time_map[-1]), bool(np.all(np.diff(time_map) > 0))
    (0.0, 14.0, True)
    >>> part = dtw_time_map(slow[5:12], slow)  # subsequence: frames 5..11 of the longer query
    >>> np.round(part).astype(int).tolist()
    [5, 6, 7, 8, 9, 10, 11]
    """
    n, m = len(reference), len(query)
    subsequence = m >= n
    cost = (np.sum(reference**2, axis=1)[:, None] + np.sum(query**2, axis=1)[None, :]
            - 2 * reference @ query.T).clip(min=0)
    D = np.empty((n, m))
    D[0] = cost[0] if subsequence else np.cumsum(cost[0])
    csum = np.cumsum(cost, axis=1)  # every row's running sums at once; the loop keeps 3 ufunc calls a row
    before = csum - cost
    a = np.empty(m)
    for i in range(1, n):
        above = D[i - 1]
        a[0] = above[0]
        np.minimum(above[1:], above[:-1], out=a[1:])
        np.minimum.accumulate(a - before[i], out=D[i])
        D[i] += csum[i]
    raw = _backtrack(D, subsequence)
    if n == 1:
        return raw
    # Smooth the deviation from the straight line between the ends, so the ends stay where DTW put them.
    line = np.linspace(raw[0], raw[-1], n)
    time_map = line + gaussian_filter1d(raw - line, WARP_SMOOTHING, mode="constant")
    # Bounded slope: DTW may race through a stretch of the query (a pause, a start) that matches one
    # reference frame, which would replay it too fast, or hold a query frame still.
    mean_slope = 1.0 if subsequence else (m - 1) / (n - 1)
    steps = np.clip(np.diff(time_map), mean_slope / MAX_WARP, mean_slope * MAX_WARP)
    if not subsequence:
        steps *= (raw[-1] - raw[0]) / steps.sum()
    return np.clip(raw[0] + np.r_[0.0, np.cumsum(steps)], 0, m - 1)


def _backtrack(D, subsequence):
    """Mean matched query frame of each reference frame along the optimal path of the DTW matrix ``D``.

    Ties go to the diagonal step, then to the step down the reference (``np.argmin``'s first minimum).
    """
    n, m = D.shape
    at = D.item  # one Python float per look-up: a path reads about 3 (n + m) of the n m entries
    matched_sum, matched_count = [0.0] * n, [0] * n
    i, j = n - 1, int(np.argmin(D[-1])) if subsequence else m - 1
    while True:
        matched_sum[i] += j
        matched_count[i] += 1
        if i == 0 and (j == 0 or subsequence):
            break
        if i == 0:
            j -= 1
        elif j == 0:
            i -= 1
        else:
            diagonal, up, left = at(i - 1, j - 1), at(i - 1, j), at(i, j - 1)
            if diagonal <= up and diagonal <= left:
                i, j = i - 1, j - 1
            elif up <= left:
                i -= 1
            else:
                j -= 1
    return np.array(matched_sum) / np.array(matched_count)


def interpolate_frames(values, times):
    """Cubic-spline interpolation of ``values`` (frames first) at fractional frame ``times``.

    Linear interpolation at a new frame rate would put the kinks of a piecewise-linear path at irregular
    frames, which finite differences turn into acceleration and jerk spikes that real motion has not.
    The spline is ``scipy.interpolate.CubicSpline``'s (not-a-knot ends; the same values to rounding,
    ``tests/test_synthesis.py``), solved here directly on the unit frame grid: the sampler interpolates
    hundreds of short clips, and CubicSpline's input checks cost more than its solve.
    """
    if len(values) >= 4:
        return _not_a_knot_spline(values, np.clip(times, 0, len(values) - 1))
    low = np.clip(np.floor(times).astype(int), 0, len(values) - 1)
    high = np.minimum(low + 1, len(values) - 1)
    frac = (times - low).reshape((-1,) + (1,) * (values.ndim - 1))
    return (1 - frac) * values[low] + frac * values[high]


def _not_a_knot_spline(values, times):
    """Not-a-knot cubic spline through ``values`` at frames 0, 1, ..., evaluated at ``times`` (in range).

    The slopes ``s`` at the frames solve CubicSpline's tridiagonal system for unit spacing: ``s[i-1] +
    4 s[i] + s[i+1] = 3 (y[i+1] - y[i-1])`` inside, and at the ends ``s[0] + 2 s[1] = (5 d[0] + d[1]) / 2``
    (``d``: the differences of ``y``), mirrored at the other end; each piece is then the cubic Hermite
    polynomial of its two frames' values and slopes.
    """
    n = len(values)
    y = values.reshape(n, -1)
    d = np.diff(y, axis=0)
    rhs = np.empty_like(y)
    rhs[1:-1] = 3 * (d[:-1] + d[1:])
    rhs[0], rhs[-1] = (5 * d[0] + d[1]) / 2, (d[-2] + 5 * d[-1]) / 2
    main = np.full(n, 4.0)
    main[0] = main[-1] = 1.0
    upper, lower = np.ones(n - 1), np.ones(n - 1)
    upper[0] = lower[-1] = 2.0
    slopes = dgtsv(lower, main, upper, rhs)[3]
    piece = np.minimum(np.floor(times).astype(int), n - 2)
    u = (times - piece)[:, None]
    u2, u3 = u * u, u * u * u
    out = ((2 * u3 - 3 * u2 + 1) * y[piece] + (u3 - 2 * u2 + u) * slopes[piece]
           + (3 * u2 - 2 * u3) * y[piece + 1] + (u3 - u2) * slopes[piece + 1])
    return out.reshape((len(times),) + values.shape[1:])


def interpolate_together(arrays, times):
    """:func:`interpolate_frames` of several arrays with the same frames at the same ``times``, in one spline.

    A spline interpolates every column on its own, so stacking the columns gives the same values as one
    spline per array, for the set-up cost (which dominates on short clips) of one.
    """
    flat = np.concatenate([a.reshape(len(a), -1) for a in arrays], axis=1)
    out = interpolate_frames(flat, times)
    ends = np.cumsum([a[0].size for a in arrays])[:-1]
    return [part.reshape((len(times),) + a.shape[1:]) for part, a in zip(np.split(out, ends, axis=1), arrays)]


def yaw_rotation_between(reference, moving, up_axis):
    """Rotation about ``up_axis`` that best turns the points ``moving`` onto ``reference`` (least squares).

    Examples
    --------
    >>> import numpy as np
    >>> R = yaw_rotation_between(np.array([[1.0, 0, 0]]), np.array([[0, 0, 1.0]]), up_axis=1)
    >>> np.round(R @ [0, 0, 1.0], 6).tolist()
    [1.0, 0.0, 0.0]
    """
    a, b = [ax for ax in range(3) if ax != up_axis]  # the horizontal plane, in right-handed order
    if up_axis == 1:
        a, b = 2, 0
    # 2-D Procrustes in the (a, b) plane: the angle maximising sum(ref . R(theta) mov).
    cross = np.sum(moving[:, a] * reference[:, b] - moving[:, b] * reference[:, a])
    dot = np.sum(moving[:, a] * reference[:, a] + moving[:, b] * reference[:, b])
    theta = np.arctan2(cross, dot)
    R = np.eye(3)
    R[a, a] = R[b, b] = np.cos(theta)
    R[b, a], R[a, b] = np.sin(theta), -np.sin(theta)
    return R


class ClassMotions:
    """The sequences of one class in bone representation, ready to be mixed.

    Parameters
    ----------
    sequences : list of ndarray of shape (n_frames_i, n_joints, n_dims)
    parents : ndarray of shape (n_joints,)
    up_axis : int or None
        Vertical axis (1 for y up, 2 for z up); ``None`` skips the turn about it (2-D data).
    """

    def __init__(self, sequences, parents, up_axis):
        self.parents, self.up_axis = parents, up_axis
        self.bones = [to_bones(seq, parents) for seq in sequences]
        self._time_maps = {}

    def time_map(self, base, partner):
        """DTW map from the base's frames to the (turned) partner's, cached per pair."""
        key = (base, partner)
        if key not in self._time_maps:
            turn = self.turn(base, partner)
            reference = self.bones[base][1].reshape(len(self.bones[base][1]), -1)
            query = (self.bones[partner][1] @ turn.T).reshape(len(self.bones[partner][1]), -1)
            self._time_maps[key] = (turn, dtw_time_map(reference, query))
        return self._time_maps[key]

    def turn(self, base, partner):
        """Rotation about the vertical that makes the partner's mean posture face like the base's."""
        n_dims = self.bones[base][1].shape[-1]
        if self.up_axis is None or n_dims != 3:
            return np.eye(n_dims)
        return yaw_rotation_between(self.bones[base][1].mean(axis=0), self.bones[partner][1].mean(axis=0),
                                    self.up_axis)

    def travel(self, index, turn=None):
        """Horizontal displacement of a clip's root from its first to its last frame (optionally turned)."""
        root = self.bones[index][0]
        move = root[-1] - root[0]
        if turn is not None:
            move = turn @ move
        if self.up_axis is not None and len(move) == 3:
            move[self.up_axis] = 0.0
        return move

    def compatible(self, base, partner):
        """Whether two clips move alike: both stay in place, or both travel the same way relative to the body.

        A walk forwards and a walk backwards face the same way but travel opposite ways: mixed, their
        steps and root displacements cancel out into a shuffle that no one performs.
        """
        size = self.bones[base][2].sum()
        moves = [self.travel(base), self.travel(partner, self.turn(base, partner))]
        travelling = [np.linalg.norm(m) > TRAVEL_FRACTION * size for m in moves]
        if len(self.bones[partner][0]) * MAX_WARP < len(self.bones[base][0]):
            return False  # too short to cover the base without playing it much faster than it was
        if not any(travelling):
            return True
        if not all(travelling):
            return False
        return moves[0] @ moves[1] > np.cos(np.radians(MAX_TRAVEL_ANGLE)) * np.linalg.norm(moves[0]) * \
            np.linalg.norm(moves[1])

    def vary(self, base, scale, n_frames, posture=None, posture_weight=0.0):
        """The base alone, its motion around its mean posture scaled by ``scale`` and retimed to ``n_frames``.

        For a clip with no partner that moves like it; a performer repeating a motion varies its amplitude
        and its tempo. With ``posture`` (another clip of the class), the mean posture moves by
        ``posture_weight`` towards that clip's (turned to face like the base) and the body is lifted or
        lowered frame by frame so that its lowest joint stays at the base's height: the feet stay on the
        ground the base walked on.
        """
        root, dirs, lengths = self.bones[base]
        mean = dirs.mean(axis=0)
        dirs = mean + scale * (dirs - mean)
        if posture is not None:
            target = self.bones[posture][1].mean(axis=0) @ self.turn(base, posture).T
            dirs = dirs + posture_weight * (target - mean)
        root = root[0] + scale * (root - root[0])
        if self.up_axis is not None and root.shape[1] == 3:
            root[:, self.up_axis] = self.bones[base][0][:, self.up_axis]
        times = np.linspace(0, len(dirs) - 1, n_frames)
        dirs, root = interpolate_together([dirs, root], times)
        dirs /= np.maximum(np.linalg.norm(dirs, axis=-1, keepdims=True), 1e-12)
        positions = from_bones(root, dirs, lengths, self.parents)
        if posture is not None and self.up_axis is not None and positions.shape[-1] == 3:
            up = self.up_axis
            lowest = from_bones(*self.bones[base], self.parents)[..., up].min(axis=1)
            positions[..., up] += (np.interp(times, np.arange(len(lowest)), lowest)
                                   - positions[..., up].min(axis=1))[:, None]
        return positions

    def mix(self, base, partner, weight, n_frames):
        """A new sequence of ``n_frames`` frames: the base mixed with ``weight`` of the time-aligned partner."""
        root_b, dirs_b, len_b = self.bones[base]
        root_p, dirs_p, len_p = self.bones[partner]
        turn, time_map = self.time_map(base, partner)
        dirs_p_mapped, root_p_mapped = interpolate_together([dirs_p, root_p], time_map)
        dirs = (1 - weight) * dirs_b + weight * dirs_p_mapped @ turn.T
        dirs /= np.maximum(np.linalg.norm(dirs, axis=-1, keepdims=True), 1e-12)
        # Root: the base's start, then a mix of the two displacements (the partner's turned like its body);
        # the height is mixed as is, since it follows the (mixed) leg lengths. The partner's displacement
        # sums its frame-to-frame velocity at the mapped times, so a time map steeper than 1 does not speed
        # the partner's travel up beyond anything it did.
        velocity_p = np.diff(root_p, axis=0) if len(root_p) > 1 else np.zeros_like(root_p)
        warped = interpolate_frames(velocity_p, np.minimum(time_map, len(velocity_p) - 1)) @ turn.T
        moved_p = np.r_[np.zeros((1, root_p.shape[1])), np.cumsum(warped[:-1], axis=0)]
        root = root_b[0] + (1 - weight) * (root_b - root_b[0]) + weight * moved_p
        if self.up_axis is not None and root.shape[1] == 3:
            root[:, self.up_axis] = ((1 - weight) * root_b[:, self.up_axis]
                                     + weight * root_p_mapped[:, self.up_axis])
        # Timing: resample the mix (on the base's clock) to the drawn length.
        dirs, root = interpolate_together([dirs, root], np.linspace(0, len(dirs) - 1, n_frames))
        dirs /= np.maximum(np.linalg.norm(dirs, axis=-1, keepdims=True), 1e-12)
        lengths = (1 - weight) * len_b + weight * len_p
        return from_bones(root, dirs, lengths, self.parents)


def synthesize_class(sequences, neighbours, n_new, parents, up_axis, random_state, novelty=None,
                     min_novelty=0.0, max_frames=None):
    """``n_new`` new sequences of one class, each a time-aligned mix of a clip and one of its neighbours.

    Parameters
    ----------
    sequences : list of ndarray of shape (n_frames_i, n_joints, n_dims)
        The class's clips, complete (no NaN), each at least ``MIN_FRAMES`` long.
    neighbours : list of tuple of ndarray of int
        For each clip, groups of clips it may be mixed with (never itself), in order of preference: its
        partners are the clips that move like it (:meth:`ClassMotions.compatible`) in the first group that
        has any. A clip with none is varied alone (:meth:`ClassMotions.vary`).
    n_new : int
    parents : ndarray of shape (n_joints,)
    up_axis : int or None
    random_state : RandomState instance
    novelty : NoveltyMeter or None, default=None
        Measures a candidate's distance to its nearest real clip (see ``_novelty.py``).
    min_novelty : float, default=0.0
        A candidate whose novelty is below this is rejected and drawn again (:func:`_candidates`).
    max_frames : int or None, default=None
        Longest sequence to make (the input's padded length): a longer one would be cut.

    Returns
    -------
    new : list of ndarray of shape (n_frames_k, n_joints, n_dims)
    n_below : int
        New sequences still below ``min_novelty`` after every attempt (the most novel attempt is kept).

    Examples
    --------
    >>> import numpy as np
    >>> rng = np.random.RandomState(0)
    >>> t = np.linspace(0, 2 * np.pi, 40)[:, None]
    >>> clips = [np.stack([np.zeros((40, 2)) + [0, 1], np.c_[np.cos(t + p), np.sin(t + p)]], axis=1)
    ...          for p in (0.0, 0.5)]  # a 2-joint, 2-D "arm" turning, in two phases
    >>> new, n_below = synthesize_class(clips, [(np.array([1]),), (np.array([0]),)], 3, np.array([-1, 0]),
    ...                                 None, rng)
    >>> len(new), n_below, bool(np.ptp(np.linalg.norm(new[0][:, 1] - new[0][:, 0], axis=1)) < 1e-12)
    (3, 0, True)
    """
    plans = plan_class(sequences, neighbours, n_new, parents, up_axis, random_state, max_frames)
    return select_novel(plans, novelty, min_novelty)


def plan_class(sequences, neighbours, n_new, parents, up_axis, random_state, max_frames=None, n_frames=None):
    """One lazy stream of candidates (:func:`_candidates`) for each of the ``n_new`` sequences of a class.

    The parameters are :func:`synthesize_class`'s; ``n_frames``, where given, is every candidate's length
    (time-normalised input keeps its length). Every clip is a base equally often (random order): drawing
    bases independently would leave some clips' motions out of a small synthetic set and repeat others.
    """
    motions = ClassMotions(sequences, parents, up_axis)
    partners = [_first_compatible(motions, i, groups) for i, groups in enumerate(neighbours)]
    n_rounds = -(-n_new // len(sequences))
    bases = np.concatenate([random_state.permutation(len(sequences)) for _ in range(n_rounds)])[:n_new]
    return [_candidates(motions, base, partners[base], random_state, max_frames, n_frames) for base in bases]


def select_novel(plans, novelty, min_novelty):
    """The first candidate of each stream in ``plans`` whose novelty reaches ``min_novelty``.

    Candidates are drawn in rounds, one from every stream still below, and scored together in one batch
    (the features of a batch cost little more than those of one clip). A stream that runs out keeps its
    most novel candidate.

    Returns
    -------
    new : list of ndarray
    n_below : int
        Streams whose kept candidate is still below ``min_novelty``.
    """
    scored = novelty is not None and min_novelty > 0
    best, best_novelty = [None] * len(plans), np.full(len(plans), -np.inf)
    pending = list(range(len(plans)))
    while pending:
        drawn = [(i, next(plans[i], None)) for i in pending]
        drawn = [(i, candidate) for i, candidate in drawn if candidate is not None]
        if not drawn:
            break
        scores = novelty.novelties([c for _, c in drawn]) if scored else np.full(len(drawn), np.inf)
        pending = []
        for (i, candidate), score in zip(drawn, scores):
            if score > best_novelty[i]:
                best[i], best_novelty[i] = candidate, score
            if score < min_novelty:
                pending.append(i)
    return best, int(np.sum(best_novelty < min_novelty))


def _candidates(motions, base, partners, random_state, max_frames, n_frames=None):
    """Candidate new sequences from ``base``, in the order they are tried until one is novel enough.

    First a mix with a random partner and a partner weight in ``MIX_RANGE``; then ``MAX_ATTEMPTS - 1``
    further mixes, each with a new random partner and a weight in the upper half of ``MIX_RANGE`` (a mix is
    farthest from both its clips near weight 1/2); then the base varied alone (amplitude and tempo), with
    factors growing from ``VARIATION_RANGE`` on; then varied with its mean posture shifted towards that of
    a random other clip of the class (weights from ``POSTURE_RANGE``, growing by ``POSTURE_STEP``). A clip
    without partners starts at the variations. Lengths are drawn as the tempos say, at most ``max_frames``,
    unless ``n_frames`` fixes them.
    """
    n_base = len(motions.bones[base][0])
    cap = max_frames or np.inf

    def length(drawn):
        return n_frames if n_frames is not None else max(min(round(drawn), cap), MIN_FRAMES)
    if partners:
        low, high = MIX_RANGE
        for attempt in range(MAX_ATTEMPTS):
            partner = random_state.choice(partners)
            weight = random_state.uniform(low if attempt == 0 else (low + high) / 2, high)
            # The mix's tempo: the base's and the partner's (frames it spends per base frame), mixed.
            slope = np.mean(np.diff(motions.time_map(base, partner)[1])) if n_base > 1 else 1.0
            yield motions.mix(base, partner, weight, length(n_base * ((1 - weight) + weight * slope)))
    for attempt in range(MAX_ATTEMPTS):
        grow = 1.0 + attempt / MAX_ATTEMPTS  # further from the base at every attempt
        log_range = np.log(VARIATION_RANGE) * grow
        scale, tempo = np.exp(random_state.choice([-1, 1], 2) * random_state.uniform(*log_range, 2))
        yield motions.vary(base, scale, length(n_base / tempo))
    others = np.delete(np.arange(len(motions.bones)), base)
    for attempt in range(MAX_ATTEMPTS):
        scale, tempo = np.exp(random_state.choice([-1, 1], 2) * random_state.uniform(*np.log(VARIATION_RANGE), 2))
        weight = random_state.uniform(*POSTURE_RANGE) + POSTURE_STEP * attempt
        yield motions.vary(base, scale, length(n_base / tempo), posture=random_state.choice(others),
                           posture_weight=weight)


def _first_compatible(motions, base, groups):
    """The compatible clips of the first group of candidates that has any."""
    for group in groups:
        compatible = [p for p in group if motions.compatible(base, p)]
        if compatible:
            return compatible
    return []


def check_sequences_long_enough(sampler, lengths, y, labels):
    """Raise a clear error when a clip of a class to be over-sampled is too short to be time-aligned."""
    for label in labels:
        shortest = int(lengths[y == label].min())
        if shortest < MIN_FRAMES:
            raise ValueError(
                f"{type(sampler).__name__} time-aligns sequences before mixing them and needs at least "
                f"{MIN_FRAMES} frames per sequence; a sequence of class {label} has {shortest}. Drop it or "
                "resample it (SkeletonNormalizer(n_frames=...))."
            )


def resolve_parents(layout, n_joints):
    """Parents of the sampler's resolved layout (``layout_``), or a star skeleton when it has none."""
    return star_parents(n_joints) if layout is None else check_parents(layout.parents)


def gas_features(sequences, n_frames):
    """Each clip as one point for the neural gas: joints relative to the start's root, resampled, flattened."""
    from ..skeleton._temporal import resample

    padded = np.full((len(sequences), max(map(len, sequences))) + sequences[0].shape[1:], np.nan)
    for i, seq in enumerate(sequences):
        padded[i, :len(seq)] = seq - seq[0, 0]
    Z = resample(padded, np.array([len(s) for s in sequences]), n_frames).reshape(len(sequences), -1)
    return (Z - Z.mean(axis=0)) / np.maximum(Z.std(axis=0), 1e-12)


def gas_neighbours(gas, points):
    """Candidate partners of each clip, in order of preference: the other clips of its unit, then the rest."""
    owner = gas.labels_
    distances = np.linalg.norm(points[:, None] - points[None], axis=-1)
    np.fill_diagonal(distances, np.inf)
    neighbours = []
    for i in range(len(points)):
        order = np.argsort(distances[i])[:-1]  # every other clip, nearest first
        same_unit = owner[order] == owner[i]
        neighbours.append((order[same_unit], order[~same_unit]))
    return neighbours


def neural_gas_fit_resample(sampler, X, y):
    """:class:`NeuralGasSampler`'s resampling of skeleton sequences (NaN-padded 4-D ``X``).

    Per class to over-sample: a neural gas on the clips (see :func:`gas_features`) gives each clip its
    partners, then :func:`synthesize_class` mixes clips with partners. Sets ``sampler.neural_gases_``.
    """
    from sklearn.utils import check_random_state

    from ..cluster import NeuralGas
    from ..utils.validation import sequence_lengths
    from ._base import check_class_sizes
    from ._neural_gas_sampler import units_for_class

    random_state = check_random_state(sampler.random_state)
    counts = {label: n for label, n in sampler.sampling_strategy_.items() if n > 0}
    sampler.neural_gases_ = {}
    if not counts:
        return X.copy(), y.copy()
    check_class_sizes(sampler, y, counts)
    lengths = sequence_lengths(X)
    check_sequences_long_enough(sampler, lengths, y, counts)
    parents = resolve_parents(getattr(sampler, "layout_", None), X.shape[2])
    up_axis = (1 if sampler.y_up else 2) if X.shape[3] == 3 else None
    if any(np.isnan(X[i, :n]).any() for i, n in enumerate(lengths)):
        raise ValueError(
            f"{type(sampler).__name__} needs complete skeleton sequences, but some joints are missing (NaN) "
            "inside a sequence; fill the gaps first, e.g. with SkeletonNormalizer(max_gap=...)."
        )
    all_clips = [np.asarray(X[i, :n], dtype=np.float64) for i, n in enumerate(lengths)]
    # Clips that all have one length were time-normalised (SkeletonNormalizer(n_frames=...)): keep it, since
    # shorter new clips would come NaN-padded into a pipeline that expects complete sequences.
    fixed_length = int(lengths[0]) if np.all(lengths == lengths[0]) else None
    # Novelty against every input clip, of any class: a new clip must not copy any real one.
    novelty = NoveltyMeter(all_clips, parents) if sampler.min_novelty > 0 else None
    # Candidates of every class are scored together (one batch of features per round of redraws).
    plans, y_new = [], []
    for label, n_new in counts.items():
        clips = [all_clips[i] for i in np.flatnonzero(y == label)]
        points = gas_features(clips, sampler.n_frames or 32)
        gas = NeuralGas(units_for_class(sampler.n_units, len(points)), max_iter=sampler.max_iter,
                        random_state=random_state.randint(np.iinfo(np.int32).max)).fit(points)
        sampler.neural_gases_[label] = gas
        plans += plan_class(clips, gas_neighbours(gas, points), n_new, parents, up_axis, random_state,
                            max_frames=X.shape[1], n_frames=fixed_length)
        y_new.append(np.full(n_new, label, dtype=y.dtype))
    X_new, n_below = select_novel(plans, novelty, sampler.min_novelty)
    if n_below:
        warnings.warn(
            f"{type(sampler).__name__}: {n_below} of {len(X_new)} new sequences stay closer to a real clip than "
            f"min_novelty={sampler.min_novelty} after up to {N_KINDS * MAX_ATTEMPTS} attempts each (the most novel "
            "attempt is kept); lower min_novelty or give the class more clips.",
            RuntimeWarning,
            stacklevel=4,
        )
    out = np.full((len(X_new),) + X.shape[1:], np.nan, dtype=X.dtype)
    for i, seq in enumerate(X_new):
        out[i, :min(len(seq), X.shape[1])] = seq[:X.shape[1]]
    return np.concatenate([X, out]), np.concatenate([y] + y_new)
