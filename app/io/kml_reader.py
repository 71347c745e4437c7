"""KML Placemarks with Point coordinates as rows: '@geometry', 'name', 'description', then ExtendedData fields.

xml.parsers.expat (not ElementTree.iterparse) because expat tells the line each Placemark starts on. The file is
fed to expat block by block and placemarks come out as they end, so memory holds one block and the placemarks of
one chunk, never the file (two passes: the first finds the field names). Text longer than MAX_TEXT in one element
is not kept: its placemark is a bad row. Expat decodes the file by its XML declaration, so a byte that is not valid
there stops the parse: that is reported as "wrong encoding" with its line (XML has no way to skip one bad element
and go on). Entity expansion ("billion laughs") is refused by expat itself.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.parsers import expat

from app.io.geojson_reader import FEATURE_ID_COLUMN, GEOMETRY_COLUMN
from app.io.source import CHUNK_ROWS, Chunk, ReadProgress, Source, SourceError, _HashingReader, clean_name

BLOCK_BYTES = 1 << 20
MAX_TEXT = 1 << 20  # characters of text in one element
MAX_KEYS = 1_000    # field names kept as columns
_GEOMETRIES = {"Point", "LineString", "LinearRing", "Polygon", "MultiGeometry", "Track", "MultiTrack", "Model"}


@dataclass
class _Placemark:
    line: int
    values: dict[str, str] = field(default_factory=dict)
    geometries: list[str] = field(default_factory=list)
    coordinates: str | None = None
    problem: str | None = None


class KMLSource(Source):
    format = "kml"

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self.progress.total_bytes = self.path.stat().st_size
        names: dict[str, None] = {}
        has_id = False
        for pm in _placemarks(self.path, ReadProgress()):
            has_id = has_id or "@id" in pm.values
            for key in pm.values:
                if key != "@id" and key not in names and len(names) < MAX_KEYS:
                    names[key] = None
        # name and description first: they are what every KML has
        ordered = sorted(names, key=lambda k: {"name": 0, "description": 1}.get(k, 2))
        self._keys = (["@id"] if has_id else []) + ordered
        taken: set[str] = set()
        self.columns = [clean_name(GEOMETRY_COLUMN, 0, taken)]
        self.columns += [clean_name(FEATURE_ID_COLUMN if k == "@id" else k, i + 1, taken)
                         for i, k in enumerate(self._keys)]

    def chunks(self, size: int = CHUNK_ROWS) -> Iterator[Chunk]:
        keys = self._keys
        rows: list[list[Any]] = []
        lines: list[int] = []
        problems: dict[int, str] = {}
        self.progress.done_bytes = 0
        digest: list[str] = []
        for pm in _placemarks(self.path, self.progress, digest):
            i = len(rows)
            lines.append(pm.line)
            row: list[Any] = [None] + [pm.values.get(k, "") for k in keys]
            problem = pm.problem
            others = [g for g in pm.geometries if g != "Point"]
            if problem:
                pass
            elif others:
                problem = f"not a point geometry ({others[0]})"
            elif pm.coordinates is not None:
                row[0], problem = _point(pm.coordinates)
            if problem:
                problems[i] = problem
            rows.append(row)
            if len(rows) >= size:
                yield Chunk(rows, lines[0], lines, problems)
                rows, lines, problems = [], [], {}
        if rows:
            yield Chunk(rows, lines[0], lines, problems)
        self.sha256 = digest[0] if digest else ""
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


def _placemarks(path: Path, progress: ReadProgress, digest: list[str] | None = None) -> Iterator[_Placemark]:
    """Placemarks in file order, fed to expat block by block (digest, if given, gets the file's SHA-256 once read
    to the end). Raises SourceError for a file that is not KML."""
    parser = expat.ParserCreate(namespace_separator=" ")
    done: list[_Placemark] = []
    stack: list[str] = []
    current: list[_Placemark | None] = [None]
    text: list[str] = []
    size = [0]
    data_name: list[str | None] = [None]
    seen_kml = [False]

    def start(name: str, attrs: dict[str, str]) -> None:
        local = _local(name)
        if local == "kml":
            seen_kml[0] = True
        stack.append(local)
        text.clear()
        size[0] = 0
        pm = current[0]
        if local == "Placemark":
            pm = _Placemark(parser.CurrentLineNumber)
            if attrs.get("id"):
                pm.values["@id"] = attrs["id"][:MAX_TEXT]
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
        size[0] = 0
        if pm is None:
            return
        parent = stack[-1] if stack else ""
        if local == "Placemark":
            done.append(pm)
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
        if size[0] > MAX_TEXT:
            return
        size[0] += len(data_)
        if size[0] > MAX_TEXT:
            text.clear()
            pm = current[0]
            if pm is not None and pm.problem is None:
                pm.problem = f"an element's text is over {MAX_TEXT:,} characters long: not a camera field"
            return
        text.append(data_)

    def entity(name: str, *_args: Any) -> None:  # noqa: ANN401
        # A camera list has no use for entities; declaring one is how "billion laughs" and external-entity files
        # work. Refuse the file rather than trust the parser's limits.
        raise SourceError(f"{path.name}: line {parser.CurrentLineNumber}: the file declares an XML entity "
                          f"({name!r}); a KML camera list has none, so it is refused.")

    parser.EntityDeclHandler = entity
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars
    parser.buffer_text = True
    raw = _HashingReader(path.open("rb"), progress)
    head = b""
    try:
        while True:
            data = raw.read(BLOCK_BYTES)
            if len(head) < 4096:
                head += data[: 4096 - len(head)]
            try:
                parser.Parse(data, not data)
            except expat.ExpatError as exc:
                code = expat.errors.messages[exc.code] if exc.code else str(exc)
                invalid = exc.code == expat.errors.codes[expat.errors.XML_ERROR_INVALID_TOKEN]
                hint = ("wrong encoding: the file is not in the encoding its XML declaration names (UTF-8 unless "
                        "it says otherwise); save it as UTF-8" if invalid and _bad_utf8_at(path, exc.lineno)
                        else f"not valid XML ({code})")
                raise SourceError(f"{path.name}: line {exc.lineno}: {hint}.") from None
            yield from done
            done.clear()
            if not data:
                break
        if digest is not None:
            digest.append(raw.hash.hexdigest())
    finally:
        raw.close()
    if not seen_kml[0] and b"<kml" not in head and b":kml" not in head:
        raise SourceError(f"{path.name} is not a KML file (no <kml> element).")


def _bad_utf8_at(path: Path, line: int) -> bool:
    """Whether line `line` of the file is not valid UTF-8 (read line by line, never the whole file)."""
    with path.open("rb") as fh:
        for n, raw in enumerate(fh, 1):
            if n == line:
                try:
                    raw.decode("utf-8")
                except UnicodeDecodeError:
                    return True
                return False
    return False
