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
def _one_torch_thread():
    """One torch thread per pytest worker: tiny networks train faster than with threads fighting over 2 cores."""
    import torch

    torch.set_num_threads(1)
