"""Emotional motor signatures: distributions of joint velocities compared by the Wasserstein metric.

:class:`VelocityGradientSignature` describes each motion by the empirical distribution of each joint's
speed, velocity or acceleration (as a quantile function); :func:`pairwise_wasserstein` computes exact 1-D
W_p distances between such distributions for every pair at once (:func:`pairwise_sliced_wasserstein`
for multivariate ones); :class:`WassersteinMDS` embeds the distance matrix and places new motions in the
same embedding.
"""

from ..motion._temporal import difference_weights, finite_difference
from ._mds import WassersteinMDS
from ._velocity import VelocityGradientSignature
from ._wasserstein import pairwise_sliced_wasserstein, pairwise_wasserstein, random_directions

__all__ = [
    "VelocityGradientSignature",
    "WassersteinMDS",
    "difference_weights",
    "finite_difference",
    "pairwise_sliced_wasserstein",
    "pairwise_wasserstein",
    "random_directions",
]
