"""GANSampler warns when the fit's losses show that the discriminator won, not only when training was short.

The criterion (skemotion/samplers/_neural_samplers.py): the generator's non-saturating loss, -log D(G(z)), is
ln 2 at the equilibrium; averaged over the last tenth of the epochs above 2 ln 2, the discriminator calls
generated samples real with a geometric-mean probability below 1/4. Both runs below make 1000 updates (past the
update-count warning) on the same data; only the learning rate and the R1 penalty differ.
"""

import warnings

import numpy as np
import pytest
from sklearn.datasets import make_classification

from skemotion.samplers import GANSampler

X, y = make_classification(40, n_features=10, weights=[0.7, 0.3], random_state=0)
UPDATES = dict(max_epochs=200, batch_size=8, random_state=0)  # 5 batches per epoch: 1000 updates


def _final_losses(sampler, n_last=20):
    history = sampler.gan_.history
    return np.mean(history[-n_last:, "train_loss"]), np.mean(history[-n_last:, "discriminator_loss"])


def test_a_run_the_discriminator_won_warns_with_its_losses():
    sampler = GANSampler(lr=1e-2, r1_penalty=0.0, **UPDATES)  # a fast discriminator with no R1 penalty
    with pytest.warns(UserWarning, match=r"GANSampler's discriminator won: over the last 20 epochs the generator's "
                                         r"loss averaged \d+\.\d\d .* Lower lr, raise r1_penalty"):
        sampler.fit_resample(X, y)
    generator, discriminator = _final_losses(sampler)
    # Independent of the warning's code: the losses it read are far from the equilibrium's ln 2 and 2 ln 2.
    assert generator > 2 * np.log(2) and discriminator < np.log(2)


def test_a_balanced_run_of_the_same_length_does_not_warn():
    sampler = GANSampler(**UPDATES)  # the defaults: lr=2e-4, r1_penalty=1
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sampler.fit_resample(X, y)
    generator, discriminator = _final_losses(sampler)
    assert generator == pytest.approx(np.log(2), abs=0.2) and discriminator == pytest.approx(2 * np.log(2), abs=0.2)
