"""Metrics: scores of clusterings against emotion labels."""

from ._clustering import cluster_label_scores

__all__ = ["cluster_label_scores"]
