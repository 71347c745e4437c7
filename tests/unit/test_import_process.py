"""The import's reading process (app.io.pipeline_process): the same result as the thread, and no way to leave the
store half-written or a reader running — when the reader dies, fails, or loses its parent."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from app.io import pipeline_process
from app.io.camera_import import CAMERAS
from app.io.pipeline import import_file
from app.io.pipeline_types import RecordKind
from app.io.readers import open_source
from app.io.source import SourceError
from app.io.validate import ChunkValidator
from app.store.db import open_store

ROOT = Path(__file__).resolve().parents[2]
HEADER = "id,lat,lon,kind,label,owner,email,consent\n"


def _mixed_rows(n: int) -> str:
    """Valid rows with owners shared across chunks, and bad rows, duplicates, a control character, notes."""
    out = []
    for i in range(n):
        owner = f"Owner {i % 7_000}"  # the same owners come back in later chunks
        if i % 9_973 == 5:
            out.append(f"c{i},91,-76.6,doorbell,x,{owner},o{i % 7_000}@example.org,yes\n")  # bad latitude
        elif i % 12_011 == 7:
            out.append(f"c{i - 1},39.3,-76.6,doorbell,dup,{owner},o{i % 7_000}@example.org,yes\n")  # duplicate id
        else:
            label = "porch\x1b[31m" if i % 15_000 == 3 else f"cam {i % 50}"
            out.append(f"c{i},39.{i % 1000:03d},-76.{i % 997:03d},doorbell,\"{label}, drive\",{owner},"
                       f"o{i % 7_000}@example.org,yes\n")
    return "".join(out)


def _store_rows(conn: sqlite3.Connection) -> list[tuple[Any, ...]]:
    cameras = conn.execute("SELECT c.external_id, c.lat, c.lon, c.kind, c.label, o.display_name, o.email, o.consent "
                           "FROM cameras c LEFT JOIN owners o ON o.id = c.owner_id ORDER BY c.id").fetchall()
    owners = conn.execute("SELECT display_name, email, consent FROM owners ORDER BY id").fetchall()
    return cameras + owners


def test_the_reading_process_gives_the_thread_s_report_and_rows(tmp_path: Path) -> None:
    path = tmp_path / "cams.csv"
    path.write_text(HEADER + _mixed_rows(50_000), encoding="utf-8")
    assert path.stat().st_size >= pipeline_process.PROCESS_FROM_BYTES
    results = {}
    for reader in ("thread", "process"):
        (tmp_path / reader).mkdir()
        conn = open_store(tmp_path / reader / "store.sqlite3")
        source = open_source(path)
        mapping = {**CAMERAS.guess_mapping(source.columns), "owner_name": "owner", "owner_email": "email",
                   "owner_consent": "consent"}
        report, result = import_file(source, CAMERAS, mapping, conn, "tester", valid_only=True, reader=reader)
        assert result is not None
        results[reader] = (list(report.report_lines()), report.sha256, result.imported, result.owners_created,
                           _store_rows(conn))
        conn.close()
    thread, process = results["thread"], results["process"]
    assert process == thread
    lines, _sha, imported, owners, _rows = process
    assert imported == 50_000 - 6 - 5 and owners == 7_000
    assert "line 7: latitude 91 is above 90" in lines and "line 9: duplicate id 'c6' (also on line 8)" in lines
    assert any("control characters" in line for line in lines)


def _kind_whose_validator(fails: Any) -> RecordKind:  # noqa: ANN401
    """The camera kind, with a validator that calls fails() on the third chunk (inherited by the forked reader)."""

    class Failing(ChunkValidator):
        chunks = 0

        def feed(self, chunk, result):  # type: ignore[no-untyped-def]
            Failing.chunks += 1
            if Failing.chunks == 3:
                fails()
            return super().feed(chunk, result)

    return RecordKind(CAMERAS.name, CAMERAS.fields, CAMERAS.guess_mapping, CAMERAS.check_mapping,
                      lambda mapping, columns, conn: Failing.for_mapping(mapping, columns, conn), CAMERAS.new_writer,
                      CAMERAS.sample_columns, CAMERAS.sample_rows, CAMERAS.reads_store)


def _big(tmp_path: Path) -> Path:
    path = tmp_path / "big.csv"
    path.write_text("id,lat,lon,kind\n" + "".join(f"c{i},39.3,-76.6,doorbell\n" for i in range(80_000)),
                    encoding="utf-8")
    return path


def _counts(conn: sqlite3.Connection) -> tuple[int, int, int]:
    return tuple(conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]  # type: ignore[return-value]
                 for t in ("cameras", "import_batches", "audit_log"))


def test_a_reader_that_dies_stops_the_import_with_a_message_and_nothing_written(tmp_path: Path) -> None:
    conn = open_store(tmp_path / "store.sqlite3")
    before = _counts(conn)
    source = open_source(_big(tmp_path))
    parent = os.getpid()
    # only ever in the forked reader: a fresh registry, so the import is read by a process (else: no exit at all)
    kind = _kind_whose_validator(lambda: os._exit(3) if os.getpid() != parent else None)
    with pytest.raises(SourceError, match=r"stopped unexpectedly \(exit code 3\); nothing was imported"):
        import_file(source, kind, kind.guess_mapping(source.columns), conn, "t", reader="process")
    assert _counts(conn) == before and not conn.in_transaction


def test_an_error_in_the_reader_reaches_the_caller_as_it_was(tmp_path: Path) -> None:
    conn = open_store(tmp_path / "store.sqlite3")
    before = _counts(conn)
    source = open_source(_big(tmp_path))

    def fails() -> None:
        raise SourceError("big.csv: the disk went away")

    kind = _kind_whose_validator(fails)
    with pytest.raises(SourceError, match="the disk went away"):
        import_file(source, kind, kind.guess_mapping(source.columns), conn, "t", reader="process")
    assert _counts(conn) == before


def _alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    return True


def test_a_reader_whose_importer_is_killed_exits_by_itself(tmp_path: Path) -> None:
    """`canvass import` killed with SIGKILL mid-import: its reading process notices and ends (no orphan)."""
    big = tmp_path / "big.csv"
    big.write_text("id,lat,lon,kind\n" + "".join(f"c{i},39.{i % 1000:03d},-76.6,doorbell\n" for i in range(600_000)),
                   encoding="utf-8")
    argv = [sys.executable, "-m", "app.cli", "import", str(big), "--data-dir", str(tmp_path / "data")]
    proc = subprocess.Popen(argv, cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while len(_group_members(proc.pid)) < 2 and time.monotonic() < deadline:  # the reader has started
            time.sleep(0.02)
        assert len(_group_members(proc.pid)) >= 2, "the import ended before its reader could be seen"
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        deadline = time.monotonic() + 20
        while _alive(proc.pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not _alive(proc.pid), f"still running after their importer was killed: {_group_members(proc.pid)}"
    finally:
        if _alive(proc.pid):
            os.killpg(proc.pid, signal.SIGKILL)


def _group_members(group: int) -> list[int]:
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == group and fields[0] != "Z":
            members.append(int(entry.name))
    return members


def test_a_reading_process_is_forked_only_where_that_is_safe(qapp: Any, tmp_path: Path) -> None:  # noqa: ANN401
    # `canvass import` (one thread, no Qt application) forks for a large file; a process with a Qt application (the
    # GUI, whose worker threads may be inside SQLite) or other Python threads reads in a thread.
    source = open_source(_big(tmp_path))
    assert source.progress.total_bytes >= pipeline_process.PROCESS_FROM_BYTES
    assert not pipeline_process.wanted(source)  # qapp: a QApplication exists in this process
    script = ("import sys; from app.io import pipeline_process as p; from app.io.readers import open_source; "
              "import threading; s = open_source(sys.argv[1]); a = p.wanted(s); "
              "t = threading.Thread(target=threading.Event().wait, args=(5,), daemon=True); t.start(); "
              "print(a, p.wanted(s))")
    out = subprocess.run([sys.executable, "-c", script, str(tmp_path / "big.csv")], cwd=ROOT, capture_output=True,
                         text=True, env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=60, check=True)
    assert out.stdout.split() == ["True", "False"]


def test_an_import_that_must_read_the_store_is_read_by_a_thread(tmp_path: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    """A forked process must not use SQLite: when the registry holds ids a file's could collide with, the reader is
    a thread (with a connection of its own), even when a process is asked for, and the duplicates are still found."""
    forked: list[int] = []
    real = pipeline_process.ProcessProducer

    def counting(*args: Any, **kwargs: Any) -> Any:  # noqa: ANN401
        forked.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(pipeline_process, "ProcessProducer", counting)
    conn = open_store(tmp_path / "store.sqlite3")
    source = open_source(_big(tmp_path))
    import_file(source, CAMERAS, CAMERAS.guess_mapping(source.columns), conn, "t", reader="process")
    assert forked == [1]  # a fresh registry: nothing of it to read
    again = open_source(tmp_path / "big.csv")
    report, result = import_file(again, CAMERAS, CAMERAS.guess_mapping(again.columns), conn, "t", reader="process")
    assert forked == [1] and result is None  # read by a thread this time
    assert report.bad_count == 80_000 and report.bad[0].reason == "id 'c0' is already in the registry (camera 1)"
