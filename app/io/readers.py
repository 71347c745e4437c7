"""Camera files as tables of raw values: a header of column names and chunks of rows, each row keeping its line.

CSV, GeoJSON and KML readers all produce the same shape (``Source``), so one field mapping and one validator serve
every format. Readers never judge values (that is app.io.validate); they only report what they cannot read as a row
at all: an undecodable line (wrong encoding), a row with more fields than the header, a geometry that is not a point.

Encoding (CSV): UTF-8 (a byte-order mark is allowed; a UTF-16 BOM switches to UTF-16). We do NOT silently fall back
to cp1252: it decodes almost any byte sequence, so a file in some other encoding would import with garbled labels
and nobody would notice. Instead every row that is not valid in the chosen encoding is rejected as "wrong encoding"
with its line number, the other rows stay importable, and the user can pick another encoding explicitly (the
mapping's "encoding" key; the preview dialog offers Windows-1252 and Latin-1).
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from app.io.source import (  # noqa: F401 - re-exported: the readers' shared types live in app.io.source
    _SURROGATE,
    CHUNK_ROWS,
    FORMATS,
    SNIFF_BYTES,
    Chunk,
    ReadProgress,
    Source,
    SourceError,
    _HashingReader,
    bad_bytes_reason,
    clean_name,
    encoding_label,
    has_bad_bytes,
)


def detect_format(path: Path, fmt: str | None = None) -> str:
    if fmt:
        if fmt not in FORMATS:
            raise SourceError(f"Unknown format {fmt!r}: use one of {', '.join(FORMATS)}.")
        return fmt
    suffix = path.suffix.lower()
    if suffix in (".geojson", ".json"):
        return "geojson"
    if suffix == ".kml":
        return "kml"
    if suffix in (".csv", ".tsv", ".txt"):
        return "csv"
    with path.open("rb") as fh:
        head = fh.read(512).lstrip(b"\xef\xbb\xbf \t\r\n")
    if head.startswith(b"{"):
        return "geojson"
    if head.startswith(b"<"):
        return "kml"
    return "csv"


def open_source(path: str | Path, fmt: str | None = None, encoding: str | None = None) -> Source:
    """Open a camera file and read its header. Raises SourceError (missing file, unreadable structure)."""
    path = Path(path)
    if not path.is_file():
        raise SourceError(f"{path} does not exist or is not a file.")
    kind = detect_format(path, fmt)
    if kind == "geojson":
        from app.io.geojson_reader import GeoJSONSource

        return GeoJSONSource(path)
    if kind == "kml":
        from app.io.kml_reader import KMLSource

        return KMLSource(path)
    return CSVSource(path, encoding)


# --- CSV -------------------------------------------------------------------------------------------------------
class CSVSource(Source):
    format = "csv"

    def __init__(self, path: Path, encoding: str | None = None) -> None:
        super().__init__(path)
        with self.path.open("rb") as fh:
            head = fh.read(SNIFF_BYTES)
        if encoding:
            codecs.lookup(encoding)  # LookupError for nonsense names
            self.encoding = encoding
        elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            self.encoding = "utf-16"
        else:
            self.encoding = "utf-8-sig"
        sample = head.decode(self.encoding if self.encoding != "utf-16" else "utf-16", errors="replace")
        if len(head) == SNIFF_BYTES and "\n" in sample:
            sample = sample[: sample.rfind("\n")]  # whole lines only
        try:
            self.dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t|")
            self.delimiter = self.dialect.delimiter
        except csv.Error:
            self.dialect, self.delimiter = csv.excel, ","
        if self.delimiter != ",":
            self.notes.append(f"delimiter: {self.delimiter!r}")
        self.header_line = 0
        with self._open(strict=False) as text:
            reader = csv.reader(text, self.dialect)
            for row in reader:
                if any(v.strip() for v in row):
                    self.header_line = reader.line_num
                    seen: set[str] = set()
                    self.columns = [clean_name(v, i, seen) for i, v in enumerate(row)]
                    break
        if not self.columns:
            raise SourceError(f"{self.path.name} is empty: a CSV camera list needs a header row and data rows.")

    def _open(self, strict: bool, progress: ReadProgress | None = None) -> io.TextIOWrapper:
        raw = _HashingReader(self.path.open("rb"), progress or ReadProgress())
        return io.TextIOWrapper(io.BufferedReader(raw, 1 << 20), encoding=self.encoding,
                                errors="strict" if strict else "surrogateescape", newline="")

    def chunks(self, size: int = CHUNK_ROWS) -> Iterator[Chunk]:
        """Read strictly (fast); on the first undecodable byte start over in checking mode from that row on."""
        yielded = 0
        try:
            for chunk in self._read(size, strict=True, skip=0):
                yielded += len(chunk.rows)
                yield chunk
            return
        except UnicodeDecodeError:
            pass
        self.notes.append(f"some lines are not valid {encoding_label(self.encoding)}: those rows are rejected")
        yield from self._read(size, strict=False, skip=yielded)

    def _read(self, size: int, strict: bool, skip: int) -> Iterator[Chunk]:
        width = len(self.columns)
        delim = self.delimiter
        self.progress.done_bytes = 0
        with self._open(strict, self.progress) as text:
            raw: _HashingReader = text.buffer.raw  # type: ignore[attr-defined]
            reader = csv.reader(text, self.dialect)
            for _ in itertools.islice(reader, self.header_line):
                pass  # the header (and blank lines before it)
            if skip:
                for _ in itertools.islice(reader, skip):
                    pass
            if strict and self._splittable():
                yield from self._split_chunks(text, reader.line_num, size)
                self.sha256 = raw.hash.hexdigest()
                return
            while True:
                start = reader.line_num + 1
                rows = list(itertools.islice(reader, size))
                if not rows:
                    break
                chunk = _row_chunk(rows, start, reader.line_num, width)
                if not strict:
                    for i, row in enumerate(rows):
                        if i not in chunk.problems and has_bad_bytes(delim.join(row)):
                            chunk.problems[i] = bad_bytes_reason(delim.join(row), self.encoding)
                            chunk.rows[i] = [_SURROGATE.sub("\ufffd", v) for v in row]
                yield chunk
            self.sha256 = raw.hash.hexdigest()


    def _splittable(self) -> bool:
        """Whether a line without the quote character splits on the delimiter exactly as csv.reader splits it."""
        d = self.dialect
        return len(self.columns) > 1 and not d.skipinitialspace and d.escapechar is None and d.quotechar is not None

    def _split_chunks(self, text: io.TextIOWrapper, line: int, size: int) -> Iterator[Chunk]:
        """Chunks after line `line`, split with str methods where no line holds a quote (the common case).

        csv.reader builds a list per row, which then has to be transposed into columns; a chunk of plain lines is
        instead joined, split once on the delimiter and sliced into columns, with no per-row Python objects. A
        chunk with a quote character goes through csv.reader (which may read on past the chunk's lines to finish a
        quoted value spanning lines), and so does any chunk whose lines do not all have exactly one field per column
        (blank, short or long lines), so every row is read, padded or rejected exactly as csv.reader would have it.
        """
        width = len(self.columns)
        delim, quote = self.delimiter, self.dialect.quotechar
        limit = csv.field_size_limit()
        while True:
            lines = list(itertools.islice(text, size))
            if not lines:
                return
            blob = "".join(lines)
            columns = None
            if quote not in blob and max(map(len, lines)) <= limit:
                columns = _split_columns(blob, len(lines), delim, width)
            if columns is not None:
                yield Chunk(_RowsView(columns), line + 1, columns=columns)
                line += len(lines)
                continue
            reader = csv.reader(itertools.chain(lines, text), self.dialect)
            rows = []
            while reader.line_num < len(lines):
                row = next(reader, None)
                if row is None:
                    break
                rows.append(row)
            yield _row_chunk(rows, line + 1, line + reader.line_num, width)
            line += reader.line_num


class _RowsView(Sequence[list[str]]):
    """Row i of a column-split chunk, built on demand (the validator looks at only a few rows this way)."""

    def __init__(self, columns: list[list[str]]) -> None:
        self._columns = columns

    def __len__(self) -> int:
        return len(self._columns[0])

    def __getitem__(self, i: int) -> list[str]:  # type: ignore[override]
        return [c[i] for c in self._columns]


def _split_columns(blob: str, count: int, delim: str, width: int) -> list[list[str]] | None:
    """The columns of `count` quote-free lines, or None unless each line has exactly `width` fields."""
    if "\r" in blob:
        if blob.count("\r") != blob.count("\r\n"):
            return None  # a lone CR ends a record too: leave that to csv.reader
        blob = blob.replace("\r\n", "\n")
    body = blob[:-1] if blob.endswith("\n") else blob
    records = body.split("\n")
    if len(records) != count or set(map(str.count, records, itertools.repeat(delim))) != {width - 1}:
        return None
    flat = body.replace("\n", delim).split(delim)
    return [flat[j::width] for j in range(width)]


def _row_chunk(rows: list[list[str]], start: int, last_line: int, width: int) -> Chunk:
    """A chunk of csv.reader rows that began on line `start`; the reader is now at `last_line`."""
    chunk = Chunk(rows, start)
    if last_line - start + 1 != len(rows):
        chunk.lines = _physical_lines(rows, start)
    if set(map(len, rows)) != {width}:
        _fit_rows(chunk, width)
    return chunk


def _physical_lines(rows: list[list[str]], start: int) -> list[int]:
    """Line of each record when some span several lines (newlines inside quoted values)."""
    lines, line = [], start
    for row in rows:
        lines.append(line)
        extra = 0
        for v in row:
            if "\n" in v or "\r" in v:
                extra += v.count("\n") + v.count("\r") - v.count("\r\n")
        line += 1 + extra
    return lines


def _fit_rows(chunk: Chunk, width: int) -> None:
    """Blank lines become empty rows (skipped later); short rows are padded; long rows are rejected."""
    for i, row in enumerate(chunk.rows):
        n = len(row)
        if n == 0:
            chunk.blank.add(i)
            row.extend([""] * width)
        elif n < width:
            row.extend([""] * (width - n))
        elif n > width:
            if any(v.strip() for v in row[width:]):
                chunk.problems[i] = (f"{n} fields but the header has {width} (a delimiter inside an unquoted "
                                     "value?)")
            del row[width:]
