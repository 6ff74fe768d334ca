"""The emotion benchmarks: the research code's approaches done right, under one grouped cross-validation.

Every approach is one Pipeline, so that everything that learns from data (scalers, embeddings, samplers,
classifiers) is fitted on the training folds only; folds are grouped (by motion content, walker or
subject) so that no group is on both sides; chance (1 / n_classes) and majority-class baselines are scored
under the same folds. Used by ``skemotion demo`` / ``skemotion benchmark`` and ``benchmarks/bench_motion.py``.
"""

import json
import os
import platform
import re
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as package_version
from pathlib import Path

import numpy as np
from imblearn.over_sampling import SMOTE, RandomOverSampler
from imblearn.pipeline import make_pipeline
from sklearn.cluster import KMeans
from sklearn.dummy import DummyClassifier
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score
from sklearn.model_selection import GridSearchCV, GroupKFold, StratifiedKFold, cross_validate
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from .eeg import EEGBandFeatures, EEGPrewhitener
from .metrics import cluster_label_scores
from .motion import GaitImageEmbedding, JointDistances, KinematicFeatures, SkeletonNormalizer
from .nn import (
    BraindecodeClassifier,
    DGCNNClassifier,
    GaitCNNClassifier,
    STGCNClassifier,
    ViewGroupGaitCNNClassifier,
)
from .samplers import GANSampler, NeuralGasSampler, VAESampler, ViewAugmenter
from .signatures import VelocityGradientSignature, WassersteinMDS
from .utils._files import atomic_write

__all__ = ["QUICK_SAMPLERS", "Result", "baselines", "braindecode_network", "clustering", "dgcnn", "eeg_benchmark",
           "environment", "feature_samplers", "from_record", "gait_cnn", "make_imbalanced", "motion_approaches",
           "motion_benchmark", "plot_results", "render_table", "score", "stgcn", "to_markdown", "to_record",
           "update_tables", "view_group_cnn", "write_report"]

# The over-samplers of a quick run (``skemotion benchmark --quick``): the neural generators (VAE, GAN) take
# most of a full run's time, so a quick run keeps the samplers that fit in seconds.
QUICK_SAMPLERS = ("SMOTE", "NeuralGasSampler")

# PosEmotion's seven anchors (nose, shoulders, elbows, wrists) in the common body layout.
POSEMOTION_ANCHORS = ["head", "left_shoulder", "right_shoulder", "left_elbow", "right_elbow", "left_hand",
                      "right_hand"]


@dataclass
class Result:
    """Scores of one approach: one value per fold (a single value for an unsupervised approach)."""

    approach: str
    sampler: str
    accuracy: np.ndarray
    f1_macro: np.ndarray
    seconds: float
    note: str = field(default="")


def motion_approaches(frame_rate, *, random_state=0):
    """The research code's supervised motion approaches, done right, as ``name -> (steps, classifier)``.

    ``steps`` turn skeleton sequences (common body layout) into features; a sampler goes between them and
    the classifier.
    """
    posemotion_svm = GridSearchCV(  # PosEmotion's grid, tuned inside each training fold (nested CV)
        SVC(class_weight="balanced"), {"C": [0.1, 1, 10, 100], "gamma": ["scale", 0.01, 0.001]},
        cv=StratifiedKFold(3, shuffle=True, random_state=random_state))
    return {
        "joint distances + SVM (PosEmotion)": (
            [SkeletonNormalizer(align_yaw=True, n_frames=10),
             JointDistances(anchors=POSEMOTION_ANCHORS, layout="body16", summary="frames"), StandardScaler()],
            posemotion_svm),
        "kinematic features + random forest (neural gas work)": (
            [SkeletonNormalizer(centering="trajectory", align_yaw=True),
             KinematicFeatures(frame_rate=frame_rate, layout="body16")],
            RandomForestClassifier(100, random_state=random_state)),
        "velocity signatures + WassersteinMDS + SVM (EMS)": (
            [SkeletonNormalizer(centering="trajectory"),
             VelocityGradientSignature(frame_rate=frame_rate, n_quantiles=64, layout="body16"),
             WassersteinMDS(n_components=10), StandardScaler()],
            SVC(class_weight="balanced", random_state=random_state)),
    }


def feature_samplers(random_state=0):
    """Over-samplers compared on features: imbalanced-learn's and skemotion's generators."""
    return {
        "RandomOverSampler": RandomOverSampler(random_state=random_state),
        "SMOTE": SMOTE(k_neighbors=1, random_state=random_state),  # a class may have 2 clips in a fold
        "NeuralGasSampler": NeuralGasSampler(random_state=random_state),
        "VAESampler": VAESampler(random_state=random_state),
        "GANSampler": GANSampler(random_state=random_state),
    }


def gait_cnn(views, *, random_state=0):
    """ProxEmo's approach sized for a CPU: gait images and a grouped CNN, optionally on augmented views."""
    steps = [SkeletonNormalizer()]
    if views:
        steps.append(ViewAugmenter(n_views=2, mirror=True, random_state=random_state))
    cnn = GaitCNNClassifier(channels=(8, 16), max_epochs=20, batch_size=32, lr=3e-3, random_state=random_state)
    return make_pipeline(*steps, GaitImageEmbedding(image_size=(32, 16)), cnn)


def stgcn(random_state=0, **params):
    """ST-GCN's recommended pipeline: yaw-aligned skeletons at 6 frames per second (clips keep their
    duration), positions, velocities and bones as input streams (the :class:`~skemotion.nn.STGCNClassifier`
    defaults); ``params`` go to the classifier."""
    return make_pipeline(SkeletonNormalizer(align_yaw=True, frame_rate=6.0),
                         STGCNClassifier(layout="body16", random_state=random_state, **params))


def view_group_cnn(random_state=0, **params):
    """ProxEmo's view-group head on yaw-aligned skeletons; ``params`` go to the classifier."""
    return make_pipeline(SkeletonNormalizer(align_yaw=True),
                         ViewGroupGaitCNNClassifier(random_state=random_state, **params))


def score(name, model, X, y, groups, cv, *, sampler="none", n_jobs=None):
    """Cross-validate one model: accuracy and macro-F1 per fold, and the wall time."""
    start = time.perf_counter()
    scores = cross_validate(model, X, y, groups=groups, cv=cv, scoring=("accuracy", "f1_macro"), n_jobs=n_jobs)
    return Result(name, sampler, scores["test_accuracy"], scores["test_f1_macro"], time.perf_counter() - start)


def baselines(X, y, groups, cv):
    """Chance (1 / n_classes) and the majority class, under the same folds."""
    n_classes = len(np.unique(y))
    chance = np.full(cv.get_n_splits(), 1 / n_classes)
    return [Result("chance (1/K)", "none", chance, chance, 0.0),
            score("majority class", DummyClassifier(strategy="most_frequent"), X, y, groups, cv)]


def clustering(X, y, frame_rate, *, random_state=0):
    """EMS's unsupervised route: signatures, WassersteinMDS, KMeans, scored by one optimal cluster matching."""
    start = time.perf_counter()
    embed = make_pipeline(SkeletonNormalizer(centering="trajectory"),
                          VelocityGradientSignature(frame_rate=frame_rate, n_quantiles=64, layout="body16"),
                          WassersteinMDS(n_components=2))
    clusters = KMeans(len(np.unique(y)), n_init=10, random_state=random_state).fit_predict(embed.fit_transform(X))
    scores = cluster_label_scores(y, clusters, n_permutations=200, random_state=random_state)
    f1 = f1_score(y, scores.y_pred, average="macro")
    return Result("velocity signatures + WassersteinMDS + KMeans (EMS)", "none", np.array([scores.accuracy]),
                  np.array([f1]), time.perf_counter() - start,
                  note=f"Unsupervised, fitted on all samples and scored by one optimal cluster-to-label matching; "
                       f"the matched accuracy of shuffled labels is {scores.chance_accuracy:.3f}, permutation "
                       f"p = {scores.p_value:.3f}.")


def motion_benchmark(X, y, groups, frame_rate, *, samplers=True, cnn=True, n_splits=5, n_jobs=None,
                     random_state=0, progress=None):
    """Every motion approach on the given clips, without and (``samplers=True``) with each over-sampler.

    Parameters
    ----------
    X : list of arrays (n_frames_i, 16, 3)
        Skeleton sequences in the common body layout.
    y, groups : array-like of shape (n_samples,)
        Emotion labels and the groups of ``GroupKFold``.
    frame_rate : float
    samplers : bool or list of str, default=True
        Also run the feature approaches with every over-sampler of :func:`feature_samplers` (or with the
        named ones).
    cnn : bool, default=True
        Include the networks: the gait-image CNN (with and without view augmentation), ST-GCN
        (:func:`stgcn`) and ProxEmo's view-group head (:func:`view_group_cnn`).
    n_splits : int, default=5
    n_jobs : int or None
        Folds run in parallel through joblib.
    random_state : int, default=0
    progress : callable or None
        Called with each approach's name before it runs.

    Returns
    -------
    list of Result
    """
    cv = GroupKFold(n_splits=n_splits)
    report = progress or (lambda name: None)
    results = baselines(X, y, groups, cv)
    available = feature_samplers(random_state)
    chosen = list(available) if samplers is True else list(samplers or [])
    sampler_set = {"none": None, **{name: available[name] for name in chosen}}
    for name, (steps, classifier) in motion_approaches(frame_rate, random_state=random_state).items():
        for sampler_name, sampler in sampler_set.items():
            report(f"{name} [{sampler_name}]")
            model = make_pipeline(*steps, *([sampler] if sampler is not None else []), classifier)
            results.append(score(name, model, X, y, groups, cv, sampler=sampler_name, n_jobs=n_jobs))
    report("clustering")
    results.append(clustering(X, y, frame_rate, random_state=random_state))
    if cnn:
        for views in (False, True):
            report(f"gait CNN{' + views' if views else ''}")
            results.append(score("gait image + CNN (ProxEmo)", gait_cnn(views, random_state=random_state), X, y,
                                 groups, cv, sampler="ViewAugmenter" if views else "none", n_jobs=n_jobs))
        report("ST-GCN")
        results.append(score("ST-GCN (positions, velocities, bones)", stgcn(random_state), X, y, groups, cv,
                             n_jobs=n_jobs))
        report("view-group head")
        results.append(score("gait CNN view-group head (ProxEmo)", view_group_cnn(random_state), X, y, groups,
                             cv, n_jobs=n_jobs))
    return results


def eeg_benchmark(X, y, groups, sfreq, *, ch_names=None, networks=False, n_splits=5, n_jobs=None, random_state=0):
    """DE features and logistic regression, with and without NeuralGasSampler, under subject-grouped folds.

    Parameters
    ----------
    X : ndarray of shape (n_epochs, n_channels, n_times)
    y, groups : array-like of shape (n_samples,)
        Emotion labels and the subjects of ``GroupKFold``.
    sfreq : float
    ch_names : list of str or None, default=None
        Channel names (the electrode layout of DGCNN's initial graph).
    networks : bool, default=False
        Also run DGCNN on the same DE features (:func:`dgcnn`, under a minute for five folds on one core)
        and, where braindecode imports, ShallowFBCSPNet on the prewhitened raw epochs in 1 s crops
        (:func:`braindecode_network`, about three minutes).
    n_splits : int, default=5
    n_jobs : int or None
        Folds run in parallel through joblib.
    random_state : int, default=0

    Returns
    -------
    list of Result
    """
    cv = GroupKFold(n_splits=n_splits)
    results = baselines(X, y, groups, cv)
    features = [EEGBandFeatures(sfreq=sfreq, feature="de"), StandardScaler()]
    classifier = LogisticRegression(max_iter=2000)
    results.append(score("DE + logistic regression", make_pipeline(*features, classifier), X, y, groups, cv,
                         n_jobs=n_jobs))
    model = make_pipeline(*features, NeuralGasSampler(random_state=random_state), classifier)
    results.append(score("DE + logistic regression", model, X, y, groups, cv, sampler="NeuralGasSampler",
                         n_jobs=n_jobs))
    if networks:
        results.append(score("DE + DGCNN", dgcnn(sfreq, ch_names, random_state=random_state), X, y, groups, cv,
                             n_jobs=n_jobs))
        if BraindecodeClassifier._unavailable_reason is None:
            results.append(score("prewhitened EEG + ShallowFBCSPNet (braindecode)",
                                 braindecode_network(sfreq, random_state=random_state), X, y, groups, cv,
                                 n_jobs=n_jobs))
    return results


def dgcnn(sfreq, ch_names=None, *, random_state=0, **params):
    """DGCNN (Song et al. 2018) on differential entropy, its graph initialised from the electrode layout of
    ``ch_names``; ``params`` go to the classifier."""
    ch_names = None if ch_names is None else list(ch_names)
    return make_pipeline(EEGBandFeatures(sfreq=sfreq, ch_names=ch_names),
                         DGCNNClassifier(ch_names=ch_names, random_state=random_state, **params))


def braindecode_network(sfreq, model="ShallowFBCSPNet", *, random_state=0, **params):
    """A braindecode network on raw epochs, as recommended for a few hundred epochs: an order-8
    :class:`~skemotion.eeg.EEGPrewhitener` (fitted on the training fold), then cropped training on windows
    of 1 s (2.5 s for Deep4Net, whose receptive field is 441 samples at braindecode's sizes) half a second
    apart, for 15 passes over the windows; ``params`` go to the classifier."""
    window = int(round((2.5 if model == "Deep4Net" else 1.0) * sfreq))
    params = {"crop_size": window, "crop_stride": int(round(sfreq / 2)), "max_epochs": 15, **params}
    return make_pipeline(EEGPrewhitener(), BraindecodeClassifier(model, random_state=random_state, **params))


def make_imbalanced(y, keep, majority, *, random_state=0):
    """Indices keeping every sample of ``majority`` and ``keep`` samples of every other class.

    The documented imbalance rule of the benchmarks: the other classes are subsampled at random with a fixed
    seed, so that the over-samplers have something to balance.
    """
    rng = np.random.RandomState(random_state)
    y = np.asarray(y)
    kept = [np.flatnonzero(y == majority)]
    for label in np.unique(y[y != majority]):
        members = np.flatnonzero(y == label)
        kept.append(rng.choice(members, size=min(keep, len(members)), replace=False))
    return np.sort(np.concatenate(kept))


def to_markdown(results):
    """A markdown table of the results: mean +- standard deviation over folds."""
    lines = ["| approach | sampler | accuracy | macro-F1 | seconds |", "|---|---|---|---|---|"]
    notes = []
    for r in results:
        name = r.approach
        if r.note:
            notes.append(f"[{len(notes) + 1}] {r.note}")
            name += f" [{len(notes)}]"
        lines.append(f"| {name} | {r.sampler} | {_spread(r.accuracy)} | {_spread(r.f1_macro)} | {r.seconds:.1f} |")
    return "\n".join(lines + ([""] + notes if notes else []))


def _spread(values):
    return f"{values.mean():.3f}" + (f" ± {values.std():.3f}" if values.std() > 0 else "")


def write_report(sections, output_dir, *, header="", record=None):
    """Write ``benchmark.md`` (one table per section) and ``benchmark.png`` (one bar chart per section).

    With ``record`` (from :func:`to_record`) also ``benchmark.json``, the file from which
    ``benchmarks/update_tables.py`` renders the README's and the docs' tables.

    Parameters
    ----------
    sections : dict of str to list of Result
        Section title -> the results of that section, in order.
    output_dir : str or Path
        Created if needed.
    header : str, default=""
        Markdown written above the tables (the command that made them, say).
    record : dict or None, default=None
        The run's record, written as ``benchmark.json``.

    Returns
    -------
    (Path, Path)
        The markdown file and the figure.
    """
    from matplotlib.figure import Figure  # no pyplot: the figure is only saved, never shown

    out = Path(output_dir)
    out.mkdir(parents=True, exist_ok=True)
    tables = [f"## {title}\n\n{to_markdown(results)}\n" for title, results in sections.items()]
    markdown = out / "benchmark.md"
    text = (header + "\n\n" if header else "") + "\n".join(tables)
    with atomic_write(markdown, "w", newline="\n") as f:
        f.write(text)
    sizes = [len(results) for results in sections.values()]
    fig = Figure(figsize=(10, 0.3 * sum(sizes) + 1.25 * len(sizes)))
    axes = fig.subplots(len(sizes), 1, squeeze=False, gridspec_kw={"height_ratios": sizes})[:, 0]
    for ax, (title, results) in zip(axes, sections.items()):
        plot_results(results, ax=ax, title=title)
    figure = out / "benchmark.png"
    with atomic_write(figure, "wb") as f:
        fig.savefig(f, format="png", dpi=120)
    if record is not None:
        with atomic_write(out / "benchmark.json", "w", newline="\n") as f:
            json.dump(record, f, indent=1)
            f.write("\n")
    return markdown, figure


# ---------------------------------------------------------------------------------------------------------
# The recorded run: the published tables are rendered from it, never typed by hand.

_PACKAGES = ("skemotion", "scikit-learn", "imbalanced-learn", "numpy", "scipy", "torch", "skorch", "pot")


def environment():
    """The machine and the versions a run is made on (recorded beside its results).

    Examples
    --------
    >>> from skemotion.benchmark import environment
    >>> sorted(environment())
    ['cpu_count', 'machine', 'python', 'versions']
    """
    versions = {}
    for name in _PACKAGES:
        try:
            versions[name] = package_version(name)
        except PackageNotFoundError:  # a source checkout that is not installed, say
            versions[name] = "not installed"
    return {"python": platform.python_version(), "machine": f"{platform.system()} {platform.machine()}",
            "cpu_count": os.cpu_count(), "versions": versions}


def to_record(sections, command, *, seconds=None, note=""):
    """A JSON-ready record of a run: the command, when, where, its wall time and every fold's scores.

    Parameters
    ----------
    sections : dict of str to list of Result
    command : str
        The command line that made the run.
    seconds : float or None
        The run's wall time.
    note : str, default=""
        Said beside the tables (how the machine was loaded, say).

    Returns
    -------
    dict
    """
    return {
        "command": command, "date": datetime.now(timezone.utc).strftime("%Y-%m-%d"), "seconds": seconds,
        "note": note, "environment": environment(),
        "sections": {title: [{"approach": r.approach, "sampler": r.sampler, "accuracy": list(map(float, r.accuracy)),
                              "f1_macro": list(map(float, r.f1_macro)), "seconds": r.seconds, "note": r.note}
                             for r in results] for title, results in sections.items()},
    }


def from_record(record):
    """The sections of a record (from :func:`to_record` or ``benchmark.json``) as lists of :class:`Result`."""
    return {title: [Result(r["approach"], r["sampler"], np.asarray(r["accuracy"]), np.asarray(r["f1_macro"]),
                           r["seconds"], r.get("note", "")) for r in rows]
            for title, rows in record["sections"].items()}


def _provenance(record):
    env = record["environment"]
    versions = ", ".join(f"{name} {v}" for name, v in env["versions"].items())
    wall = f" in {record['seconds'] / 60:.1f} min" if record.get("seconds") else ""
    note = f" {record['note']}" if record.get("note") else ""
    return (f"Made by `{record['command']}` on {record['date']}{wall} ({env['machine']}, {env['cpu_count']} cores, "
            f"Python {env['python']}; {versions}).{note}")


def render_table(record, section, *, fmt="markdown"):
    """One section of a recorded run as the text published between the markers, provenance first.

    Parameters
    ----------
    record : dict
        A run's record (:func:`to_record`, or ``json.load`` of ``benchmark.json``).
    section : str
        The section's title.
    fmt : {"markdown", "rst"}, default="markdown"

    Returns
    -------
    str
    """
    results = from_record(record)[section]
    provenance = _provenance(record)
    if fmt == "markdown":
        return f"{provenance}\n\n{to_markdown(results)}"
    if fmt != "rst":
        raise ValueError(f"fmt must be 'markdown' or 'rst', got {fmt!r}")
    rows, notes = [], []
    for line in to_markdown(results).splitlines():
        if line.startswith("|") and not line.startswith("|---"):
            rows.append([cell.strip() for cell in line.strip("|").split("|")])
        elif line.startswith("["):
            notes.append(line)
    provenance = re.sub(r"`([^`]*)`", r"``\1``", provenance)
    out = [provenance, "", ".. list-table::", "   :header-rows: 1", ""]
    for row in rows:
        out += [f"   * - {row[0]}"] + [f"     - {cell}" for cell in row[1:]]
    for n in notes:  # each footnote its own paragraph
        out += ["", n]
    return "\n".join(out)


_MARKERS = {"markdown": ("<!-- benchmark-table: {} -->", "<!-- end benchmark-table -->"),
            "rst": (".. benchmark-table: {}", ".. end benchmark-table")}


def update_tables(text, record, *, fmt="markdown"):
    r"""Replace every table between benchmark markers in ``text`` by its rendering from ``record``.

    A table is marked ``<!-- benchmark-table: SECTION -->`` ... ``<!-- end benchmark-table -->`` in markdown
    and ``.. benchmark-table: SECTION`` ... ``.. end benchmark-table`` (comments) in reStructuredText.

    Examples
    --------
    >>> import numpy as np
    >>> from skemotion.benchmark import Result, to_record, update_tables
    >>> record = to_record({"All": [Result("chance (1/K)", "none", np.full(2, .5), np.full(2, .5), 0.0)]}, "cmd")
    >>> text = "<!-- benchmark-table: All -->\nold\n<!-- end benchmark-table -->"
    >>> print(update_tables(text, record).splitlines()[-3])
    | chance (1/K) | none | 0.500 | 0.500 | 0.0 |
    """
    begin, end = _MARKERS[fmt]
    pattern = re.compile(re.escape(begin).replace(r"\{\}", "(.+?)") + r"\n(.*?)" + re.escape(end), re.S)
    sections = record["sections"]

    def render(match):
        title = match.group(1).strip()
        if title not in sections:
            raise ValueError(f"no section {title!r} in the recorded run (it has {sorted(sections)})")
        return f"{begin.format(title)}\n\n{render_table(record, title, fmt=fmt)}\n\n{end}"

    return pattern.sub(render, text)


def plot_results(results, *, ax=None, title=None):
    """Horizontal bars of macro-F1 (mean +- standard deviation over folds), chance as a dashed line."""
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(10, 0.32 * len(results) + 1.2))
    rows = [r for r in results if r.approach != "chance (1/K)"]
    labels = [r.approach + ("" if r.sampler == "none" else f" + {r.sampler}") for r in rows]
    ax.barh(labels, [r.f1_macro.mean() for r in rows], xerr=[r.f1_macro.std() for r in rows], color="tab:blue")
    chance = [r for r in results if r.approach == "chance (1/K)"]
    if chance:
        ax.axvline(chance[0].f1_macro[0], color="k", linestyle="--", label="chance")
        ax.legend(loc="lower right")
    ax.invert_yaxis()
    ax.set_xlabel("macro-F1, grouped cross-validation")
    if title:
        ax.set_title(title)
    ax.figure.tight_layout()
    return ax
