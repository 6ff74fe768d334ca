"""The ``skemotion`` command line: ``demo``, ``benchmark``, ``extract``, ``train`` and ``predict``.

Errors are reported as one line (``skemotion: error: ...``, exit status 1); ``--traceback`` shows the
whole traceback instead.
"""

import argparse
import sys
from pathlib import Path

import numpy as np


def _counts(labels):
    values, counts = np.unique(labels, return_counts=True)
    return ", ".join(f"{value} {count}" for value, count in zip(values, counts))


def _progress(verbose):
    return (lambda name: print(f"  running {name} ...", file=sys.stderr, flush=True)) if verbose else None


def demo(args):
    """The main job on the embedded default data: synthetic gaits and synthetic EEG, a sampler inside."""
    from .benchmark import eeg_benchmark, make_imbalanced, motion_benchmark, to_markdown
    from .datasets import make_eeg_emotion, make_emotional_gait

    gait = make_emotional_gait(args.n_samples, random_state=args.random_state)
    keep = make_imbalanced(gait.target, keep=args.n_samples // 12, majority="neutral",
                           random_state=args.random_state)
    X, y, groups = [gait.data[i] for i in keep], gait.target[keep], gait.groups[keep]
    print(f"Motion: {len(y)} synthetic gaits of {len(np.unique(groups))} walkers, made imbalanced "
          f"({_counts(y)}), GroupKFold(5) by walker\n")
    results = motion_benchmark(X, y, groups, gait.frame_rate, samplers=["SMOTE", "NeuralGasSampler"], cnn=False,
                               n_jobs=args.n_jobs, random_state=args.random_state, progress=_progress(args.verbose))
    print(to_markdown(results))

    eeg = make_eeg_emotion(n_subjects=10, n_trials=15, random_state=args.random_state)
    keep = make_imbalanced(eeg.target, keep=25, majority="neutral", random_state=args.random_state)
    print(f"\nEEG: {len(keep)} synthetic SEED-like epochs ({eeg.data.shape[1]} channels, {eeg.sfreq:g} Hz) of "
          f"{len(np.unique(eeg.groups))} subjects, made imbalanced "
          f"({_counts(eeg.target[keep])}), GroupKFold(5) by subject\n")
    print(to_markdown(eeg_benchmark(eeg.data[keep], eeg.target[keep], eeg.groups[keep], eeg.sfreq,
                                    n_jobs=args.n_jobs, random_state=args.random_state)))


def benchmark(args):
    """The motion emotion benchmark on a Bandai-Namco folder; writes a markdown table and a figure."""
    import matplotlib

    matplotlib.use("Agg")
    from .benchmark import make_imbalanced, motion_benchmark, plot_results, to_markdown
    from .datasets import EMOTIONAL_STYLES, load_bandai_namco

    bunch = load_bandai_namco(args.bandai, styles=EMOTIONAL_STYLES, contents="shared", layout="body16",
                              n_jobs=args.n_jobs)
    X, y, groups = bunch.data, bunch.target, bunch.groups
    print(f"Bandai-Namco-1: {len(y)} clips, {len(EMOTIONAL_STYLES)} emotional styles, "
          f"{len(np.unique(groups))} contents performed in every style; GroupKFold(5) by content\n")
    print("## All clips (balanced)\n")
    balanced = motion_benchmark(X, y, groups, bunch.frame_rate, samplers=False, n_jobs=args.n_jobs,
                                progress=_progress(args.verbose))
    print(to_markdown(balanced))

    keep = make_imbalanced(y, keep=5, majority="normal")
    print(f"\n## Imbalanced: every 'normal' clip, 5 of 11 of each other style (seed 0): {len(keep)} clips\n")
    imbalanced = motion_benchmark([X[i] for i in keep], y[keep], groups[keep], bunch.frame_rate, cnn=False,
                                  n_jobs=args.n_jobs, progress=_progress(args.verbose))
    print(to_markdown(imbalanced))

    out = Path(args.output_dir)
    out.mkdir(parents=True, exist_ok=True)
    (out / "benchmark.md").write_text(
        "## All clips (balanced)\n\n" + to_markdown(balanced) + "\n\n## Imbalanced\n\n" + to_markdown(imbalanced) + "\n")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, 1, figsize=(10, 0.3 * (len(balanced) + len(imbalanced)) + 2.5),
                             gridspec_kw={"height_ratios": [len(balanced), len(imbalanced)]})
    plot_results(balanced, ax=axes[0], title="Bandai-Namco-1, 7 emotional styles: all clips")
    plot_results(imbalanced, ax=axes[1], title="Imbalanced subset, with and without over-samplers")
    fig.savefig(out / "benchmark.png", dpi=120)
    print(f"\nWrote {out / 'benchmark.md'} and {out / 'benchmark.png'}")


def extract(args):
    """Pose extraction from videos or photos into an ``.npz`` file (poses, lengths, inputs)."""
    from .pose import PoseExtractor

    extractor = PoseExtractor(model_asset_path=args.model, coordinates=args.coordinates, n_jobs=args.n_jobs,
                              on_error="warn", verbose=1)
    poses, lengths = extractor.extract(args.inputs)
    np.savez_compressed(args.output, poses=poses, lengths=lengths, inputs=np.array(args.inputs),
                        layout="mediapipe33", coordinates=args.coordinates)
    print(f"Wrote {args.output}: poses {poses.shape} (layout mediapipe33, {args.coordinates} coordinates)")


def recommended_pipeline(random_state=0):
    """The README's motion pipeline: normalised skeletons, joint distances, a random forest."""
    from sklearn.ensemble import RandomForestClassifier
    from sklearn.pipeline import make_pipeline

    from .motion import JointDistances, SkeletonNormalizer

    return make_pipeline(SkeletonNormalizer(layout="body16", align_yaw=True, n_frames=32),
                         JointDistances(anchors=["head", "left_hand", "right_hand"], layout="body16"),
                         RandomForestClassifier(random_state=random_state))


def train(args):
    """Fit the recommended pipeline on Bandai-Namco-1's 7 emotional styles and save it as a ``.skops`` file."""
    from .datasets import EMOTIONAL_STYLES, load_bandai_namco
    from .io import save_model

    bunch = load_bandai_namco(args.bandai, styles=EMOTIONAL_STYLES, contents="shared", layout="body16",
                              n_jobs=args.n_jobs)
    model = recommended_pipeline(args.random_state).fit(bunch.data, bunch.target)
    save_model(model, args.output)
    print(f"Trained on {len(bunch.target)} Bandai-Namco-1 clips ({_counts(bunch.target)}); wrote {args.output}")


def _usable_frames(poses):
    """The frames of one video in the common layout, keeping those where every common joint is seen."""
    from .skeleton import convert_layout

    body = convert_layout(poses, "mediapipe33")
    return body[~np.isnan(body).any(axis=(1, 2))]


def predict(args):
    """Each video's emotion probabilities from a model saved by ``train`` (or :func:`skemotion.io.save_model`)."""
    from .io import load_model
    from .pose import PoseExtractor

    model = load_model(args.model, trusted=args.trust)  # refused before pose extraction starts
    extractor = PoseExtractor(model_asset_path=args.pose_model, coordinates="world", on_error="warn",
                              min_visibility=args.min_visibility, n_jobs=args.n_jobs)
    poses, lengths = extractor.extract(args.videos)
    predicted = 0
    for video, sequence, length in zip(args.videos, poses, lengths):
        frames = _usable_frames(sequence[:length])
        if len(frames) < args.min_frames:
            print(f"{video}: no prediction: {len(frames)} of {length} frames show every joint (at least "
                  f"{args.min_frames} needed; a lower --min-visibility keeps MediaPipe's estimate of hidden joints)")
            continue
        proba = model.predict_proba([frames])[0]
        order = np.argsort(proba)[::-1]
        print(f"{video}: " + ", ".join(f"{model.classes_[k]} {proba[k]:.2f}" for k in order))
        predicted += 1
    if not predicted:
        raise RuntimeError("no video could be predicted.")


def build_parser():
    parser = argparse.ArgumentParser(prog="skemotion", description="Emotion recognition from motion and EEG.")
    parser.add_argument("--traceback", action="store_true", help="show the full traceback on errors")
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("demo", help="cross-validated table on the embedded synthetic data")
    run.add_argument("--n-samples", type=int, default=240, help="synthetic gaits before imbalancing")
    run.set_defaults(func=demo)

    bench = commands.add_parser("benchmark", help="the motion emotion benchmark on Bandai-Namco-1")
    bench.add_argument("--bandai", required=True, help="Bandai-Namco-1 folder (with data/ and cfg/)")
    bench.add_argument("-o", "--output-dir", default="benchmark-results", help="where to write table and figure")
    bench.set_defaults(func=benchmark)

    ext = commands.add_parser("extract", help="pose extraction from videos or photos")
    ext.add_argument("inputs", nargs="+", help="video or image files")
    ext.add_argument("-o", "--output", required=True, help="output .npz file")
    ext.add_argument("--model", help="MediaPipe pose landmarker .task (else $SKEMOTION_POSE_MODEL or the cache)")
    ext.add_argument("--coordinates", choices=["normalized", "pixels", "world"], default="normalized")
    ext.set_defaults(func=extract)

    fit = commands.add_parser("train", help="fit the recommended motion pipeline and save it (.skops)")
    fit.add_argument("--bandai", required=True, help="Bandai-Namco-1 folder (with data/ and cfg/)")
    fit.add_argument("-o", "--output", required=True, help="output model file (.skops)")
    fit.add_argument("--n-jobs", type=int, default=None, help="parallel jobs (joblib)")
    fit.add_argument("--random-state", type=int, default=0)
    fit.set_defaults(func=train)

    pred = commands.add_parser("predict", help="emotion probabilities of videos from a saved model")
    pred.add_argument("videos", nargs="+", help="video files")
    pred.add_argument("--model", required=True, help="model file written by `skemotion train` (.skops)")
    pred.add_argument("--pose-model", help="MediaPipe pose landmarker .task (else $SKEMOTION_POSE_MODEL or the cache)")
    pred.add_argument("--trust", action="append", default=[], metavar="TYPE",
                      help="trust this type of the model file (repeat for several); only for files you trust")
    pred.add_argument("--min-frames", type=int, default=4, help="fewest frames with every joint needed")
    pred.add_argument("--min-visibility", type=float, default=0.0,
                      help="landmarks less visible are missing (default 0: keep MediaPipe's estimate of hidden joints)")
    pred.add_argument("--n-jobs", type=int, default=None, help="parallel jobs (joblib)")
    pred.set_defaults(func=predict)

    for sub in (run, bench, ext):
        sub.add_argument("--n-jobs", type=int, default=None, help="parallel jobs (joblib)")
        if sub is not ext:
            sub.add_argument("--random-state", type=int, default=0)
            sub.add_argument("-v", "--verbose", action="store_true", help="report each approach as it starts")
    return parser


def main(argv=None):
    """Run the command line; returns the exit status."""
    args = build_parser().parse_args(argv)
    try:
        args.func(args)
    except KeyboardInterrupt:
        print("skemotion: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # one clear line for the user; --traceback for the details
        if args.traceback:
            raise
        print(f"skemotion: error: {exc}", file=sys.stderr)
        return 1
    return 0
