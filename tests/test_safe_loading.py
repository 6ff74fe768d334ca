"""Files from elsewhere never run code: restricted unpickling, archives, model files, and a package scan."""

import ast
import importlib
import io
import os
import pickle
import re
import tarfile
import zipfile
from pathlib import Path

import numpy as np
import pytest
import skops.io
from sklearn.ensemble import RandomForestClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import FunctionTransformer
from sklearn.svm import SVC

import skemotion
from skemotion import JointDistances, KinematicFeatures, SkeletonNormalizer
from skemotion.datasets import make_emotional_gait
from skemotion.io import (
    UnsafeFileError,
    default_trusted_types,
    load_model,
    model_versions,
    safe_extract,
    safe_pickle_load,
    save_model,
    sha256sum,
)


class _Payload:
    """Unpickling calls ``func(*args)``: what every hostile pickle does."""

    def __init__(self, func, *args):
        self.func, self.args = func, args

    def __reduce__(self):
        return self.func, self.args


# ---------------------------------------------------------------- restricted unpickler


@pytest.mark.parametrize("protocol", [0, 2, 4, 5])
def test_plain_data_round_trips_at_every_protocol(tmp_path, protocol):
    content = {"data": np.arange(24.0).reshape(2, 3, 4), "labels": np.array([[1, 2], [3, 4]], dtype=np.int16),
               "names": ["a", "b"], "pair": (1.5, 2 + 1j), "flag": True, "scalar": np.float32(2.5)}
    path = tmp_path / "plain.dat"
    path.write_bytes(pickle.dumps(content, protocol=protocol))
    loaded = safe_pickle_load(path)
    expected = pickle.loads(path.read_bytes())  # the reference: the unrestricted loader on a trusted file
    assert loaded.keys() == expected.keys()
    for key in ("data", "labels"):
        np.testing.assert_array_equal(loaded[key], expected[key])
        assert loaded[key].dtype == expected[key].dtype
    assert loaded["names"] == ["a", "b"] and loaded["pair"] == (1.5, 2 + 1j) and loaded["scalar"] == 2.5


@pytest.mark.parametrize("payload, refused", [
    (lambda mark: _Payload(open, str(mark), "w"), "io.open"),
    (lambda mark: _Payload(os.system, f"touch {mark}"), f"{os.system.__module__}.system"),
    (lambda mark: _Payload(__import__, "os"), "__builtin__.__import__"),  # protocol 2 writes Python 2 names
    (lambda mark: _Payload(Path.touch, mark), "__builtin__.getattr"),  # a method is reached via getattr
    (lambda mark: _Payload(np.save, str(mark), np.zeros(1)), "numpy.save"),
])
def test_a_hostile_pickle_is_refused_and_creates_nothing(tmp_path, payload, refused):
    mark = tmp_path / "pwned"
    path = tmp_path / "s01.dat"
    path.write_bytes(pickle.dumps({"data": np.zeros((2, 2)), "labels": payload(mark)}, protocol=2))
    with pytest.raises(UnsafeFileError, match=rf"s01\.dat: refused to unpickle global '{re.escape(refused)}'"):
        safe_pickle_load(path)
    assert not mark.exists() and not mark.with_suffix(".npy").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s01.dat"]


def test_an_object_array_is_refused(tmp_path):
    path = tmp_path / "objects.dat"
    path.write_bytes(pickle.dumps({"data": np.array([1, "x"], dtype=object)}, protocol=2))
    with pytest.raises(UnsafeFileError, match=r"objects\.dat: .*dtype object"):
        safe_pickle_load(path)


def test_a_codec_other_than_latin1_is_refused(tmp_path):
    path = tmp_path / "codec.dat"
    path.write_bytes(pickle.dumps(_Payload(__import__("_codecs").encode, "x", "rot13"), protocol=2))
    with pytest.raises(UnsafeFileError, match=r"codec\.dat: .*_codecs\.encode' with codec 'rot13'"):
        safe_pickle_load(path)


def test_a_truncated_pickle_names_the_file(tmp_path):
    path = tmp_path / "cut.dat"
    path.write_bytes(pickle.dumps({"data": np.zeros(100)}, protocol=2)[:60])
    with pytest.raises(ValueError, match=r"cut\.dat is not a readable pickle"):
        safe_pickle_load(path)


# ---------------------------------------------------------------- archives


def _tar_with(path, name, data=b"x", kind=tarfile.REGTYPE, linkname=""):
    with tarfile.open(path, "w:gz") as tar:
        ok = tarfile.TarInfo("data/ok.txt")
        ok.size = 2
        tar.addfile(ok, io.BytesIO(b"ok"))
        info = tarfile.TarInfo(name)
        info.type, info.linkname, info.size = kind, linkname, len(data) if kind == tarfile.REGTYPE else 0
        tar.addfile(info, io.BytesIO(data) if kind == tarfile.REGTYPE else None)


def _zip_with(path, name):
    with zipfile.ZipFile(path, "w") as zipped:
        zipped.writestr("data/ok.txt", "ok")
        zipped.writestr(zipfile.ZipInfo(name), "evil")


def _files_under(root):
    return sorted(str(p.relative_to(root)) for p in root.rglob("*"))


@pytest.mark.parametrize("make, name", [
    (_tar_with, "../evil.txt"),
    (_tar_with, "data/../../evil.txt"),
    (_tar_with, "/tmp/skemotion-evil.txt"),
    (_zip_with, "../evil.txt"),
    (_zip_with, "/tmp/skemotion-evil.txt"),
    (_zip_with, "..\\evil.txt"),
])
def test_an_archive_escaping_its_folder_writes_nothing(tmp_path, make, name):
    archive = tmp_path / "archive.bin"
    make(archive, name)
    before = _files_under(tmp_path)
    with pytest.raises(UnsafeFileError, match=r"archive\.bin: member .* outside the extraction folder"):
        safe_extract(archive, tmp_path / "out" / "here", sha256=sha256sum(archive))
    assert _files_under(tmp_path) == before  # not even the folder or the harmless member
    assert not Path("/tmp/skemotion-evil.txt").exists()


@pytest.mark.parametrize("linkname", ["../../etc/passwd", "/etc/passwd"])
def test_a_tar_link_out_of_its_folder_is_refused(tmp_path, linkname):
    archive = tmp_path / "links.tar.gz"
    _tar_with(archive, "data/link", kind=tarfile.SYMTYPE, linkname=linkname)
    with pytest.raises(UnsafeFileError, match=r"links\.tar\.gz: (member|link) .*"):
        safe_extract(archive, tmp_path / "out", sha256=None)
    assert not (tmp_path / "out").exists()


def test_a_wrong_checksum_is_refused_before_opening(tmp_path):
    archive = tmp_path / "good.tar.gz"
    _tar_with(archive, "data/b.txt")
    with pytest.raises(UnsafeFileError, match=r"good\.tar\.gz: SHA-256 [0-9a-f]{64} differs"):
        safe_extract(archive, tmp_path / "out", sha256="0" * 64)
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("make", [_tar_with, _zip_with])
def test_a_clean_archive_is_extracted(tmp_path, make):
    archive = tmp_path / "clean.bin"
    make(archive, "data/sub/b.txt")
    import hashlib
    names = safe_extract(archive, tmp_path / "out", sha256=hashlib.sha256(archive.read_bytes()).hexdigest())
    assert sorted(names) == ["data/ok.txt", "data/sub/b.txt"]
    assert (tmp_path / "out" / "data" / "ok.txt").read_text() == "ok"


# ---------------------------------------------------------------- model files


@pytest.fixture(scope="module")
def gait():
    return make_emotional_gait(40, random_state=0)


def _pipelines(gait):
    return [
        make_pipeline(SkeletonNormalizer(layout="body16", align_yaw=True, n_frames=32),
                      JointDistances(anchors=["head", "left_hand", "right_hand"], layout="body16"),
                      RandomForestClassifier(n_estimators=20, random_state=0)),
        make_pipeline(KinematicFeatures(frame_rate=gait.frame_rate), SVC()),
    ]


@pytest.mark.parametrize("index", [0, 1])
def test_skemotion_pipelines_round_trip_without_trust(tmp_path, gait, index):
    model = _pipelines(gait)[index].fit(gait.data, gait.target)
    path = save_model(model, tmp_path / "model.skops")
    needed = skops.io.get_untrusted_types(file=path)
    assert needed and set(needed) <= set(default_trusted_types())  # skemotion's own types, trusted by default
    loaded = load_model(path)
    method = "predict_proba" if index == 0 else "decision_function"
    np.testing.assert_array_equal(getattr(loaded, method)(gait.data), getattr(model, method)(gait.data))
    assert [p.name for p in tmp_path.iterdir()] == ["model.skops"]  # no temporary file left behind


def test_the_versions_that_made_a_model_are_stored_inside(tmp_path, gait):
    import sklearn
    import torch

    path = save_model(_pipelines(gait)[1].fit(gait.data, gait.target), tmp_path / "m.skops")
    versions = model_versions(path)
    assert versions["scikit-learn"] == sklearn.__version__ and versions["numpy"] == np.__version__
    assert versions["torch"] == torch.__version__ and versions["skemotion"] == skemotion.__version__
    assert versions["python"] == ".".join(map(str, __import__("sys").version_info[:3]))


def test_default_trust_covers_only_skemotion_classes_and_sklearn_tree():
    for name in default_trusted_types():
        module, _, qualname = name.rpartition(".")
        assert isinstance(getattr(importlib.import_module(module), qualname), type), name
        assert module.startswith("skemotion.") or name == "sklearn.tree._tree.Tree"


def test_a_model_carrying_a_callable_is_refused_unless_trusted(tmp_path, monkeypatch, gait):
    mark = tmp_path / "ran"
    monkeypatch.setenv("SKEMOTION_TEST_MARK", str(mark))
    hostile = importlib.import_module("tests._hostile")
    model = make_pipeline(FunctionTransformer(hostile.mark_and_pass), *[s for _, s in _pipelines(gait)[0].steps])
    model.fit(gait.data, gait.target)
    mark.unlink()
    path = save_model(model, tmp_path / "hostile.skops")
    refused = (r"hostile\.skops: .*not trusted: \['tests\._hostile\.mark_and_pass'\]"
               r".*trusted=\['tests\._hostile\.mark_and_pass'\].*--trust tests\._hostile")
    with pytest.raises(UnsafeFileError, match=refused):
        load_model(path)
    assert not mark.exists()
    loaded = load_model(path, trusted=["tests._hostile.mark_and_pass"])
    loaded.predict(gait.data[:2])
    assert mark.read_text() == "ran"


def test_a_pickle_or_joblib_model_file_is_never_opened(tmp_path):
    import joblib

    mark = tmp_path / "pwned"
    path = tmp_path / "model.joblib"
    joblib.dump(_Payload(open, str(mark), "w"), path)
    with pytest.raises(UnsafeFileError, match=r"model\.joblib is not a skops model file.*run code"):
        load_model(path)
    assert not mark.exists()


# ---------------------------------------------------------------- package scan

_PICKLERS = {"pickle", "cPickle", "_pickle", "joblib", "dill", "cloudpickle"}


def unsafe_loads(source, filename="<source>"):
    """Calls that unpickle outside the restricted unpickler: ``pickle.load(s)``, ``joblib.load``,
    ``torch.load`` without ``weights_only=True``, ``np.load`` with ``allow_pickle`` other than False."""
    found = []
    for node in ast.walk(ast.parse(source, filename)):
        if isinstance(node, ast.ImportFrom) and node.module in _PICKLERS | {"torch", "numpy"}:
            if any(alias.name in {"load", "loads", "Unpickler"} for alias in node.names):
                found.append(f"{filename}:{node.lineno}: from {node.module} import load")
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        owner = node.func.value.id if isinstance(node.func.value, ast.Name) else None
        keywords = {k.arg: k.value for k in node.keywords}
        flag = lambda name, kw=keywords: isinstance(kw.get(name), ast.Constant) and kw[name].value  # noqa: E731
        if owner in _PICKLERS and node.func.attr in {"load", "loads", "Unpickler"}:
            found.append(f"{filename}:{node.lineno}: {owner}.{node.func.attr}")
        elif owner == "torch" and node.func.attr == "load" and flag("weights_only") is not True:
            found.append(f"{filename}:{node.lineno}: torch.load without weights_only=True")
        elif owner in {"np", "numpy"} and node.func.attr == "load" and "allow_pickle" in keywords \
                and not (isinstance(keywords["allow_pickle"], ast.Constant)
                         and keywords["allow_pickle"].value is False):
            found.append(f"{filename}:{node.lineno}: np.load with allow_pickle")
    return found


def test_the_scan_finds_each_unsafe_call():
    source = ("import pickle, joblib, torch, numpy as np\nfrom pickle import loads\npickle.load(f)\n"
              "joblib.load(p)\ntorch.load(p)\ntorch.load(p, weights_only=False)\ntorch.load(p, weights_only=True)\n"
              "np.load(p, allow_pickle=True)\nnp.load(p)\nnp.load(p, allow_pickle=False)\n")
    assert [line.split(":")[1] for line in unsafe_loads(source)] == ["2", "3", "4", "5", "6", "8"]


def test_no_module_of_the_package_unpickles_outside_the_safe_loader():
    package = Path(skemotion.__file__).parent
    safe = package / "io" / "_safe.py"
    found = [hit for file in sorted(package.rglob("*.py")) if file != safe
             for hit in unsafe_loads(file.read_text(), str(file.relative_to(package)))]
    assert found == []
