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
import collections
import csv
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from app.io import arrow_csv
from app.io.csv_blocks import RowsView, fit_rows, split_columns, split_quoted_columns
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
BLOCK_BYTES = 1 << 21        # the file is read in blocks of this many bytes; memory never holds much more
MAX_LINE = 1 << 20           # a line longer than this (characters) is rejected without being kept
MAX_SKIP = 64 << 20          # ... and one longer than this ends the reading: no camera list has such lines
MAX_SPAN = 100               # a quoted value spanning more lines than this is taken for an unclosed quote


class _Swallowed(Exception):
    """A record has taken more than MAX_SPAN lines: an unclosed quote is swallowing the file."""


def _bom_less_utf16_32(head: bytes) -> str | None:
    """'utf-16-le' etc. for text without a byte-order mark, recognised by its zero bytes (ASCII-heavy text)."""
    sample = head[:4096]
    n = len(sample) - len(sample) % 4
    if n < 8:
        return None
    zeros = [sample[i:n:4].count(0) / (n // 4) for i in range(4)]
    if zeros[1] > 0.9 and zeros[2] > 0.9 and zeros[3] > 0.9 and zeros[0] < 0.5:
        return "utf-32-le"
    if zeros[0] > 0.9 and zeros[1] > 0.9 and zeros[2] > 0.9 and zeros[3] < 0.5:
        return "utf-32-be"
    odd, even = (zeros[1] + zeros[3]) / 2, (zeros[0] + zeros[2]) / 2
    if odd > 0.9 and even < 0.5:
        return "utf-16-le"
    if even > 0.9 and odd < 0.5:
        return "utf-16-be"
    return None


def _split_lines(text: str) -> list[str]:
    """Physical lines, each with its '\n' (the last may have none)."""
    parts = text.split("\n")
    last = parts.pop()
    lines = [p + "\n" for p in parts]
    if last:
        lines.append(last)
    return lines


class _LineFeed:
    """Physical lines for csv.reader, from the file's blocks, numbered; remembers the lines of the record being read
    (to give them back when it turns out to be an unclosed quote) and notices a record still open at the end."""

    def __init__(self, blocks: Iterator[str]) -> None:
        self._blocks = blocks
        self.buf: collections.deque[str] = collections.deque()
        self.line = 0            # lines handed out so far
        self.recent: list[str] = []
        self.eof_in_record = False
        self.exhausted = False

    def push_text(self, text: str) -> None:
        self.buf.extend(_split_lines(text))

    def fill(self) -> bool:
        block = next(self._blocks, None)
        if block is None:
            self.exhausted = True
            return False
        self.push_text(block)
        return True

    def begin_record(self) -> None:
        self.recent = []

    def __iter__(self) -> _LineFeed:
        return self

    def __next__(self) -> str:
        if not self.buf and not self.fill():
            if self.recent:
                self.eof_in_record = True
            raise StopIteration
        text = self.buf.popleft()
        self.recent.append(text)
        self.line += 1
        if len(self.recent) > MAX_SPAN:
            raise _Swallowed()
        return text

    def replay(self, lines: list[str], line: int) -> None:
        """Read `lines` again, numbered from line + 1."""
        self.buf.extendleft(reversed(lines))
        self.line = line
        self.recent = []
        self.eof_in_record = False


class CSVSource(Source):
    """A CSV file read as a stream of blocks: memory holds a block or two, whatever the file's size.

    Clean blocks (no quote character, one field per column on every line) are split with str methods; the others
    go through csv.reader, line by line, with every anomaly a rejected row and never a crash: a line over MAX_LINE
    characters (kept out of memory), a field over csv's limit, a quote left open (reported on the line it opened,
    with how many lines it took; reading goes on from the next line), undecodable bytes.
    """

    format = "csv"

    def __init__(self, path: Path, encoding: str | None = None) -> None:
        super().__init__(path)
        with self.path.open("rb") as fh:
            head = fh.read(SNIFF_BYTES)
        self.lone_cr = False
        if encoding:
            codecs.lookup(encoding)  # LookupError for nonsense names
            self.encoding = encoding
        elif head.startswith((codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)):
            self.encoding = "utf-32"
        elif head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            self.encoding = "utf-16"
        else:
            self.encoding = _bom_less_utf16_32(head) or "utf-8-sig"
            if self.encoding != "utf-8-sig":
                self.notes.append(f"no byte-order mark: read as {encoding_label(self.encoding)} (recognised by its "
                                  "zero bytes)")
        self._errors = "surrogateescape" if codecs.lookup(self.encoding).name not in (
            "utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be") else "replace"
        sample = head.decode(self.encoding, errors="replace")
        if "\r" in sample and "\n" not in sample:
            self.lone_cr = True  # old Mac line ends: read as newlines
            sample = sample.replace("\r", "\n")
        bom = len(sample) - len(sample.lstrip("\ufeff"))
        if bom:
            self.notes.append("the file starts with a second byte-order mark: removed")
        sample = sample.lstrip("\ufeff")
        if "\n" in sample:
            sample = sample[: sample.rfind("\n")]  # whole lines only
        first = sample.split("\n", 1)[0]
        if "\x00" in first:
            raise SourceError(f"{self.path.name}: line 1 holds NUL bytes: this is not a text CSV file (binary data, "
                              "or an encoding that was not recognised; save it as UTF-8).")
        try:
            self.dialect: Any = csv.Sniffer().sniff(sample, delimiters=",;\t|")
            self.delimiter = self.dialect.delimiter
        except csv.Error:
            self.dialect, self.delimiter = csv.excel, ","
        if self.delimiter != ",":
            self.notes.append(f"delimiter: {self.delimiter!r}")
        self.header_line = 0
        self.long_lines: dict[int, int] = {}
        feed = _LineFeed(self._blocks(ReadProgress()))
        reader = csv.reader(feed, self.dialect)
        try:
            for row in reader:
                if feed.line in self.long_lines:
                    raise SourceError(f"{self.path.name}: line {feed.line} is {self.long_lines[feed.line]:,} "
                                      "characters long before a header row: this is not a CSV camera list.")
                if any(v.strip() for v in row):
                    self.header_line = feed.line
                    self.columns = self._header(row)
                    break
        except (csv.Error, _Swallowed) as exc:
            raise SourceError(f"{self.path.name}: the header row cannot be read ({exc or 'a quote is not closed'})."
                              ) from None
        if not self.columns:
            raise SourceError(f"{self.path.name} is empty: a CSV camera list needs a header row and data rows.")

    def _header(self, row: list[str]) -> list[str]:
        seen: dict[str, int] = {}
        for i, v in enumerate(row):
            name = _SURROGATE.sub("\ufffd", v).strip().lstrip("\ufeff").strip()
            if name and name in seen:
                raise SourceError(f"{self.path.name}: columns {seen[name] + 1} and {i + 1} are both named {name!r}; "
                                  "rename one of them so each field has one column.")
            seen.setdefault(name, i)
        taken: set[str] = set()
        return [clean_name(v.lstrip("\ufeff"), i, taken) for i, v in enumerate(row)]

    def _blocks(self, progress: ReadProgress) -> Iterator[str]:
        """The file's text in blocks of whole lines; a line over MAX_LINE characters becomes an empty line (noted
        in long_lines with its length) and is never held in memory whole."""
        raw = _HashingReader(self.path.open("rb"), progress)
        try:
            decoder = codecs.getincrementaldecoder(self.encoding)(errors=self._errors)
            pending, line, skipping, first = "", 1, 0, True
            while True:
                data = raw.read(BLOCK_BYTES)
                final = not data
                text = decoder.decode(data, final)
                if self.lone_cr:
                    text = text.replace("\r", "\n")
                if first and text:
                    text, first = text.lstrip("\ufeff"), False
                if skipping:
                    cut = text.find("\n")
                    if cut < 0 and not final:
                        skipping += len(text)
                        if skipping > MAX_SKIP:
                            raise SourceError(f"{self.path.name}: line {line} is over {MAX_SKIP >> 20} MB long "
                                              "without a line break: this is not a camera list (binary data?); "
                                              "stopped reading.")
                        continue
                    self.long_lines[line] = skipping + (cut if cut >= 0 else len(text))
                    text = "\n" + (text[cut + 1:] if cut >= 0 else "")
                    skipping = 0
                buf = pending + text
                if final:
                    if buf:
                        yield buf
                    break
                end = buf.rfind("\n")
                if end < 0:
                    if len(buf) > MAX_LINE:
                        skipping, pending = len(buf), ""
                    else:
                        pending = buf
                    continue
                block, pending = buf[:end + 1], buf[end + 1:]
                yield block
                line += block.count("\n")
                if len(pending) > MAX_LINE:
                    skipping, pending = len(pending), ""
            self.sha256 = raw.hash.hexdigest()
        finally:
            raw.close()

    def chunks(self, size: int = CHUNK_ROWS) -> Iterator[Chunk]:
        width = len(self.columns)
        self.progress.done_bytes = 0
        self.long_lines = {}
        blocks = self._blocks(self.progress)
        feed = _LineFeed(blocks)
        # skip the header (and the blank lines before it)
        while feed.line < self.header_line:
            try:
                next(feed)
            except (StopIteration, _Swallowed):
                return
        warned = [False]
        while True:
            if feed.buf:
                text = "".join(feed.buf)
                feed.buf.clear()
            else:
                block = next(blocks, None)
                if block is None:
                    return
                text = block
            first = feed.line + 1
            count = text.count("\n") + (0 if text.endswith("\n") else 1)
            clean = self._clean_block(text, count, first)  # the fast paths below take only such a block
            columns = self._fast_columns(text, count, width) if clean else None
            if columns is not None:
                feed.line += count
                for base in range(0, count, size):
                    part = [c[base:base + size] for c in columns] if count > size else columns
                    yield Chunk(RowsView(part), first + base, columns=part)
                continue
            rows = self._csv_rows(text, count) if clean else None
            if rows is not None:
                feed.line += count
                for base in range(0, count, size):
                    yield self._text_chunk(rows[base:base + size], first + base, width)
                continue
            feed.push_text(text)
            yield from self._slow_chunks(feed, size, width, warned)

    def _clean_block(self, text: str, count: int, first: int) -> bool:
        """No over-long line and no undecodable byte in the block (the careful path explains those)."""
        if self.long_lines and any(first <= n < first + count for n in self.long_lines):
            return False
        # (isascii is a flag check: the common all-ASCII block costs nothing here)
        return not (self._errors == "surrogateescape" and not text.isascii() and has_bad_bytes(text))

    def _fast_columns(self, text: str, count: int, width: int) -> list[list[str]] | None:
        if not self._splittable():
            return None
        columns = arrow_csv.read_block(text, count, width, self.dialect)
        if columns is not None:
            return columns  # type: ignore[return-value] - Arrow-backed columns of str
        if self.dialect.quotechar in text:
            return split_quoted_columns(text, count, self.delimiter, width, self.dialect)
        return split_columns(text, count, self.delimiter, width)

    def _csv_rows(self, text: str, count: int) -> list[list[str]] | None:
        """The rows of a block with quotes, read by csv.reader in one C loop; None (the careful path then reads it)
        unless every line is exactly one record: no value spans lines (nor an unclosed quote), no csv error (in
        strict mode, which errs where the careful reader would explain something); the block is clean
        (_clean_block). The careful path gives the same rows, line by line."""
        lines = text.split("\n")
        if lines[-1] == "":
            lines.pop()
        if len(lines) != count:
            return None
        reader = csv.reader(lines, self.dialect, strict=True)  # strict: a quote open at the end is an error here
        try:
            rows = list(reader)
        except csv.Error:
            return None
        if len(rows) != count or reader.line_num != count:
            return None
        return rows

    def _text_chunk(self, rows: list[list[str]], first: int, width: int) -> Chunk:
        """A chunk of csv.reader rows, one per line from `first`, also given column by column (all str)."""
        chunk = Chunk(rows, first)
        if set(map(len, rows)) != {width}:
            fit_rows(chunk, width)
        chunk.columns = [list(c) for c in zip(*rows, strict=True)] if rows else None
        return chunk

    def _slow_chunks(self, feed: _LineFeed, size: int, width: int, warned: list[bool]) -> Iterator[Chunk]:
        """Records through csv.reader until the lines taken in are used up (a record may pull in more blocks)."""
        reader = csv.reader(feed, self.dialect)
        rows: list[list[str]] = []
        lines: list[int] = []
        problems: dict[int, str] = {}
        while feed.buf:
            start = feed.line + 1
            feed.begin_record()
            problem = None
            try:
                row = next(reader)
            except StopIteration:
                row = None
                if not feed.eof_in_record:
                    break
            except _Swallowed:
                row, problem = None, self._unclosed(feed, start, at_end=False)
                reader = csv.reader(feed, self.dialect)
            except csv.Error as exc:
                taken = len(feed.recent)
                if taken > 1:
                    row, problem = None, self._unclosed(feed, start, at_end=False, error=str(exc))
                elif "field limit" in str(exc):
                    row, problem = None, (f"a value is longer than {csv.field_size_limit():,} characters: not a "
                                          "camera field")
                else:
                    row, problem = None, f"cannot be read as CSV ({exc})"
                reader = csv.reader(feed, self.dialect)
            if problem is None and feed.eof_in_record:
                problem = self._unclosed(feed, start, at_end=True)
                reader = csv.reader(feed, self.dialect)
                row = None
            if problem is None and start in self.long_lines:
                problem = (f"the line is {self.long_lines[start]:,} characters long (at most {MAX_LINE:,} are read): "
                           "not a camera row")
                row = None
            i = len(rows)
            if row is None:
                rows.append([""] * width)
                problems[i] = problem or "cannot be read as CSV"
            else:
                if self._errors == "surrogateescape" and has_bad_bytes("".join(row)):
                    problems[i] = bad_bytes_reason(self.delimiter.join(row), self.encoding)
                    row = [_SURROGATE.sub("\ufffd", v) for v in row]
                    if not warned[0]:
                        warned[0] = True
                        self.notes.append(f"some lines are not valid {encoding_label(self.encoding)}: those rows "
                                          "are rejected")
                rows.append(row)
            lines.append(start)
            if len(rows) >= size:
                yield self._chunk(rows, lines, problems, width)
                rows, lines, problems = [], [], {}
        if rows:
            yield self._chunk(rows, lines, problems, width)

    def _unclosed(self, feed: _LineFeed, start: int, at_end: bool, error: str = "") -> str:
        """The row that opened a quote never closed: reject it and read the lines it swallowed again."""
        taken = feed.recent
        swallowed = len(taken) - 1
        if at_end:
            where = f"runs to the end of the file ({swallowed:,} more lines swallowed)"
        elif error:
            where = f"grew past the field size limit after {swallowed:,} more lines"
        else:
            where = f"was still open {swallowed:,} lines later"
        feed.replay(taken[1:], start)
        return (f"unclosed quote: the quoted value that opens on line {start} {where}; the lines after it are read "
                "on their own — close the quote or remove it")

    def _chunk(self, rows: list[list[str]], lines: list[int], problems: dict[int, str], width: int) -> Chunk:
        chunk = Chunk(rows, lines[0], lines if lines != list(range(lines[0], lines[0] + len(lines))) else None,
                      problems)
        if set(map(len, rows)) != {width}:
            fit_rows(chunk, width)
        return chunk

    def _splittable(self) -> bool:
        """Whether a line without the quote character splits on the delimiter exactly as csv.reader splits it."""
        d = self.dialect
        return len(self.columns) > 1 and not d.skipinitialspace and d.escapechar is None and d.quotechar is not None
