"""Reader for C3D marker-based motion capture files (Vicon, Qualisys, Motion Analysis ...) through ezc3d.

ezc3d (Michaud and Begon 2021) parses the file; this module turns its ``(4, n_markers, n_frames)`` point
block into ``(n_frames, n_markers, 3)`` marker trajectories in metres, with gaps as NaN: C3D marks a point
that the cameras lost with a negative residual (ezc3d reads those as NaN), and many exporters also write
such a point as exactly (0, 0, 0).
"""

from pathlib import Path

import numpy as np
from sklearn.utils import Bunch

from ..skeleton import with_metadata

# C3D's POINT:UNITS, as written by the usual exporters, to metres.
_TO_METRES = {"mm": 1e-3, "cm": 1e-2, "m": 1.0}


def read_c3d(path, *, zero_as_gap=True):
    """Read marker trajectories, labels and rate from a C3D file.

    Requires the ``c3d`` extra (``pip install skemotion[c3d]``, which installs ezc3d).

    Parameters
    ----------
    path : str or Path
        The ``.c3d`` file.
    zero_as_gap : bool, default=True
        Also read a marker at exactly (0, 0, 0) as a gap (how many exporters write a lost marker).

    Returns
    -------
    motion : Bunch
        ``markers`` (:class:`~skemotion.skeleton.SkeletonArray` of shape (n_frames, n_markers, 3), in metres
        when the file states mm, cm or m, NaN in gaps; no joint layout: markers are not joints),
        ``labels`` (marker names), ``frame_rate``, ``units`` (as stated in the file), ``first_frame``,
        ``residuals`` ((n_frames, n_markers), NaN in gaps) and ``filename``.

    Examples
    --------
    >>> from skemotion.io import read_c3d
    >>> motion = read_c3d("walk.c3d")  # doctest: +SKIP
    >>> motion.markers.shape, motion.labels[:2], motion.frame_rate  # doctest: +SKIP
    ((600, 39, 3), ['LFHD', 'RFHD'], 100.0)
    """
    try:
        import ezc3d
    except ImportError:  # pragma: no cover - depends on the environment
        raise ImportError("read_c3d needs ezc3d: pip install 'skemotion[c3d]' (or pip install ezc3d).") from None
    file = Path(path)
    if not file.is_file():
        raise FileNotFoundError(f"C3D file not found: {file}.")
    try:
        content = ezc3d.c3d(str(file), extract_forceplat_data=False)
    except (OSError, RuntimeError, ValueError) as error:
        raise ValueError(f"{file} is not a readable C3D file ({error}).") from None

    points = np.asarray(content["data"]["points"], dtype=float)
    if points.ndim != 3 or points.shape[0] < 3:
        raise ValueError(f"{file}: expected a (4, n_markers, n_frames) point block, got shape {points.shape}.")
    markers = np.moveaxis(points[:3], 0, -1).transpose(1, 0, 2).copy()   # (n_frames, n_markers, 3)
    residuals = _residuals(content, markers.shape[:2])
    gaps = ~np.isfinite(markers).all(axis=-1) | (residuals < 0)
    if zero_as_gap:
        gaps |= (markers == 0).all(axis=-1)
    markers[gaps] = np.nan
    residuals[gaps] = np.nan

    parameters = content["parameters"]["POINT"]
    labels = [str(label).strip() for label in parameters["LABELS"]["value"]][: markers.shape[1]]
    if len(labels) != markers.shape[1]:
        raise ValueError(f"{file}: {len(labels)} POINT:LABELS for {markers.shape[1]} markers.")
    rate = float(np.ravel(parameters["RATE"]["value"])[0])
    if not np.isfinite(rate) or rate <= 0:
        raise ValueError(f"{file}: POINT:RATE is {rate}, expected a positive frame rate.")
    units = _units(parameters)
    scale = _TO_METRES.get(units)
    if scale is not None:
        markers *= scale
    return Bunch(
        markers=with_metadata(markers, frame_rate=rate, units="m" if scale is not None else None),
        labels=labels,
        frame_rate=rate,
        units=units,
        first_frame=int(content["header"]["points"]["first_frame"]),
        residuals=residuals,
        filename=str(file),
    )


def _residuals(content, shape):
    meta = content["data"].get("meta_points", {})
    residuals = np.asarray(meta.get("residuals", np.zeros((1,) + shape[::-1])), dtype=float)
    return residuals.reshape(shape[::-1]).T.copy() if residuals.size == shape[0] * shape[1] else np.zeros(shape)


def _units(parameters):
    value = parameters.get("UNITS", {}).get("value", [])
    value = list(value) if not isinstance(value, str) else [value]
    return str(value[0]).strip().lower() if value else None
