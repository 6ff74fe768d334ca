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


# --- Plug-in Gait onto body16 -------------------------------------------------------------------------------
from scipy.spatial.transform import Rotation  # noqa: E402

from skemotion.io import PLUG_IN_GAIT, markers_to_body16  # noqa: E402

# A standing subject in its own frame (mm): x to its right, y forward, z up; the pelvis level.
LOCAL = {
    "LFHD": (-60, 80, 1700), "RFHD": (60, 80, 1700), "LBHD": (-60, -80, 1690), "RBHD": (60, -80, 1690),
    "C7": (0, -90, 1480), "T10": (0, -110, 1250), "CLAV": (0, 70, 1440), "STRN": (0, 100, 1260),
    "LSHO": (-190, 0, 1450), "LELB": (-220, -20, 1150), "LWRA": (-230, 30, 900), "LWRB": (-230, -30, 900),
    "RSHO": (190, 0, 1450), "RELB": (220, -20, 1150), "RWRA": (230, 30, 900), "RWRB": (230, -30, 900),
    "LASI": (-120, 60, 1000), "RASI": (120, 60, 1000), "LPSI": (-50, -90, 1000), "RPSI": (50, -90, 1000),
    "LKNE": (-130, 10, 520), "LANK": (-120, -20, 90), "LHEE": (-110, -70, 50), "LTOE": (-120, 130, 40),
    "RKNE": (130, 10, 520), "RANK": (120, -20, 90), "RHEE": (110, -70, 50), "RTOE": (120, 130, 40),
}
PIG = tuple(LOCAL)
Y_UP = np.array([[1.0, 0, 0], [0, 0, 1], [0, -1, 0]])  # z up -> y up, a rotation


def expected_local():
    """body16 in the subject's frame, by hand: means of the groups, Bell's hip centres on a level pelvis."""
    m = {k: np.array(v, float) for k, v in LOCAL.items()}
    width = 240.0  # |RASI - LASI|
    left_hip = m["LASI"] + width * np.array([0.14, -0.22, -0.30])   # medial is +x for the left side
    right_hip = m["RASI"] + width * np.array([-0.14, -0.22, -0.30])
    mean = lambda *names: np.mean([m[n] for n in names], axis=0)  # noqa: E731
    return np.array([
        (left_hip + right_hip) / 2, mean("T10", "STRN"), mean("C7", "CLAV"), mean("LFHD", "RFHD", "LBHD", "RBHD"),
        m["LSHO"], m["LELB"], mean("LWRA", "LWRB"), m["RSHO"], m["RELB"], mean("RWRA", "RWRB"),
        left_hip, m["LKNE"], m["LANK"], right_hip, m["RKNE"], m["RANK"],
    ])


def moving_subject(n_frames=12, seed=0):
    """Markers and expected joints (mm) of the subject turned and moved differently in every frame."""
    rng = np.random.default_rng(seed)
    rotations = Rotation.from_euler("z", rng.uniform(-180, 180, (n_frames, 1)), degrees=True) \
        * Rotation.from_euler("xy", rng.uniform(-15, 15, (n_frames, 2)), degrees=True)
    shift = rng.uniform(-2000, 2000, (n_frames, 1, 3))
    local = np.array([LOCAL[k] for k in PIG], float)
    markers = np.stack([r.apply(local) for r in rotations]) + shift
    joints = np.stack([r.apply(expected_local()) for r in rotations]) + shift
    return markers, joints


def test_plug_in_gait_maps_onto_body16_with_bells_hip_centres(tmp_path):
    markers, joints = moving_subject()
    labels = [f"Jane:{name}" for name in PIG]  # Vicon Nexus prefixes the subject
    motion = read_c3d(_write(tmp_path / "pig.c3d", markers, labels=labels), marker_set="plug_in_gait")
    body = motion.skeleton
    assert body.shape == (12, 16, 3) and body.layout.name == "body16" and body.y_up and body.units == "m"
    assert body.frame_rate == 100.0 and motion.missing_markers == []
    np.testing.assert_allclose(np.asarray(body), joints / 1000 @ Y_UP.T, atol=1e-6)  # C3D stores float32


def test_lost_and_absent_markers_give_nan_joints(tmp_path):
    markers, joints = moving_subject(seed=1)
    markers[3:6, PIG.index("LWRB")] = np.nan     # a wrist marker lost for three frames
    markers[7, PIG.index("LASI")] = np.nan       # the left ASIS lost in frame 7
    kept = [i for i, name in enumerate(PIG) if name != "LSHO"]
    motion = read_c3d(_write(tmp_path / "gaps.c3d", markers[:, kept], labels=[PIG[i] for i in kept]),
                      marker_set="plug_in_gait")
    body = np.asarray(motion.skeleton)
    hand, shoulder, hips = 6, 4, [0, 10, 13]
    assert np.isnan(body[3:6, hand]).all() and np.isfinite(body[[0, 1, 2, 6], hand]).all()
    assert np.isnan(body[7, hips]).all() and np.isfinite(body[6, hips]).all()
    assert np.isnan(body[:, shoulder]).all() and motion.missing_markers == ["LSHO"]
    finite = np.isfinite(body)
    np.testing.assert_allclose(body[finite], (joints / 1000 @ Y_UP.T)[finite], atol=1e-6)


def test_a_sacral_marker_stands_for_the_psis_pair_and_other_sets_are_refused(tmp_path):
    markers, _ = moving_subject(seed=2)
    labels = list(PIG)
    sacrum = (markers[:, PIG.index("LPSI")] + markers[:, PIG.index("RPSI")]) / 2
    keep = [i for i, name in enumerate(PIG) if name not in ("LPSI", "RPSI")]
    with_sacr = np.concatenate([markers[:, keep], sacrum[:, None]], axis=1)
    sacr = markers_to_body16(with_sacr, [labels[i] for i in keep] + ["SACR"])
    psis = markers_to_body16(markers, labels)
    np.testing.assert_allclose(sacr, psis, atol=1e-9)
    assert sorted(PLUG_IN_GAIT) == sorted(psis.layout.joint_names)
    file = _write(tmp_path / "qualisys.c3d", markers[:, :4], labels=("Q_HEAD", "Q_NECK", "Q_HIP", "Q_KNEE"))
    with pytest.raises(ValueError, match=r"qualisys\.c3d: no marker of the set is among the labels"):
        read_c3d(file, marker_set="plug_in_gait")
    with pytest.raises(ValueError, match="marker_set must be one of"):
        markers_to_body16(markers, labels, marker_set="helen_hayes")
