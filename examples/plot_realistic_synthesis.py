"""
===========================================
Synthetic walks that pass for real, as BVH
===========================================

:class:`~skemotion.samplers.NeuralGasSampler` makes new skeleton sequences of a class by mixing each real
clip with a partner of the same class that moves like it, after turning the partner to face the same way
and time-warping it onto the clip (dynamic time warping), in a representation of bone directions and
lengths. Steps meet steps, bones keep their lengths, and each new walk gets its own timing.

This example makes sad and angry walks from Bandai-Namco-1, checks that a random forest cannot easily tell
them from *held-out* real walks, animates real beside synthetic walks, and writes one as a BVH file that
any viewer (Blender, bvhacker...) opens.
"""

# %%
# Real walks, and a split the generator never sees
# -------------------------------------------------
from pathlib import Path

import numpy as np
from sklearn.model_selection import train_test_split

from skemotion.datasets import get_data_home, load_bandai_namco
from skemotion.metrics import classifier_two_sample_auc
from skemotion.motion import JointDistances, KinematicFeatures
from skemotion.samplers import NeuralGasSampler

DATA = get_data_home() / "bandai-namco-1"
walks = load_bandai_namco(DATA, styles=["normal", "happy", "sad", "angry", "proud", "not-confident", "tired"],
                          contents=["walk", "walk-back", "walk-left", "walk-right"], layout="body16")
clips, y = [np.asarray(c) for c in walks.data], np.asarray(walks.target).astype(str)
train, held_out = train_test_split(np.arange(len(y)), test_size=0.4, stratify=y, random_state=0)
print(f"{len(train)} training walks, {len(held_out)} held-out walks")

# %%
# Synthetic walks from the training clips only
# --------------------------------------------
# ``sampling_strategy`` asks for 4 times the training clips of every class: 3 new ones per real one.
counts = {style: 4 * int(np.sum(y[train] == style)) for style in set(y)}
sampler = NeuralGasSampler(layout="body16", sampling_strategy=counts, random_state=0)
resampled, y_resampled = sampler.fit_resample([clips[i] for i in train], y[train])
synthetic, y_synthetic = resampled[len(train):], y_resampled[len(train):]

parents = np.array(walks.layout.parents)


def bone_spread(sequence):
    """Largest (max - min) / min length of a bone over the sequence's frames."""
    lengths = np.linalg.norm(sequence[:, 1:] - sequence[:, parents[1:]], axis=-1)
    return (np.ptp(lengths, axis=0) / lengths.min(axis=0)).max()


spread = max(bone_spread(s) for s in synthetic)
print(f"{len(synthetic)} synthetic walks of {min(map(len, synthetic))}-{max(map(len, synthetic))} frames; "
      f"largest relative bone-length spread {spread:.1e}")

# %%
# Can a classifier tell them from held-out real walks?
# ----------------------------------------------------
# A random forest on kinematic and joint-distance features; AUC 0.5 means it cannot. Both sets have the
# same clips per class: a larger synthetic set holds several mixes of each real clip, which the forest's
# cross-validation would meet on both sides of a split (even copies of training clips then score high).
# Copies of the training clips give the floor: held-out walks differ from training walks too.


def features(sequences):
    kinematic = KinematicFeatures(frame_rate=walks.frame_rate, layout="body16").fit_transform(sequences)
    distances = JointDistances(anchors=["head", "left_hand", "right_hand", "left_foot", "right_foot"],
                               layout="body16").fit_transform(sequences)
    return np.nan_to_num(np.hstack([kinematic, distances]))


real_features = features([clips[i] for i in held_out])
rng = np.random.RandomState(0)
same_counts = np.concatenate([rng.choice(np.flatnonzero(y_synthetic == style), np.sum(y[held_out] == style),
                                         replace=False) for style in sorted(set(y))])
copies = np.concatenate([rng.choice(train[y[train] == style], np.sum(y[held_out] == style), replace=False)
                         for style in sorted(set(y))])
auc = classifier_two_sample_auc(real_features, features([synthetic[i] for i in same_counts]), cv=3,
                                random_state=0)
floor = classifier_two_sample_auc(real_features, features([clips[i] for i in copies]), cv=3, random_state=0)
print(f"two-sample AUC vs held-out real walks: synthetic {auc:.2f}, real training walks {floor:.2f}")

# %%
# Real beside synthetic
# ---------------------
# Two seconds of a real sad walk, and of a synthetic one made from the training clips.
from skemotion.plotting import animate_skeleton

real_sad = clips[held_out[y[held_out] == "sad"][0]]
synthetic_sad = synthetic[int(np.flatnonzero(y_synthetic == "sad")[0])]
two_seconds = [real_sad[:60:2], synthetic_sad[:60:2]]
anim = animate_skeleton(two_seconds, layout="body16", fps=15, titles=["real (held out)", "synthetic"],
                        figsize=(6, 3))

# %%
# Export as BVH
# -------------
# :func:`~skemotion.io.skeleton_to_bvh` turns joint positions into joint rotations on a rig built from the
# layout (one rotation per bone); reading the file back gives the same joints.
import tempfile

from skemotion.io import read_bvh, skeleton_to_bvh, write_bvh

with tempfile.TemporaryDirectory() as folder:
    path = Path(folder) / "synthetic_sad_walk.bvh"
    write_bvh(path, skeleton_to_bvh(synthetic_sad, "body16", frame_rate=walks.frame_rate))
    again = read_bvh(path)
columns = [again.joint_names.index(name) for name in walks.layout.joint_names]
print(f"{again}: largest joint error after the round trip "
      f"{np.abs(again.positions[:, columns] - synthetic_sad).max():.1e} cm")
