"""Neural networks: torch modules and skorch nets (conditional generators of emotional data)."""

from ._gan import ConditionalDiscriminator, ConditionalGAN, ConditionalGenerator
from ._vae import ConditionalMLPVAE, ConditionalTemporalVAE, ConditionalVAE, NegativeELBO

__all__ = [
    "ConditionalDiscriminator",
    "ConditionalGAN",
    "ConditionalGenerator",
    "ConditionalMLPVAE",
    "ConditionalTemporalVAE",
    "ConditionalVAE",
    "NegativeELBO",
]
