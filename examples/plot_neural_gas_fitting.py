"""
Prototypes settling onto a body
===============================

A neural gas summarises data by a few units that move towards the samples while it is fitted (Martinetz &
Schulten 1991). Fitted on the joints of one pose, the units settle onto the body: the picture of the
neural-gas body-motion demos, drawn here by :func:`skemotion.plotting.animate_neural_gas`.

:class:`skemotion.NeuralGas` fitted with ``record_history=True`` keeps the unit positions after every epoch
in ``history_`` (shape ``(n_epochs + 1, n_units, n_features)``); :func:`~skemotion.plotting.animate_neural_gas`
takes the fitted model (or such a history array).
"""

# %%
# One pose of a proud walk
# ------------------------

import matplotlib.pyplot as plt
import numpy as np

from skemotion.cluster import NeuralGas
from skemotion.datasets import get_data_home, load_bandai_namco
from skemotion.plotting import animate_neural_gas, plot_skeleton

DATA = get_data_home()
walks = load_bandai_namco(DATA / "bandai-namco-1", styles="proud", contents="walk",
                          layout="body16")
pose = walks.data[0][60]  # (16, 3) joint positions, centimetres

# %%
# Record the units while fitting
# ------------------------------
# Eight units start on randomly chosen joints and move, epoch by epoch, towards the joints that rank them
# closest; the neighbourhood range shrinks so that they end up spread over the body.
gas = NeuralGas(n_units=8, max_iter=30, record_history=True, random_state=0).fit(pose)
history = gas.history_
moved = np.linalg.norm(np.diff(history, axis=0), axis=2).mean(axis=1)
print(f"history {history.shape}; mean unit step: first {moved[0]:.1f} cm, last {moved[-1]:.2f} cm; "
      f"quantisation error {gas.quantization_error_[0]:.1f} -> {gas.quantization_error_[-1]:.1f} cm")

# %%
# Where the units start and end
# -----------------------------
fig = plt.figure(figsize=(7, 4))
for k, (step, name) in enumerate(((0, "start"), (-1, "after 30 epochs"))):
    ax = fig.add_subplot(1, 2, k + 1, projection="3d")
    plot_skeleton(pose, layout="body16", ax=ax, elev=10, azim=30)
    ax.plot(*history[step].T, linestyle="", marker="o", markersize=7, color="black")
    ax.set_title(name)
fig.tight_layout()

# %%
# The units moving onto the body
# ------------------------------
# Save with ``anim.save("units.gif", writer="pillow")``.
anim = animate_neural_gas(gas, frame=pose, layout="body16", fps=5, elev=10, azim=30)
plt.show()
