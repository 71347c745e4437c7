"""GeoJSON FeatureCollections of Points as rows: the point is the '@geometry' column, properties are columns.

Read as a stream, with memory bounded by one feature (at most MAX_FEATURE characters), never the file: the text is
decoded block by block and the top level walked with json.JSONDecoder.raw_decode one feature at a time (the C
decoder, and every feature keeps the line it starts on, which ijson would not tell). Two passes: the first finds
the property names (the columns) and checks the structure, the second yields the rows. A feature that cannot be a
row is a bad row with its line and feature number, never a crash: not a Point, unparseable coordinates, nested too
deeply (RecursionError), numbers too large for a float (a 400-digit coordinate), NaN/Infinity (not JSON), invalid
JSON inside it. Bytes that are not UTF-8 (RFC 8259 requires it) make their feature a "wrong encoding" row.
"""

from __future__ import annotations

import codecs
import json
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.io.source import (
    CHUNK_ROWS,
    Chunk,
    ReadProgress,
    Source,
    SourceError,
    _HashingReader,
    bad_bytes_reason,
    clean_name,
    has_bad_bytes,
)

GEOMETRY_COLUMN = "@geometry"
FEATURE_ID_COLUMN = "@id"
BLOCK_BYTES = 1 << 20
MAX_FEATURE = 16 << 20   # characters: a larger feature ends the reading (no camera needs one)
MAX_KEYS = 1_000         # property names kept as columns
_WS = " \t\n\r"
_TOKENS = re.compile(r'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)


def _no_constants(name: str) -> Any:  # noqa: ANN401
    raise ValueError(f"{name} is not valid JSON (RFC 8259 has no NaN or Infinity)")


_DECODER = json.JSONDecoder(parse_constant=_no_constants)


@dataclass
class _Item:
    line: int
    number: int
    value: Any = None
    problem: str | None = None
    bad_bytes: str | None = None


class _Stream:
    """The file's text, decoded block by block, with a read position and the line of that position."""

    def __init__(self, path: Path, progress: ReadProgress) -> None:
        self.path = path
        self.raw = _HashingReader(path.open("rb"), progress)
        self.decoder = codecs.getincrementaldecoder("utf-8-sig")(errors="surrogateescape")
        self.buf = ""
        self.pos = 0
        self.line = 1   # line of buf[0]
        self.eof = False

    def more(self) -> bool:
        if self.eof:
            return False
        data = self.raw.read(BLOCK_BYTES)
        if not data:
            self.eof = True
            self.buf += self.decoder.decode(b"", True)
            return False
        if self.pos > BLOCK_BYTES:  # drop what has been read, counting its lines
            self.line += self.buf.count("\n", 0, self.pos)
            self.buf = self.buf[self.pos:]
            self.pos = 0
        self.buf += self.decoder.decode(data)
        return True

    def line_at(self, pos: int) -> int:
        return self.line + self.buf.count("\n", 0, pos)

    def skip_ws(self) -> None:
        while True:
            n = len(self.buf)
            while self.pos < n and self.buf[self.pos] in _WS:
                self.pos += 1
            if self.pos < n or not self.more():
                return

    def peek(self) -> str:
        self.skip_ws()
        return self.buf[self.pos] if self.pos < len(self.buf) else ""

    def expect(self, char: str, what: str) -> None:
        if self.peek() != char:
            found = self.peek() or "the end of the file"
            raise SourceError(f"{self.path.name} is not valid JSON near line {self.line_at(self.pos)}: expected "
                              f"{what}, found {found[:20]!r}.")
        self.pos += 1

    def value(self) -> tuple[Any, str | None, str]:
        """The next JSON value: (value, problem, its raw text). A value that cannot be decoded is skipped with the
        problem said; the stream only fails when the value does not end within MAX_FEATURE characters."""
        self.skip_ws()
        while True:
            start = self.pos
            try:
                value, end = _DECODER.raw_decode(self.buf, start)
            except RecursionError:
                return self._skip(start, "nested too deeply")
            except ValueError as exc:  # JSONDecodeError, too many digits, NaN/Infinity
                end = self._end_of(start)
                if end is None:
                    if len(self.buf) - start > MAX_FEATURE:
                        raise SourceError(f"{self.path.name}: the value that starts on line {self.line_at(start)} "
                                          f"is over {MAX_FEATURE >> 20} MB long or not valid JSON; stopped "
                                          "reading.") from None
                    if self.more():
                        continue
                    raise SourceError(f"{self.path.name} is not valid JSON near line {self.line_at(start)}: "
                                      f"{_reason(exc)} (the file ends inside this value).") from None
                if end == len(self.buf) and not self.eof and self.more():
                    continue  # a number or word cut by the block's end
                self.pos = end
                return None, f"not valid JSON ({_reason(exc)})", self.buf[start:end]
            if end >= len(self.buf) and not self.eof and not isinstance(value, (dict, list, str)):
                if self.more():
                    continue  # a bare number cut by the block's end
            self.pos = end
            return value, None, self.buf[start:end]

    def _skip(self, start: int, problem: str) -> tuple[Any, str | None, str]:
        while True:
            end = self._end_of(start)
            if end is not None:
                self.pos = end
                return None, problem, ""
            if len(self.buf) - start > MAX_FEATURE or not self.more():
                raise SourceError(f"{self.path.name}: the value that starts on line {self.line_at(start)} is "
                                  f"{problem} and does not end within {MAX_FEATURE >> 20} MB; stopped reading.")

    def _end_of(self, start: int) -> int | None:
        """Where the object or array starting at `start` ends (bracket matching outside strings), None if not in
        the buffer; for a scalar, the next delimiter."""
        if start >= len(self.buf):
            return None
        if self.buf[start] not in "[{":
            m = re.compile(r"[,\]}\s]").search(self.buf, start)
            return m.start() if m else (len(self.buf) if self.eof else None)
        depth = 0
        for m in _TOKENS.finditer(self.buf, start):
            tok = m.group(0)
            if tok in "[{":
                depth += 1
            elif tok in "]}":
                depth -= 1
                if depth == 0:
                    return m.end()
        return None

    def close(self) -> None:
        self.raw.close()


def _reason(exc: BaseException) -> str:
    text = str(exc)
    return text.split(": line ")[0] if isinstance(exc, json.JSONDecodeError) else text[:120]


class GeoJSONSource(Source):
    format = "geojson"

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        seen: dict[str, None] = {}
        has_id = False
        dropped = False
        count = 0
        for item in self._items(ReadProgress()):
            count += 1
            feature = item.value
            if not isinstance(feature, dict):
                continue
            has_id = has_id or feature.get("id") is not None
            props = feature.get("properties")
            if isinstance(props, dict):
                for key in props:
                    if key not in seen:
                        if len(seen) >= MAX_KEYS:
                            dropped = True
                            continue
                        seen[str(key)] = None
        if dropped:
            self.notes.append(f"more than {MAX_KEYS} property names: only the first {MAX_KEYS} are columns")
        self._keys = list(seen)
        taken: set[str] = set()
        self.columns = [clean_name(GEOMETRY_COLUMN, 0, taken)]
        if has_id:
            self.columns.append(clean_name(FEATURE_ID_COLUMN, 1, taken))
        self._has_id = has_id
        self.columns += [clean_name(k, i + 2, taken) for i, k in enumerate(self._keys)]
        self.progress.total_bytes = self.path.stat().st_size

    def _items(self, progress: ReadProgress) -> Iterator[_Item]:
        """Every element of the top-level 'features' array, in order; raises SourceError for a file that is not a
        FeatureCollection."""
        stream = _Stream(self.path, progress)
        try:
            stream.more()
            if stream.peek() != "{":
                raise SourceError(f"{self.path.name} is not a GeoJSON FeatureCollection (it does not start with "
                                  "'{').")
            stream.pos += 1
            kind, found = None, False
            number = 0
            while stream.peek() not in ("}", ""):
                key, problem, _raw = stream.value()
                if problem or not isinstance(key, str):
                    raise SourceError(f"{self.path.name} is not valid JSON near line {stream.line_at(stream.pos)}: "
                                      "expected a member name.")
                stream.expect(":", "':'")
                if key == "features" and stream.peek() == "[":
                    found = True
                    stream.pos += 1
                    while stream.peek() != "]":
                        if stream.peek() == "":
                            raise SourceError(f"{self.path.name} is not valid JSON: the file ends inside the "
                                              "'features' array.")
                        line = stream.line_at(stream.pos)
                        number += 1
                        value, problem, raw = stream.value()
                        bad = bad_bytes_reason(raw, "utf-8") if raw and not raw.isascii() and has_bad_bytes(raw) \
                            else None
                        yield _Item(line, number, value, problem, bad)
                        if stream.peek() == ",":
                            stream.pos += 1
                        elif stream.peek() != "]":
                            stream.expect(",", "',' or ']' after a feature")
                    stream.pos += 1
                else:
                    value, problem, _raw = stream.value()
                    if key == "type":
                        kind = value
                if stream.peek() == ",":
                    stream.pos += 1
            if kind != "FeatureCollection" or not found:
                raise SourceError(f"{self.path.name} is not a GeoJSON FeatureCollection (type {kind!r}); export the "
                                  "cameras as a FeatureCollection of Point features.")
            while stream.more():
                pass  # the rest of the file: the hash covers all of it
            self.sha256 = stream.raw.hash.hexdigest()
        finally:
            stream.close()

    def chunks(self, size: int = CHUNK_ROWS) -> Iterator[Chunk]:
        keys, has_id = self._keys, self._has_id
        rows: list[list[Any]] = []
        lines: list[int] = []
        numbers: list[int] = []
        problems: dict[int, str] = {}
        self.progress.done_bytes = 0
        for item in self._items(self.progress):
            i = len(rows)
            if item.problem is not None:
                row, problem = [None] * (1 + has_id + len(keys)), item.problem
            else:
                row, problem = _feature_row(item.value, keys, has_id)
            problem = problem or item.bad_bytes
            if problem:
                problems[i] = problem
            rows.append(row)
            lines.append(item.line)
            numbers.append(item.number)
            if len(rows) >= size:
                yield Chunk(rows, lines[0], lines, problems, numbers)
                rows, lines, numbers, problems = [], [], [], {}
        if rows:
            yield Chunk(rows, lines[0], lines, problems, numbers)
        self.progress.done_bytes = self.progress.total_bytes


def _scalar(value: Any) -> Any:  # noqa: ANN401 - JSON values
    if value is None or isinstance(value, (str, float)):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return value if abs(value) < 1 << 63 else str(value)
    try:
        return json.dumps(value, ensure_ascii=False)
    except (RecursionError, ValueError):
        return "(nested too deeply)"


def _feature_row(feature: Any, keys: list[str], has_id: bool) -> tuple[list[Any], str | None]:  # noqa: ANN401
    """The row of one feature and, if it cannot be a camera row, why."""
    width = 1 + has_id + len(keys)
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        return [None] * width, "not a GeoJSON Feature"
    props = feature.get("properties") or {}
    if not isinstance(props, dict):
        props = {}
    row: list[Any] = [None]
    if has_id:
        row.append(_scalar(feature.get("id")))
    row += [_scalar(props.get(k)) for k in keys]
    geometry = feature.get("geometry")
    if geometry is None:
        return row, None  # no location: the validator reports the missing coordinate
    if not isinstance(geometry, dict):
        return row, "unparseable geometry"
    kind = geometry.get("type")
    if kind != "Point":
        return row, f"not a point geometry ({_scalar(kind)})"[:120]
    coords = geometry.get("coordinates")
    shown = _scalar(coords)
    shown = (shown if isinstance(shown, str) else json.dumps(shown))[:60]
    if not isinstance(coords, list) or len(coords) < 2:
        return row, f"unparseable Point coordinates {shown}"
    if not all(isinstance(c, (int, float)) and not isinstance(c, bool) for c in coords[:2]):
        return row, f"unparseable Point coordinates {shown}"
    try:
        point = (float(coords[0]), float(coords[1]))  # (lon, lat), as GeoJSON orders them
    except OverflowError:
        point = (math.inf, math.inf)
    if not (math.isfinite(point[0]) and math.isfinite(point[1])):
        return row, f"Point coordinates {shown} hold a number too large for a coordinate"
    row[0] = point
    return row, None
