"""Does synthetic data help? Over-samplers on an imbalanced Bandai-Namco emotional-style task.

Data: Bandai-Namco-1's 7 emotional styles (``skemotion.datasets.EMOTIONAL_STYLES``), restricted to the 10
contents performed in every style (as in bench_motion.py): 77 clips, 11 per style. Features: joint
distances (``SkeletonNormalizer(align_yaw=True, n_frames=32)`` -> ``JointDistances`` of 5 anchor joints,
mean/std/min/max over time), computed per clip, so nothing is learned across folds.

Imbalance rule: keep every 'normal' clip (11) and, for each other style, ``--keep`` clips (default 5 of
11, i.e. drop 55 %) chosen by ``numpy.random.RandomState(repeat)``, for ``repeat`` in 0 .. ``--repeats``-1.
Evaluation: ``GroupKFold`` by content (no content in both train and test).

1. Classification: macro-F1 of ``imblearn.pipeline.Pipeline([StandardScaler(), sampler, classifier])``
   for no sampler, RandomOverSampler, SMOTE, NeuralGasSampler, VAESampler, GANSampler.
2. Generation quality, against held-out real data, in the same folds: each sampler is fitted on the
   training part only and generates a synthetic set with the training part's class sizes (fit + sample
   wall time measured here, single-threaded). Its samples are compared with the fold's held-out real
   clips (class by class in equal numbers; 8-9 clips per fold, so every number is an average over
   folds and repeats) in one shared feature space fitted on the real training clips only
   (StandardScaler + PCA(4)): Fréchet distance, precision / recall / density / coverage (k=3),
   classifier two-sample AUC (random forest, 3 folds), diversity (of the held-out-sized set; held-out real
   clips' value in the header), multimodality (of the training-sized synthetic set; the real training
   clips' value in the header), and TSTR macro-F1 (the classifier trained on the synthetic set only,
   scored on the held-out real clips). The RandomOverSampler row (copies of real training clips) is the
   floor: held-out contents differ from training contents, so even real clips are not at FD 0 / AUC 0.5.
3. Speed of NeuralGas against the research code's online neural gas (one sample at a time, 50 units,
   50 passes, eps 0.3 -> 0.05, lambda 10 -> 0.1, U[0, 1) initialisation, min-max scaled data;
   PRIOR_WORK.md 1.3), on every frame's pose (16 joints x 3) of the 77 clips, same data, same run.

4. Speed and scaling (``--speed`` runs this part only): NeuralGasSampler against SMOTE (k=5) on
   ``make_classification`` data of 5,000 and 50,000 samples x 20 features (80 / 20 %), fit + sample,
   best of 3, single-threaded; targets: within 5x of SMOTE at 50,000, and 10x the data in <= 12x the time.

    python benchmarks/bench_samplers.py                     # reads ../shared/data/bandai-namco-1
    python benchmarks/bench_samplers.py --speed             # part 4 only, no data needed
    python benchmarks/bench_samplers.py --repeats 1 --epochs 50   # quick look
"""

import argparse
import time
from collections import Counter
from pathlib import Path

import numpy as np
from imblearn.over_sampling import SMOTE, RandomOverSampler
from imblearn.pipeline import Pipeline
from sklearn.decomposition import PCA
from sklearn.metrics import f1_score
from sklearn.metrics.pairwise import euclidean_distances
from sklearn.model_selection import GroupKFold, cross_val_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC
from threadpoolctl import threadpool_limits

from skemotion.cluster import NeuralGas
from skemotion.datasets import EMOTIONAL_STYLES, load_bandai_namco
from skemotion.metrics import (
    classifier_two_sample_auc,
    diversity,
    frechet_distance,
    multimodality,
    precision_recall_density_coverage,
    synthesize,
)
from skemotion.motion import JointDistances, SkeletonNormalizer
from skemotion.samplers import GANSampler, NeuralGasSampler, VAESampler

ANCHORS = ["head", "left_hand", "right_hand", "left_foot", "right_foot"]
EMBEDDING_DIM = 4  # a held-out fold has 8-9 clips: keep the Fréchet covariances estimable
DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "bandai-namco-1"


def load(path):
    """Clips of the contents shared by all 7 emotional styles, their labels, contents and poses."""
    bunch = load_bandai_namco(path, styles=EMOTIONAL_STYLES, contents="shared", layout="body16")
    return bunch.data, bunch.target, bunch.groups


def distance_features(clips):
    """Joint-distance statistics per clip (stateless: fitting learns nothing from the data)."""
    extractor = make_pipeline(SkeletonNormalizer(align_yaw=True, n_frames=32),
                              JointDistances(anchors=ANCHORS, layout="body16", summary="stats"))
    return extractor.fit_transform(clips)


def imbalanced_subset(y, keep, seed):
    """Indices: every 'normal' clip, and ``keep`` random clips of every other style."""
    rng = np.random.RandomState(seed)
    chosen = [np.flatnonzero(y == "normal")]
    for style in sorted(set(y) - {"normal"}):
        chosen.append(rng.choice(np.flatnonzero(y == style), keep, replace=False))
    return np.sort(np.concatenate(chosen))


def samplers(epochs, seed):
    """The compared samplers, with their default parameters (``epochs`` overrides the VAE's and GAN's)."""
    neural = {} if epochs is None else {"max_epochs": epochs}
    return {
        "no sampler": None,
        "RandomOverSampler": RandomOverSampler(random_state=seed),
        # A minority class can have 2 training clips in a fold, so SMOTE can use 1 neighbour only.
        "SMOTE (k=1)": SMOTE(k_neighbors=1, random_state=seed),
        "NeuralGasSampler": NeuralGasSampler(random_state=seed),
        "VAESampler": VAESampler(random_state=seed, **neural),
        "GANSampler": GANSampler(random_state=seed, **neural),
    }


def classifier(seed):
    return SVC(random_state=seed)


def pipeline(sampler, seed):
    return Pipeline([("scale", StandardScaler()), ("sampler", sampler), ("classifier", classifier(seed))])


def balanced_subset(y_synthetic, counts, rng):
    """Indices of ``counts[label]`` random synthetic samples of each label."""
    return np.concatenate([rng.choice(np.flatnonzero(y_synthetic == label), n, replace=False)
                           for label, n in counts.items()])


def generation_run(sampler, X, y, groups, cv, seed):
    """Per fold: fit the sampler on the training part only (timed), then compare its samples with the fold's
    held-out real clips (class by class in equal numbers) and train a classifier on them (TSTR)."""
    rng = np.random.RandomState(seed)
    rows = []
    for train, test in cv.split(X, y, groups):
        scaler = StandardScaler().fit(X[train])
        start = time.perf_counter()
        X_syn, y_syn = synthesize(sampler, scaler.transform(X[train]), y[train])
        elapsed = time.perf_counter() - start
        X_syn = scaler.inverse_transform(X_syn)
        model = make_pipeline(StandardScaler(), classifier(seed)).fit(X_syn, y_syn)
        tstr = f1_score(y[test], model.predict(X[test]), average="macro")
        chosen = balanced_subset(y_syn, Counter(y[test].tolist()), rng)
        # The shared feature space: fitted on the real training clips only.
        embedding = make_pipeline(StandardScaler(), PCA(EMBEDDING_DIM, random_state=0)).fit(X[train])
        rows.append({**quality(X[test], X_syn[chosen], embedding, seed),
                     "multimodality": multimodality(X_syn, y_syn, features=embedding),
                     "TSTR F1": tstr, "fit+sample s": elapsed})
    return rows


def quality(real, synthetic, embedding, seed):
    prdc = precision_recall_density_coverage(real, synthetic, n_neighbors=3, features=embedding)
    return {
        "FD": frechet_distance(real, synthetic, features=embedding),
        **prdc,
        "C2ST AUC": classifier_two_sample_auc(real, synthetic, features=embedding, cv=3, random_state=seed),
        "diversity": diversity(synthetic, features=embedding),
    }


def research_neural_gas(X, n_units=50, n_passes=50, eps=(0.3, 0.05), lam=(10.0, 0.1), seed=0):
    """The research code's online neural gas (PRIOR_WORK.md 1.3): one sample at a time, every unit moved."""
    rng = np.random.RandomState(seed)
    units = rng.rand(n_units, X.shape[1])
    for t in range(n_passes):
        e = eps[0] * (eps[1] / eps[0]) ** (t / n_passes)
        la = lam[0] * (lam[1] / lam[0]) ** (t / n_passes)
        for x in X:
            ranks = np.argsort(np.argsort(np.linalg.norm(units - x, axis=1)))
            units += e * np.exp(-ranks / la)[:, np.newaxis] * (x - units)
    return units


def quantization_error(X, units):
    return euclidean_distances(X, units).min(axis=1).mean()


def neural_gas_speed(clips, seed):
    poses = SkeletonNormalizer(align_yaw=True).fit_transform(clips).reshape(-1, 48)
    poses = poses[~np.isnan(poses).any(axis=1)]
    span = poses.max(axis=0) - poses.min(axis=0)
    X = (poses - poses.min(axis=0)) / np.where(span > 0, span, 1.0)  # min-max scaling, as the research code
    print(f"\n### 3. NeuralGas vs the research code's online neural gas: {len(X)} poses x {X.shape[1]} "
          "coordinates, 50 units\n")
    print("| method                                          | passes | quantisation error | time s | speed-up |")
    print("|-------------------------------------------------|--------|--------------------|--------|----------|")
    start = time.perf_counter()
    units = research_neural_gas(X, seed=seed)
    reference = time.perf_counter() - start
    print(f"| research: online, 1 sample/update, U[0,1) init   |     50 | {quantization_error(X, units):18.4f} | "
          f"{reference:6.2f} |     1.0x |")
    for name, params in [("NeuralGas batch (default schedule)", dict(max_iter=50)),
                         ("NeuralGas batch (default schedule)", dict(max_iter=20)),
                         ("NeuralGas batch, lambda 10 -> 0.1", dict(max_iter=50, lambda_init=10.0, lambda_final=0.1)),
                         ("NeuralGas minibatch (64), eps 0.3 -> 0.05", dict(max_iter=50, algorithm="minibatch",
                                                                            batch_size=64, lr_init=0.3,
                                                                            lr_final=0.05))]:
        start = time.perf_counter()
        gas = NeuralGas(50, random_state=seed, **params).fit(X)
        elapsed = time.perf_counter() - start
        print(f"| {name:<47} | {params['max_iter']:6d} | {gas.quantization_error_[-1]:18.4f} | {elapsed:6.2f} | "
              f"{reference / elapsed:7.1f}x |")


def sampler_speed(sizes=(5_000, 50_000), n_features=20, repeat=3, seed=0):
    from sklearn.datasets import make_classification

    print(f"\n### 4. Fit + sample time, NeuralGasSampler vs SMOTE, n x {n_features} features (80 / 20 %), "
          f"best of {repeat}, 1 thread\n")
    print("| n samples | SMOTE s | NeuralGasSampler s | NeuralGas / SMOTE | NeuralGas time growth |")
    print("|-----------|---------|--------------------|-------------------|-----------------------|")
    previous = None
    for n in sizes:
        X, y = make_classification(n, n_features, n_informative=10, weights=[0.8, 0.2], random_state=seed)
        times = {}
        for name, sampler in (("SMOTE", SMOTE(random_state=seed)), ("NG", NeuralGasSampler(random_state=seed))):
            best = np.inf
            for _ in range(repeat):
                start = time.perf_counter()
                sampler.fit_resample(X, y)
                best = min(best, time.perf_counter() - start)
            times[name] = best
        growth = "" if previous is None else f"{times['NG'] / previous:.1f}x for {n / sizes[0]:.0f}x data"
        previous = previous or times["NG"]
        print(f"| {n:9d} | {times['SMOTE']:7.3f} | {times['NG']:18.3f} | {times['NG'] / times['SMOTE']:16.2f}x | "
              f"{growth:>21} |")


def run(args):
    if args.speed:
        return sampler_speed()
    clips, y_all, groups_all = load(args.bandai)
    X_all = distance_features(clips)
    cv = GroupKFold(n_splits=args.n_splits)
    print(f"Bandai-Namco-1, {len(y_all)} clips, {len(set(y_all))} styles, {len(set(groups_all))} contents; "
          f"imbalanced: all 11 'normal' + {args.keep} of 11 per other style; {args.repeats} repeats x "
          f"GroupKFold({args.n_splits}) by content; features {X_all.shape[1]} joint-distance statistics; "
          f"classifier SVC(RBF); VAE/GAN epochs: {args.epochs or 'defaults'}\n")

    names = list(samplers(args.epochs, args.random_state))
    f1 = {name: [] for name in names}
    gen = {name: [] for name in names[1:]}
    real_stats = []
    for repeat in range(args.repeats):
        subset = imbalanced_subset(y_all, args.keep, repeat)
        X, y, groups = X_all[subset], y_all[subset], groups_all[subset]
        for train, test in cv.split(X, y, groups):
            embedding = make_pipeline(StandardScaler(), PCA(EMBEDDING_DIM, random_state=0)).fit(X[train])
            real_stats.append((diversity(X[test], features=embedding),
                               multimodality(X[train], y[train], features=embedding)))
        for name, sampler in samplers(args.epochs, args.random_state + repeat).items():
            model = pipeline(sampler, args.random_state)
            f1[name] += list(cross_val_score(model, X, y, groups=groups, cv=cv, scoring="f1_macro"))
            if sampler is not None:
                gen[name] += generation_run(sampler, X, y, groups, cv, args.random_state + repeat)
            print(f"  repeat {repeat}: {name} done ({time.strftime('%H:%M:%S')})", flush=True)

    print("\n### 1. Macro-F1 under GroupKFold (samplers inside the imblearn Pipeline)\n")
    print("| sampler            | macro-F1      | gain vs none |")
    print("|--------------------|---------------|--------------|")
    base = np.mean(f1["no sampler"])
    for name in names:
        scores = np.asarray(f1[name])
        print(f"| {name:<18} | {scores.mean():.3f} ± {scores.std():.3f} | {scores.mean() - base:+12.3f} |")

    diversity_real, multimodality_real = np.mean(real_stats, axis=0)
    columns = ["FD", "precision", "recall", "density", "coverage", "C2ST AUC", "diversity", "multimodality",
               "TSTR F1", "fit+sample s"]
    print(f"\n### 2. Synthetic vs held-out real clips, per fold (StandardScaler+PCA({EMBEDDING_DIM}) fitted on the "
          f"real training clips; real data: diversity {diversity_real:.2f} (held-out clips), multimodality "
          f"{multimodality_real:.2f} (training clips, like the synthetic sets'))\n")
    widths = [max(9, len(c)) for c in columns]
    print("| sampler            | " + " | ".join(f"{c:>{w}}" for c, w in zip(columns, widths)) + " | time / SMOTE |")
    print("|--------------------|" + "|".join("-" * (w + 2) for w in widths) + "|--------------|")
    means = {name: {c: np.mean([run[c] for run in runs]) for c in columns} for name, runs in gen.items()}
    smote_time = means["SMOTE (k=1)"]["fit+sample s"]
    for name, row in means.items():
        print(f"| {name:<18} | " + " | ".join(f"{row[c]:{w}.3f}" for c, w in zip(columns, widths))
              + f" | {row['fit+sample s'] / smote_time:11.1f}x |")
    ng_time = means["NeuralGasSampler"]["fit+sample s"]
    print(f"\nNeuralGasSampler: {ng_time / smote_time:.1f}x SMOTE's time (target <= 5x); "
          f"VAESampler {means['VAESampler']['fit+sample s'] / ng_time:.0f}x and GANSampler "
          f"{means['GANSampler']['fit+sample s'] / ng_time:.0f}x slower than NeuralGasSampler (target >= 20x).")
    print(f"Macro-F1 gain: NeuralGasSampler {np.mean(f1['NeuralGasSampler']) - base:+.3f}, "
          f"SMOTE {np.mean(f1['SMOTE (k=1)']) - base:+.3f}.")
    neural_gas_speed(clips, args.random_state)
    sampler_speed()


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bandai", default=str(DEFAULT_DATA), help="Bandai-Namco-1 folder")
    parser.add_argument("--keep", type=int, default=5, help="clips kept per non-'normal' style (of 11)")
    parser.add_argument("--repeats", type=int, default=3, help="random imbalanced subsets")
    parser.add_argument("--n-splits", type=int, default=5)
    parser.add_argument("--epochs", type=int, default=None,
                        help="training epochs of the VAE and the GAN (default: the samplers' defaults)")
    parser.add_argument("--random-state", type=int, default=0)
    parser.add_argument("--speed", action="store_true", help="only part 4, speed and scaling")
    parser.add_argument("--threads", type=int, default=1,
                        help="BLAS threads (1: timings are not disturbed by other processes' load)")
    args = parser.parse_args(argv)
    with threadpool_limits(args.threads):
        run(args)


if __name__ == "__main__":
    main()
