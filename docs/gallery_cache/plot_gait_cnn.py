"""
=================================================
Gait images, view augmentation and a grouped CNN
=================================================

ProxEmo (Narayanan et al. 2020) draws a walk as an image, frames down and joints across with x, y, z as
the colour channels, and classifies it with a CNN of grouped convolutions trained on copies of each walk
seen from several angles. Here the same recipe runs as one imbalanced-learn pipeline on the motion capture
of Bandai-Namco-1 in seven emotional styles:
:class:`~skemotion.samplers.ViewAugmenter` rotates and mirrors the training sequences (inside the training
folds only), :class:`~skemotion.motion.GaitImageEmbedding` draws them and
:class:`~skemotion.nn.GaitCNNClassifier` learns from the images. Folds are grouped by motion content, so the
test fold is always a motion (a bow, a run, a walk to the left, ...) never seen in training, and the scores
stand beside chance and the majority class under the same folds.
"""

# %%
# The data: contents performed in all seven styles
# ------------------------------------------------

import matplotlib.pyplot as plt
import numpy as np
from imblearn.pipeline import make_pipeline
from scipy.spatial.transform import Rotation
from sklearn.dummy import DummyClassifier
from sklearn.model_selection import GroupKFold, cross_val_score

from skemotion.datasets import EMOTIONAL_STYLES, get_data_home, load_bandai_namco
from skemotion.motion import GaitImageEmbedding, SkeletonNormalizer
from skemotion.nn import GaitCNNClassifier
from skemotion.samplers import ViewAugmenter

DATA = get_data_home()

mocap = load_bandai_namco(DATA / "bandai-namco-1", styles=EMOTIONAL_STYLES, contents="shared",
                          layout="body16", n_jobs=2)
print(f"{len(mocap.data)} clips, {len(set(mocap.target))} styles, {len(set(mocap.groups))} contents")

# %%
# The pipelines
# -------------
# Sequences are centred on the pelvis and scaled to unit body size, but not turned to face one direction:
# walking left, right or away stays visible, and the augmenter's rotations (two random yaw angles per
# sequence, each also mirrored with left and right joints swapped) teach the network that the view does not
# matter. The folds run in two joblib worker processes; joblib gives each one torch thread, which is what a
# network this small runs fastest with.
normalizer = SkeletonNormalizer(layout="body16")
images = GaitImageEmbedding(image_size=(32, 16))


def cnn():
    """A network small enough for a laptop CPU: two convolution stages, 20 epochs."""
    return GaitCNNClassifier(channels=(8, 16), max_epochs=20, batch_size=32, lr=3e-3, random_state=0)


models = {
    "CNN": make_pipeline(normalizer, images, cnn()),
    "views + CNN": make_pipeline(normalizer, ViewAugmenter(n_views=2, mirror=True, random_state=0), images, cnn()),
    "majority class": DummyClassifier(strategy="most_frequent"),
}
cv = GroupKFold(n_splits=5)
scores = {name: cross_val_score(model, mocap.data, mocap.target, groups=mocap.groups, cv=cv, n_jobs=2)
          for name, model in models.items()}
scores["chance (1/7)"] = np.full(5, 1 / len(EMOTIONAL_STYLES))
for name, score in scores.items():
    print(f"{name:>15}: accuracy {score.mean():.3f} +/- {score.std():.3f}")

# %%
# What the network sees, and how it fares
# ---------------------------------------
# Left: a happy walk and the same walk turned by 120 degrees as gait images (rows are frames, columns the 16 joints,
# red/green/blue the x/y/z coordinates). Right: accuracy on the held-out contents.
walk = [i for i, (style, content) in enumerate(zip(mocap.target, mocap.groups))
        if style == "happy" and content == "walk"][0]
sequence = normalizer.fit_transform(mocap.data[walk:walk + 1])[0]
turned = sequence @ Rotation.from_euler("y", 120, degrees=True).as_matrix().T  # what ViewAugmenter does
pictures = images.fit_transform([sequence, turned])

fig, axes = plt.subplots(1, 3, figsize=(11, 4), gridspec_kw={"width_ratios": [1, 1, 2]})
for ax, picture, title in zip(axes[:2], pictures, ["happy walk", "rotated by 120 degrees"]):
    ax.imshow(picture.transpose(1, 2, 0), aspect="auto")
    ax.set_title(title)
    ax.set_xlabel("joint")
    ax.set_ylabel("frame (resampled)")
names = list(scores)
means = [scores[name].mean() for name in names]
axes[2].bar(names, means, yerr=[scores[name].std() for name in names], color=["C0", "C1", "gray", "lightgray"])
axes[2].set_ylabel("accuracy, 5 folds grouped by content")
axes[2].set_title("Bandai-Namco-1, 7 emotional styles")
axes[2].tick_params(axis="x", rotation=20)
fig.tight_layout()
plt.show()
