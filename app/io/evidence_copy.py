"""Copy a file and take its SHA-256 in the same read, with reading, hashing and writing overlapped.

The destination is sized first and mapped into memory; a reader thread reads the source straight into the
mapping (one copy, kernel to the destination's pages), and this thread hashes each chunk from the mapping as
soon as it has landed. So the digest is of the bytes actually in the destination, the source is read once,
and hashing (OpenSSL through hashlib, which lets go of the GIL) runs while the next chunk is read and the
kernel writes the previous ones back. A plain read→hash→write loop does the three one after another (about
0.5× of `cp` here); this pass keeps up with the slower of `cp` and `openssl dgst -sha256`.

Progress and cancel are checked on every chunk; on cancel or error the destination is removed.
"""

from __future__ import annotations

import hashlib
import mmap
import os
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

CHUNK = 8 << 20


class SourceChanged(OSError):
    """The source file shrank while it was being copied (it was being written to)."""


@dataclass(frozen=True)
class CopyResult:
    sha256: str
    size_bytes: int


def copy_and_hash(src: Path, dst: Path, progress: Callable[[int, int], None] | None = None,
                  check: Callable[[], None] | None = None, fsync: bool = True) -> CopyResult:
    """Copy src to dst (created, mode 0600, must not exist) and return the SHA-256 of what was written.

    `check()` may raise to cancel (e.g. workers.jobs.Cancelled); dst is then removed. With fsync the data is on
    the disk when this returns."""
    src, dst = Path(src), Path(dst)
    size = src.stat().st_size
    fd = os.open(dst, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        if size == 0:
            digest = hashlib.sha256().hexdigest()
        else:
            os.ftruncate(fd, size)
            digest = _mapped_copy(src, fd, size, progress, check)
        if fsync:
            os.fsync(fd)
    except BaseException:
        os.close(fd)
        dst.unlink(missing_ok=True)
        raise
    os.close(fd)
    return CopyResult(digest, size)


def _mapped_copy(src: Path, fd: int, size: int, progress: Callable[[int, int], None] | None,
                 check: Callable[[], None] | None) -> str:
    h = hashlib.sha256()
    mm = mmap.mmap(fd, size, flags=mmap.MAP_SHARED, prot=mmap.PROT_READ | mmap.PROT_WRITE)
    view = memoryview(mm)
    landed: queue.Queue[tuple[int, int] | BaseException | None] = queue.Queue()
    stop = threading.Event()

    def reader() -> None:
        try:
            with open(src, "rb", buffering=0) as fh:
                off = 0
                while off < size and not stop.is_set():
                    n = fh.readinto(view[off:off + CHUNK])
                    if not n:
                        raise SourceChanged(f"{src} became shorter while it was copied ({off:,} of {size:,} bytes)")
                    landed.put((off, n))
                    off += n
            landed.put(None)
        except BaseException as exc:  # noqa: BLE001 - handed to the hashing thread, which re-raises it
            landed.put(exc)

    thread = threading.Thread(target=reader, name="evidence-copy-reader", daemon=True)
    thread.start()
    try:
        done = 0
        while True:
            item = landed.get()
            if item is None:
                break
            if isinstance(item, BaseException):
                raise item
            off, n = item
            h.update(view[off:off + n])
            done += n
            if check is not None:
                check()
            if progress is not None:
                progress(done, size)
        mm.flush()
    finally:
        stop.set()
        thread.join()
        view.release()
        mm.close()
    return h.hexdigest()


def hash_file(path: Path, progress: Callable[[int, int], None] | None = None,
              check: Callable[[], None] | None = None) -> str:
    """SHA-256 of a stored file; reading the next chunk overlaps hashing the last one."""
    path = Path(path)
    size = path.stat().st_size
    h = hashlib.sha256()
    if size == 0:
        return h.hexdigest()
    with open(path, "rb") as fh:
        mm = mmap.mmap(fh.fileno(), size, access=mmap.ACCESS_READ)
        try:
            mm.madvise(mmap.MADV_SEQUENTIAL)
            view = memoryview(mm)
            try:
                for off in range(0, size, CHUNK):
                    if off + 2 * CHUNK < size:
                        mm.madvise(mmap.MADV_WILLNEED, off + CHUNK, CHUNK)  # read ahead while this chunk hashes
                    h.update(view[off:off + CHUNK])
                    if check is not None:
                        check()
                    if progress is not None:
                        progress(min(off + CHUNK, size), size)
            finally:
                view.release()
        finally:
            mm.close()
    return h.hexdigest()
