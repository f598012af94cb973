"""Root digests over a model's files, the way the OpenSSF model-signing manifest computes them."""

from __future__ import annotations

import hashlib

import pytest

from mlgov_checks.evidence import digests


def _model(tmp_path, files):
    for rel, data in files.items():
        p = tmp_path / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data)
    return tmp_path


def test_root_is_sha256_over_sorted_file_digests(tmp_path):
    root = _model(tmp_path, {"b.bin": b"weights", "a/MLmodel": b"flavors: {}", "a/z.txt": b""})
    got = digests.digest_directory(str(root))
    want = hashlib.sha256()
    for rel in ("a/MLmodel", "a/z.txt", "b.bin"):  # sorted relative POSIX paths
        want.update(hashlib.sha256((root / rel).read_bytes()).digest())
    assert [f.path for f in got.files] == ["a/MLmodel", "a/z.txt", "b.bin"]
    assert got.root == want.hexdigest()
    assert got.files[2].size == len(b"weights")


def test_mlflow_download_marker_and_version_control_are_not_the_model(tmp_path):
    root = _model(tmp_path, {"model.pkl": b"w", "registered_model_meta": b"model_name: m",
                             ".git/HEAD": b"ref", ".gitignore": b"*"})
    assert [f.path for f in digests.digest_directory(str(root)).files] == ["model.pkl"]
    assert [f.path for f in digests.digest_directory(str(root), ignore=["model.pkl"]).files] == []


def test_any_change_to_any_file_changes_the_root(tmp_path):
    root = _model(tmp_path, {"model.pkl": b"w", "MLmodel": b"x"})
    before = digests.digest_directory(str(root))
    (root / "model.pkl").write_bytes(b"W")
    after = digests.digest_directory(str(root))
    assert before.root != after.root
    (root / "extra.bin").write_bytes(b"")
    added = digests.digest_directory(str(root))
    assert digests.changes(before.by_path(), added.by_path()) == ["changed: model.pkl", "added: extra.bin"]
    assert digests.changes(added.by_path(), before.by_path()) == ["changed: model.pkl", "removed: extra.bin"]


def test_a_symbolic_link_in_a_model_is_refused(tmp_path):
    root = _model(tmp_path / "m", {"model.pkl": b"w"})
    (tmp_path / "outside").write_bytes(b"x")
    (root / "link").symlink_to(tmp_path / "outside")
    with pytest.raises(ValueError, match="symbolic link"):
        digests.digest_directory(str(root))


def test_streams_are_read_in_chunks():
    chunks = [b"a" * 10, b"b" * 5]
    assert digests.sha256_stream(iter(chunks)) == (hashlib.sha256(b"a" * 10 + b"b" * 5).hexdigest(), 15)
    assert digests.sha256_bytes(b"card") == hashlib.sha256(b"card").hexdigest()


def test_one_path_twice_is_refused():
    f = digests.FileDigest("a", "00" * 32, 0)
    with pytest.raises(ValueError):
        digests.ModelDigest.of([f, f])
