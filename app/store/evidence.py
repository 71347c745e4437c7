"""Evidence items, their links to answers, custody events, legal holds and onward sharing. sqlite3 only.

No permission checks or audit here (app.services.evidence does them); every function runs inside the caller's
transaction when one is open.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import fields
from typing import Any

from app.core.evidence import CustodyEvent, EvidenceItem, LegalHold, OnwardShare

_ITEM_FIELDS = [f.name for f in fields(EvidenceItem) if f.name != "received_by_name"]
_ITEM_SELECT = ", ".join(f"e.{c}" for c in _ITEM_FIELDS) + ", COALESCE(u.name, '')"
_ITEM_FROM = "evidence_items e LEFT JOIN users u ON u.id = e.received_by"


def _item(row: tuple) -> EvidenceItem:
    values = dict(zip(_ITEM_FIELDS, row[:-1], strict=True))
    values["is_media"] = bool(values["is_media"])
    values["last_verified_ok"] = None if values["last_verified_ok"] is None else bool(values["last_verified_ok"])
    return EvidenceItem(**values, received_by_name=row[-1])


def insert_item(conn: sqlite3.Connection, *, request_id: int, recipient_id: int | None, original_name: str,
                stored_path: str, sha256: str, size_bytes: int, media_info: dict[str, Any] | None,
                received_at: str, received_by: int | None, clock_offset_s: float = 0.0,
                clock_offset_source: str = "", derived_from: int | None = None, derived_kind: str | None = None,
                derivation: dict[str, Any] | None = None) -> int:
    cur = conn.execute(
        "INSERT INTO evidence_items (request_id, recipient_id, original_name, stored_path, sha256, size_bytes, "
        "media_info, received_at, received_by, clock_offset_s, clock_offset_source, derived_from, derived_kind, "
        "derivation, is_media) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (request_id, recipient_id, original_name, stored_path, sha256, size_bytes,
         json.dumps(media_info or {}, sort_keys=True), received_at, received_by, clock_offset_s, clock_offset_source,
         derived_from, derived_kind, json.dumps(derivation or {}, sort_keys=True, default=str),
         1 if media_info else 0))
    return int(cur.lastrowid or 0)


def live_item_with_hash(conn: sqlite3.Connection, sha256: str) -> int | None:
    row = conn.execute("SELECT id FROM evidence_items WHERE sha256 = ? AND purged_at IS NULL", (sha256,)).fetchone()
    return int(row[0]) if row else None


def add_link(conn: sqlite3.Connection, item_id: int, request_id: int, recipient_id: int | None, at: str,
             by: int | None) -> bool:
    """Attach an item to an answer; False if it was attached already."""
    exists = conn.execute("SELECT 1 FROM evidence_links WHERE evidence_id = ? AND request_id = ? AND "
                          "recipient_id IS ?", (item_id, request_id, recipient_id)).fetchone()
    if exists:
        return False
    conn.execute("INSERT INTO evidence_links (evidence_id, request_id, recipient_id, linked_at, linked_by) "
                 "VALUES (?, ?, ?, ?, ?)", (item_id, request_id, recipient_id, at, by))
    return True


def copy_links(conn: sqlite3.Connection, parent_id: int, child_id: int, at: str, by: int | None) -> None:
    """A derived item belongs to the answers its parent belongs to (and shares their retention)."""
    for request_id, recipient_id in conn.execute(
            "SELECT request_id, recipient_id FROM evidence_links WHERE evidence_id = ?", (parent_id,)).fetchall():
        add_link(conn, child_id, request_id, recipient_id, at, by)


def add_event(conn: sqlite3.Connection, item_id: int, kind: str, at: str, actor_id: int | None, actor: str,
              sha256: str, details: dict[str, Any] | None = None) -> int:
    cur = conn.execute(
        "INSERT INTO custody_events (evidence_id, kind, at, actor_id, actor, sha256, details) VALUES (?, ?, ?, ?, ?, "
        "?, ?)", (item_id, kind, at, actor_id, actor, sha256,
                  json.dumps(details or {}, sort_keys=True, ensure_ascii=False, default=str)))
    return int(cur.lastrowid or 0)


def get_item(conn: sqlite3.Connection, item_id: int) -> EvidenceItem | None:
    row = conn.execute(f"SELECT {_ITEM_SELECT} FROM {_ITEM_FROM} WHERE e.id = ?", (item_id,)).fetchone()
    return _item(row) if row else None


def items(conn: sqlite3.Connection, request_id: int | None = None, *, include_purged: bool = True,
          ids: Iterable[int] | None = None) -> list[EvidenceItem]:
    """Items (of one request, through its links, or by id), oldest first."""
    where, params = ["1 = 1"], []  # type: ignore[var-annotated]
    if request_id is not None:
        where.append("e.id IN (SELECT evidence_id FROM evidence_links WHERE request_id = ?)")
        params.append(request_id)
    if ids is not None:
        wanted = [int(i) for i in ids]
        where.append(f"e.id IN ({', '.join('?' * len(wanted)) or 'NULL'})")
        params.extend(wanted)
    if not include_purged:
        where.append("e.purged_at IS NULL")
    rows = conn.execute(f"SELECT {_ITEM_SELECT} FROM {_ITEM_FROM} WHERE {' AND '.join(where)} ORDER BY e.id",
                        params).fetchall()
    return [_item(r) for r in rows]


def children(conn: sqlite3.Connection, item_id: int) -> list[int]:
    return [int(r[0]) for r in conn.execute("SELECT id FROM evidence_items WHERE derived_from = ? ORDER BY id",
                                            (item_id,)).fetchall()]


def links(conn: sqlite3.Connection, item_id: int) -> list[tuple[int, int | None]]:
    """(request_id, recipient_id) of every answer the item is attached to."""
    return [(int(a), b) for a, b in conn.execute(
        "SELECT request_id, recipient_id FROM evidence_links WHERE evidence_id = ? ORDER BY id", (item_id,))]


def events(conn: sqlite3.Connection, item_id: int | None = None, request_id: int | None = None) -> list[CustodyEvent]:
    sql = "SELECT id, evidence_id, kind, at, actor, sha256, details FROM custody_events"
    params: list[Any] = []
    if item_id is not None:
        sql += " WHERE evidence_id = ?"
        params.append(item_id)
    elif request_id is not None:
        sql += " WHERE evidence_id IN (SELECT evidence_id FROM evidence_links WHERE request_id = ?)"
        params.append(request_id)
    return [CustodyEvent(*r) for r in conn.execute(sql + " ORDER BY id", params).fetchall()]


def set_verified(conn: sqlite3.Connection, item_id: int, at: str, ok: bool) -> None:
    conn.execute("UPDATE evidence_items SET last_verified_at = ?, last_verified_ok = ? WHERE id = ?",
                 (at, 1 if ok else 0, item_id))


def stored_paths(conn: sqlite3.Connection) -> set[str]:
    """Files the store still needs: those of items not purged."""
    return {r[0] for r in conn.execute("SELECT stored_path FROM evidence_items WHERE purged_at IS NULL "
                                       "AND stored_path <> ''")}


def recipient_answer(conn: sqlite3.Connection, recipient_id: int) -> tuple[int, str, int | None] | None:
    """(request_id, state, owner_id) of a recipient."""
    row = conn.execute("SELECT request_id, state, owner_id FROM recipients WHERE id = ?", (recipient_id,)).fetchone()
    return (int(row[0]), str(row[1]), row[2]) if row else None


def request_summary(conn: sqlite3.Connection, request_id: int) -> dict[str, Any] | None:
    row = conn.execute("SELECT r.id, r.case_number, r.public_no, r.state, r.resolved_at, a.name FROM "
                       "footage_requests r LEFT JOIN agencies a ON a.id = r.agency_id WHERE r.id = ?",
                       (request_id,)).fetchone()
    if row is None:
        return None
    return {"id": row[0], "case_number": row[1], "public_no": row[2], "state": row[3], "resolved_at": row[4],
            "agency": row[5] or ""}


def requests_with_evidence(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    rows = conn.execute(
        "SELECT r.id, r.case_number, r.public_no, r.state, count(DISTINCT l.evidence_id) FROM footage_requests r "
        "JOIN evidence_links l ON l.request_id = r.id GROUP BY r.id ORDER BY r.id DESC").fetchall()
    return [{"id": r[0], "case_number": r[1], "public_no": r[2], "state": r[3], "items": r[4]} for r in rows]


def shared_recipients(conn: sqlite3.Connection, request_id: int) -> list[tuple[int, int | None, int | None, str]]:
    """(recipient_id, anonymity number, camera id, camera kind) of the answers marked shared, for attaching files
    (an owner with several cameras answers once per camera)."""
    rows = conn.execute("SELECT c.id, o.anonymity_no, c.camera_id, COALESCE(m.kind, '') FROM recipients c "
                        "LEFT JOIN owners o ON o.id = c.owner_id LEFT JOIN cameras m ON m.id = c.camera_id "
                        "WHERE c.request_id = ? AND c.state = 'shared' ORDER BY o.anonymity_no, c.id",
                        (request_id,)).fetchall()
    return [(int(a), b, c, str(d)) for a, b, c, d in rows]


# --- retention ------------------------------------------------------------------------------------------------------
def retention_rows(conn: sqlite3.Connection) -> list[tuple[int, str | None, str | None, str | None, int, int]]:
    """Per live item: (id, last resolved_at or None if any request is open, consent_withdrawn_at, purge_marked_at,
    active holds, requests). Resolved, expired and withdrawn requests all count as closed."""
    return conn.execute(
        "SELECT e.id, "
        "  CASE WHEN sum(CASE WHEN r.state IN ('resolved', 'expired', 'withdrawn') THEN 0 ELSE 1 END) > 0 THEN NULL "
        "       ELSE max(COALESCE(r.resolved_at, r.expires_at)) END, "
        "  e.consent_withdrawn_at, e.purge_marked_at, "
        "  (SELECT count(*) FROM legal_holds h WHERE h.evidence_id = e.id AND h.released_at IS NULL), "
        "  count(r.id) "
        "FROM evidence_items e LEFT JOIN evidence_links l ON l.evidence_id = e.id "
        "LEFT JOIN footage_requests r ON r.id = l.request_id "
        "WHERE e.purged_at IS NULL GROUP BY e.id ORDER BY e.id").fetchall()


def mark_purge(conn: sqlite3.Connection, item_id: int, at: str, due: str, by: int | None, reason: str) -> None:
    conn.execute("UPDATE evidence_items SET purge_marked_at = ?, purge_due_at = ?, purge_marked_by = ?, "
                 "purge_reason = ? WHERE id = ? AND purged_at IS NULL", (at, due, by, reason, item_id))


def clear_purge_mark(conn: sqlite3.Connection, item_id: int) -> None:
    conn.execute("UPDATE evidence_items SET purge_marked_at = NULL, purge_due_at = NULL, purge_marked_by = NULL, "
                 "purge_reason = '' WHERE id = ?", (item_id,))


def set_purged(conn: sqlite3.Connection, item_id: int, at: str, by: int | None) -> None:
    conn.execute("UPDATE evidence_items SET purged_at = ?, purged_by = ?, stored_path = '' WHERE id = ?",
                 (at, by, item_id))


def set_consent_withdrawn(conn: sqlite3.Connection, item_id: int, at: str, by: int | None) -> None:
    conn.execute("UPDATE evidence_items SET consent_withdrawn_at = ?, consent_withdrawn_by = ? WHERE id = ?",
                 (at, by, item_id))


def owner_of(conn: sqlite3.Connection, item_id: int) -> int | None:
    row = conn.execute("SELECT c.owner_id FROM evidence_links l JOIN recipients c ON c.id = l.recipient_id "
                       "WHERE l.evidence_id = ? ORDER BY l.id LIMIT 1", (item_id,)).fetchone()
    return row[0] if row else None


def items_of_owner(conn: sqlite3.Connection, owner_id: int, request_id: int | None = None) -> list[int]:
    sql = ("SELECT DISTINCT l.evidence_id FROM evidence_links l JOIN recipients c ON c.id = l.recipient_id "
           "WHERE c.owner_id = ?")
    params: list[Any] = [owner_id]
    if request_id is not None:
        sql += " AND l.request_id = ?"
        params.append(request_id)
    return [int(r[0]) for r in conn.execute(sql + " ORDER BY 1", params)]


# --- legal holds ----------------------------------------------------------------------------------------------------
_HOLD_SELECT = ("SELECT h.id, h.evidence_id, h.reason, h.authority, h.placed_by, COALESCE(u.name, ''), h.placed_at, "
                "h.review_on, h.released_at, h.released_by, h.release_reason FROM legal_holds h "
                "LEFT JOIN users u ON u.id = h.placed_by")


def insert_hold(conn: sqlite3.Connection, item_id: int, reason: str, authority: str, placed_by: int, at: str,
                review_on: str) -> int:
    cur = conn.execute("INSERT INTO legal_holds (evidence_id, reason, authority, placed_by, placed_at, review_on) "
                       "VALUES (?, ?, ?, ?, ?, ?)", (item_id, reason, authority, placed_by, at, review_on))
    _sync_hold_flag(conn, item_id)
    return int(cur.lastrowid or 0)


def _sync_hold_flag(conn: sqlite3.Connection, item_id: int) -> None:
    """evidence_items.legal_hold (step 1) mirrors "has a hold in force", for readers of the plain column."""
    conn.execute("UPDATE evidence_items SET legal_hold = EXISTS (SELECT 1 FROM legal_holds h WHERE h.evidence_id = ? "
                 "AND h.released_at IS NULL) WHERE id = ?", (item_id, item_id))


def release_hold(conn: sqlite3.Connection, hold_id: int, at: str, by: int, reason: str) -> None:
    conn.execute("UPDATE legal_holds SET released_at = ?, released_by = ?, release_reason = ? WHERE id = ? "
                 "AND released_at IS NULL", (at, by, reason, hold_id))
    row = conn.execute("SELECT evidence_id FROM legal_holds WHERE id = ?", (hold_id,)).fetchone()
    if row:
        _sync_hold_flag(conn, int(row[0]))


def holds(conn: sqlite3.Connection, item_id: int | None = None, *, active_only: bool = False) -> list[LegalHold]:
    where, params = [], []  # type: ignore[var-annotated]
    if item_id is not None:
        where.append("h.evidence_id = ?")
        params.append(item_id)
    if active_only:
        where.append("h.released_at IS NULL")
    sql = _HOLD_SELECT + (" WHERE " + " AND ".join(where) if where else "") + " ORDER BY h.id"
    return [LegalHold(*r) for r in conn.execute(sql, params).fetchall()]


def get_hold(conn: sqlite3.Connection, hold_id: int) -> LegalHold | None:
    row = conn.execute(_HOLD_SELECT + " WHERE h.id = ?", (hold_id,)).fetchone()
    return LegalHold(*row) if row else None


# --- onward sharing -------------------------------------------------------------------------------------------------
def insert_share(conn: sqlite3.Connection, *, package_name: str, package_sha256: str, package_bytes: int,
                 recipient_org: str, legal_basis: str, requested_by: int, approved_by: int, created_at: str,
                 audit_head_seq: int | None, audit_head_hash: str, item_hashes: dict[int, str]) -> int:
    cur = conn.execute(
        "INSERT INTO onward_shares (package_name, package_sha256, package_bytes, recipient_org, legal_basis, "
        "requested_by, approved_by, created_at, audit_head_seq, audit_head_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (package_name, package_sha256, package_bytes, recipient_org, legal_basis, requested_by, approved_by,
         created_at, audit_head_seq, audit_head_hash))
    share_id = int(cur.lastrowid or 0)
    conn.executemany("INSERT INTO onward_share_items (share_id, evidence_id, sha256) VALUES (?, ?, ?)",
                     [(share_id, i, h) for i, h in item_hashes.items()])
    return share_id


def shares(conn: sqlite3.Connection) -> list[OnwardShare]:
    rows = conn.execute(
        "SELECT s.id, s.package_name, s.package_sha256, s.package_bytes, s.recipient_org, s.legal_basis, "
        "COALESCE(a.name, ''), COALESCE(b.name, ''), s.created_at, "
        "(SELECT count(*) FROM onward_share_items i WHERE i.share_id = s.id) "
        "FROM onward_shares s LEFT JOIN users a ON a.id = s.requested_by LEFT JOIN users b ON b.id = s.approved_by "
        "ORDER BY s.id").fetchall()
    return [OnwardShare(*r) for r in rows]


def share_count(conn: sqlite3.Connection, since: str | None = None) -> int:
    """Packages shared onward (the transparency report counts these)."""
    if since is None:
        return int(conn.execute("SELECT count(*) FROM onward_shares").fetchone()[0])
    return int(conn.execute("SELECT count(*) FROM onward_shares WHERE created_at >= ?", (since,)).fetchone()[0])


def user_name(conn: sqlite3.Connection, user_id: int | None) -> str:
    if user_id is None:
        return ""
    row = conn.execute("SELECT name FROM users WHERE id = ?", (user_id,)).fetchone()
    return str(row[0]) if row else ""


def user_role(conn: sqlite3.Connection, name: str) -> tuple[int, str] | None:
    row = conn.execute("SELECT id, role FROM users WHERE name = ? AND active = 1", (name,)).fetchone()
    return (int(row[0]), str(row[1])) if row else None


def last_audit_at(conn: sqlite3.Connection, action: str) -> str | None:
    row = conn.execute("SELECT max(at) FROM audit_log WHERE action = ?", (action,)).fetchone()
    return row[0] if row and row[0] else None


def sent_requests(conn: sqlite3.Connection) -> list[dict[str, Any]]:
    """Requests that went out (footage can only come for these), newest first, with their item counts."""
    rows = conn.execute(
        "SELECT r.id, r.case_number, r.public_no, r.state, "
        "(SELECT count(DISTINCT l.evidence_id) FROM evidence_links l WHERE l.request_id = r.id) "
        "FROM footage_requests r WHERE r.sent_at IS NOT NULL ORDER BY r.id DESC").fetchall()
    return [{"id": r[0], "case_number": r[1], "public_no": r[2], "state": r[3], "items": r[4]} for r in rows]


def items_per_answer(conn: sqlite3.Connection, request_id: int) -> dict[int, int]:
    return {int(r): int(n) for r, n in conn.execute(
        "SELECT recipient_id, count(*) FROM evidence_links WHERE request_id = ? AND recipient_id IS NOT NULL "
        "GROUP BY recipient_id", (request_id,))}


def live_item_count(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT count(*) FROM evidence_items WHERE purged_at IS NULL").fetchone()[0])
