"""What the skorch-wrapping estimators of the field's models share: seeded training and prediction."""

from contextlib import contextmanager
from copy import deepcopy

import numpy as np
import torch
from sklearn.utils import check_random_state


def seed_from(random_state):
    """An integer torch seed: ``random_state`` itself if it is an int, else one draw from it."""
    if isinstance(random_state, (int, np.integer)):
        return int(random_state)
    return int(check_random_state(random_state).randint(np.iinfo(np.int32).max))


@contextmanager
def seeded_torch(random_state):
    """Run the block with torch's CPU generator seeded from ``random_state``, restoring the caller's state.

    With ``random_state=None`` the block still runs in a forked generator, seeded from numpy's global
    state, so that one fit never shifts the random stream of the caller.
    """
    with torch.random.fork_rng(devices=[]), one_thread():
        torch.manual_seed(seed_from(random_state))
        yield


@contextmanager
def one_thread():
    """Run the block with one intra-op torch thread: the fastest for these small networks on a CPU (more
    threads only add synchronisation), restored afterwards."""
    previous = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


def check_device(device):
    """The torch device ``device`` names, with a clear error where it is not available."""
    device = torch.device(device)
    if device.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(f"device={str(device)!r} was requested, but torch finds no CUDA device; use device='cpu'.")
    return str(device)


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
