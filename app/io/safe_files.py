"""What every exported file shares: CSV cells a spreadsheet cannot run, files private to the user, written whole or
not at all, and the audit chain's head they were made at. No Qt.

* Formula neutralisation (OWASP "CSV injection"): a text cell that starts with ``=``, ``+``, ``-``, ``@``, a tab or
  a carriage return is prefixed with ``'`` so a spreadsheet shows it as text instead of running it
  (``=cmd|' /C calc'!A0``). Plain numbers written as text (``-12.5``) are left alone: a spreadsheet reads them as
  numbers, never as formulas. Numbers (int, float) are never touched.
* ``private_atomic_file``: a temporary file (mode 0600 from its creation, never readable by others even for a
  moment) beside the target, renamed into place only when complete.
* ``write_head_file``: the audit chain head the export was made at, in ``NAME.chain-head.json`` beside it, so an
  auditor can later show with ``canvass verify-audit --head`` that nothing before it changed.
"""

from __future__ import annotations

import contextlib
import csv
import json
import os
import re
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from pathlib import Path
from typing import IO, Any

from app.store.audit import ChainHead

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")


def neutralise(value: Any) -> Any:
    """The cell as a spreadsheet will show it, never as a formula it would run."""
    if isinstance(value, str) and value and value[0] in FORMULA_START and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


class SafeCsvWriter:
    """csv.writer whose text cells are neutralised (the one place every CSV export writes through)."""

    def __init__(self, fh: IO[str], **kwargs: Any) -> None:
        self._writer = csv.writer(fh, **kwargs)

    def writerow(self, row: Iterable[Any]) -> None:
        self._writer.writerow([neutralise(v) for v in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


def csv_writer(fh: IO[str], **kwargs: Any) -> SafeCsvWriter:
    return SafeCsvWriter(fh, **kwargs)


class ExportError(OSError):
    """The file could not be written; the message says where and what to do. Nothing was left behind."""


def _explain(path: Path, exc: OSError) -> ExportError:
    import errno

    if exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        why = "the folder is read-only or not yours"
    elif exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        why = "the disk is full"
    elif exc.errno == errno.ENOENT:
        why = "the folder does not exist (any more)"
    else:
        why = exc.strerror or str(exc)
    return ExportError(exc.errno or 0, f"{path} could not be written: {why}. Nothing was written; choose another "
                       "folder")


@contextlib.contextmanager
def private_atomic_file(path: str | os.PathLike[str], newline: str | None = "") -> Iterator[IO[str]]:
    """A text file that appears at path only when complete, readable and writable by the user only (0600)."""
    path = Path(path)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)  # mkstemp: 0600
    except OSError as exc:
        raise _explain(path, exc) from exc
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline=newline) as fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        if isinstance(exc, ExportError):
            raise
        raise _explain(path, exc) from exc
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_private_csv(path: str | os.PathLike[str], header: Sequence[str], rows: Iterable[Sequence[Any]],
                      head: ChainHead | None = None, **kwargs: Any) -> Path | None:
    """A whole CSV (header + rows), neutralised, private, atomic; with the head file beside it if head is given."""
    with private_atomic_file(path) as fh:
        writer = csv_writer(fh, **kwargs)
        writer.writerow(header)
        writer.writerows(rows)
    return write_head_file(path, head) if head is not None else None


def head_file_for(path: str | os.PathLike[str]) -> Path:
    p = Path(path)
    return p.with_name(p.stem + ".chain-head.json")


def head_record(head: ChainHead, made: str = "") -> dict[str, Any]:
    return {"seq": head.seq, "hash": head.hash, "at": head.at, "algorithm": "sha256",
            **({"made": made} if made else {}),
            "note": "The audit log's head when this file was made. Keep it apart from the data: `canvass "
                    "verify-audit --data-dir DIR --head THIS_FILE` shows the log still holds this entry unchanged."}


def write_head_file(path: str | os.PathLike[str], head: ChainHead, made: str = "") -> Path:
    target = head_file_for(path)
    with private_atomic_file(target, newline=None) as fh:
        fh.write(json.dumps(head_record(head, made), indent=2) + "\n")
    return target
