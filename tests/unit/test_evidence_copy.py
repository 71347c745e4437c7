"""The one-pass copy + SHA-256: kernel copy, the buffered fallback, empty files, cancel, a source that shrinks."""

from __future__ import annotations

import errno
import hashlib
import os
from pathlib import Path

import pytest

from app.io import evidence_copy


@pytest.fixture
def src(tmp_path: Path) -> Path:
    p = tmp_path / "src.bin"
    p.write_bytes(os.urandom(3 * evidence_copy.CHUNK + 12345))
    return p


@pytest.mark.parametrize("kernel", [True, False])
def test_copy_and_hash_both_ways(src: Path, tmp_path: Path, kernel: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    if not kernel:
        def no(*_a: object) -> int:
            raise OSError(errno.EXDEV, "cross-device")

        monkeypatch.setattr(os, "copy_file_range", no)
    seen: list[int] = []
    res = evidence_copy.copy_and_hash(src, tmp_path / "dst.bin", lambda d, t: seen.append(d))
    data = src.read_bytes()
    assert res.sha256 == hashlib.sha256(data).hexdigest() == evidence_copy.hash_file(tmp_path / "dst.bin")
    assert (tmp_path / "dst.bin").read_bytes() == data and res.size_bytes == len(data)
    assert seen[-1] == len(data) and seen == sorted(seen)


def test_empty_file_and_cancel(tmp_path: Path, src: Path) -> None:
    empty = tmp_path / "empty"
    empty.write_bytes(b"")
    assert evidence_copy.copy_and_hash(empty, tmp_path / "e2").sha256 == hashlib.sha256(b"").hexdigest()

    def cancel() -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        evidence_copy.copy_and_hash(src, tmp_path / "c.bin", check=cancel)
    assert not (tmp_path / "c.bin").exists()
    with pytest.raises(FileExistsError):
        evidence_copy.copy_and_hash(src, empty)
