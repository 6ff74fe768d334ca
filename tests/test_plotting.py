"""skemotion.plotting on the real shared data: drawn bones, sides, written GIF / PNG / video files, maps."""

import json
from types import SimpleNamespace

import cv2
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.animation import FuncAnimation
from matplotlib.collections import LineCollection
from matplotlib.colors import to_rgba
from matplotlib.path import Path as MplPath
from mpl_toolkits.mplot3d import proj3d
from mpl_toolkits.mplot3d.art3d import Line3DCollection
from PIL import Image
from sklearn.cluster import KMeans, MiniBatchKMeans
from sklearn.decomposition import PCA

from skemotion.cluster import NeuralGas
from skemotion.datasets import load_bandai_namco
from skemotion.motion import KinematicFeatures
from skemotion.plotting import (
    animate_neural_gas,
    animate_skeleton,
    overlay_pose,
    plot_embedding,
    plot_skeleton,
    plot_trajectories,
)
from skemotion.skeleton import get_layout
from skemotion.utils.validation import to_skeleton_array

LEFT, RIGHT, CENTER = (to_rgba(c) for c in ("tab:blue", "tab:red", "tab:green"))


@pytest.fixture(autouse=True)
def _close_figures():
    yield
    plt.close("all")


@pytest.fixture(scope="module")
def walks(bandai_path):
    return load_bandai_namco(bandai_path, styles=["happy", "sad", "angry"], contents="walk", layout="body16")


@pytest.fixture(scope="module")
def video_dir(shared_data):
    """The shared videos folder, with the squats video and its reference keypoints."""
    path = shared_data / "video"
    missing = [f for f in ("tfjs_pose_squats.mp4", "tfjs_pose_squats.full.json") if not (path / f).exists()]
    if missing:
        pytest.fail(f"Real test data {missing} not found in {path} (see ../shared/data/README.md).")
    return path


@pytest.fixture(scope="module")
def squats(video_dir):
    """The first frames of the squats video (read here with OpenCV, RGB) and the reference pixel keypoints."""
    capture = cv2.VideoCapture(str(video_dir / "tfjs_pose_squats.mp4"))
    frames = []
    for _ in range(4):
        ok, frame = capture.read()
        assert ok
        frames.append(cv2.cvtColor(frame, cv2.COLOR_BGR2RGB))
    capture.release()
    keypoints = np.array(json.loads((video_dir / "tfjs_pose_squats.full.json").read_text()))
    return np.stack(frames), keypoints


def _observed_bones(frame, layout):
    """(parent, child) pairs of the layout's parent table whose two joints are observed."""
    observed = ~np.isnan(frame).any(axis=1)
    return [(p, c) for c, p in enumerate(layout.parents) if p >= 0 and observed[p] and observed[c]]


def _name_side(name):
    return "left" if name.startswith("left_") else "right" if name.startswith("right_") else "center"


# --- plot_skeleton ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("projection", ["3d", "2d"])
def test_plot_skeleton_draws_one_segment_per_observed_bone(walks, projection):
    layout = get_layout("body16")
    frame = walks.data[0][30].copy()
    frame[[layout.index("left_hand"), layout.index("neck")]] = np.nan  # a limb end and a joint of 4 bones
    bones = plot_skeleton(frame, layout="body16", projection=projection)
    bones.figure.canvas.draw()  # 3-D segments are projected at draw time
    expected = _observed_bones(frame, layout)
    assert len(expected) == 15 - 1 - 4
    assert len(bones.get_segments()) == len(expected)
    assert isinstance(bones, Line3DCollection if projection == "3d" else LineCollection)
    if projection == "2d":  # the segments are the (x, y) of each observed bone's ends
        drawn = {tuple(np.round(s.ravel(), 9)) for s in bones.get_segments()}
        assert drawn == {tuple(np.round(frame[[p, c], :2].ravel(), 9)) for p, c in expected}
    markers = [line for line in bones.axes.lines if line.get_marker() == "o"]
    n_points = sum(np.isfinite(np.asarray(line.get_data()[0], dtype=float)).sum() for line in markers)
    assert n_points == 16 - 2


def test_plot_skeleton_colours_left_right_and_centre(walks):
    layout = get_layout("body16")
    bones = plot_skeleton(walks.data[1][10], layout=layout, projection="2d")
    for (p, c), color in zip(layout.bones, bones.get_colors()):  # all observed: one colour per bone, in order
        child, parent = _name_side(layout.joint_names[c]), _name_side(layout.joint_names[p])
        side = child if child != "center" else parent
        assert tuple(color) == {"left": LEFT, "right": RIGHT, "center": CENTER}[side]
    custom = plot_skeleton(walks.data[1][10], projection="2d", colors={"left": "black"})
    assert to_rgba("black") in {tuple(c) for c in custom.get_colors()}

    # MediaPipe's hip-to-hip bone joins the two sides: it is a centre bone.
    mp = get_layout("mediapipe33")
    pose = np.random.default_rng(0).uniform(size=(33, 2))
    colors = plot_skeleton(pose, layout=mp).get_colors()
    hip_bone = [k for k, (p, c) in enumerate(mp.bones) if {p, c} == {mp.index("left_hip"), mp.index("right_hip")}]
    assert tuple(colors[hip_bone[0]]) == CENTER
    with pytest.raises(ValueError, match="Unknown body side"):
        plot_skeleton(pose, layout=mp, colors={"middle": "k"})


def test_plot_skeleton_3d_has_y_up(walks):
    layout = get_layout("body16")
    frame = walks.data[0][0]
    for azim in (0, 90, 200):
        bones = plot_skeleton(frame, elev=10, azim=azim)
        ax = bones.axes
        head, foot = frame[layout.index("head")], frame[layout.index("left_foot")]
        (_, head_y, _), (_, foot_y, _) = (proj3d.proj_transform(*p, ax.get_proj()) for p in (head, foot))
        assert head_y > foot_y  # the head is drawn above the foot from every side
    # From the front (azim=0) the body's left hand (at +x when facing +z) is on the right of the image.
    ax = plot_skeleton(frame, elev=0, azim=0).axes
    pelvis_x = proj3d.proj_transform(*frame[0], ax.get_proj())[0]
    x_left = proj3d.proj_transform(*(frame[0] + [50, 0, 0]), ax.get_proj())[0]
    assert x_left > pelvis_x


def test_plot_skeleton_errors_name_the_problem(walks):
    frame = walks.data[0][0]
    with pytest.raises(ValueError, match="no observed joint"):
        plot_skeleton(np.full((16, 3), np.nan))
    with pytest.raises(ValueError, match="layout 'mediapipe33' has 33 joints but the data has 16"):
        plot_skeleton(frame, layout="mediapipe33")
    with pytest.raises(ValueError, match="needs 3 coordinates"):
        plot_skeleton(frame[:, :2], projection="3d")
    _, ax = plt.subplots()
    with pytest.raises(ValueError, match="does not match the given axes"):
        plot_skeleton(frame, ax=ax, projection="3d")
    with pytest.raises(ValueError, match="pose must be"):
        plot_skeleton(np.zeros((16, 4)))


# --- animate_skeleton ------------------------------------------------------------------------------------------


def test_animate_skeleton_writes_a_gif_side_by_side(walks, tmp_path):
    sequences = [walks.data[0][:5], walks.data[2][:4], walks.data[4][:3]]
    titles = list(walks.target[[0, 2, 4]])
    anim = animate_skeleton(sequences, fps=10, titles=titles, figsize=(3, 1.5))
    assert isinstance(anim, FuncAnimation)
    axes = anim._fig.axes
    assert [ax.get_title() for ax in axes] == titles
    limits = [(ax.get_xlim3d(), ax.get_ylim3d(), ax.get_zlim3d()) for ax in axes]

    gif = tmp_path / "walks.gif"
    anim.save(gif, writer="pillow", dpi=40)
    with Image.open(gif) as image:
        assert image.n_frames == 5  # the longest sequence
        assert image.size == (120, 60)
        assert image.info["duration"] == 100  # ms per frame at 10 fps
    # Limits stay fixed while playing, cover each whole sequence, and have one scale across the axes.
    assert [(ax.get_xlim3d(), ax.get_ylim3d(), ax.get_zlim3d()) for ax in axes] == limits
    for ax, seq in zip(axes, sequences):
        for (low, high), values in zip((ax.get_xlim3d(), ax.get_ylim3d(), ax.get_zlim3d()), seq.T):
            assert low <= values.min() and values.max() <= high
    spans = np.diff(limits, axis=-1)[..., 0]
    np.testing.assert_allclose(spans, np.broadcast_to(spans[0], spans.shape))
    # After the last frame, the 3-frame sequence holds its last pose.
    joints = [line for line in axes[2].lines if line.get_marker() == "o"]
    shown = np.concatenate([np.column_stack(line.get_data_3d()) for line in joints])
    assert {tuple(p) for p in np.round(shown, 9)} == {tuple(p) for p in np.round(sequences[2][-1], 9)}


def test_animate_skeleton_nan_padded_and_2d(walks, tmp_path):
    X = to_skeleton_array([walks.data[0][:4, :, :2], walks.data[1][:2, :, :2]])  # NaN-padded, 2-D poses
    X[0, 3, 6] = np.nan  # a missing hand in the last frame: a gap, not an error
    anim = animate_skeleton(X, fps=5, figsize=(2, 1))
    gif = tmp_path / "front.gif"
    anim.save(gif, writer="pillow", dpi=30)
    with Image.open(gif) as image:
        assert (image.n_frames, image.size) == (4, (60, 30))
    first, second = (ax.collections[0] for ax in anim._fig.axes)
    assert isinstance(first, LineCollection) and len(first.get_segments()) == 14
    expected = [X[1, 1, [p, c]] for p, c in get_layout("body16").bones]  # the padded walk holds its last pose
    np.testing.assert_array_equal(second.get_segments(), expected)


def test_animate_skeleton_errors_name_the_problem(walks):
    with pytest.raises(ValueError, match="zero frames"):
        animate_skeleton(np.empty((0, 16, 3)))
    with pytest.raises(ValueError, match="No skeleton sequence"):
        animate_skeleton([])
    with pytest.raises(ValueError, match="no observed joint"):
        animate_skeleton([walks.data[0][:3], np.full((3, 16, 3), np.nan)])
    with pytest.raises(ValueError, match="2 titles for 1 sequences"):
        animate_skeleton(walks.data[0][:3], titles=["a", "b"])
    with pytest.raises(ValueError, match="fps must be a positive number"):
        animate_skeleton(walks.data[0][:3], fps=0)
    with pytest.raises(ValueError, match="one axes per sequence"):
        animate_skeleton([walks.data[0][:3]] * 2, ax=plt.figure().add_subplot(projection="3d"))
    with pytest.raises(ValueError, match="single pose with plot_skeleton"):
        animate_skeleton(walks.data[0][0])


# --- overlay_pose ----------------------------------------------------------------------------------------------


def test_overlay_contact_sheet_png_from_the_video(squats, video_dir, tmp_path):
    _, keypoints = squats
    png = tmp_path / "sheet.png"
    written = overlay_pose(video_dir / "tfjs_pose_squats.mp4", keypoints, png, normalized=False, every=16,
                           tile_width=90)
    assert written == png
    with Image.open(png) as image:
        # frames 0, 16, 32, 48, 64 in 3 columns x 2 rows of 90 x 160 tiles (the video is 720 x 1280)
        assert image.size == (3 * 90, 2 * 160)
    assert not plt.get_fignums()  # writing a file opens no figure


def test_overlay_draws_landmarks_in_side_colours(squats):
    frames, keypoints = squats
    layout = get_layout("mediapipe33")
    _, ax = plt.subplots()
    sheet = overlay_pose(frames[:1], keypoints[:1], normalized=False, tile_width=None, ax=ax).get_array()
    assert sheet.shape == frames[0].shape
    for joint, color in (("left_knee", LEFT), ("right_knee", RIGHT), ("left_ankle", LEFT)):
        x, y = np.round(keypoints[0, layout.index(joint), :2]).astype(int)
        np.testing.assert_array_equal(sheet[y, x], np.round(np.array(color[:3]) * 255))
    np.testing.assert_array_equal(sheet[-5:, -5:], frames[0][-5:, -5:])  # far from the body: untouched

    # Normalised landmarks (MediaPipe's convention) draw the same image; a missing knee is not drawn.
    height, width = frames.shape[1:3]
    normalized = keypoints[:1] / [width, height, 1]
    again = overlay_pose(frames[:1], normalized[None], tile_width=None).get_array()  # (1, n_frames, 33, 3)
    np.testing.assert_array_equal(again, sheet)
    missing = keypoints[:1].copy()
    missing[0, layout.index("left_knee")] = np.nan
    gapped = overlay_pose(frames[:1], missing, normalized=False, tile_width=None).get_array()
    x, y = np.round(keypoints[0, layout.index("left_knee"), :2]).astype(int)
    np.testing.assert_array_equal(gapped[y - 2:y + 3, x - 2:x + 3], frames[0][y - 2:y + 3, x - 2:x + 3])


def test_overlay_writes_a_video(squats, tmp_path):
    frames, keypoints = squats
    out = overlay_pose(frames[:3], keypoints[:3], tmp_path / "overlay.mp4", normalized=False, fps=5)
    capture = cv2.VideoCapture(str(out))
    assert capture.get(cv2.CAP_PROP_FRAME_COUNT) == 3
    assert (capture.get(cv2.CAP_PROP_FRAME_WIDTH), capture.get(cv2.CAP_PROP_FRAME_HEIGHT)) == (720, 1280)
    assert capture.get(cv2.CAP_PROP_FPS) == 5
    capture.release()


def test_overlay_errors_name_the_problem(squats, tmp_path):
    frames, keypoints = squats
    with pytest.raises(ValueError, match="landmarks for 65 frames but the video has 4"):
        overlay_pose(frames, keypoints, normalized=False)
    with pytest.raises(ValueError, match="pass normalized=False"):
        overlay_pose(frames, keypoints[:4], normalized=True)
    with pytest.raises(ValueError, match="Unknown output type '.gif'"):
        overlay_pose(frames, keypoints[:4], tmp_path / "x.gif", normalized=False)
    with pytest.raises(ValueError, match="RGB uint8"):
        overlay_pose(frames.astype(float), keypoints[:4], normalized=False)
    with pytest.raises(FileNotFoundError, match="Cannot open the video"):
        overlay_pose(tmp_path / "missing.mp4", keypoints)
    with pytest.raises(ValueError, match="layout 'body16' has 16 joints"):
        overlay_pose(frames, keypoints[:4], layout="body16", normalized=False)
    with pytest.raises(ValueError, match="n_cols must be a positive integer or None"):
        overlay_pose(frames, keypoints[:4], normalized=False, n_cols=0)


# --- plot_trajectories, plot_embedding -------------------------------------------------------------------------


def test_plot_trajectories_one_path_per_walk_coloured_by_emotion(walks):
    ax = plot_trajectories(walks.data, walks.target, joint="root")
    paths = [line for line in ax.lines if len(line.get_xdata()) > 1]
    assert len(paths) == len(walks.data)
    for line, walk in zip(paths, walks.data):  # the root's (x, z) on the ground plane
        np.testing.assert_array_equal(np.column_stack(line.get_data()), walk[:, 0][:, [0, 2]])
    colors = {}
    for line, label in zip(paths, walks.target):
        colors.setdefault(label, set()).add(line.get_color())
    assert all(len(c) == 1 for c in colors.values()) and len({c.pop() for c in colors.values()}) == 3
    assert [t.get_text() for t in ax.get_legend().get_texts()] == sorted(set(walks.target))
    assert ax.yaxis_inverted()  # seen from above: z grows downwards

    aligned = plot_trajectories(walks.data, walks.target, joint="head", align_start=True)
    starts = [np.column_stack(line.get_data())[0] for line in aligned.lines if len(line.get_xdata()) > 1]
    np.testing.assert_array_equal(starts, 0)
    with pytest.raises(ValueError, match="no joint 'tail'"):
        plot_trajectories(walks.data, walks.target, joint="tail")
    with pytest.raises(ValueError, match="one label per sample"):
        plot_trajectories(walks.data, walks.target[:2])


def test_plot_embedding_outlines_each_cluster_by_its_hull(walks):
    features = KinematicFeatures(frame_rate=walks.frame_rate, layout="body16").fit_transform(walks.data)
    embedding = PCA(2).fit_transform((features - features.mean(0)) / features.std(0))
    clusters = KMeans(2, n_init=10, random_state=0).fit_predict(embedding)
    ax = plot_embedding(embedding, walks.target, clusters=clusters)
    assert len(ax.collections) == 3  # one scatter per emotion
    for scatter, label in zip(ax.collections, sorted(set(walks.target))):
        np.testing.assert_array_equal(scatter.get_offsets(), embedding[walks.target == label])
    assert len(ax.patches) == 2
    for patch, cluster in zip(ax.patches, np.unique(clusters)):
        members = embedding[clusters == cluster]
        vertices = patch.get_xy()
        # The outline passes through cluster members only and encloses them all.
        assert all(np.isclose(members, v).all(axis=1).any() for v in vertices)
        if len(members) >= 3:
            inside = MplPath(vertices).contains_points(members, radius=1e-9) | MplPath(vertices).contains_points(
                members, radius=-1e-9)
            on_vertex = np.array([np.isclose(vertices, m).all(axis=1).any() for m in members])
            assert (inside | on_vertex).all()


def test_plot_embedding_degenerate_clusters_and_errors():
    points = np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 2.0], [5.0, 0.0], [9.0, 9.0]])
    ax = plot_embedding(points, ["a", "a", "a", "b", "b"], clusters=[0, 0, 0, 1, 2])
    outlines = [patch.get_xy() for patch in ax.patches]
    collinear = outlines[0][:2]  # the segment between the two farthest points of a collinear cluster
    assert {tuple(p) for p in collinear} == {(0.0, 0.0), (2.0, 2.0)}
    with pytest.raises(ValueError, match="Reduce it first"):
        plot_embedding(np.zeros((5, 3)), ["a"] * 5)
    with pytest.raises(ValueError, match="clusters must hold one label per sample"):
        plot_embedding(points, ["a"] * 5, clusters=[0, 1])


# --- animate_neural_gas ----------------------------------------------------------------------------------------


def _kmeans_history(pose, n_steps, random_state=0):
    """Prototype positions after each partial_fit of MiniBatchKMeans on random halves of the pose's joints:
    a history recorded by another library, to check that any (n_steps, n_units, 2 or 3) array animates."""
    rng = np.random.default_rng(random_state)
    kmeans = MiniBatchKMeans(n_clusters=6, batch_size=8, random_state=random_state)
    return np.array([kmeans.partial_fit(pose[rng.permutation(len(pose))[:8]]).cluster_centers_.copy()
                     for _ in range(n_steps)])


def test_animate_neural_gas_units_move_onto_the_pose(walks, tmp_path):
    pose = walks.data[0][30]
    history = _kmeans_history(pose, 6)
    fitted = SimpleNamespace(history_=history, units_=history[-1])  # the NeuralGas attributes contract
    anim = animate_neural_gas(fitted, frame=pose, layout="body16", fps=4, figsize=(2, 2))
    gif = tmp_path / "gas.gif"
    anim.save(gif, writer="pillow", dpi=40)
    with Image.open(gif) as image:
        assert (image.n_frames, image.size, image.info["duration"]) == (6, (80, 80), 250)
    ax = anim._fig.axes[0]
    assert any(isinstance(c, Line3DCollection) for c in ax.collections)  # the skeleton underneath
    units = [line for line in ax.lines if line.get_label() == "units"][0]
    np.testing.assert_allclose(np.column_stack(units.get_data_3d()), history[-1])
    assert ax.get_title() == "6 units, step 5 / 5"

    flat = animate_neural_gas(history[:, :, :2], frame=pose[:, :2], figsize=(2, 2))  # 2-D, joints as dots
    flat.save(tmp_path / "flat.gif", writer="pillow", dpi=30)
    units, joints = ([line for line in flat._fig.axes[0].lines if line.get_label() == name][0]
                     for name in ("units", "joints"))
    np.testing.assert_allclose(np.column_stack(units.get_data()), history[-1, :, :2])
    np.testing.assert_allclose(np.column_stack(joints.get_data()), pose[:, :2])

    _, ax = plt.subplots(figsize=(2, 2))  # 3-D units on a 2-D axes: the (x, y) front view
    front = animate_neural_gas(history, frame=pose, layout="body16", ax=ax)
    front.save(tmp_path / "front.gif", writer="pillow", dpi=30)
    units = [line for line in ax.lines if line.get_label() == "units"][0]
    np.testing.assert_allclose(np.column_stack(units.get_data()), history[-1, :, :2])


def test_animate_neural_gas_of_a_fitted_neural_gas(walks, tmp_path):
    pose = walks.data[0][30]
    gas = NeuralGas(n_units=6, max_iter=5, record_history=True, random_state=0).fit(pose)
    anim = animate_neural_gas(gas, frame=pose, layout="body16", fps=4, figsize=(2, 2))
    anim.save(tmp_path / "gas.gif", writer="pillow", dpi=40)
    with Image.open(tmp_path / "gas.gif") as image:
        assert image.n_frames == len(gas.history_) == 6  # initial units and one frame per epoch
    units = [line for line in anim._fig.axes[0].lines if line.get_label() == "units"][0]
    np.testing.assert_allclose(np.column_stack(units.get_data_3d()), gas.cluster_centers_)


def test_animate_neural_gas_errors_name_the_problem(walks):
    pose = walks.data[0][30]
    with pytest.raises(ValueError, match="record_history=True"):
        animate_neural_gas(MiniBatchKMeans(3).fit(pose))
    with pytest.raises(ValueError, match=r"\(n_steps, n_units, 2 or 3\)"):
        animate_neural_gas(np.zeros((4, 5)))
    with pytest.raises(ValueError, match=r"pose must be \(n_joints, 3\)"):
        animate_neural_gas(_kmeans_history(pose, 2), frame=pose[:, :2])


def test_animation_has_a_left_right_legend_and_axis_units():
    from skemotion.datasets import make_emotional_gait
    from skemotion.plotting import animate_skeleton
    from skemotion.skeleton import with_metadata

    walk = make_emotional_gait(4, random_state=0).data[0][:3]
    anim = animate_skeleton(with_metadata(np.asarray(walk), layout="body16", units="m"), fps=30)
    ax = anim._fig.axes[0]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["left side", "right side"]
    assert (ax.get_xlabel(), ax.get_ylabel(), ax.get_zlabel()) == ("x (m)", "y (m)", "z (m)")
    anim = animate_skeleton(np.asarray(walk), layout="body16", fps=30, projection="2d")
    assert anim._fig.axes[0].get_xlabel() == "x (arbitrary units)"
