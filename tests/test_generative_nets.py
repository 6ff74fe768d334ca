"""ConditionalVAE and ConditionalGAN skorch nets: the ELBO against torch.distributions, skorch plumbing."""

import numpy as np
import pytest
import torch
from sklearn.base import clone
from sklearn.model_selection import GridSearchCV, StratifiedKFold, cross_val_score
from torch.distributions import Normal, kl_divergence

from skemotion.nn import ConditionalGAN, ConditionalTemporalVAE, ConditionalVAE, NegativeELBO
from skemotion.nn._vae import reconstruction_variance


@pytest.fixture(scope="module")
def two_classes():
    rng = np.random.RandomState(0)
    X = np.vstack([rng.normal(-1, 0.5, (30, 4)), rng.normal(1, 0.5, (30, 4))]).astype(np.float32)
    return X, np.repeat(["sad", "happy"], 30)


def test_negative_elbo_matches_torch_distributions():
    torch.manual_seed(0)
    x, mean = torch.randn(7, 5), torch.randn(7, 5)
    mu, logvar = torch.randn(7, 3), torch.randn(7, 3)
    beta = 0.7
    sigma = ((x - mean) ** 2).mean(dim=0).sqrt()  # per-feature maximum-likelihood scale
    nll = -Normal(mean, sigma).log_prob(x).sum(dim=1)
    kl = kl_divergence(Normal(mu, (0.5 * logvar).exp()), Normal(0.0, 1.0)).sum(dim=1)
    expected = (nll + beta * kl).mean()
    torch.testing.assert_close(NegativeELBO(beta)((mean, mu, logvar), x), expected)


def test_reconstruction_variance_is_per_channel_over_samples_and_frames():
    x = torch.randn(4, 6, 3)
    torch.testing.assert_close(reconstruction_variance(x, torch.zeros_like(x)).reshape(-1),
                               (x**2).mean(dim=(0, 1)))


def test_vae_architecture_follows_the_data_and_sizes_are_fitted_attributes(two_classes):
    X, y = two_classes
    vae = ConditionalVAE(max_epochs=2, random_state=0).fit(X, y)
    assert type(vae.module_).__name__ == "ConditionalMLPVAE" and vae.input_shape_ == (4,)
    assert list(vae.classes_) == ["happy", "sad"]
    sequences = np.random.RandomState(0).normal(size=(10, 12, 6)).astype(np.float32)
    vae = ConditionalVAE(max_epochs=2, module__hidden_channels=8, random_state=0).fit(sequences, np.arange(10) % 2)
    assert isinstance(vae.module_, ConditionalTemporalVAE)
    assert vae.sample([0, 1, 1], random_state=0).shape == (3, 12, 6)
    assert "n_features" not in vae.get_params()  # inferred in fit, not a parameter


def test_vae_decoder_scale_is_the_training_reconstruction_error(two_classes):
    X, y = two_classes
    vae = ConditionalVAE(max_epochs=30, random_state=0).fit(X, y)
    torch.manual_seed(1)
    with torch.no_grad():
        mean, _, _ = vae.module_(torch.as_tensor(X), torch.as_tensor(np.searchsorted(vae.classes_, y)))
    rmse = ((torch.as_tensor(X) - mean) ** 2).mean(dim=0).sqrt()
    # one reparameterised draw apart: the calibration used its own draw
    torch.testing.assert_close(vae.module_.log_scale.exp(), rmse, rtol=0.3, atol=0.0)


def test_gan_trains_both_modules_and_records_both_losses(two_classes):
    X, y = two_classes
    gan = ConditionalGAN(max_epochs=3, random_state=0).fit(X, y)
    assert {"train_loss", "discriminator_loss"} <= set(gan.history[-1])
    untrained = ConditionalGAN(max_epochs=3, random_state=0)
    untrained.input_shape_, untrained.classes_ = (4,), np.array(["happy", "sad"])
    with torch.random.fork_rng():
        torch.manual_seed(0)
        untrained.initialize()
    for name in ("module_", "discriminator_"):
        before = dict(getattr(untrained, name).named_parameters())
        after = dict(getattr(gan, name).named_parameters())
        assert any(not torch.equal(before[k], after[k]) for k in before)


def test_gan_parameters_route_to_the_discriminator_and_grid_search(two_classes):
    X, y = two_classes
    gan = ConditionalGAN(max_epochs=1, discriminator__hidden_sizes=(8,), optimizer_discriminator__lr=0.01,
                         random_state=0).fit(X, y)
    assert gan.discriminator_.net[0].out_features == 8
    assert gan.optimizer_discriminator_.param_groups[0]["lr"] == 0.01
    assert gan.optimizer_.param_groups[0]["betas"] == (0.5, 0.999)
    assert clone(gan).get_params()["discriminator__hidden_sizes"] == (8,)
    base, grid, cv = ConditionalGAN(max_epochs=1, random_state=0), [2, 3], StratifiedKFold(2)
    search = GridSearchCV(base, {"module__latent_dim": grid}, scoring=_final_loss, cv=cv).fit(X, y)
    # Reference: each candidate cross-validated on its own (seeded training, so the same numbers).
    reference = [cross_val_score(clone(base).set_params(module__latent_dim=d), X, y, scoring=_final_loss,
                                 cv=cv).mean() for d in grid]
    np.testing.assert_allclose(search.cv_results_["mean_test_score"], reference)
    assert reference[0] != reference[1]  # the latent size reaches the network
    assert search.best_estimator_.module_.latent_dim == grid[int(np.argmax(reference))]


def _final_loss(estimator, X, y):
    """A score for a generator: minus its last training loss."""
    return -float(estimator.history[-1, "train_loss"])


def test_generators_predict_nothing_and_validate_input(two_classes):
    X, y = two_classes
    gan = ConditionalGAN(max_epochs=1, random_state=0).fit(X, y)
    assert not hasattr(gan, "predict") and not hasattr(gan, "predict_proba")
    with pytest.raises(AttributeError, match="sample"):
        gan.predict(X)
    with pytest.raises(ValueError, match="Unknown class label"):
        gan.sample(["angry"])
    with pytest.raises(ValueError, match="requires y"):
        ConditionalGAN().fit(X)
    with pytest.raises(ValueError, match="dim <= 2 is required"):
        ConditionalGAN().fit(X[:, :, None], y)
    with pytest.raises(ValueError, match="2-D data or 3-D sequences"):
        ConditionalVAE().fit(X[:, :, None, None], y)


def test_partial_fit_continues_the_random_stream(two_classes):
    X, y = two_classes
    once = ConditionalVAE(max_epochs=2, random_state=0).fit(X, y)
    twice = ConditionalVAE(max_epochs=1, random_state=0)
    twice.partial_fit(X, y).partial_fit(X, y)
    for a, b in zip(once.module_.parameters(), twice.module_.parameters()):
        torch.testing.assert_close(a, b)
