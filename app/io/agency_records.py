"""The agency list import: one row -> one Agency, validated like the dialog (app.core.agencies.validate_agency)."""

from __future__ import annotations

import sqlite3
from typing import Any

from app.core.agencies import Agency, normalise_jurisdiction, validate_agency
from app.io.record_import import RecordSpec, RowContext, number
from app.io.values import parse_location, show

FIELDS = ("name", "kind", "city", "state", "location", "lat", "lon", "jurisdiction_geojson", "case_number_pattern",
          "partnered_on", "status", "terms", "download_code", "downloads_per_unit")
LABELS = {"name": "Name", "kind": "Kind (police, sheriff, fire, other)", "city": "City", "state": "State",
          "location": "Location (WKT point / lat, lon)", "lat": "Latitude", "lon": "Longitude",
          "jurisdiction_geojson": "Jurisdiction (GeoJSON polygon)", "case_number_pattern": "Case-number format",
          "partnered_on": "Partnered on", "status": "Status", "terms": "Program terms",
          "download_code": "App download code", "downloads_per_unit": "Downloads per unit earned"}
CANDIDATES = {
    "name": ["name", "agency", "agency_name", "department", "organization", "organisation"],
    "kind": ["kind", "agency_kind", "agency_type", "type"],
    "city": ["city", "town", "municipality"],
    "state": ["state", "st", "province", "region"],
    "location": ["location", "the_geom", "@geometry", "geometry", "wkt", "point"],
    "lat": ["lat", "latitude", "y"],
    "lon": ["lon", "lng", "long", "longitude", "x"],
    "jurisdiction_geojson": ["jurisdiction", "jurisdiction_geojson", "boundary", "geojson"],
    "case_number_pattern": ["case_number_pattern", "case_number_format", "case_format"],
    "partnered_on": ["partnered_on", "partnership_date", "date_partnered", "partner_since", "activedate",
                     "active_date", "date"],
    "status": ["status", "partnership_status"],
    "terms": ["terms", "program_terms", "agreement"],
    "download_code": ["download_code", "app_code", "code"],
    "downloads_per_unit": ["downloads_per_unit", "downloads_per_camera"],
}
_KINDS = {"police": "police", "police department": "police", "pd": "police", "sheriff": "sheriff",
          "sheriff's office": "sheriff", "sheriffs office": "sheriff", "county sheriff": "sheriff", "fire": "fire",
          "fire department": "fire", "fd": "fire", "other": "other"}
_STATUS = {"": "active", "active": "active", "partnered": "active", "prospective": "prospective",
           "pending": "prospective", "suspended": "suspended", "paused": "suspended", "ended": "ended",
           "inactive": "ended", "terminated": "ended"}


def _kind(raw: str, name: str) -> str:
    key = raw.strip().lower()
    if not key:
        low = name.lower()
        return "sheriff" if "sheriff" in low else "fire" if "fire" in low else "police"
    if key in _KINDS:
        return _KINDS[key]
    for word, kind in (("sheriff", "sheriff"), ("fire", "fire"), ("police", "police")):
        if word in key:
            return kind
    raise ValueError(f"kind {show(raw)} is not an agency kind (police, sheriff, fire, other)")


def agency_row(v: dict[str, str], ctx: RowContext) -> Agency:
    name = v.get("name", "")
    lat = number(v.get("lat", ""), "latitude")
    lon = number(v.get("lon", ""), "longitude")
    if lat is None and lon is None and v.get("location"):
        point = parse_location(v["location"])
        if point is None:
            raise ValueError(f"location {show(v['location'])} is not a point")
        lat, lon = point
    status_raw = v.get("status", "").strip().lower()
    if status_raw not in _STATUS:
        raise ValueError(f"status {show(v.get('status'))} is not one of active, prospective, suspended, ended")
    per_unit = number(v.get("downloads_per_unit", ""), "downloads per unit")
    if per_unit is not None and not float(per_unit).is_integer():
        raise ValueError(f"downloads per unit {show(v['downloads_per_unit'])} is not a whole number")
    a = Agency(None, name.strip(), _kind(v.get("kind", ""), name), v.get("city", ""), v.get("state", ""), lat, lon,
               v.get("jurisdiction_geojson") or None, v.get("case_number_pattern", ""),
               v.get("partnered_on") or None, _STATUS[status_raw], v.get("terms", ""), v.get("download_code", ""),
               int(per_unit) if per_unit is not None else None)
    if not v.get("partnered_on") and a.status == "active":
        a.status = "prospective"
        ctx.notes.append("no partnership date: recorded as prospective")
    errors = validate_agency(a)
    if errors:
        raise ValueError("; ".join(errors.values()))
    if a.jurisdiction_geojson:
        a.jurisdiction_geojson = normalise_jurisdiction(a.jurisdiction_geojson)
    key = (a.name.lower(), a.city.lower(), a.state.lower())
    if key in ctx.seen:
        raise ValueError(f"duplicate agency {show(a.name)} (also on line {ctx.seen[key]})")
    ctx.seen[key] = ctx.line
    if ctx.conn is not None:
        hit = ctx.conn.execute("SELECT id FROM agencies WHERE lower(name) = ? AND lower(city) = ? AND lower(state) = ?",
                               key).fetchone()
        if hit:
            raise ValueError(f"agency {show(a.name)} is already in the store (agency {hit[0]})")
    return a


def write_agencies(conn: sqlite3.Connection, records: list[Any], batch_id: int) -> list[int]:
    from app.store.agencies import add_agencies

    return add_agencies(conn, records)


SPEC = RecordSpec("agencies", "agencies", FIELDS, LABELS, CANDIDATES, {}, agency_row, write_agencies,
                  required=(("name",),))
