"""load_emotion_gait on the real Emotion-Gait / EWalk files of ProxEmo and STEP (../shared/data/emotion-gait)."""

from collections import Counter

import h5py
import numpy as np
import pytest
from sklearn.base import clone

from skemotion.datasets import PROXEMO_LABELS, STEP_LABELS, load_emotion_gait
from skemotion.motion import SkeletonNormalizer
from skemotion.utils import all_estimators
from skemotion.utils._tags import SkeletonMixin

from .conftest import shared_path

RATE = 30.0


@pytest.fixture(scope="module")
def folder():
    return shared_path("emotion-gait")


def _raw(file):
    with h5py.File(file, "r") as handle:
        return {key: handle[key][()] for key in handle}


def test_real_sample_gaits_match_the_file_and_proxemo_label_order(folder):
    gaits = load_emotion_gait(folder / "proxemo_sample_features.h5", frame_rate=RATE)
    features, labels = _raw(folder / "proxemo_sample_features.h5"), _raw(folder / "proxemo_sample_labels.h5")
    assert list(gaits.gait_keys) == sorted(features)
    for key, x, target, group, acted in zip(gaits.gait_keys, gaits.data, gaits.target, gaits.groups, gaits.acted):
        np.testing.assert_array_equal(np.asarray(x), features[key].reshape(-1, 16, 3))
        assert target == PROXEMO_LABELS[int(labels[key])]   # perceived emotion, from the integer
        assert key.startswith(f"{group}_{acted.capitalize()}_")  # the key's own emotion kept apart
        assert x.layout.name == "ewalk16" and x.frame_rate == RATE and x.y_up is True
    # The key's acted emotion and the annotators' label differ here: 002_Sad is labelled 3.
    assert list(gaits.acted) != list(gaits.target)
    np.testing.assert_array_equal(np.asarray(gaits.data[0])[:, 0], 0.0)  # root at the origin
    assert not gaits.synthetic.any() and gaits.frame_rate == RATE


def test_step_synthetic_gaits_are_labelled_by_their_key(folder):
    gaits = load_emotion_gait(folder / "step_features4DCVAEGCN.h5", frame_rate=RATE)
    assert Counter(gaits.target) == {"angry": 10, "happy": 10, "neutral": 10, "sad": 10}
    assert all(key.lower().endswith(t) for key, t in zip(gaits.gait_keys, gaits.target))
    assert gaits.synthetic.all() and set(gaits.groups) == {f"{i:05d}" for i in range(1, 11)}
    assert all(x.shape == (18, 16, 3) for x in gaits.data)
    every = load_emotion_gait(folder / "step_features4DCVAEGCN.h5", frame_rate=RATE, unnamed_synthetic="keep")
    assert Counter(every.target) == {name: 10 for name in ("angry", "emo0", "emo4", "happy", "neutral", "sad")}
    # One integer per generator class in the labels file.
    assert {t: set(every.label_codes[every.target == t]) for t in set(every.target)} == {
        "emo0": {0}, "angry": {1}, "neutral": {2}, "happy": {3}, "emo4": {4}, "sad": {5}}


def test_all_342_proxemo_labels_decode(folder, tmp_path):
    # ProxEmo's features.h5 is not shared; write one with its keys so the real labels file is read whole.
    labels = _raw(folder / "proxemo_labels.h5")
    features = tmp_path / "features.h5"
    with h5py.File(features, "w") as handle:
        for key in labels:
            handle.create_dataset(key, data=np.zeros((4, 48)))
    for order, names in (("proxemo", PROXEMO_LABELS), ("step", STEP_LABELS)):
        gaits = load_emotion_gait(features, folder / "proxemo_labels.h5", frame_rate=RATE, label_names=order)
        assert len(gaits.data) == 342
        assert Counter(gaits.target) == Counter(names[int(v)] for v in labels.values())
    by_key = dict(zip(gaits.gait_keys, zip(gaits.groups, gaits.acted)))
    assert by_key["ale_walk_an_1_fin_positions.csv"] == ("ale", "angry")
    assert by_key["001_Neutral_positions.csv"] == ("001", "neutral")
    assert by_key["S11_2_positions.csv"] == ("S11", "")
    assert by_key["0_Scene_15_database_normed_positions.csv"] == ("0", "")
    custom = load_emotion_gait(features, folder / "proxemo_labels.h5", frame_rate=RATE, label_names=list("wxyz"))
    assert set(custom.target) == set("wxyz")


def test_emotion_gait_runs_through_the_normalizer_and_every_skeleton_estimator(folder):
    real = load_emotion_gait(folder / "proxemo_sample_features.h5", frame_rate=RATE)
    synthetic = load_emotion_gait(folder / "step_features4DCVAEGCN.h5", frame_rate=RATE)
    X = real.data + synthetic.data
    normalized = SkeletonNormalizer(layout="ewalk16").fit_transform(X)
    assert normalized.shape[:3] == (len(X), max(len(x) for x in X), 16)
    assert normalized.layout.name == "ewalk16" and np.all(normalized.frame_rate == RATE)
    for x, z in zip(X, normalized):
        # Root-centred and scaled: each gait is its centred self times one positive factor.
        centred, z = np.asarray(x) - np.asarray(x)[:, :1], np.asarray(z)[: len(x)]
        factor = np.sum(z * centred) / np.sum(centred * centred)
        assert factor > 0
        np.testing.assert_allclose(z, factor * centred, atol=1e-9)
    skeleton_estimators = [c for _, c in all_estimators() if issubclass(c, SkeletonMixin) and hasattr(c, "transform")]
    assert {c.__name__ for c in skeleton_estimators} >= {
        "KinematicFeatures", "JointDistances", "VelocityGradientSignature", "GaitImageEmbedding", "SkeletonNormalizer"}
    for cls in skeleton_estimators:
        estimator = cls(random_state=0) if "random_state" in cls().get_params() else cls()
        for data in (X, normalized):
            out = np.asarray(clone(estimator).fit_transform(data))
            assert out.shape[0] == len(X), cls.__name__
            assert np.isfinite(out[:, : min(len(x) for x in X)] if out.ndim == 4 else out).all(), cls.__name__


def _write(file, gaits):
    with h5py.File(file, "w") as handle:
        for key, value in gaits.items():
            handle.create_dataset(key, data=value)


def test_errors_name_the_file(folder, tmp_path):
    sample = folder / "proxemo_sample_features.h5"
    with pytest.raises(ValueError, match=r"proxemo_sample_features\.h5.*do not document a frame rate"):
        load_emotion_gait(sample)
    with pytest.raises(FileNotFoundError, match=r"features file not found: .*nothere_features\.h5"):
        load_emotion_gait(tmp_path / "nothere_features.h5", frame_rate=RATE)
    with pytest.raises(FileNotFoundError, match=r"labels file not found: .*nolabels\.h5"):
        load_emotion_gait(sample, tmp_path / "nolabels.h5", frame_rate=RATE)
    corrupt = tmp_path / "features_bad.h5"
    corrupt.write_bytes(b"not an hdf5 file at all")
    with pytest.raises(ValueError, match=r"features_bad\.h5 is not a readable HDF5 features file"):
        load_emotion_gait(corrupt, frame_rate=RATE)
    wrong = tmp_path / "features_wrong.h5"
    _write(wrong, {"001_Sad_positions.csv": np.zeros((10, 47))})
    with pytest.raises(ValueError, match=r"features_wrong\.h5: gait '001_Sad_positions\.csv' is \(10, 47\)"):
        load_emotion_gait(wrong, frame_rate=RATE)
    unlabelled = tmp_path / "features_x.h5"
    _write(unlabelled, {"001_Sad_positions.csv": np.zeros((10, 48)), "002_Sad_positions.csv": np.zeros((10, 48))})
    with pytest.raises(ValueError, match=r"features_x\.h5: real gait '001_Sad_positions\.csv' needs a labels file"):
        load_emotion_gait(unlabelled, frame_rate=RATE)
    _write(tmp_path / "labels_x.h5", {"001_Sad_positions.csv": np.int32(2)})
    missing = r"labels_x\.h5 has no label for 1 gait\(s\), e.g. \['002_Sad_positions\.csv'\]"
    with pytest.raises(ValueError, match=missing):
        load_emotion_gait(unlabelled, frame_rate=RATE)
    _write(tmp_path / "labels_x.h5", {"001_Sad_positions.csv": np.int32(7), "002_Sad_positions.csv": np.int32(1)})
    with pytest.raises(ValueError, match=r"labels_x\.h5: label 7 of '001_Sad_positions\.csv' is outside 0\.\.3"):
        load_emotion_gait(unlabelled, frame_rate=RATE)
    odd = tmp_path / "features_odd.h5"
    _write(odd, {"gait one": np.zeros((10, 48))})
    with pytest.raises(ValueError, match=r"features_odd\.h5: key 'gait one' is neither a real gait"):
        load_emotion_gait(odd, frame_rate=RATE)
    with pytest.raises(ValueError, match="label_names must be one of"):
        load_emotion_gait(sample, frame_rate=RATE, label_names="ewalk")


def test_synthetic_names_and_labels_must_agree(tmp_path):
    _write(tmp_path / "featuresX.h5", {"00001_Happy": np.zeros((5, 48)), "00002_Happy": np.zeros((5, 48))})
    _write(tmp_path / "labelsX.h5", {"00001_Happy": np.int64(3), "00002_Happy": np.int64(4)})
    with pytest.raises(ValueError, match=r"labelsX\.h5: synthetic gaits named 'happy' have labels 3 and 4"):
        load_emotion_gait(tmp_path / "featuresX.h5", frame_rate=RATE)
    (tmp_path / "labelsX.h5").unlink()   # synthetic gaits need no labels file: their keys name them
    gaits = load_emotion_gait(tmp_path / "featuresX.h5", frame_rate=RATE)
    assert list(gaits.target) == ["happy", "happy"] and list(gaits.label_codes) == [-1, -1]
