"""Parallel only when it pays (skemotion.utils._parallel), the frame-reader thread, and a real Dask cluster."""

import threading

import numpy as np
import pytest
from joblib import parallel_config
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from skemotion.datasets import make_eeg_emotion
from skemotion.eeg import EEGBandFeatures
from skemotion.io import BVHError, read_bvh, read_bvh_files
from skemotion.pose import PoseExtractor
from skemotion.pose._mediapipe import prefetched
from skemotion.utils._parallel import effective_workers, parallel_blocks, parallel_map

from .conftest import shared_path


def _row_norms(block):
    return np.linalg.norm(block, axis=1)


def test_effective_workers_never_exceed_the_work():
    assert effective_workers(2, 1) == 1
    assert effective_workers(8, 100, min_work_per_worker=30) == 3
    assert effective_workers(None, 100) == 1
    with parallel_config(n_jobs=3):  # a context's n_jobs counts, as in joblib
        assert effective_workers(None, 100) == 3


@pytest.mark.parametrize("prefer", ["threads", "processes"])
def test_parallel_map_and_blocks_equal_the_serial_result(prefer):
    X = np.random.RandomState(0).normal(size=(37, 5))
    assert parallel_map(float, range(7), n_jobs=2, prefer=prefer) == [float(i) for i in range(7)]
    np.testing.assert_array_equal(parallel_blocks(_row_norms, X, n_jobs=2, prefer=prefer), _row_norms(X))


def test_small_work_runs_in_this_thread():
    caller = threading.get_ident()
    assert set(parallel_map(lambda _: threading.get_ident(), range(4), n_jobs=2, min_items_per_worker=3)) == {caller}
    seen = parallel_blocks(lambda b: np.full(len(b), threading.get_ident()), np.zeros((4, 3)), n_jobs=2,
                           min_values_per_worker=7)
    assert set(seen.tolist()) == {caller}


@pytest.mark.parametrize("method", ["multitaper"])  # "filter" takes the same path (and ~20 s more)
def test_eeg_band_features_in_blocks_per_process_are_identical(method, monkeypatch):
    X, _ = make_eeg_emotion(2, 3, epoch_duration=1.0, return_X_y=True, random_state=0)
    serial = EEGBandFeatures(sfreq=200.0, method=method, n_jobs=1).fit_transform(X)
    monkeypatch.setattr("skemotion.eeg._features._MIN_VALUES_PER_PROCESS", 1)  # force the process pool
    parallel = EEGBandFeatures(sfreq=200.0, method=method, n_jobs=2).fit_transform(X)
    np.testing.assert_array_equal(parallel, serial)


def test_read_bvh_files_serial_below_the_threshold_and_processes_above(monkeypatch, tmp_path):
    paths = sorted(shared_path("bandai-namco-1", "data").glob("*.bvh"))[:4]
    serial = [read_bvh(path) for path in paths]
    used = []
    monkeypatch.setattr("skemotion.io._bvh.parallel_map",
                        lambda f, items, n_jobs, prefer: used.append(n_jobs) or parallel_map(f, items, n_jobs,
                                                                                            prefer=prefer))
    small = read_bvh_files(paths, n_jobs=2)  # a few MB: not worth a process
    monkeypatch.setattr("skemotion.io._bvh.MIN_BVH_BYTES_PER_WORKER", 1)
    pooled = read_bvh_files(paths, n_jobs=2)
    assert used == [1, 2]
    for reference, motions in ((serial, small), (serial, pooled)):
        for a, b in zip(reference, motions):
            np.testing.assert_array_equal(a.positions, b.positions)
            assert a.joint_names == b.joint_names and a.frame_time == b.frame_time

    broken = tmp_path / "broken.bvh"
    broken.write_text(paths[0].read_text().replace("MOTION", "MOTON"))
    with pytest.raises(BVHError, match="broken.bvh"):  # raised in a worker process, still names the file
        read_bvh_files([paths[0], broken], n_jobs=2)


def _frames(n, fail_at=None, closed=None):
    try:
        for i in range(n):
            if i == fail_at:
                raise ValueError(f"frame {i} is corrupt")
            yield i
    finally:
        if closed is not None:
            closed.append(True)


def test_prefetched_frames_come_in_order_and_errors_reach_the_caller():
    assert list(prefetched(_frames(50), depth=2)) == list(range(50))
    with pytest.raises(ValueError, match="frame 3 is corrupt"):
        list(prefetched(_frames(10, fail_at=3)))
    closed = []
    frames = prefetched(_frames(1000, closed=closed), depth=2)
    assert next(frames) == 0
    frames.close()  # the consumer stops early: the reader stops and the source is closed (video released)
    assert closed == [True]


def test_pose_workers_follow_the_frames_to_infer(monkeypatch):
    cv2 = pytest.importorskip("cv2")
    videos = [str(shared_path("video", name)) for name in ("tfjs_pose_squats.mp4", "mmpose_demo_street_walking.mp4")]
    claimed = [cv2.VideoCapture(v).get(cv2.CAP_PROP_FRAME_COUNT) for v in videos]
    extractor = PoseExtractor(n_jobs=2, frame_step=2)
    assert extractor._frames_of_work(videos) == pytest.approx(sum(claimed) / 2)
    assert extractor._frames_of_work([np.zeros((10, 4, 4, 3), np.uint8), "photo.jpg"]) == 6  # 10 / 2, one photo
    seen = []
    monkeypatch.setattr("skemotion.pose._extractor.Parallel",
                        lambda n_jobs, **kwargs: seen.append(n_jobs) or (lambda tasks: [t[0](*t[1], **t[2])
                                                                                        for t in tasks]))
    frames = np.zeros((3, 8, 8, 3), np.uint8)
    extractor.set_params(model_asset_path=str(shared_path("models", "pose_landmarker_full.task")), frame_step=1)
    extractor.fit_transform([frames, frames])  # 6 frames: one worker is enough
    monkeypatch.setattr("skemotion.pose._extractor.MIN_FRAMES_PER_WORKER", 3)
    extractor.fit_transform([frames, frames])
    assert seen == [1, 2]


@pytest.fixture
def dask_client():
    """A real cluster: 2 worker processes of 1 thread each (about 3 s to start)."""
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                  memory_limit="2GiB") as cluster, distributed.Client(cluster) as client:
        yield client


@pytest.mark.distributed
def test_cross_validation_and_pose_extraction_on_a_dask_cluster(dask_client):
    """joblib's Dask backend: every fold and every video runs in a worker process; results equal the local run."""
    X, y, groups = _eeg_task()
    model = make_pipeline(EEGBandFeatures(sfreq=200.0), StandardScaler(), LogisticRegression(max_iter=200))
    videos = [str(shared_path("video", name)) for name in ("tfjs_pose_squats.mp4", "mmpose_demo_street_walking.mp4")]
    extractor = PoseExtractor(model_asset_path=str(shared_path("models", "pose_landmarker_full.task")),
                              max_frames=8, n_jobs=2)
    local_scores = cross_val_score(model, X, y, groups=groups, cv=GroupKFold(3))
    local_poses = extractor.set_params(n_jobs=1).fit_transform(videos)
    distributed = pytest.importorskip("distributed")
    with distributed.get_task_stream(dask_client) as stream, parallel_config(backend="dask"):
        scores = cross_val_score(model, X, y, groups=groups, cv=GroupKFold(3), n_jobs=2)
        poses = extractor.set_params(n_jobs=2).fit_transform(videos)
    workers = {task["worker"] for task in stream.data}
    assert len(workers) == 2 and len(stream.data) >= 3 + 2  # the folds and the videos ran on both workers
    np.testing.assert_array_equal(scores, local_scores)
    np.testing.assert_array_equal(poses, local_poses)


def _eeg_task():
    data = make_eeg_emotion(6, 3, epoch_duration=1.0, random_state=0)
    return data.data, data.target, data.groups
