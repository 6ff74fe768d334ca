"""Committed outputs of the gallery examples too slow to run in every docs build.

``plot_eeg_emotion`` trains two CNNs under five-fold cross-validation and two conditional GANs (one of them
five times, once per fold); ``plot_gait_cnn`` trains two CNNs under five-fold cross-validation, one on four
views of every walk. Each takes a minute or more on two cores, and a smaller run loses its point (measured:
half the views and epochs of ``plot_gait_cnn`` drop its accuracy from 0.42 to 0.28; a quarter of the EEG
epochs with smaller GAN batches drop the GAN's train-on-synthetic accuracy from 0.61 to 0.44, chance 0.33).

Their outputs (page, figures, thumbnail, and the md5 of the source they were made from) live in
``docs/gallery_cache/`` and are copied into ``docs/auto_examples/`` before each build; sphinx-gallery reuses
them as long as the example's md5 matches, and runs the example anew (slowly, but correctly) when it does not.
After changing a cached example, build the docs once (``python -m sphinx -b html docs docs/_build``), run
``python docs/gallery_cache.py`` (or ``python docs/gallery_cache.py GALLERY_DIR NAME ...``) to copy the new
outputs here, and commit them; tests/test_docs.py fails while the cache is older than its example.
"""

import shutil
import sys
from pathlib import Path

CACHED_EXAMPLES = ("plot_eeg_emotion", "plot_gait_cnn")
CACHE = Path(__file__).parent / "gallery_cache"


def _outputs(folder, name):
    """The files sphinx-gallery writes for one example, relative to the gallery folder."""
    patterns = (f"{name}.*", f"images/sphx_glr_{name}_[0-9][0-9][0-9].png", f"images/thumb/sphx_glr_{name}_thumb.png")
    return sorted(path.relative_to(folder) for pattern in patterns for path in folder.glob(pattern))


def restore_gallery_cache(gallery_dir):
    """Copy the cached outputs into ``gallery_dir`` and drop the md5 of every other example, so that
    sphinx-gallery (``run_stale_examples=False``) skips only the cached examples and runs every other anew."""
    gallery_dir = Path(gallery_dir)
    for md5 in gallery_dir.glob("*.py.md5"):
        if md5.name.removesuffix(".py.md5") not in CACHED_EXAMPLES:
            md5.unlink()
    for name in CACHED_EXAMPLES:
        for relative in _outputs(CACHE, name):
            (gallery_dir / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(CACHE / relative, gallery_dir / relative)


def update_gallery_cache(gallery_dir, names=CACHED_EXAMPLES):
    """Copy the outputs of the cached examples ``names`` from a build's ``gallery_dir`` into the cache."""
    gallery_dir = Path(gallery_dir)
    for name in names:
        if name not in CACHED_EXAMPLES:
            raise SystemExit(f"{name} is not one of the cached examples {CACHED_EXAMPLES}")
        files = _outputs(gallery_dir, name)
        if Path(f"{name}.py.md5") not in files:
            raise SystemExit(f"{gallery_dir} holds no run of {name}: build the docs first")
        for old in _outputs(CACHE, name):
            (CACHE / old).unlink()
        for relative in files:
            (CACHE / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(gallery_dir / relative, CACHE / relative)
        print(f"{name}: {len(files)} files copied to {CACHE}")


if __name__ == "__main__":
    # python docs/gallery_cache.py [GALLERY_DIR [NAME ...]]: by default docs/auto_examples, every cached example
    arguments = sys.argv[1:]
    update_gallery_cache(arguments[0] if arguments else Path(__file__).parent / "auto_examples",
                         arguments[1:] or CACHED_EXAMPLES)
