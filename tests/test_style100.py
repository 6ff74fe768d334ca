"""load_100style on folders built in 100STYLE's published structure from shared BVH files (never copied here)."""

import csv

import numpy as np
import pytest

from skemotion.datasets import CONTENTS_100STYLE, load_100style
from skemotion.io import BVHError, read_bvh
from skemotion.skeleton import convert_layout, layout_from_rig

from .conftest import shared_path

_BANDAI = {  # style -> content -> Bandai clip standing in for it (all 30 fps, one rig)
    "Angry": {"FW": "walk_angry_001", "FR": "run_angry_001"},
    "Neutral": {"FW": "walk_normal_001", "FR": "run_normal_001", "ID": "walk_normal_002"},
}
_CUTS = {"Angry": {"FW": (5, 60), "FR": (1, 12)}, "Neutral": {"FW": (10, 120), "FR": (3, 20), "ID": (2, 2)}}


def _write_csv(file, header, rows):
    with file.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def _frame_cuts_row(style, spans):
    row = [style]
    for content in CONTENTS_100STYLE:
        row += [str(v) for v in spans[content]] if content in spans else ["", ""]  # empty: no such content
    return row


def _build(root, clips=_BANDAI, cuts=_CUTS):
    """A 100STYLE folder: Frame_Cuts.csv, Dataset_List.csv and <Style>/<Style>_<CONTENT>.bvh (symlinks)."""
    root.mkdir(exist_ok=True)
    for style, contents in clips.items():
        (root / style).mkdir(exist_ok=True)
        for content, source in contents.items():
            target = (shared_path("cmu-mocap", "131_01.bvh") if source == "cmu"
                      else shared_path("bandai-namco-1", "data", f"dataset-1_{source}.bvh"))
            (root / style / f"{style}_{content}.bvh").symlink_to(target)
    header = ["STYLE_NAME"] + [f"{c}_{end}" for c in CONTENTS_100STYLE for end in ("START", "STOP")]
    _write_csv(root / "Frame_Cuts.csv", header, [_frame_cuts_row(s, cuts[s]) for s in clips])
    _write_csv(root / "Dataset_List.csv", ["Style Name", "Description", "Stochastic", "Symmetric"],
               [[s, f"{s} locomotion", "N", "Y"] for s in clips])
    return root


def test_clips_are_cut_to_frame_cuts_and_labelled(tmp_path):
    root = _build(tmp_path / "100STYLE")
    clips = load_100style(root)
    assert sorted(zip(clips.target, clips.groups)) == sorted(
        (s, c) for s, contents in _CUTS.items() for c in contents)
    for x, file, style, content, frames in zip(clips.data, clips.filenames, clips.target, clips.groups, clips.frames):
        start, stop = _CUTS[style][content]
        full = read_bvh(file).positions
        np.testing.assert_array_equal(np.asarray(x), full[start - 1: stop])   # 1-based, both ends kept
        assert len(x) == stop - start + 1 and tuple(frames) == (start, stop)
        assert x.frame_rate == pytest.approx(30.0, rel=1e-5) and x.y_up is True and x.layout.name == "bandai_namco"
    assert clips.frame_rate == pytest.approx(30.0, rel=1e-5)  # from the headers, not the data set's nominal 60 fps
    assert set(clips.descriptions) == {"Angry locomotion", "Neutral locomotion"}

    walks = load_100style(root, styles="Neutral", contents=["FW", "ID"], layout="body16")
    assert sorted(walks.groups) == ["FW", "ID"] and set(walks.target) == {"Neutral"}
    assert walks.data[0].layout.name == "body16" and walks.data[0].shape[1:] == (16, 3)
    raw = load_100style(root, styles="Neutral", contents=["FW", "ID"])
    for a, b in zip(walks.data, raw.data):
        np.testing.assert_allclose(np.asarray(a), convert_layout(np.asarray(b), raw.layout))


def test_100style_rig_maps_onto_the_common_layout():
    names = ["Hips", "Chest", "Chest2", "Chest3", "Chest4", "Neck", "Head"]
    for side in ("Left", "Right"):
        names += [f"{side}{j}" for j in ("Collar", "Shoulder", "Elbow", "Wrist", "Hip", "Knee", "Ankle", "Toe")]
    rig = layout_from_rig(None, names, [-1] + [0] * (len(names) - 1))
    assert rig.name == "style100" and rig.common_map["left_hand"] == ("LeftWrist",)
    assert ("LeftShoulder", "RightShoulder") in rig.mirror_pairs


def test_clips_at_different_rates_are_named_not_averaged(tmp_path):
    clips = {"Angry": {"FW": "walk_angry_001"}, "Neutral": {"FW": "cmu"}}
    cuts = {"Angry": {"FW": (1, 20)}, "Neutral": {"FW": (1, 20)}}
    root = _build(tmp_path / "mixed", clips, cuts)
    with pytest.raises(ValueError, match=r"Neutral_FW\.bvh is at 120 fps but .*Angry_FW\.bvh at 30"):
        load_100style(root, layout="bvh")


def test_errors_name_the_file(tmp_path):
    with pytest.raises(FileNotFoundError, match=r"100STYLE folder not found: .*nowhere"):
        load_100style(tmp_path / "nowhere")
    root = _build(tmp_path / "a")
    (root / "Dataset_List.csv").unlink()
    with pytest.raises(FileNotFoundError, match=r"100STYLE file not found: .*Dataset_List\.csv"):
        load_100style(root)

    root = _build(tmp_path / "b")
    (root / "Neutral" / "Neutral_ID.bvh").unlink()
    with pytest.raises(FileNotFoundError, match=r"Neutral_ID\.bvh is listed in .*Frame_Cuts\.csv but missing"):
        load_100style(root)
    assert len(load_100style(root, contents=["FW", "FR"]).data) == 4   # the listed files that exist still load

    root = _build(tmp_path / "c", cuts={**_CUTS, "Angry": {"FW": (5, 100000), "FR": (1, 12)}})
    with pytest.raises(ValueError, match=r"Angry_FW\.bvh has \d+ frames but Frame_Cuts\.csv keeps frames 5-100000"):
        load_100style(root)

    root = _build(tmp_path / "d")
    _write_csv(root / "Frame_Cuts.csv", ["STYLE_NAME", "FW_START", "FW_STOP"], [["Angry", "1", "2"]])
    with pytest.raises(ValueError, match=r"Frame_Cuts\.csv lacks the columns \['BR_START'"):
        load_100style(root)

    root = _build(tmp_path / "e")
    text = (root / "Frame_Cuts.csv").read_text().replace(",5,60,", ",five,60,")
    (root / "Frame_Cuts.csv").write_text(text)
    with pytest.raises(ValueError, match=r"Frame_Cuts\.csv, line 2: FW_START/FW_STOP of Angry are 'five', '60'"):
        load_100style(root)

    root = _build(tmp_path / "f")
    (root / "Angry" / "Angry_FR.bvh").unlink()
    (root / "Angry" / "Angry_FR.bvh").write_text("HIERARCHY\nROOT Hips\n{\n")
    with pytest.raises(BVHError, match=r"Angry_FR\.bvh"):
        load_100style(root, styles="Angry")
    with pytest.raises(ValueError, match=r"Unknown styles \['Zombie'\]"):
        load_100style(root, styles="Zombie")
