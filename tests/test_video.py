"""Video and image reading (skemotion.io): frames, their order and colour, the frame rate, clear errors."""

import cv2
import numpy as np
import pytest

from skemotion.io import iter_video_frames, read_image, read_video

from .conftest import shared_path

# Frame k of the synthetic video is uniformly this RGB colour: the colour tells which frame came out.
COLORS = [(200, 30, 30), (30, 200, 30), (30, 30, 200), (200, 200, 30), (30, 200, 200), (200, 30, 200)]


@pytest.fixture(scope="module")
def colored_video(tmp_path_factory):
    path = tmp_path_factory.mktemp("video") / "colors.avi"
    writer = cv2.VideoWriter(str(path), cv2.VideoWriter_fourcc(*"MJPG"), 12.5, (40, 32))
    for rgb in COLORS:
        writer.write(np.full((32, 40, 3), rgb[::-1], np.uint8))  # OpenCV writes BGR
    writer.release()
    return path


def _colors(frames):
    return np.array([frame.reshape(-1, 3).mean(axis=0) for frame in frames])


def test_read_video_gives_rgb_frames_in_order_and_the_rate(colored_video):
    frames, rate = read_video(colored_video)
    assert frames.shape == (len(COLORS), 32, 40, 3) and frames.dtype == np.uint8
    assert rate == 12.5
    np.testing.assert_allclose(_colors(frames), COLORS, atol=6)  # JPEG is lossy, but not by that much


def test_iter_video_frames_steps_stops_and_stamps_in_milliseconds(colored_video):
    stamps, frames = zip(*iter_video_frames(colored_video, frame_step=2, max_frames=2))
    assert stamps == (0, 160)  # frames 0 and 2 at 12.5 fps
    np.testing.assert_allclose(_colors(frames), COLORS[0:4:2], atol=6)


def test_read_video_equals_opencv_on_a_real_video():
    path = shared_path("video", "tfjs_pose_squats.mp4")
    capture, expected = cv2.VideoCapture(str(path)), []
    while (frame := capture.read())[0]:
        expected.append(cv2.cvtColor(frame[1], cv2.COLOR_BGR2RGB))
    rate = capture.get(cv2.CAP_PROP_FPS)
    capture.release()
    frames, read_rate = read_video(path)
    np.testing.assert_array_equal(frames, np.stack(expected))
    assert read_rate == pytest.approx(rate)
    assert [t for t, _ in iter_video_frames(path, max_frames=3)] == [round(i * 1000 / rate) for i in range(3)]


def test_unreadable_videos_are_named(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"Cannot open the video .*missing\.mp4.*no such file"):
        read_video(tmp_path / "missing.mp4")
    text = tmp_path / "notes.mp4"
    text.write_text("not a video\n" * 20)
    with pytest.raises(ValueError, match=r"notes\.mp4"):
        read_video(text)
    empty = tmp_path / "empty.avi"
    cv2.VideoWriter(str(empty), cv2.VideoWriter_fourcc(*"MJPG"), 10.0, (16, 16)).release()
    with pytest.raises(ValueError, match=r"empty\.avi"):
        list(iter_video_frames(empty))


def test_read_image_is_rgb_and_errors_are_named(tmp_path):
    path = tmp_path / "red.png"
    cv2.imwrite(str(path), np.full((4, 5, 3), (0, 0, 255), np.uint8))  # pure red, written as BGR
    image = read_image(path)
    assert image.shape == (4, 5, 3) and (image == (255, 0, 0)).all()
    with pytest.raises(FileNotFoundError, match=r"Cannot open the image .*gone\.png"):
        read_image(tmp_path / "gone.png")
    (tmp_path / "bad.png").write_bytes(b"not a png")
    with pytest.raises(ValueError, match=r"Cannot read the image .*bad\.png.*cannot decode"):
        read_image(tmp_path / "bad.png")
