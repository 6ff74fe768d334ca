"""
=========================================
From video files to emotion probabilities
=========================================

Skeletons from video and from motion capture meet in one feature space: MediaPipe's 33 landmarks and the
Bandai-Namco rig are both mapped onto the common 16-joint body layout. We train an emotion classifier on
motion capture of actors walking and gesturing in emotional styles, estimate its accuracy with folds grouped
by motion content, and then apply it, through one :class:`~sklearn.pipeline.Pipeline` that starts from file
paths, to real videos.

Be warned what the last step can and cannot say: the videos (a person doing squats, people walking in the
street) carry no emotion label, and squats are no motion the classifier ever saw. We can only show the
probabilities it outputs, not whether they are right.
"""

# %%
# Motion capture in seven emotional styles
# ----------------------------------------
# Only the contents (walk, bow, run, ...) performed in all seven styles are kept, so that no content gives
# the style away, and folds are grouped by content: the test fold is always a motion never seen in training.

import matplotlib.pyplot as plt
import numpy as np
from sklearn.compose import ColumnTransformer
from sklearn.dummy import DummyClassifier
from sklearn.frozen import FrozenEstimator
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import QuantileTransformer

from skemotion.datasets import EMOTIONAL_STYLES, get_data_home, load_bandai_namco
from skemotion.motion import JointDistances, SkeletonNormalizer
from skemotion.pose import PoseExtractor
from skemotion.skeleton import get_layout

DATA = get_data_home()

mocap = load_bandai_namco(DATA / "bandai-namco-1", styles=EMOTIONAL_STYLES, contents="shared",
                          layout="body16", n_jobs=2)
print(f"{len(mocap.data)} clips, styles {', '.join(sorted(set(mocap.target)))}")

# %%
# A classifier on normalised joint distances
# ------------------------------------------
# Centring, facing direction and body size are removed per sequence, so the model does not care whether the
# skeleton is in centimetres (motion capture) or metres (MediaPipe's world coordinates). Each feature is
# then mapped to its training quantile, which bounds what an unfamiliar input can do. Distances along a
# bone (hand-elbow, head-neck, ...) are left out: in motion capture they are constant, so a scaler divides
# them by almost nothing, and they differ between a rig and MediaPipe's landmarks (ears for the head,
# ankles for the feet) for reasons that have nothing to do with emotion.
ANCHORS = ["head", "left_hand", "right_hand", "left_foot", "right_foot"]
layout = get_layout("body16")
pairs = JointDistances(anchors=ANCHORS, layout="body16").fit(mocap.data[:1]).pairs_
bones = {frozenset(bone) for bone in layout.bones.tolist()}
not_bones = [4 * k + s for k, pair in enumerate(pairs.tolist()) if frozenset(pair) not in bones for s in range(4)]
emotion_model = make_pipeline(
    SkeletonNormalizer(layout="body16", align_yaw=True, n_frames=32),
    JointDistances(anchors=ANCHORS, layout="body16"),
    ColumnTransformer([("not_bones", "passthrough", not_bones)]),
    QuantileTransformer(n_quantiles=50),
    LogisticRegression(C=0.1, max_iter=2000),
)
cv = GroupKFold(n_splits=5)
accuracy = cross_val_score(emotion_model, mocap.data, mocap.target, groups=mocap.groups, cv=cv)
majority = cross_val_score(DummyClassifier(), mocap.data, mocap.target, groups=mocap.groups, cv=cv)
print(f"accuracy over content-grouped folds: {accuracy.mean():.3f} +/- {accuracy.std():.3f} "
      f"(majority {majority.mean():.3f}, chance {1 / len(EMOTIONAL_STYLES):.3f})")
emotion_model.fit(mocap.data, mocap.target)

# %%
# One pipeline from video files to emotions
# -----------------------------------------
# :class:`~skemotion.pose.PoseExtractor` turns each video into MediaPipe-33 skeletons (metric world
# coordinates, y up like the motion capture); :class:`~skemotion.motion.SkeletonNormalizer` maps them onto
# the common layout; the trained model follows, frozen. ``min_visibility=0`` keeps MediaPipe's estimates of
# occluded joints too (people seen from behind hide much of their body), so that every detected frame is a
# whole skeleton. ``frame_step=2`` reads every other frame (33 of the squat video's 65): the classifier
# resamples every sequence to 32 frames anyway, and pose extraction is what takes time here (remove it to
# read every frame). Fitting this pipeline learns nothing: the first two steps are stateless and the
# classifier is frozen.
videos = [DATA / "video" / "tfjs_pose_squats.mp4", DATA / "video" / "mmpose_demo_street_walking.mp4"]
video_model = make_pipeline(
    PoseExtractor(model_asset_path=DATA / "models" / "pose_landmarker_full.task", coordinates="world",
                  min_visibility=0.0, frame_step=2),
    SkeletonNormalizer(layout="mediapipe33", to_common=True, centering=None, scale=False),
    FrozenEstimator(emotion_model),
)
video_model.fit(videos)
probabilities = video_model.predict_proba(videos)
for video, proba in zip(videos, probabilities):
    ranked = sorted(zip(emotion_model.classes_, proba), key=lambda pair: -pair[1])
    print(f"{video.name}: " + ", ".join(f"{style} {p:.2f}" for style, p in ranked[:3]))

# %%
# How far from the training data are the videos? Squats are no motion the actors performed, a five-frame
# glimpse of people from behind is little to go on, and MediaPipe's landmarks jitter where a motion-capture
# rig is rigid. Many of their features fall outside the range of every training clip; the quantile scaling
# above caps such values at the most extreme training value instead of letting a linear model extrapolate
# them into near-certain probabilities.
# The skeletons are extracted once more here (the pipeline above keeps nothing between calls) and reused
# for the figure below.
features = emotion_model[:3]
train = features.transform(mocap.data)
low, high = train.min(axis=0), train.max(axis=0)
video_poses = video_model[:2].transform(videos)
for video, row in zip(videos, features.transform(video_poses)):
    print(f"{video.name}: {np.mean((row < low) | (row > high)):.0%} of its features outside the training range")

# %%
# What the pipeline saw and what it says
# --------------------------------------
# Left: one frame of the squat video as the common 16-joint skeleton (front view, y up). Right: the
# predicted style probabilities of each video. Without labels for these videos, they are outputs, not
# evidence of accuracy.
poses = video_poses[0]
frame = poses[len(poses) // 3]
fig, (ax_pose, ax_proba) = plt.subplots(1, 2, figsize=(10, 4.5), gridspec_kw={"width_ratios": [1, 2]})
for parent, child in layout.bones:
    ax_pose.plot(frame[[parent, child], 0], frame[[parent, child], 1], "o-", color="tab:blue")
ax_pose.set_aspect("equal")
ax_pose.set_title(f"squat video, frame {2 * (len(poses) // 3)} (body16)")  # every other frame read
ax_pose.set_xlabel("x (m)")
ax_pose.set_ylabel("y (m)")
width = 0.8 / len(videos)
positions = np.arange(len(emotion_model.classes_))
for k, (video, proba) in enumerate(zip(videos, probabilities)):
    ax_proba.bar(positions + k * width, proba, width, label=video.stem)
ax_proba.axhline(1 / len(emotion_model.classes_), color="gray", linestyle="--", label="uniform")
ax_proba.set_xticks(positions + width * (len(videos) - 1) / 2, emotion_model.classes_, rotation=30)
ax_proba.set_ylabel("predicted probability")
ax_proba.set_title(f"model trained on motion capture (CV accuracy {accuracy.mean():.2f})")
ax_proba.legend()
fig.tight_layout()
plt.show()
