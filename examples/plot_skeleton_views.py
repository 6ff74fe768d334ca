"""
Looking at skeletons: views, gaps and animations
================================================

Motion-capture walks of the Bandai-Namco-1 data set, mapped onto skemotion's common 16-joint body layout,
drawn with :mod:`skemotion.plotting`: one pose from several sides, a pose with missing joints, one walk in
each emotional style side by side, and a real walk next to a synthetic one.

Left-side bones are blue, right-side bones red and the spine and head green; y is up and a body faces +z.
"""

# %%
# Load the walks
# --------------
# Two walks per style; every clip is read from BVH with forward kinematics and mapped onto ``body16``.

import matplotlib.pyplot as plt
import numpy as np

from skemotion.datasets import EMOTIONAL_STYLES, get_data_home, load_bandai_namco, make_emotional_gait
from skemotion.motion import SkeletonNormalizer
from skemotion.plotting import animate_skeleton, plot_skeleton

DATA = get_data_home()
walks = load_bandai_namco(DATA / "bandai-namco-1", styles=EMOTIONAL_STYLES,
                          contents="walk", layout="body16")
print(f"{len(walks.data)} walks of {', '.join(np.unique(walks.target))}; {walks.frame_rate:.0f} fps")

# %%
# One pose, four views
# --------------------
# ``elev`` and ``azim`` set the 3-D view with y vertical: ``azim=0`` looks at the body from the front (its
# left hand on the right of the image), ``azim=90`` from its left side, ``elev=90`` from above. With
# ``projection="2d"`` the pose is drawn in the (x, y) plane, a front view without depth.
pose = walks.data[0][40]
fig = plt.figure(figsize=(12, 3.4))
views = {"front": (5, 0), "left side": (5, 90), "three-quarter": (15, 35), "above": (90, 0)}
for i, (name, (elev, azim)) in enumerate(views.items()):
    ax = fig.add_subplot(1, 5, i + 1, projection="3d")
    plot_skeleton(pose, layout="body16", ax=ax, elev=elev, azim=azim)
    ax.set_title(name)
ax = fig.add_subplot(1, 5, 5)
plot_skeleton(pose, layout="body16", ax=ax, projection="2d")
ax.set_title("2-D (x, y)")
fig.tight_layout()

# %%
# Missing joints leave gaps
# -------------------------
# A joint that a pose extractor did not see is NaN. It is not drawn, and neither is any bone that touches
# it; the rest of the skeleton is. Here the left hand and the right knee are missing.
gapped = pose.copy()
gapped[[6, 14]] = np.nan  # left_hand, right_knee
fig = plt.figure(figsize=(4, 4))
bones = plot_skeleton(gapped, layout="body16", ax=fig.add_subplot(projection="3d"), elev=5, azim=20)
fig.canvas.draw()
print(f"{len(bones.get_segments())} of 15 bones drawn")

# %%
# One walk in each emotion
# ------------------------
# Centring each frame on the pelvis and turning the body to face +z (:class:`~skemotion.motion.SkeletonNormalizer`)
# keeps the walkers in place, so posture, arm swing and stride compare side by side; all axes share one
# scale. Without normalisation the limits span the whole walk and the walker crosses the axes.
#
# Save an animation with ``anim.save("walks.gif", writer="pillow")`` (or ``"walks.mp4"`` with
# ``writer="ffmpeg"`` when FFmpeg is installed).
first_of_each = [int(np.flatnonzero(walks.target == style)[0]) for style in EMOTIONAL_STYLES]
normalizer = SkeletonNormalizer(centering="root", align_yaw=True)
upright = normalizer.fit_transform([walks.data[i] for i in first_of_each])
# Every fifth frame (played at a fifth of the rate) keeps the page light: each frame of the seven 3-D panels is
# drawn and embedded as an image; every frame (``upright[:, :60]`` at ``fps=walks.frame_rate``) plays smoother.
two_seconds = upright[:, : int(2 * walks.frame_rate) : 5]
anim = animate_skeleton(two_seconds, layout="body16", fps=walks.frame_rate / 5, titles=list(EMOTIONAL_STYLES),
                        elev=10, azim=35, figsize=(14, 2.8))

# %%
# A real walk next to a synthetic one
# -----------------------------------
# The same drawing compares data sources: a happy Bandai-Namco walk and a happy walker of
# :func:`~skemotion.datasets.make_emotional_gait`, both at 30 fps and normalised to unit body size, two
# seconds of each.
synthetic = make_emotional_gait(8, random_state=0)
happy_real = walks.data[first_of_each[EMOTIONAL_STYLES.index("happy")]]
happy_synthetic = synthetic.data[int(np.flatnonzero(synthetic.target == "happy")[0])]
# Each source is normalised on its own: the real clip is in centimetres and the synthetic one in metres (the
# toolkit refuses to mix units in one data set); after scaling both are in units of body size.
pair = [normalizer.fit_transform([clip[:60:3]])[0] for clip in (happy_real, happy_synthetic)]
anim_pair = animate_skeleton(pair, fps=10, titles=["real (Bandai-Namco)", "synthetic"], figsize=(6, 3))
plt.show()
