"""Where the MediaPipe pose model comes from: an explicit path, an environment variable, or the user cache."""

import os
import urllib.request
from pathlib import Path

from tqdm.auto import tqdm

from ..utils._files import atomic_write

MODEL_ENV_VAR = "SKEMOTION_POSE_MODEL"
MODEL_VARIANTS = ("lite", "full", "heavy")
# MediaPipe's published PoseLandmarker bundles (float16, latest version of each variant).
_MODEL_URL = (
    "https://storage.googleapis.com/mediapipe-models/pose_landmarker/pose_landmarker_{variant}/float16/latest/"
    "pose_landmarker_{variant}.task"
)


def model_cache_dir():
    """Folder of downloaded models: ``$XDG_CACHE_HOME/skemotion``, by default ``~/.cache/skemotion``."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "skemotion"


def cached_model_path(variant="full"):
    """Path of a model variant in the cache folder (which may not exist yet)."""
    _check_variant(variant)
    return model_cache_dir() / f"pose_landmarker_{variant}.task"


def _check_variant(variant):
    if variant not in MODEL_VARIANTS:
        raise ValueError(f"Unknown pose model variant {variant!r}; choose one of {MODEL_VARIANTS}.")


def resolve_model_path(model_asset_path=None, variant="full"):
    """The model bundle to load: ``model_asset_path``, else ``$SKEMOTION_POSE_MODEL``, else the cached variant.

    Raises
    ------
    FileNotFoundError
        When the chosen file does not exist; the message lists the three ways to provide a model.
    """
    if model_asset_path is not None:
        path, origin = Path(model_asset_path), "model_asset_path"
    elif os.environ.get(MODEL_ENV_VAR):
        path, origin = Path(os.environ[MODEL_ENV_VAR]), f"the environment variable {MODEL_ENV_VAR}"
    else:
        path, origin = cached_model_path(variant), "the model cache"
    if not path.is_file():
        raise FileNotFoundError(
            f"No MediaPipe pose model at {path} (from {origin}). Provide a PoseLandmarker .task bundle in one of "
            f"three ways: (1) PoseExtractor(model_asset_path='path/to/pose_landmarker_{variant}.task'); "
            f"(2) set the environment variable {MODEL_ENV_VAR} to its path; (3) download it once into the cache "
            f"({cached_model_path(variant)}) with skemotion.pose.download_model({variant!r}) on a machine with "
            "network access."
        )
    return path


def download_model(variant="full", *, url=None, cache_dir=None, overwrite=False, progress=True):
    """Download an official MediaPipe PoseLandmarker bundle into the cache folder.

    Needs network access; nothing in skemotion calls it implicitly. The file is written to a temporary
    name first and moved into place when complete, so an interrupted download leaves no broken model.

    Parameters
    ----------
    variant : {"lite", "full", "heavy"}, default="full"
        Model size: faster and less accurate to slower and more accurate.
    url : str or None, default=None
        Download from this address instead of MediaPipe's model storage.
    cache_dir : str, Path or None, default=None
        Target folder; ``None`` uses :func:`model_cache_dir` (where :class:`PoseExtractor` looks).
    overwrite : bool, default=False
        Download again even if the file is already there.
    progress : bool, default=True
        Show a progress bar.

    Returns
    -------
    path : Path
        The downloaded model bundle.
    """
    _check_variant(variant)
    target = Path(cache_dir or model_cache_dir()) / f"pose_landmarker_{variant}.task"
    if target.is_file() and not overwrite:
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    url = url or _MODEL_URL.format(variant=variant)
    with urllib.request.urlopen(url) as response, atomic_write(target, "wb") as out:
        size = int(response.headers.get("Content-Length") or 0) or None
        with tqdm(total=size, unit="B", unit_scale=True, desc=target.name, disable=not progress) as bar:
            while chunk := response.read(1 << 16):
                out.write(chunk)
                bar.update(len(chunk))
    return target
