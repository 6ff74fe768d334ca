"""Synthetic motion that passes for real? Sequence samplers on Bandai-Namco-1 emotional walks.

Data: Bandai-Namco-1's 7 emotional styles (``skemotion.datasets.EMOTIONAL_STYLES``), ``layout="body16"``,
30 fps, raw clips of their own lengths (no resampling, no normalisation). Two sets:

* ``walks``: the contents with "walk" in the name (walk x 2, walk-back, walk-left, walk-right): 35 clips;
* ``shared``: all 10 contents shared by the 7 styles (walks, run, dash, bow, bye, byebye, guide): 77 clips.

Features (stateless, per clip): ``KinematicFeatures(frame_rate=30, layout="body16")`` (speed, acceleration,
jerk statistics, path length, range per joint) next to ``JointDistances`` of 5 anchor joints (mean, std,
min, max over time).

Compared samplers, all on the raw sequences: NeuralGasSampler (time-aligned mixing in bone space),
SMOTE on flattened sequences (every clip linearly resampled to 64 frames, flattened, SMOTE with
``k = min(5, n_class - 1)``, then each new clip resampled to the length of a random real clip of its class:
what a user would try), VAESampler and GANSampler (``n_frames=64``, default training), and
RandomOverSampler (copies of training clips: the floor, what real training clips score).

1. Realism against held-out clips: ``--repeats`` x ``StratifiedKFold(5)`` over clips (shuffled, by style),
   so every held-out clip's content also occurs in training (for other styles or takes) and the generator
   never saw the clip. Each sampler is fitted on the training part only and generates as many clips per
   class as the training part has. Per fold: two-sample AUC (``classifier_two_sample_auc``, random forest,
   3-fold) of the held-out real clips against the synthetic clips; mean over folds. TSTR: a random forest
   trained on the synthetic clips only predicts the held-out clips' styles; TRTR: trained on the real
   training clips; macro-F1 of the predictions pooled over the 5 folds, mean over repeats. Bone-length
   spread: per synthetic clip and bone, (max - min) / median length over frames; the largest (real clips'
   value in the header). Novelty: distance (standardised features) of each synthetic clip to its nearest
   training clip, divided by the median nearest-neighbour distance among real training clips; the share of
   synthetic clips above 0.3 and quantiles.
2. Speed: fit + sample wall time of each sampler on the training part (single-threaded), and the ratio to
   NeuralGasSampler measured in the same run.
3. Scarcity (``shared`` set): ``GroupKFold(5)`` by content; in each fold 25 / 50 / 100 % of the training
   clips of each class (at least 2; ``--repeats`` random subsets) train the classifier, alone or topped up
   with NeuralGasSampler clips (fitted on the subset only) to the full training count; macro-F1 on the
   held-out contents, mean and standard deviation over folds.

    python benchmarks/bench_synthesis.py                 # reads ../shared/data/bandai-namco-1
    python benchmarks/bench_synthesis.py --repeats 1     # quick look
"""

import argparse
import time
from collections import Counter
from pathlib import Path

import numpy as np
import torch
from imblearn.over_sampling import SMOTE, RandomOverSampler
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import f1_score
from sklearn.model_selection import GroupKFold, StratifiedKFold
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from skemotion.datasets import EMOTIONAL_STYLES, load_bandai_namco
from skemotion.metrics import classifier_two_sample_auc, synthesize
from skemotion.motion import JointDistances, KinematicFeatures
from skemotion.samplers import GANSampler, NeuralGasSampler, VAESampler
from skemotion.skeleton import resample
from skemotion.utils.validation import sequence_lengths, to_skeleton_array

ANCHORS = ["head", "left_hand", "right_hand", "left_foot", "right_foot"]
FRAME_RATE = 30.0
FLAT_FRAMES = 64
DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "bandai-namco-1"


def load(path):
    bunch = load_bandai_namco(path, styles=EMOTIONAL_STYLES, contents="shared", layout="body16")
    clips = [np.asarray(x, dtype=float) for x in bunch.data]
    y, groups = np.asarray(bunch.target).astype(str), np.asarray(bunch.groups).astype(str)
    walks = np.array(["walk" in g for g in groups])
    return {"walks": ([c for c, w in zip(clips, walks) if w], y[walks], groups[walks]),
            "shared": (clips, y, groups)}, np.asarray(bunch.layout.parents)


def features(clips):
    kinematic = KinematicFeatures(frame_rate=FRAME_RATE, layout="body16").fit(clips).transform(clips)
    distances = JointDistances(anchors=ANCHORS, layout="body16", summary="stats").fit(clips).transform(clips)
    return np.nan_to_num(np.hstack([kinematic, distances]))


class FlatSMOTE:
    """SMOTE on flattened sequences (resampled to FLAT_FRAMES), new clips at real lengths of their class."""

    def __init__(self, random_state=0):
        self.random_state = random_state

    def generate(self, clips, y):
        rng = np.random.RandomState(self.random_state)
        X = to_skeleton_array(clips)
        lengths = sequence_lengths(X)
        flat = resample(X, lengths, FLAT_FRAMES).reshape(len(X), -1)
        counts = Counter(y.tolist())
        smote = SMOTE(k_neighbors=min(5, min(counts.values()) - 1), random_state=self.random_state,
                      sampling_strategy={label: 2 * n for label, n in counts.items()})
        new, y_new = smote.fit_resample(flat, y)
        new, y_new = new[len(X):].reshape((-1, FLAT_FRAMES) + X.shape[2:]), y_new[len(X):]
        out = []
        for seq, label in zip(new, y_new):
            n = rng.choice(lengths[y == label])
            out.append(resample(seq[None], np.array([FLAT_FRAMES]), n)[0])
        return out, y_new


def make_samplers(seed, parents, neural=True):
    samplers = {
        "RandomOverSampler (copies)": RandomOverSampler(random_state=seed),
        "SMOTE (flattened)": FlatSMOTE(seed),
        "NeuralGasSampler": NeuralGasSampler(random_state=seed, layout="body16"),
        "VAESampler": VAESampler(random_state=seed, n_frames=FLAT_FRAMES),
        "GANSampler": GANSampler(random_state=seed, n_frames=FLAT_FRAMES),
    }
    if not neural:  # the VAE and GAN take minutes per fold: measured on the walks only
        del samplers["VAESampler"], samplers["GANSampler"]
    return samplers


def generate(sampler, clips, y):
    """Synthetic clips (as many per class as in ``y``) and the fit + sample wall time."""
    start = time.perf_counter()
    if isinstance(sampler, FlatSMOTE):
        new, y_new = sampler.generate(clips, y)
    elif isinstance(sampler, RandomOverSampler):
        index = np.arange(len(clips)).reshape(-1, 1)
        new_index, y_new = synthesize(sampler, index, y)
        new = [clips[i] for i in new_index[:, 0]]
    else:
        new, y_new = synthesize(sampler, clips, y)
    return list(new), np.asarray(y_new), time.perf_counter() - start


def bone_spread(clips, parents):
    spreads = []
    for clip in clips:
        lengths = np.linalg.norm(clip[:, 1:] - clip[:, parents[1:]], axis=-1)
        spreads.append((np.ptp(lengths, axis=0) / np.median(lengths, axis=0)).max())
    return float(np.max(spreads))


def novelty(F_syn, F_train):
    """Nearest-training-clip distance of each synthetic clip / median real-to-real nearest distance.

    Features constant over the real clips (the lengths of bones and their spreads, about 0: every
    Bandai-Namco actor has one rig) are left out: standardised, any change of them would dwarf the others.
    """
    varying = F_train.std(axis=0) > 1e-6 * np.maximum(np.abs(F_train).max(axis=0), 1.0)
    scaler = StandardScaler().fit(F_train[:, varying])
    S, T = scaler.transform(F_syn[:, varying]), scaler.transform(F_train[:, varying])
    real = np.linalg.norm(T[:, None] - T[None], axis=-1)
    np.fill_diagonal(real, np.inf)
    nearest = np.linalg.norm(S[:, None] - T[None], axis=-1).min(axis=1)
    return nearest / np.median(real.min(axis=1))


def forest(seed):
    return RandomForestClassifier(n_estimators=300, random_state=seed)


def realism(clips, y, parents, repeats, neural):
    rows, ratios = {}, {}
    for repeat in range(repeats):
        cv = StratifiedKFold(5, shuffle=True, random_state=repeat)
        pred = {}
        for train, test in cv.split(np.zeros(len(y)), y):
            train_clips = [clips[i] for i in train]
            F_train, F_test = features(train_clips), features([clips[i] for i in test])
            trtr = forest(repeat).fit(F_train, y[train]).predict(F_test)
            pred.setdefault("real (TRTR)", []).append((test, trtr))
            for name, sampler in make_samplers(repeat, parents, neural).items():
                new, y_new, seconds = generate(sampler, train_clips, y[train])
                F_syn = features(new)
                row = rows.setdefault(name, {"auc": [], "spread": [], "novelty": [], "seconds": []})
                row["auc"].append(classifier_two_sample_auc(F_test, F_syn, cv=3, random_state=repeat))
                row["spread"].append(bone_spread(new, parents))
                row["novelty"].append(novelty(F_syn, F_train))
                row["seconds"].append(seconds)
                print(f"  repeat {repeat} {name}: AUC {row['auc'][-1]:.2f}, {seconds:.1f} s", flush=True)
                pred.setdefault(name, []).append((test, forest(repeat).fit(F_syn, y_new).predict(F_test)))
        for name, parts in pred.items():
            y_pred = np.empty(len(y), dtype=object)
            for test, p in parts:
                y_pred[test] = p
            ratios.setdefault(name, []).append(f1_score(y, y_pred.astype(str), average="macro"))
    return rows, {name: float(np.mean(v)) for name, v in ratios.items()}


def scarcity(clips, y, groups, parents, repeats, fractions=(0.25, 0.5, 1.0)):
    scores = {}
    for fold, (train, test) in enumerate(GroupKFold(5).split(np.zeros(len(y)), y, groups)):
        F_test = features([clips[i] for i in test])
        for repeat in range(repeats):
            rng = np.random.RandomState(100 * fold + repeat)
            for fraction in fractions:
                keep = np.concatenate([rng.choice(train[y[train] == c], max(2, round(fraction * np.sum(y[train] == c))),
                                                  replace=False) for c in np.unique(y[train])])
                sub_clips, y_sub = [clips[i] for i in keep], y[keep]
                F_sub = features(sub_clips)
                real_only = f1_score(y[test], forest(repeat).fit(F_sub, y_sub).predict(F_test), average="macro")
                scores.setdefault((fraction, "real only"), {}).setdefault(fold, []).append(real_only)
                top_up = {c: int(np.sum(y[train] == c) - np.sum(y_sub == c)) for c in np.unique(y_sub)}
                if sum(top_up.values()) == 0:
                    continue
                top_up = {c: n for c, n in top_up.items() if n > 0}
                new, y_new = synthesize(NeuralGasSampler(random_state=repeat, layout="body16"), sub_clips, y_sub,
                                        n_per_class=top_up)
                F_all, y_all = np.vstack([F_sub, features(list(new))]), np.r_[y_sub, y_new]
                topped = f1_score(y[test], forest(repeat).fit(F_all, y_all).predict(F_test), average="macro")
                scores.setdefault((fraction, "+ NeuralGas top-up"), {}).setdefault(fold, []).append(topped)
    return {key: [float(np.mean(v)) for v in folds.values()] for key, folds in scores.items()}


def report(name, clips, y, groups, parents, repeats, learning_curve):
    print(f"\n## {name}: {len(y)} clips, {dict(sorted(Counter(y.tolist()).items()))}")
    print(f"real clips' largest bone-length spread: {bone_spread(clips, parents):.3f}")
    rows, f1 = realism(clips, y, parents, repeats, neural=not learning_curve)
    print(f"\nTRTR macro-F1 (random forest, real training clips): {f1['real (TRTR)']:.3f}")
    ng_seconds = np.mean(rows["NeuralGasSampler"]["seconds"])
    print("\n| sampler | 2-sample AUC | TSTR F1 | TSTR/TRTR | bone spread | novelty > 0.3 | novelty q10/q50/q90 "
          "| fit+sample s | x NeuralGas time |")
    print("|---|---|---|---|---|---|---|---|---|")
    for sampler, row in rows.items():
        nov = np.concatenate(row["novelty"])
        seconds = np.mean(row["seconds"])
        print(f"| {sampler} | {np.mean(row['auc']):.3f} +- {np.std(row['auc']):.3f} | {f1[sampler]:.3f} | "
              f"{f1[sampler] / f1['real (TRTR)']:.3f} | {np.max(row['spread']):.2g} | {np.mean(nov > 0.3):.2f} | "
              f"{np.quantile(nov, 0.1):.2f} / {np.median(nov):.2f} / {np.quantile(nov, 0.9):.2f} | "
              f"{seconds:.2f} | {seconds / ng_seconds:.1f} |")
    if learning_curve:
        print("\nScarcity (GroupKFold(5) by content): macro-F1 mean +- std over folds")
        print("\n| real clips per class | real only | + NeuralGas top-up |")
        print("|---|---|---|")
        curve = scarcity(clips, y, groups, parents, repeats)
        for fraction in (0.25, 0.5, 1.0):
            real = curve[(fraction, "real only")]
            top = curve.get((fraction, "+ NeuralGas top-up"))
            top_text = "-" if top is None else f"{np.mean(top):.3f} +- {np.std(top):.3f}"
            print(f"| {fraction:.0%} | {np.mean(real):.3f} +- {np.std(real):.3f} | {top_text} |")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", default=str(DEFAULT_DATA))
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--sets", nargs="+", default=["walks", "shared"], choices=["walks", "shared"])
    args = parser.parse_args()
    sets, parents = load(args.data)
    torch.set_num_threads(1)  # every sampler single-threaded, so the times compare
    with threadpool_limits(1):
        for name in args.sets:
            clips, y, groups = sets[name]
            report(name, clips, y, groups, parents, args.repeats, learning_curve=name == "shared")


if __name__ == "__main__":
    main()
