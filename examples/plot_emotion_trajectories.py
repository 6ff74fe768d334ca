"""
Emotion trajectories and maps
=============================

Two pictures of many clips at once, on the Bandai-Namco-1 motion capture: the walking paths of each
emotional style seen from above (:func:`skemotion.plotting.plot_trajectories`), and a 2-D map of the
clips' kinematic features coloured by style, with the clusters that an unsupervised method finds outlined
(:func:`skemotion.plotting.plot_embedding`).
"""

# %%
# Walking clips in seven styles
# -----------------------------
# Forward, backward, left and right walks, each performed in every emotional style.

import matplotlib.pyplot as plt
import numpy as np
from sklearn.cluster import KMeans
from sklearn.decomposition import PCA
from sklearn.metrics import adjusted_rand_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skemotion.datasets import EMOTIONAL_STYLES, get_data_home, load_bandai_namco
from skemotion.motion import KinematicFeatures, SkeletonNormalizer
from skemotion.plotting import plot_embedding, plot_trajectories

DATA = get_data_home()
walks = load_bandai_namco(DATA / "bandai-namco-1", styles=EMOTIONAL_STYLES,
                          contents=["walk", "walk-back", "walk-left", "walk-right"], layout="body16")
print(f"{len(walks.data)} clips; contents {', '.join(np.unique(walks.groups))}")

# %%
# Paths seen from above
# ---------------------
# The pelvis (``root``) path of every clip on the ground plane, one colour per style, a dot where it
# starts. On the left the paths as recorded: the actors walk between fixed marks, so the content sets the
# direction. On the right the head paths of the first four seconds, each started at the origin: how far
# each arm of the cross reaches is the walking speed of a style (tired and sad walks stop short, happy
# and angry ones go furthest).
fig, axes = plt.subplots(1, 2, figsize=(11, 5.5))
plot_trajectories(walks.data, walks.target, joint="root", layout="body16", ax=axes[0])
plot_trajectories([x[: int(4 * walks.frame_rate)] for x in walks.data], walks.target, joint="head",
                  align_start=True, ax=axes[1])
axes[1].set_title("head path, first 4 s, from a common start")
fig.tight_layout()

# %%
# A map of kinematic features
# ---------------------------
# Speed, acceleration and jerk statistics of every joint (after centring on the walking path and facing
# +z), standardised and projected on their first two principal components. Clusters are found by k-means
# on the same map; the adjusted Rand index compares them with the styles (0 is chance, 1 a perfect
# match).
features = make_pipeline(SkeletonNormalizer(centering="trajectory", align_yaw=True),
                         KinematicFeatures(frame_rate=walks.frame_rate, layout="body16"),
                         StandardScaler()).fit_transform(walks.data)
embedding = PCA(n_components=2, random_state=0).fit_transform(features)
clusters = KMeans(n_clusters=len(EMOTIONAL_STYLES), n_init=10, random_state=0).fit_predict(embedding)
print(f"adjusted Rand index, k-means clusters vs styles: {adjusted_rand_score(walks.target, clusters):.3f}")

fig, ax = plt.subplots(figsize=(6.5, 5.5))
plot_embedding(embedding, walks.target, clusters=clusters, ax=ax)
ax.set_xlabel("PC 1")
ax.set_ylabel("PC 2")
ax.set_title("kinematic features (PCA), k-means clusters outlined")
fig.tight_layout()
plt.show()
