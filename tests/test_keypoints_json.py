"""read_keypoints_json: COCO keypoint results / annotations and OpenPose per-frame JSON."""

import json

import numpy as np
import pytest

from skemotion.io import read_keypoints_json
from skemotion.skeleton import convert_layout, get_layout

from .conftest import shared_path


def _coco_triplets(rng, confidence):
    xy = rng.uniform(0, 640, size=(17, 2))
    return np.column_stack([xy, confidence]), xy


def _dump(file, content):
    file.write_text(json.dumps(content))
    return file


def test_real_coco_annotation_file():
    file = shared_path("video", "coco_val2017_000000000785_keypoints.json")
    raw = np.array(json.loads(file.read_text())["annotations"][0]["keypoints"], dtype=float).reshape(17, 3)
    pose, confidence = read_keypoints_json(file, return_confidence=True)
    assert pose.shape == (1, 17, 2) and pose.layout.name == "coco17"
    assert pose.y_up is False and pose.units == "pixels" and pose.frame_rate is None
    np.testing.assert_array_equal(np.asarray(pose)[0], raw[:, :2])   # all 17 visible (v = 2)
    np.testing.assert_array_equal(confidence[0], raw[:, 2])
    # The skier's nose is above the ankles: image rows grow downwards.
    assert pose[0, 0, 1] < pose[0, 15, 1]


def test_coco_results_pick_the_best_person_and_mask_low_confidence(tmp_path):
    rng = np.random.default_rng(0)
    low = np.full(17, 0.9)
    low[[3, 4]] = 0.05
    a, a_xy = _coco_triplets(rng, low)
    b, b_xy = _coco_triplets(rng, np.full(17, 0.8))
    c, c_xy = _coco_triplets(rng, np.full(17, 0.7))
    results = [
        {"image_id": 7, "category_id": 1, "keypoints": c.ravel().tolist(), "score": 0.6},
        {"image_id": 3, "category_id": 1, "keypoints": b.ravel().tolist(), "score": 0.4},
        {"image_id": 3, "category_id": 1, "keypoints": a.ravel().tolist(), "score": 0.95},
        {"image_id": 7, "category_id": 2, "keypoints": a.ravel().tolist(), "score": 0.99},  # not a person
    ]
    file = _dump(tmp_path / "results.json", results)
    pose = np.asarray(read_keypoints_json(file, frame_rate=10))
    assert pose.shape == (2, 17, 2)                           # images 3 then 7
    expected = a_xy.copy()
    expected[[3, 4]] = np.nan
    np.testing.assert_array_equal(pose[0], expected)
    np.testing.assert_array_equal(pose[1], c_xy)
    second = np.asarray(read_keypoints_json(file, person=1))
    np.testing.assert_array_equal(second[0], b_xy)            # the other person of image 3
    assert np.isnan(second[1]).all()                          # image 7 has one person only
    kept = np.asarray(read_keypoints_json(file, min_confidence=0.0))
    np.testing.assert_array_equal(kept[0], a_xy)


def test_coco_annotations_use_visibility_and_keep_images_without_people(tmp_path):
    rng = np.random.default_rng(1)
    visibility = np.full(17, 2)
    visibility[[0, 9]] = 0
    visibility[5] = 1                                         # labelled but occluded: kept
    a, a_xy = _coco_triplets(rng, visibility)
    a[visibility == 0, :2] = 0
    content = {
        "images": [{"id": 2, "file_name": "b.jpg"}, {"id": 1, "file_name": "a.jpg"}],
        "annotations": [{"image_id": 1, "category_id": 1, "keypoints": a.ravel().tolist(), "area": 900.0}],
        "categories": [{"id": 1, "name": "person"}],
    }
    pose = np.asarray(read_keypoints_json(_dump(tmp_path / "ann.json", content)))
    expected = a_xy.copy()
    expected[[0, 9]] = np.nan
    np.testing.assert_array_equal(pose[0], expected)
    assert np.isnan(pose[1]).all()                            # image 2 has no annotation


def _openpose_frame(people):
    return {"version": 1.3, "people": [{"person_id": [-1], "pose_keypoints_2d": p.ravel().tolist(),
                                        "face_keypoints_2d": [], "hand_left_keypoints_2d": []} for p in people]}


def test_openpose_folder_in_frame_order(tmp_path):
    rng = np.random.default_rng(2)
    truth = rng.uniform(0, 1000, size=(12, 25, 2))
    for t in range(12):
        strong = np.column_stack([truth[t], np.full(25, 0.8)])
        weak = np.column_stack([rng.uniform(0, 1000, (25, 2)), np.full(25, 0.2)])
        if t == 4:
            strong[[19, 20, 21]] = 0.0                        # toes and heel not found: 0, 0, 0
        people = [] if t == 7 else [weak, strong]
        # Unpadded numbers: frame 10 must come after frame 9, not after frame 1.
        _dump(tmp_path / f"clip_{t}_keypoints.json", _openpose_frame(people))
    pose = read_keypoints_json(tmp_path, frame_rate=30)
    assert pose.shape == (12, 25, 2) and pose.layout.name == "body25" and pose.frame_rate == 30.0
    expected = truth.copy()
    expected[4, [19, 20, 21]] = np.nan
    expected[7] = np.nan
    np.testing.assert_array_equal(np.asarray(pose), expected)
    one = read_keypoints_json(tmp_path / "clip_3_keypoints.json")
    np.testing.assert_array_equal(np.asarray(one)[0], truth[3])


def test_body25_maps_onto_the_common_layout_like_coco17():
    rng = np.random.default_rng(3)
    body25, coco17 = get_layout("body25"), get_layout("coco17")
    pose25 = rng.normal(size=(25, 2))
    pose17 = np.stack([pose25[body25.index(name)] for name in coco17.joint_names])
    np.testing.assert_allclose(convert_layout(pose25, "body25"), convert_layout(pose17, "coco17"))
    common = convert_layout(pose25, "body25")
    hips = (pose25[body25.index("left_hip")] + pose25[body25.index("right_hip")]) / 2
    np.testing.assert_allclose(common[0], hips)
    assert len(body25.bones) == 24 and sorted(body25.mirror_permutation[body25.mirror_permutation]) == list(range(25))


def test_errors_name_the_file(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"Keypoint file not found: .*absent\.json"):
        read_keypoints_json(tmp_path / "absent.json")
    with pytest.raises(FileNotFoundError, match=r"No JSON keypoint file in .*empty"):
        (tmp_path / "empty").mkdir()
        read_keypoints_json(tmp_path / "empty")
    broken = tmp_path / "broken.json"
    broken.write_text('{"people": [')
    with pytest.raises(ValueError, match=r"broken\.json is not valid JSON"):
        read_keypoints_json(broken)
    short = _dump(tmp_path / "short.json", [{"image_id": 1, "keypoints": [1.0, 2.0, 0.9] * 16}])
    with pytest.raises(ValueError, match=r"short\.json: entry 0 has 48 keypoint values, expected 51"):
        read_keypoints_json(short)
    coco18 = _dump(tmp_path / "coco18.json", {"people": [{"pose_keypoints_2d": [1.0] * 54}]})
    with pytest.raises(ValueError, match=r"coco18\.json: person 0 has 18 keypoints"):
        read_keypoints_json(coco18)
    other = _dump(tmp_path / "other.json", {"frames": []})
    with pytest.raises(ValueError, match=r"other\.json is neither COCO keypoint JSON nor an OpenPose frame"):
        read_keypoints_json(other)
    no_images = _dump(tmp_path / "noimages.json", {"annotations": []})
    with pytest.raises(ValueError, match=r"noimages\.json: a COCO annotations file needs 'images'"):
        read_keypoints_json(no_images)
    with pytest.raises(ValueError, match="person must be 'best' or a non-negative int"):
        read_keypoints_json(short, person=-1)
