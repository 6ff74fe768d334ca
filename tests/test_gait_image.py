"""GaitImageEmbedding against an element-by-element reference and scipy's interpolation."""

import numpy as np
import pytest
from scipy.interpolate import interp1d

from skemotion.datasets import make_emotional_gait
from skemotion.motion import GaitImageEmbedding


@pytest.fixture(scope="module")
def gait():
    return make_emotional_gait(5, random_state=0)


def _reference_image(sequence, invert=False):
    """Pixel (c, t, j) = min-max scaled coordinate c of joint j at frame t, written out with loops."""
    n_frames, n_joints, n_dims = sequence.shape
    image = np.empty((n_dims, n_frames, n_joints))
    for c in range(n_dims):
        low, high = sequence[:, :, c].min(), sequence[:, :, c].max()
        for t in range(n_frames):
            for j in range(n_joints):
                value = (sequence[t, j, c] - low) / (high - low)
                image[c, t, j] = 1 - value if invert else value
    return image


@pytest.mark.parametrize("invert", [False, True])
def test_pixels_are_scaled_coordinates(gait, invert):
    sequence = gait.data[0][:40]
    image = GaitImageEmbedding(image_size=(40, 16), invert=invert).fit_transform([sequence])[0]
    np.testing.assert_allclose(image, _reference_image(sequence, invert), atol=1e-6)


def test_rows_resample_each_sequence_over_its_own_length(gait):
    sequences = [gait.data[0][:40], gait.data[1][:25]]
    images = GaitImageEmbedding(image_size=(50, 16)).fit_transform(sequences)
    for image, sequence in zip(images, sequences):
        stretched = interp1d(np.arange(len(sequence)), sequence, axis=0)(np.linspace(0, len(sequence) - 1, 50))
        np.testing.assert_allclose(image, _reference_image(stretched), atol=1e-5)


def test_columns_repeat_joints_without_blending(gait):
    sequence = gait.data[0][:30]
    narrow = GaitImageEmbedding(image_size=(30, 16)).fit_transform([sequence])[0]
    wide = GaitImageEmbedding(image_size=(30, 48)).fit_transform([sequence])[0]
    np.testing.assert_array_equal(wide, np.repeat(narrow, 3, axis=-1))


def test_shape_dtype_range_and_flattening(gait):
    embedding = GaitImageEmbedding(image_size=24).fit(gait.data)
    images = embedding.transform(gait.data)
    assert images.shape == (5, 3, 24, 24) and images.dtype == np.float32
    assert images.min() == 0.0 and images.max() == 1.0
    flat = GaitImageEmbedding(image_size=24, flatten=True).fit(gait.data)
    np.testing.assert_array_equal(flat.transform(gait.data), images.reshape(5, -1))
    names = flat.get_feature_names_out()
    assert len(names) == 3 * 24 * 24 and names[0] == "x_r0_c0" and names[-1] == "z_r23_c23"
    assert not hasattr(embedding, "get_feature_names_out")  # 4-D output has no feature names


def test_missing_joints_take_the_fill_value(gait):
    sequence = gait.data[0][:20].copy()
    sequence[5, 3] = np.nan
    image = GaitImageEmbedding(image_size=(20, 16), fill_value=-1.0).fit_transform([sequence])[0]
    np.testing.assert_array_equal(image[:, 5, 3], [-1, -1, -1])
    assert (image[:, np.arange(20) != 5] >= 0).all()


def test_too_narrow_image_is_an_error(gait):
    with pytest.raises(ValueError, match="smaller than the 16 joints"):
        GaitImageEmbedding(image_size=(32, 8)).fit(gait.data)
    with pytest.raises(ValueError, match="image_size"):
        GaitImageEmbedding(image_size=(32, 16, 3)).fit(gait.data)
