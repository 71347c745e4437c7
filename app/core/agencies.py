"""Agencies: the record, its validation (one reason per field, shared by the dialog and the importer), and the
partnership-growth series. Pure Python (shapely for the jurisdiction's shape)."""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from typing import Any

import shapely
from shapely.geometry import shape

from app.core.records import AgencyKind, StrEnum


class AgencyStatus(StrEnum):
    PROSPECTIVE = "prospective"
    ACTIVE = "active"
    SUSPENDED = "suspended"
    ENDED = "ended"


KIND_LABELS = {"police": "Police", "sheriff": "Sheriff", "fire": "Fire", "other": "Other"}
STATUS_LABELS = {"prospective": "Prospective", "active": "Active (partnered)", "suspended": "Suspended",
                 "ended": "Ended"}


@dataclass
class Agency:
    id: int | None
    name: str
    kind: str = AgencyKind.POLICE.value
    city: str = ""
    state: str = ""
    lat: float | None = None
    lon: float | None = None
    jurisdiction_geojson: str | None = None
    case_number_pattern: str = ""
    partnered_on: str | None = None       # ISO date (YYYY-MM-DD)
    status: str = AgencyStatus.ACTIVE.value
    terms: str = ""
    download_code: str = ""
    downloads_per_unit: int | None = None

    @property
    def jurisdiction(self) -> dict[str, Any] | None:
        return json.loads(self.jurisdiction_geojson) if self.jurisdiction_geojson else None


FIELDS = ("name", "kind", "city", "state", "lat", "lon", "jurisdiction_geojson", "case_number_pattern",
          "partnered_on", "status", "terms", "download_code", "downloads_per_unit")


def parse_date(text: str, what: str) -> str:
    """An ISO date from 'YYYY-MM-DD', 'MM/DD/YYYY' or an ISO timestamp; ValueError naming the value otherwise."""
    t = text.strip()
    for fmt in ("%Y-%m-%d", "%m/%d/%Y", "%d.%m.%Y", "%Y/%m/%d"):
        try:
            return datetime.strptime(t, fmt).date().isoformat()
        except ValueError:
            pass
    try:
        return datetime.fromisoformat(t.replace("Z", "+00:00")).date().isoformat()
    except ValueError:
        raise ValueError(f"{what} {t!r} is not a date (use YYYY-MM-DD)") from None


def jurisdiction_problem(geojson: str | dict[str, Any] | None) -> str | None:
    """Why a jurisdiction cannot be used (None = fine): it must be a simple Polygon/MultiPolygon in lon/lat."""
    if geojson in (None, ""):
        return None
    try:
        data = json.loads(geojson) if isinstance(geojson, str) else geojson
    except ValueError as exc:
        return f"the jurisdiction is not valid JSON ({exc})"
    if isinstance(data, dict) and data.get("type") == "Feature":
        data = data.get("geometry")
    if isinstance(data, dict) and data.get("type") == "FeatureCollection":
        return "the jurisdiction must be one Polygon or MultiPolygon, not a FeatureCollection (pick one feature)"
    if not isinstance(data, dict) or data.get("type") not in ("Polygon", "MultiPolygon"):
        kind = data.get("type") if isinstance(data, dict) else type(data).__name__
        return f"the jurisdiction must be a GeoJSON Polygon or MultiPolygon (this is {kind})"
    try:
        geom = shape(data)
    except (ValueError, TypeError, KeyError, IndexError, shapely.errors.GEOSException) as exc:
        return f"the jurisdiction's coordinates cannot be read ({exc})"
    minx, miny, maxx, maxy = geom.bounds
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        return "the jurisdiction's coordinates are not longitude/latitude (WGS84)"
    if geom.is_empty or geom.area == 0:
        return "the jurisdiction has no area"
    if not geom.is_valid:
        return "the jurisdiction's boundary crosses itself"
    return None


def normalise_jurisdiction(geojson: str | dict[str, Any]) -> str:
    """The geometry alone (a Feature's geometry), compact JSON."""
    data = json.loads(geojson) if isinstance(geojson, str) else geojson
    if data.get("type") == "Feature":
        data = data["geometry"]
    return json.dumps({"type": data["type"], "coordinates": data["coordinates"]}, separators=(",", ":"))


def validate_agency(a: Agency) -> dict[str, str]:
    """field -> reason for every field that cannot be stored ({} = valid)."""
    errors: dict[str, str] = {}
    if not a.name.strip():
        errors["name"] = "an agency needs a name"
    elif len(a.name) > 200:
        errors["name"] = "the name is longer than 200 characters"
    if a.kind not in KIND_LABELS:
        errors["kind"] = f"kind {a.kind!r} is not one of {', '.join(KIND_LABELS)}"
    if a.status not in STATUS_LABELS:
        errors["status"] = f"status {a.status!r} is not one of {', '.join(STATUS_LABELS)}"
    if (a.lat is None) != (a.lon is None):
        errors["lat" if a.lat is None else "lon"] = "give both latitude and longitude, or neither"
    if a.lat is not None and not (math.isfinite(a.lat) and -90 <= a.lat <= 90):
        errors["lat"] = f"latitude {a.lat} is out of range (-90 to 90)"
    if a.lon is not None and not (math.isfinite(a.lon) and -180 <= a.lon <= 180):
        errors["lon"] = f"longitude {a.lon} is out of range (-180 to 180)"
    problem = jurisdiction_problem(a.jurisdiction_geojson)
    if problem:
        errors["jurisdiction_geojson"] = problem
    if a.case_number_pattern:
        try:
            re.compile(a.case_number_pattern)
        except re.error as exc:
            errors["case_number_pattern"] = f"the case-number format is not a valid pattern ({exc})"
    if a.partnered_on:
        try:
            a.partnered_on = parse_date(a.partnered_on, "partnered on")
        except ValueError as exc:
            errors["partnered_on"] = str(exc)
        else:
            if a.partnered_on > date.today().isoformat():
                errors["partnered_on"] = f"partnered on {a.partnered_on} is in the future"
    if a.status == AgencyStatus.ACTIVE.value and not a.partnered_on and "partnered_on" not in errors:
        errors["partnered_on"] = "an active partnership needs the date it began (or set the status to prospective)"
    if a.downloads_per_unit is not None and a.downloads_per_unit <= 0:
        errors["downloads_per_unit"] = "downloads per unit must be a whole number of at least 1"
    return errors


# --- partnership growth -------------------------------------------------------------------------------------------
@dataclass
class GrowthSeries:
    """Cumulative partnerships: x = UTC epoch seconds of each partnership date (sorted), y = count so far."""

    x: list[float] = field(default_factory=list)
    y: list[int] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    dates: list[str] = field(default_factory=list)

    def csv_rows(self) -> list[tuple[str, int, str]]:
        return list(zip(self.dates, self.y, self.names, strict=True))


def epoch_of(day: str) -> float:
    d = date.fromisoformat(day[:10])
    return datetime(d.year, d.month, d.day, tzinfo=timezone.utc).timestamp()


def growth_series(partnerships: list[tuple[str, str | None]]) -> GrowthSeries:
    """(name, partnered_on) pairs -> the cumulative series; agencies without a date are not counted."""
    dated = sorted((p[:10], n) for n, p in partnerships if p)
    out = GrowthSeries()
    for k, (day, name) in enumerate(dated, start=1):
        out.x.append(epoch_of(day))
        out.y.append(k)
        out.names.append(name)
        out.dates.append(day)
    return out
