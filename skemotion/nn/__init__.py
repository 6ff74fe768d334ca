"""Neural networks (PyTorch through skorch) as scikit-learn estimators."""

from ._base import ConditionalGenerativeNet, TorchClassifier, TorchNet
from ._conv_gan import ConditionalConvDiscriminator, ConditionalConvGAN, ConditionalConvGenerator
from ._eeg_cnn import EEGCNN, EEGCNNClassifier
from ._gait_cnn import GaitCNN, GaitCNNClassifier
from ._gan import ConditionalDiscriminator, ConditionalGAN, ConditionalGenerator
from ._vae import ConditionalMLPVAE, ConditionalTemporalVAE, ConditionalVAE, NegativeELBO

__all__ = [
    "ConditionalConvDiscriminator",
    "ConditionalConvGAN",
    "ConditionalConvGenerator",
    "ConditionalDiscriminator",
    "ConditionalGAN",
    "ConditionalGenerativeNet",
    "ConditionalGenerator",
    "ConditionalMLPVAE",
    "ConditionalTemporalVAE",
    "ConditionalVAE",
    "EEGCNN",
    "EEGCNNClassifier",
    "GaitCNN",
    "GaitCNNClassifier",
    "NegativeELBO",
    "TorchClassifier",
    "TorchNet",
]
