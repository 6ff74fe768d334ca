"""Does n_jobs=2 pay? Every n_jobs of the toolkit at 1 and 2, on the shared data, in the same run.

Rows (best of ``--repeat`` runs each; "identical" compares the outputs bit for bit):

* ``load_bandai_namco`` on every clip of ``bandai-namco-1`` (threads, see ``skemotion.utils._parallel``),
  and, for reference, the former call (``joblib.Parallel(n_jobs=2)``, a process pool);
* ``EEGBandFeatures`` (welch, multitaper, filter) on 1-s epochs (50 % overlap) of ``eeg/biosemi128_test.edf``;
* ``PoseExtractor`` over the two shared videos (its joblib call, processes by default), and the same
  under ``joblib.parallel_config(prefer="threads")``;
* the frame-reader thread: skemotion's per-video loop against the bare MediaPipe loop (decode, then infer,
  frame after frame) on each shared video.

The machine is shared: the load average is printed with the table.

    python benchmarks/bench_parallel.py            # reads ../shared/data
"""

import argparse
import os
import time
import warnings
from pathlib import Path

import numpy as np
from joblib import Parallel, delayed, parallel_config

from skemotion.datasets import load_bandai_namco
from skemotion.eeg import EEGBandFeatures
from skemotion.io import iter_video_frames, read_bvh
from skemotion.pose import PoseExtractor
from skemotion.pose._mediapipe import (
    LandmarkerConfig,
    _mp_image,
    extract_sequence,
    frame_pose,
    open_landmarker,
)

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
VIDEOS = ("tfjs_pose_squats.mp4", "mmpose_demo_street_walking.mp4")


def best_time(function, repeat):
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = function()
        times.append(time.perf_counter() - start)
    return min(times), result


def same(a, b):
    if isinstance(a, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return bool(np.array_equal(a, b, equal_nan=True))


def row(name, serial, parallel, identical):
    print(f"| {name:<52} | {serial:9.3f} | {parallel:9.3f} | {serial / parallel:8.2f} | {str(identical):>9} |")


def loader_rows(data, repeat):
    path = data / "bandai-namco-1"
    t1, one = best_time(lambda: load_bandai_namco(path, n_jobs=1).data, repeat)
    t2, two = best_time(lambda: load_bandai_namco(path, n_jobs=2).data, repeat)
    row(f"load_bandai_namco ({len(one)} clips)", t1, t2, same(one, two))
    files = sorted((path / "data").glob("*.bvh"))
    t0, old = best_time(lambda: [m.positions for m in Parallel(n_jobs=2)(delayed(read_bvh)(f) for f in files)],
                        repeat)
    row("  former call: Parallel(n_jobs=2), processes", t1, t0, same(one, old))


def eeg_epochs(data):
    import mne

    raw = mne.io.read_raw_edf(data / "eeg" / "biosemi128_test.edf", preload=True, verbose=False)
    signals, sfreq = raw.get_data()[:128], raw.info["sfreq"]
    n = int(sfreq)
    return np.stack([signals[:, i : i + n] for i in range(0, signals.shape[1] - n, n // 2)]), sfreq


def eeg_rows(data, repeat):
    X, sfreq = eeg_epochs(data)
    for method in ("welch", "multitaper", "filter"):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # MNE: filters longer than 1-s epochs
            t1, one = best_time(lambda m=method: EEGBandFeatures(sfreq=sfreq, method=m, n_jobs=1).fit_transform(X),
                                repeat)
            t2, two = best_time(lambda m=method: EEGBandFeatures(sfreq=sfreq, method=m, n_jobs=2).fit_transform(X),
                                repeat)
        row(f"EEGBandFeatures {method} {X.shape}", t1, t2, same(one, two))


def pose_rows(data, repeat):
    model = str(data / "models" / "pose_landmarker_full.task")
    videos = [str(data / "video" / v) for v in VIDEOS]
    t1, one = best_time(lambda: PoseExtractor(model_asset_path=model, n_jobs=1).fit_transform(videos), repeat)
    t2, two = best_time(lambda: PoseExtractor(model_asset_path=model, n_jobs=2).fit_transform(videos), repeat)
    row(f"PoseExtractor, {len(videos)} videos (processes)", t1, t2, same(one, two))
    with parallel_config(prefer="threads"):
        t3, three = best_time(lambda: PoseExtractor(model_asset_path=model, n_jobs=2).fit_transform(videos), repeat)
    row(f"PoseExtractor, {len(videos)} videos, prefer='threads'", t1, t3, same(one, three))
    config = LandmarkerConfig(model_path=model)
    for video in videos:
        tb, bare = best_time(lambda v=video: bare_loop(v, config), repeat)
        tr, read = best_time(lambda v=video: extract_sequence(0, v, config).poses, repeat)
        row(f"  {Path(video).name}: bare loop vs reader thread", tb, tr, same(bare, read))


def bare_loop(video, config):
    """What a user would write: decode a frame, run the landmarker on it, next frame."""
    poses = []
    with open_landmarker(config, video=True) as landmarker:
        for timestamp, rgb in iter_video_frames(video):
            result = landmarker.detect_for_video(_mp_image(rgb), timestamp)
            poses.append(frame_pose(result, config, rgb.shape[1], rgb.shape[0]))
    return np.stack(poses)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", default=str(DEFAULT_DATA), help="the shared data folder")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each case (best is kept)")
    args = parser.parse_args(argv)
    data = Path(args.data)
    print(f"CPUs: {os.cpu_count()}, load average at start: {os.getloadavg()[0]:.1f}; best of {args.repeat}.\n")
    print("| case                                                 | n_jobs=1 s | n_jobs=2 s | 1 / 2    | identical |")
    print("|------------------------------------------------------|-----------|-----------|----------|-----------|")
    loader_rows(data, args.repeat)
    eeg_rows(data, args.repeat)
    pose_rows(data, args.repeat)
    print(f"\nLoad average at the end: {os.getloadavg()[0]:.1f}. In the reader-thread rows the columns are the "
          "bare loop and skemotion's loop.")


if __name__ == "__main__":
    main()
