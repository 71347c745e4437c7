"""Harbor Falls, a fictional coastal city for first launches, tests and benchmarks. Pure Python + numpy.

Everything is drawn from a seeded generator, so the same arguments give the same data, byte for byte.

API
---
``generate_city(seed=7, n_cameras=3000, today=None) -> DemoCity``
    A small plausible city: neighbourhoods on a street grid, cameras of mixed kinds and sources, owners
    (about 0.77 per camera, ~15 % opted out), one police agency with a jurisdiction polygon and a case number
    pattern, incidents and resident posts over the past year, and program ledger rows. Dates are relative to
    ``today`` (a ``datetime.date``, default today's UTC date), so the same seed *and* the same ``today`` give
    identical data. Load it into a store with ``app.store.demo.ensure_demo_city(conn)``.

``large_registry(n, seed=1) -> dict[str, np.ndarray]``
    A registry of ``n`` cameras (up to millions) as numpy columns, in about a second per million:
    ``id`` int64 (1..n), ``lat``/``lon`` float64, ``kind`` int8 (index into ``KIND_CODES``), ``source`` int8
    (index into ``SOURCE_CODES``), ``heading_deg``/``fov_deg``/``range_m`` float32, ``retention_days`` int32,
    ``owner`` int64 (1..n_owners, several cameras per owner), ``house_no`` int32 and ``street`` int16 (index
    into ``STREET_NAMES``); the text label (``registry_labels``: what the camera sees, never an address) is not
    stored as a million Python strings.

``write_registry_csv(path, arrays)``
    The registry as CSV with columns ``id,lat,lon,kind,heading_deg,fov_deg,range_m,retention_days,label``
    (the importer's own vocabulary; ``kind`` as its text value).

``app.store.demo.insert_registry(conn, arrays)``
    Puts such a registry (and its owners) into a store quickly, in one transaction.
"""

from __future__ import annotations

import bisect
import hashlib
import itertools
import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import numpy as np

from app.core import demo_text as text
from app.core.demo_registry import (
    _METERS_PER_DEG_LAT,
    _PLACES,
    _TREES,
    CENTER_LAT,
    CENTER_LON,
    CITY_NAME,
    CITY_STATE,
    KIND_CODES,
    REGISTRY_CSV_COLUMNS,
    SHORE_LON,
    SOURCE_CODES,
    STREET_NAMES,
    _meters_per_deg_lon,
    large_registry,
    registry_labels,
    registry_owner_count,
    write_registry_csv,
)
from app.core.records import from_iso, to_iso

__all__ = [
    "CENTER_LAT", "CENTER_LON", "CITY_NAME", "CITY_STATE", "KIND_CODES", "REGISTRY_CSV_COLUMNS", "SHORE_LON",
    "SOURCE_CODES", "STREET_NAMES", "DemoCity", "Neighbourhood", "NEIGHBOURHOODS", "generate_city", "large_registry",
    "registry_labels", "registry_owner_count", "write_registry_csv",
]


CASE_NUMBER_PATTERN = r"^HF-\d{4}-\d{5}$"
AGENCY_NAME = "Harbor Falls Police Department"
OPT_OUT_SHARE = 0.15

# Local metres: x east of the shoreline, y north of the city centre. Streets run east-west every 120 m
# (numbered from the south), avenues north-south every 160 m (named from the shore inland).
_STREET_Y0, _STREET_DY = -3400.0, 120.0
_AVENUE_X0, _AVENUE_DX = 150.0, 160.0
_N_STREETS, _N_AVENUES = 57, 31
_AVENUE_NAMES = [f"{t} Avenue" for t in _TREES] + [f"{p} Avenue" for p in _PLACES if p not in ("Harbor", "Bay")]


@dataclass(frozen=True)
class Neighbourhood:
    name: str
    x0: float
    x1: float
    y0: float
    y1: float
    weight: float            # share of the city's homes
    business_share: float    # probability that a camera site is a business

    def bounds_latlon(self) -> tuple[float, float, float, float]:
        """(south, west, north, east)."""
        s, w = _to_latlon(self.x0, self.y0)
        n, e = _to_latlon(self.x1, self.y1)
        return s, w, n, e


NEIGHBOURHOODS: list[Neighbourhood] = [
    Neighbourhood("Downtown", 300, 1500, -600, 600, 0.06, 0.60),
    Neighbourhood("Old Harbor", 150, 1300, -1800, -600, 0.07, 0.20),
    Neighbourhood("Lighthouse Point", 150, 1500, 600, 3400, 0.12, 0.03),
    Neighbourhood("Bayview", 150, 1300, -3400, -1800, 0.10, 0.03),
    Neighbourhood("Millbrook", 1500, 3000, -600, 1200, 0.12, 0.06),
    Neighbourhood("Cedar Park", 1500, 3000, 1200, 3400, 0.11, 0.02),
    Neighbourhood("Southport", 1300, 3000, -3400, -600, 0.12, 0.04),
    Neighbourhood("North Heights", 3000, 5000, 1000, 3400, 0.10, 0.02),
    Neighbourhood("Eastgate", 3000, 5000, -1400, 1000, 0.11, 0.10),
    Neighbourhood("Falls River", 3000, 5000, -3400, -1400, 0.08, 0.03),
]

# Jurisdiction: the city plus its harbour waters and a margin inland (local metres, counter-clockwise).
_JURISDICTION_XY = [(-450, -3750), (2600, -3900), (5350, -3650), (5500, -200), (5300, 3700), (2500, 3850),
                    (-400, 3700), (-650, 1200), (-500, -1500)]

_RESIDENTIAL_KIND_P = {"doorbell": 0.72, "floodlight": 0.13, "spotlight": 0.08, "indoor": 0.07}
_EXTRA_KIND_P = {"floodlight": 0.45, "spotlight": 0.30, "indoor": 0.25}  # a home's second or third camera
_FOV_RANGE = {  # kind -> (fov choices, range_m low, range_m high)
    "doorbell": ([150, 150, 160, 140], 8.0, 15.0),
    "floodlight": ([140, 140, 110], 15.0, 30.0),
    "spotlight": ([140, 130, 110], 10.0, 20.0),
    "indoor": ([110, 130, 125], 4.0, 8.0),
    "business_cctv": ([90, 80, 110, 100], 15.0, 40.0),
    "city_cctv": ([360, 360, 90, 70], 60.0, 120.0),
}
# Retention of home cameras: 0 = no recording plan (live view only), else the plan's days.
_HOME_RETENTION = ([0, 30, 60, 60, 60, 180], [0.10, 0.20, 0.25, 0.20, 0.15, 0.10])
_BUSINESS_RETENTION = ([14, 30, 31, 90], [0.3, 0.4, 0.1, 0.2])


@dataclass
class DemoCity:
    """Rows ready for the store, keyed by column name; ids are 1-based and cross-referenced."""

    name: str
    state: str
    center: tuple[float, float]
    today: date
    neighbourhoods: list[Neighbourhood]
    agency: dict[str, Any]
    owners: list[dict[str, Any]]
    cameras: list[dict[str, Any]]
    import_batches: list[dict[str, Any]]
    incidents: list[dict[str, Any]]
    device_shipments: list[dict[str, Any]]
    distributions: list[dict[str, Any]]
    download_credits: list[dict[str, Any]]
    operations: list[dict[str, Any]]

    def jurisdiction(self) -> dict[str, Any]:
        return json.loads(self.agency["jurisdiction_geojson"])


def _to_latlon(x: float, y: float) -> tuple[float, float]:
    return (round(CENTER_LAT + y / _METERS_PER_DEG_LAT, 6), round(SHORE_LON + x / _meters_per_deg_lon(CENTER_LAT), 6))


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _street_name(j: int) -> str:
    return f"{_ordinal(j + 1)} Street"


def _avenue_name(i: int) -> str:
    return _AVENUE_NAMES[i % len(_AVENUE_NAMES)]


class _Gen:
    """One generator run; methods share the random stream, so call order is part of the determinism."""

    def __init__(self, seed: int, today: date) -> None:
        self.rng = np.random.default_rng(seed)
        self.today = today
        self.now = datetime(today.year, today.month, today.day, tzinfo=timezone.utc)

    def pick(self, options: dict[str, float] | list[Any], p: list[float] | None = None) -> Any:
        """One of the options (a dict maps option -> weight; or a list with optional weights)."""
        if isinstance(options, dict):
            keys, weights = list(options), list(options.values())
        else:
            keys, weights = options, p if p is not None else [1.0] * len(options)
        cumulative = list(itertools.accumulate(weights))
        index = bisect.bisect_right(cumulative, self.rng.random() * cumulative[-1])
        return keys[min(index, len(keys) - 1)]

    def days_ago(self, low: float, high: float) -> datetime:
        """A moment between `high` and `low` days before today (uniform), whole seconds."""
        seconds = int(self.rng.uniform(low, high) * 86_400)
        return self.now - timedelta(seconds=seconds)

    def address_point(self, hood: Neighbourhood) -> tuple[float, float, float, str, int]:
        """A house on a street of the neighbourhood: (x, y, heading towards the street, street name, house no)."""
        rng = self.rng
        side = 1 if rng.random() < 0.5 else -1
        if rng.random() < 0.5:  # on an east-west street
            j_lo = int(np.ceil((hood.y0 + 20 - _STREET_Y0) / _STREET_DY))
            j_hi = int(np.floor((hood.y1 - 20 - _STREET_Y0) / _STREET_DY))
            j = int(rng.integers(j_lo, j_hi + 1))
            x = float(rng.uniform(hood.x0 + 10, hood.x1 - 10))
            y = _STREET_Y0 + j * _STREET_DY + side * rng.uniform(10, 18)
            heading = 180.0 if side > 0 else 0.0
            number = int(x // _AVENUE_DX) * 100 + int((x % _AVENUE_DX) / _AVENUE_DX * 48) * 2 + (side < 0)
            return x, y, heading, _street_name(j), max(number, 1)
        i_lo = int(np.ceil((hood.x0 + 20 - _AVENUE_X0) / _AVENUE_DX))
        i_hi = int(np.floor((hood.x1 - 20 - _AVENUE_X0) / _AVENUE_DX))
        i = int(rng.integers(max(i_lo, 0), i_hi + 1))
        y = float(rng.uniform(hood.y0 + 10, hood.y1 - 10))
        x = _AVENUE_X0 + i * _AVENUE_DX + side * rng.uniform(10, 18)
        heading = 270.0 if side > 0 else 90.0
        block = int((y - _STREET_Y0) // _STREET_DY)
        number = block * 100 + int(((y - _STREET_Y0) % _STREET_DY) / _STREET_DY * 48) * 2 + (side < 0)
        return x, y, heading, _avenue_name(i), max(number, 1)

    def camera_specs(self, kind: str, toward_street: float) -> tuple[float, float, float, int]:
        rng = self.rng
        fovs, lo, hi = _FOV_RANGE[kind]
        fov = float(self.pick(fovs))
        range_m = round(float(rng.uniform(lo, hi)), 1)
        if kind in ("doorbell", "business_cctv"):
            heading = toward_street + rng.normal(0, 12 if kind == "doorbell" else 35)
        elif kind in ("floodlight", "spotlight"):  # driveway, side yard or back yard
            heading = toward_street + self.pick([0.0, 90.0, -90.0, 180.0], [0.45, 0.2, 0.15, 0.2]) + rng.normal(0, 20)
        elif kind == "city_cctv":
            heading = float(rng.integers(0, 8)) * 45.0
        else:
            heading = rng.uniform(0, 360)
        if kind == "business_cctv":
            retention = int(self.pick(*_BUSINESS_RETENTION))
        elif kind == "city_cctv":
            retention = 30
        else:
            retention = int(self.pick(*_HOME_RETENTION))
        return round(float(heading) % 360.0, 1) % 360.0, fov, range_m, retention

    def jurisdiction_geojson(self) -> str:
        ring = [list(reversed(_to_latlon(x, y))) for x, y in _JURISDICTION_XY]
        ring.append(ring[0])
        return json.dumps({"type": "Polygon", "coordinates": [ring]})


def generate_city(seed: int = 7, n_cameras: int = 3000, today: date | None = None) -> DemoCity:
    """Harbor Falls with ``n_cameras`` cameras; see the module docstring."""
    if n_cameras < 10:
        raise ValueError("a city needs at least 10 cameras")
    g = _Gen(seed, today or datetime.now(timezone.utc).date())
    partnered = g.now - timedelta(days=600)
    agency = {
        "id": 1, "name": AGENCY_NAME, "kind": "police", "city": CITY_NAME, "state": CITY_STATE,
        "lat": round(CENTER_LAT, 6), "lon": round(CENTER_LON, 6), "jurisdiction_geojson": g.jurisdiction_geojson(),
        "case_number_pattern": CASE_NUMBER_PATTERN, "partnered_on": to_iso(partnered), "status": "active",
        "terms": text.PROGRAM_TERMS,
    }
    batches = [
        _batch(1, "hf-voluntary-registry-2023.csv", g.now - timedelta(days=700), seed),
        _batch(2, "harbor-falls-business-cameras.csv", g.now - timedelta(days=420), seed),
        _batch(3, "city-cctv-inventory.kml", g.now - timedelta(days=380), seed),
    ]
    owners: list[dict[str, Any]] = []
    cameras: list[dict[str, Any]] = []
    _city_cameras(g, max(1, round(n_cameras * 0.02)), owners, cameras, batches[2])
    hood_weights = [h.weight for h in NEIGHBOURHOODS]
    while len(cameras) < n_cameras:
        hood = g.pick(NEIGHBOURHOODS, hood_weights)
        room = n_cameras - len(cameras)
        if g.rng.random() < hood.business_share:
            _business_site(g, hood, room, owners, cameras, batches[1])
        else:
            _home_site(g, hood, room, owners, cameras, batches[0], partnered)
    for b in batches:
        b["rows_imported"] = sum(1 for c in cameras if c["import_id"] == b["id"])
        b["rows_total"] = b["rows_imported"] + b["rows_rejected"]
    _consent(g, owners, cameras)
    incidents = _incidents(g, max(20, round(n_cameras * 0.35)))
    shipments, distributions = _program(g, cameras, partnered)
    credits = _credits(g, partnered)
    operations = _operations(g)
    return DemoCity(CITY_NAME, CITY_STATE, (CENTER_LAT, CENTER_LON), g.today, list(NEIGHBOURHOODS), agency,
                    owners, cameras, batches, incidents, shipments, distributions, credits, operations)


def _batch(batch_id: int, file_name: str, at: datetime, seed: int) -> dict[str, Any]:
    return {"id": batch_id, "file_name": file_name, "format": Path(file_name).suffix.lstrip("."),
            "sha256": hashlib.sha256(f"{file_name}:{seed}".encode()).hexdigest(), "rows_total": 0,
            "rows_imported": 0, "rows_rejected": batch_id % 3, "imported_at": to_iso(at),
            "imported_by": "coordinator"}


def _owner(g: _Gen, owners: list[dict[str, Any]], name: str, email: str, address: str) -> dict[str, Any]:
    k = len(owners) + 1
    pref = g.pick({"email": 0.60, "phone": 0.25, "mail": 0.10, "none": 0.05})
    owner = {"id": k, "display_name": name, "email": email, "phone": f"541-555-01{k % 100:02d}",
             "address": address, "contact_preference": pref, "consent": "opt_in", "consent_changed_on": None,
             "anonymity_no": 0, "created_at": ""}
    owners.append(owner)
    return owner


def _camera(g: _Gen, cameras: list[dict[str, Any]], owner: dict[str, Any], kind: str, x: float, y: float,
            toward: float, source: str, registered: datetime, label: str, batch: dict[str, Any] | None,
            external_id: str | None = None) -> None:
    heading, fov, range_m, retention = g.camera_specs(kind, toward)
    lat, lon = _to_latlon(x + g.rng.normal(0, 2), y + g.rng.normal(0, 2))
    cameras.append({
        "id": len(cameras) + 1, "external_id": external_id, "owner_id": owner["id"], "lat": lat, "lon": lon,
        "kind": kind, "heading_deg": heading, "fov_deg": fov, "range_m": range_m, "retention_days": retention,
        "source": source, "registered_on": to_iso(registered), "active": int(g.rng.random() > 0.03),
        "label": label, "import_id": batch["id"] if batch else None,
    })
    if not owner["created_at"] or to_iso(registered) < owner["created_at"]:
        owner["created_at"] = to_iso(registered)


def _city_cameras(g: _Gen, n: int, owners: list[dict[str, Any]], cameras: list[dict[str, Any]],
                  batch: dict[str, Any]) -> None:
    owner = _owner(g, owners, text.CITY_OWNER, "publicworks@harborfalls.example.org",
                   "500 Harbor Road, Harbor Falls, OR 97399")
    downtown = [h for h in NEIGHBOURHOODS if h.name in ("Downtown", "Old Harbor")]
    seen: set[tuple[int, int]] = set()
    while len(seen) < min(n, _N_STREETS * _N_AVENUES):
        hood = downtown[int(g.rng.integers(0, 2))] if g.rng.random() < 0.6 else NEIGHBOURHOODS[
            int(g.rng.integers(0, len(NEIGHBOURHOODS)))]
        i = int(g.rng.integers(int(np.ceil((hood.x0 - _AVENUE_X0) / _AVENUE_DX)),
                               int((hood.x1 - _AVENUE_X0) // _AVENUE_DX) + 1))
        j = int(g.rng.integers(int(np.ceil((hood.y0 - _STREET_Y0) / _STREET_DY)),
                               int((hood.y1 - _STREET_Y0) // _STREET_DY) + 1))
        if (i, j) in seen or i < 0:
            continue
        seen.add((i, j))
        x, y = _AVENUE_X0 + i * _AVENUE_DX + 6, _STREET_Y0 + j * _STREET_DY + 6
        _camera(g, cameras, owner, "city_cctv", x, y, 0.0, "imported", g.now - timedelta(days=380),
                f"{_street_name(j)} & {_avenue_name(i)}", batch, f"HF-CCTV-{len(seen):03d}")


def _business_site(g: _Gen, hood: Neighbourhood, room: int, owners: list[dict[str, Any]],
                   cameras: list[dict[str, Any]], batch: dict[str, Any]) -> None:
    x, y, toward, street, number = g.address_point(hood)
    name = f"{g.pick(text.BUSINESS_WORDS)} {g.pick(text.BUSINESS_KINDS)}"
    slug = "".join(ch for ch in name.lower() if ch.isalnum())
    owner = _owner(g, owners, name, f"info@{slug}.example.org", f"{number} {street}, Harbor Falls, OR 97399")
    imported = g.rng.random() < 0.35
    registered = g.now - timedelta(days=420) if imported else g.days_ago(1, 1100)
    count = min(room, int(g.pick([1, 2, 3, 4, 6], [0.4, 0.3, 0.15, 0.1, 0.05])))
    for k in range(count):
        kind = "doorbell" if k == 0 and g.rng.random() < 0.1 else "business_cctv"
        _camera(g, cameras, owner, kind, x, y, toward, "imported" if imported else "self_registered",
                registered + timedelta(minutes=3 * k), text.camera_label(kind, k, business=True),
                batch if imported else None, f"BIZ-{len(cameras) + 1:05d}" if imported else None)


def _home_site(g: _Gen, hood: Neighbourhood, room: int, owners: list[dict[str, Any]],
               cameras: list[dict[str, Any]], batch: dict[str, Any], partnered: datetime) -> None:
    x, y, toward, street, number = g.address_point(hood)
    first, last = g.pick(text.FIRST_NAMES), g.pick(text.LAST_NAMES)
    local = "".join(ch for ch in f"{first}.{last}".lower() if ch.isalnum() or ch == ".")
    owner = _owner(g, owners, f"{first} {last}", f"{local}{len(owners) + 1}@example.org",
                   f"{number} {street}, Harbor Falls, OR 97399")
    count = min(room, int(g.pick([1, 2, 3], [0.83, 0.13, 0.04])))
    first_kind = g.pick(_RESIDENTIAL_KIND_P)
    roll = g.rng.random()
    days_in_program = (g.now - partnered).days - 30
    for k in range(count):
        kind = first_kind if k == 0 else g.pick(_EXTRA_KIND_P)
        if k == 0 and kind == "doorbell" and roll < 0.20:
            source, registered, b = "program_distributed", g.days_ago(1, days_in_program), None
        elif roll > 0.97:
            source, registered, b = "imported", g.now - timedelta(days=700), batch
        else:
            source, registered, b = "self_registered", g.days_ago(1, 1100), None
        _camera(g, cameras, owner, kind, x, y, toward, source, registered, text.camera_label(kind, k),
                b, f"VR-{len(cameras) + 1:05d}" if b else None)


def _consent(g: _Gen, owners: list[dict[str, Any]], cameras: list[dict[str, Any]]) -> None:
    """About 15 % of owners opt out (exactly rounded); anonymity numbers are shuffled so they reveal nothing."""
    n = len(owners)
    eligible = np.arange(1, n)  # the city (owner 1) stays opted in: its cameras are public infrastructure
    out = set(g.rng.choice(eligible, size=round(OPT_OUT_SHARE * n), replace=False).tolist()) if n > 1 else set()
    numbers = g.rng.permutation(n) + 1
    for idx, owner in enumerate(owners):
        owner["anonymity_no"] = int(numbers[idx])
        created = from_iso(owner["created_at"])
        if idx in out:
            owner["consent"] = "opt_out"
            span = max((g.now - created).total_seconds(), 1.0)
            owner["consent_changed_on"] = to_iso(created + timedelta(seconds=int(g.rng.uniform(0, span))))
        else:
            owner["consent_changed_on"] = owner["created_at"]


_HOURS = {  # category -> likely hours of the day
    text.PACKAGE_THEFT: [10, 11, 12, 13, 14, 15, 16, 17],
    text.VEHICLE_BREAK_IN: [0, 1, 2, 3, 4, 5, 23],
    text.SUSPICIOUS: [0, 1, 2, 21, 22, 23, 14, 16],
}


def _utc_offset_h(local: datetime) -> int:
    """Hours to add to Pacific local time to get UTC (daylight time from mid-March to early November)."""
    summer = (3, 10) <= (local.month, local.day) < (11, 3)
    return 7 if summer else 8


def _incidents(g: _Gen, n: int) -> list[dict[str, Any]]:
    hood_weights = [h.weight for h in NEIGHBOURHOODS]
    rows: list[dict[str, Any]] = []
    for _ in range(n):
        agency = g.rng.random() < 0.3
        category = g.pick(text.REPORT_CATEGORIES if agency else text.POST_CATEGORIES)
        while True:  # package thefts peak in the holiday delivery season
            day = g.days_ago(0.5, 365)
            if category != text.PACKAGE_THEFT or g.rng.random() < (1.0 if day.month in (11, 12) else 0.45):
                break
        hours = _HOURS.get(category, list(range(7, 23)))
        local_hour = hours[int(g.rng.integers(0, len(hours)))]
        local = day.replace(hour=local_hour, minute=int(g.rng.integers(0, 60)))
        occurred = min(local + timedelta(hours=_utc_offset_h(local)), g.now - timedelta(hours=1))
        hood = g.pick(NEIGHBOURHOODS, hood_weights)
        x, y, _, street, number = g.address_point(hood)
        lat, lon = _to_latlon(x, y)
        part = text.PARTS_OF_DAY[min(2, (local_hour - 6) // 6)] if 6 <= local_hour else "morning"
        hour12 = f"{local_hour % 12 or 12} {'am' if local_hour < 12 else 'pm'}"
        if agency:
            body = text.REPORT_TEMPLATE.format(category=category, block=number // 100 * 100, street=street,
                                               case="{case}")
        else:
            body = g.pick(text.POST_TEMPLATES[category]).format(street=street, part_of_day=part, hour=hour12)
        rows.append({"occurred_at": occurred, "lat": lat, "lon": lon, "category": category, "text": body,
                     "source": "agency_report" if agency else "resident_post", "case_number": "",
                     "agency_id": 1 if agency else None,
                     "created_at": to_iso(min(occurred + timedelta(minutes=int(g.rng.integers(5, 600))), g.now))})
    rows.sort(key=lambda r: r["occurred_at"])
    next_case: dict[int, int] = {}
    for k, row in enumerate(rows, start=1):
        row["id"] = k
        if row["source"] == "agency_report":
            year = row["occurred_at"].year
            next_case[year] = next_case.get(year, int(g.rng.integers(40, 400))) + int(g.rng.integers(1, 30))
            row["case_number"] = f"HF-{year}-{next_case[year]:05d}"
            row["text"] = row["text"].replace("{case}", row["case_number"])
        row["occurred_at"] = to_iso(row["occurred_at"])
    return rows


def _program(g: _Gen, cameras: list[dict[str, Any]],
             partnered: datetime) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Shipments sized to what was handed out after them; one distribution per program camera."""
    starts = [partnered + timedelta(days=d) for d in (20, 150, 270, 400, 520)]
    program = sorted((c for c in cameras if c["source"] == "program_distributed"), key=lambda c: c["registered_on"])
    per_shipment: list[list[dict[str, Any]]] = [[] for _ in starts]
    for cam in program:
        when = from_iso(cam["registered_on"])
        k = max((i for i, s in enumerate(starts) if s <= when), default=0)
        per_shipment[k].append(cam)
    shipments, distributions = [], []
    for k, (start, cams) in enumerate(zip(starts, per_shipment, strict=True), start=1):
        units = max(10, (len(cams) // 10 + 1) * 10)
        shipments.append({"id": k, "agency_id": 1, "shipped_on": to_iso(start - timedelta(days=10)), "units": units,
                          "model": "Doorbell Cam 2 (program edition)",
                          "notes": f"Shipment {k}: {units} units for the neighborhood camera program."})
        terms = text.DISTRIBUTION_TERMS[1 if k == 1 else 2]
        for cam in cams:
            distributions.append({"id": len(distributions) + 1, "shipment_id": k, "agency_id": 1,
                                  "owner_id": cam["owner_id"], "camera_id": cam["id"],
                                  "distributed_on": cam["registered_on"], "terms_shown": terms,
                                  "terms_accepted": int(g.rng.random() > 0.02),
                                  # the first batch's terms made sharing a condition (DISTRIBUTION_TERMS[1])
                                  "sharing_condition": int(k == 1), "installed_on": cam["registered_on"]})
    return shipments, distributions


def _credits(g: _Gen, partnered: datetime) -> list[dict[str, Any]]:
    rows = []
    year, month = partnered.year, partnered.month
    while (year, month) < (g.today.year, g.today.month):
        downloads = int(g.rng.integers(25, 160))
        recorded = datetime(year + month // 12, month % 12 + 1, 3, tzinfo=timezone.utc)
        rows.append({"id": len(rows) + 1, "agency_id": 1, "period": f"{year:04d}-{month:02d}", "downloads": downloads,
                     "units_earned": downloads // 20, "recorded_on": to_iso(min(recorded, g.now))})
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return rows


def _operations(g: _Gen) -> list[dict[str, Any]]:
    # The sting ran in the last holiday season that is fully in the past.
    season = g.today.year if (g.today.month, g.today.day) >= (12, 29) else g.today.year - 1
    starts = [datetime(season, 11, 24, tzinfo=timezone.utc), g.now - timedelta(days=240)]
    rows = []
    for k, (op, start) in enumerate(zip(text.OPERATIONS, starts, strict=True), start=1):
        end = start + timedelta(days=35 if k == 1 else 42)
        rows.append({"id": k, "agency_id": 1, "started_on": to_iso(start), "ended_on": to_iso(end), **op})
    return rows
