"""Skeleton data that carries its layout, frame rate and axes, and the defaults that connect through it.

The first three tests are the failures a new user met (issue "one house"): the loader's defaults through the
README pipeline, speeds of a 120 fps clip, and MediaPipe's output drawn on its own video.
"""

import json
import pickle

import numpy as np
import pytest
from sklearn.model_selection import GroupKFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.svm import SVC
from sklearn.utils import _safe_indexing

from skemotion.datasets import EMOTIONAL_STYLES, load_bandai_namco, make_emotional_gait
from skemotion.io import read_bvh
from skemotion.motion import JointDistances, KinematicFeatures, SkeletonNormalizer
from skemotion.skeleton import (
    SkeletonArray,
    SkeletonMetadata,
    get_layout,
    resolve_layout,
    skeleton_metadata,
    with_metadata,
)

from .conftest import shared_path


@pytest.fixture(scope="module")
def bandai_walks():
    return load_bandai_namco(shared_path("bandai-namco-1"), styles=list(EMOTIONAL_STYLES[:4]), contents="shared")


@pytest.fixture(scope="module")
def cmu_clip():
    return read_bvh(shared_path("cmu-mocap", "131_01.bvh"))


# --- The three failures of the first hour ---


def test_loader_defaults_run_through_the_readme_pipeline(bandai_walks):
    bunch = bandai_walks
    model = make_pipeline(SkeletonNormalizer(), KinematicFeatures(), SVC())
    scores = cross_val_score(model, bunch.data, bunch.target, groups=bunch.groups, cv=GroupKFold(3))
    assert scores.shape == (3,) and np.isfinite(scores).all()
    # The defaults read exactly what the user would otherwise restate.
    explicit = make_pipeline(SkeletonNormalizer(layout=bunch.layout), KinematicFeatures(frame_rate=bunch.frame_rate,
                                                                                         layout=bunch.layout))
    plain = [np.asarray(x) for x in bunch.data]
    np.testing.assert_allclose(make_pipeline(SkeletonNormalizer(), KinematicFeatures()).fit_transform(bunch.data),
                               explicit.fit_transform(plain), equal_nan=True)


def test_speeds_of_a_120_fps_clip_use_its_frame_rate(cmu_clip):
    assert cmu_clip.frame_rate == pytest.approx(120.0, rel=1e-5)
    features = KinematicFeatures(layout=None).fit([cmu_clip.positions])
    speed_mean = features.transform([cmu_clip.positions])[0, 0]
    # Independent reference: numpy's central differences of the root path, in file units per second.
    root = np.asarray(cmu_clip.positions[:, 0])
    reference = np.linalg.norm(np.gradient(root, cmu_clip.frame_time, axis=0)[1:-1], axis=1)
    assert speed_mean == pytest.approx(reference.mean(), rel=1e-9)
    assert features.get_feature_names_out()[0] == "joint0_speed_mean"
    named = KinematicFeatures().fit([cmu_clip.positions]).get_feature_names_out()
    assert named[0] == "Hips_speed_mean"  # the rig's own joint names, read from the data


def test_a_stale_frame_rate_parameter_is_refused(cmu_clip):
    with pytest.raises(ValueError, match="disagrees with the data: sample 0 carries 120"):
        KinematicFeatures(frame_rate=30).fit([cmu_clip.positions])


def test_data_without_a_frame_rate_is_an_error_not_30_fps():
    walk = np.asarray(make_emotional_gait(4, random_state=0).data[0])
    with pytest.raises(ValueError, match=r"needs the frame rate.*KinematicFeatures\(frame_rate=\.\.\.\)"):
        KinematicFeatures().fit([walk])


def test_pose_extractor_output_is_drawn_upright_on_its_video():
    from skemotion.plotting._overlay import _pixel_landmarks
    from skemotion.pose import PoseExtractor

    video = shared_path("video", "tfjs_pose_squats.mp4")
    extractor = PoseExtractor(model_asset_path=shared_path("models", "pose_landmarker_full.task"), max_frames=8)
    poses, _ = extractor.extract([video])  # defaults: normalized, y_up=True
    assert poses.y_up is True and poses.units == "normalized" and poses.layout.name == "mediapipe33"
    assert poses.frame_rate.tolist() == [5.0]
    xy = _pixel_landmarks(poses[0], (8, 1280, 720), poses.layout, None, None)
    reference = np.array(json.loads(shared_path("video", "tfjs_pose_squats.full.json").read_text()), dtype=float)
    error = np.linalg.norm(xy - reference[:8, :, :2], axis=-1)
    assert np.nanmean(error) < 8.0  # pixels, as the extractor's own accuracy test
    # A y-up array that says nothing about itself is refused, not drawn upside down.
    with pytest.raises(ValueError, match="would be drawn upside down"):
        _pixel_landmarks(np.asarray(poses[0]), (8, 1280, 720), poses.layout, True, None)


def test_overlay_pose_default_parameters_on_the_extractor_output(tmp_path):
    from skemotion.plotting import overlay_pose
    from skemotion.pose import PoseExtractor

    video = shared_path("video", "tfjs_pose_squats.mp4")
    poses, _ = PoseExtractor(model_asset_path=shared_path("models", "pose_landmarker_full.task"),
                             max_frames=2).extract([video])
    frames = np.zeros((2, 1280, 720, 3), np.uint8)
    sheet = np.asarray(overlay_pose(frames, poses, tile_width=None).get_array(), dtype=int)
    coloured = np.ptp(sheet, axis=2) > 50  # bones and joints are coloured; the frame labels are grey
    drawn_rows = np.flatnonzero(coloured.any(axis=1))
    # The person stands in the lower part of the frame, head near row 400 in the reference keypoints.
    reference = np.array(json.loads(shared_path("video", "tfjs_pose_squats.full.json").read_text()), dtype=float)
    assert drawn_rows.min() == pytest.approx(np.nanmin(reference[:2, :, 1]), abs=40)


# --- scikit-learn idioms through whole pipelines ---


def test_readme_pipeline_feature_names_and_pandas_output(bandai_walks):
    pytest.importorskip("pandas")
    gait = make_emotional_gait(20, random_state=0)
    pipe = make_pipeline(SkeletonNormalizer(), KinematicFeatures())
    pipe.set_output(transform="pandas")
    frame = pipe.fit_transform(gait.data)
    assert list(frame.columns) == list(pipe.get_feature_names_out())
    assert "head_speed_mean" in frame.columns and frame.shape == (20, 16 * 13)
    names = make_pipeline(SkeletonNormalizer(to_common=True), JointDistances()).fit(bandai_walks.data)
    assert "d_head_left_hand_mean" in names.get_feature_names_out()


# --- One layout resolution ---


@pytest.mark.parametrize("n_joints, name", [(16, "body16"), (17, "coco17"), (33, "mediapipe33")])
def test_auto_layout_from_an_unambiguous_joint_count(n_joints, name):
    assert resolve_layout("auto", SkeletonMetadata(), n_joints).name == name


def test_auto_layout_of_an_unknown_joint_count_lists_the_choices():
    with pytest.raises(ValueError, match=r"cannot tell the layout of 22 joints.*16: 'body16'.*layout_from_rig"):
        SkeletonNormalizer().fit([np.zeros((5, 22, 3))])


def test_a_layout_that_does_not_fit_the_data_says_what_to_pass(bandai_walks):
    with pytest.raises(ValueError, match=r"'body16' has 16 joints but the data has 22.*to_common=True"):
        SkeletonNormalizer(layout="body16").fit(bandai_walks.data)
    with pytest.raises(ValueError, match="carries layout 'body16'"):
        KinematicFeatures(layout="mpii16").fit(make_emotional_gait(4, random_state=0).data)


def test_every_documented_message_names_an_existing_class(bandai_walks):
    import skemotion.skeleton

    with pytest.raises(ValueError) as info:
        SkeletonNormalizer(layout="body16").fit(bandai_walks.data)
    assert "LayoutConverter" not in str(info.value)
    assert hasattr(skemotion.skeleton, "convert_layout")


# --- Frame rates through resampling ---


def test_time_normalisation_gives_each_sequence_its_rate():
    gait = make_emotional_gait(4, random_state=0)
    out = SkeletonNormalizer(n_frames=201, centering="trajectory").fit_transform(gait.data)  # upsampled
    lengths = np.array([len(x) for x in gait.data])
    np.testing.assert_allclose(out.frame_rate, 30.0 * 200 / (lengths - 1))
    # Speeds stay in the data's units per second: time normalisation changes the frames, not the speeds.
    speed_means = slice(0, None, 13)
    before = KinematicFeatures().fit_transform(SkeletonNormalizer(centering="trajectory").fit_transform(gait.data))
    after = KinematicFeatures().fit_transform(out)
    assert before[:, speed_means].min() > 0.1
    np.testing.assert_allclose(after[:, speed_means], before[:, speed_means], rtol=0.1)


def test_resampling_to_a_target_rate(cmu_clip):
    out = SkeletonNormalizer(frame_rate=30.0, scale=False, centering=None).fit_transform([cmu_clip.positions])
    assert out.frame_rate.tolist() == [30.0]
    n = (cmu_clip.n_frames - 1) // 4 + 1
    # atol: the header's rate is 120.0005, so every fourth frame is not exactly on the 30 fps grid.
    np.testing.assert_allclose(out[0, :n], np.asarray(cmu_clip.positions)[::4], atol=0.01)


def test_mixed_rates_are_kept_per_sample_never_averaged(cmu_clip):
    clip = cmu_clip.positions[:240]
    slow = clip[::4]  # the same motion at 30 fps
    features = KinematicFeatures(layout=None).fit_transform([clip, slow])
    np.testing.assert_allclose(features[0, 0], features[1, 0], rtol=0.05)


# --- The array itself ---


def test_metadata_survives_sample_selection_pickling_and_cross_validation_workers():
    X = with_metadata(np.random.default_rng(0).normal(size=(4, 6, 16, 3)), layout="body16",
                      frame_rate=[25, 30, 50, 60])
    picked = _safe_indexing(X, np.array([3, 1]))
    assert isinstance(picked, SkeletonArray) and picked.frame_rate.tolist() == [60.0, 30.0]
    assert pickle.loads(pickle.dumps(X)).frame_rate.tolist() == [25.0, 30.0, 50.0, 60.0]
    assert [x.frame_rate for x in X] == [25.0, 30.0, 50.0, 60.0]
    assert type(X - 1) is np.ndarray and type(np.nanmean(X, axis=0)) is np.ndarray


def test_sequences_of_one_data_set_must_agree_on_layout():
    a = with_metadata(np.zeros((3, 16, 3)), layout="body16")
    b = with_metadata(np.zeros((3, 16, 3)), layout="ewalk16")
    with pytest.raises(ValueError, match="Sequences 0 and 1 of one data set differ in layout"):
        skeleton_metadata([a, b])


def test_body16_data_from_the_loader(bandai_walks):
    body = load_bandai_namco(shared_path("bandai-namco-1"), styles="happy", contents="walk", layout="body16")
    assert body.data[0].layout is get_layout("body16") and body.data[0].units == "cm"
    assert bandai_walks.data[0].layout == bandai_walks.layout


def test_samplers_pass_the_metadata_on_to_the_next_step():
    from skemotion.samplers import NeuralGasSampler, ViewAugmenter

    gait = make_emotional_gait(12, random_state=0)
    views, _ = ViewAugmenter(angles=[90.0]).fit_resample(gait.data, gait.target)
    assert all(v.frame_rate == 30.0 and v.layout.name == "body16" for v in views)
    normalized = SkeletonNormalizer(n_frames=20).fit_transform(gait.data)
    minority_class = gait.target[0]
    keep = np.r_[np.flatnonzero(gait.target != minority_class), np.flatnonzero(gait.target == minority_class)[:2]]
    X_res, y_res = NeuralGasSampler(random_state=0).fit_resample(normalized[keep], gait.target[keep])
    assert X_res.layout.name == "body16" and X_res.units == "body"
    new_rates = X_res.frame_rate[len(keep):]
    minority = normalized.frame_rate[keep][gait.target[keep] == minority_class]
    np.testing.assert_allclose(new_rates, np.median(minority))  # the class's median rate
    assert KinematicFeatures().fit_transform(X_res).shape[0] == len(y_res)


def test_a_ragged_set_as_an_object_array_is_read_like_a_list():
    gait = make_emotional_gait(4, random_state=0)
    as_object = np.empty(len(gait.data), dtype=object)
    as_object[:] = gait.data
    np.testing.assert_array_equal(KinematicFeatures().fit_transform(as_object),  # rates read from the elements
                                  KinematicFeatures().fit_transform(gait.data))
    as_object[1] = np.zeros((5, 17, 3))
    with pytest.raises(ValueError, match="Sequence 1 has 17 joints x 3 dims, but sequence 0 has 16 x 3"):
        JointDistances().fit(as_object)
