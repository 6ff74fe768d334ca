"""Procedural emotional gait: a kinematic 3-D walking skeleton whose gait depends on the emotion.

The generator is the toolkit's embedded default data set. Each walker (body height and a personal style)
walks several times in every emotion; each trial is a rigid 16-joint kinematic chain ("body16" layout)
driven by periodic joint angles whose parameters come from published gait-emotion studies (see
``EMOTION_GAIT_PARAMS``), plus smooth per-trial noise and emotion-dependent jerk.
"""

import numbers

import numpy as np
from sklearn.utils import Bunch, check_random_state

from ..skeleton import get_layout, with_metadata

_LAYOUT = get_layout("body16")
JOINT_NAMES = tuple(_LAYOUT.joint_names)
PARENTS = tuple(_LAYOUT.parents)

# Segment lengths as fractions of body height H (Winter 2009, Fig. 4.1).
_SEGMENTS = {
    "hip_height": 0.530,  # greater trochanter above the floor
    "thigh": 0.245,  # hip -> knee
    "shank": 0.246,  # knee -> ankle
    "lower_trunk": 0.144,  # root -> spine: half of hip (0.530 H) to shoulder (0.818 H) height
    "upper_trunk": 0.144,  # spine -> neck (shoulder level): the other half
    "neck_head": 0.117,  # shoulder level (0.818 H) -> head centre (~0.935 H, between chin and crown)
    "upper_arm": 0.186,  # shoulder -> elbow
    "forearm_hand": 0.254,  # elbow -> hand: forearm 0.146 H + hand 0.108 H
    "shoulder_width": 0.259,
    "hip_width": 0.191,
}

# Gait parameters per emotion. Magnitudes are approximate: they reproduce the direction and rough size of
# the effects reported in the cited studies (which report them in different units and normalisations),
# they are not transcriptions of any one paper's table. Angles in degrees, lengths in metres.
#   speed         walking speed (m/s)
#   cadence       steps per minute (stride length follows as 2 * speed / cadence)
#   arm_swing     shoulder flexion/extension amplitude (deg)
#   elbow         mean elbow flexion (deg)
#   knee_peak     swing-phase peak knee flexion (deg)
#   trunk_pitch   forward trunk flexion (deg, + = forward)
#   head_pitch    neck flexion relative to the upper trunk (deg, + = head down)
#   bounce        vertical pelvis oscillation amplitude (m), at twice the stride frequency
#   sway          lateral pelvis oscillation amplitude (m), at the stride frequency
#   jerk          RMS of 3-8 Hz joint-angle fluctuation (deg): abrupt, forceful movement
EMOTION_GAIT_PARAMS = {
    "neutral": {
        "speed": 1.30,  # comfortable adult speed (Winter 2009); between sad and happy/angry in [1]-[3]
        "cadence": 110.0,  # typical free cadence (Winter 2009)
        "arm_swing": 16.0,  # typical free-walking shoulder range (~30 deg peak to peak)
        "elbow": 20.0,  # arms hang slightly flexed; baseline for the angry increase in [1]
        "knee_peak": 60.0,  # normal swing-phase peak (Winter 2009)
        "trunk_pitch": 3.0,  # near-upright trunk, baseline of [3]
        "head_pitch": 5.0,  # gaze slightly down, baseline of [1] and [3]
        "bounce": 0.022,  # ~4-5 cm peak-to-peak pelvis excursion of normal gait (Winter 2009)
        "sway": 0.020,  # ~4 cm peak-to-peak lateral excursion of normal gait
        "jerk": 0.4,  # smooth movement (baseline)
    },
    "happy": {
        "speed": 1.50,  # ~ +15 %: joy among the fastest [3]; happy faster than neutral [1], [2]
        "cadence": 118.0,  # longer strides and higher cadence with joy [3]; long strides [5]
        "arm_swing": 24.0,  # more arm swing / larger shoulder amplitude with joy [2], [3]; [5]
        "elbow": 24.0,  # slightly larger elbow motion with joy [3]
        "knee_peak": 64.0,  # larger leg amplitudes at the higher speed [3]
        "trunk_pitch": 0.0,  # trunk extension with joy, independent of speed [3]
        "head_pitch": 0.0,  # head held up (trunk/neck extension with joy) [3]
        "bounce": 0.032,  # bouncy gait [5]; more vertical movement with positive mood [4]
        "sway": 0.020,  # as neutral: no lateral effect reported
        "jerk": 0.6,  # energetic but fluent movement [3]
    },
    "angry": {
        "speed": 1.55,  # ~ +20 %: anger among the fastest [1], [3]
        "cadence": 124.0,  # long strides with a faster cadence than happy [5]; long strides [2]
        "arm_swing": 22.0,  # larger shoulder amplitude with anger [3]; increased arm movement [5]
        "elbow": 40.0,  # increased elbow flexion is a critical feature of angry gait [1]
        "knee_peak": 64.0,  # larger leg amplitudes at the higher speed [3]
        "trunk_pitch": 3.0,  # as neutral: no speed-independent posture change for anger in [3]
        "head_pitch": 5.0,  # as neutral: no consistent head posture change reported for anger
        "bounce": 0.028,  # heavy-footed, stomping gait [2], [5]
        "sway": 0.018,  # as neutral (slightly tighter at higher speed)
        "jerk": 1.5,  # heavy-footed [2]; rated forceful and sudden in Effort-Shape terms [3]
    },
    "sad": {
        "speed": 0.95,  # ~ -27 %: slowest emotion [1], [3]; reduced walking speed in sadness [4]
        "cadence": 96.0,  # slow, short strides [5]; lower cadence with sadness [3]
        "arm_swing": 7.0,  # less arm swing [2]; reduced arm swing in sad mood [4]
        "elbow": 14.0,  # reduced joint amplitudes, arms hang [1]
        "knee_peak": 52.0,  # reduced limb amplitudes of sad gait [1], [3]
        "trunk_pitch": 10.0,  # thoracic flexion with sadness [3]; slumped posture [4]
        "head_pitch": 22.0,  # strong head inclination [1]; neck flexion with sadness [3]
        "bounce": 0.012,  # reduced vertical (head) movement in sadness [4]
        "sway": 0.030,  # larger lateral swaying of the upper body in sadness [4]
        "jerk": 0.3,  # slow, sustained movement [3]
    },
}

_PARAM_NAMES = tuple(EMOTION_GAIT_PARAMS["neutral"])

# Spread of a walker's personal style, shared across that walker's emotions (relative or degrees).
_WALKER_STYLE_SD = {
    "speed": 0.10,  # relative
    "cadence": 0.05,  # relative
    "arm_swing": 0.25,  # relative (log-normal)
    "elbow": 6.0,  # deg offset
    "trunk_pitch": 3.0,  # deg offset
    "head_pitch": 4.0,  # deg offset
    "bounce": 0.20,  # relative
    "jerk": 0.30,  # relative (log-normal)
}

# Trial-to-trial spread within a walker and emotion, multiplied by ``noise``.
_TRIAL_SD = {"speed": 0.05, "cadence": 0.03, "arm_swing": 0.12, "angle": 2.0, "bounce": 0.12}

# Angle channels that receive smooth noise and jerk.
_CHANNELS = (
    "hip_l", "hip_r", "knee_l", "knee_r", "arm_l", "arm_r",
    "elbow_l", "elbow_r", "trunk", "head", "roll",
)  # fmt: skip

_SMOOTH_NOISE_DEG = 1.5  # RMS of the < 1.5 Hz joint-angle wander at noise=1
_HIP_STEP_SHARE = 0.8  # share of the step length produced by hip rotation (rest: pelvis rotation, foot)


def make_emotional_gait(
    n_samples=200,
    *,
    emotions=("neutral", "happy", "sad", "angry"),
    n_frames=90,
    frame_rate=30.0,
    length_jitter=0.2,
    noise=1.0,
    walkers=None,
    return_X_y=False,
    random_state=None,
):
    """Generate 3-D walking skeletons whose gait expresses an emotion.

    A procedural kinematic walker in the 16-joint ``"body16"`` layout. Each walker has a body height
    drawn from N(1.72, 0.08) m, segment lengths from anthropometric proportions [6]_, and a personal
    style (speed, cadence, arm swing, elbow, posture, bounce, jerkiness) shared across its emotions.
    Each emotion sets walking speed, cadence (hence stride length), arm-swing amplitude, elbow flexion,
    swing-phase knee flexion, trunk and head pitch, vertical bounce and lateral sway of the pelvis and
    jerkiness, following published gait-emotion studies [1]_ [2]_ [3]_ [4]_ [5]_ (the table is
    ``skemotion.datasets._gait.EMOTION_GAIT_PARAMS``). Joint angles are periodic in the gait phase
    (hip flexion sinusoids in left/right anti-phase, knee flexion peaking in swing, arm swing opposite to
    the legs) plus smooth per-trial noise and band-limited (3-8 Hz) jerk. Every bone is a fixed-length
    segment, so bone lengths are constant within a trial. Each trial starts at a random gait phase and
    walks roughly along +z with a small random heading and turning rate.

    Coordinates are in metres, y up; the walker's left is +x when it faces +z.

    Parameters
    ----------
    n_samples : int, default=200
        Number of trials, balanced over the emotions. At least ``len(emotions)``.
    emotions : sequence of str, default=("neutral", "happy", "sad", "angry")
        Emotions to generate; the keys of ``EMOTION_GAIT_PARAMS``.
    n_frames : int, default=90
        Mean number of frames of a trial.
    frame_rate : float, default=30.0
        Frames per second.
    length_jitter : float, default=0.2
        Trial lengths are drawn uniformly in ``n_frames * [1 - length_jitter, 1 + length_jitter]``.
        In ``[0, 1)``.
    noise : float, default=1.0
        Scale of the within-walker variability: trial-to-trial spread of the gait parameters and smooth
        (< 1.5 Hz) joint-angle wander. ``0`` makes the repetitions of a walker and emotion differ only by
        start phase, heading, length and the emotion's jerk.
    walkers : int or None, default=None
        Number of walkers. Each walks in every emotion, so ``walkers * len(emotions) <= n_samples``.
        ``None`` picks about five repetitions per walker and emotion (at least one walker).
    return_X_y : bool, default=False
        If True, return ``(data, target)`` instead of a Bunch.
    random_state : int, RandomState instance or None, default=None
        Seed for reproducible output.

    Returns
    -------
    data : :class:`~sklearn.utils.Bunch`
        With fields

        data : list of ndarray of shape (n_frames_i, 16, 3)
            Joint positions of each trial.
        target : ndarray of str of shape (n_samples,)
            Emotion of each trial.
        groups : ndarray of int of shape (n_samples,)
            Walker id of each trial, for group-wise cross-validation.
        frame_rate : float
            Frames per second.
        joint_names : list of str
            Joint names of the ``"body16"`` layout.
        parents : ndarray of int
            Parent index of each joint, -1 for the root.
        layout : SkeletonLayout
            The common ``"body16"`` layout.
        DESCR : str
            Description of the data set.

    (data, target) : tuple if ``return_X_y`` is True

    Raises
    ------
    ValueError
        For an unknown emotion, fewer samples than emotions (or than ``walkers * len(emotions)``) and
        out-of-range parameters.

    References
    ----------
    .. [1] Roether, C. L., Omlor, L., Christensen, A., & Giese, M. A. (2009). Critical features for the
       perception of emotion from gait. *Journal of Vision*, 9(6):15, 1-32.
    .. [2] Montepare, J. M., Goldstein, S. B., & Clausen, A. (1987). The identification of emotions from
       gait information. *Journal of Nonverbal Behavior*, 11, 33-42.
    .. [3] Gross, M. M., Crane, E. A., & Fredrickson, B. L. (2012). Effort-Shape and kinematic
       assessment of bodily expression of emotion during gait. *Human Movement Science*, 31, 202-221.
    .. [4] Michalak, J., Troje, N. F., Fischer, J., Vollmar, P., Heidenreich, T., & Schulte, D. (2009).
       Embodiment of sadness and depression -- gait patterns associated with dysphoric mood.
       *Psychosomatic Medicine*, 71, 580-587.
    .. [5] Halovic, S., & Kroos, C. (2018). Not all is noticed: Kinematic cues of emotion-specific gait.
       *Human Movement Science*, 57, 478-488.
    .. [6] Winter, D. A. (2009). *Biomechanics and Motor Control of Human Movement* (4th ed.). Wiley.

    Examples
    --------
    >>> from skemotion.datasets import make_emotional_gait
    >>> gait = make_emotional_gait(n_samples=8, walkers=2, random_state=0)
    >>> len(gait.data), gait.data[0].shape[1:], gait.layout.name
    (8, (16, 3), 'body16')
    >>> print(*sorted(set(gait.target)))
    angry happy neutral sad
    >>> print(*sorted(set(gait.groups)))
    0 1
    >>> X, y = make_emotional_gait(n_samples=8, return_X_y=True, random_state=0)
    >>> len(X) == len(y) == 8
    True
    """
    emotions, n_walkers = _check_params(
        n_samples, emotions, n_frames, frame_rate, length_jitter, noise, walkers
    )
    rng = check_random_state(random_state)

    emotion_idx, walker_idx = _design(n_samples, len(emotions), n_walkers, rng)
    table = np.array([[EMOTION_GAIT_PARAMS[e][p] for p in _PARAM_NAMES] for e in emotions])
    style = _walker_styles(n_walkers, rng)
    params = _trial_params(table[emotion_idx], style, walker_idx, noise, rng)

    max_frames = int(np.ceil(n_frames * (1 + length_jitter)))
    t = np.arange(max_frames) / frame_rate
    angles, phase = _joint_angles(params, t, noise, rng)
    local = _local_pose(angles, phase, params)
    heading, root = _root_path(params, phase, t, rng)
    positions = _to_world(local, heading, root)

    lengths = rng.uniform(1 - length_jitter, 1 + length_jitter, n_samples) * n_frames
    lengths = np.clip(np.rint(lengths).astype(int), 2, max_frames)
    data = with_metadata([positions[i, :n].copy() for i, n in enumerate(lengths)], layout=_LAYOUT,
                         frame_rate=float(frame_rate), y_up=True, units="m")
    target = np.asarray(emotions)[emotion_idx]
    if return_X_y:
        return data, target
    return Bunch(
        data=data,
        target=target,
        groups=walker_idx,
        frame_rate=float(frame_rate),
        joint_names=list(JOINT_NAMES),
        parents=np.array(PARENTS),
        layout=_LAYOUT,
        DESCR=_describe(n_samples, emotions, n_walkers, n_frames, frame_rate, length_jitter),
    )


def _check_params(n_samples, emotions, n_frames, frame_rate, length_jitter, noise, walkers):
    """Validate the arguments; return the emotions as a tuple and the number of walkers."""
    if isinstance(emotions, str):
        emotions = (emotions,)
    emotions = tuple(emotions)
    valid = sorted(EMOTION_GAIT_PARAMS)
    unknown = [e for e in emotions if e not in EMOTION_GAIT_PARAMS]
    if unknown:
        raise ValueError(f"Unknown emotion(s) {unknown}; valid emotions are {valid}.")
    if not emotions or len(set(emotions)) != len(emotions):
        raise ValueError(
            f"emotions must be a non-empty sequence of distinct names from {valid}, got {emotions}."
        )
    if not _is_int(n_samples) or n_samples < len(emotions):
        raise ValueError(
            f"n_samples must be an integer >= the number of emotions ({len(emotions)}), got {n_samples!r}."
        )
    if not _is_int(n_frames) or n_frames < 2:
        raise ValueError(f"n_frames must be an integer >= 2, got {n_frames!r}.")
    if not isinstance(frame_rate, numbers.Real) or not frame_rate > 0:
        raise ValueError(f"frame_rate must be a positive number, got {frame_rate!r}.")
    if not isinstance(length_jitter, numbers.Real) or not 0 <= length_jitter < 1:
        raise ValueError(f"length_jitter must be in [0, 1), got {length_jitter!r}.")
    if not isinstance(noise, numbers.Real) or not noise >= 0:
        raise ValueError(f"noise must be a non-negative number, got {noise!r}.")
    max_walkers = n_samples // len(emotions)
    if walkers is None:
        return emotions, max(1, n_samples // (5 * len(emotions)))
    if not _is_int(walkers) or not 1 <= walkers <= max_walkers:
        raise ValueError(
            f"walkers must be an integer in [1, n_samples // len(emotions)] = [1, {max_walkers}] so every "
            f"walker walks in every emotion, got {walkers!r}."
        )
    return emotions, int(walkers)


def _is_int(value):
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _design(n_samples, n_emotions, n_walkers, rng):
    """Balanced emotion x walker assignment in random order: every walker walks in every emotion."""
    i = np.arange(n_samples)
    emotion_idx = i % n_emotions
    walker_idx = (i // n_emotions) % n_walkers
    order = rng.permutation(n_samples)
    return emotion_idx[order], walker_idx[order]


def _walker_styles(n_walkers, rng):
    """Body height and personal style offsets, one row per walker."""
    sd = _WALKER_STYLE_SD
    return {
        "height": rng.normal(1.72, 0.08, n_walkers),
        "speed": 1 + sd["speed"] * rng.standard_normal(n_walkers),
        "cadence": 1 + sd["cadence"] * rng.standard_normal(n_walkers),
        "arm_swing": np.exp(sd["arm_swing"] * rng.standard_normal(n_walkers)),
        "elbow": sd["elbow"] * rng.standard_normal(n_walkers),
        "trunk_pitch": sd["trunk_pitch"] * rng.standard_normal(n_walkers),
        "head_pitch": sd["head_pitch"] * rng.standard_normal(n_walkers),
        "bounce": np.clip(1 + sd["bounce"] * rng.standard_normal(n_walkers), 0.3, None),
        "jerk": np.exp(sd["jerk"] * rng.standard_normal(n_walkers)),
    }


def _trial_params(base, style, walker_idx, noise, rng):
    """Per-trial gait parameters: emotion table x walker style x trial-to-trial noise, as (n,) arrays."""
    n = len(walker_idx)
    p = {name: base[:, k].copy() for k, name in enumerate(_PARAM_NAMES)}
    s = {key: value[walker_idx] for key, value in style.items()}

    def jitter(sd):
        return noise * sd * rng.standard_normal(n)

    height = s["height"]
    # Froude scaling: comfortable speed grows with the square root of leg length (height).
    p["speed"] *= np.sqrt(height / 1.72) * s["speed"] * np.exp(jitter(_TRIAL_SD["speed"]))
    p["cadence"] *= s["cadence"] * np.exp(jitter(_TRIAL_SD["cadence"]))
    p["arm_swing"] *= s["arm_swing"] * np.exp(jitter(_TRIAL_SD["arm_swing"]))
    p["bounce"] *= s["bounce"] * (height / 1.72) * np.exp(jitter(_TRIAL_SD["bounce"]))
    p["jerk"] *= s["jerk"]
    for key in ("elbow", "trunk_pitch", "head_pitch"):
        p[key] += s[key] + jitter(_TRIAL_SD["angle"])
    p["knee_peak"] += jitter(_TRIAL_SD["angle"])
    p["height"] = height
    p["stride_freq"] = p["cadence"] / 120.0  # two steps per stride, cadence per minute
    leg = (_SEGMENTS["thigh"] + _SEGMENTS["shank"]) * height
    step = p["speed"] / (2 * p["stride_freq"])
    # Step length = 2 * leg * sin(hip amplitude) for the share produced by hip rotation.
    p["hip_amp"] = np.degrees(np.arcsin(np.clip(_HIP_STEP_SHARE * step / (2 * leg), 0, 0.8)))
    return p


def _band_noise(rng, shape, t, low, high, n_waves=6):
    """Unit-RMS random sums of sinusoids with frequencies in [low, high] Hz, shape ``shape + (len(t),)``."""
    freq = rng.uniform(low, high, shape + (n_waves, 1))
    phase = rng.uniform(0, 2 * np.pi, shape + (n_waves, 1))
    amp = rng.standard_normal(shape + (n_waves, 1))
    waves = amp * np.sin(2 * np.pi * freq * t + phase)
    return waves.sum(axis=-2) / np.sqrt(n_waves / 2)


def _joint_angles(p, t, noise, rng):
    """Joint angles (radians) of every trial and frame, and the gait phase, each (n, T)."""
    n = len(p["speed"])
    phase = 2 * np.pi * p["stride_freq"][:, None] * t + rng.uniform(0, 2 * np.pi, (n, 1))
    smooth = noise * _SMOOTH_NOISE_DEG * _band_noise(rng, (n, len(_CHANNELS)), t, 0.1, 1.5)
    jerk = p["jerk"][:, None, None] * _band_noise(rng, (n, len(_CHANNELS)), t, 3.0, 8.0)
    extra = dict(zip(_CHANNELS, np.moveaxis(smooth + jerk, 1, 0)))

    def col(name):
        return p[name][:, None]

    angles = {}
    for side, shift in (("l", 0.0), ("r", np.pi)):
        leg_phase = phase + shift  # left and right legs in anti-phase
        angles[f"hip_{side}"] = 5 + col("hip_amp") * np.sin(leg_phase)
        # Knee flexion: small in stance, peak in early swing (thigh moving forward, just behind vertical).
        bump = np.exp(2.5 * (np.cos(leg_phase + 0.4) - 1))
        angles[f"knee_{side}"] = 5 + (col("knee_peak") - 5) * bump
        # Arms swing opposite to the leg of the same side; the elbow flexes as the arm swings forward.
        swing = np.sin(leg_phase + np.pi)
        angles[f"arm_{side}"] = -5 + col("arm_swing") * swing
        angles[f"elbow_{side}"] = col("elbow") + 0.35 * col("arm_swing") * swing
    angles["trunk"] = col("trunk_pitch") + np.cos(2 * phase)  # slight flexion at each heel strike
    angles["head"] = col("head_pitch") + np.zeros_like(phase)
    angles["roll"] = 2.0 * np.cos(phase)  # trunk leans over the stance leg
    angles = {k: np.radians(v + extra[k]) for k, v in angles.items()}
    for key in ("knee_l", "knee_r", "elbow_l", "elbow_r"):
        angles[key] = np.maximum(angles[key], 0.0)  # no hyperextension
    return angles, phase


def _limb_dir(flexion, abduction, side):
    """Unit vector of a hanging segment rotated forward (+z) by ``flexion``, outward by ``abduction``."""
    flexion, abduction = np.broadcast_arrays(flexion, abduction)
    c = np.cos(abduction)
    return np.stack([side * np.sin(abduction), -c * np.cos(flexion), c * np.sin(flexion)], axis=-1)


def _up_dir(pitch, roll):
    """Unit vector of an upright segment pitched forward (+z) and rolled sideways (+x)."""
    c = np.cos(roll)
    return np.stack([np.sin(roll), c * np.cos(pitch), c * np.sin(pitch)], axis=-1)


def _lateral(half_width, yaw):
    """Offset ``half_width`` along +x after a rotation by ``yaw`` about the vertical axis."""
    return np.stack([half_width * np.cos(yaw), np.zeros_like(yaw), -half_width * np.sin(yaw)], axis=-1)


def _local_pose(a, phase, p):
    """Joint positions relative to the root in the walker's frame (x left, y up, z forward), (n, T, J, 3)."""
    seg = {k: v * p["height"][:, None, None] for k, v in _SEGMENTS.items()}  # (n, 1, 1) lengths
    half_hip, half_shoulder = seg["hip_width"][..., 0] / 2, seg["shoulder_width"][..., 0] / 2
    pelvis_yaw = -np.radians(4.0) * np.sin(phase)  # the hip of the swinging leg moves forward
    shoulder_yaw = np.radians(3.0) * np.sin(phase)  # shoulders counter-rotate against the pelvis

    pos = {"root": np.zeros(phase.shape + (3,))}
    pos["spine"] = pos["root"] + seg["lower_trunk"] * _up_dir(a["trunk"], a["roll"])
    upper = a["trunk"] * 1.5  # the thoracic spine flexes more than the lumbar spine
    pos["neck"] = pos["spine"] + seg["upper_trunk"] * _up_dir(upper, a["roll"])
    pos["head"] = pos["neck"] + seg["neck_head"] * _up_dir(upper + a["head"], a["roll"])
    for side, sign in (("left", 1.0), ("right", -1.0)):
        s = side[0]
        pos[f"{side}_shoulder"] = pos["neck"] + _lateral(sign * half_shoulder, shoulder_yaw)
        arm_abd = np.radians(8.0)  # arms hang slightly away from the body
        upper_arm = _limb_dir(a[f"arm_{s}"], arm_abd, sign)
        pos[f"{side}_elbow"] = pos[f"{side}_shoulder"] + seg["upper_arm"] * upper_arm
        forearm = _limb_dir(a[f"arm_{s}"] + a[f"elbow_{s}"], arm_abd, sign)
        pos[f"{side}_hand"] = pos[f"{side}_elbow"] + seg["forearm_hand"] * forearm
        pos[f"{side}_hip"] = pos["root"] + _lateral(sign * half_hip, pelvis_yaw)
        leg_abd = np.radians(2.0)
        pos[f"{side}_knee"] = pos[f"{side}_hip"] + seg["thigh"] * _limb_dir(a[f"hip_{s}"], leg_abd, sign)
        shank = _limb_dir(a[f"hip_{s}"] - a[f"knee_{s}"], leg_abd, sign)  # knee flexion swings the shank back
        pos[f"{side}_foot"] = pos[f"{side}_knee"] + seg["shank"] * shank
    return np.stack([pos[name] for name in JOINT_NAMES], axis=2)


def _root_path(p, phase, t, rng):
    """Heading (n, T) and world root position (n, T, 3): progression, bounce and sway."""
    n = len(p["speed"])
    heading = rng.uniform(-1, 1, (n, 1)) * np.radians(20.0)  # small random heading
    heading = heading + rng.normal(0, np.radians(3.0), (n, 1)) * t  # and slow turning (rad/s)
    dt = np.diff(t, prepend=t[0])
    step = p["speed"][:, None] * dt
    path_x = np.cumsum(step * np.sin(heading), axis=1)
    path_z = np.cumsum(step * np.cos(heading), axis=1)
    # Pelvis is highest at mid-stance (legs together) and lowest at double support, twice per stride.
    height = _SEGMENTS["hip_height"] * p["height"][:, None] + p["bounce"][:, None] * np.cos(2 * phase)
    sway = p["sway"][:, None] * np.cos(phase)
    x = path_x + sway * np.cos(heading)
    z = path_z - sway * np.sin(heading)
    return heading, np.stack([x, height, z], axis=-1)


def _to_world(local, heading, root):
    """Rotate the local pose by the heading (about +y) and put it on the root path."""
    c, s = np.cos(heading)[..., None], np.sin(heading)[..., None]
    x, y, z = local[..., 0], local[..., 1], local[..., 2]
    world = np.stack([c * x + s * z, y, -s * x + c * z], axis=-1)
    return world + root[:, :, None, :]


def _describe(n_samples, emotions, n_walkers, n_frames, frame_rate, length_jitter):
    return f"""Synthetic emotional gait
------------------------

Procedural 3-D walking skeletons (skemotion.datasets.make_emotional_gait) in the 16-joint "body16"
layout. A kinematic walker with anthropometric segment lengths (Winter 2009) and a personal style
walks in each emotion; speed, cadence, arm swing, elbow flexion, knee flexion, trunk and head pitch,
pelvis bounce and sway and jerkiness follow published gait-emotion studies (Roether et al. 2009;
Montepare et al. 1987; Gross et al. 2012; Michalak et al. 2009; Halovic & Kroos 2018).

**Data set characteristics:**

:Number of samples: {n_samples} (balanced over emotions)
:Emotions: {", ".join(emotions)}
:Walkers (groups): {n_walkers}, each walking in every emotion
:Frames per sample: {n_frames} +/- {100 * length_jitter:.0f} % at {frame_rate:g} Hz
:Sample shape: (n_frames_i, 16, 3), metres, y up, walking roughly along +z
:Joints: {", ".join(JOINT_NAMES)}

Use ``groups`` with GroupKFold so that walkers are not shared between training and test folds.
"""
