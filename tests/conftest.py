"""Shared fixtures: the real data in ../shared/data, located relative to the repository root."""

from pathlib import Path

import matplotlib
import pytest

matplotlib.use("Agg")

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def shared_path(*parts):
    """Path inside ../shared/data; fails the test clearly when the shared data is not there."""
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.fail(
            f"Real test data not found at {path}. The tests read it from ../shared/data next to the repository "
            "root (see ../shared/data/README.md); it is never copied into the project."
        )
    return path


@pytest.fixture(scope="session")
def shared_data():
    """The ../shared/data folder."""
    return shared_path()


@pytest.fixture(scope="session")
def bandai_path():
    """The Bandai-Namco-1 motion-capture folder."""
    return shared_path("bandai-namco-1")


@pytest.fixture(scope="session", autouse=True)
def _one_thread_per_worker():
    """One BLAS and one torch thread per pytest worker.

    pytest-xdist already runs one worker per core; threads on top of that fight over the cores, and small
    linear algebra (scipy's interpolators, tiny networks) then runs up to a thousand times slower.
    """
    import torch
    from threadpoolctl import threadpool_limits

    torch.set_num_threads(1)
    with threadpool_limits(limits=1):
        yield


@pytest.fixture(scope="session")
def eeg_path():
    """The real EEG folder: MNE's BioSemi test recordings (biosemi128_test.edf, biosemi64_test.bdf)."""
    return shared_path("eeg")
