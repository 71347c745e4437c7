"""An OpenStreetMap extract (.osm, .osm.gz, .osm.bz2, .osm.pbf) → a BaseMap, read with pyosmium (libosmium).

Roads are ways with a `highway` value that maps onto a road class; railways and waterways are lines; water,
parks and buildings are areas assembled by libosmium from closed ways and multipolygon relations; addresses are
nodes and ways with both `addr:housenumber` and `addr:street` (a way's address sits at the mean of its nodes).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np

from app.core import geo
from app.core.basemap import AREA_KINDS, LINE_KINDS, Addresses, BaseMap, Features, road_class

OSM_SUFFIXES = (".osm", ".osm.gz", ".osm.bz2", ".osm.pbf", ".pbf")
ATTRIBUTION = "© OpenStreetMap contributors (ODbL)"
_RAIL = {"rail", "light_rail", "tram", "subway", "narrow_gauge", "funicular", "monorail"}
_WATERWAY_LINES = {"river", "stream", "canal", "drain", "ditch"}
_WATER = {("natural", "water"), ("waterway", "riverbank"), ("landuse", "reservoir"), ("landuse", "basin"),
          ("natural", "bay")}
_PARK = {("leisure", "park"), ("leisure", "garden"), ("leisure", "nature_reserve"), ("leisure", "golf_course"),
         ("landuse", "grass"), ("landuse", "forest"), ("landuse", "meadow"), ("landuse", "recreation_ground"),
         ("landuse", "village_green"), ("landuse", "cemetery"), ("natural", "wood"), ("natural", "scrub"),
         ("natural", "grassland")}
CHECK_EVERY = 20_000


class OSMError(ValueError):
    """The file cannot be read as an OpenStreetMap extract; the message says why."""


def is_osm_file(path: Path) -> bool:
    name = Path(path).name.lower()
    return any(name.endswith(s) for s in OSM_SUFFIXES)


def _area_kind(tags: object) -> int | None:
    get = tags.get  # type: ignore[attr-defined]
    if get("building") not in (None, "no"):
        return AREA_KINDS.index("building")
    for key in ("natural", "waterway", "landuse", "leisure"):
        value = get(key)
        if value is None:
            continue
        if (key, value) in _WATER:
            return AREA_KINDS.index("water")
        if (key, value) in _PARK:
            return AREA_KINDS.index("park")
    return None


def _xy(lon: list[float], lat: list[float]) -> tuple[np.ndarray, np.ndarray]:
    return geo.lonlat_to_xy(np.asarray(lon, np.float64), np.asarray(lat, np.float64))


def read_osm(path: Path, check: Callable[[], None] | None = None,
             progress: Callable[[int, int], None] | None = None) -> BaseMap:
    """Read an extract. ``check`` is called every few thousand objects (raise there to cancel); ``progress``
    gets (objects read, 0) — libosmium does not say how many objects a file holds."""
    import osmium  # a compiled module: imported only when an extract is actually read

    path = Path(path)
    if not path.is_file():
        raise OSMError(f"{path} does not exist or is not a file.")
    if not is_osm_file(path):
        raise OSMError(f"{path.name} is not an OpenStreetMap extract (expected .osm, .osm.gz or .osm.pbf).")
    names: dict[str, int] = {}

    def name_id(value: str | None) -> int:
        if not value:
            return -1
        return names.setdefault(value, len(names))

    road_parts: list[tuple[np.ndarray, np.ndarray]] = []
    road_codes: list[int] = []
    road_names: list[int] = []
    line_parts: list[tuple[np.ndarray, np.ndarray]] = []
    line_codes: list[int] = []
    line_names: list[int] = []
    area_parts: list[tuple[np.ndarray, np.ndarray]] = []
    area_codes: list[int] = []
    addr_lon: list[float] = []
    addr_lat: list[float] = []
    addr_street: list[int] = []
    addr_number: list[str] = []
    seen = 0
    try:
        processor = osmium.FileProcessor(str(path)).with_locations().with_areas()
        for obj in processor:
            seen += 1
            if seen % CHECK_EVERY == 0:
                if check is not None:
                    check()
                if progress is not None:
                    progress(seen, 0)
            tags = obj.tags
            if obj.is_node():
                number = tags.get("addr:housenumber")
                street = tags.get("addr:street")
                if number and street and obj.location.valid():
                    addr_lon.append(obj.location.lon)
                    addr_lat.append(obj.location.lat)
                    addr_street.append(name_id(street))
                    addr_number.append(number)
                continue
            if obj.is_way():
                number = tags.get("addr:housenumber")
                street = tags.get("addr:street")
                highway = tags.get("highway")
                railway = tags.get("railway")
                waterway = tags.get("waterway")
                code = road_class(highway) if highway else None
                if code is None and railway not in _RAIL and waterway not in _WATERWAY_LINES and not (number
                                                                                                       and street):
                    continue
                lon, lat = [], []
                for n in obj.nodes:
                    loc = n.location
                    if loc.valid():
                        lon.append(loc.lon)
                        lat.append(loc.lat)
                if len(lon) < 1:
                    continue
                if number and street:
                    addr_lon.append(sum(lon) / len(lon))
                    addr_lat.append(sum(lat) / len(lat))
                    addr_street.append(name_id(street))
                    addr_number.append(number)
                if len(lon) < 2:
                    continue
                if code is not None and tags.get("area") != "yes":
                    road_parts.append(_xy(lon, lat))
                    road_codes.append(code)
                    road_names.append(name_id(tags.get("name")))
                elif railway in _RAIL:
                    line_parts.append(_xy(lon, lat))
                    line_codes.append(LINE_KINDS.index("railway"))
                    line_names.append(name_id(tags.get("name")))
                elif waterway in _WATERWAY_LINES:
                    line_parts.append(_xy(lon, lat))
                    line_codes.append(LINE_KINDS.index("waterway"))
                    line_names.append(name_id(tags.get("name")))
                continue
            if obj.is_area():
                kind = _area_kind(tags)
                if kind is None:
                    continue
                for outer in obj.outer_rings():
                    rings = [outer, *obj.inner_rings(outer)]
                    for ring in rings:
                        lon = [n.lon for n in ring if n.location.valid()]
                        lat = [n.lat for n in ring if n.location.valid()]
                        if len(lon) >= 3:
                            area_parts.append(_xy(lon, lat))
                            area_codes.append(kind)
    except (RuntimeError, OSError) as exc:  # libosmium says what is wrong with the file in its message
        raise OSMError(f"{path.name} could not be read as an OpenStreetMap extract: {exc}") from exc
    if not road_parts and not area_parts and not line_parts and not addr_number:
        raise OSMError(f"{path.name} holds no roads, railways, waterways, areas or addresses to draw.")
    ax, ay = _xy(addr_lon, addr_lat)
    addresses = Addresses(ax, ay, np.array(addr_street, np.int32), addr_number)
    return BaseMap(
        source=path.name, attribution=ATTRIBUTION, names=list(names),
        roads=Features.from_parts(road_parts, road_codes, road_names),
        lines=Features.from_parts(line_parts, line_codes, line_names),
        areas=Features.from_parts(area_parts, area_codes, [-1] * len(area_parts)),
        addresses=addresses,
    )
