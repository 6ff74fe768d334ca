"""VelocityGradientSignature and WassersteinMDS against closed forms, numpy, scipy and POT."""

import numpy as np
import pytest
from scipy.spatial import procrustes
from scipy.spatial.distance import cdist
from sklearn.model_selection import GroupKFold, cross_val_score
from sklearn.neighbors import KNeighborsClassifier
from sklearn.pipeline import make_pipeline

from skemotion.datasets import make_emotional_gait
from skemotion.motion import SkeletonNormalizer
from skemotion.signatures import (
    VelocityGradientSignature,
    WassersteinMDS,
    pairwise_sliced_wasserstein,
    pairwise_wasserstein,
)
from skemotion.skeleton import difference_weights, finite_difference


@pytest.fixture(scope="module")
def gait():
    return make_emotional_gait(16, random_state=0)


# --------------------------------------------------------------------------------------------- differences
@pytest.mark.parametrize(
    "derivative, accuracy, expected",
    [  # Fornberg (1988), Table 1: central differences
        (1, 2, [-1 / 2, 0, 1 / 2]),
        (1, 4, [1 / 12, -2 / 3, 0, 2 / 3, -1 / 12]),
        (1, 6, [-1 / 60, 3 / 20, -3 / 4, 0, 3 / 4, -3 / 20, 1 / 60]),
        (2, 2, [1, -2, 1]),
        (2, 4, [-1 / 12, 4 / 3, -5 / 2, 4 / 3, -1 / 12]),
        (2, 6, [1 / 90, -3 / 20, 3 / 2, -49 / 18, 3 / 2, -3 / 20, 1 / 90]),
        (1, 1, [-1, 1]),
        (2, 1, [1, -2, 1]),
    ],
)
def test_difference_weights_match_fornbergs_table(derivative, accuracy, expected):
    np.testing.assert_allclose(difference_weights(derivative, accuracy), expected, atol=1e-12)


@pytest.mark.parametrize("accuracy", [2, 4, 6])
def test_central_differences_are_exact_on_polynomials_of_their_order(accuracy):
    t = np.arange(40) / 25.0
    x = sum((k + 1) * t**k for k in range(accuracy + 1))  # degree = accuracy: exact for the first derivative
    dx = sum(k * (k + 1) * t ** (k - 1) for k in range(1, accuracy + 1))
    out = finite_difference(x[np.newaxis], frame_rate=25.0, accuracy=accuracy)[0]
    r = accuracy // 2
    np.testing.assert_allclose(out[r:-r], dx[r:-r], rtol=1e-8)
    assert np.isnan(out[:r]).all() and np.isnan(out[-r:]).all()


def test_speed_quantiles_match_numpy_gradient_and_inverted_cdf(gait):
    frame_rate = gait.frame_rate
    X = gait.data[:3]
    exact = VelocityGradientSignature(frame_rate=frame_rate, n_quantiles=None).fit_transform(X)
    quant = VelocityGradientSignature(frame_rate=frame_rate, n_quantiles=20).fit_transform(X)
    levels = (np.arange(20) + 0.5) / 20
    for i, x in enumerate(X):
        # numpy.gradient's interior is the second-order central difference
        speed = np.linalg.norm(np.gradient(x, 1 / frame_rate, axis=0)[1:-1], axis=-1)  # (T - 2, J)
        for j in range(x.shape[1]):
            reference = np.sort(speed[:, j])
            np.testing.assert_allclose(exact[i, j, : len(reference)], reference, rtol=1e-12)
            assert np.isnan(exact[i, j, len(reference) :]).all()
            reference = np.quantile(speed[:, j], levels, method="inverted_cdf")
            np.testing.assert_allclose(quant[i, j], reference, rtol=1e-12)


def test_constant_velocity_gives_a_point_mass_at_the_speed():
    frames = np.arange(30)[:, None, None] * np.array([[3.0, 4.0, 0.0], [0.0, 0.0, 1.0]])  # (30, 2, 3)
    S = VelocityGradientSignature(frame_rate=10.0, n_quantiles=8).fit_transform([frames])
    np.testing.assert_allclose(S[0], [[50.0] * 8, [10.0] * 8])
    V = VelocityGradientSignature(kind="velocity", frame_rate=10.0, n_quantiles=4).fit_transform([frames])
    np.testing.assert_allclose(V[0, :3], [[30.0] * 4, [40.0] * 4, [0.0] * 4])  # signed, per axis
    A = VelocityGradientSignature(kind="acceleration", frame_rate=10.0, n_quantiles=4).fit_transform([frames])
    np.testing.assert_allclose(A, 0.0, atol=1e-9)


def test_signed_velocity_keeps_negative_values_and_projects(gait):
    signature = VelocityGradientSignature(kind="velocity", frame_rate=gait.frame_rate, n_quantiles=None)
    V = signature.fit_transform(gait.data[:2])
    assert (V[~np.isnan(V)] < 0).any()  # the research code dropped every negative velocity
    projected = VelocityGradientSignature(kind="velocity", frame_rate=gait.frame_rate, n_quantiles=None,
                                          n_projections=5, random_state=0).fit(gait.data[:2])
    P = projected.transform(gait.data[:2])
    velocity = finite_difference(np.asarray(gait.data[0])[np.newaxis], gait.frame_rate)[0, 1:-1]  # (T-2, J, 3)
    along = velocity[:, 4] @ projected.projections_[2]
    np.testing.assert_allclose(P[0, 4 * 5 + 2, : len(along)], np.sort(along), rtol=1e-12)
    assert projected.view_names_[4 * 5 + 2] == "left_shoulder_proj2"  # the layout comes with the data


def test_missing_frames_are_left_out_not_zero_filled():
    rng = np.random.default_rng(0)
    x = np.cumsum(rng.normal(size=(20, 1, 3)), axis=0)
    holed = x.copy()
    holed[10] = np.nan
    out = VelocityGradientSignature(n_quantiles=None, frame_rate=1.0).fit_transform([holed])[0, 0]
    speed = np.linalg.norm((x[2:] - x[:-2]) / 2, axis=-1)[:, 0]  # derivative at frames 1..18
    keep = np.array([t not in (9, 11) for t in range(1, 19)])  # frames 9 and 11 touch the gap
    np.testing.assert_allclose(out[: keep.sum()], np.sort(speed[keep]))
    assert np.isnan(out[keep.sum() :]).all() and not (out == 0).any()


def test_ragged_sequences_are_described_one_by_one(gait):
    signature = VelocityGradientSignature(frame_rate=gait.frame_rate, n_quantiles=16).fit(gait.data)
    short = [gait.data[0][:25], gait.data[1]]
    together = signature.transform(short)
    np.testing.assert_allclose(together[0], signature.transform([short[0]])[0])
    np.testing.assert_allclose(together[1], signature.transform([short[1]])[0])


def test_flattened_quantiles_give_w2_by_euclidean_distance(gait):
    """With k equal-weight quantiles, ||q_u - q_v|| / sqrt(k) is the W_2 distance of the quantised distributions."""
    k = 32
    flat = VelocityGradientSignature(frame_rate=gait.frame_rate, n_quantiles=k, flatten=True, layout="body16")
    F = flat.fit_transform(gait.data[:6])
    S = F.reshape(6, 16, k)
    np.testing.assert_allclose(cdist(S[:, 3], S[:, 3]) / np.sqrt(k), pairwise_wasserstein(S[:, 3], p=2), atol=1e-10)
    names = flat.get_feature_names_out()
    assert len(names) == F.shape[1] and names[k] == "spine_speed_q0"
    assert not hasattr(VelocityGradientSignature().fit(gait.data[:2]), "get_feature_names_out")


def test_quantised_w1_is_within_the_documented_bound(gait):
    exact = VelocityGradientSignature(frame_rate=gait.frame_rate, n_quantiles=None).fit_transform(gait.data[:5])
    for k in (8, 64):
        quant = VelocityGradientSignature(frame_rate=gait.frame_rate, n_quantiles=k).fit_transform(gait.data[:5])
        ranges = np.nanmax(exact[:, 0], axis=1) - np.nanmin(exact[:, 0], axis=1)
        gap = np.abs(pairwise_wasserstein(quant[:, 0]) - pairwise_wasserstein(exact[:, 0]))
        assert (gap <= (ranges[:, None] + ranges[None, :]) / k + 1e-12).all()


@pytest.mark.parametrize(
    "params, message",
    [
        (dict(kind="speed", n_projections=3), "n_projections needs kind='velocity'"),
        (dict(n_quantiles=None, flatten=True), "flatten=True needs n_quantiles"),
        (dict(accuracy=3), "accuracy must be 1"),
    ],
)
def test_signature_rejects_inconsistent_parameters(gait, params, message):
    with pytest.raises(ValueError, match=message):
        VelocityGradientSignature(**params).fit(gait.data[:2])


def test_unobserved_view_warns_and_is_nan():
    x = np.random.default_rng(0).normal(size=(10, 2, 3))
    x[::2, 1] = np.nan  # joint 1 never observed in two consecutive frames
    with pytest.warns(RuntimeWarning, match="view 'joint1_speed'"):
        S = VelocityGradientSignature(accuracy=1, frame_rate=30.0).fit_transform([x])
    assert np.isnan(S[0, 1]).all() and not np.isnan(S[0, 0]).any()
    with pytest.raises(ValueError, match="View 1 of sample 0 has no finite value"):
        WassersteinMDS(n_components=1).fit(np.concatenate([S, S], axis=0))


# --------------------------------------------------------------------------------------------------- MDS
def _location_scale_family(points, n_quantiles=64):
    """Distributions mu + sigma * xi with xi standardised: their W_2 distance is ||(mu, sigma) - (mu', sigma')||."""
    xi = np.sort(np.random.default_rng(0).normal(size=n_quantiles))
    xi = (xi - xi.mean()) / xi.std()
    return points[:, :1] + points[:, 1:] * xi[np.newaxis, :]


@pytest.fixture(scope="module")
def configuration():
    rng = np.random.default_rng(1)
    train = np.column_stack([rng.uniform(-3, 3, 40), rng.uniform(0.5, 4, 40)])
    new = np.column_stack([rng.uniform(-3, 3, 10), rng.uniform(0.5, 4, 10)])
    return train, new


@pytest.mark.parametrize("method", ["classical", "smacof"])
def test_mds_recovers_a_euclidean_configuration_and_places_new_points(configuration, method):
    train, new = configuration
    mds = WassersteinMDS(n_components=2, p=2, method=method, tol=1e-12, max_iter=3000)
    embedding = mds.fit_transform(_location_scale_family(train))
    np.testing.assert_allclose(mds.dissimilarity_matrix_, cdist(train, train), atol=1e-9)
    _, _, disparity = procrustes(train, embedding)
    assert disparity < 1e-12
    # Align the embedding on the true configuration (rotation/reflection + translation, no scaling needed).
    centre_e, centre_t = embedding.mean(0), train.mean(0)
    u, _, vt = np.linalg.svd((embedding - centre_e).T @ (train - centre_t))
    rotation = u @ vt
    placed = (mds.transform(_location_scale_family(new)) - centre_e) @ rotation + centre_t
    np.testing.assert_allclose(placed, new, atol=1e-6 if method == "smacof" else 1e-9)


def test_classical_transform_of_training_samples_reproduces_the_embedding(gait):
    signature = VelocityGradientSignature(kind="velocity", frame_rate=gait.frame_rate, n_quantiles=None)
    S = signature.fit_transform(gait.data)
    mds = WassersteinMDS(n_components=5, p=1).fit(S)  # W_1 summed over 48 views: not Euclidean
    assert mds.eigenvalues_[-1] > 0
    np.testing.assert_allclose(mds.transform(S), mds.embedding_, atol=1e-9)
    np.testing.assert_array_equal(mds.get_feature_names_out(), [f"wassersteinmds{i}" for i in range(5)])


def test_smacof_lowers_the_stress_and_places_training_points_near_their_embedding(gait):
    S = VelocityGradientSignature(frame_rate=gait.frame_rate, n_quantiles=32).fit_transform(gait.data)
    classical = WassersteinMDS(n_components=2).fit(S)
    smacof = WassersteinMDS(n_components=2, method="smacof", tol=1e-10, max_iter=2000).fit(S)
    assert smacof.stress_ < classical.stress_
    scale = np.abs(smacof.embedding_).max()
    np.testing.assert_allclose(smacof.transform(S), smacof.embedding_, atol=1e-3 * scale)


def test_view_combinations(gait):
    S = VelocityGradientSignature(frame_rate=gait.frame_rate, n_quantiles=16).fit_transform(gait.data[:8])
    per_view = np.stack([pairwise_wasserstein(S[:, v], p=1.5) for v in range(S.shape[1])])
    weights = np.linspace(0, 1, S.shape[1])
    for views, expected in [
        ("sum", per_view.sum(0)),
        ("mean", per_view.mean(0)),
        ("power_mean", (per_view**1.5).mean(0) ** (1 / 1.5)),
        (weights, np.tensordot(weights, per_view, axes=1)),
    ]:
        mds = WassersteinMDS(n_components=2, p=1.5, views=views).fit(S)
        np.testing.assert_allclose(mds.dissimilarity_matrix_, expected, atol=1e-12)
    with pytest.raises(ValueError, match="16 non-negative weights"):
        WassersteinMDS(views=[1.0, 2.0]).fit(S)


def test_projected_views_with_power_mean_are_the_sliced_wasserstein_distance(gait):
    """Signature projections + views='power_mean' == sliced W_2 between a joint's 3-D velocity clouds."""
    X = [x[:, [7]] for x in gait.data[:6]]  # one joint
    signature = VelocityGradientSignature(kind="velocity", frame_rate=gait.frame_rate, n_quantiles=None,
                                          n_projections=12, random_state=0)
    mds = WassersteinMDS(n_components=2, p=2, views="power_mean").fit(signature.fit_transform(X))
    clouds = [finite_difference(np.asarray(x)[np.newaxis], gait.frame_rate)[0, 1:-1, 0] for x in X]
    sliced = pairwise_sliced_wasserstein(clouds, p=2, projections=signature.projections_)
    np.testing.assert_allclose(mds.dissimilarity_matrix_, sliced, atol=1e-9)


@pytest.mark.parametrize(
    "X, params, message",
    [
        (np.zeros((1, 4)), {}, "n_samples = 1"),
        (np.zeros((3, 4)), dict(n_components=3), "n_components=3 must be smaller than n_samples=3"),
        (np.zeros((3, 2, 2, 2)), {}, "Reshape your data"),
    ],
)
def test_mds_rejects_bad_input(X, params, message):
    with pytest.raises(ValueError, match=message):
        WassersteinMDS(**params).fit(X)


def test_mds_transform_checks_the_views(gait):
    mds = WassersteinMDS().fit(np.random.default_rng(0).normal(size=(5, 3, 10)))
    with pytest.raises(ValueError, match="2 views, but WassersteinMDS was fitted with 3"):
        mds.transform(np.zeros((2, 2, 10)))


def test_pipeline_fits_the_embedding_per_fold():
    data = make_emotional_gait(60, random_state=1)
    model = make_pipeline(
        SkeletonNormalizer(centering="trajectory"),
        VelocityGradientSignature(frame_rate=data.frame_rate, n_quantiles=32),
        WassersteinMDS(n_components=4),
        KNeighborsClassifier(3),
    )
    scores = cross_val_score(model, data.data, data.target, groups=data.groups, cv=GroupKFold(3))
    assert scores.shape == (3,) and np.isfinite(scores).all()
