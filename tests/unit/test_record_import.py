"""Agency and post importers (`canvass import --records agencies|posts`): good and bad files, line-numbered reasons,
all-or-nothing, the real Baltimore file without coordinates (unmapped posts in the moderation queue)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest

from app import cli
from app.io.pipeline import validate_file, write_validation
from app.io.readers import open_source
from app.io.record_kinds import KINDS
from app.paths import DB_NAME
from app.store.db import open_store

SQUARE = json.dumps({"type": "Polygon", "coordinates": [[[-76.7, 39.2], [-76.5, 39.2], [-76.5, 39.4], [-76.7, 39.4],
                                                         [-76.7, 39.2]]]})
AGENCIES = ("name,kind,city,state,lat,lon,partnered_on,status,jurisdiction\n"
            f"Metro PD,police,Baltimore,MD,39.29,-76.61,2019-04-01,active,\"{SQUARE.replace(chr(34), chr(34) * 2)}\"\n"
            "County Sheriff's Office,,Towson,MD,,,2020-06-15,,\n"
            "Harbor Fire,fire,Baltimore,MD,,,,prospective,\n")
BAD_AGENCIES = AGENCIES + (",police,X,MD,,,2020-01-01,active,\n"          # line 5: no name
                           "Metro PD,police,Baltimore,MD,,,2019-04-01,active,\n"  # line 6: duplicate of line 2
                           "Bad Kind,navy,X,MD,,,2020-01-01,active,\n"     # line 7
                           "Far,police,X,MD,95,10,2020-01-01,active,\n"     # line 8
                           "Wrong shape,police,X,MD,,,2020-01-01,active,\"{\"\"type\"\": \"\"Point\"\", "
                           "\"\"coordinates\"\": [1, 2]}\"\n")              # line 9


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, list[str], str]:
    code = cli.main(["import", *argv])
    out, err = capsys.readouterr()
    return code, out.splitlines(), err


def rows(data: Path, sql: str) -> list[tuple]:
    conn = sqlite3.connect(data / DB_NAME)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def test_agencies_import(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "agencies.csv"
    src.write_text(AGENCIES, encoding="utf-8")
    data = tmp_path / "data"
    code, out, err = run(capsys, str(src), "--records", "agencies", "--data-dir", str(data))
    assert code == 0, err
    assert out[0] == "agencies.csv (csv): 3 rows, 3 valid, 0 bad"
    assert out[-1] == "Imported 3 agencies (batch 1)."
    got = rows(data, "SELECT name, kind, status, partnered_on, jurisdiction_geojson IS NOT NULL FROM agencies "
                     "ORDER BY id")
    assert got == [("Metro PD", "police", "active", "2019-04-01", 1),
                   ("County Sheriff's Office", "sheriff", "active", "2020-06-15", 0),
                   ("Harbor Fire", "fire", "prospective", None, 0)]
    action, details = rows(data, "SELECT action, details FROM audit_log")[0]
    assert action == "import" and json.loads(details)["records"] == "agencies"
    # the same file again: every row is already in the store
    code, out, _ = run(capsys, str(src), "--records", "agencies", "--data-dir", str(data))
    assert code == 1 and "line 2: agency 'Metro PD' is already in the store (agency 1)" in out


def test_bad_agency_rows_have_lines_and_reasons_and_nothing_is_written(tmp_path: Path,
                                                                        capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "bad.csv"
    src.write_text(BAD_AGENCIES, encoding="utf-8")
    data = tmp_path / "data"
    code, out, _ = run(capsys, str(src), "--records", "agencies", "--data-dir", str(data))
    assert code == 1
    assert out[0] == "bad.csv (csv): 8 rows, 3 valid, 5 bad"
    assert "line 5: an agency needs a name" in out
    assert "line 6: duplicate agency 'Metro PD' (also on line 2)" in out
    assert "line 7: kind 'navy' is not an agency kind (police, sheriff, fire, other)" in out
    assert "line 8: latitude 95.0 is out of range (-90 to 90)" in out
    assert "line 9: the jurisdiction must be a GeoJSON Polygon or MultiPolygon (this is Point)" in out
    assert out[-1].startswith("Nothing imported: 5 bad rows.")
    assert rows(data, "SELECT count(*) FROM agencies") == [(0,)]
    code, out, _ = run(capsys, str(src), "--records", "agencies", "--data-dir", str(data), "--valid-only")
    assert code == 0 and rows(data, "SELECT count(*) FROM agencies") == [(3,)]


def test_usage_errors_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    src = tmp_path / "a.csv"
    src.write_text(AGENCIES, encoding="utf-8")
    code, _, err = run(capsys, str(src), "--records", "agencies", "--data-dir", str(tmp_path / "d"), "--mapping",
                       '{"name": "Agency"}')
    assert code == 2 and "column 'Agency' (mapped to name) is not in the file" in err
    code, _, err = run(capsys, str(src), "--records", "posts", "--data-dir", str(tmp_path / "d"))
    assert code == 2 and "no column mapped to occurred_at" in err
    posts = tmp_path / "p.csv"
    posts.write_text("when,category\n2024-01-01 10:00,Theft\n", encoding="utf-8")
    code, _, err = run(capsys, str(posts), "--records", "posts", "--data-dir", str(tmp_path / "d"), "--mapping",
                       '{"occurred_at": "when", "timezone": "Mars/Olympus"}')
    assert code == 2 and "unknown time zone 'Mars/Olympus'" in err


POSTS = ("occurred_at,category,text,block_address,lat,lon,source\n"
         "2024-03-01 08:15,Package theft,Parcel taken from a porch,1200 block of Union Av,,,resident\n"
         "2024-03-02 21:00,Suspicious activity,Suspicious black man on our street,,39.30,-76.60,resident\n"
         "2024-03-03 10:00,Burglary,The victim Jane Doe lost her laptop,,39.31,-76.61,agency\n"
         "2024-03-04 11:00,Vandalism,Graffiti again,17 Oak Ave,,,resident\n"
         "tomorrow,Vandalism,x,,39.3,-76.6,\n"
         "2024-03-05 12:00,Lost pet,Grey cat found,,,,\n")


def test_posts_import_screens_rows(tmp_path: Path) -> None:
    src = tmp_path / "posts.csv"
    src.write_text(POSTS, encoding="utf-8")
    conn = open_store(tmp_path / "s.sqlite3")
    kind = KINDS["posts"]
    source = open_source(src)
    mapping = {**kind.guess_mapping(source.columns), "timezone": "America/New_York"}
    v = validate_file(source, kind, mapping, conn)
    bad = {i.line: i.reason for i in v.bad}
    assert set(bad) == {4, 5, 6, 7}
    assert "names a victim (Jane Doe)" in bad[4]
    assert "exact home address (17 Oak Ave)" in bad[5] and "1 block" not in bad[5]
    assert "is not a date and time" in bad[6]
    assert bad[7] == "give a location: a block address or a point on the map"
    assert [n.line for n in v.notes] == [3] and "held:" in v.notes[0].reason
    assert any("America/New_York" in n for n in v.file_notes)
    result = write_validation(conn, kind, v, "tester")
    assert result.imported == 2
    got = conn.execute("SELECT occurred_at, source, moderation, lat IS NULL, block_address FROM incidents "
                       "ORDER BY id").fetchall()
    assert got == [("2024-03-01T13:15:00Z", "resident_post", "pending", 1, "1200 block of Union Av"),
                   ("2024-03-03T02:00:00Z", "resident_post", "held", 0, "")]
    assert conn.execute("SELECT action FROM post_moderation ORDER BY id").fetchall() == [("submitted",), ("held",)]
    conn.close()


def test_real_baltimore_file_imports_unmapped(tmp_path: Path, shared_data: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    src = shared_data / "baltimore-citiwatch" / "Violent_Crime_2014_YTD_official_nocoords.csv"
    data = tmp_path / "data"
    code, out, err = run(capsys, str(src), "--records", "posts", "--data-dir", str(data), "--valid-only",
                         "--mapping", '{"timezone": "America/New_York", "text": ["Weapon", "Neighborhood"]}')
    assert code == 0, err
    total, valid = out[0].split(": ")[1].split(", ")[:2]
    assert total == "8998 rows"
    bad_lines = [line for line in out if line.startswith("line ")]
    # rows with an empty Location, and the few with a house number ("2 N ROGERS AV") rather than a block
    assert all("give a location" in line or "exact home address" in line for line in bad_lines)
    assert "line 2039: gives an exact home address (2 N ROGERS AV): use the block instead (0 block of N ROGERS AV)" \
        in bad_lines
    n = int(valid.split()[0])
    assert n == 8998 - len(bad_lines) and n > 8900
    assert any("posts have no coordinates: imported unmapped" in line for line in out)
    first = rows(data, "SELECT occurred_at, category, text, block_address, lat, source, moderation FROM incidents "
                       "ORDER BY id LIMIT 1")[0]
    assert first == ("2014-01-01T06:00:00Z", "AGG. ASSAULT", "KNIFE · HAMPDEN", "1200 UNION AV", None,
                     "agency_report", "pending")
    assert rows(data, "SELECT count(*) FROM incidents WHERE lat IS NULL")[0][0] == n
