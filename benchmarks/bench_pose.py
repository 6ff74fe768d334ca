"""Frames per second of PoseExtractor against a bare MediaPipe loop on the same video, in the same run.

The reference is the loop every MediaPipe tutorial writes: OpenCV decodes the video, BGR -> RGB, one
VIDEO-mode PoseLandmarker, ``detect_for_video`` on every frame, landmarks copied to a numpy array.
PoseExtractor does the same plus visibility masking, person choice and padding; its overhead should stay
within 10 %. Then several videos (the same file listed ``--copies`` times) with ``n_jobs=1`` and
``n_jobs=2`` through joblib. Repeats alternate between the contenders and the best time of each is kept, so
that other load on the machine hits both alike.

    python benchmarks/bench_pose.py
    python benchmarks/bench_pose.py --video ../shared/data/video/tfjs_pose_squats.mp4 --repeats 5
"""

import argparse
import os
import time
from pathlib import Path

import cv2
import mediapipe as mp
import numpy as np
from mediapipe.tasks.python import BaseOptions, vision

from skemotion.pose import PoseExtractor

SHARED = Path(__file__).resolve().parents[1].parent / "shared" / "data"


def bare_mediapipe(video, model):
    """The reference loop; returns the landmarks (n_frames, 33, 3)."""
    options = vision.PoseLandmarkerOptions(base_options=BaseOptions(model_asset_path=str(model)),
                                           running_mode=vision.RunningMode.VIDEO)
    capture, poses, index = cv2.VideoCapture(str(video)), [], 0
    rate = capture.get(cv2.CAP_PROP_FPS) or 30.0
    with vision.PoseLandmarker.create_from_options(options) as landmarker:
        while True:
            ok, bgr = capture.read()
            if not ok:
                break
            image = mp.Image(image_format=mp.ImageFormat.SRGB, data=cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB))
            result = landmarker.detect_for_video(image, round(index * 1000 / rate))
            poses.append([(lm.x, lm.y, lm.z) for lm in result.pose_landmarks[0]] if result.pose_landmarks
                         else np.full((33, 3), np.nan))
            index += 1
    capture.release()
    return np.array(poses)


def best_time(function, repeats):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        output = function()
        times.append(time.perf_counter() - start)
    return min(times), output


def run(args):
    video, model = Path(args.video), Path(args.model)
    extractor = PoseExtractor(model_asset_path=model, y_up=False, min_visibility=0.0)
    extractor.transform([video])  # warm-up: imports, model file in the page cache
    bare_times, ours_times = [], []
    for _ in range(args.repeats):  # alternate so that load from elsewhere hits both
        bare_time, bare = best_time(lambda: bare_mediapipe(video, model), 1)
        ours_time, ours = best_time(lambda: extractor.transform([video]), 1)
        bare_times.append(bare_time)
        ours_times.append(ours_time)
    n_frames = len(bare)
    same = np.nanmax(np.abs(ours[0, :n_frames] - bare)) if n_frames else float("nan")
    bare_fps, ours_fps = n_frames / min(bare_times), n_frames / min(ours_times)

    videos = [video] * args.copies
    total = n_frames * args.copies
    serial, _ = best_time(lambda: PoseExtractor(model_asset_path=model, n_jobs=1).transform(videos), args.repeats)
    parallel, _ = best_time(lambda: PoseExtractor(model_asset_path=model, n_jobs=2).transform(videos),
                            args.repeats)

    print(f"{video.name}: {n_frames} frames; best of {args.repeats} runs; max |PoseExtractor - bare| = {same:.1e}")
    print(f"load average while running: {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores\n")
    rows = [
        ("bare MediaPipe loop, 1 video (reference)", bare_fps, "1.00"),
        ("PoseExtractor, 1 video", ours_fps,
         f"{ours_fps / bare_fps:.2f} (overhead {100 * (bare_fps / ours_fps - 1):+.1f} %)"),
        (f"PoseExtractor, {args.copies} videos, n_jobs=1 (reference)", total / serial, "1.00"),
        (f"PoseExtractor, {args.copies} videos, n_jobs=2", total / parallel, f"{serial / parallel:.2f}"),
    ]
    print(f"| {'run':<50} | frames/s | ratio to its reference |")
    print(f"|{'-' * 52}|----------|------------------------|")
    for name, fps, ratio in rows:
        print(f"| {name:<50} | {fps:8.1f} | {ratio:<22} |")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--video", default=str(SHARED / "video" / "tfjs_pose_squats.mp4"))
    parser.add_argument("--model", default=str(SHARED / "models" / "pose_landmarker_full.task"))
    parser.add_argument("--copies", type=int, default=4, help="times the video is listed for the n_jobs runs")
    parser.add_argument("--repeats", type=int, default=3)
    run(parser.parse_args(argv))


if __name__ == "__main__":
    main()
