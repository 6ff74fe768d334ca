"""Invariants of every skeleton estimator that scikit-learn's checks cannot see, read from its domain tags.

In the style of pyRiemann's shared fixtures: one synthetic data set, one generic test body per invariant, run
over every estimator of ``all_estimators()`` whose tags declare skeleton input.
"""

import numpy as np
import pytest
from sklearn.base import clone

from skemotion.datasets import make_emotional_gait
from skemotion.skeleton import with_metadata
from skemotion.utils import all_estimators
from skemotion.utils._test_common import SKELETON_INIT_PARAMS
from skemotion.utils.validation import to_skeleton_array


def _tags(cls):
    try:
        return cls().__sklearn_tags__().input_tags
    except TypeError:  # needs a parameter: not a skeleton estimator of this toolkit
        return None


SKELETON_ESTIMATORS = [(name, cls) for name, cls in all_estimators() if getattr(_tags(cls), "skeleton", False)]


def _make(cls):
    return cls(**SKELETON_INIT_PARAMS.get(cls.__name__, {}))


@pytest.fixture(scope="module")
def gaits():
    """12 walks of 4 emotions, 3 of each, carrying layout and frame rate; one class kept small for samplers."""
    gait = make_emotional_gait(12, random_state=0)
    keep = np.r_[np.flatnonzero(gait.target != gait.target[0]), np.flatnonzero(gait.target == gait.target[0])[:2]]
    ragged = [gait.data[i] for i in keep]
    padded = with_metadata(to_skeleton_array(ragged), layout=gait.layout, frame_rate=gait.frame_rate, y_up=True,
                           units="m")
    return ragged, padded, gait.target[keep]


def _output(estimator, X, y):
    if hasattr(estimator, "fit_resample"):
        return estimator.fit_resample(X, y)[0]
    if hasattr(estimator, "transform"):
        return estimator.fit(X, y).transform(X)
    return estimator.fit(X, y).predict_proba(X)


def _as_padded(out):
    return to_skeleton_array(out) if isinstance(out, list) else np.asarray(out)


def test_the_invariants_see_every_skeleton_estimator():
    names = {name for name, _ in SKELETON_ESTIMATORS}
    assert {"SkeletonNormalizer", "KinematicFeatures", "JointDistances", "VelocityGradientSignature",
            "GaitImageEmbedding", "NeuralGasSampler", "ViewAugmenter"} <= names


@pytest.mark.parametrize("name, cls", SKELETON_ESTIMATORS)
def test_a_ragged_list_gives_what_its_padded_array_gives(name, cls, gaits):
    ragged, padded, y = gaits
    if not _tags(cls).variable_length:
        pytest.skip(f"{name} does not declare variable-length input")
    from_list = _as_padded(_output(_make(cls), ragged, y))
    from_array = _as_padded(_output(_make(cls), padded, y))
    width = min(from_list.shape[1], from_array.shape[1]) if from_list.ndim == 4 else None
    if width is not None:  # padding may differ in length; the frames must not
        from_list, from_array = from_list[:, :width], from_array[:, :width]
    np.testing.assert_allclose(from_list, from_array, rtol=1e-6, atol=1e-8, equal_nan=True, err_msg=name)


@pytest.mark.parametrize("name, cls", [(n, c) for n, c in SKELETON_ESTIMATORS if "layout" in c().get_params()])
def test_a_layout_that_does_not_fit_is_refused_by_name(name, cls, gaits):
    ragged, _, y = gaits
    estimator = clone(_make(cls)).set_params(layout="coco17")
    with pytest.raises(ValueError, match="'coco17' has 17 joints but the data has 16"):
        _output(estimator, ragged, y)


@pytest.mark.parametrize("name, cls", [(n, c) for n, c in SKELETON_ESTIMATORS if _tags(c).allow_nan])
def test_a_missing_joint_is_handled_not_propagated_everywhere(name, cls, gaits):
    ragged, _, y = gaits
    holed = [x.copy() for x in ragged]
    holed[0][3, 6] = np.nan  # the left hand, missing in one frame of one walk
    clean = _as_padded(_output(_make(cls), ragged, y))[: len(ragged)]
    out = _as_padded(_output(_make(cls), holed, y))[: len(ragged)]
    defined = ~np.isnan(clean[1:])  # the other walks: defined wherever they were without the hole
    assert np.isfinite(out[1:][defined]).all(), f"{name}: one missing joint made other samples NaN"
    assert np.isfinite(out[0]).any(), f"{name}: one missing joint made the whole first sample NaN"
