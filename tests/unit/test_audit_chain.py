"""The audit chain: tampering done directly in the SQLite file (triggers dropped) is found and named."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from app.store import audit
from app.store.db import connect, open_store, transaction

ENTRIES = 10


@pytest.fixture
def store(tmp_path: Path) -> Path:
    path = tmp_path / "canvass.sqlite3"
    conn = open_store(path)
    with transaction(conn):
        for i in range(1, ENTRIES + 1):
            audit.append(conn, f"user{i % 3}", "registry_search", f"fence:{i}", {"i": i, "radius_m": 100 * i})
    conn.close()
    return path


def tamper(path: Path, *statements: str) -> None:
    """What someone with the file and the sqlite3 shell could do: drop the protection, then edit rows."""
    raw = sqlite3.connect(path, isolation_level=None)
    raw.execute("DROP TRIGGER IF EXISTS audit_log_no_update")
    raw.execute("DROP TRIGGER IF EXISTS audit_log_no_delete")
    for sql in statements:
        raw.execute(sql)
    raw.close()


def verify(path: Path, head: audit.ChainHead | str | None = None) -> audit.VerifyResult:
    conn = connect(path)
    try:
        return audit.verify(conn, head)
    finally:
        conn.close()


def head_of(path: Path) -> audit.ChainHead:
    conn = connect(path)
    try:
        return audit.current_head(conn)
    finally:
        conn.close()


def test_intact_chain_verifies(store: Path) -> None:
    result = verify(store)
    assert result.ok and result.entries == ENTRIES and result.head_seq == ENTRIES
    assert result.head_hash == head_of(store).hash
    assert result.warnings == ()


def test_store_refuses_update_and_delete(store: Path) -> None:
    conn = connect(store)
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute("UPDATE audit_log SET actor = 'x' WHERE seq = 3")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute("DELETE FROM audit_log WHERE seq = 3")
    conn.close()


def test_modified_entry_is_named(store: Path) -> None:
    tamper(store, "UPDATE audit_log SET object = 'fence:999' WHERE seq = 4")
    result = verify(store)
    assert not result.ok
    assert result.broken_seq == 4 and "altered" in result.reason
    assert result.entries == 3
    assert any("append-only protection" in w for w in result.warnings)


def test_modified_details_is_named(store: Path) -> None:
    tamper(store, """UPDATE audit_log SET details = '{"i":7,"radius_m":1}' WHERE seq = 7""")
    assert verify(store).broken_seq == 7


def test_rewritten_entry_with_recomputed_hash_is_named(store: Path) -> None:
    conn = connect(store)
    seq, at, actor, action, _obj, details, prev = conn.execute(
        "SELECT seq, at, actor, action, object, details, prev_hash FROM audit_log WHERE seq = 5").fetchone()
    conn.close()
    forged = audit.entry_hash(prev, seq, at, actor, action, "fence:forged", details)
    tamper(store, f"UPDATE audit_log SET object = 'fence:forged', hash = '{forged}' WHERE seq = 5")
    result = verify(store)
    assert result.broken_seq == 5 and "rewritten" in result.reason


def test_deleted_entry_is_named(store: Path) -> None:
    tamper(store, "DELETE FROM audit_log WHERE seq = 6")
    result = verify(store)
    assert result.broken_seq == 6 and "missing" in result.reason


def test_deleted_and_renumbered_is_named(store: Path) -> None:
    tamper(store, "DELETE FROM audit_log WHERE seq = 6",
           "UPDATE audit_log SET seq = -seq WHERE seq > 6",
           "UPDATE audit_log SET seq = -seq - 1 WHERE seq < 0")
    result = verify(store)
    assert result.broken_seq == 6 and "deleted" in result.reason


def test_deleted_first_entry_is_named(store: Path) -> None:
    tamper(store, "DELETE FROM audit_log WHERE seq = 1")
    assert verify(store).broken_seq == 1


def test_deleted_tail_is_found_with_the_kept_head(store: Path) -> None:
    kept = head_of(store)
    assert kept.seq == ENTRIES
    tamper(store, f"DELETE FROM audit_log WHERE seq >= {ENTRIES - 1}")
    assert verify(store).ok  # without the head a cut-off tail looks like a shorter log
    result = verify(store, kept)
    assert not result.ok and result.broken_seq == ENTRIES - 1
    assert "kept head" in result.reason
    # a bare hash (as on the command line) finds it too
    assert verify(store, kept.hash).broken_seq == ENTRIES - 1


def test_kept_head_passes_when_the_log_grew(store: Path) -> None:
    kept = head_of(store)
    conn = connect(store)
    with transaction(conn):
        audit.append(conn, "ana", "sign_in")
    conn.close()
    result = verify(store, kept)
    assert result.ok and result.entries == ENTRIES + 1


def test_inserted_entry_with_a_correct_hash_is_named(store: Path) -> None:
    # Forge entry 4 that links to entry 3, renumber 4.. to 5.., the way a careful forger would.
    conn = connect(store)
    prev = conn.execute("SELECT hash FROM audit_log WHERE seq = 3").fetchone()[0]
    conn.close()
    at = "2026-01-01T00:00:00Z"
    forged = audit.entry_hash(prev, 4, at, "ghost", "export", "x", "{}")
    tamper(store, "UPDATE audit_log SET seq = -seq WHERE seq >= 4",
           "UPDATE audit_log SET seq = -seq + 1 WHERE seq < 0",
           "INSERT INTO audit_log (seq, at, actor, action, object, details, prev_hash, hash) VALUES "
           f"(4, '{at}', 'ghost', 'export', 'x', '{{}}', '{prev}', '{forged}')")
    result = verify(store)
    assert result.broken_seq == 4 and "inserted" in result.reason


def test_inserted_entry_with_a_bogus_hash_is_named(store: Path) -> None:
    tamper(store, "UPDATE audit_log SET seq = -seq WHERE seq >= 8",
           "UPDATE audit_log SET seq = -seq + 1 WHERE seq < 0",
           "INSERT INTO audit_log (seq, at, actor, action, object, details, prev_hash, hash) VALUES "
           f"(8, '2026-01-01T00:00:00Z', 'ghost', 'export', 'x', '{{}}', '{'1' * 64}', '{'2' * 64}')")
    result = verify(store)
    assert result.broken_seq == 8 and "inserted" in result.reason


def test_entry_inserted_before_the_start_is_named(store: Path) -> None:
    tamper(store, "INSERT INTO audit_log (seq, at, actor, action, object, details, prev_hash, hash) VALUES "
           f"(0, '2026-01-01T00:00:00Z', 'ghost', 'export', 'x', '{{}}', '{audit.GENESIS_HASH}', '{'2' * 64}')")
    assert verify(store).broken_seq == 0


@pytest.mark.parametrize(("a", "b"), [(3, 7), (5, 6)])
def test_reordered_entries_are_named(store: Path, a: int, b: int) -> None:
    tamper(store, f"UPDATE audit_log SET seq = -1 WHERE seq = {a}",
           f"UPDATE audit_log SET seq = {a} WHERE seq = {b}",
           f"UPDATE audit_log SET seq = {b} WHERE seq = -1")
    result = verify(store)
    assert result.broken_seq == a and "out of order" in result.reason


def test_parse_head_forms(tmp_path: Path, store: Path) -> None:
    kept = head_of(store)
    f = tmp_path / "head.json"
    f.write_text(kept.to_json(), encoding="utf-8")
    assert audit.parse_head(str(f)) == kept
    assert audit.parse_head(f"{kept.seq}:{kept.hash}") == audit.ChainHead(kept.hash, kept.seq)
    assert audit.parse_head(kept.hash.upper()).hash == kept.hash
    with pytest.raises(ValueError):
        audit.parse_head("not-a-hash")


def test_filters_and_keyset_paging(store: Path) -> None:
    conn = connect(store)
    all_rows = audit.page(conn, audit.AuditFilter(), limit=4)
    assert [r[0] for r in all_rows] == [10, 9, 8, 7]
    rest = audit.page(conn, audit.AuditFilter(), before_seq=all_rows[-1][0], limit=100)
    assert [r[0] for r in rest] == [6, 5, 4, 3, 2, 1]
    by_actor = audit.AuditFilter(actor="USER1")
    assert audit.count(conn, by_actor) == len([i for i in range(1, 11) if i % 3 == 1])
    assert [r[0] for r in audit.page(conn, audit.AuditFilter(text="fence:1"))] == [10, 1]
    assert audit.count(conn, audit.AuditFilter(text="%")) == 0  # LIKE wildcards are literal
    assert audit.distinct(conn, "action") == ["registry_search"]
    conn.close()


def test_progress_reports_and_can_cancel(tmp_path: Path) -> None:
    conn = open_store(tmp_path / "big.sqlite3")
    with transaction(conn):
        for i in range(12000):
            audit.append(conn, "a", "x", str(i))
    seen: list[tuple[int, int]] = []
    assert audit.verify(conn, progress=lambda d, t: seen.append((d, t))).ok
    assert seen[0] == (5000, 12000) and seen[-1] == (12000, 12000)

    class Stop(Exception):
        pass

    def stop(done: int, total: int) -> None:
        raise Stop

    with pytest.raises(Stop):
        audit.verify(conn, progress=stop)
    conn.close()
