"""load_annotated_videos on CSVs written in EiLA's structure over the shared videos; PoseExtractor on segments.

The CSVs follow EiLA's ``annotations.csv`` as PosEmotion reads it (denskrlv/PosEmotion, posemotion.ipynb and
tools/structures.py): the header ``Video Tag,Clip Id,Labels,Frame Number,X,Y,Width,Height,Person Id``, the
``Labels`` cell a quoted Python repr with single quotes (``"[['Happy'], ['Happy'], ['Happy']]"``), an
annotator without a label written as ``'No annotation'`` in place of a list, boxes in percent of the frame,
YouTube ids as video tags (``<tag>.mp4`` in the video folder).
"""

import csv
import json
import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import cv2
import numpy as np
import pytest

from skemotion.datasets import EILA_LABELS, load_annotated_videos
from skemotion.io import VideoSegment
from skemotion.pose import PoseExtractor
from skemotion.pose._mediapipe import crop_bounds, segment_frames

from .conftest import shared_path
from .test_pose_log import _native_lines

HEADER = ["Video Tag", "Clip Id", "Labels", "Frame Number", "X", "Y", "Width", "Height", "Person Id"]
STREET, SQUAT = "Bqb2wT_eP_4", "aJKL0ahn1Dk"  # YouTube-like tags (underscores included) for the shared videos
SQUAT_SIZE = (720, 1280)  # width, height
# Boxes (percent) drawn by eye on frames 0 and 4 of the street video: the woman with the black top and white
# shoes in the middle, and the woman in the striped top to her right (she drifts right).
MIDDLE_WOMAN = [(0, 50.0, 27.0, 10.0, 36.0), (4, 50.0, 27.0, 10.0, 36.0)]
STRIPED_WOMAN = [(0, 60.0, 28.0, 9.0, 37.0), (4, 62.5, 28.0, 9.5, 37.0)]


@pytest.fixture(scope="module")
def model():
    return str(shared_path("models", "pose_landmarker_full.task"))


@pytest.fixture
def video_dir(tmp_path):
    """The shared videos under EiLA-style names, as links (the data is never copied)."""
    folder = tmp_path / "videos"
    folder.mkdir()
    (folder / f"{STREET}.mp4").symlink_to(shared_path("video", "mmpose_demo_street_walking.mp4"))
    (folder / f"{SQUAT}.mp4").symlink_to(shared_path("video", "tfjs_pose_squats.mp4"))
    return folder


def write_eila(path, rows, header=HEADER):
    """Rows of (tag, clip, labels, frame, x, y, w, h, person); labels as a Python object or a raw cell string."""
    with open(path, "w", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(header)
        for tag, clip, labels, *rest in rows:
            writer.writerow([tag, clip, labels if isinstance(labels, str) else repr(labels), *rest])
    return path


def street_rows(labels_middle, labels_striped, clip=1):
    return ([(STREET, clip, labels_middle[k], f, x, y, w, h, 0) for k, (f, x, y, w, h) in enumerate(MIDDLE_WOMAN)]
            + [(STREET, clip, labels_striped[k], f, x, y, w, h, 1) for k, (f, x, y, w, h) in enumerate(STRIPED_WOMAN)])


def test_segments_majority_labels_and_boxes(tmp_path, video_dir):
    happy_sad = [[["Happy"], ["Happy"], ["Sad"]], [["Sad"], "No annotation", ["Sad", "Happy"]]]
    tie = [[["Neutral"], ["Anger"]], [["Neutral"], ["Anger"]]]
    rows = street_rows(happy_sad, tie)
    rows += [(SQUAT, 3, [["Fear"], ["Surprise"], ["Fear"]], 30, 20.0, 10.0, 60.0, 75.0, 0),
             (SQUAT, 3, [["Surprise"], ["Surprise"], "No annotation"], 24, 20.0, 10.0, 60.0, 75.0, 0),  # unsorted
             (SQUAT, 3, [["Surprise"], ["Surprise"], "No annotation"], 24, 20.0, 10.0, 60.0, 75.0, 0),  # duplicate
             (SQUAT, 4, "No annotation", 6, 20.0, 10.0, 60.0, 75.0, 0),
             (SQUAT, 4, ["No annotation", "No annotation"], 12, 20.0, 10.0, 60.0, 75.0, 0)]
    eila = load_annotated_videos(write_eila(tmp_path / "annotations.csv", rows), video_dir)

    # Hand counts over annotators and frames: Happy 2 + 1 = 3, Sad 1 + 2 = 3 -> tie, Happy comes first in
    # EILA_LABELS (PosEmotion's dict order); Neutral 2, Anger 2 -> Anger; Fear 2, Surprise 1 + 2 = 3 (the
    # duplicated row counts once) -> Surprise. Clip 4 has no label at all: left out.
    assert eila.target.tolist() == ["Happy", "Anger", "Surprise"]
    assert eila.label_names == list(EILA_LABELS)
    counts = dict(zip(eila.label_names, eila.label_counts.T))
    assert counts["Happy"].tolist() == [3, 0, 0] and counts["Sad"].tolist() == [3, 0, 0]
    assert counts["Anger"].tolist() == [0, 2, 0] and counts["Neutral"].tolist() == [0, 2, 0]
    assert counts["Fear"].tolist() == [0, 0, 2] and counts["Surprise"].tolist() == [0, 0, 3]
    assert eila.unlabelled == [(SQUAT, 4, 0)]
    assert eila.groups.tolist() == [STREET, STREET, SQUAT]
    assert eila.segments["person_id"].tolist() == [0, 1, 0]
    assert eila.segments["n_annotated_frames"].tolist() == [2, 2, 2]
    assert eila.segments["first_row"].tolist() == [0, 2, 5]
    assert eila.frame_rate == 5.0 and eila.layout.name == "mediapipe33"
    assert "PosEmotion" in eila.DESCR and "licence" in eila.DESCR

    middle, striped, squat = eila.data
    assert (middle.start_frame, middle.stop_frame, squat.start_frame, squat.stop_frame) == (0, 5, 24, 31)
    assert squat.path == str(video_dir / f"{SQUAT}.mp4")
    assert striped.boxes == ((0, 0.60, 0.28, 0.09, 0.37), (4, 0.625, 0.28, 0.095, 0.37))
    np.testing.assert_allclose(striped.box_at(2), (0.6125, 0.28, 0.0925, 0.37))  # halfway between key frames


def test_tie_rule_follows_the_given_label_order(tmp_path, video_dir):
    csv_path = write_eila(tmp_path / "a.csv", street_rows([[["Sad"], ["Happy"]]] * 2, [[["Joy"]]] * 2))
    eila = load_annotated_videos(csv_path, video_dir, labels=["Sad", "Happy"])
    assert eila.target.tolist() == ["Sad", "Joy"]  # a label outside the set is kept, after the set
    assert eila.label_names == ["Sad", "Happy", "Joy"]


def test_pandas_index_column_and_byte_order_mark(tmp_path, video_dir):
    """pandas' to_csv writes an unnamed index column first; a spreadsheet may add a byte-order mark."""
    rows = [(str(i), *row) for i, row in enumerate(street_rows([[["Happy"]]] * 2, [[["Sad"]]] * 2))]
    path = tmp_path / "indexed.csv"
    with open(path, "w", newline="", encoding="utf-8-sig") as file:
        writer = csv.writer(file)
        writer.writerow(["", *HEADER])
        for index, tag, clip, labels, *rest in rows:
            writer.writerow([index, tag, clip, repr(labels), *rest])
    assert load_annotated_videos(path, video_dir).target.tolist() == ["Happy", "Sad"]


def good_rows():
    return street_rows([[["Happy"]]] * 2, [[["Sad"]]] * 2)


@pytest.mark.parametrize("mutate, error, match", [
    (lambda rows: ("header", HEADER[:4] + ["x", "Y", "Width", "Height", "Person Id"]), ValueError,
     r"lacks the column\(s\) \['X'\]"),
    (lambda rows: rows[1].__setitem__(2, "[['Happy'], ['Sad'"), ValueError, r"row 1 \(line 3\).*Labels cell"),
    (lambda rows: rows[1].__setitem__(2, "__import__('os').getcwd()"), ValueError, r"row 1 .*does not parse"),
    (lambda rows: rows[2].__setitem__(2, "{'Happy': 3}"), ValueError, r"row 2 .*not a list"),
    (lambda rows: rows[3].__setitem__(4, 95.0), ValueError, r"row 3 .*not inside 0-100 %"),
    (lambda rows: rows[0].__setitem__(7, -1.0), ValueError, r"row 0 .*not inside 0-100 %"),
    (lambda rows: rows[2].__setitem__(0, "noSuchVideo"), FileNotFoundError,
     r"row 2 .*'noSuchVideo' has no file .*noSuchVideo\.mp4"),
    (lambda rows: rows[1].__setitem__(3, 5), ValueError, r"row 1 .*Frame Number 5 is past the end .* 5 frames"),
    (lambda rows: rows[1].__setitem__(3, "four"), ValueError, r"row 1 .*Frame Number is 'four'"),
    (lambda rows: rows.append(list(rows[0][:3]) + [0, 51.0, 27.0, 10.0, 36.0, 0]), ValueError,
     r"row 4 .*frame 0 .* different box from row 0"),
    (lambda rows: ("rows", []), ValueError, "has a header but no annotation row"),
])
def test_bad_csv_names_the_file_and_row(tmp_path, video_dir, mutate, error, match):
    rows = [list(row) for row in good_rows()]
    header, changed = HEADER, mutate(rows)
    if changed and changed[0] == "header":
        header = changed[1]
    elif changed and changed[0] == "rows":
        rows = changed[1]
    path = write_eila(tmp_path / "bad.csv", rows, header=header)
    with pytest.raises(error, match=match) as caught:
        load_annotated_videos(path, video_dir)
    assert str(path) in str(caught.value)


def test_empty_and_missing_files(tmp_path, video_dir):
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    with pytest.raises(ValueError, match=rf"{re.escape(str(empty))} is empty"):
        load_annotated_videos(empty, video_dir)
    with pytest.raises(FileNotFoundError, match="Annotation file not found"):
        load_annotated_videos(tmp_path / "nothing.csv", video_dir)
    with pytest.raises(FileNotFoundError, match="Video folder not found"):
        load_annotated_videos(write_eila(tmp_path / "a.csv", good_rows()), tmp_path / "no-videos")
    rows = [list(row) for row in good_rows()]
    rows[0][2] = "No annotation"
    rows[1][2] = "['No annotation']"
    rows = rows[:2]
    with pytest.raises(ValueError, match="no segment has a label"):
        load_annotated_videos(write_eila(tmp_path / "b.csv", rows), video_dir)


def test_video_segment_checks_its_fields():
    with pytest.raises(ValueError, match="stop_frame"):
        VideoSegment("v.mp4", 5, 5)
    with pytest.raises(ValueError, match="not inside the frame"):
        VideoSegment("v.mp4", 0, 5, boxes=[(0, 0.9, 0.1, 0.2, 0.5)])
    with pytest.raises(ValueError, match="increasing frame order"):
        VideoSegment("v.mp4", 0, 5, boxes=[(3, 0.1, 0.1, 0.2, 0.5), (3, 0.1, 0.1, 0.2, 0.5)])
    segment = VideoSegment("v.mp4", 0, 5, boxes=[[0, 0.1, 0.1, 0.2, 0.5]])
    assert segment == VideoSegment("v.mp4", 0, 5, boxes=((0, 0.1, 0.1, 0.2, 0.5),)) and hash(segment)
    assert segment.box_at(99) == (0.1, 0.1, 0.2, 0.5)  # the nearest key frame's box outside them
    with pytest.raises(TypeError, match="pass \\[segment\\]"):
        PoseExtractor().transform(segment)


def test_workers_count_the_frames_of_segments_not_of_their_videos():
    """The n_jobs threshold (MIN_FRAMES_PER_WORKER) counts a segment's frames: 7 of the video's 65 here."""
    segment = VideoSegment(shared_path("video", "tfjs_pose_squats.mp4"), 24, 31)
    assert PoseExtractor(frame_step=2)._frames_of_work([segment]) == 3.5
    assert PoseExtractor(frame_step=2, max_frames=2)._frames_of_work([segment]) == 2.0
    assert PoseExtractor(frame_step=2)._frames_of_work([segment.path]) == 32.5


def test_segment_seeks_to_its_frames():
    """Frames of a segment that starts late equal those decoded from the start (OpenCV's seek is exact)."""
    video = shared_path("video", "tfjs_pose_squats.mp4")
    capture, frames = cv2.VideoCapture(str(video)), []
    while (frame := capture.read())[0]:
        frames.append(cv2.cvtColor(frame[1], cv2.COLOR_BGR2RGB))
    capture.release()
    items = list(segment_frames(VideoSegment(video, 37, 50), frame_step=6))
    assert [t for t, _, _ in items] == [37 * 200, 43 * 200, 49 * 200]  # 5 fps: 200 ms per frame
    for (_, rgb, crop), index in zip(items, (37, 43, 49)):
        assert crop is None
        np.testing.assert_array_equal(rgb, frames[index])
    box = (0.125, 0.0625, 0.75, 0.875)
    assert crop_bounds(box, 0.0, 720, 1280) == (90, 80, 630, 1200)
    assert crop_bounds(box, 0.25, 720, 1280) == (0, 0, 720, 1280)  # grown past the edges, clipped


def test_crop_maps_back_to_the_whole_frame(tmp_path, video_dir, model):
    """A box through the loader equals MediaPipe on the same crop made by hand, mapped back by hand.

    The box edges are exact pixels (12.5 % of 720 = 90 ...) and the margin 0, so both runs feed MediaPipe the
    same pixels at the same timestamps and must agree to rounding.
    """
    box = (12.5, 6.25, 75.0, 87.5)
    rows = [(SQUAT, 1, [["Happy"]], frame, *box, 0) for frame in (0, 6)]
    eila = load_annotated_videos(write_eila(tmp_path / "a.csv", rows), video_dir)
    params = dict(model_asset_path=model, y_up=False, min_visibility=0.0)
    poses = PoseExtractor(box_margin=0.0, **params).transform(eila.data)[0]

    capture, frames = cv2.VideoCapture(str(video_dir / f"{SQUAT}.mp4")), []
    for _ in range(7):
        frames.append(cv2.cvtColor(capture.read()[1], cv2.COLOR_BGR2RGB)[80:1200, 90:630])
    capture.release()
    on_crop = PoseExtractor(frame_rate=5.0, **params).transform([np.stack(frames)])[0]
    by_hand = on_crop * (540 / 720, 1120 / 1280, 540 / 720) + (90 / 720, 80 / 1280, 0)
    assert poses.shape == (7, 33, 3) and not np.isnan(poses).any()
    np.testing.assert_allclose(poses, by_hand, rtol=0, atol=1e-6)

    pixels = PoseExtractor(box_margin=0.0, coordinates="pixels", **params).transform(eila.data)[0]
    np.testing.assert_allclose(pixels, poses * (720, 1280, 720), atol=1e-3)
    up = PoseExtractor(box_margin=0.0, model_asset_path=model, min_visibility=0.0).transform(eila.data)[0]
    np.testing.assert_allclose(up, poses * (1, -1, -1) + (0, 1, 0), atol=1e-9)


def test_crop_agrees_with_the_reference_keypoints(tmp_path, video_dir, model):
    """With the default margin, a box per key frame from the reference skeleton (EiLA's every 6th frame).

    The reference is BlazePose-full on the whole frames; the whole-frame run agrees with it to about 6 px
    (tests/test_pose.py bounds it at 8 px). The crop feeds the model another scale of the same person, so it
    must agree as well as that; a wrong offset or scale in the mapping back would also show as a bias of
    tens of pixels, hence the 3 px bound on the mean signed error.
    """
    reference = np.array(json.loads(shared_path("video", "tfjs_pose_squats.full.json").read_text()))
    rows = []
    for frame in range(0, 13, 6):
        low, high = reference[frame, :, :2].min(axis=0), reference[frame, :, :2].max(axis=0)
        x, y = 100 * low / SQUAT_SIZE
        w, h = 100 * (high - low) / SQUAT_SIZE
        rows.append((SQUAT, 1, [["Neutral"]], frame, x, y, w, h, 0))
    eila = load_annotated_videos(write_eila(tmp_path / "a.csv", rows), video_dir)
    poses = PoseExtractor(model_asset_path=model, coordinates="pixels", y_up=False,
                          min_visibility=0.0).transform(eila.data)[0]
    assert poses.shape == (13, 33, 3) and not np.isnan(poses).any()
    difference = poses[:, :, :2] - reference[:13, :, :2]
    error = np.linalg.norm(difference, axis=-1)
    print(f"crop: mean 2-D error {error.mean():.2f} px, bias {difference.mean(axis=(0, 1)).round(2)} px")
    assert error.mean() <= 8.0
    assert np.abs(difference.mean(axis=(0, 1))).max() <= 3.0


def test_a_box_tracks_its_person_in_the_street(tmp_path, video_dir, model):
    """Each woman's box keeps her skeleton, not the largest person (the woman in white on the right)."""
    eila = load_annotated_videos(write_eila(tmp_path / "a.csv", good_rows()), video_dir)
    extractor = PoseExtractor(model_asset_path=model, y_up=False)
    poses = extractor.transform(eila.data)
    whole = PoseExtractor(model_asset_path=model, y_up=False).transform([eila.filenames[0]])[0]
    assert np.nanmedian(whole[..., 0]) > 0.75  # the whole frame tracks the woman in white

    for person, boxes in zip(poses, (MIDDLE_WOMAN, STRIPED_WOMAN)):
        segment_boxes = VideoSegment("v", 0, 5, boxes=[(f, x / 100, y / 100, w / 100, h / 100)
                                                        for f, x, y, w, h in boxes])
        for frame in range(5):
            x, y, w, h = segment_boxes.box_at(frame)
            visible = person[frame][~np.isnan(person[frame]).any(axis=1)]
            assert len(visible) >= 20, f"frame {frame}: only {len(visible)} landmarks visible"
            # The box was drawn by eye around the body; hands swing a little past it: 1 % of the frame.
            inside = ((visible[:, 0] >= x - 0.01) & (visible[:, 0] <= x + w + 0.01)
                      & (visible[:, 1] >= y - 0.01) & (visible[:, 1] <= y + h + 0.01))
            assert inside.mean() >= 0.9, f"frame {frame}: {inside.mean():.0%} of the landmarks inside"


def test_segment_errors_name_the_video(model, tmp_path):
    squat = shared_path("video", "tfjs_pose_squats.mp4")
    extractor = PoseExtractor(model_asset_path=model)
    with pytest.raises(FileNotFoundError, match=r"missing\.mp4 \(segment .*frames 0-4\)"):
        extractor.transform([VideoSegment(tmp_path / "missing.mp4", 0, 5)])
    with pytest.raises(ValueError, match=r"frames up to 69, but the video .* has 65 frames"):
        extractor.transform([VideoSegment(squat, 60, 70)])
    with pytest.warns(RuntimeWarning, match="Skipped input 0"):
        poses, lengths = PoseExtractor(model_asset_path=model, on_error="warn", max_frames=1).extract(
            [VideoSegment(squat, 60, 70), VideoSegment(squat, 60, 65, boxes=[(60, 0.1, 0.1, 0.8, 0.8)])])
    assert lengths.tolist() == [0, 1] and poses.frame_rate.tolist() == [5.0, 5.0]


def test_native_log_stays_silent_for_segments_in_threads(model):
    """Two segments on two worker threads (n_jobs=2): MediaPipe's native log does not reach stderr."""
    code = textwrap.dedent(f"""
        from skemotion.io import VideoSegment
        from skemotion.pose import PoseExtractor
        from skemotion.pose import _extractor
        _extractor.MIN_FRAMES_PER_WORKER = 1  # two workers for two short segments
        video = {str(shared_path("video", "mmpose_demo_street_walking.mp4"))!r}
        segments = [VideoSegment(video, 0, 2, boxes=[(0, 0.5, 0.27, 0.1, 0.36)]),
                    VideoSegment(video, 1, 3, boxes=[(1, 0.6, 0.28, 0.09, 0.37)])]
        print(PoseExtractor(model_asset_path={model!r}, n_jobs=2).transform(segments).shape)
    """)
    env = {key: value for key, value in os.environ.items() if key != "SKEMOTION_MEDIAPIPE_LOG"}
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=300,
                            cwd=Path(__file__).resolve().parents[1])
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "(2, 2, 33, 3)"
    assert _native_lines(result.stderr) == [], result.stderr
