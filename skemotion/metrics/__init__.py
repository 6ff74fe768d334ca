"""Metrics: clusterings against emotion labels, quality of synthetic data (feature vectors, motion, EEG
spectra) against real data, and train/test protocols on synthetic data."""

from ._clustering import cluster_label_scores
from ._eeg import band_power_distance
from ._generation import (
    classifier_two_sample_auc,
    diversity,
    embed,
    frechet_distance,
    gaussian_frechet_distance,
    multimodality,
    precision_recall_density_coverage,
)
from ._tstr import synthesize, trts_score, tstr_score

__all__ = [
    "band_power_distance",
    "classifier_two_sample_auc",
    "cluster_label_scores",
    "diversity",
    "embed",
    "frechet_distance",
    "gaussian_frechet_distance",
    "multimodality",
    "precision_recall_density_coverage",
    "synthesize",
    "trts_score",
    "tstr_score",
]
