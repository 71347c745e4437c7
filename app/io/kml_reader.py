"""KML Placemarks with Point coordinates as rows: '@geometry', 'name', 'description', then ExtendedData fields.

xml.parsers.expat (not ElementTree.iterparse) because expat tells the line each Placemark starts on. Expat also
decodes the file by its XML declaration, so a byte that is not valid there stops the parse: that is reported as
"wrong encoding" with its line (XML has no way to skip one bad element and go on).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.parsers import expat

from app.io.geojson_reader import FEATURE_ID_COLUMN, GEOMETRY_COLUMN
from app.io.source import CHUNK_ROWS, Chunk, Source, SourceError, clean_name

_GEOMETRIES = {"Point", "LineString", "LinearRing", "Polygon", "MultiGeometry", "Track", "MultiTrack", "Model"}


@dataclass
class _Placemark:
    line: int
    values: dict[str, str] = field(default_factory=dict)
    geometries: list[str] = field(default_factory=list)
    coordinates: str | None = None


class KMLSource(Source):
    format = "kml"

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        data = self.path.read_bytes()
        self.sha256 = hashlib.sha256(data).hexdigest()
        self.progress.total_bytes = len(data)
        self._placemarks = _parse(data, self.path.name)
        names: list[str] = []
        seen: set[str] = set()
        has_id = False
        for pm in self._placemarks:
            has_id = has_id or "@id" in pm.values
            for key in pm.values:
                if key not in seen and key != "@id":
                    seen.add(key)
                    names.append(key)
        # name and description first: they are what every KML has
        names.sort(key=lambda k: {"name": 0, "description": 1}.get(k, 2))
        self._keys = (["@id"] if has_id else []) + names
        taken: set[str] = set()
        self.columns = [clean_name(GEOMETRY_COLUMN, 0, taken)]
        self.columns += [clean_name(FEATURE_ID_COLUMN if k == "@id" else k, i + 1, taken)
                         for i, k in enumerate(self._keys)]

    def chunks(self, size: int = CHUNK_ROWS) -> Iterator[Chunk]:
        keys = self._keys
        for base in range(0, len(self._placemarks), size):
            part = self._placemarks[base:base + size]
            rows, lines, problems = [], [], {}
            for i, pm in enumerate(part):
                lines.append(pm.line)
                row: list[Any] = [None] + [pm.values.get(k, "") for k in keys]
                problem = None
                others = [g for g in pm.geometries if g != "Point"]
                if others:
                    problem = f"not a point geometry ({others[0]})"
                elif pm.coordinates is not None:
                    row[0], problem = _point(pm.coordinates)
                if problem:
                    problems[i] = problem
                rows.append(row)
            yield Chunk(rows, lines[0] if lines else 1, lines, problems)
        self.progress.done_bytes = self.progress.total_bytes


def _point(text: str) -> tuple[tuple[float, float] | None, str | None]:
    """KML 'lon,lat[,alt]' (one tuple for a Point)."""
    tuples = text.split()
    if len(tuples) != 1:
        return None, f"unparseable Point coordinates {text.strip()[:60]!r}"
    parts = tuples[0].split(",")
    try:
        if len(parts) < 2:
            raise ValueError(text)
        return (float(parts[0]), float(parts[1])), None
    except ValueError:
        return None, f"unparseable Point coordinates {text.strip()[:60]!r}"


def _local(name: str) -> str:
    return name.rsplit(" ", 1)[-1].rsplit(":", 1)[-1]


def _parse(data: bytes, file_name: str) -> list[_Placemark]:
    parser = expat.ParserCreate(namespace_separator=" ")
    placemarks: list[_Placemark] = []
    stack: list[str] = []
    current: list[_Placemark | None] = [None]
    text: list[str] = []
    data_name: list[str | None] = [None]

    def start(name: str, attrs: dict[str, str]) -> None:
        local = _local(name)
        stack.append(local)
        text.clear()
        pm = current[0]
        if local == "Placemark":
            pm = _Placemark(parser.CurrentLineNumber)
            if attrs.get("id"):
                pm.values["@id"] = attrs["id"]
            current[0] = pm
        elif pm is not None:
            if local in _GEOMETRIES:
                pm.geometries.append(local)
            elif local in ("Data", "SimpleData"):
                data_name[0] = attrs.get("name")

    def end(name: str) -> None:
        local = stack.pop() if stack else _local(name)
        pm = current[0]
        value = "".join(text)
        text.clear()
        if pm is None:
            return
        parent = stack[-1] if stack else ""
        if local == "Placemark":
            placemarks.append(pm)
            current[0] = None
        elif local in ("name", "description") and parent == "Placemark":
            pm.values[local] = value.strip()
        elif local == "coordinates" and parent == "Point":
            pm.coordinates = value
        elif local == "value" and parent == "Data" and data_name[0]:
            pm.values.setdefault(data_name[0], value.strip())
        elif local == "SimpleData" and data_name[0]:
            pm.values.setdefault(data_name[0], value.strip())

    def chars(data_: str) -> None:
        text.append(data_)

    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars
    parser.buffer_text = True
    try:
        parser.Parse(data, True)
    except expat.ExpatError as exc:
        code = expat.errors.messages[exc.code] if exc.code else str(exc)
        hint = ("wrong encoding: the file is not in the encoding its XML declaration names (UTF-8 unless it says "
                "otherwise); save it as UTF-8" if exc.code == expat.errors.codes[expat.errors.XML_ERROR_INVALID_TOKEN]
                and _bad_utf8_at(data, exc.lineno) else f"not valid XML ({code})")
        raise SourceError(f"{file_name}: line {exc.lineno}: {hint}.") from exc
    if not placemarks and b"<kml" not in data[:4096] and b":kml" not in data[:4096]:
        raise SourceError(f"{file_name} is not a KML file (no <kml> element).")
    return placemarks


def _bad_utf8_at(data: bytes, line: int) -> bool:
    lines = data.split(b"\n", line)
    try:
        lines[line - 1].decode("utf-8")
    except UnicodeDecodeError:
        return True
    except IndexError:
        return False
    return False
