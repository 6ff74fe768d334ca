"""PoseExtractor against the reference keypoints shipped with the real video and photo, and on bad input."""

import json
import warnings

import cv2
import numpy as np
import pytest
from sklearn.base import clone
from sklearn.ensemble import RandomForestClassifier
from sklearn.pipeline import make_pipeline
from sklearn.utils import estimator_checks

from skemotion.motion import JointDistances, SkeletonNormalizer
from skemotion.pose import PoseExtractor, PoseNotFoundWarning, download_model, resolve_model_path
from skemotion.pose._mediapipe import PoseModelError, _choose_person
from skemotion.skeleton import get_layout

from .conftest import shared_path

MP33 = get_layout("mediapipe33")
SQUAT_SIZE = (720, 1280)  # width, height of tfjs_pose_squats.mp4


@pytest.fixture(scope="module")
def model():
    return str(shared_path("models", "pose_landmarker_full.task"))


@pytest.fixture(scope="module")
def squat_video():
    return str(shared_path("video", "tfjs_pose_squats.mp4"))


@pytest.fixture(scope="module")
def squat_frames(squat_video):
    """The video decoded independently of skemotion: OpenCV BGR frames turned into RGB."""
    capture, frames = cv2.VideoCapture(squat_video), []
    while (frame := capture.read())[0]:
        frames.append(cv2.cvtColor(frame[1], cv2.COLOR_BGR2RGB))
    capture.release()
    return np.stack(frames)


@pytest.fixture(scope="module")
def squat(model, squat_video):
    """MediaPipe's own image coordinates (y down) of every frame, extracted once for the module."""
    return PoseExtractor(model_asset_path=model, y_up=False, min_visibility=0.0).extract([squat_video])


def test_every_squat_frame_matches_the_reference_keypoints(squat):
    poses, lengths = squat
    reference = np.array(json.loads(shared_path("video", "tfjs_pose_squats.full.json").read_text()))
    assert poses.shape == (1, 65, 33, 3) and lengths.tolist() == [65]
    assert not np.isnan(poses).any()  # every frame gets a pose
    pixels = poses[0, :, :, :2] * SQUAT_SIZE
    error = np.linalg.norm(pixels - reference[:, :, :2], axis=-1)
    print(f"squat video: mean 2-D error {error.mean():.2f} px over 65 frames x 33 landmarks")
    assert error.mean() <= 8.0


def test_coco_photo_against_its_ground_truth_keypoints(model):
    annotation = json.loads(shared_path("video", "coco_val2017_000000000785_keypoints.json").read_text())
    names = annotation["categories"][0]["keypoints"]
    truth = np.array(annotation["annotations"][0]["keypoints"], dtype=float).reshape(17, 3)
    x, y, width, height = annotation["annotations"][0]["bbox"]
    extractor = PoseExtractor(model_asset_path=model, coordinates="pixels", y_up=False, min_visibility=0.0)
    poses, lengths = extractor.extract([shared_path("video", "coco_val2017_000000000785.jpg")])
    assert poses.shape == (1, 1, 33, 3) and lengths.tolist() == [1]
    coco = poses[0, 0, [MP33.index(name) for name in names], :2]  # MediaPipe-33 -> COCO-17 by names
    error = np.linalg.norm(coco - truth[:, :2], axis=-1)
    print(f"COCO photo 785: mean 2-D error {error.mean():.2f} px over 17 keypoints, max {error.max():.1f} px "
          f"(box {width:.0f} x {height:.0f} px)")
    assert error.mean() <= 0.05 * np.hypot(width, height)
    # every keypoint within 10 % of the box diagonal (PCK@0.1)
    assert (error <= 0.1 * np.hypot(width, height)).all()


def test_video_file_equals_its_frames_as_an_array(model, squat, squat_frames):
    """Reading the file (BGR -> RGB inside) gives what MediaPipe gives on the independently decoded frames."""
    extractor = PoseExtractor(model_asset_path=model, y_up=False, min_visibility=0.0, frame_rate=5.0, max_frames=8)
    poses, lengths = extractor.extract([squat_frames])
    np.testing.assert_allclose(poses[0], squat[0][0, :8], atol=1e-6)
    assert lengths.tolist() == [8]


def test_y_up_is_a_half_turn_about_x(model, squat_frames):
    frames = [squat_frames[:3]]
    params = dict(model_asset_path=model, min_visibility=0.0)
    for coordinates, offset in (("normalized", np.array([0, 1, 0])), ("pixels", np.array([0, 1280, 0])),
                                ("world", np.zeros(3))):
        down = PoseExtractor(coordinates=coordinates, y_up=False, **params).transform(frames)
        up = PoseExtractor(coordinates=coordinates, y_up=True, **params).transform(frames)
        np.testing.assert_allclose(up, offset + down * np.array([1, -1, -1]), atol=1e-6)


def test_world_coordinates_keep_left_and_right(model, squat_frames):
    """forward = (left - right) x up in a right-handed frame: it must point from heels to toes.

    Flipping y alone would mirror the body and turn this sign around.
    """
    poses = PoseExtractor(model_asset_path=model, coordinates="world", min_visibility=0.0).transform(
        [squat_frames[::8]])[0]
    joint = {name: poses[:, MP33.index(name)] for name in MP33.joint_names}
    hips = (joint["left_hip"] + joint["right_hip"]) / 2
    up = (joint["left_shoulder"] + joint["right_shoulder"]) / 2 - hips
    forward = np.cross(joint["left_hip"] - joint["right_hip"], up)
    toes = joint["left_foot_index"] + joint["right_foot_index"] - joint["left_heel"] - joint["right_heel"]
    assert (np.einsum("td,td->t", forward, toes) > 0).all()
    assert (up[:, 1] > 0).all()  # y up: shoulders above hips


def test_frame_step_and_max_frames(model, squat_video):
    extractor = PoseExtractor(model_asset_path=model, y_up=False, min_visibility=0.0, frame_step=4, max_frames=5)
    poses, lengths = extractor.extract([squat_video])
    assert lengths.tolist() == [5]
    # frames 0, 4, ..., 16, tracked with larger steps, still match their reference keypoints
    reference = np.array(json.loads(shared_path("video", "tfjs_pose_squats.full.json").read_text()))[:20:4]
    error = np.linalg.norm(poses[0, :, :, :2] * SQUAT_SIZE - reference[:, :, :2], axis=-1)
    assert error.mean() < 12.0


def test_visibility_threshold_masks_landmarks(model, squat_frames):
    loose = PoseExtractor(model_asset_path=model, min_visibility=0.0).transform([squat_frames[:2]])
    strict = PoseExtractor(model_asset_path=model, min_visibility=0.999).transform([squat_frames[:2]])
    masked = np.isnan(strict).all(axis=-1)
    assert masked.any() and not masked.all()
    np.testing.assert_array_equal(strict[~masked], loose[~masked])


def test_person_choice():
    small = np.zeros((33, 4))
    small[:, :2] = np.linspace(0.4, 0.5, 33)[:, None]
    small[:, 3] = 0.99
    large = small.copy()
    large[:, :2] = np.linspace(0.0, 0.9, 33)[:, None]
    large[:, 3] = 0.5
    poses = [small, large]
    assert _choose_person(poses, "largest", 640, 480) == 1
    assert _choose_person(poses, "most_visible", 640, 480) == 0
    assert _choose_person(poses, 0, 640, 480) == 0
    assert _choose_person(poses, 2, 640, 480) is None


@pytest.mark.filterwarnings("ignore::skemotion.pose.PoseNotFoundWarning")  # fewer people than the index asked
def test_several_people_keep_the_largest(model):
    street = shared_path("video", "mmpose_demo_street_walking.mp4")
    params = dict(model_asset_path=model, coordinates="pixels", min_visibility=0.0, num_poses=4, max_frames=3)
    largest = PoseExtractor(person="largest", **params).transform([street])[0]
    by_index = np.stack([PoseExtractor(person=k, **params).transform([street])[0] for k in range(4)])

    def area(poses):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN frames of absent people
            return np.prod(np.nanmax(poses[..., :2], axis=-2) - np.nanmin(poses[..., :2], axis=-2), axis=-1)

    found = ~np.isnan(largest).all(axis=(1, 2))
    assert found.any()
    np.testing.assert_allclose(area(largest)[found], np.nanmax(area(by_index), axis=0)[found])


def test_pipeline_from_files_to_emotions(model, squat_video, squat_frames):
    """One Pipeline: frame arrays or video files -> MediaPipe-33 -> common layout -> features -> emotion."""
    clips = [squat_frames[start:start + 8] for start in range(0, 64, 16)]
    y = np.array(["happy", "sad", "happy", "sad"])
    extractor = PoseExtractor(model_asset_path=model, coordinates="world", frame_step=2, max_frames=6)
    normalizer = SkeletonNormalizer(layout="mediapipe33", to_common=True, align_yaw=True, n_frames=8)
    distances = JointDistances(anchors=["head", "left_hand", "right_hand"], layout="body16")
    model_pipeline = make_pipeline(extractor, normalizer, distances, RandomForestClassifier(20, random_state=0))
    model_pipeline.fit(clips, y)
    proba = model_pipeline.predict_proba([squat_video])
    assert proba.shape == (1, 2) and np.isclose(proba.sum(), 1)
    features = distances.transform(normalizer.transform(clone(extractor).transform([squat_video])))
    np.testing.assert_array_equal(proba, model_pipeline[-1].predict_proba(features))


# --- bad input ---

def test_missing_file_is_named(model, tmp_path):
    missing = tmp_path / "nobody.mp4"
    with pytest.raises(FileNotFoundError, match="nobody.mp4"):
        PoseExtractor(model_asset_path=model).transform([missing])


@pytest.mark.parametrize("content", [b"", b"this is a text file, not a video\n" * 20])
def test_file_that_is_not_a_video_is_named(model, tmp_path, content):
    fake = tmp_path / "fake.mp4"
    fake.write_bytes(content)
    with pytest.raises(ValueError, match="fake.mp4"):
        PoseExtractor(model_asset_path=model).transform([fake])


def test_zero_frame_video_is_named(model, tmp_path):
    path = tmp_path / "empty.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 10.0, (64, 48))
    writer.release()
    with pytest.raises(ValueError, match="empty.avi"):
        PoseExtractor(model_asset_path=model).transform([path])


def test_on_error_warn_keeps_the_other_inputs(model, tmp_path, squat_frames):
    missing = tmp_path / "gone.mp4"
    with pytest.warns(RuntimeWarning, match="gone.mp4"):
        poses, lengths = PoseExtractor(model_asset_path=model, on_error="warn").extract(
            [missing, squat_frames[:2]])
    assert lengths.tolist() == [0, 2]
    assert np.isnan(poses[0]).all() and not np.isnan(poses[1]).all()


def test_blank_image_gives_nan_and_a_warning(model, tmp_path):
    blank = tmp_path / "blank.png"
    cv2.imwrite(str(blank), np.full((240, 320, 3), 127, np.uint8))
    with pytest.warns(PoseNotFoundWarning, match="blank.png"):
        poses, lengths = PoseExtractor(model_asset_path=model).extract([blank])
    assert lengths.tolist() == [1] and np.isnan(poses).all()


def test_video_without_a_person_warns(model):
    frames = np.zeros((3, 120, 160, 3), np.uint8)
    with pytest.warns(PoseNotFoundWarning, match="frame array 0"):
        poses = PoseExtractor(model_asset_path=model).transform([frames])
    assert poses.shape == (1, 3, 33, 3) and np.isnan(poses).all()


@pytest.mark.parametrize("bad, match", [
    (np.zeros((10, 10, 3), np.uint8), r"shape \(10, 10, 3\)"),           # one image without a frame axis
    (np.zeros((2, 10, 10, 4), np.uint8), r"shape \(2, 10, 10, 4\)"),     # RGBA
    (np.zeros((2, 10, 10, 3)), "float64"),                               # not uint8
])
def test_wrong_array_shape(model, bad, match):
    with pytest.raises(ValueError, match=match):
        PoseExtractor(model_asset_path=model).transform([bad])


def test_x_must_be_a_list(model, squat_video):
    with pytest.raises(TypeError, match="single path"):
        PoseExtractor(model_asset_path=model).transform(squat_video)
    with pytest.raises(ValueError, match="empty"):
        PoseExtractor(model_asset_path=model).transform([])


# --- the model ---

def test_missing_model_says_how_to_provide_one(tmp_path, monkeypatch):
    monkeypatch.delenv("SKEMOTION_POSE_MODEL", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    with pytest.raises(FileNotFoundError, match="model_asset_path") as error:
        PoseExtractor().transform([np.zeros((1, 8, 8, 3), np.uint8)])
    message = str(error.value)
    assert "model_asset_path" in message and "SKEMOTION_POSE_MODEL" in message and "download_model" in message
    assert str(tmp_path / "skemotion" / "pose_landmarker_full.task") in message


def test_model_from_environment_then_cache(tmp_path, monkeypatch, model):
    monkeypatch.setenv("SKEMOTION_POSE_MODEL", model)
    assert str(resolve_model_path()) == model
    monkeypatch.delenv("SKEMOTION_POSE_MODEL")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    cached = tmp_path / "skemotion" / "pose_landmarker_lite.task"
    cached.parent.mkdir()
    cached.write_bytes(b"model")
    assert resolve_model_path(variant="lite") == cached


def test_download_model_writes_the_file_atomically(tmp_path):
    """Exercised on a local file:// address, never the network."""
    source = tmp_path / "bundle.task"
    source.write_bytes(bytes(range(256)) * 1000)
    path = download_model("heavy", url=source.as_uri(), cache_dir=tmp_path / "cache", progress=False)
    assert path == tmp_path / "cache" / "pose_landmarker_heavy.task"
    assert path.read_bytes() == source.read_bytes()
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no partial file left


def test_unloadable_model_raises_even_when_warning(tmp_path):
    broken = tmp_path / "broken.task"
    broken.write_text("not a model")
    with pytest.raises(PoseModelError, match="broken.task"):
        PoseExtractor(model_asset_path=broken, on_error="warn").transform([np.zeros((1, 8, 8, 3), np.uint8)])


# --- scikit-learn's API checks that apply to an estimator fed with file paths ---

API_CHECKS = [
    "check_estimator_cloneable", "check_estimator_repr", "check_no_attributes_set_in_init",
    "check_parameters_default_constructible", "check_get_params_invariance", "check_set_params",
    "check_do_not_raise_errors_in_init_or_set_params", "check_estimators_overwrite_params",
    "check_dont_overwrite_parameters", "check_estimators_fit_returns_self",
    "check_mixin_order", "check_valid_tag_types", "check_estimator_tags_renamed", "check_param_validation",
]


@pytest.mark.parametrize("check", API_CHECKS)
def test_sklearn_api_checks(check):
    """sklearn skips every check for an input that is not a 2-D array (two_d_array=False); run these ones.

    They exercise construction, parameters, cloning, tags and the stateless fit; the 2-D numeric data of
    the other checks is no video, so transforming it has no meaning.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        getattr(estimator_checks, check)("PoseExtractor", PoseExtractor())
