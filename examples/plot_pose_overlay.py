"""
Checking a pose extractor: landmarks drawn on the video
=======================================================

Before studying emotion in skeletons extracted from video, look at what the extractor saw. This example
draws the 33 BlazePose landmarks of every frame of a real squats video (65 frames, 720 x 1280 pixels) on
the frames with :func:`skemotion.plotting.overlay_pose`, as a contact sheet and as a new video, then draws
the same poses as skeletons, in MediaPipe's layout and in skemotion's common body layout.

The landmarks are the reference BlazePose-full output shipped with the video (x and y in pixels). A
MediaPipe pose extractor returns ``(n_videos, n_frames, 33, 3)`` arrays with x and y as fractions of the
image size; pass one video's landmarks with ``normalized=True`` (the default).
"""

# %%
# The video and its landmarks
# ---------------------------
import json
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from skemotion.datasets import get_data_home
from skemotion.plotting import overlay_pose, plot_skeleton
from skemotion.skeleton import convert_layout

VIDEO = get_data_home() / "video"
video = VIDEO / "tfjs_pose_squats.mp4"
landmarks = np.array(json.loads((VIDEO / "tfjs_pose_squats.full.json").read_text()))  # (65, 33, [x, y, z])
print(f"landmarks: {landmarks.shape}, x in [{landmarks[..., 0].min():.0f}, {landmarks[..., 0].max():.0f}] px")

# %%
# A contact sheet
# ---------------
# Every 8th frame, each labelled with its index: the person's left side is blue, the right side red and
# the centre (nose) green, so a left/right swap by the extractor shows at once. The MediaPipe layout joins
# each shoulder to its hip and the nose to the left shoulder (its bones are a tree: one parent per joint).
fig, ax = plt.subplots(figsize=(9, 7))
overlay_pose(video, landmarks, normalized=False, every=8, n_cols=5, tile_width=240, ax=ax)
ax.set_title("BlazePose landmarks, every 8th frame")
fig.tight_layout()

# %%
# A video with the landmarks
# --------------------------
# The same drawing on every frame, written with OpenCV (``.mp4``; ``.avi`` for Motion-JPEG). A ``.png`` or
# ``.jpg`` output writes the contact sheet instead.
with tempfile.TemporaryDirectory() as folder:
    out = overlay_pose(video, landmarks, Path(folder) / "squats_landmarks.mp4", normalized=False)
    print(f"wrote {out.name}: {out.stat().st_size / 1e6:.1f} MB")

# %%
# The poses as skeletons
# ----------------------
# Image coordinates have y pointing down, so the 2-D plots flip the vertical axis. Mapped onto the common
# ``body16`` layout (pelvis centre, spine, neck and head from the landmarks), the squat becomes comparable
# with motion capture.
frames = {"standing": 0, "squatting": 8}
fig, axes = plt.subplots(1, 4, figsize=(11, 4))
for k, (name, t) in enumerate(frames.items()):
    plot_skeleton(landmarks[t, :, :2], layout="mediapipe33", ax=axes[k])
    plot_skeleton(convert_layout(landmarks[t, :, :2], "mediapipe33"), layout="body16", ax=axes[k + 2])
    axes[k].set_title(f"{name} (mediapipe33)")
    axes[k + 2].set_title(f"{name} (body16)")
for ax in axes:
    ax.invert_yaxis()
fig.tight_layout()
plt.show()
