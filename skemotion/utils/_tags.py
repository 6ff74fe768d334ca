"""Domain tags: what skeleton and EEG estimators accept, beside scikit-learn's own input tags."""

from dataclasses import dataclass, fields

from imblearn.utils._tags import InputTags


@dataclass(slots=True)
class SkemotionInputTags(InputTags):
    """scikit-learn's :class:`~sklearn.utils.InputTags` (with imbalanced-learn's ``dataframe`` tag, so that
    samplers keep it) plus the array kinds of this toolkit.

    Parameters
    ----------
    skeleton : bool, default=False
        Accepts skeleton arrays ``(n_samples, n_frames, n_joints, n_dims)`` with NaN for missing joints.
    variable_length : bool, default=False
        Accepts a list of sequences of different lengths.
    eeg : bool, default=False
        Accepts EEG epochs ``(n_epochs, n_channels, n_times)``.
    """

    skeleton: bool = False
    variable_length: bool = False
    eeg: bool = False


def skemotion_input_tags(base, **values):
    """Copy scikit-learn input tags into :class:`SkemotionInputTags` with ``values`` set."""
    tags = SkemotionInputTags(**{f.name: getattr(base, f.name) for f in fields(base)})
    for name, value in values.items():
        setattr(tags, name, value)
    return tags


class SkeletonMixin:
    """Declares skeleton input (ragged lists, NaN for missing joints) in the estimator's tags."""

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags = skemotion_input_tags(
            tags.input_tags, skeleton=True, variable_length=True, allow_nan=True
        )
        return tags


class EEGMixin:
    """Declares EEG input, epochs ``(n_epochs, n_channels, n_times)``, in the estimator's tags."""

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags = skemotion_input_tags(tags.input_tags, eeg=True)
        return tags
