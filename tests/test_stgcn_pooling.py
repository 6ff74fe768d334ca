"""STGCNClassifier's pooling of the last block: the masked mean, and the mean with the temporal std."""

import numpy as np
import pytest
import torch
from numpy.testing import assert_allclose

from skemotion.nn import STGCNClassifier
from skemotion.nn._stgcn import STGCN, masked_pool, spatial_partitions
from skemotion.skeleton import get_layout


def test_mean_and_std_pooling_over_observed_cells():
    rng = np.random.default_rng(0)
    h = rng.standard_normal((3, 2, 7, 4))
    mask = np.ones((3, 1, 7, 4))
    mask[0, :, 5:] = 0  # padding of a shorter sequence
    mask[1, :, :, 2] = 0  # a joint never observed
    mask[2, :, 3, 1] = 0  # one missing cell
    pooled = masked_pool(torch.as_tensor(h), torch.as_tensor(mask), "mean+std").numpy()
    assert pooled.shape == (3, 4)
    for n in range(3):  # numpy on the observed values alone, the reference
        observed = mask[n, 0] > 0
        means = [h[n, c][observed].mean() for c in range(2)]
        stds = [np.mean([h[n, c, observed[:, v], v].std() for v in range(4) if observed[:, v].any()])
                for c in range(2)]
        assert_allclose(pooled[n], means + stds, rtol=1e-6, atol=1e-6)
    assert_allclose(masked_pool(torch.as_tensor(h), torch.as_tensor(mask)).numpy(), pooled[:, :2])
    h_hidden = np.where(mask > 0, h, 1e6)  # the values under the mask do not count
    assert_allclose(masked_pool(torch.as_tensor(h_hidden), torch.as_tensor(mask), "mean+std").numpy(), pooled)


def test_std_pooling_reads_temporal_variation_the_mean_misses():
    """Two sequences of the same mean features, one constant and one alternating, pool apart."""
    h = torch.zeros(2, 1, 4, 1)
    h[1, 0, :, 0] = torch.tensor([-1.0, 1.0, -1.0, 1.0])
    mask = torch.ones(2, 1, 4, 1)
    assert_allclose(masked_pool(h, mask).numpy(), [[0.0], [0.0]])
    assert_allclose(masked_pool(h, mask, "mean+std").numpy(), [[0.0, 1e-4], [0.0, 1.0]], atol=1e-6)


def test_std_pooling_doubles_the_head_and_handles_padding():
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((12, 6, 16, 3)), np.arange(12) % 2
    model = STGCNClassifier(layout="body16", channels=(8,), temporal_kernel=3, max_epochs=2, pooling="mean+std",
                            random_state=0).fit(X, y)
    assert model.module_.head.in_features == 16
    proba = model.predict_proba([x[: 3 + i % 3] for i, x in enumerate(X)])  # ragged: NaN-padded
    assert proba.shape == (12, 2) and np.isfinite(proba).all()


def test_unknown_pooling_is_refused():
    layout = get_layout("body16")
    with pytest.raises(ValueError, match="pooling must be one of"):
        STGCN(3, 2, spatial_partitions(16, layout.bones, 0), pooling="max")
    with pytest.raises(ValueError, match="pooling"):
        STGCNClassifier(layout="body16", pooling="max").fit(np.zeros((4, 5, 16, 3)), [0, 1, 0, 1])
