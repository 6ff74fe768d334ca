"""Shared fixtures: the real data in ../shared/data, located relative to the repository root."""

from pathlib import Path

import matplotlib
import pytest
import torch

matplotlib.use("Agg")
# pytest-xdist runs one process per core: more torch threads per process only contend (tiny test networks
# become 10x slower).
torch.set_num_threads(1)

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
