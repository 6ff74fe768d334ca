"""Neural networks (PyTorch through skorch) as scikit-learn estimators."""

from ._eeg_cnn import EEGCNN, EEGCNNClassifier
from ._gait_cnn import GaitCNN, GaitCNNClassifier

__all__ = [
    "EEGCNN",
    "EEGCNNClassifier",
    "GaitCNN",
    "GaitCNNClassifier",
]
