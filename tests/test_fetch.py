"""The fetch_* helpers and their downloader, without the network: file:// URLs to files the tests write.

The registry's own checksums are checked where an independent copy exists: the shared Bandai-Namco-1 files
are the published ones, so each must have its manifest SHA-256.
"""

import hashlib
import http.client
import re
import shutil
import zipfile

import pytest

import skemotion.datasets._fetch as fetch
from skemotion.datasets import fetch_100style, fetch_bandai_namco, get_data_home, load_bandai_namco


def _sha256(data):
    return hashlib.sha256(data).hexdigest()


@pytest.fixture
def no_network(monkeypatch):
    """Any request fails: what a test under it gets comes from the cache."""
    def refuse(url, **kwargs):
        raise AssertionError(f"unexpected download of {url}")
    monkeypatch.setattr(fetch, "_urlopen", refuse)


@pytest.fixture
def source(tmp_path):
    (tmp_path / "server").mkdir()
    path = tmp_path / "server" / "clip.bvh"
    path.write_bytes(b"HIERARCHY\n" * 1000)
    return path


# --- the registry -------------------------------------------------------------------------------------------

def test_the_manifest_of_dataset_1_matches_the_shared_copy(bandai_path):
    entries = fetch._manifest("bandai-namco-1")
    shared = {p.relative_to(bandai_path).as_posix() for p in bandai_path.rglob("*") if p.is_file()}
    listed = {e.path: e for e in entries}
    assert {p for p in listed if p.startswith("data/")} == {p for p in shared if p.startswith("data/")}
    assert len([p for p in listed if p.endswith(".bvh")]) == 174  # dance-long is left out, as in the copy
    for path in sorted(shared & set(listed)):
        data = (bandai_path / path).read_bytes()
        assert (len(data), _sha256(data)) == (listed[path].size, listed[path].sha256), path


def test_the_manifest_of_dataset_2_is_the_published_data_set():
    entries = fetch._manifest("bandai-namco-2")
    # The README: 2,902 clips, 7 styles, 10 contents; every clip a .bvh and its .json.
    clips = [re.fullmatch(r"data/dataset-2_(.+)_([a-z]+)_(\d{3})\.(bvh|json)", e.path) for e in entries
             if e.path.startswith("data/")]
    assert all(clips) and len(clips) == 2 * 2902
    assert len({m[1] for m in clips}) == 10 and len({m[2] for m in clips}) == 7
    assert len({(m[1], m[2]) for m in clips}) == 70  # every content in every style
    assert {e.path for e in entries} - {m[0] for m in clips} == {
        "LICENSE", "README.md", "README_Japanese.md", "cfg/content_label.txt", "cfg/style_label.txt"}
    assert sum(e.size for e in entries) == 514_694_070


def test_every_registered_file_has_a_sha256():
    for name, spec in fetch.REGISTRY.items():
        if spec["kind"] == "archive":
            assert re.fullmatch(r"[0-9a-f]{64}", spec["sha256"]), name
        else:
            assert all(re.fullmatch(r"[0-9a-f]{64}", e.sha256) for e in fetch._manifest(name)), name
        url = spec.get("url") or spec["base_url"]
        assert url.startswith("https://"), name


# --- the downloader -----------------------------------------------------------------------------------------

def test_download_verifies_and_reuses_the_cached_copy(tmp_path, source, monkeypatch):
    data = source.read_bytes()
    target = tmp_path / "home" / "clip.bvh"
    got = fetch._download(source.as_uri(), target, sha256=_sha256(data), size=len(data),
                          md5=hashlib.md5(data).hexdigest())
    assert got == target and target.read_bytes() == data
    source.unlink()  # the server's copy is gone: a second call must not need it
    monkeypatch.setattr(fetch, "_urlopen", lambda url, **kwargs: pytest.fail(f"downloaded {url} again"))
    assert fetch._download(source.as_uri(), target, sha256=_sha256(data)).read_bytes() == data


def test_a_checksum_mismatch_names_the_url_and_both_hashes_and_leaves_no_file(tmp_path, source):
    home = tmp_path / "home"
    home.mkdir()
    wrong = "0" * 64
    message = rf"{re.escape(source.as_uri())}: SHA-256 mismatch: expected {wrong}, got {_sha256(source.read_bytes())}"
    with pytest.raises(OSError, match=message):
        fetch._download(source.as_uri(), home / "clip.bvh", sha256=wrong)
    assert list(home.iterdir()) == []
    with pytest.raises(OSError, match=r"MD5 mismatch: expected 1{32}, got"):
        fetch._download(source.as_uri(), home / "clip.bvh", sha256=_sha256(source.read_bytes()), md5="1" * 32)
    with pytest.raises(OSError, match=r"received 10000 bytes, expected 10001"):
        fetch._download(source.as_uri(), home / "clip.bvh", sha256=None, size=10001)
    assert list(home.iterdir()) == []


def test_a_wrong_cached_copy_is_replaced(tmp_path, source):
    target = tmp_path / "clip.bvh"
    target.write_bytes(b"a truncated copy")
    fetch._download(source.as_uri(), target, sha256=_sha256(source.read_bytes()))
    assert target.read_bytes() == source.read_bytes()


@pytest.mark.parametrize("failure, expected", [
    (KeyboardInterrupt, KeyboardInterrupt),                   # Ctrl-C: propagates as it is
    (http.client.IncompleteRead(b"partial"), OSError),         # the connection dropped: named, nothing kept
    (ConnectionResetError("reset by peer"), OSError),
])
def test_an_interrupted_download_leaves_no_partial_file(tmp_path, source, monkeypatch, failure, expected):
    real = fetch._urlopen

    class Interrupted:
        def __init__(self, url, **kwargs):
            self.response, self.reads = real(url, **kwargs), 0

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.response.close()

        def read(self, n):
            self.reads += 1
            if self.reads == 3:  # two blocks are on disk, in the temporary file
                raise failure
            return self.response.read(n)

    monkeypatch.setattr(fetch, "_CHUNK", 1000)
    monkeypatch.setattr(fetch, "_urlopen", Interrupted)
    home = tmp_path / "home"
    home.mkdir()
    match = None if expected is KeyboardInterrupt else rf"The download of {re.escape(source.as_uri())} failed"
    with pytest.raises(expected, match=match):
        fetch._download(source.as_uri(), home / "clip.bvh", sha256=_sha256(source.read_bytes()))
    assert list(home.iterdir()) == []


def test_an_unverified_download_must_be_asked_for(tmp_path, source):
    with pytest.raises(TypeError, match="sha256"):
        fetch._download(source.as_uri(), tmp_path / "clip.bvh")
    assert fetch._download(source.as_uri(), tmp_path / "clip.bvh", sha256=None).read_bytes() == source.read_bytes()


def test_a_missing_url_is_named(tmp_path):
    url = (tmp_path / "absent.zip").as_uri()
    with pytest.raises(OSError, match=rf"Could not download {re.escape(url)}"):
        fetch._download(url, tmp_path / "absent.zip", sha256=None)


# --- archives -----------------------------------------------------------------------------------------------

def _zip(path, members):
    with zipfile.ZipFile(path, "w") as zf:
        for name, text in members.items():
            zf.writestr(name, text)
    return path


@pytest.mark.parametrize("member", ["../evil.csv", "100STYLE/../../evil.csv", "/tmp/evil.csv", "C:/evil.csv",
                                    "..\\evil.csv"])
def test_an_unsafe_archive_member_is_refused_before_anything_is_written(tmp_path, member):
    archive = _zip(tmp_path / "bad.zip", {"100STYLE/Frame_Cuts.csv": "STYLE_NAME\n", member: "x"})
    home = tmp_path / "home"
    home.mkdir()
    with pytest.raises(ValueError, match=rf"bad.zip: refusing the member {re.escape(repr(member))}"):
        fetch._extract_zip(archive, home / "100STYLE")
    assert list(home.iterdir()) == [] and not (tmp_path / "evil.csv").exists()


# --- fetch_* with the registry pointed at files the test writes -------------------------------------------

@pytest.fixture
def bandai_server(tmp_path, bandai_path, monkeypatch):
    """A copy of three dataset-1 clips with their cfg, served by file:// URLs, and its manifest."""
    server = tmp_path / "server" / "Bandai-Namco-Research-Motiondataset-1"
    shutil.copytree(bandai_path / "cfg", server / "cfg")
    (server / "data").mkdir()
    for stem in ("dataset-1_walk_sad_001", "dataset-1_walk_happy_001", "dataset-1_run_sad_001"):
        for ext in (".bvh", ".json"):
            shutil.copyfile(bandai_path / "data" / (stem + ext), server / "data" / (stem + ext))
    lines = [f"{_sha256(p.read_bytes())} {p.stat().st_size} {p.relative_to(server).as_posix()}"
             for p in sorted(server.rglob("*")) if p.is_file()]
    manifest = tmp_path / "bandai-namco-1.txt"
    manifest.write_text("\n".join(lines) + "\n")
    spec = dict(fetch.REGISTRY["bandai-namco-1"], base_url=server.as_uri() + "/", manifest=manifest)
    monkeypatch.setitem(fetch.REGISTRY, "bandai-namco-1", spec)
    return server


def test_fetch_bandai_namco_gives_a_folder_the_loader_reads(tmp_path, bandai_server, capsys, monkeypatch):
    folder = fetch_bandai_namco(tmp_path / "home", dataset=1, progress=True)
    assert folder == (tmp_path / "home" / "bandai-namco-1").resolve()
    assert "bandai-namco-1: checking or downloading 8 files" in capsys.readouterr().err
    fetched, served = load_bandai_namco(folder), load_bandai_namco(bandai_server)
    assert list(fetched.target) == list(served.target) and list(fetched.groups) == list(served.groups)
    assert [p.name for p in (tmp_path / "home").iterdir()] == ["bandai-namco-1"]
    monkeypatch.setattr(fetch, "_urlopen", lambda url, **kwargs: pytest.fail(f"downloaded {url} again"))
    assert fetch_bandai_namco(tmp_path / "home", progress=False) == folder


def test_an_interrupted_fetch_is_never_the_data_set_and_resumes(tmp_path, bandai_server, monkeypatch):
    manifest = fetch.REGISTRY["bandai-namco-1"]["manifest"]
    good = manifest.read_text()
    broken = re.sub(r"^[0-9a-f]{64}(?= \d+ data/dataset-1_walk_happy_001.bvh)", "f" * 64, good, flags=re.M)
    manifest.write_text(broken)
    with pytest.raises(OSError, match=r"dataset-1_walk_happy_001.bvh: SHA-256 mismatch: expected f{64}"):
        fetch_bandai_namco(tmp_path / "home", progress=False)
    home = tmp_path / "home"
    assert not (home / "bandai-namco-1").exists()  # a loader never sees a half-fetched data set
    partial = {p.relative_to(home / "bandai-namco-1.partial").as_posix()
               for p in (home / "bandai-namco-1.partial").rglob("*") if p.is_file()}
    assert "data/dataset-1_walk_happy_001.bvh" not in partial and "cfg/style_label.txt" in partial

    manifest.write_text(good)
    requested = []
    real = fetch._urlopen
    monkeypatch.setattr(fetch, "_urlopen", lambda url, **kw: requested.append(url) or real(url, **kw))
    folder = fetch_bandai_namco(home, progress=False)
    assert [url.rsplit("/", 1)[1] for url in requested] == ["dataset-1_walk_happy_001.bvh"]
    assert len(load_bandai_namco(folder).data) == 3 and not (home / "bandai-namco-1.partial").exists()


def test_fetch_bandai_namco_dataset_is_checked(tmp_path):
    with pytest.raises(ValueError, match="dataset must be 1 or 2, got 3"):
        fetch_bandai_namco(tmp_path, dataset=3)


@pytest.fixture
def style_server(tmp_path, monkeypatch):
    """A zip in 100STYLE's shape (one top folder), served by a file:// URL, registered with its checksums."""
    archive = _zip(tmp_path / "100STYLE-served.zip", {
        "100STYLE/Frame_Cuts.csv": "STYLE_NAME,FW_START,FW_STOP\nAngry,10,200\n",
        "100STYLE/Dataset_List.csv": "Style Name,Description\nAngry,angry walk\n",
        "100STYLE/Angry/Angry_FW.bvh": "HIERARCHY\n",
    })
    data = archive.read_bytes()
    spec = dict(fetch.REGISTRY["100style"], url=archive.as_uri(), size=len(data), sha256=_sha256(data),
                md5=hashlib.md5(data).hexdigest())
    monkeypatch.setitem(fetch.REGISTRY, "100style", spec)
    return archive


def test_fetch_100style_extracts_the_verified_archive_once(tmp_path, style_server, monkeypatch):
    home = tmp_path / "home"
    folder = fetch_100style(home, progress=False)
    assert folder == (home / "100STYLE").resolve()
    assert (folder / "Frame_Cuts.csv").read_text().startswith("STYLE_NAME") and (folder / "Angry").is_dir()
    assert sorted(p.name for p in home.iterdir()) == ["100STYLE", "100STYLE.zip"]
    (home / "100STYLE.zip").unlink()  # the extracted folder is enough once it is complete
    monkeypatch.setattr(fetch, "_urlopen", lambda url, **kwargs: pytest.fail(f"downloaded {url} again"))
    assert fetch_100style(home, progress=False) == folder


def test_fetch_100style_never_replaces_a_folder_it_did_not_extract(tmp_path, style_server, no_network):
    own = tmp_path / "home" / "100STYLE"
    own.mkdir(parents=True)
    (own / "Frame_Cuts.csv").write_text("the user's copy")
    with pytest.raises(FileExistsError, match=r"100STYLE exists and was not extracted by fetch_100style"):
        fetch_100style(tmp_path / "home", progress=False)
    assert (own / "Frame_Cuts.csv").read_text() == "the user's copy"


def test_fetch_100style_refuses_a_wrong_or_unknown_checksum(tmp_path, style_server, monkeypatch):
    home = tmp_path / "home"
    monkeypatch.setitem(fetch.REGISTRY["100style"], "md5", "2" * 32)
    with pytest.raises(OSError, match=rf"{re.escape(style_server.as_uri())}: MD5 mismatch: expected 2{{32}}, got"):
        fetch_100style(home, progress=False)
    assert list(home.iterdir()) == []
    monkeypatch.setitem(fetch.REGISTRY["100style"], "sha256", None)
    with pytest.raises(ValueError, match="has no SHA-256 for 100style.*not downloaded unverified"):
        fetch_100style(home, progress=False)


def test_get_data_home_creates_the_folder_only_when_asked(tmp_path, monkeypatch):
    monkeypatch.setenv("SKEMOTION_DATA", str(tmp_path / "cache" / "skemotion"))
    with pytest.raises(FileNotFoundError, match="No data folder found"):
        get_data_home()
    assert get_data_home(create=True) == (tmp_path / "cache" / "skemotion").resolve()
    assert get_data_home(tmp_path / "explicit", create=True).is_dir()


def test_a_corrupt_manifest_line_is_named(tmp_path, monkeypatch):
    manifest = tmp_path / "m.txt"
    manifest.write_text(f"{'a' * 64} 12 cfg/style_label.txt\n{'b' * 63} 3 data/x.bvh\n")
    monkeypatch.setitem(fetch.REGISTRY, "bandai-namco-1", dict(fetch.REGISTRY["bandai-namco-1"], manifest=manifest))
    with pytest.raises(ValueError, match=r"m.txt, line 2: expected '<sha256> <size> <path>'"):
        fetch._manifest("bandai-namco-1")
    manifest.write_text(f"{'a' * 64} 12 ../outside.txt\n")
    with pytest.raises(ValueError, match=r"refusing the member '../outside.txt'"):
        fetch._manifest("bandai-namco-1")


def test_downloads_never_go_into_the_searched_reference_folder(tmp_path, monkeypatch):
    shared = tmp_path / "repo" / ".." / "shared" / "data"
    shared.mkdir(parents=True)
    (tmp_path / "repo").mkdir(exist_ok=True)
    monkeypatch.chdir(tmp_path / "repo")
    monkeypatch.delenv("SKEMOTION_DATA", raising=False)
    monkeypatch.setattr("skemotion.datasets._home._DEFAULT", tmp_path / "downloads")
    assert get_data_home() == shared.resolve()
    assert get_data_home(create=True) == (tmp_path / "downloads").resolve()
