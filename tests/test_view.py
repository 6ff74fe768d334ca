"""ViewAugmenter: rotations against scipy, mirroring with the layout's left/right swap, training folds only."""

import numpy as np
import pytest
from imblearn.pipeline import make_pipeline
from scipy.spatial.distance import pdist
from scipy.spatial.transform import Rotation
from sklearn.model_selection import GroupKFold, cross_validate
from sklearn.neighbors import KNeighborsClassifier

from skemotion.datasets import make_emotional_gait
from skemotion.motion import GaitImageEmbedding
from skemotion.samplers import ViewAugmenter
from skemotion.samplers._view import yaw_rotation
from skemotion.skeleton import get_layout

BODY16 = get_layout("body16")


@pytest.fixture(scope="module")
def gait():
    data = make_emotional_gait(12, random_state=0)
    data.array = np.stack([x[:30] for x in data.data])
    return data


def test_yaw_rotation_matches_scipy():
    angles = np.array([0.0, 30.0, 90.0, 200.0, -45.0])
    expected = Rotation.from_euler("y", angles[:, None], degrees=True).as_matrix()
    np.testing.assert_allclose(yaw_rotation(angles), expected, atol=1e-12)


def test_rotated_copies(gait):
    X_res, y_res = ViewAugmenter(angles=[30, 250], mirror=False).fit_resample(gait.array, gait.target)
    n = len(gait.array)
    assert X_res.shape == (3 * n,) + gait.array.shape[1:]
    np.testing.assert_array_equal(X_res[:n], gait.array)
    for k, angle in enumerate([30, 250]):
        expected = Rotation.from_euler("y", angle, degrees=True).apply(gait.array.reshape(-1, 3))
        np.testing.assert_allclose(X_res[n + k::2], expected.reshape(gait.array.shape), atol=1e-10)
    np.testing.assert_array_equal(y_res, gait.target[np.r_[np.arange(n), np.repeat(np.arange(n), 2)]])


def test_mirror_swaps_left_and_right(gait):
    augmenter = ViewAugmenter(angles=[0], mirror=True, keep_original=False)
    X_res, _ = augmenter.fit_resample(gait.array, gait.target)
    original, mirrored = X_res[0::2], X_res[1::2]
    np.testing.assert_array_equal(original, gait.array)
    left, right = BODY16.index("left_hand"), BODY16.index("right_hand")
    np.testing.assert_array_equal(mirrored[:, :, left], gait.array[:, :, right] * [-1, 1, 1])
    np.testing.assert_array_equal(mirrored[:, :, 0], gait.array[:, :, 0] * [-1, 1, 1])  # the root stays central
    twice, _ = augmenter.fit_resample(mirrored, gait.target)
    np.testing.assert_array_equal(twice[1::2], gait.array)
    # a mirror image keeps every distance between joints
    np.testing.assert_allclose(pdist(mirrored[0, 0]), pdist(gait.array[0, 0][BODY16.mirror_permutation]))


def test_random_views_are_seeded_and_rigid(gait):
    first, _ = ViewAugmenter(n_views=3, mirror=False, random_state=0).fit_resample(gait.array, gait.target)
    again, _ = ViewAugmenter(n_views=3, mirror=False, random_state=0).fit_resample(gait.array, gait.target)
    other, _ = ViewAugmenter(n_views=3, mirror=False, random_state=1).fit_resample(gait.array, gait.target)
    np.testing.assert_array_equal(first, again)
    assert not np.allclose(first, other)
    n = len(gait.array)
    copies = first[n:].reshape(n, 3, *gait.array.shape[1:])
    np.testing.assert_allclose(copies[..., 1], np.repeat(gait.array[:, None, ..., 1], 3, axis=1))  # y unchanged
    np.testing.assert_allclose(pdist(copies[4, 2, 7]), pdist(gait.array[4, 7]))


def test_scale_and_jitter(gait):
    X = gait.array
    scaled, _ = ViewAugmenter(angles=[0], mirror=False, scale_range=(0.8, 1.2), keep_original=False,
                              random_state=0).fit_resample(X, gait.target)
    ratio = np.linalg.norm(scaled, axis=-1) / np.linalg.norm(X, axis=-1)
    per_copy = ratio.reshape(len(X), -1)
    np.testing.assert_allclose(per_copy, per_copy[:, :1] * np.ones_like(per_copy))  # one factor per copy
    assert ((per_copy >= 0.8) & (per_copy <= 1.2)).all() and per_copy.std() > 0.01
    noisy, _ = ViewAugmenter(angles=[0], mirror=False, jitter_std=0.05, keep_original=False,
                             random_state=0).fit_resample(X, gait.target)
    assert abs(np.std(noisy - X) - 0.05) < 0.002


def test_variable_length_lists_stay_lists(gait):
    X_res, y_res = ViewAugmenter(angles=[90], random_state=0).fit_resample(gait.data, list(gait.target))
    assert isinstance(X_res, list) and len(X_res) == 3 * len(gait.data) == len(y_res)
    lengths = [len(x) for x in gait.data]
    assert [len(x) for x in X_res] == lengths + list(np.repeat(lengths, 2)) and not np.isnan(X_res[-1]).any()


def test_augmentation_happens_in_training_folds_only(gait):
    """In an imblearn Pipeline the classifier is fitted on 3x the training fold and scores the raw test fold."""
    model = make_pipeline(ViewAugmenter(angles=[180], mirror=True, random_state=0),
                          GaitImageEmbedding(image_size=(8, 16), flatten=True), KNeighborsClassifier(1))
    groups = np.arange(len(gait.array)) % 4
    scores = cross_validate(model, gait.array, gait.target, groups=groups, cv=GroupKFold(4),
                            return_estimator=True, return_indices=True)
    for fitted, train in zip(scores["estimator"], scores["indices"]["train"]):
        assert fitted[-1].n_samples_fit_ == 3 * len(train)
    assert len(model.fit(gait.array, gait.target).predict(gait.array)) == len(gait.array)


def test_rotation_needs_three_coordinates(gait):
    with pytest.raises(ValueError, match="3 coordinates"):
        ViewAugmenter(layout=None).fit_resample(gait.array[..., :2], gait.target)
    with pytest.raises(ValueError, match="the data has 16"):
        ViewAugmenter(layout="coco17").fit_resample(gait.array, gait.target)
    with pytest.raises(ValueError, match="scale_range"):
        ViewAugmenter(scale_range=(1.2, 0.8)).fit_resample(gait.array, gait.target)
