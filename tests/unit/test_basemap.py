"""Base maps: the OSM reader on the real Andorra and Monaco extracts (counts against osmium's own), the store
round trip and removal, the demo city's streets and house numbers, and the address search's ranking."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import pytest

from app.core import geo
from app.core.address_index import AddressIndex, RecordPoint, normalize
from app.core.basemap import road_class
from app.core.demo_streets import demo_basemap
from app.io.osm_reader import OSMError, read_osm
from app.store import basemap as store
from app.store.db import open_store


def osmium_counts(path: Path) -> dict[str, int]:
    """What osmium itself reports: ways that are roads of a known class, and their distinct names."""
    import osmium

    roads = 0
    names: set[str] = set()
    for w in osmium.FileProcessor(str(path), osmium.osm.WAY):
        hw = w.tags.get("highway")
        if hw and road_class(hw) is not None and w.tags.get("area") != "yes" and len(w.nodes) >= 2:
            roads += 1
            if w.tags.get("name"):
                names.add(w.tags.get("name"))
    return {"roads": roads, "street_names": len(names)}


@pytest.fixture
def conn(tmp_path: Path) -> sqlite3.Connection:
    c = open_store(tmp_path / "s.sqlite3")
    yield c
    c.close()


@pytest.mark.parametrize("rel", ["andorra-osm/andorra.osm.pbf", "monaco-osm/monaco.osm.gz"])
def test_osm_counts_match_osmium(shared_data: Path, rel: str) -> None:
    path = shared_data / rel
    bm = read_osm(path)
    expected = osmium_counts(path)
    counts = bm.counts()
    assert counts["roads"] == expected["roads"]
    assert counts["street_names"] == expected["street_names"]
    assert counts["building_areas"] > 100
    assert bm.roads.segments > 1000


def test_monaco_street_found_and_intersection(shared_data: Path) -> None:
    bm = read_osm(shared_data / "monaco-osm" / "monaco.osm.gz")
    index = AddressIndex(bm)
    lat, lon, name = index.geocode("Bd Albert 1er")
    assert name == "Boulevard Albert 1er"
    assert 43.72 < lat < 43.75 and 7.40 < lon < 7.44  # in Monaco, on the harbour side
    hits = index.search("Avenue de la Costa & Boulevard des Moulins")
    assert hits[0].kind == "intersection"
    # The crossing lies on both streets: within a few metres of a vertex of each.
    for street in ("Avenue de la Costa", "Boulevard des Moulins"):
        nid = bm.names.index(street)
        xs = np.concatenate([bm.roads.feature(k)[0] for k in np.flatnonzero(bm.roads.name == nid)])
        ys = np.concatenate([bm.roads.feature(k)[1] for k in np.flatnonzero(bm.roads.name == nid)])
        assert np.min(np.hypot(xs - hits[0].x, ys - hits[0].y)) < 60


def test_bad_files_say_why(tmp_path: Path) -> None:
    bad = tmp_path / "broken.osm.pbf"
    bad.write_bytes(b"this is not a PBF file at all")
    with pytest.raises(OSMError, match="broken.osm.pbf"):
        read_osm(bad)
    with pytest.raises(OSMError, match="not an OpenStreetMap extract"):
        read_osm(Path(__file__))
    empty = tmp_path / "empty.osm"
    empty.write_text("<?xml version='1.0'?><osm version='0.6'></osm>")
    with pytest.raises(OSMError, match="no roads"):
        read_osm(empty)


def test_store_round_trip_and_remove(conn: sqlite3.Connection, shared_data: Path) -> None:
    bm = read_osm(shared_data / "monaco-osm" / "monaco.osm.gz")
    store.save_vector(conn, bm, "tester", "/x/monaco.osm.gz", "abc")
    back = store.load_vector(conn)
    assert back is not None and back.names == bm.names and back.addresses.number == bm.addresses.number
    for family in ("roads", "lines", "areas"):
        for field in ("x", "y", "start", "code", "name"):
            assert np.array_equal(getattr(getattr(back, family), field), getattr(getattr(bm, family), field))
    info = store.vector_info(conn)
    assert info.counts["roads"] == len(bm.roads) and info.loaded_by == "tester"
    # Replacing keeps one vector base map; removing takes everything out and is audited.
    store.save_vector(conn, demo_basemap(), "tester")
    assert [i.kind for i in store.list_base_maps(conn)] == ["vector"]
    assert store.remove(conn, "tester") == 1
    assert store.load_vector(conn) is None
    assert conn.execute("SELECT COUNT(*) FROM base_map_parts").fetchone()[0] == 0
    actions = [r[0] for r in conn.execute("SELECT action FROM audit_log ORDER BY seq")]
    assert actions == ["base_map_added", "base_map_added", "base_map_removed"]


def test_cancelled_save_writes_nothing(conn: sqlite3.Connection) -> None:
    calls = []

    def check() -> None:
        calls.append(1)
        if len(calls) > 3:
            raise RuntimeError("cancelled")

    with pytest.raises(RuntimeError):
        store.save_vector(conn, demo_basemap(), "tester", check=check)
    assert conn.execute("SELECT COUNT(*) FROM base_maps").fetchone()[0] == 0


def test_demo_city_streets_and_house_numbers() -> None:
    from app.core.demo_city import generate_city

    city = generate_city(n_cameras=400)
    bm = demo_basemap()
    index = AddressIndex(bm)
    # Every camera stands within a few metres of a street's edge: 10-18 m off its centre line (+2 m jitter).
    segs = index._segs
    cx, cy = geo.lonlat_to_xy(np.array([c["lon"] for c in city.cameras]), np.array([c["lat"] for c in city.cameras]))
    p = np.column_stack([cx, cy])[:, None, :]
    a, b = segs[None, :, :2], segs[None, :, 2:]
    t = np.clip(((p - a) * (b - a)).sum(-1) / np.maximum(((b - a) ** 2).sum(-1), 1e-9), 0, 1)
    d = np.linalg.norm(p - (a + t[..., None] * (b - a)), axis=-1).min(axis=1)
    ground = d * geo.ground_m_per_map_m(44.63)
    assert ground.max() < 26.0
    # A home's address (its house number and street) finds the house, within a few metres of its camera.
    homes = [c for c in city.cameras if c["kind"] == "doorbell"][:100]
    for cam in homes:
        address = city.owners[cam["owner_id"] - 1]["address"].split(",")[0]
        lat, lon, name = index.geocode(address)
        assert name == address
        assert geo.haversine_m(lat, lon, cam["lat"], cam["lon"]) < 15.0
    # Labels of base-map features never carry an owner's address: the base map has no points at all.
    assert len(bm.addresses) == 0 and bm.addresses.r_lo.size > 1000
    assert {"Falls River", "Coast Highway", "1st Street"} <= set(bm.names)


def test_search_ranks_exact_before_partial() -> None:
    index = AddressIndex(demo_basemap(), [RecordPoint(7, "HF-2025-00412", "burglary, 2025-03-02", 44.62, -124.05),
                                          RecordPoint(8, "HF-2025-00413", "vandalism, 2025-03-04", 44.63, -124.04)])
    hits = index.search("1st street")
    assert hits[0].label == "1st Street" and hits[0].tier == 0
    assert all(h.tier >= 1 for h in hits[1:])  # 10th, 11th... are partial matches after the exact one
    typed = [index.search("cedar a"[:k])[0].label for k in range(3, 8)]
    assert typed[-1] == "Cedar Avenue"
    hits = index.search("5th St & Alder Ave")
    assert hits[0].kind == "intersection" and hits[0].label == "5th Street & Alder Avenue"
    assert index.search("412 1st St")[0].label == "412 1st Street"
    assert index.search("1st Street 412")[0].label == "412 1st Street"
    block = index.search("the 400 block of 12th St")[0]
    assert block.kind == "address" and block.label == "400 12th Street"
    cases = index.search("HF-2025-0041")
    assert [c.kind for c in cases] == ["case", "case"] and cases[0].object_id == 7
    assert index.search("HF-2025-00413")[0].tier == 0
    assert index.search("incident 8")[0].object_id == 8
    assert index.search("no such place anywhere") == []
    assert normalize("Bd. Albert 1er") == "boulevard albert 1er"


def test_service_geocode_over_a_store(conn: sqlite3.Connection) -> None:
    from app.services.map.address_search import geocode, search

    assert geocode(conn, "1st Street") is None  # no base map yet
    store.save_vector(conn, demo_basemap(), "tester")
    lat, lon, name = geocode(conn, "400 block of 12th Street")
    assert name == "400 12th Street" and 44.5 < lat < 44.7
    assert search(conn, "alder")[0].label == "Alder Avenue"


def test_add_base_map_cancelled_or_refused_writes_nothing(conn: sqlite3.Connection, shared_data: Path) -> None:
    from app.core.records import Role
    from app.services.map.base_maps import BaseMapError, add_base_map
    from app.services.session import PermissionDenied, Session, User
    from app.workers.jobs import Cancelled

    session = Session(conn, User(None, "ana", Role.ANALYST))
    calls = []

    def check() -> None:  # the user presses Cancel while the extract is being stored
        calls.append(1)
        if len(calls) > 6:
            raise Cancelled()

    with pytest.raises(Cancelled):
        add_base_map(conn, session, shared_data / "andorra-osm" / "andorra.osm.pbf", check=check)
    assert conn.execute("SELECT COUNT(*) FROM base_maps").fetchone()[0] == 0
    assert conn.execute("SELECT COUNT(*) FROM audit_log").fetchone()[0] == 0
    with pytest.raises(BaseMapError, match="neither"):
        add_base_map(conn, session, Path(__file__))
    with pytest.raises(PermissionDenied):
        add_base_map(conn, Session(conn, User(None, "audrey", Role.AUDITOR)),
                     shared_data / "monaco-osm" / "monaco.osm.gz")
    added = add_base_map(conn, session, shared_data / "monaco-osm" / "monaco.osm.gz")
    assert added.info.loaded_by == "ana" and len(added.info.counts) > 5


def test_older_demo_store_gets_its_streets(conn: sqlite3.Connection) -> None:
    from app.store.demo import ensure_demo_city

    assert ensure_demo_city(conn, n_cameras=50)
    assert store.vector_info(conn).source_name.startswith("Harbor Falls")
    store.remove(conn, "tester")  # as a demo store made before base maps existed
    assert not ensure_demo_city(conn, n_cameras=50)  # the city is there: not made again...
    assert store.vector_info(conn) is not None      # ...but its streets are added
