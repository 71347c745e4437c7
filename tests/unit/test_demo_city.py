"""The Harbor Falls generator: deterministic, plausible, inside its jurisdiction; loading it is idempotent."""

from __future__ import annotations

import csv
import json
import re
from collections import Counter
from datetime import date
from pathlib import Path

import numpy as np
import pytest
from shapely.geometry import Point, shape

from app.core.demo_city import (
    KIND_CODES,
    REGISTRY_CSV_COLUMNS,
    generate_city,
    large_registry,
    registry_labels,
    write_registry_csv,
)
from app.core.records import from_iso
from app.store import audit
from app.store.db import open_store
from app.store.demo import ensure_demo_city, insert_registry

TODAY = date(2025, 6, 1)


@pytest.fixture(scope="module")
def city():  # noqa: ANN201 - pytest fixture
    return generate_city(seed=7, n_cameras=3000, today=TODAY)


def test_same_seed_same_city_other_seed_other_city(city) -> None:  # noqa: ANN001
    again = generate_city(seed=7, n_cameras=3000, today=TODAY)
    assert again.cameras == city.cameras
    assert again.owners == city.owners
    assert again.incidents == city.incidents
    assert again.distributions == city.distributions
    other = generate_city(seed=8, n_cameras=3000, today=TODAY)
    assert [c["lat"] for c in other.cameras] != [c["lat"] for c in city.cameras]
    assert [o["display_name"] for o in other.owners] != [o["display_name"] for o in city.owners]


def test_counts_and_mixes(city) -> None:  # noqa: ANN001
    assert len(city.cameras) == 3000
    assert 2000 <= len(city.owners) <= 2600
    per_owner = Counter(c["owner_id"] for c in city.cameras)
    assert set(per_owner) == {o["id"] for o in city.owners}  # every owner has a camera
    assert sum(1 for n in per_owner.values() if n > 1) >= 200  # several owners with more than one
    kinds = Counter(c["kind"] for c in city.cameras)
    assert set(kinds) == set(KIND_CODES)
    assert kinds.most_common(1)[0][0] == "doorbell"
    assert 0.40 <= kinds["doorbell"] / 3000 <= 0.65
    assert 20 <= kinds["city_cctv"] <= 120
    sources = Counter(c["source"] for c in city.cameras)
    assert sources["self_registered"] > sources["program_distributed"] > 0 and sources["imported"] > 0
    for cam in city.cameras:
        assert 0 <= cam["heading_deg"] < 360 and 1 <= cam["fov_deg"] <= 360
        assert cam["range_m"] > 0 and cam["retention_days"] >= 0
    # Business CCTV clusters downtown: its share there is far above the city-wide share.
    hood = next(h for h in city.neighbourhoods if h.name == "Downtown")
    s, w, n, e = hood.bounds_latlon()
    downtown = [c for c in city.cameras if s <= c["lat"] <= n and w <= c["lon"] <= e]
    share_downtown = sum(c["kind"] == "business_cctv" for c in downtown) / len(downtown)
    assert share_downtown > 2 * kinds["business_cctv"] / 3000


def test_every_camera_inside_the_jurisdiction(city) -> None:  # noqa: ANN001
    polygon = shape(json.loads(city.agency["jurisdiction_geojson"]))
    assert polygon.is_valid and polygon.geom_type == "Polygon"
    outside = [c["id"] for c in city.cameras if not polygon.contains(Point(c["lon"], c["lat"]))]
    assert outside == []
    assert all(polygon.contains(Point(i["lon"], i["lat"])) for i in city.incidents)


def test_owners_consent_and_contacts(city) -> None:  # noqa: ANN001
    out = [o for o in city.owners if o["consent"] == "opt_out"]
    assert 0.12 <= len(out) / len(city.owners) <= 0.18
    assert all(o["consent_changed_on"] and o["consent_changed_on"] >= o["created_at"] for o in out)
    assert sorted(o["anonymity_no"] for o in city.owners) == list(range(1, len(city.owners) + 1))
    assert all(o["email"].endswith("example.org") for o in city.owners)
    assert all(re.fullmatch(r"541-555-01\d\d", o["phone"]) for o in city.owners)


def test_agency_incidents_and_ledger(city) -> None:  # noqa: ANN001
    pattern = re.compile(city.agency["case_number_pattern"])
    reports = [i for i in city.incidents if i["source"] == "agency_report"]
    posts = [i for i in city.incidents if i["source"] == "resident_post"]
    assert reports and posts
    assert all(pattern.match(r["case_number"]) for r in reports)
    assert len({r["case_number"] for r in reports}) == len(reports)
    assert all(p["case_number"] == "" for p in posts)
    categories = {i["category"] for i in city.incidents}
    expected = {"package theft", "burglary", "vehicle break-in", "vandalism", "suspicious activity", "lost pet"}
    assert expected <= categories
    times = [from_iso(i["occurred_at"]).date() for i in city.incidents]
    assert min(times) >= date(2024, 5, 31) and max(times) <= TODAY
    program = {c["id"] for c in city.cameras if c["source"] == "program_distributed"}
    assert {d["camera_id"] for d in city.distributions} == program
    assert all(d["terms_shown"] for d in city.distributions)
    units = sum(s["units"] for s in city.device_shipments)
    assert units >= len(city.distributions)
    assert city.download_credits and all(c["units_earned"] == c["downloads"] // 20 for c in city.download_credits)
    assert any(op["kind"] == "package-theft sting" and op["outcome"] for op in city.operations)


def test_ensure_demo_city_loads_once(tmp_path: Path) -> None:
    conn = open_store(tmp_path / "s.sqlite3")
    try:
        assert ensure_demo_city(conn, today=TODAY) is True
        counts = {t: conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
                  for t in ("cameras", "owners", "agencies", "incidents", "distributions", "operations", "users")}
        assert counts["cameras"] == 3000 and counts["agencies"] == 1 and counts["incidents"] > 0
        assert counts["users"] == 0  # demo users are sign-in's business
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        assert ensure_demo_city(conn, today=TODAY) is False
        assert conn.execute("SELECT COUNT(*) FROM cameras").fetchone()[0] == 3000
        actions = [r[0] for r in conn.execute("SELECT action FROM audit_log")]
        assert actions.count("demo_city_created") == 1
        assert audit.verify(conn).ok
    finally:
        conn.close()


def test_ensure_demo_city_beside_existing_rows(tmp_path: Path) -> None:
    conn = open_store(tmp_path / "s.sqlite3")
    try:
        conn.execute("INSERT INTO agencies (name, kind) VALUES ('County Sheriff', 'sheriff')")
        conn.execute("INSERT INTO owners (display_name, anonymity_no, created_at) VALUES ('Kept', 1, 'x')")
        assert ensure_demo_city(conn, n_cameras=200, today=TODAY)
        hf = conn.execute("SELECT id FROM agencies WHERE name LIKE 'Harbor Falls%'").fetchone()[0]
        assert hf == 2
        assert conn.execute("SELECT COUNT(*) FROM incidents WHERE agency_id = 1").fetchone()[0] == 0
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    finally:
        conn.close()


def test_large_registry_csv_and_store(tmp_path: Path) -> None:
    arrays = large_registry(20_000, seed=3)
    assert np.array_equal(arrays["lat"], large_registry(20_000, seed=3)["lat"])
    assert len(arrays["id"]) == 20_000 and np.all(np.diff(arrays["id"]) == 1)
    assert np.all((arrays["fov_deg"] >= 1) & (arrays["fov_deg"] <= 360)) and np.all(arrays["range_m"] > 0)
    path = tmp_path / "r.csv"
    assert write_registry_csv(path, arrays) == 20_000
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == REGISTRY_CSV_COLUMNS and len(rows) == 20_001
    assert rows[1][3] == KIND_CODES[arrays["kind"][0]] and rows[1][8] == registry_labels(arrays, 0, 1)[0]
    conn = open_store(tmp_path / "s.sqlite3")
    try:
        assert insert_registry(conn, arrays) == 20_000
        n, owners, lat_sum = conn.execute("SELECT COUNT(*), COUNT(DISTINCT owner_id), SUM(lat) FROM cameras").fetchone()
        assert n == 20_000 and owners == int(arrays["owner"].max())
        assert lat_sum == pytest.approx(float(arrays["lat"].sum()))
    finally:
        conn.close()
