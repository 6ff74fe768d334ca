"""The field's models beside the feature baselines, under the same leakage-free folds, with CPU times.

Motion (Bandai-Namco-1, 7 emotional styles, GroupKFold(5) by content): ST-GCN and STEP's affective features
beside the joint-distance random forest; MotionVAE latents + a classifier beside velocity signatures +
WassersteinMDS + SVM; ProxEmo's view-group head beside the gait CNN trained on augmented views. EEG
(make_eeg_emotion, 15 subjects, GroupKFold(5) by subject): DGCNN and the toolkit's EEG CNN on differential
entropy, and braindecode's EEGNet, ShallowFBCSPNet and Deep4Net on the raw epochs (whole, in 1 s crops, and
prewhitened in crops), beside differential entropy + logistic regression. Every step sits inside the
cross-validated pipeline; each row prints its mean and standard deviation over the folds, the mean CPU time
of one fit (one torch thread for the networks) and the wall time of fitting and scoring all folds.

    python benchmarks/bench_models.py --bandai ../shared/data/bandai-namco-1
    python benchmarks/bench_models.py --only ST-GCN DGCNN # rows whose names contain these
    python benchmarks/bench_models.py --skip-motion  # the EEG table of docs/models.rst
"""

import argparse
import time

import numpy as np
from sklearn.base import clone
from sklearn.ensemble import RandomForestClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold, cross_validate
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from skemotion.benchmark import braindecode_network, gait_cnn, motion_approaches, stgcn
from skemotion.datasets import EMOTIONAL_STYLES, load_bandai_namco, make_eeg_emotion
from skemotion.eeg import EEGBandFeatures
from skemotion.motion import AffectiveFeatures, JointDistances, SkeletonNormalizer
from skemotion.nn import (
    BraindecodeClassifier,
    DGCNNClassifier,
    EEGCNNClassifier,
    MotionVAE,
    STGCNClassifier,
    ViewGroupGaitCNNClassifier,
)

ANCHORS = ["head", "left_hand", "right_hand", "left_foot", "right_foot"]


def motion_models(frame_rate, random_state=0):
    normalised = [SkeletonNormalizer(align_yaw=True, n_frames=32)]
    ems_steps, ems_svm = motion_approaches(frame_rate, random_state=random_state)[
        "velocity signatures + WassersteinMDS + SVM (EMS)"]
    return {
        "joint distances + RF (reference)": make_pipeline(
            *normalised, JointDistances(anchors=ANCHORS, layout="body16", summary="stats"),
            RandomForestClassifier(300, random_state=random_state)),
        "ST-GCN (recommended: 6 fps, position + velocity + bone)": stgcn(random_state),
        "ST-GCN (original input: positions, 32 frames)": make_pipeline(
            *normalised, STGCNClassifier(layout="body16", inputs=("position",), label_smoothing=0.0,
                                         random_state=random_state)),
        "affective features + RF": make_pipeline(
            SkeletonNormalizer(align_yaw=True), AffectiveFeatures(frame_rate=frame_rate),
            RandomForestClassifier(300, random_state=random_state)),
        "signatures + MDS + SVM (reference)": make_pipeline(*ems_steps, ems_svm),
        "MotionVAE latents + SVM": make_pipeline(
            *normalised, MotionVAE(random_state=random_state), StandardScaler(),
            SVC(class_weight="balanced", random_state=random_state)),
        "MotionVAE latents + RF": make_pipeline(
            *normalised, MotionVAE(random_state=random_state),
            RandomForestClassifier(300, random_state=random_state)),
        "GaitCNN + ViewAugmenter (reference)": gait_cnn(views=True, random_state=random_state),
        "GaitCNN view-group head (ProxEmo)": make_pipeline(
            SkeletonNormalizer(align_yaw=True), ViewGroupGaitCNNClassifier(random_state=random_state)),
    }


def eeg_models(eeg, random_state=0):
    de = EEGBandFeatures(sfreq=eeg.sfreq, ch_names=list(eeg.ch_names))
    models = {
        "DE + logistic regression (reference)": make_pipeline(de, StandardScaler(), LogisticRegression(max_iter=2000)),
        "DE + DGCNN": make_pipeline(de, DGCNNClassifier(ch_names=list(eeg.ch_names), random_state=random_state)),
        # The DE of every band on SEED's 9 x 9 scalp grid, one image per band.
        "DE + EEGCNN (scalp grid)": make_pipeline(de, EEGCNNClassifier(
            arrangement="grid", ch_names=list(eeg.ch_names), torch_threads=1, random_state=random_state)),
    }
    # Whole epochs (braindecode's trialwise training, the wrapper's default); cropped training on windows of
    # 1 s (2.5 s for Deep4Net) half a second apart, 15 epochs; and the same crops after an order-8
    # autoregressive prewhitening filter fitted on the training fold (skemotion.benchmark.braindecode_network).
    for name in ("EEGNet", "ShallowFBCSPNet", "Deep4Net"):
        recommended = braindecode_network(eeg.sfreq, name, random_state=random_state)
        window = recommended[-1].crop_size / eeg.sfreq
        models[f"raw EEG + {name} (whole epochs)"] = BraindecodeClassifier(name, random_state=random_state)
        models[f"raw EEG + {name}, {window:g} s crops"] = clone(recommended[-1])
        models[f"prewhitened + {name}, {window:g} s crops"] = recommended
    return models


def report(title, models, X, y, groups, n_splits, only=None):
    cv = GroupKFold(n_splits=n_splits)
    print(f"\n{title}: {len(y)} samples, {len(np.unique(y))} classes, {len(np.unique(groups))} groups\n")
    print(f"| {'model':<40} | accuracy      | macro-F1      | fit s / fold   | wall s, {n_splits} folds  |")
    print(f"|{'-' * 42}|---------------|---------------|----------------|-----------------|")
    for name, model in models.items():
        if only and not any(part in name for part in only):
            continue
        network = model[-1] if hasattr(model, "steps") else model
        if getattr(network, "_unavailable_reason", None) is not None:
            print(f"| {name:<40} | skipped: braindecode does not import ({network._unavailable_reason[:60]}) |")
            continue
        start = time.perf_counter()
        scores = cross_validate(model, X, y, groups=groups, cv=cv, scoring=("accuracy", "f1_macro"))
        elapsed = time.perf_counter() - start
        acc, f1 = scores["test_accuracy"], scores["test_f1_macro"]
        print(f"| {name:<40} | {acc.mean():.3f} ± {acc.std():.3f} | {f1.mean():.3f} ± {f1.std():.3f} | "
              f"{scores['fit_time'].mean():14.1f} | {elapsed:15.1f} |", flush=True)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bandai", default="../shared/data/bandai-namco-1", help="Bandai-Namco-1 folder")
    parser.add_argument("--skip-motion", action="store_true")
    parser.add_argument("--skip-eeg", action="store_true")
    parser.add_argument("--n-splits", type=int, default=5)
    parser.add_argument("--random-state", type=int, default=0)
    parser.add_argument("--only", nargs="*", help="model names (substrings) to run; default: all")
    args = parser.parse_args(argv)
    if not args.skip_motion:
        bunch = load_bandai_namco(args.bandai, styles=EMOTIONAL_STYLES, contents="shared", layout="body16")
        report("Bandai-Namco-1, 7 emotional styles, GroupKFold by content",
               motion_models(bunch.frame_rate, args.random_state), bunch.data, bunch.target, bunch.groups,
               args.n_splits, args.only)
    if not args.skip_eeg:
        eeg = make_eeg_emotion(random_state=args.random_state)
        report("make_eeg_emotion (15 subjects x 15 trials), GroupKFold by subject",
               eeg_models(eeg, args.random_state), eeg.data, eeg.target, eeg.groups, args.n_splits, args.only)


if __name__ == "__main__":
    main()
