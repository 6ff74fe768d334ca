"""Neural networks (torch modules) and their scikit-learn estimators (skorch)."""

from ._eeg_cnn import EEGCNN, EEGCNNClassifier

__all__ = ["EEGCNN", "EEGCNNClassifier"]
