"""`canvass verify-audit`: OK / BROKEN and the exit status, in-process and as a real subprocess."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from app.cli import main
from app.paths import DB_NAME
from app.store import audit
from app.store.db import connect, open_store, transaction


@pytest.fixture
def data(tmp_path: Path) -> Path:
    d = tmp_path / "data"
    d.mkdir()
    conn = open_store(d / DB_NAME)
    with transaction(conn):
        for i in range(6):
            audit.append(conn, "sue", "request_approved", f"request:{i}", {"i": i})
    conn.close()
    return d


def head(data: Path) -> audit.ChainHead:
    conn = connect(data / DB_NAME)
    try:
        return audit.current_head(conn)
    finally:
        conn.close()


def tamper(data: Path, sql: str) -> None:
    raw = sqlite3.connect(data / DB_NAME, isolation_level=None)
    raw.execute("DROP TRIGGER audit_log_no_update")
    raw.execute("DROP TRIGGER audit_log_no_delete")
    raw.execute(sql)
    raw.close()


def test_intact_log_prints_ok_and_exits_zero(data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    kept = head(data)
    assert main(["verify-audit", "--data-dir", str(data)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("OK: 6 entries") and kept.hash in out


def test_verification_writes_nothing_to_the_log(data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before = head(data)
    assert main(["verify-audit", "--data-dir", str(data)]) == 0
    assert head(data) == before


def test_modified_entry_exits_nonzero_and_names_it(data: Path, capsys: pytest.CaptureFixture[str]) -> None:
    tamper(data, "UPDATE audit_log SET actor = 'sam' WHERE seq = 3")
    assert main(["verify-audit", "--data-dir", str(data)]) == 1
    out = capsys.readouterr().out
    assert out.startswith("BROKEN: entry 3:") and "BROKEN: the append-only protection of audit_log was removed" in out


def test_cut_tail_is_found_with_the_kept_head(data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    kept = head(data)
    head_file = tmp_path / "head.json"
    head_file.write_text(kept.to_json(), encoding="utf-8")
    assert main(["verify-audit", "--data-dir", str(data), "--head", kept.hash]) == 0
    tamper(data, "DELETE FROM audit_log WHERE seq = 6")
    capsys.readouterr()
    assert main(["verify-audit", "--data-dir", str(data)]) == 1  # the head file beside the store catches it
    assert "canvass.audit-head.json: the log ends at entry 5 but its head file names entry 6" in capsys.readouterr().out
    assert main(["verify-audit", "--data-dir", str(data), "--head", kept.hash]) == 1
    assert "BROKEN: entry 6" in capsys.readouterr().out
    assert main(["verify-audit", "--data-dir", str(data), "--head", str(head_file)]) == 1


def test_unreadable_inputs_exit_two(data: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify-audit", "--data-dir", str(tmp_path / "nowhere")]) == 2
    assert "no Canvass store" in capsys.readouterr().err
    assert main(["verify-audit", "--data-dir", str(data), "--head", "abc"]) == 2
    not_a_db = tmp_path / "junk"
    not_a_db.mkdir()
    (not_a_db / DB_NAME).write_bytes(b"this is not sqlite" * 100)
    assert main(["verify-audit", "--data-dir", str(not_a_db)]) == 2


def test_subprocess_exit_codes(data: Path) -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    cmd = [sys.executable, "-m", "app", "verify-audit", "--data-dir", str(data)]
    ok = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=60)
    assert ok.returncode == 0 and ok.stdout.startswith("OK: 6 entries"), ok.stderr
    tamper(data, "DELETE FROM audit_log WHERE seq = 2")
    broken = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=60)
    assert broken.returncode == 1 and "BROKEN: entry 2" in broken.stdout
