"""Loader for the Emotion-Gait / EWalk HDF5 files of STEP and ProxEmo (16-joint gaits with perceived emotions).

The format (Bhattacharya et al. 2020, Narayanan et al. 2020): a ``features*.h5`` file holds one data set per
gait, ``T x 48`` (16 joints x xyz in the EWalk order, y up, root at the origin); the ``labels*.h5`` file
next to it holds one integer per gait under the same key. Two kinds of keys occur:

* real gaits, ``<source>_..._positions.csv`` (``001_Angry_positions.csv``, ``ale_walk_an_1_fin_positions.csv``,
  ``S11_1_positions.csv`` ...). The integer is the emotion the annotators *perceived*; a name inside the key is
  what the actor was asked to perform, and the two often differ, so the target comes from the integer.
* synthetic gaits of STEP's generator, ``<id>_<Label>`` (``00003_Happy``): self-labelled, the target is the
  name in the key.
"""

import re
from pathlib import Path

import numpy as np
from sklearn.utils import Bunch

from ..skeleton import get_layout, with_metadata

#: Emotion of each label integer in ProxEmo's code (``demo.py``: class ``4 * emotion + view`` is read as
#: 0-3 angry, 4-7 happy, 8-11 sad, 12-15 neutral). The data set itself does not document the order.
PROXEMO_LABELS = ("angry", "happy", "sad", "neutral")
#: Emotion of each label integer in STEP's code (``emotions = ['Angry', 'Neutral', 'Happy', 'Sad']``).
STEP_LABELS = ("angry", "neutral", "happy", "sad")
_LABEL_ORDERS = {"proxemo": PROXEMO_LABELS, "step": STEP_LABELS}

_N_JOINTS, _N_DIMS = 16, 3
_REAL_KEY = re.compile(r"^(?P<stem>.+)_positions\.csv$")
_SYNTHETIC_KEY = re.compile(r"^(?P<source>\d+)_(?P<label>[A-Za-z]+\d*)$")
_NAMED_EMOTIONS = {"angry", "happy", "neutral", "sad"}
# ELMD clips name the acted emotion by its first two letters after "walk": ale_walk_an_1_fin.
_ELMD_ABBREVIATIONS = {"an": "angry", "ha": "happy", "nu": "neutral", "sa": "sad"}

_DESCR = """Emotion-Gait (E-Gait) / EWalk gaits
-----------------------------------
Bhattacharya et al. (2020), "STEP: Spatial Temporal Graph Convolutional Networks for Emotion Perception from
Gaits", AAAI; Narayanan et al. (2020), "ProxEmo: Gait-based Emotion Learning and Multi-view Proxemic Fusion
for Socially-Aware Robot Navigation", IROS. 342 real gaits (features.h5) plus 1,835 gaits of the Edinburgh
Locomotion MoCap Database (features_ELMD.h5, cite its page too) annotated with perceived emotions (angry,
happy, neutral, sad), and thousands of synthetic gaits of STEP's generator. Code and sample files under the
MIT licence (vijay4313/proxemo, UttaranB127/STEP); the full data from https://go.umd.edu/emotion-gait.

Each gait is T x 16 joints x 3 in the EWalk order (``layout="ewalk16"``), y up, root at the origin; the
units are not documented (bodies are about 1.1 units tall). ``target`` is the annotators' perceived emotion
read from the label integer, never the emotion named in the key (kept in ``acted``). ``groups`` is the gait's
source id, the key's first ``_``-separated token (the recording's subject or sequence number); ids of
different sources can coincide (``1_0_0`` and ``1_Scene_2``), which merges them into one group: coarser, never
leaking, folds.

Frame rate: the data set does not document one, so the loader requires ``frame_rate=``.

Label order: the data set does not document which emotion each integer is, and the two papers' codes differ:
ProxEmo's ``demo.py`` reads 0..3 as angry, happy, sad, neutral (``label_names="proxemo"``, the default),
STEP's code lists angry, neutral, happy, sad (``"step"``). A check on ProxEmo's 342 labels: of the 84 gaits
whose key names the acted emotion, 35 are perceived as acted under ProxEmo's order, 13 under STEP's, and 50
if angry and happy are swapped in ProxEmo's order; pass ``label_names=`` (a sequence) to choose.

Synthetic gaits are self-labelled by the name in their key. STEP's ``features4DCVAEGCN.h5`` has six generator
classes, four named (Angry, Neutral, Happy, Sad) and two unnamed (``Emo0``, ``Emo4``); STEP's published code
states no rule that maps the unnamed two onto emotions, so ``unnamed_synthetic="drop"`` (default) keeps the
four named classes and ``"keep"`` keeps all six under their key names.
"""


def load_emotion_gait(path, labels_path=None, *, frame_rate=None, label_names="proxemo", unnamed_synthetic="drop"):
    """Load Emotion-Gait / EWalk gaits (the HDF5 format of STEP and ProxEmo).

    Parameters
    ----------
    path : str or Path
        A ``features*.h5`` file (``features.h5``, ``features_ELMD.h5``, ``features4DCVAEGCN.h5`` ...).
    labels_path : str, Path or None, default=None
        The matching labels file; ``None`` takes the file named like ``path`` with ``features`` replaced by
        ``labels``. A file of synthetic gaits only may have none: their keys name their labels.
    frame_rate : float
        Frames per second of the gaits. Required: the data set documents none.
    label_names : {"proxemo", "step"} or sequence of str, default="proxemo"
        Emotion of each label integer (see ``DESCR``: the data set does not document the order).
    unnamed_synthetic : {"drop", "keep"}, default="drop"
        What to do with synthetic gaits whose key names no emotion (STEP's ``Emo0``, ``Emo4``).

    Returns
    -------
    data : Bunch
        ``data`` (list of (n_frames_i, 16, 3) :class:`~skemotion.skeleton.SkeletonArray` in layout
        ``"ewalk16"``, y up), ``target`` (emotion names), ``groups`` (source ids), ``gait_keys`` (HDF5 data set
        names), ``label_codes`` (the integers of the labels file, -1 where a synthetic gait has none),
        ``acted`` (emotion named in the key, ``""`` where none), ``synthetic`` (bool per gait), ``filenames``,
        ``frame_rate``, ``layout``, ``joint_names``, ``parents`` and ``DESCR``.

    Examples
    --------
    >>> from skemotion.datasets import load_emotion_gait
    >>> gaits = load_emotion_gait("../shared/data/emotion-gait/proxemo_sample_features.h5",
    ...                           frame_rate=30)  # doctest: +SKIP
    >>> gaits.data[0].shape, list(gaits.target)  # doctest: +SKIP
    ((32, 16, 3), ['neutral', 'happy', 'happy'])
    """
    import h5py

    features_file = Path(path)
    frame_rate = _required_rate(frame_rate, features_file)
    names = _label_names(label_names)
    if unnamed_synthetic not in ("drop", "keep"):
        raise ValueError(f"unnamed_synthetic must be 'drop' or 'keep', got {unnamed_synthetic!r}.")
    labels_file = _labels_file(features_file, labels_path)
    gaits = _read_gaits(h5py, features_file)
    codes = _read_labels(h5py, labels_file, list(gaits)) if labels_file is not None else {}

    rows = []
    for key, positions in gaits.items():
        row = _describe(key, codes.get(key), names, features_file, labels_file)
        if row["synthetic"] and row["acted"] == "" and unnamed_synthetic == "drop":
            continue
        rows.append((positions, row))
    if not rows:
        raise ValueError(f"{features_file} holds no gait with an emotion label "
                         f"(unnamed_synthetic={unnamed_synthetic!r}).")
    _check_synthetic_codes([r for _, r in rows], labels_file)

    layout = get_layout("ewalk16")
    data = [with_metadata(p, layout=layout, frame_rate=frame_rate, y_up=True) for p, _ in rows]
    described = [r for _, r in rows]

    def column(name, dtype=None):
        return np.array([r[name] for r in described], dtype=dtype)

    return Bunch(
        data=data,
        target=column("target"),
        groups=column("group"),
        gait_keys=column("key"),
        label_codes=column("code", int),
        acted=column("acted"),
        synthetic=column("synthetic", bool),
        filenames=[str(features_file)] + ([str(labels_file)] if labels_file is not None else []),
        frame_rate=frame_rate,
        layout=layout,
        joint_names=list(layout.joint_names),
        parents=np.array(layout.parents),
        DESCR=_DESCR,
    )


def _required_rate(frame_rate, features_file):
    if frame_rate is None:
        raise ValueError(
            f"The Emotion-Gait files ({features_file.name}) do not document a frame rate; pass the rate of your "
            "copy as load_emotion_gait(..., frame_rate=...)."
        )
    rate = float(frame_rate)
    if not np.isfinite(rate) or rate <= 0:
        raise ValueError(f"frame_rate must be a positive number, got {frame_rate!r}.")
    return rate


def _label_names(label_names):
    if isinstance(label_names, str):
        if label_names not in _LABEL_ORDERS:
            raise ValueError(f"label_names must be one of {sorted(_LABEL_ORDERS)} or a sequence, got {label_names!r}.")
        return _LABEL_ORDERS[label_names]
    names = tuple(str(n) for n in label_names)
    if len(set(names)) != len(names) or not names:
        raise ValueError(f"label_names must be distinct names, got {label_names!r}.")
    return names


def _labels_file(features_file, labels_path):
    """The labels file paired with a features file by the data set's naming (features* -> labels*)."""
    if not features_file.is_file():
        raise FileNotFoundError(f"Emotion-Gait features file not found: {features_file}.")
    if labels_path is not None:
        labels_file = Path(labels_path)
        if not labels_file.is_file():
            raise FileNotFoundError(f"Emotion-Gait labels file not found: {labels_file}.")
        return labels_file
    name = features_file.name
    if "features" not in name:
        raise ValueError(f"Cannot infer the labels file of {features_file} (no 'features' in its name); "
                         "pass labels_path.")
    head, _, tail = name.rpartition("features")
    candidate = features_file.with_name(f"{head}labels{tail}")
    return candidate if candidate.is_file() else None


def _open(h5py, file, kind):
    try:
        return h5py.File(file, "r")
    except OSError as error:
        raise ValueError(f"{file} is not a readable HDF5 {kind} file ({error}).") from None


def _read_gaits(h5py, features_file):
    gaits = {}
    with _open(h5py, features_file, "features") as handle:
        for key in handle:
            item = handle[key]
            if not isinstance(item, h5py.Dataset) or item.ndim != 2 or item.shape[1] != _N_JOINTS * _N_DIMS:
                shape = getattr(item, "shape", "a group")
                raise ValueError(
                    f"{features_file}: gait {key!r} is {shape}, expected a T x 48 data set (16 joints x xyz)."
                )
            positions = np.asarray(item[()], dtype=float).reshape(-1, _N_JOINTS, _N_DIMS)
            if len(positions) < 2 or not np.isfinite(positions).all():
                raise ValueError(f"{features_file}: gait {key!r} has {len(positions)} frames or non-finite values.")
            gaits[key] = positions
    if not gaits:
        raise ValueError(f"{features_file} holds no gait.")
    return gaits


def _read_labels(h5py, labels_file, keys):
    with _open(h5py, labels_file, "labels") as handle:
        missing = [k for k in keys if k not in handle]
        if missing:
            raise ValueError(f"{labels_file} has no label for {len(missing)} gait(s), e.g. {missing[:3]}.")
        codes = {}
        for key in keys:
            value = np.asarray(handle[key][()])
            if value.size != 1 or not np.issubdtype(value.dtype, np.integer):
                raise ValueError(f"{labels_file}: label {key!r} is {value!r}, expected one integer.")
            codes[key] = int(value)
    return codes


def _describe(key, code, names, features_file, labels_file):
    """Target, group and provenance of one gait from its key and label integer."""
    real, synthetic = _REAL_KEY.match(key), _SYNTHETIC_KEY.match(key)
    if real:
        if code is None:
            raise ValueError(f"{features_file}: real gait {key!r} needs a labels file (none found next to it).")
        if not 0 <= code < len(names):
            raise ValueError(f"{labels_file}: label {code} of {key!r} is outside 0..{len(names) - 1} ({names}).")
        stem = real.group("stem")
        acted = _acted_emotion(stem.split("_"))
        return {"key": key, "target": names[code], "group": stem.split("_")[0], "code": code, "acted": acted,
                "synthetic": False}
    if synthetic:
        label = synthetic.group("label").lower()
        acted = label if label in _NAMED_EMOTIONS else ""
        return {"key": key, "target": label, "group": synthetic.group("source"),
                "code": -1 if code is None else code, "acted": acted, "synthetic": True}
    raise ValueError(
        f"{features_file}: key {key!r} is neither a real gait ('<source>_..._positions.csv') nor a synthetic one "
        "('<id>_<Label>')."
    )


def _acted_emotion(tokens):
    """The emotion a real gait's key says the actor performed, ``""`` when the key names none."""
    for previous, token in zip([""] + tokens, tokens):
        if token.lower() in _NAMED_EMOTIONS:
            return token.lower()
        if previous == "walk" and token in _ELMD_ABBREVIATIONS:
            return _ELMD_ABBREVIATIONS[token]
    return ""


def _check_synthetic_codes(rows, labels_file):
    """A synthetic label name must always come with the same integer, else key names and labels disagree."""
    seen = {}
    for row in rows:
        if row["synthetic"] and row["code"] >= 0 and seen.setdefault(row["target"], row["code"]) != row["code"]:
            raise ValueError(
                f"{labels_file}: synthetic gaits named {row['target']!r} have labels {seen[row['target']]} "
                f"and {row['code']} (e.g. {row['key']!r})."
            )
