"""The one network base: device, reproducibility by random_state, clone and pickle, for every torch estimator."""

import importlib.util
import inspect
import pickle
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
import torch
from sklearn.base import clone

from skemotion.nn import (
    ConditionalConvGAN,
    ConditionalGAN,
    ConditionalVAE,
    EEGCNNClassifier,
    GaitCNNClassifier,
    MotionVAE,
    ViewGroupGaitCNNClassifier,
)
from skemotion.nn._base import TorchNet, check_device
from skemotion.samplers import EEGGANSampler, GANSampler, VAESampler
from skemotion.utils import all_estimators

ROOT = Path(__file__).resolve().parents[1]
RNG = np.random.RandomState(0)
Y = np.repeat(["calm", "tense"], 12)
EEG = RNG.normal(size=(24, 3, 32)) * 1e-5


def _classify(X):
    return lambda est: est.fit(X, Y).predict_proba(X)


def _generate(X):
    return lambda est: est.fit(X, Y).sample(["tense", "calm", "calm"], random_state=0)


def _resample(X):
    return lambda est: est.fit_resample(X[:-8], Y[:-8])[0]


def _encode(X):
    return lambda est: est.fit(X).transform(X)


# name -> (constructor, run returning the output to compare)
NETS = {
    "GaitCNNClassifier": (lambda **kw: GaitCNNClassifier(channels=(4, 4), n_groups=2, max_epochs=2, **kw),
                          _classify(RNG.normal(size=(24, 3, 6, 5)).astype(np.float32))),
    "EEGCNNClassifier": (lambda **kw: EEGCNNClassifier(module__n_filters=(4,), module__hidden_units=8, max_epochs=2,
                                                       **kw), _classify(RNG.normal(size=(24, 4, 5)))),
    "ConditionalGAN": (lambda **kw: ConditionalGAN(max_epochs=2, module__hidden_sizes=(8,),
                                                   discriminator__hidden_sizes=(8,), **kw),
                       _generate(RNG.normal(size=(24, 5)).astype(np.float32))),
    "ConditionalVAE": (lambda **kw: ConditionalVAE(max_epochs=2, module__hidden_channels=8, **kw),
                       _generate(RNG.normal(size=(24, 10, 3)).astype(np.float32))),
    "ConditionalConvGAN": (lambda **kw: ConditionalConvGAN(max_epochs=1, module__hidden_channels=4,
                                                           module__global_dim=2,
                                                           discriminator__hidden_channels=4,
                                                           discriminator__n_layers=2, **kw), _generate(EEG)),
    "MotionVAE": (lambda **kw: MotionVAE(latent_dim=2, hidden_channels=4, max_epochs=2, **kw),
                  _encode(RNG.normal(size=(24, 8, 4, 3)))),
    "ViewGroupGaitCNNClassifier": (lambda **kw: ViewGroupGaitCNNClassifier(views_per_group=1, image_size=(8, 8),
                                                                           channels=(4, 4), max_epochs=2, **kw),
                                   _classify(RNG.normal(size=(24, 6, 8, 3)))),
    "VAESampler": (lambda **kw: VAESampler(hidden_size=8, max_epochs=2, **kw), _resample(RNG.normal(size=(24, 5)))),
    "GANSampler": (lambda **kw: GANSampler(hidden_size=8, max_epochs=2, **kw), _resample(RNG.normal(size=(24, 5)))),
    "EEGGANSampler": (lambda **kw: EEGGANSampler(hidden_channels=4, global_dim=2, max_epochs=1, **kw),
                      _resample(EEG)),
}


@pytest.mark.parametrize("name", NETS)
def test_device_parameter_defaults_to_cpu_and_an_unknown_device_is_refused(name):
    make, run = NETS[name]
    assert make().get_params()["device"] == "cpu"
    assert inspect.signature(type(make()).__init__).parameters["device"].default == "cpu"
    assert np.all(np.isfinite(run(make(random_state=0, device="cpu"))))
    with pytest.raises(ValueError, match=r"device='tpu0' is not a torch device; use 'cpu'"):
        run(make(random_state=0, device="tpu0"))


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has a GPU: benchmarks/gpu_check.py covers it")
def test_cuda_without_a_gpu_is_a_clear_error():
    with pytest.raises(ValueError, match=r"device='cuda' was asked for, but torch sees 0 CUDA device"):
        check_device("cuda", "GaitCNNClassifier")
    make, run = NETS["GANSampler"]
    with pytest.raises(ValueError, match="GANSampler: device='cuda'"):
        run(make(random_state=0, device="cuda"))


@pytest.mark.parametrize("name", NETS)
def test_random_state_reproduces_the_fit_and_leaves_torch_alone(name):
    make, run = NETS[name]
    state = torch.random.get_rng_state()
    first = run(make(random_state=3))
    assert torch.equal(torch.random.get_rng_state(), state)
    np.testing.assert_array_equal(run(make(random_state=3)), first)
    assert not np.array_equal(run(make(random_state=4)), first)


# tests/test_models.py round-trips the skeleton networks (their inputs are not the network's input_shape_).
@pytest.mark.parametrize("name", [name for name in NETS if not name.endswith("Sampler")
                                  and name not in ("MotionVAE", "ViewGroupGaitCNNClassifier")])
def test_clone_and_pickle_round_trip(name):
    make, run = NETS[name]
    net = make(random_state=0)
    fresh = clone(net)
    # __init__ stores parameters only: skorch's bookkeeping is not set before fit.
    assert not [attr for attr in vars(fresh) if attr.endswith("_") and not attr.startswith("_")]
    assert fresh.get_params().keys() == net.get_params().keys()
    out = run(net)
    restored = pickle.loads(pickle.dumps(net))
    if hasattr(net, "predict_proba"):
        X = restored.input_shape_
        X = RNG.normal(size=(4,) + X).astype(np.float32)
        np.testing.assert_array_equal(restored.predict_proba(X), net.predict_proba(X))
    else:
        labels = net.classes_[[1, 0, 0]]
        np.testing.assert_array_equal(restored.sample(labels, random_state=0), out)
    refit = run(clone(net))
    np.testing.assert_array_equal(refit, out)


def test_every_network_derives_from_the_one_base():
    for name, (make, _) in NETS.items():
        if not name.endswith("Sampler"):
            assert isinstance(make(), TorchNet), name


def test_fit_before_initialize_is_required():
    from skorch.exceptions import NotInitializedError

    with pytest.raises(NotInitializedError, match="call fit"):
        GaitCNNClassifier().initialize()


@pytest.mark.skipif(torch.cuda.is_available(), reason="with a GPU the script runs the full check")
def test_gpu_check_skips_without_a_gpu():
    result = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "gpu_check.py")], capture_output=True,
                            text=True, cwd=ROOT, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith("no GPU: skipped"), result.stdout + result.stderr


def test_gpu_check_covers_every_torch_estimator_and_runs_on_the_cpu():
    """Each estimator with a ``device`` is a case of benchmarks/gpu_check.py, and each case runs (on the CPU
    here: CI has no GPU) to the same finite output twice."""
    spec = importlib.util.spec_from_file_location("gpu_check", ROOT / "benchmarks" / "gpu_check.py")
    gpu_check = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gpu_check)
    cases = gpu_check.cases()
    covered = {type(make("cpu")).__name__ for _, make, _ in cases}
    assert {name for name, cls in all_estimators() if "device" in inspect.signature(cls).parameters} <= covered
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # the GANs' "too few updates" warning: a few epochs here
        for name, make, run in cases:
            first = np.asarray(run(make("cpu")), dtype=float)
            assert np.isfinite(first).all() and first.size, name
            np.testing.assert_array_equal(np.asarray(run(make("cpu")), dtype=float), first, err_msg=name)
