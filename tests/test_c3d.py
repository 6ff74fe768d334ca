"""read_c3d on C3D files written by ezc3d in the test (skipped without the optional ezc3d)."""

import numpy as np
import pytest

from skemotion.io import read_c3d

ezc3d = pytest.importorskip("ezc3d")

LABELS = ("LASI", "RASI", "LKNE", "RKNE")


def _write(file, markers_mm, rate=100.0, units="mm", labels=LABELS):
    """Write (n_frames, n_markers, 3) trajectories as C3D through ezc3d."""
    c3d = ezc3d.c3d()
    c3d["parameters"]["POINT"]["RATE"]["value"] = [rate]
    c3d["parameters"]["POINT"]["LABELS"]["value"] = tuple(labels)
    c3d["parameters"]["POINT"]["UNITS"]["value"] = [units]
    points = np.ones((4, markers_mm.shape[1], markers_mm.shape[0]))
    points[:3] = markers_mm.transpose(2, 1, 0)
    c3d["data"]["points"] = points
    c3d.write(str(file))
    return file


def test_markers_labels_rate_and_gaps(tmp_path):
    rng = np.random.default_rng(0)
    truth = rng.uniform(-1500, 1500, size=(30, 4, 3))
    written = truth.copy()
    written[5:9, 2] = np.nan          # the knee marker lost for four frames
    written[12, 0] = 0.0              # an exporter's (0, 0, 0) gap
    file = _write(tmp_path / "walk.c3d", written, rate=120.0)
    motion = read_c3d(file)
    assert motion.markers.shape == (30, 4, 3) and motion.labels == list(LABELS)
    assert motion.frame_rate == 120.0 and motion.markers.frame_rate == 120.0
    assert motion.units == "mm" and motion.markers.units == "m" and motion.markers.layout is None
    expected = truth / 1000.0
    expected[5:9, 2] = np.nan
    expected[12, 0] = np.nan
    np.testing.assert_allclose(np.asarray(motion.markers), expected, rtol=1e-6)  # C3D stores float32
    assert np.isnan(motion.residuals[5:9, 2]).all() and np.isfinite(motion.residuals[:5]).all()
    kept = read_c3d(file, zero_as_gap=False)
    np.testing.assert_array_equal(np.asarray(kept.markers)[12, 0], 0.0)


def test_metres_stay_metres(tmp_path):
    truth = np.random.default_rng(1).uniform(-1, 1, size=(10, 4, 3))
    motion = read_c3d(_write(tmp_path / "m.c3d", truth, units="m"))
    np.testing.assert_allclose(np.asarray(motion.markers), truth, rtol=1e-6)


def test_errors_name_the_file(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"C3D file not found: .*absent\.c3d"):
        read_c3d(tmp_path / "absent.c3d")
    bad = tmp_path / "bad.c3d"
    bad.write_bytes(b"not a c3d file" * 40)
    with pytest.raises(ValueError, match=r"bad\.c3d is not a readable C3D file"):
        read_c3d(bad)
