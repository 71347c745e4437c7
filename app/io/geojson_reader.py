"""GeoJSON FeatureCollections of Points as rows: the point is the '@geometry' column, properties are columns.

The top level is walked with json.JSONDecoder.raw_decode one feature at a time, so every feature keeps the line
it starts on (json.load would lose positions). Non-Point geometries are bad rows, not crashes. Bytes that are not
UTF-8 (RFC 8259 requires it) make their feature a "wrong encoding" row.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from app.io.source import CHUNK_ROWS, Chunk, Source, SourceError, bad_bytes_reason, clean_name, has_bad_bytes

GEOMETRY_COLUMN = "@geometry"
FEATURE_ID_COLUMN = "@id"
_WS = " \t\n\r"


class GeoJSONSource(Source):
    format = "geojson"

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        data = self.path.read_bytes()
        self.sha256 = hashlib.sha256(data).hexdigest()
        self.progress.total_bytes = len(data)
        self._text = data.decode("utf-8-sig", errors="surrogateescape")
        del data
        self._features = self._scan()
        seen: set[str] = set()
        names: list[str] = []
        has_id = False
        for _start, _end, feature in self._features:
            if not isinstance(feature, dict):
                continue
            has_id = has_id or feature.get("id") is not None
            props = feature.get("properties")
            if isinstance(props, dict):
                for key in props:
                    if key not in seen:
                        seen.add(key)
                        names.append(key)
        self._keys = names
        taken: set[str] = set()
        self.columns = [clean_name(GEOMETRY_COLUMN, 0, taken)]
        if has_id:
            self.columns.append(clean_name(FEATURE_ID_COLUMN, 1, taken))
        self._has_id = has_id
        self.columns += [clean_name(k, i + 2, taken) for i, k in enumerate(names)]

    def _line(self, offset: int) -> int:
        return self._text.count("\n", 0, offset) + 1

    def _scan(self) -> list[tuple[int, int, Any]]:
        """(start offset, end offset, decoded feature) for every element of the top-level 'features' array."""
        text, dec = self._text, json.JSONDecoder()
        pos = _skip(text, 0)
        if not text.startswith("{", pos):
            raise SourceError(f"{self.path.name} is not a GeoJSON FeatureCollection (it does not start with '{{').")
        pos = _skip(text, pos + 1)
        features: list[tuple[int, int, Any]] | None = None
        kind = None
        try:
            while pos < len(text) and text[pos] != "}":
                key, pos = dec.raw_decode(text, pos)
                pos = _skip(text, pos)
                if not text.startswith(":", pos):
                    raise ValueError("expected ':'")
                pos = _skip(text, pos + 1)
                if key == "features" and text.startswith("[", pos):
                    features, pos = self._array(dec, pos)
                else:
                    value, pos = dec.raw_decode(text, pos)
                    if key == "type":
                        kind = value
                pos = _skip(text, pos)
                if text.startswith(",", pos):
                    pos = _skip(text, pos + 1)
        except (ValueError, IndexError) as exc:
            line = self._line(getattr(exc, "pos", pos))
            raise SourceError(f"{self.path.name} is not valid JSON near line {line}: {exc}") from exc
        if kind != "FeatureCollection" or features is None:
            raise SourceError(f"{self.path.name} is not a GeoJSON FeatureCollection (type {kind!r}); export the "
                              "cameras as a FeatureCollection of Point features.")
        return features

    def _array(self, dec: json.JSONDecoder, pos: int) -> tuple[list[tuple[int, int, Any]], int]:
        text, out = self._text, []
        pos = _skip(text, pos + 1)
        while not text.startswith("]", pos):
            value, end = dec.raw_decode(text, pos)
            out.append((pos, end, value))
            pos = _skip(text, end)
            if text.startswith(",", pos):
                pos = _skip(text, pos + 1)
            elif not text.startswith("]", pos):
                raise json.JSONDecodeError("expected ',' or ']'", text, pos)
        return out, pos + 1

    def chunks(self, size: int = CHUNK_ROWS) -> Iterator[Chunk]:
        keys, has_id, text = self._keys, self._has_id, self._text
        line, prev = 1, 0  # counted forward feature by feature (features come in file order)
        for base in range(0, len(self._features), size):
            part = self._features[base:base + size]
            rows, lines, numbers, problems = [], [], [], {}
            for i, (start, end, feature) in enumerate(part):
                line += text.count("\n", prev, start)
                prev = start
                lines.append(line)
                numbers.append(base + i + 1)
                row, problem = _feature_row(feature, keys, has_id)
                if problem is None and has_bad_bytes(self._text[start:end]):
                    problem = bad_bytes_reason(self._text[start:end], "utf-8")
                if problem:
                    problems[i] = problem
                rows.append(row)
            self.progress.done_bytes = part[-1][1] if part else 0
            yield Chunk(rows, lines[0] if lines else 1, lines, problems, numbers)
        self.progress.done_bytes = self.progress.total_bytes


def _skip(text: str, pos: int) -> int:
    n = len(text)
    while pos < n and text[pos] in _WS:
        pos += 1
    return pos


def _scalar(value: Any) -> Any:  # noqa: ANN401 - JSON values
    if value is None or isinstance(value, (str, int, float)):
        return value
    return json.dumps(value, ensure_ascii=False)


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
        return row, f"not a point geometry ({kind})"
    coords = geometry.get("coordinates")
    if not isinstance(coords, list) or len(coords) < 2:
        return row, f"unparseable Point coordinates {json.dumps(coords)[:60]}"
    if not all(isinstance(c, (int, float)) and not isinstance(c, bool) for c in coords[:2]):
        return row, f"unparseable Point coordinates {json.dumps(coords)[:60]}"
    row[0] = (float(coords[0]), float(coords[1]))  # (lon, lat), as GeoJSON orders them
    return row, None
