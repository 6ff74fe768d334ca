"""The ``skemotion`` command line: ``demo``, ``benchmark`` and ``extract``.

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
