"""`canvass verify-audit` against forgeries that used to pass (issue 9, points 5 and 6), on real store files."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli import main
from app.paths import DB_NAME
from app.store import audit, audit_head
from app.store.db import connect, open_store, transaction


@pytest.fixture
def data(tmp_path: Path) -> Path:
    d = tmp_path / "data"
    d.mkdir()
    conn = open_store(d / DB_NAME)
    with transaction(conn):
        conn.execute("INSERT INTO users (name, role, password_hash, created_at) VALUES ('sue', 'supervisor', 'x', "
                     "'2026-01-01T00:00:00Z')")
        for i in range(6):
            audit.append(conn, "sue", "request_approved", f"request:{i}", {"i": i})
    conn.close()
    return d


def raw(data: Path, *sql: str, drop_triggers: bool = True) -> None:
    conn = sqlite3.connect(data / DB_NAME, isolation_level=None)
    if drop_triggers:
        conn.execute("DROP TRIGGER audit_log_no_update")
        conn.execute("DROP TRIGGER audit_log_no_delete")
    for s in sql:
        conn.execute(s)
    conn.close()


def recreate_triggers(data: Path) -> None:
    raw(data, "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, "
              "'audit_log is append-only'); END",
        "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, "
        "'audit_log is append-only'); END", drop_triggers=False)


def rechain(data: Path) -> None:
    """Recompute every hash, as a forger with the file would after an edit: the chain alone checks out again."""
    conn = sqlite3.connect(data / DB_NAME, isolation_level=None)
    prev = audit.GENESIS_HASH
    for row in conn.execute("SELECT seq, at, actor, action, object, details FROM audit_log ORDER BY seq").fetchall():
        digest = audit.entry_hash(prev, *row)
        conn.execute("UPDATE audit_log SET prev_hash = ?, hash = ? WHERE seq = ?", (prev, digest, row[0]))
        prev = digest
    conn.close()


def verify(capsys: pytest.CaptureFixture[str], data: Path, *extra: str) -> tuple[int, str]:
    code = main(["verify-audit", "--data-dir", str(data), *extra])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out + err


def test_deleting_the_whole_log_is_broken(data: Path, capsys) -> None:  # noqa: ANN001
    raw(data, "DELETE FROM audit_log")
    recreate_triggers(data)
    code, out = verify(capsys, data)
    assert code == 1 and "head file names entry 6" in out
    audit_head.head_path(data / DB_NAME).unlink()  # and the head file with it
    code, out = verify(capsys, data)
    assert code == 1 and "the audit log is empty, but the store holds 1 users rows" in out


def test_cutting_the_tail_is_broken_without_any_kept_head(data: Path, capsys) -> None:  # noqa: ANN001
    raw(data, "DELETE FROM audit_log WHERE seq > 4")
    recreate_triggers(data)
    code, out = verify(capsys, data)
    assert code == 1 and "entries 5–6 were cut off" in out


def test_an_edit_with_every_hash_recomputed_is_broken(data: Path, capsys) -> None:  # noqa: ANN001
    raw(data, "UPDATE audit_log SET actor = 'mallory' WHERE seq = 3")
    rechain(data)
    recreate_triggers(data)
    code, out = verify(capsys, data)
    assert code == 1 and "entry 6 is not the entry the head file names" in out and "re-chained" in out


def test_rewriting_database_and_head_file_together_is_caught_only_by_a_head_kept_earlier(
        data: Path, tmp_path: Path, capsys) -> None:  # noqa: ANN001
    published = tmp_path / "published-head.json"
    published.write_text(audit_head.head_path(data / DB_NAME).read_text(), encoding="utf-8")
    raw(data, "UPDATE audit_log SET details = '{\"i\":99}' WHERE seq = 2")
    rechain(data)
    recreate_triggers(data)
    conn = connect(data / DB_NAME)
    audit_head.write_head(data / DB_NAME, audit.current_head(conn))  # the forger rewrites the head file too
    conn.close()
    code, out = verify(capsys, data)
    assert code == 0  # honestly: nothing inside the data folder can tell
    code, out = verify(capsys, data, "--head", str(published))
    assert code == 1 and "entry 6 is not the entry the kept head names" in out


@pytest.mark.parametrize("how", ["dropped", "altered"])
def test_missing_or_altered_triggers_are_broken(data: Path, capsys, how: str) -> None:  # noqa: ANN001
    if how == "dropped":
        raw(data)
        expected = "append-only protection of audit_log was removed (trigger audit_log_no_update is missing)"
    else:  # re-created so that they never fire: the warning used to be silenced by any trigger of that name
        raw(data, "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log WHEN 0 BEGIN SELECT 1; END",
            "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log WHEN 0 BEGIN SELECT 1; END")
        expected = "append-only protection of audit_log was altered (trigger audit_log_no_delete"
    code, out = verify(capsys, data)
    assert code == 1 and expected in out


@pytest.mark.parametrize("column", ["details", "actor", "hash"])
def test_a_blob_is_a_broken_entry_not_a_traceback(data: Path, capsys, column: str) -> None:  # noqa: ANN001
    raw(data, f"UPDATE audit_log SET {column} = X'00FF10' WHERE seq = 4")
    code, out = verify(capsys, data)
    assert code == 1 and f"BROKEN: entry 4: entry 4 holds a BLOB in “{column}”" in out


def test_damaged_pages_are_reported(data: Path, capsys) -> None:  # noqa: ANN001
    conn = open_store(data / DB_NAME)
    with transaction(conn):
        conn.executemany("INSERT INTO settings (key, value, changed_at) VALUES (?, ?, '2026')",
                         [(f"k{i}", "x" * 300) for i in range(3000)])
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    conn.close()
    blob = bytearray((data / DB_NAME).read_bytes())
    for offset in range(len(blob) * 6 // 10, len(blob) * 7 // 10):
        blob[offset] = 0xA5
    (data / DB_NAME).write_bytes(bytes(blob))
    code, out = verify(capsys, data)
    assert code == 1 and "damaged" in out


def test_a_head_file_behind_the_log_is_a_note_not_a_break(data: Path, capsys) -> None:  # noqa: ANN001
    hp = audit_head.head_path(data / DB_NAME)
    conn = connect(data / DB_NAME)
    head4 = audit.ChainHead(conn.execute("SELECT hash FROM audit_log WHERE seq = 4").fetchone()[0], 4)
    conn.close()
    hp.write_text(json.dumps({"seq": 4, "hash": head4.hash}), encoding="utf-8")  # the last update was interrupted
    code, out = verify(capsys, data)
    assert code == 0 and "NOTE: the log has 2 entries after the one the head file" in out
    assert "matches the head file (entry 4)" in out


def test_the_real_command_line(data: Path) -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    raw(data, "UPDATE audit_log SET details = X'01' WHERE seq = 2")
    run = subprocess.run([sys.executable, "-m", "app", "verify-audit", "--data-dir", str(data)], capture_output=True,
                         text=True, env=env, timeout=60)
    assert run.returncode == 1 and "BLOB" in run.stdout and "Traceback" not in run.stderr, run.stderr
