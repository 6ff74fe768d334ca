"""
Prototypes settling onto a body
===============================

Prototype-based generators (neural gas, k-means) summarise data by a few units that move towards the
samples while they are fitted. Fitted on the joints of one pose, the units settle onto the body: the
picture of the neural-gas body-motion demos, drawn here by :func:`skemotion.plotting.animate_neural_gas`.

:func:`~skemotion.plotting.animate_neural_gas` takes a fitted model with a ``history_`` attribute (unit
positions per epoch, shape ``(n_epochs + 1, n_units, n_features)``, as recorded by a neural gas fitted with
``record_history=True``) or such a history array. Here the history is recorded from scikit-learn's
:class:`~sklearn.cluster.MiniBatchKMeans`, one ``partial_fit`` on a random half of the joints per step.
"""

# %%
# One pose of a proud walk
# ------------------------

import matplotlib.pyplot as plt
import numpy as np
from sklearn.cluster import MiniBatchKMeans

from skemotion.datasets import get_data_home, load_bandai_namco
from skemotion.plotting import animate_neural_gas, plot_skeleton

DATA = get_data_home()
walks = load_bandai_namco(DATA / "bandai-namco-1", styles="proud", contents="walk",
                          layout="body16")
pose = walks.data[0][60]  # (16, 3) joint positions, centimetres

# %%
# Record the units while fitting
# ------------------------------
# Eight units start at random places in the box around the body (as a neural gas initialised uniformly
# does) and move, step by step, towards the joints they win.
rng = np.random.default_rng(0)
low, high = pose.min(axis=0), pose.max(axis=0)
start = rng.uniform(low, high, size=(8, 3))
kmeans = MiniBatchKMeans(n_clusters=8, init=start, n_init=1, batch_size=8, random_state=0)
history = np.array([start] + [kmeans.partial_fit(pose[rng.permutation(len(pose))[:8]]).cluster_centers_.copy()
                              for _ in range(30)])
moved = np.linalg.norm(np.diff(history, axis=0), axis=2).mean(axis=1)
print(f"history {history.shape}; mean unit step: first {moved[0]:.1f} cm, last {moved[-1]:.2f} cm")

# %%
# Where the units start and end
# -----------------------------
fig = plt.figure(figsize=(7, 4))
for k, (step, name) in enumerate(((0, "start"), (-1, "after 30 steps"))):
    ax = fig.add_subplot(1, 2, k + 1, projection="3d")
    plot_skeleton(pose, layout="body16", ax=ax, elev=10, azim=30)
    ax.plot(*history[step].T, linestyle="", marker="o", markersize=7, color="black")
    ax.set_title(name)
fig.tight_layout()

# %%
# The units moving onto the body
# ------------------------------
# Save with ``anim.save("units.gif", writer="pillow")``.
anim = animate_neural_gas(history, frame=pose, layout="body16", fps=5, elev=10, azim=30)
plt.show()
