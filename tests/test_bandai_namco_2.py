"""Bandai-Namco-Research-Motiondataset-2 through load_bandai_namco, on a folder in the published structure.

The repository (BandaiNamcoResearchInc/Bandai-Namco-Research-Motiondataset, commit 74ead3b) keeps both data sets
under ``dataset/Bandai-Namco-Research-Motiondataset-{1,2}/``, each with ``cfg/`` and ``data/``. Dataset-2's
label tables and label files are written here byte for byte as published: the test checks them against the
SHA-256 of the published files in the fetch registry's manifest, which was computed from the repository's
git objects. The motion is real: shared dataset-1 BVH files (the same rig, 30 fps) under dataset-2 names.
"""

import hashlib
import shutil

import numpy as np
import pytest

from skemotion.datasets import EMOTIONAL_STYLES, load_bandai_namco
from skemotion.datasets._fetch import _manifest
from skemotion.io import read_bvh

CONTENTS_2 = ("walk", "walk-turn-left", "walk-turn-right", "run", "wave-both-hands", "wave-left-hand",
              "wave-right-hand", "raise-up-both-hands", "raise-up-left-hand", "raise-up-right-hand")
STYLES_2 = ("active", "elderly", "exhausted", "feminine", "masculine", "normal", "youthful")

# (content, style, id) of each clip written, and the shared dataset-1 clip whose motion it carries. The ids go
# past 099 in the published data (up to 104 takes of one content and style); 102 is one of them.
CLIPS = {
    ("walk", "elderly", "001"): "dataset-1_walk_old_001.bvh",
    ("walk", "elderly", "002"): "dataset-1_walk_old_002.bvh",
    ("walk", "youthful", "001"): "dataset-1_walk_childish_001.bvh",
    ("raise-up-both-hands", "active", "102"): "dataset-1_bye_active_001.bvh",
    ("raise-up-both-hands", "elderly", "001"): "dataset-1_bye_old_001.bvh",
    ("raise-up-both-hands", "youthful", "001"): "dataset-1_bye_childish_001.bvh",
}


def _cfg_text(prefix, names):
    # As published: one "dataset-2_<name>" a line and no newline after the last.
    return "\n".join(f"{prefix}_{name}" for name in names)


def _write_dataset_2(folder, bandai_path, clips=CLIPS):
    (folder / "cfg").mkdir(parents=True)
    (folder / "data").mkdir()
    (folder / "cfg" / "content_label.txt").write_text(_cfg_text("dataset-2", CONTENTS_2))
    (folder / "cfg" / "style_label.txt").write_text(_cfg_text("dataset-2", STYLES_2))
    for (content, style, take), source in clips.items():
        stem = folder / "data" / f"dataset-2_{content}_{style}_{take}"
        # As published: {"content": i, "style": j} with no newline after it.
        stem.with_suffix(".json").write_text(
            f'{{"content": {CONTENTS_2.index(content)}, "style": {STYLES_2.index(style)}}}')
        shutil.copyfile(bandai_path / "data" / source, stem.with_suffix(".bvh"))
    return folder


@pytest.fixture
def clone(tmp_path, bandai_path):
    """A clone of the repository: both data sets under dataset/ (dataset-1 with two of its shared clips)."""
    base = tmp_path / "Bandai-Namco-Research-Motiondataset" / "dataset"
    _write_dataset_2(base / "Bandai-Namco-Research-Motiondataset-2", bandai_path)
    one = base / "Bandai-Namco-Research-Motiondataset-1"
    shutil.copytree(bandai_path / "cfg", one / "cfg")
    (one / "data").mkdir()
    for name in ("dataset-1_walk_sad_001", "dataset-1_run_happy_001"):
        for ext in (".bvh", ".json"):
            shutil.copyfile(bandai_path / "data" / (name + ext), one / "data" / (name + ext))
    return tmp_path / "Bandai-Namco-Research-Motiondataset"


@pytest.fixture
def folder(clone):
    return clone / "dataset" / "Bandai-Namco-Research-Motiondataset-2"


def test_the_written_label_files_are_the_published_bytes(folder):
    published = {entry.path: entry.sha256 for entry in _manifest("bandai-namco-2")}
    written = [folder / "cfg" / "content_label.txt", folder / "cfg" / "style_label.txt",
               *sorted((folder / "data").glob("*.json"))]
    for path in written:
        relative = path.relative_to(folder).as_posix()
        assert hashlib.sha256(path.read_bytes()).hexdigest() == published[relative], relative


def test_dataset_2_is_detected_and_labelled_from_its_files(folder, bandai_path):
    bunch = load_bandai_namco(folder)
    assert bunch.DESCR.startswith("Bandai-Namco-Research-Motiondataset-2")
    expected = sorted(CLIPS)  # the loader lists the clips in file-name order
    assert [(g, t) for g, t in zip(bunch.groups, bunch.target)] == [(c, s) for c, s, _ in expected]
    for filename, x, key in zip(bunch.filenames, bunch.data, expected):
        assert filename.endswith(f"dataset-2_{key[0]}_{key[1]}_{key[2]}.bvh")
        # The positions are the forward kinematics of the source file, read on its own.
        np.testing.assert_array_equal(x, read_bvh(bandai_path / "data" / CLIPS[key]).positions)
    assert bunch.frame_rate == pytest.approx(1 / 0.0333333)  # "Frame Time: 0.0333333" in every header
    assert set(bunch.keys()) == set(load_bandai_namco(bandai_path, styles="sad", contents="walk").keys())


def test_filters_and_shared_contents(folder):
    walks = load_bandai_namco(folder, styles=["elderly", "youthful"], contents="walk", layout="body16")
    assert list(walks.target) == ["elderly", "elderly", "youthful"] and set(walks.groups) == {"walk"}
    assert all(x.shape[1:] == (16, 3) for x in walks.data)
    # 'active' performs only raise-up-both-hands here, so only that content is shared by all three styles.
    shared = load_bandai_namco(folder, contents="shared")
    assert set(shared.groups) == {"raise-up-both-hands"} and sorted(shared.target) == ["active", "elderly",
                                                                                       "youthful"]
    with pytest.raises(ValueError, match=r"Unknown styles \['angry', 'happy', 'not-confident', 'proud'"):
        load_bandai_namco(folder, styles=EMOTIONAL_STYLES)  # dataset-1's emotions are not dataset-2's styles


def test_a_clone_holding_both_data_sets_needs_dataset(clone):
    with pytest.raises(ValueError, match="holds both Bandai-Namco data sets.*pass dataset=1 or dataset=2"):
        load_bandai_namco(clone)
    assert len(load_bandai_namco(clone, dataset=2).data) == len(CLIPS)
    one = load_bandai_namco(clone, dataset=1)
    assert sorted(one.target) == ["happy", "sad"] and one.DESCR.startswith("Bandai-Namco-Research-Motiondataset-1")
    with pytest.raises(ValueError, match="dataset must be 1, 2 or None"):
        load_bandai_namco(clone, dataset="2")


def test_dataset_must_agree_with_the_folder(folder, bandai_path):
    with pytest.raises(ValueError, match=r"style_label.txt is dataset-2's, not dataset-1's"):
        load_bandai_namco(folder, dataset=1)
    with pytest.raises(ValueError, match=r"style_label.txt is dataset-1's, not dataset-2's"):
        load_bandai_namco(bandai_path, dataset=2)


def test_frame_rate_comes_from_each_header(folder):
    for bvh in (folder / "data").glob("*.bvh"):
        bvh.write_text(bvh.read_text().replace("Frame Time:\t0.0333333", "Frame Time:\t0.0166667"))
    assert load_bandai_namco(folder).frame_rate == pytest.approx(1 / 0.0166667)
    odd = folder / "data" / "dataset-2_walk_elderly_002.bvh"
    odd.write_text(odd.read_text().replace("Frame Time:\t0.0166667", "Frame Time:\t0.0333333"))
    with pytest.raises(ValueError, match=r"walk_elderly_002.bvh is at 30 fps but .*active_102.bvh at 59.9999"):
        load_bandai_namco(folder)


def test_mixed_or_corrupt_files_are_named(folder, bandai_path):
    data = folder / "data"
    # A dataset-1 clip copied into dataset-2's folder: its json indexes dataset-2's tables, its name disagrees.
    # {"content": 0, "style": 2} reads as walk/exhausted in dataset-2's tables.
    stray = "dataset-1_walk_sad_001"
    for ext in (".bvh", ".json"):
        shutil.copyfile(bandai_path / "data" / (stray + ext), data / (stray + ext))
    with pytest.raises(ValueError, match=rf"{stray}.json: its labels \(content 'walk', style 'exhausted'\) "
                                         r"disagree with its name, which should be 'dataset-2_walk_exhausted_"):
        load_bandai_namco(folder)
    for ext in (".bvh", ".json"):
        (data / (stray + ext)).unlink()

    label = data / "dataset-2_walk_elderly_001.json"
    label.write_text('{"content": 0, "style": 6}')  # youthful, but the name says elderly
    with pytest.raises(ValueError, match=r"walk_elderly_001.json: its labels \(content 'walk', style 'youthful'\)"):
        load_bandai_namco(folder)
    label.write_text('{"content": 0, "style": 7}')  # dataset-2 has 7 styles, 0..6
    with pytest.raises(ValueError, match=r"walk_elderly_001.json: style label 7 is outside cfg/style_label.txt"):
        load_bandai_namco(folder)
    label.unlink()
    with pytest.raises(FileNotFoundError, match=r"dataset-2_walk_elderly_001.json is missing"):
        load_bandai_namco(folder)

    table = folder / "cfg" / "content_label.txt"
    table.write_text(_cfg_text("dataset-2", CONTENTS_2[:-1]) + "\ndataset-1_walk")
    with pytest.raises(ValueError, match=r"content_label.txt: line 'dataset-1_walk' is not a dataset-2 label"):
        load_bandai_namco(folder)
    table.unlink()
    with pytest.raises(FileNotFoundError, match=r"content_label.txt"):
        load_bandai_namco(folder)
    (folder / "cfg" / "style_label.txt").write_text("active\nelderly")
    with pytest.raises(ValueError, match=r"style_label.txt names no Bandai-Namco data set.*pass dataset=1"):
        load_bandai_namco(folder)
