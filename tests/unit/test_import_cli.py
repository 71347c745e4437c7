"""`canvass import FILE …`: report, exit status, nothing imported unless every row is valid or --valid-only."""

from __future__ import annotations

import getpass
import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from app import cli
from app.paths import DB_NAME

GOOD = "id,lat,lon,kind,heading_deg\nc1,39.30,-76.61,doorbell,90\nc2,39.31,-76.62,floodlight,45\n"
MIXED = GOOD + "c3,,-76.63,doorbell,10\nc1,39.32,-76.64,doorbell,99-101\nc5,39.33,-76.65,ALPR,0\n"


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[str], str]:
    code = cli.main(["import", *argv])
    out, err = capsys.readouterr()
    return code, out.splitlines(), err


def db_rows(data_dir: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(data_dir / DB_NAME)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def test_all_valid_file_is_imported(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "good.csv"
    src.write_text(GOOD, encoding="utf-8")
    data = tmp_path / "data"
    code, out, _ = run(capsys, str(src), "--data-dir", str(data))
    assert code == 0
    assert out == ["good.csv (csv): 2 rows, 2 valid, 0 bad", "Imported 2 cameras (batch 1)."]
    assert db_rows(data, "SELECT external_id, kind, source FROM cameras ORDER BY id") == [
        ("c1", "doorbell", "imported"), ("c2", "floodlight", "imported")]
    actor, details = db_rows(data, "SELECT actor, details FROM audit_log WHERE action = 'import'")[0]
    assert actor == f"cli:{getpass.getuser()}" and json.loads(details)["imported"] == 2


def test_bad_rows_block_the_import_unless_valid_only(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "mixed.csv"
    src.write_text(MIXED, encoding="utf-8")
    data = tmp_path / "data"
    code, out, _ = run(capsys, str(src), "--data-dir", str(data))
    assert code == 1
    assert out == [
        "mixed.csv (csv): 5 rows, 2 valid, 3 bad",
        "line 4: missing coordinate (no latitude)",
        "line 5: duplicate id 'c1' (also on line 2)",
        "line 6: not a camera (ALPR)",
        "Nothing imported: 3 bad rows. Fix them, or pass --valid-only to import the 2 valid rows.",
    ]
    assert db_rows(data, "SELECT count(*) FROM cameras") == [(0,)]
    assert db_rows(data, "SELECT count(*) FROM import_batches") == [(0,)]
    code, out, _ = run(capsys, str(src), "--data-dir", str(data), "--valid-only")
    assert code == 0 and out[-1] == "Imported 2 cameras (batch 1); 3 bad rows left out."
    assert db_rows(data, "SELECT rows_total, rows_imported, rows_rejected FROM import_batches") == [(5, 2, 3)]
    # the same file again: every id is now in the registry, so nothing is valid and nothing is imported
    code, out, _ = run(capsys, str(src), "--data-dir", str(data), "--valid-only")
    assert code == 1 and out[-1] == "Nothing imported: no valid rows."
    assert "line 2: id 'c1' is already in the registry (camera 1)" in out


def test_mapping_json_and_format(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "points.txt"
    src.write_text("Northing|Easting|Where\n39.3|-76.6|Corner\n", encoding="utf-8")
    data = tmp_path / "data"
    mapping = json.dumps({"lat": "Northing", "lon": "Easting", "label": "Where", "default_kind": "city_cctv"})
    code, out, _ = run(capsys, str(src), "--data-dir", str(data), "--format", "csv", "--mapping", mapping)
    assert code == 0, out
    assert db_rows(data, "SELECT lat, lon, kind, label FROM cameras") == [(39.3, -76.6, "city_cctv", "Corner")]


@pytest.mark.parametrize(("mapping", "message"), [
    ("{not json", "--mapping is not valid JSON"),
    ('["lat"]', "--mapping must be a JSON object"),
    ('{"lat": "Y", "lon": "lon"}', "column 'Y' (mapped to lat) is not in the file"),
    ('{"heading": "x"}', "unknown field 'heading'"),
    ('{"default_kind": "drone"}', "default_kind 'drone' is not a camera kind"),
])
def test_usage_errors_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str], mapping: str, message: str) -> None:
    src = tmp_path / "good.csv"
    src.write_text(GOOD, encoding="utf-8")
    code, out, err = run(capsys, str(src), "--data-dir", str(tmp_path / "d"), "--mapping", mapping)
    assert code == 2 and message in err and out == []


def test_missing_and_unreadable_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(capsys, str(tmp_path / "nope.csv"), "--data-dir", str(tmp_path / "d"))
    assert code == 2 and "does not exist" in err
    broken = tmp_path / "broken.geojson"
    broken.write_text('{"type": "Feature"}', encoding="utf-8")
    code, _, err = run(capsys, str(broken), "--data-dir", str(tmp_path / "d"))
    assert code == 1 and "not a GeoJSON FeatureCollection" in err


def test_real_osm_file_via_the_entry_point(tmp_path: Path, shared_data: Path) -> None:
    """The installed command path: python -m app import … as a subprocess."""
    src = shared_data / "osm-surveillance" / "baltimore_osm_surveillance.geojson"
    data = tmp_path / "data"
    env = {**os.environ, "PYTHONPATH": os.getcwd()}
    proc = subprocess.run([sys.executable, "-m", "app", "import", str(src), "--data-dir", str(data)],
                          capture_output=True, text=True, timeout=120, env=env)
    assert proc.returncode == 1
    lines = proc.stdout.splitlines()
    assert lines[0] == "baltimore_osm_surveillance.geojson (geojson): 75 rows, 70 valid, 5 bad, 3 with notes"
    assert "line 1 (feature 69): not a camera (ALPR)" in lines
    assert "line 1 (feature 7): note: direction 'E' read as 90°" in lines
    proc = subprocess.run([sys.executable, "-m", "app", "import", str(src), "--data-dir", str(data), "--valid-only",
                           "--mapping", '{"default_kind": "city_cctv"}'], capture_output=True, text=True,
                          timeout=120, env=env)
    assert proc.returncode == 0
    assert proc.stdout.splitlines()[-1] == "Imported 70 cameras (batch 1); 5 bad rows left out."
    assert db_rows(data, "SELECT count(*) FROM cameras WHERE kind = 'city_cctv'") == [(70,)]
