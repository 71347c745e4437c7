"""The tamper-evident audit log: an append-only, hash-chained table."""

from __future__ import annotations

import hashlib
import json
import sqlite3
from dataclasses import dataclass
from typing import Any

from app.core.records import to_iso, utc_now

GENESIS_HASH = "0" * 64


def entry_hash(prev_hash: str, seq: int, at: str, actor: str, action: str, obj: str, details: str) -> str:
    """SHA-256 over the previous hash and this entry's content, in a canonical encoding."""
    payload = json.dumps([prev_hash, seq, at, actor, action, obj, details], ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def canonical_details(details: dict[str, Any] | None) -> str:
    return json.dumps(details or {}, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def append(conn: sqlite3.Connection, actor: str, action: str, obj: str = "",
           details: dict[str, Any] | None = None, at: str | None = None) -> int:
    """Append one entry. Call inside the caller's transaction so the act and its record land together."""
    row = conn.execute("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone()
    seq, prev = (row[0] + 1, row[1]) if row else (1, GENESIS_HASH)
    at = at or to_iso(utc_now())
    text = canonical_details(details)
    digest = entry_hash(prev, seq, at, actor, action, obj, text)
    conn.execute(
        "INSERT INTO audit_log (seq, at, actor, action, object, details, prev_hash, hash)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (seq, at, actor, action, obj, text, prev, digest),
    )
    return seq


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    entries: int
    head_hash: str
    broken_seq: int | None = None
    reason: str = ""


def verify(conn: sqlite3.Connection) -> VerifyResult:
    """Walk the chain from the start; name the first entry whose link or content does not check out."""
    prev = GENESIS_HASH
    expected_seq = 1
    count = 0
    cur = conn.execute("SELECT seq, at, actor, action, object, details, prev_hash, hash FROM audit_log ORDER BY seq")
    for seq, at, actor, action, obj, details, prev_hash, digest in cur:
        if seq != expected_seq:
            return VerifyResult(False, count, prev, expected_seq if seq > expected_seq else seq,
                                f"entry {expected_seq} is missing (next entry is {seq})")
        if prev_hash != prev:
            return VerifyResult(False, count, prev, seq, f"entry {seq} does not link to entry {seq - 1}")
        if entry_hash(prev_hash, seq, at, actor, action, obj, details) != digest:
            return VerifyResult(False, count, prev, seq, f"entry {seq} was altered after it was written")
        prev = digest
        expected_seq += 1
        count += 1
    return VerifyResult(True, count, prev)
