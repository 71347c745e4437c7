"""The shapes every camera-file reader produces, apart from the readers themselves.

``Source`` (a header of column names and an iterator of ``Chunk``), ``SourceError`` and the small helpers the CSV,
GeoJSON and KML readers share. Kept in a module of its own so that ``readers`` (which opens any format) and the
format readers (which build on these types) do not import each other.
"""

from __future__ import annotations

import codecs
import hashlib
import io
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, BinaryIO

CHUNK_ROWS = 20_000
FORMATS = ("csv", "geojson", "kml")
_SURROGATE = re.compile("[\udc80-\udcff]")
SNIFF_BYTES = 64 * 1024


class SourceError(Exception):
    """The file cannot be read as a camera list at all; the message says why and what to do."""


@dataclass
class Chunk:
    """Up to CHUNK_ROWS rows. rows[i] has exactly one value per column ('' or None when absent).

    Line numbers: lines[i] when given, else first_line + i (the common case of one physical line per row).
    problems: row index -> reason, for rows the reader could not read properly (they are rejected as they are).
    features: GeoJSON feature numbers (1-based), shown beside the line.
    """

    rows: Sequence[list[Any]]
    first_line: int = 1
    lines: list[int] | None = None
    problems: dict[int, str] = field(default_factory=dict)
    features: list[int] | None = None
    blank: set[int] = field(default_factory=set)  # empty lines: skipped, not counted as rows
    columns: list[list[str]] | None = None  # the same values column by column, when the reader split them so

    def line(self, i: int) -> int:
        return self.lines[i] if self.lines is not None else self.first_line + i

    def where(self, i: int) -> str:
        """'line N' or 'line N (feature M)': how a report names row i."""
        text = f"line {self.line(i)}"
        return f"{text} (feature {self.features[i]})" if self.features is not None else text


@dataclass
class ReadProgress:
    done_bytes: int = 0
    total_bytes: int = 0


class Source:
    """A readable camera file: its columns and an iterator over chunks. Subclasses fill the format specifics."""

    format = ""

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self.columns: list[str] = []
        self.progress = ReadProgress(0, self.path.stat().st_size if self.path.exists() else 0)
        self.sha256 = ""        # of the whole file, known once chunks() has run to the end
        self.notes: list[str] = []  # file-level remarks for the report (encoding used, delimiter, ...)

    def chunks(self, size: int = CHUNK_ROWS) -> Iterator[Chunk]:
        raise NotImplementedError


# --- helpers shared by the readers -----------------------------------------------------------------------------
def clean_name(name: str, index: int, seen: set[str]) -> str:
    """A usable, unique column name (surrogates from undecodable bytes become U+FFFD)."""
    name = _SURROGATE.sub("\ufffd", str(name)).strip() or f"column_{index + 1}"
    base, n = name, 2
    while name in seen:
        name = f"{base}_{n}"
        n += 1
    seen.add(name)
    return name


def has_bad_bytes(text: str) -> re.Match[str] | None:
    """Where text read with errors='surrogateescape' holds bytes that were not valid in its encoding."""
    return _SURROGATE.search(text)


def bad_bytes_reason(text: str, encoding: str) -> str:
    m = _SURROGATE.search(text)
    byte = f" (byte 0x{ord(m.group(0)) - 0xDC00:02X})" if m else ""
    return f"wrong encoding: not valid {encoding_label(encoding)}{byte}; save the file as UTF-8 or choose its encoding"


def encoding_label(encoding: str) -> str:
    name = codecs.lookup(encoding).name
    return {"utf-8": "UTF-8", "utf-8-sig": "UTF-8", "cp1252": "Windows-1252", "iso8859-1": "Latin-1",
            "latin-1": "Latin-1", "utf-16": "UTF-16"}.get(name, name)


class _HashingReader(io.RawIOBase):
    """A raw file that hashes what is read through it and counts the bytes (progress)."""

    def __init__(self, fh: BinaryIO, progress: ReadProgress) -> None:
        self._fh = fh
        self.hash = hashlib.sha256()
        self._progress = progress

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:  # noqa: ANN401 - buffer protocol
        n = self._fh.readinto(buffer)
        if n:
            self.hash.update(memoryview(buffer)[:n])
            self._progress.done_bytes += n
        return n or 0

    def close(self) -> None:
        self._fh.close()
        super().close()
