"""Readers, mapping, validation and the one-transaction writer, on small made-up files and on the real registries."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from app.io import camera_import
from app.io.camera_import import NothingToImport, validate_source, write_import
from app.io.mapping import MappingError, guess_mapping, merge_mapping
from app.io.pipeline_types import Validation
from app.io.readers import SourceError, open_source
from app.io.values import parse_direction
from app.store.db import open_store

HEADER = "id,lat,lon,kind,heading_deg,fov_deg,range_m,retention_days,label\n"


@pytest.fixture
def store(tmp_path: Path) -> sqlite3.Connection:
    conn = open_store(tmp_path / "store.sqlite3")
    yield conn
    conn.close()


def validate(path: Path, overrides: dict[str, Any] | None = None, conn: sqlite3.Connection | None = None,
             fmt: str | None = None) -> Validation:
    overrides = overrides or {}
    source = open_source(path, fmt, overrides.get("encoding"))
    return validate_source(source, merge_mapping(guess_mapping(source.columns), overrides), conn)


def write(tmp_path: Path, name: str, text: str | bytes) -> Path:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def bad(v: Validation) -> dict[int, str]:
    return {issue.line: issue.reason for issue in v.bad}


# --- CSV: every rejection reason, with the physical line -----------------------------------------------------------
def test_csv_rejects_each_bad_row_with_its_line_and_reason(tmp_path: Path) -> None:
    path = write(tmp_path, "cams.csv", HEADER + "\n".join([
        "c1,39.30,-76.61,doorbell,90,120,15,30,fine",           # line 2: valid
        "c2,,-76.61,doorbell,90,120,15,30,no lat",              # 3: missing coordinate
        "c3,95.5,-76.61,doorbell,90,120,15,30,lat too big",     # 4
        "c4,39.3,-181,doorbell,90,120,15,30,lon too small",     # 5
        "c5,39.3,-76.6,doorbell,800,120,15,30,heading",         # 6 (400 would be wrapped to 40)
        "c6,39.3,-76.6,doorbell,90,0,15,30,fov",                # 7
        "c7,39.3,-76.6,doorbell,90,120,0,30,range",             # 8
        "c8,39.3,-76.6,doorbell,90,120,15,-1,retention",        # 9
        "c9,39.3,-76.6,doorbell,90,120,15,7.5,fractional",      # 10
        "c10,39.3,-76.6,blimp,90,120,15,30,unknown kind",       # 11
        "c11,39.3,-76.6,ALPR,90,120,15,30,plate reader",        # 12
        "c12,39.3,-76.6,doorbell,sideways,120,15,30,direction",  # 13
        "c1,39.3,-76.6,doorbell,90,120,15,30,dup",              # 14
        "c14,north,-76.6,doorbell,90,120,15,30,nan lat",        # 15
        "c15,39.3,-76.6,doorbell,90,120,15,30,extra,field",     # 16
        "c16,39.31,-76.62,Floodlight,SE,,,,",                   # 17: valid (SE -> 135 with a note)
    ]) + "\n")
    v = validate(path)
    assert v.rows_total == 16 and v.valid == 2
    reasons = bad(v)
    assert reasons[3] == "missing coordinate (no latitude)"
    assert reasons[4] == "latitude 95.5 is above 90"
    assert reasons[5] == "longitude -181 is below -180"
    assert reasons[6] == "heading '800' out of range (0-360; -360 to 720 is wrapped)"
    assert reasons[7] == "field of view '0' out of range (1-360)"
    assert reasons[8] == "range '0' out of range (more than 0 to 10000)"
    assert reasons[9] == "retention '-1' out of range (0-36500)"
    assert reasons[10] == "retention 7.5 days is not a whole number"
    assert reasons[11].startswith("unknown kind 'blimp' (expected one of doorbell,")
    assert reasons[12] == "not a camera (ALPR)"
    assert reasons[13].startswith("unparseable direction 'sideways'")
    assert reasons[14] == "duplicate id 'c1' (also on line 2)"
    assert reasons[15] == "latitude 'north' is not a number"
    assert reasons[16].startswith("10 fields but the header has 9")
    assert [str(n) for n in v.notes] == ["line 17: direction 'SE' read as 135°"]
    chunk = v.chunks[0]
    assert chunk.kind == ["doorbell", "floodlight"] and chunk.heading_deg.tolist() == [90.0, 135.0]


def test_csv_physical_lines_with_quoted_newlines_and_blank_lines(tmp_path: Path) -> None:
    path = write(tmp_path, "multi.csv", 'id,lat,lon,label\n\na,39.3,-76.6,"two\nlines"\n,,,\nb,,-76.6,x\n')
    v = validate(path)
    assert v.rows_total == 2  # the blank line and the line of empty fields are not rows
    assert bad(v) == {6: "missing coordinate (no latitude)"}
    assert v.chunks[0].label == ["two\nlines"]


def test_csv_semicolons_and_decimal_commas(tmp_path: Path) -> None:
    path = write(tmp_path, "eu.csv", "Name;Latitude;Longitude\nA;48,85;2,35\nB;48,86;2,36\n")
    v = validate(path)
    assert v.valid == 2 and v.chunks[0].lat.tolist() == [48.85, 48.86]
    assert "delimiter: ';'" in v.file_notes and v.chunks[0].label == ["A", "B"]


def test_csv_wrong_encoding_rejects_those_rows_only(tmp_path: Path) -> None:
    data = (HEADER + "c1,39.3,-76.6,doorbell,,,,,Main St\n" + "c2,39.3,-76.6,doorbell,,,,,Caf\xe9 Royal\n"
            + "c3,39.3,-76.6,doorbell,,,,,Elm\n").encode("cp1252")
    path = write(tmp_path, "latin.csv", data)
    v = validate(path)
    assert v.valid == 2
    assert bad(v) == {3: "wrong encoding: not valid UTF-8 (byte 0xE9); save the file as UTF-8 or choose its encoding"}
    assert any("not valid UTF-8" in n for n in v.file_notes)
    # chosen explicitly, the same file reads whole
    v = validate(path, {"encoding": "cp1252"})
    assert v.valid == 3 and v.chunks[0].label[1] == "Café Royal"


def test_csv_with_bom_and_utf16(tmp_path: Path) -> None:
    text = "lat,lon,name\n39.3,-76.6,Ünter\n"
    assert validate(write(tmp_path, "bom.csv", text.encode("utf-8-sig"))).chunks[0].label == ["Ünter"]
    assert validate(write(tmp_path, "u16.csv", text.encode("utf-16"))).chunks[0].label == ["Ünter"]


def test_wkt_locations(tmp_path: Path) -> None:
    path = write(tmp_path, "wkt.csv", "the_geom,Name\n"
                 "POINT (-76.6 39.3),ok\n"
                 "POINT(-76.7 39.4),no space\n"
                 "SRID=4326;POINT Z (-76.8 39.5 12),with z\n"
                 "\"39.6, -76.9\",lat lon pair\n"
                 "POINT EMPTY,empty\n"
                 "\"LINESTRING (0 0, 1 1)\",line\n"
                 "POINT (abc),garbage\n"
                 "POINT (-200 39),off the map\n")
    v = validate(path)
    assert v.valid == 4
    assert v.chunks[0].lat.tolist() == [39.3, 39.4, 39.5, 39.6] and v.chunks[0].lon.tolist()[3] == -76.9
    assert bad(v) == {6: "missing coordinate (no location)", 7: "not a point geometry (LINESTRING)",
                      8: "unparseable location 'POINT (abc)' (expected WKT like POINT (-76.61 39.29))",
                      9: "longitude -200 is below -180"}


def test_no_kind_column_needs_a_default(tmp_path: Path) -> None:
    path = write(tmp_path, "k.csv", "lat,lon\n39.3,-76.6\n")
    assert validate(path, {"default_kind": "city_cctv"}).chunks[0].kind == ["city_cctv"]
    v = validate(path, {"default_kind": None})
    assert bad(v) == {2: "no kind: map a kind column or choose a default kind"}


def test_directions_from_osm() -> None:
    assert parse_direction("90") == (90.0, None)
    assert parse_direction(270) == (270.0, None)
    assert parse_direction("ENE") == (67.5, "direction 'ENE' read as 67.5°")
    assert parse_direction("north-west")[0] == 315.0
    assert parse_direction("90-180") == (135.0, "direction '90-180' is a range: took its midpoint 135°")
    assert parse_direction("300-60")[0] == 0.0  # the way round through north
    assert parse_direction("-118") == (242.0, "heading '-118' wrapped into 0-360 as 242°")  # OSM's -118
    for raw, reason in [("144;324", "several directions"), ("2790", "out of range"),
                        ("inf", "unparseable direction 'inf'"),
                        ("up", "unparseable direction 'up'")]:
        with pytest.raises(ValueError, match=reason):
            parse_direction(raw)


def test_duplicates_against_the_store(tmp_path: Path, store: sqlite3.Connection) -> None:
    first = write(tmp_path, "a.csv", HEADER + "x1,39.3,-76.6,doorbell,,,,,\nx2,39.3,-76.6,doorbell,,,,,\n")
    result = write_import(store, validate(first, conn=store), "tester")
    assert result.imported == 2
    second = write(tmp_path, "b.csv", HEADER + "x3,39.3,-76.6,doorbell,,,,,\nx2,39.3,-76.6,doorbell,,,,,\n")
    v = validate(second, conn=store)
    assert v.valid == 1
    assert bad(v) == {3: f"id 'x2' is already in the registry (camera {result.first_id + 1})"}


def test_owners_are_created_with_anonymity_numbers(tmp_path: Path, store: sqlite3.Connection) -> None:
    path = write(tmp_path, "owners.csv", "lat,lon,kind,owner_name,owner_email,consent\n"
                 "39.3,-76.6,doorbell,Ann,ann@example.org,yes\n"
                 "39.4,-76.6,floodlight,Ann,ANN@example.org,yes\n"
                 "39.5,-76.6,doorbell,Bo,,\n"
                 "39.6,-76.6,doorbell,Cy,,maybe\n"
                 "39.7,-76.6,doorbell,,,\n")
    v = validate(path)
    assert bad(v) == {5: "unknown consent 'maybe' (expected opt-in or opt-out)"}
    assert any("recorded as opted out" in n for n in v.file_notes)
    result = write_import(store, v, "tester")
    assert result.imported == 4 and result.owners_created == 2  # Cy's row was rejected: no owner for Cy
    owners = store.execute("SELECT display_name, email, consent, anonymity_no FROM owners ORDER BY id").fetchall()
    assert owners == [("Ann", "ann@example.org", "opt_in", 1), ("Bo", "", "opt_out", 2)]
    per_camera = store.execute("SELECT o.display_name FROM cameras c LEFT JOIN owners o ON o.id = c.owner_id "
                               "ORDER BY c.id").fetchall()
    assert per_camera == [("Ann",), ("Ann",), ("Bo",), (None,)]


def test_mapping_guesses_and_errors(tmp_path: Path) -> None:
    assert guess_mapping(["Y", "X", "OBJECTID", "Name"]) == {"lat": "Y", "lon": "X", "external_id": "OBJECTID",
                                                             "label": "Name", "default_kind": "business_cctv"}
    g = guess_mapping(["@geometry", "camera:direction", "direction", "surveillance:type", "camera:type", "@id"])
    assert g["heading_deg"] == ["camera:direction", "direction"]
    assert g["kind"] == ["surveillance:type", "camera:type"] and g["external_id"] == "@id"
    path = write(tmp_path, "m.csv", "a,b\n1,2\n")
    with pytest.raises(MappingError, match="no coordinates mapped"):
        validate(path)
    with pytest.raises(MappingError, match="column 'Z'"):
        validate(path, {"lat": "Z", "lon": "b"})
    with pytest.raises(MappingError, match="unknown field 'colour'"):
        validate(path, {"lat": "a", "lon": "b", "colour": "a"})
    assert validate(path, {"lat": "a", "lon": "b"}).valid == 1


# --- GeoJSON and KML ----------------------------------------------------------------------------------------------
def test_geojson_rows_keep_feature_numbers_and_lines(tmp_path: Path) -> None:
    features = [
        {"type": "Feature", "id": 11, "geometry": {"type": "Point", "coordinates": [-76.6, 39.3]},
         "properties": {"camera:direction": "NE", "surveillance:type": "camera", "name": "one"}},
        {"type": "Feature", "geometry": {"type": "LineString", "coordinates": [[0, 0], [1, 1]]},
         "properties": {"name": "a street"}},
        {"type": "Feature", "geometry": None, "properties": {"name": "nowhere"}},
        {"type": "Feature", "geometry": {"type": "Point", "coordinates": [-76.6, 39.3]},
         "properties": {"surveillance:type": "gunshot_detector"}},
    ]
    text = '{"type": "FeatureCollection",\n "features": [\n' + ",\n".join(json.dumps(f) for f in features) + "\n]}\n"
    v = validate(write(tmp_path, "cams.geojson", text))
    assert v.valid == 1 and v.chunks[0].external_id == ["11"] and v.chunks[0].heading_deg.tolist() == [45.0]
    assert [str(b) for b in v.bad] == ["line 4 (feature 2): not a point geometry (LineString)",
                                       "line 5 (feature 3): missing coordinate (no location)",
                                       "line 6 (feature 4): not a camera (gunshot detector)"]


def test_geojson_that_is_not_a_feature_collection(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match="not a GeoJSON FeatureCollection"):
        open_source(write(tmp_path, "g.geojson", '{"type": "Point", "coordinates": [0, 0]}'))
    with pytest.raises(SourceError, match="not valid JSON near line 2"):
        open_source(write(tmp_path, "h.geojson", '{"type": "FeatureCollection",\n "features": [ {,] }'))


KML = """<?xml version="1.0" encoding="UTF-8"?>
<kml xmlns="http://www.opengis.net/kml/2.2"><Document>
<Placemark id="p1"><name>Corner</name><description>pole</description>
  <ExtendedData><Data name="kind"><value>city_cctv</value></Data></ExtendedData>
  <Point><coordinates>-76.61,39.29,0</coordinates></Point></Placemark>
<Placemark><name>Road</name><LineString><coordinates>0,0 1,1</coordinates></LineString></Placemark>
<Placemark><name>Bad</name><Point><coordinates>east,north</coordinates></Point></Placemark>
</Document></kml>
"""


def test_kml_placemarks_with_their_lines(tmp_path: Path) -> None:
    v = validate(write(tmp_path, "c.kml", KML))
    assert v.valid == 1
    chunk = v.chunks[0]
    assert (chunk.label, chunk.kind, chunk.external_id) == (["Corner"], ["city_cctv"], ["p1"])
    assert bad(v) == {6: "not a point geometry (LineString)", 7: "unparseable Point coordinates 'east,north'"}


def test_kml_wrong_encoding_names_the_line(tmp_path: Path) -> None:
    data = KML.replace("Road", "Caf\xe9").encode("cp1252")
    with pytest.raises(SourceError, match="line 6: wrong encoding"):
        open_source(write(tmp_path, "latin.kml", data))


# --- writing: one transaction -----------------------------------------------------------------------------------
def big_csv(tmp_path: Path, n: int) -> Path:
    lines = [f"k{i},{39 + i / n:.6f},-76.6,doorbell,90,120,15,30,cam {i}" for i in range(n)]
    return write(tmp_path, "big.csv", HEADER + "\n".join(lines) + "\n")


def test_cancel_mid_import_leaves_nothing(tmp_path: Path, store: sqlite3.Connection) -> None:
    v = validate(big_csv(tmp_path, 45_000))
    assert len(v.chunks) == 3
    seen = []

    def progress(done: int, total: int) -> None:
        seen.append(done)

    def check() -> None:
        if seen:  # after the first chunk went in
            raise KeyboardInterrupt("cancelled")

    with pytest.raises(KeyboardInterrupt):
        write_import(store, v, "tester", progress=progress, check=check)
    assert seen == [20_000]
    assert store.execute("SELECT count(*) FROM cameras").fetchone()[0] == 0
    assert store.execute("SELECT count(*) FROM import_batches").fetchone()[0] == 0
    assert store.execute("SELECT count(*) FROM audit_log WHERE action = 'import'").fetchone()[0] == 0
    indexes = {r[0] for r in store.execute("SELECT name FROM sqlite_master WHERE tbl_name = 'cameras' AND "
                                           "type = 'index'")}
    assert {"cameras_owner", "cameras_external"} <= indexes  # dropped for the bulk insert, back after rollback
    assert not store.in_transaction


def test_import_writes_batch_audit_and_rebuilds_indexes(tmp_path: Path, store: sqlite3.Connection,
                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(camera_import, "REBUILD_INDEXES_FROM", 1)
    v = validate(big_csv(tmp_path, 250))
    result = write_import(store, v, "cli:someone")
    assert (result.imported, result.first_id, result.last_id) == (250, 1, 250)
    assert store.execute("SELECT count(*), min(source), max(source), count(DISTINCT import_id) FROM "
                         "cameras").fetchone() == (250, "imported", "imported", 1)
    assert store.execute("SELECT retention_days, typeof(retention_days) FROM cameras LIMIT 1").fetchone() == (30,
                                                                                                          "integer")
    indexes = {r[0] for r in store.execute("SELECT name FROM sqlite_master WHERE tbl_name = 'cameras' AND "
                                           "type = 'index'")}
    assert {"cameras_owner", "cameras_external"} <= indexes
    actor, details = store.execute("SELECT actor, details FROM audit_log WHERE action = 'import'").fetchone()
    assert actor == "cli:someone" and json.loads(details)["camera_ids"] == [1, 250]
    with pytest.raises(NothingToImport):
        write_import(store, validate(write(tmp_path, "e.csv", HEADER)), "x")


KILLER = """
import os, signal, sys
from app.io.readers import open_source
from app.io.mapping import guess_mapping
from app.io.camera_import import validate_source
from app.io.camera_import import write_import
from app.store.db import open_store
conn = open_store(sys.argv[2])
src = open_source(sys.argv[1])
v = validate_source(src, guess_mapping(src.columns))
def progress(done, total):
    print(done, flush=True)
    os.kill(os.getpid(), signal.SIGKILL)  # killed after the first chunk, mid-transaction
write_import(conn, v, "tester", progress=progress)
"""


def test_killed_import_leaves_nothing(tmp_path: Path) -> None:
    db = tmp_path / "killed.sqlite3"
    open_store(db).close()
    proc = subprocess.run([sys.executable, "-c", KILLER, str(big_csv(tmp_path, 25_000)), str(db)],
                          capture_output=True, text=True, timeout=120, env={**os.environ, "PYTHONPATH": os.getcwd()})
    assert proc.returncode == -signal.SIGKILL and proc.stdout.strip() == "20000"
    conn = open_store(db)
    try:
        assert conn.execute("SELECT count(*) FROM cameras").fetchone()[0] == 0
        assert conn.execute("SELECT count(*) FROM import_batches").fetchone()[0] == 0
    finally:
        conn.close()


# --- the real registries ----------------------------------------------------------------------------------------
def test_baltimore_citiwatch_csv_with_wkt_points(shared_data: Path, store: sqlite3.Connection) -> None:
    v = validate(shared_data / "baltimore-citiwatch" / "BPD_Cameras.csv", {"default_kind": "city_cctv"}, store)
    assert v.mapping["location"] == "the_geom" and v.mapping["label"] == "Name"
    assert (v.rows_total, v.valid, v.bad) == (592, 592, [])
    chunk = v.chunks[0]
    assert chunk.label[0] == "535 - Greenmount  - 30th"
    assert (chunk.lon[0], chunk.lat[0]) == (-76.60947777777777, 39.32478055555556)
    assert 39.2 < chunk.lat.min() and chunk.lat.max() < 39.4 and -76.8 < chunk.lon.min() and chunk.lon.max() < -76.5
    result = write_import(store, v, "tester")
    assert result.imported == 592
    assert store.execute("SELECT count(*) FROM cameras WHERE kind = 'city_cctv'").fetchone()[0] == 592


def test_baltimore_citiwatch_kml(shared_data: Path) -> None:
    v = validate(shared_data / "baltimore-citiwatch" / "CCTV_Cameras.kml")
    assert (v.format, v.rows_total, v.valid, v.bad) == ("kml", 673, 673, [])
    assert v.chunks[0].label[0] == "535 - Greenmount  - 30th"


def osm(shared_data: Path, city: str) -> Validation:
    return validate(shared_data / "osm-surveillance" / f"{city}_osm_surveillance.geojson")


def reasons_with(v: Validation, text: str) -> list[str]:
    return [str(b) for b in v.bad if text in b.reason]


def test_osm_denver_rejects_alpr_and_gunshot_detectors(shared_data: Path) -> None:
    v = osm(shared_data, "denver")
    # surveillance:type counts in the file: 350 ALPR, 43 gunshot_detector; one camera has two directions
    assert (v.rows_total, v.valid, len(v.bad)) == (1857, 1463, 394)
    assert len(reasons_with(v, "not a camera (ALPR)")) == 350
    assert len(reasons_with(v, "not a camera (gunshot detector)")) == 43
    assert reasons_with(v, "'300;110'") == ["line 1 (feature 1135): unparseable direction '300;110' (several "
                                            "directions: list one camera per direction, or import with one camera "
                                            "per direction)"]


def test_osm_seattle_rejects_out_of_range_directions_and_dummies(shared_data: Path) -> None:
    v = osm(shared_data, "seattle")
    # negative OSM headings are one turn off: wrapped with a note; 2790 is no heading at all
    assert (v.rows_total, v.valid, len(v.bad)) == (1095, 1076, 19)
    assert reasons_with(v, "out of range") == [
        "line 1 (feature 1019): heading '2790' out of range (0-360; -360 to 720 is wrapped)"]
    assert [str(n) for n in v.notes if "wrapped" in n.reason] == [
        "line 1 (feature 885): heading '-118' wrapped into 0-360 as 242°",
        "line 1 (feature 886): heading '-143' wrapped into 0-360 as 217°",
        "line 1 (feature 887): heading '-293' wrapped into 0-360 as 67°"]
    assert reasons_with(v, "dummy") == ["line 1 (feature 129): not a camera (dummy camera)"]
    assert len(reasons_with(v, "(ALPR)")) == 16 and len(reasons_with(v, "(guard)")) == 1


def test_osm_baltimore_compass_directions_become_degrees(shared_data: Path) -> None:
    v = osm(shared_data, "baltimore")
    assert (v.rows_total, v.valid) == (75, 70)
    assert [str(n) for n in v.notes] == ["line 1 (feature 7): direction 'E' read as 90°",
                                         "line 1 (feature 33): direction 'W' read as 270°",
                                         "line 1 (feature 35): direction 'S' read as 180°"]
    assert sorted(b.reason for b in v.bad) == [
        "not a camera (ALPR)", "not a camera (ALPR)", "not a camera (guard)", "not a camera (guard)",
        "unparseable direction '144;324' (several directions: list one camera per direction, or import with one "
        "camera per direction)"]


def test_osm_monaco_imports_whole_with_ids(shared_data: Path, store: sqlite3.Connection) -> None:
    v = osm(shared_data, "monaco")
    assert (v.rows_total, v.valid) == (19, 19)
    ids = [i for c in v.chunks for i in c.external_id]
    assert ids[0] == "6459866647" and ids.count(None) == 8
    assert write_import(store, v, "tester").imported == 19


def test_duplicate_ids_across_chunks_name_the_first_line(tmp_path: Path) -> None:
    lines = [f"k{i},39.3,-76.6,doorbell,,,,," for i in range(25_000)]
    lines[23_000] = "k5,39.3,-76.6,doorbell,,,,,"   # line 23,002 repeats the id on line 7 (another chunk)
    lines[23_001] = "k22999,39.3,-76.6,doorbell,,,,,"  # line 23,003 repeats line 23,001 (the same chunk)
    v = validate(write(tmp_path, "dups.csv", HEADER + "\n".join(lines) + "\n"))
    assert bad(v) == {23_002: "duplicate id 'k5' (also on line 7)",
                      23_003: "duplicate id 'k22999' (also on line 23001)"}
    assert v.valid == 25_000 - 2
