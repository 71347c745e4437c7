"""Large camera registries for benchmarks (numpy, vectorised): see ``app.core.demo_city`` for the API."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import numpy as np

from app.core.records import KIND_CODES, SOURCE_CODES

CITY_NAME = "Harbor Falls"
CITY_STATE = "OR"
# A stretch of the Oregon coast; the shoreline runs north-south just west of the city.
CENTER_LAT = 44.6300
CENTER_LON = -124.0300
SHORE_LON = -124.0640

REGISTRY_CSV_COLUMNS = ["id", "lat", "lon", "kind", "heading_deg", "fov_deg", "range_m", "retention_days", "label"]

_TREES = ["Alder", "Birch", "Cedar", "Dogwood", "Elm", "Fir", "Hemlock", "Juniper", "Laurel", "Maple", "Oak",
          "Pine", "Spruce", "Willow", "Aspen", "Cypress", "Hawthorn", "Linden", "Magnolia", "Sycamore"]
_PLACES = ["Harbor", "Bay", "Lighthouse", "Falls", "Mill", "Ridge", "Ocean", "Jetty", "Cannery", "Beacon",
           "Anchor", "Tide", "Gull", "Kelp", "Dune", "Driftwood", "Seawall", "Pier", "Schooner", "Cove"]
_ORDINALS = ["1st", "2nd", "3rd"] + [f"{i}th" for i in range(4, 21)]
# Streets run east-west (numbered), avenues north-south (named); the rest are lanes and courts of the suburbs.
STREET_NAMES: list[str] = (
    [f"{o} Street" for o in _ORDINALS]
    + [f"{t} Avenue" for t in _TREES]
    + [f"{p} Road" for p in _PLACES]
    + [f"{t} Lane" for t in _TREES]
    + [f"{p} Court" for p in _PLACES]
)

# Kind mix of the large registry (doorbells dominate home camera networks).
_LARGE_KIND_P = np.array([0.55, 0.15, 0.10, 0.07, 0.10, 0.03])
_FOV_BY_KIND = np.array([150, 140, 130, 110, 90, 360], dtype=np.float32)
_RANGE_BY_KIND = np.array([12, 25, 18, 7, 30, 80], dtype=np.float32)
_RETENTION_CHOICES = np.array([7, 14, 30, 30, 60, 60, 60, 90, 180], dtype=np.int32)
_METERS_PER_DEG_LAT = 111_320.0


def _meters_per_deg_lon(lat: float) -> float:
    return _METERS_PER_DEG_LAT * float(np.cos(np.radians(lat)))


def large_registry(n: int, seed: int = 1) -> dict[str, np.ndarray]:
    """``n`` cameras spread over a metro area around Harbor Falls (vectorised; ~1 s per million)."""
    rng = np.random.default_rng(seed)
    # A few town centres with their own spread; cameras cluster around them like housing does.
    n_centres = 12
    centre_dy = rng.normal(0.0, 9_000.0, n_centres)
    centre_dx = np.abs(rng.normal(0.0, 7_000.0, n_centres)) + 1_500.0  # east of the shore
    centre_sd = rng.uniform(800.0, 3_500.0, n_centres)
    weights = rng.uniform(0.5, 2.0, n_centres)
    which = rng.choice(n_centres, size=n, p=weights / weights.sum())
    dy = centre_dy[which] + rng.normal(0.0, 1.0, n) * centre_sd[which]
    dx = centre_dx[which] + rng.normal(0.0, 1.0, n) * centre_sd[which]
    dx = np.abs(dx - 200.0) + 200.0  # reflect anything that fell into the sea back onto land
    lat = CENTER_LAT + dy / _METERS_PER_DEG_LAT
    lon = SHORE_LON + dx / _meters_per_deg_lon(CENTER_LAT)
    kind = rng.choice(len(KIND_CODES), size=n, p=_LARGE_KIND_P).astype(np.int8)
    source = rng.choice(len(SOURCE_CODES), size=n, p=[0.72, 0.16, 0.12]).astype(np.int8)
    heading = rng.integers(0, 72, n).astype(np.float32) * 5.0
    fov = _FOV_BY_KIND[kind]
    range_m = (_RANGE_BY_KIND[kind] * rng.uniform(0.7, 1.3, n)).round(1).astype(np.float32)
    retention = _RETENTION_CHOICES[rng.integers(0, len(_RETENTION_CHOICES), n)]
    # Owners: most have one camera, some two or three, a few (businesses) many. Consecutive cameras share.
    per_owner = rng.choice([1] * 17 + [2, 3, 6], size=n)
    owner = np.repeat(np.arange(1, n + 1, dtype=np.int64), per_owner)[:n]
    return {
        "id": np.arange(1, n + 1, dtype=np.int64),
        "lat": lat.round(6),
        "lon": lon.round(6),
        "kind": kind,
        "source": source,
        "heading_deg": heading,
        "fov_deg": fov,
        "range_m": range_m,
        "retention_days": retention,
        "owner": owner,
        "house_no": rng.integers(1, 9_999, n).astype(np.int32),
        "street": rng.integers(0, len(STREET_NAMES), n).astype(np.int16),
    }


def registry_labels(arrays: dict[str, np.ndarray], start: int = 0, stop: int | None = None) -> list[str]:
    """Text labels ("driveway and garage door": what the camera sees, never an address) of rows start..stop."""
    from app.core.demo_text import camera_label

    kinds = KIND_CODES
    return [camera_label(kinds[k], s) for k, s in zip(arrays["kind"][start:stop].tolist(),
                                                       arrays["street"][start:stop].tolist(), strict=True)]


def registry_owner_count(arrays: dict[str, np.ndarray]) -> int:
    return int(arrays["owner"].max()) if len(arrays["owner"]) else 0


def write_registry_csv(path: str | os.PathLike[str], arrays: dict[str, np.ndarray], chunk: int = 100_000) -> int:
    """Write the registry as a CSV (``REGISTRY_CSV_COLUMNS``); returns the number of data rows."""
    n = len(arrays["id"])
    kinds = KIND_CODES
    with Path(path).open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\n")
        writer.writerow(REGISTRY_CSV_COLUMNS)
        for start in range(0, n, chunk):
            stop = min(start + chunk, n)
            rows = zip(
                arrays["id"][start:stop].tolist(),
                [f"{v:.6f}" for v in arrays["lat"][start:stop].tolist()],
                [f"{v:.6f}" for v in arrays["lon"][start:stop].tolist()],
                [kinds[k] for k in arrays["kind"][start:stop].tolist()],
                [f"{v:g}" for v in arrays["heading_deg"][start:stop].tolist()],
                [f"{v:g}" for v in arrays["fov_deg"][start:stop].tolist()],
                [f"{v:g}" for v in arrays["range_m"][start:stop].tolist()],
                arrays["retention_days"][start:stop].tolist(),
                registry_labels(arrays, start, stop),
                strict=True,
            )
            writer.writerows(rows)
    return n
