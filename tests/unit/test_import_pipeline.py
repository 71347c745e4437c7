"""The generic import pipeline: streamed, overlapped, one transaction, bounded; a record kind plugged in by a spec."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from app.io import pipeline
from app.io.camera_import import CAMERAS
from app.io.pipeline import import_file, validate_file
from app.io.pipeline_types import MAX_ISSUES, ImportStopped
from app.io.readers import open_source
from app.io.row_kind import row_kind
from app.store.db import open_store

READERS = ["thread", "process"]  # the producer: a thread, or a forked child process (app.io.pipeline_process)


def _store(tmp_path: Path) -> sqlite3.Connection:
    return open_store(tmp_path / "store.sqlite3")


def _csv(tmp_path: Path, text: str, name: str = "cams.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _rows(n: int, start: int = 0) -> str:
    return "".join(f"c{i},39.{i % 1000:03d},-76.6,doorbell,{i % 360}\n" for i in range(start, start + n))


def _count(conn: sqlite3.Connection, sql: str = "SELECT count(*) FROM cameras") -> int:
    return int(conn.execute(sql).fetchone()[0])


@pytest.mark.parametrize("reader", READERS)
def test_streamed_import_spanning_chunks_writes_every_row_and_one_audit_entry(tmp_path: Path, reader: str) -> None:
    # 45,000 rows = three chunks: ids seen in an earlier chunk, already written in this transaction, must not
    # count as "already in the registry" (the validator reads the store through a connection of its own).
    path = _csv(tmp_path, "id,lat,lon,kind,heading_deg\n" + _rows(45_000))
    conn = _store(tmp_path)
    report, result = import_file(open_source(path), CAMERAS, CAMERAS.guess_mapping(["id", "lat", "lon", "kind",
                                                                                     "heading_deg"]),
                                 conn, "tester", reader=reader)
    assert report.bad == [] and result is not None and result.imported == 45_000
    assert _count(conn) == 45_000
    assert _count(conn, "SELECT count(*) FROM audit_log WHERE action = 'import'") == 1
    details = json.loads(conn.execute("SELECT details FROM audit_log WHERE action = 'import'").fetchone()[0])
    assert details["records"] == "cameras" and details["camera_ids"] == [1, 45_000]
    batch = conn.execute("SELECT rows_total, rows_imported, rows_rejected, sha256 FROM import_batches").fetchone()
    assert batch[:3] == (45_000, 45_000, 0) and len(batch[3]) == 64
    # the indexes dropped for the bulk load are back
    names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = "
                                        "'cameras'")}
    assert {"cameras_owner", "cameras_external"} <= names
    # a second import of the same ids: every row is a duplicate of the registry, nothing written
    report2, result2 = import_file(open_source(path), CAMERAS, report.mapping, conn, "tester", reader=reader)
    assert result2 is None and report2.valid == 0 and report2.bad_count == 45_000
    assert report2.bad[0].reason == "id 'c0' is already in the registry (camera 1)"
    assert len(report2.bad) == MAX_ISSUES or report2.bad_count <= MAX_ISSUES
    assert _count(conn) == 45_000


@pytest.mark.parametrize("reader", READERS)
def test_bad_rows_roll_back_the_streamed_writes_unless_valid_only(tmp_path: Path, reader: str) -> None:
    text = "id,lat,lon,kind\n" + "".join(f"c{i},39.3,-76.6,doorbell\n" for i in range(30_000)) + "bad,91,0,doorbell\n"
    path = _csv(tmp_path, text)
    conn = _store(tmp_path)
    before = _count(conn, "SELECT count(*) FROM audit_log")
    report, result = import_file(open_source(path), CAMERAS, {"lat": "lat", "lon": "lon", "kind": "kind",
                                                              "external_id": "id"}, conn, "tester", reader=reader)
    assert result is None and report.valid == 30_000 and [str(b) for b in report.bad] == [
        "line 30002: latitude 91 is above 90"]
    assert _count(conn) == 0 and _count(conn, "SELECT count(*) FROM import_batches") == 0
    assert _count(conn, "SELECT count(*) FROM audit_log") == before
    report, result = import_file(open_source(path), CAMERAS, report.mapping, conn, "tester", valid_only=True,
                                 reader=reader)
    assert result is not None and result.imported == 30_000 and result.rejected == 1 and _count(conn) == 30_000


@pytest.mark.parametrize("reader", READERS)
def test_cancel_during_the_streamed_import_leaves_the_store_unchanged(tmp_path: Path, reader: str) -> None:
    path = _csv(tmp_path, "id,lat,lon,kind\n" + "".join(f"c{i},39.3,-76.6,doorbell\n" for i in range(60_000)))
    conn = _store(tmp_path)
    calls = {"n": 0}

    class Stop(Exception):
        pass

    def check() -> None:
        calls["n"] += 1
        if calls["n"] >= 2:
            raise Stop()

    with pytest.raises(Stop):
        import_file(open_source(path), CAMERAS, CAMERAS.guess_mapping(["id", "lat", "lon", "kind"]), conn, "t",
                    check=check, reader=reader)
    assert _count(conn) == 0 and _count(conn, "SELECT count(*) FROM import_batches") == 0
    assert not conn.in_transaction


@pytest.mark.parametrize("reader", READERS)
def test_a_file_whose_prefix_holds_no_camera_is_given_up_on(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                            reader: str) -> None:
    monkeypatch.setattr(pipeline, "PREFIX_ROWS", 500)
    path = _csv(tmp_path, "id,lat,lon\n" + "".join(f"x{i},north,west\n" for i in range(30_000)))
    conn = _store(tmp_path)
    source = open_source(path)
    with pytest.raises(ImportStopped) as caught:
        import_file(source, CAMERAS, {"lat": "lat", "lon": "lon", "external_id": "id"}, conn, "t", reader=reader)
    assert "none of the first" in str(caught.value) and "latitude 'north' is not a number" in str(caught.value)
    assert caught.value.report.rows_total == 20_000  # it stopped after the first chunk, not at the end
    assert _count(conn) == 0
    with pytest.raises(ImportStopped):
        validate_file(open_source(path), CAMERAS, {"lat": "lat", "lon": "lon"})


def test_the_sample_holds_the_first_valid_rows_as_stored(tmp_path: Path) -> None:
    path = _csv(tmp_path, "id,lat,lon,kind,retention_days\nc1,39.3,-76.6,ring,30\nc2,,,doorbell,\n"
                          "c3,39.4,-76.5,CCTV,\n")
    report = validate_file(open_source(path), CAMERAS, CAMERAS.guess_mapping(["id", "lat", "lon", "kind",
                                                                              "retention_days"]))
    assert report.sample == [("c1", 39.3, -76.6, "doorbell", None, None, None, 30, ""),
                             ("c3", 39.4, -76.5, "business_cctv", None, None, None, None, "")]
    assert report.sample_columns[0] == "id in file"


# --- a kind of record plugged in with row_kind ----------------------------------------------------------------
def _note_table(conn: sqlite3.Connection) -> None:
    conn.execute("CREATE TABLE IF NOT EXISTS test_notes (title TEXT NOT NULL, stars INTEGER, batch INTEGER)")


def _validate_note(values: dict[str, Any]) -> tuple[str, int]:
    title = (values["title"] or "").strip()
    if not title:
        raise ValueError("no title")
    try:
        stars = int(values["stars"] or 0)
    except ValueError:
        raise ValueError(f"stars {values['stars']!r} is not a whole number") from None
    return title, stars


def _write_notes(conn: sqlite3.Connection, records: list[tuple[str, int]], batch_id: int) -> None:
    conn.executemany("INSERT INTO test_notes VALUES (?, ?, ?)", [(t, s, batch_id) for t, s in records])


NOTES = row_kind("notes", fields=["title", "stars"], guess_mapping=lambda cols: {"title": "title", "stars": "stars"},
                 validate_row=_validate_note, write_rows=_write_notes, sample_columns=["title", "stars"],
                 sample_row=lambda r: r)


def test_a_row_kind_gets_the_whole_machinery(tmp_path: Path) -> None:
    path = _csv(tmp_path, "title,stars\nfirst,3\n,2\nthird,many\nfourth,5\n", "notes.csv")
    conn = _store(tmp_path)
    _note_table(conn)
    report, result = import_file(open_source(path), NOTES, {"title": "title", "stars": "stars"}, conn, "tester")
    assert result is None and [str(b) for b in report.bad] == [
        "line 3: no title", "line 4: stars 'many' is not a whole number"]
    assert _count(conn, "SELECT count(*) FROM test_notes") == 0
    report, result = import_file(open_source(path), NOTES, report.mapping, conn, "tester", valid_only=True)
    assert result is not None and result.summary() == "Imported 2 notes (batch 1); 2 bad rows left out."
    assert conn.execute("SELECT title, stars, batch FROM test_notes").fetchall() == [("first", 3, 1),
                                                                                   ("fourth", 5, 1)]
    assert report.sample == [("first", 3), ("fourth", 5)]
    entry = json.loads(conn.execute("SELECT details FROM audit_log WHERE action = 'import'").fetchone()[0])
    assert entry["records"] == "notes" and entry["imported"] == 2
