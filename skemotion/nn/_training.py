"""What the skorch-wrapping estimators of the field's models share: seeded training and prediction."""

from contextlib import contextmanager
from copy import deepcopy
from numbers import Integral, Real

import numpy as np
import torch
from sklearn.utils._param_validation import Interval

from ._base import check_device as _check_device
from ._base import cuda_indices, torch_seed, torch_threads


@contextmanager
def seeded_torch(random_state, device="cpu"):
    """Run the block with torch's generators seeded from ``random_state`` (:func:`torch_seed`, the one
    meaning of ``random_state`` of skemotion's nets), restoring the caller's state afterwards.

    With ``random_state=None`` the block still runs in a forked generator, seeded from numpy's global
    state, so that one fit never shifts the random stream of the caller.
    """
    with torch.random.fork_rng(devices=cuda_indices(device)), one_thread():
        torch.manual_seed(torch_seed(random_state))
        yield


def one_thread():
    """One intra-op torch thread for the block: the fastest for these small networks on a CPU (more threads
    only add synchronisation)."""
    return torch_threads(1)


# The training parameters every skorch-wrapping model of the field declares, with the same meaning.
TRAINING_CONSTRAINTS = {
    "max_epochs": [Interval(Integral, 1, None, closed="left")],
    "batch_size": [Interval(Integral, 1, None, closed="left")],
    "lr": [Interval(Real, 0, None, closed="neither")],
    "weight_decay": [Interval(Real, 0, None, closed="left")],
    "verbose": ["verbose"],
    "device": [str],
    "random_state": ["random_state"],
}


def check_device(device, owner):
    """The device string for skorch, through the base's :func:`~skemotion.nn._base.check_device`."""
    return str(_check_device(device, owner))


def forward_float64(module, X, device="cpu"):
    """The outputs of ``module`` (eval mode, no gradient) for ``X``, computed in float64.

    float32 convolutions differ in the last bits with the composition of a batch; in float64 the output of
    a sample does not depend on which other samples share its batch, as scikit-learn's checks expect.
    """
    copy = deepcopy(module).double().eval()
    with torch.no_grad(), one_thread():
        out = copy(torch.as_tensor(np.asarray(X), dtype=torch.float64, device=device))
    if isinstance(out, tuple):
        return tuple(o.cpu().numpy() for o in out)
    return out.cpu().numpy()
