"""Committed outputs of the gallery examples too slow to run in every docs build.

``plot_eeg_emotion`` trains two CNNs under five-fold cross-validation and two conditional GANs (one of them
five times, once per fold); smaller data or fewer epochs would leave its train-on-synthetic comparison
meaningless, and it takes over a minute on two cores. Its outputs (page, figures, thumbnail, the md5 of the
source they were made from) live in ``docs/gallery_cache/`` and are copied into ``docs/auto_examples/`` before
each build; sphinx-gallery then reuses them as long as the example's md5 matches, and runs the example anew
(slowly, but correctly) when it does not.

After changing a cached example, build the docs once (``python -m sphinx -b html docs docs/_build``), then
run ``python docs/gallery_cache.py`` to copy the new outputs here and commit them; tests/test_docs.py fails
while the cache is older than its example.
"""

import hashlib
import shutil
from pathlib import Path

CACHED_EXAMPLES = ("plot_eeg_emotion",)
CACHE = Path(__file__).parent / "gallery_cache"


def _outputs(folder, name):
    """The files sphinx-gallery writes for one example, relative to the gallery folder."""
    patterns = (f"{name}.*", f"images/sphx_glr_{name}_[0-9][0-9][0-9].png", f"images/thumb/sphx_glr_{name}_thumb.png")
    return sorted(path.relative_to(folder) for pattern in patterns for path in folder.glob(pattern))


def source_md5(path):
    """sphinx-gallery's md5 of an example (text mode: universal newlines, UTF-8)."""
    return hashlib.md5(Path(path).read_text(encoding="utf-8").encode("utf-8")).hexdigest()


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


def update_gallery_cache(gallery_dir):
    """Copy the outputs of the cached examples from a build's ``gallery_dir`` into the cache."""
    gallery_dir = Path(gallery_dir)
    for name in CACHED_EXAMPLES:
        files = _outputs(gallery_dir, name)
        if not any(str(f).endswith(".py.md5") for f in files):
            raise SystemExit(f"{gallery_dir} holds no run of {name}: build the docs first")
        for old in _outputs(CACHE, name):
            (CACHE / old).unlink()
        for relative in files:
            (CACHE / relative).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(gallery_dir / relative, CACHE / relative)
        print(f"{name}: {len(files)} files copied to {CACHE}")


if __name__ == "__main__":
    update_gallery_cache(Path(__file__).parent / "auto_examples")
