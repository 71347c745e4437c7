"""GeoJSON geometries → one Mercator polyline array with NaN separators (drawn as one path). No Qt."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from app.core import geo


class GeoJSONError(ValueError):
    """The file is not GeoJSON the map can draw; the message says why."""


@dataclass
class Polylines:
    x: np.ndarray        # Mercator metres, NaN between parts
    y: np.ndarray
    parts: int
    has_polygons: bool

    def bounds(self) -> tuple[float, float, float, float] | None:
        if self.parts == 0:
            return None
        return float(np.nanmin(self.x)), float(np.nanmin(self.y)), float(np.nanmax(self.x)), float(np.nanmax(self.y))


def _rings(geometry: dict[str, Any]) -> Iterable[tuple[list, bool]]:
    """Every drawable line of a geometry as (coordinates, is_polygon_ring)."""
    kind = geometry.get("type")
    coords = geometry.get("coordinates")
    if kind == "LineString":
        yield coords, False
    elif kind == "MultiLineString":
        for line in coords:
            yield line, False
    elif kind == "Polygon":
        for ring in coords:
            yield ring, True
    elif kind == "MultiPolygon":
        for poly in coords:
            for ring in poly:
                yield ring, True
    elif kind == "GeometryCollection":
        for g in geometry.get("geometries", []):
            yield from _rings(g)


def geometries_of(data: dict[str, Any]) -> Iterable[dict[str, Any]]:
    kind = data.get("type")
    if kind == "FeatureCollection":
        for f in data.get("features", []):
            if isinstance(f, dict) and isinstance(f.get("geometry"), dict):
                yield f["geometry"]
    elif kind == "Feature":
        if isinstance(data.get("geometry"), dict):
            yield data["geometry"]
    elif isinstance(kind, str):
        yield data


def polylines(geometries: Iterable[dict[str, Any]]) -> Polylines:
    chunks: list[np.ndarray] = []
    has_polygons = False
    for g in geometries:
        for line, is_ring in _rings(g):
            arr = np.asarray(line, dtype=np.float64)
            if arr.ndim != 2 or arr.shape[0] < 2 or arr.shape[1] < 2:
                continue
            has_polygons |= is_ring
            chunks.append(arr[:, :2])
            chunks.append(np.full((1, 2), np.nan))
    if not chunks:
        return Polylines(np.empty(0), np.empty(0), 0, False)
    lonlat = np.concatenate(chunks)
    x, y = geo.lonlat_to_xy(lonlat[:, 0], lonlat[:, 1])
    nan = np.isnan(lonlat[:, 0])
    x[nan] = np.nan
    y[nan] = np.nan
    return Polylines(x, y, len(chunks) // 2, has_polygons)


def read_geojson_lines(path: Path) -> Polylines:
    """Lines and polygon outlines of a GeoJSON file. Raises GeoJSONError with a reason a user can act on."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise GeoJSONError(f"The file could not be read: {exc.strerror or exc}.") from exc
    except UnicodeDecodeError as exc:
        raise GeoJSONError("The file is not UTF-8 text; GeoJSON must be UTF-8.") from exc
    except ValueError as exc:
        raise GeoJSONError(f"The file is not valid JSON ({exc}).") from exc
    if not isinstance(data, dict) or "type" not in data:
        raise GeoJSONError("The file is JSON but not GeoJSON (no \"type\" member).")
    lines = polylines(geometries_of(data))
    if lines.parts == 0:
        raise GeoJSONError("The file has no lines or polygons to draw (only points, or empty). Camera lists are "
                           "added with File ▸ Import Cameras instead.")
    return lines
