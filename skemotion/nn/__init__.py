"""Neural networks (PyTorch through skorch) as scikit-learn estimators."""

from ._gait_cnn import GaitCNN, GaitCNNClassifier

__all__ = ["GaitCNN", "GaitCNNClassifier"]
