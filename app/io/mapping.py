"""Which source column feeds which camera field: a plain dict, shared by the CLI's --mapping JSON and the dialog.

    {"lat": "Y", "lon": "X", "kind": ["surveillance:type", "camera:type"], "default_kind": "city_cctv"}

A field maps to one column name or a list of them: for most fields the first non-empty value wins (OSM puts a
camera's direction in `direction` or in `camera:direction`); for `kind` every listed column is examined, so a
row that any of them says is not a camera (ALPR, a dummy camera) is rejected. `location` is a combined point
column (WKT "POINT (lon lat)", "lat, lon" text, or a GeoJSON/KML point) used where lat/lon are not mapped or empty.
Options beside the fields: `default_kind` (kind for rows whose file says none), `encoding` (CSV only) and
`split_directions` (true: a row whose heading lists several directions, '0;90;180', becomes one camera per
direction; off by default, and the report says when it was on).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from app.core.records import CameraKind

FIELDS: list[str] = ["location", "lat", "lon", "kind", "heading_deg", "fov_deg", "range_m", "retention_days",
                     "external_id", "label", "owner_name", "owner_email", "owner_phone", "owner_consent"]
OPTIONS: list[str] = ["default_kind", "encoding", "split_directions"]
OWNER_FIELDS = ("owner_name", "owner_email", "owner_phone", "owner_consent")

FIELD_LABELS: dict[str, str] = {
    "location": "Location (WKT point / lat, lon)",
    "lat": "Latitude",
    "lon": "Longitude",
    "kind": "Kind",
    "heading_deg": "Heading (°)",
    "fov_deg": "Field of view (°)",
    "range_m": "Range (m)",
    "retention_days": "Retention (days)",
    "external_id": "Id in the file",
    "label": "Label",
    "owner_name": "Owner name",
    "owner_email": "Owner e-mail",
    "owner_phone": "Owner phone",
    "owner_consent": "Owner consent",
}

DEFAULT_KIND = CameraKind.BUSINESS_CCTV.value

# Normalised column name -> field, in priority order per field (earlier entries win when several exist).
_CANDIDATES: dict[str, list[str]] = {
    "location": ["the_geom", "@geometry", "geometry", "geom", "wkt", "shape", "location", "point", "coordinates"],
    "lat": ["lat", "latitude", "y", "lat_dd", "point_y", "ycoord"],
    "lon": ["lon", "lng", "long", "longitude", "x", "lon_dd", "point_x", "xcoord"],
    "kind": ["kind", "camera_kind", "surveillance:type", "camera:type", "type", "camera_type"],
    "heading_deg": ["heading_deg", "heading", "camera:direction", "direction", "bearing", "azimuth"],
    "fov_deg": ["fov_deg", "fov", "field_of_view", "camera:fov"],
    "range_m": ["range_m", "range", "camera:range"],
    "retention_days": ["retention_days", "retention"],
    "external_id": ["external_id", "id", "@id", "osm_id", "camera_id", "cam_id", "objectid"],
    "label": ["label", "name", "title", "camera_name"],
    "owner_name": ["owner_name", "owner"],
    "owner_email": ["owner_email", "email", "e-mail"],
    "owner_phone": ["owner_phone", "phone", "telephone"],
    "owner_consent": ["owner_consent", "consent"],
}
# Fields where every matching column is kept (as a list) rather than only the best one.
_MULTI = {"kind", "heading_deg"}


class MappingError(ValueError):
    """A mapping that cannot be used; the message names the field or column."""


def _norm(name: str) -> str:
    return re.sub(r"[\s\-]+", "_", name.strip().lower())


def guess_mapping(columns: list[str]) -> dict[str, Any]:
    """The likely field for each column, from its name; unmapped fields are left out."""
    by_norm: dict[str, str] = {}
    for col in columns:
        by_norm.setdefault(_norm(col), col)
    mapping: dict[str, Any] = {}
    used: set[str] = set()
    for fld, names in _CANDIDATES.items():
        hits = [by_norm[n] for n in names if n in by_norm and by_norm[n] not in used]
        if not hits:
            continue
        if fld in _MULTI and len(hits) > 1:
            mapping[fld] = hits
            used.update(hits)
        else:
            mapping[fld] = hits[0]
            used.add(hits[0])
    if "lat" in mapping and "lon" not in mapping or "lon" in mapping and "lat" not in mapping:
        mapping.pop("lat", None)
        mapping.pop("lon", None)
    mapping["default_kind"] = DEFAULT_KIND
    return mapping


def columns_of(value: Any) -> list[str]:  # noqa: ANN401 - str, list or None
    if value in (None, ""):
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
        return [v for v in value if v]
    raise MappingError(f"a field maps to a column name or a list of column names, not {value!r}")


def check_mapping(mapping: dict[str, Any], columns: list[str]) -> None:
    """Raise MappingError when the mapping names an unknown field or a column the file does not have."""
    for key, value in mapping.items():
        if key in OPTIONS:
            continue
        if key not in FIELDS:
            raise MappingError(f"unknown field {key!r} in the mapping (fields: {', '.join(FIELDS)}; options: "
                               f"{', '.join(OPTIONS)})")
        for col in columns_of(value):
            if col not in columns:
                raise MappingError(f"column {col!r} (mapped to {key}) is not in the file; its columns are: "
                                   + ", ".join(columns))
    kind = mapping.get("default_kind")
    if kind not in (None, "") and kind not in {k.value for k in CameraKind}:
        raise MappingError(f"default_kind {kind!r} is not a camera kind ({', '.join(k.value for k in CameraKind)})")
    if not (columns_of(mapping.get("location")) or (columns_of(mapping.get("lat")) and
                                                      columns_of(mapping.get("lon")))):
        raise MappingError("no coordinates mapped: map lat and lon, or a location column (e.g. WKT POINT)")


def merge_mapping(base: dict[str, Any], overrides: dict[str, Any]) -> dict[str, Any]:
    """base with overrides applied; an override of null or "" unmaps the field."""
    out = dict(base)
    for key, value in overrides.items():
        if value in (None, "", []):
            out.pop(key, None)
        else:
            out[key] = value
    return out


def parse_mapping_json(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise MappingError(f"--mapping is not valid JSON: {exc}") from exc
    if not isinstance(value, dict):
        raise MappingError('--mapping must be a JSON object, e.g. {"lat": "Y", "lon": "X"}')
    return value


@dataclass(frozen=True)
class Plan:
    """The mapping resolved to column positions for the validator."""

    fields: dict[str, list[int]]
    default_kind: str | None
    split_directions: bool = False

    def has(self, fld: str) -> bool:
        return bool(self.fields.get(fld))


def make_plan(mapping: dict[str, Any], columns: list[str]) -> Plan:
    check_mapping(mapping, columns)
    index = {c: i for i, c in enumerate(columns)}
    fields = {f: [index[c] for c in columns_of(mapping.get(f))] for f in FIELDS}
    default = mapping.get("default_kind") or None
    return Plan(fields, default, bool(mapping.get("split_directions")))


def signature(columns: list[str]) -> str:
    """Identifies 'the same kind of file' (the same set of column names) to remember its mapping."""
    return "\x1f".join(sorted(columns))
