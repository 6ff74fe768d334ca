"""Leakage-free emotion-recognition benchmark on skeleton motion.

Every step that looks at data (normaliser, features, scaler, classifier) sits inside one Pipeline, and the
Pipeline is cross-validated with GroupKFold, so no fold ever sees a test group (a walker of the synthetic
gaits, or a motion content of Bandai-Namco) while fitting. Chance (1 / n_classes) and majority-class
baselines are scored under the same folds.

    python benchmarks/bench_motion.py                                   # embedded synthetic gaits
    python benchmarks/bench_motion.py --bandai ../shared/data/bandai-namco-1
"""

import argparse
import time

import numpy as np
from sklearn.dummy import DummyClassifier
from sklearn.ensemble import RandomForestClassifier
from sklearn.model_selection import GroupKFold, cross_validate
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC

from skemotion.datasets import EMOTIONAL_STYLES, load_bandai_namco, make_emotional_gait
from skemotion.motion import JointDistances, KinematicFeatures, SkeletonNormalizer

ANCHORS = ["head", "left_hand", "right_hand", "left_foot", "right_foot"]


def pipelines(frame_rate, random_state=0):
    """The compared pipelines: kinematic features or joint distances, then SVC or random forest."""
    kinematic = [SkeletonNormalizer(centering="trajectory", align_yaw=True),
                 KinematicFeatures(frame_rate=frame_rate, layout="body16")]
    distances = [SkeletonNormalizer(align_yaw=True, n_frames=32),
                 JointDistances(anchors=ANCHORS, layout="body16", summary="stats")]
    return {
        "kinematic + SVC": make_pipeline(*kinematic, StandardScaler(), SVC(random_state=random_state)),
        "kinematic + RF": make_pipeline(*kinematic, RandomForestClassifier(300, random_state=random_state)),
        "distances + SVC": make_pipeline(*distances, StandardScaler(), SVC(random_state=random_state)),
        "distances + RF": make_pipeline(*distances, RandomForestClassifier(300, random_state=random_state)),
        "majority baseline": DummyClassifier(strategy="most_frequent"),
    }


def load(args):
    if args.bandai:
        bunch = load_bandai_namco(args.bandai, styles=EMOTIONAL_STYLES, contents="shared", layout="body16")
        return "Bandai-Namco-1, 7 emotional styles, GroupKFold by content", bunch.data, bunch.target, \
            bunch.groups, bunch.frame_rate
    gait = make_emotional_gait(args.n_samples, random_state=args.random_state)
    return "synthetic emotional gaits (make_emotional_gait), GroupKFold by walker", gait.data, gait.target, \
        gait.groups, gait.frame_rate


def run(args):
    title, X, y, groups, frame_rate = load(args)
    cv = GroupKFold(n_splits=args.n_splits)
    n_classes = len(np.unique(y))
    print(f"{title}: {len(y)} sequences, {n_classes} classes, {len(np.unique(groups))} groups, "
          f"{args.n_splits} folds\n")
    print(f"| {'pipeline':<20} | accuracy      | macro-F1      | fit+score s |")
    print(f"|{'-' * 22}|---------------|---------------|-------------|")
    print(f"| {'chance (1/K)':<20} | {1 / n_classes:.3f}         | {1 / n_classes:.3f}         |             |")
    for name, model in pipelines(frame_rate, args.random_state).items():
        start = time.perf_counter()
        scores = cross_validate(model, X, y, groups=groups, cv=cv, scoring=("accuracy", "f1_macro"),
                                n_jobs=args.n_jobs)
        elapsed = time.perf_counter() - start
        acc, f1 = scores["test_accuracy"], scores["test_f1_macro"]
        print(f"| {name:<20} | {acc.mean():.3f} ± {acc.std():.3f} | {f1.mean():.3f} ± {f1.std():.3f} | "
              f"{elapsed:11.1f} |")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--bandai", help="Bandai-Namco-1 folder; default: the embedded synthetic gaits")
    parser.add_argument("--n-samples", type=int, default=240, help="synthetic gaits to generate")
    parser.add_argument("--n-splits", type=int, default=5)
    parser.add_argument("--n-jobs", type=int, default=None)
    parser.add_argument("--random-state", type=int, default=0)
    run(parser.parse_args(argv))


if __name__ == "__main__":
    main()
