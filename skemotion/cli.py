"""The ``skemotion`` command line: ``demo``, ``benchmark``, ``extract``, ``train`` and ``predict``, each a thin
layer over the library.

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


# GroupKFold(5) by walker needs 5 walkers, and make_emotional_gait gives one walker per 20 gaits (5 per emotion).
DEMO_FOLDS, GAITS_PER_WALKER = 5, 20
# The EEG section of ``skemotion benchmark``: make_eeg_emotion's default SEED-like data.
EEG_SECTION = "Synthetic EEG (make_eeg_emotion)"
DEMO_MIN_SAMPLES = DEMO_FOLDS * GAITS_PER_WALKER


def demo(args):
    """The main job on the embedded default data: synthetic gaits and synthetic EEG, a sampler inside."""
    from .benchmark import eeg_benchmark, make_imbalanced, motion_benchmark, to_markdown
    from .datasets import make_eeg_emotion, make_emotional_gait

    if args.n_samples < DEMO_MIN_SAMPLES:
        raise ValueError(f"demo needs --n-samples of at least {DEMO_MIN_SAMPLES}, got {args.n_samples}: its "
                         f"GroupKFold({DEMO_FOLDS}) by walker needs {DEMO_FOLDS} walkers, and the synthetic data "
                         f"has one walker per {GAITS_PER_WALKER} gaits.")

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
    import time

    from .benchmark import (
        QUICK_SAMPLERS,
        eeg_benchmark,
        make_imbalanced,
        motion_benchmark,
        to_markdown,
        to_record,
        write_report,
    )
    from .datasets import EMOTIONAL_STYLES, load_bandai_namco, make_eeg_emotion

    start = time.perf_counter()
    _check_output_dir(Path(args.output_dir))
    bunch = load_bandai_namco(args.bandai, styles=EMOTIONAL_STYLES, contents="shared", layout="body16",
                              n_jobs=args.n_jobs)
    X, y, groups = bunch.data, bunch.target, bunch.groups
    print(f"Bandai-Namco-1: {len(y)} clips, {len(EMOTIONAL_STYLES)} emotional styles, "
          f"{len(np.unique(groups))} contents performed in every style; GroupKFold(5) by content"
          + (f"; quick run (no networks: CNN, ST-GCN, view-group head, DGCNN; samplers {', '.join(QUICK_SAMPLERS)})"
             if args.quick else "") + "\n")
    options = dict(n_jobs=args.n_jobs, random_state=args.random_state, progress=_progress(args.verbose))
    sections = {}

    print("## All clips (balanced)\n")
    sections["All clips (balanced)"] = motion_benchmark(X, y, groups, bunch.frame_rate, samplers=False,
                                                        cnn=not args.quick, **options)
    print(to_markdown(sections["All clips (balanced)"]))

    keep = make_imbalanced(y, keep=5, majority="normal", random_state=args.random_state)
    print(f"\n## Imbalanced: every 'normal' clip, 5 of 11 of each other style (seed {args.random_state}): "
          f"{len(keep)} clips\n")
    sections["Imbalanced"] = motion_benchmark([X[i] for i in keep], y[keep], groups[keep], bunch.frame_rate,
                                              samplers=list(QUICK_SAMPLERS) if args.quick else True, cnn=False,
                                              **options)
    print(to_markdown(sections["Imbalanced"]))

    eeg = make_eeg_emotion(random_state=args.random_state)
    print(f"\n## {EEG_SECTION}: {len(eeg.target)} epochs of {len(np.unique(eeg.groups))} subjects, "
          f"GroupKFold(5) by subject\n")
    sections[EEG_SECTION] = eeg_benchmark(eeg.data, eeg.target, eeg.groups, eeg.sfreq, ch_names=list(eeg.ch_names),
                                          networks=not args.quick, n_jobs=args.n_jobs,
                                          random_state=args.random_state)
    print(to_markdown(sections[EEG_SECTION]))

    command = (f"skemotion benchmark --bandai {args.bandai} --random-state {args.random_state}"
               + (" --quick" if args.quick else "")
               + (f" --n-jobs {args.n_jobs}" if args.n_jobs is not None else ""))
    # The record (benchmark.json) is what benchmarks/update_tables.py renders the published tables from.
    record = to_record(sections, command, seconds=time.perf_counter() - start)
    markdown, figure = write_report(sections, args.output_dir, header=f"Made by `{command}`.", record=record)
    print(f"\nWrote {markdown}, {figure} and {markdown.with_suffix('.json')}")


def _check_output_dir(folder, names=("benchmark.md", "benchmark.png")):
    """Refuse an output folder that cannot be written now, rather than after the whole benchmark."""
    from .utils._files import check_writable

    existing = next(p for p in (folder, *folder.parents) if p.exists())
    if existing == folder:
        for name in names:
            check_writable(folder / name)
    else:  # the first missing folder must be creatable in the last existing one
        check_writable(existing / folder.relative_to(existing).parts[0])


def extract(args):
    """Pose extraction from videos or photos into an ``.npz`` file (poses, lengths, inputs, frame rates).

    The output is checked before any extraction and written atomically, to exactly the name ``-o`` gives
    (numpy would append ``.npz`` to a name without it). An extraction where every input failed writes nothing
    and exits with status 1.
    """
    from .pose import PoseExtractor
    from .utils._files import atomic_write, check_writable

    check_writable(args.output)
    extractor = PoseExtractor(model_asset_path=args.model, coordinates=args.coordinates, n_jobs=args.n_jobs,
                              on_error="warn", verbose=1)
    poses, lengths = extractor.extract(args.inputs)
    if len(lengths) and not np.any(lengths):
        raise RuntimeError(f"every input failed ({len(lengths)} of {len(lengths)}, see the warnings above); "
                           f"nothing written to {args.output}")
    rates = np.full(len(args.inputs), np.nan) if poses.frame_rate is None else poses.frame_rate
    with atomic_write(args.output, "wb") as fh:  # a file object: numpy writes it under exactly this name
        np.savez_compressed(fh, poses=np.asarray(poses), lengths=lengths, inputs=np.array(args.inputs),
                            frame_rate=rates, layout="mediapipe33", coordinates=args.coordinates, y_up=poses.y_up)
    print(f"Wrote {args.output}: poses {poses.shape} (layout mediapipe33, {args.coordinates} coordinates, "
          f"frame rates {', '.join(f'{r:g}' for r in rates)} fps)")


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

    _check_output_dir(Path(args.output).parent, names=[Path(args.output).name])  # before training, not after
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


def _add_common(sub, *, seeded=True):
    """Options every command shares: parallel jobs, and for the commands that learn, the seed and progress."""
    sub.add_argument("--n-jobs", type=int, default=None, help="parallel jobs (joblib)")
    if seeded:
        sub.add_argument("--random-state", type=int, default=0, help="seed of every random step (default 0)")
        sub.add_argument("-v", "--verbose", action="store_true", help="report each approach as it starts")


def _add_demo(commands):
    sub = commands.add_parser("demo", help="cross-validated table on the embedded synthetic data")
    sub.add_argument("--n-samples", type=int, default=240,
                     help=f"synthetic gaits before imbalancing (at least {DEMO_MIN_SAMPLES})")
    _add_common(sub)
    sub.set_defaults(func=demo)


def _add_benchmark(commands):
    sub = commands.add_parser("benchmark", help="the motion emotion benchmark on Bandai-Namco-1 (and synthetic EEG)")
    sub.add_argument("--bandai", required=True, help="Bandai-Namco-1 folder (with data/ and cfg/)")
    sub.add_argument("-o", "--output-dir", default="benchmark-results", help="where to write table and figure")
    sub.add_argument("--quick", action="store_true",
                     help="a subset that runs in under a minute: no networks (CNN, ST-GCN, view-group head, "
                          "DGCNN), "
                          "only the fast over-samplers")
    _add_common(sub)
    sub.set_defaults(func=benchmark)


def _add_extract(commands):
    sub = commands.add_parser("extract", help="pose extraction from videos or photos")
    sub.add_argument("inputs", nargs="+", help="video or image files")
    sub.add_argument("-o", "--output", required=True, help="output .npz file")
    sub.add_argument("--model", help="MediaPipe pose landmarker .task (else $SKEMOTION_POSE_MODEL or the cache)")
    sub.add_argument("--coordinates", choices=["normalized", "pixels", "world"], default="normalized")
    _add_common(sub, seeded=False)
    sub.set_defaults(func=extract)

def _add_train(commands):
    sub = commands.add_parser("train", help="fit the recommended motion pipeline and save it (.skops)")
    sub.add_argument("--bandai", required=True, help="Bandai-Namco-1 folder (with data/ and cfg/)")
    sub.add_argument("-o", "--output", required=True, help="output model file (.skops)")
    sub.add_argument("--n-jobs", type=int, default=None, help="parallel jobs (joblib)")
    sub.add_argument("--random-state", type=int, default=0, help="seed of the random forest (default 0)")
    sub.set_defaults(func=train)


def _add_predict(commands):
    sub = commands.add_parser("predict", help="emotion probabilities of videos from a saved model")
    sub.add_argument("videos", nargs="+", help="video files")
    sub.add_argument("--model", required=True, help="model file written by `skemotion train` (.skops)")
    sub.add_argument("--pose-model", help="MediaPipe pose landmarker .task (else $SKEMOTION_POSE_MODEL or the cache)")
    sub.add_argument("--trust", action="append", default=[], metavar="TYPE",
                     help="trust this type of the model file (repeat for several); only for files you trust")
    sub.add_argument("--min-frames", type=int, default=4, help="fewest frames with every joint needed")
    sub.add_argument("--min-visibility", type=float, default=0.0,
                     help="landmarks less visible are missing (default 0: keep MediaPipe's estimate of hidden joints)")
    sub.add_argument("--n-jobs", type=int, default=None, help="parallel jobs (joblib)")
    sub.set_defaults(func=predict)


# One function per command: it adds the subparser, its options and the function that runs it. A new command
# is one more ``_add_<name>`` here; every option it declares must reach the code it names (tests/test_cli.py).
COMMANDS = (_add_demo, _add_benchmark, _add_extract, _add_train, _add_predict)


def build_parser():
    parser = argparse.ArgumentParser(prog="skemotion", description="Emotion recognition from motion and EEG.")
    parser.add_argument("--traceback", action="store_true", help="show the full traceback on errors")
    commands = parser.add_subparsers(dest="command", required=True)
    for add in COMMANDS:
        add(commands)
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
