"""Neural networks (PyTorch through skorch) as scikit-learn estimators."""

from ._base import ConditionalGenerativeNet, TorchClassifier, TorchNet
from ._braindecode import BraindecodeClassifier
from ._conv_gan import (
    ConditionalConvDiscriminator,
    ConditionalConvGAN,
    ConditionalConvGenerator,
)
from ._dgcnn import DGCNN, DGCNNClassifier
from ._eeg_cnn import EEGCNN, EEGCNNClassifier
from ._gait_cnn import GaitCNN, GaitCNNClassifier
from ._gan import ConditionalDiscriminator, ConditionalGAN, ConditionalGenerator
from ._motion_vae import MotionVAE, MotionVAEModule
from ._stgcn import STGCN, STGCNClassifier
from ._vae import (
    ConditionalMLPVAE,
    ConditionalTemporalVAE,
    ConditionalVAE,
    NegativeELBO,
)
from ._view_group import ViewGroupGaitCNNClassifier

__all__ = [
    "DGCNN",
    "EEGCNN",
    "STGCN",
    "BraindecodeClassifier",
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
    "DGCNNClassifier",
    "EEGCNNClassifier",
    "GaitCNN",
    "GaitCNNClassifier",
    "MotionVAE",
    "MotionVAEModule",
    "NegativeELBO",
    "STGCNClassifier",
    "TorchClassifier",
    "TorchNet",
    "ViewGroupGaitCNNClassifier",
]
