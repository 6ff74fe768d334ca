"""The Bandai-Namco loader on the real shared data, checked against the files' own labels."""

import json

import numpy as np
import pytest

from skemotion.datasets import EMOTIONAL_STYLES, load_bandai_namco
from skemotion.io import read_bvh


@pytest.fixture(scope="module")
def emotional(bandai_path):
    return load_bandai_namco(bandai_path, styles=EMOTIONAL_STYLES)


def test_labels_match_json_and_file_names(emotional):
    assert len(emotional.data) == len(emotional.target) == len(emotional.groups) == len(emotional.filenames)
    for filename, style, content in zip(emotional.filenames, emotional.target, emotional.groups):
        name = filename.rsplit("/", 1)[-1]
        assert name.startswith(f"dataset-1_{content}_{style}_")  # the file name repeats the json labels
        assert json.loads(open(filename[:-4] + ".json").read()).keys() == {"content", "style"}
    # 11 clips per emotional style; 'normal' has extra contents that only it performs.
    styles, counts = np.unique(emotional.target, return_counts=True)
    assert dict(zip(styles, counts)) == {s: (20 if s == "normal" else 11) for s in EMOTIONAL_STYLES}


def test_positions_are_the_forward_kinematics_of_each_file(emotional):
    motion = read_bvh(emotional.filenames[3])
    np.testing.assert_array_equal(emotional.data[3], motion.positions)
    assert emotional.frame_rate == pytest.approx(30.0, rel=1e-5)
    assert emotional.joint_names == motion.joint_names
    assert emotional.layout.common_map is not None


def test_common_layout_and_filters(bandai_path):
    bunch = load_bandai_namco(bandai_path, styles="sad", contents=["walk", "run"], layout="body16")
    assert sorted(bunch.groups) == ["run", "walk", "walk"] and set(bunch.target) == {"sad"}
    assert all(x.shape[1:] == (16, 3) for x in bunch.data)
    assert bunch.joint_names[0] == "root"


def test_loader_errors_name_the_problem(bandai_path, tmp_path):
    with pytest.raises(ValueError, match=r"Unknown styles \['joyful'\]"):
        load_bandai_namco(bandai_path, styles=["joyful"])
    with pytest.raises(ValueError, match="Unknown contents"):
        load_bandai_namco(bandai_path, contents="swim")
    with pytest.raises(ValueError, match="layout must be"):
        load_bandai_namco(bandai_path, layout="mediapipe33")
    with pytest.raises(FileNotFoundError, match="not a Bandai-Namco dataset folder"):
        load_bandai_namco(tmp_path)
    with pytest.raises(ValueError, match="No clip"):  # kick is performed in the normal style only
        load_bandai_namco(bandai_path, styles="sad", contents="kick")


def test_shared_contents_are_performed_in_every_style(bandai_path):
    bunch = load_bandai_namco(bandai_path, styles=EMOTIONAL_STYLES, contents="shared")
    assert len(bunch.data) == 77  # 10 contents x 7 styles, and walk twice
    for content in np.unique(bunch.groups):
        assert set(bunch.target[bunch.groups == content]) == set(EMOTIONAL_STYLES)
