"""The tamper-evident audit log: an append-only, hash-chained table.

Each entry holds the SHA-256 of the previous entry and of its own content (seq included), so changing,
deleting, inserting or reordering rows breaks the chain where it happened. Rewriting the whole chain from
some entry on is possible for anyone with the file (there is no secret), which is why an auditor keeps a
detached head (the last entry's seq and hash): verify(conn, head) then also proves nothing before it changed
and nothing up to it was cut off.
"""

from __future__ import annotations

import hashlib
import json
import re
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.core.records import to_iso, utc_now

GENESIS_HASH = "0" * 64
TRIGGERS = ("audit_log_no_update", "audit_log_no_delete")
_HEX64 = re.compile(r"^[0-9a-fA-F]{64}$")
_COLUMNS = "seq, at, actor, action, object, details, prev_hash, hash"


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
        f"INSERT INTO audit_log ({_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (seq, at, actor, action, obj, text, prev, digest),
    )
    if hasattr(conn, "audit_dirty"):  # a store connection (app.store.db): its head file follows the commit
        conn.audit_appends += 1  # type: ignore[attr-defined]
        conn.audit_dirty = True  # type: ignore[attr-defined]
        if not conn.in_transaction:  # committed on its own (autocommit)
            from app.store.db import after_commit

            after_commit(conn)
    return seq


# --- the detached chain head ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class ChainHead:
    """What an auditor keeps: the last entry's seq and hash at some moment."""

    hash: str
    seq: int | None = None
    at: str = ""

    def to_json(self) -> str:
        return json.dumps({"seq": self.seq, "hash": self.hash, "at": self.at, "algorithm": "sha256"}, indent=2) + "\n"


def current_head(conn: sqlite3.Connection) -> ChainHead:
    row = conn.execute("SELECT seq, hash, at FROM audit_log ORDER BY seq DESC LIMIT 1").fetchone()
    return ChainHead(row[1], row[0], row[2]) if row else ChainHead(GENESIS_HASH, 0, "")


def parse_head(text: str) -> ChainHead:
    """A kept head given as a bare hash, as "SEQ:HASH", or as the path of (or text of) an exported head file."""
    text = text.strip()
    if _HEX64.match(text):
        return ChainHead(text.lower())
    if ":" in text and _HEX64.match(text.split(":", 1)[1]) and text.split(":", 1)[0].isdigit():
        seq, digest = text.split(":", 1)
        return ChainHead(digest.lower(), int(seq))
    if not text.startswith("{"):
        path = Path(text)
        if not path.is_file():
            raise ValueError(f"{text!r} is neither a 64-digit SHA-256 hash nor a chain-head file")
        return parse_head(path.read_text(encoding="utf-8"))
    try:
        data = json.loads(text)
        digest = str(data["hash"])
    except (json.JSONDecodeError, KeyError, TypeError) as exc:
        raise ValueError("the chain-head file does not hold a hash") from exc
    if not _HEX64.match(digest):
        raise ValueError(f"the chain-head hash {digest!r} is not a 64-digit SHA-256 hash")
    seq = data.get("seq")
    return ChainHead(digest.lower(), int(seq) if seq is not None else None, str(data.get("at", "")))


# --- verification ---------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    entries: int
    head_hash: str
    broken_seq: int | None = None
    reason: str = ""
    head_seq: int = 0
    warnings: tuple[str, ...] = field(default=())

    def summary(self) -> str:
        if self.ok:
            return f"OK: {self.entries} entries, head {self.head_seq} {self.head_hash}"
        return f"BROKEN at entry {self.broken_seq}: {self.reason}"


Progress = Callable[[int, int], None]


def verify(conn: sqlite3.Connection, head: ChainHead | str | None = None,
           progress: Progress | None = None) -> VerifyResult:
    """Walk the chain from the start; name the first entry whose place, link or content does not check out.

    With a kept head, also require that entry to be in the chain unchanged (catches a cut-off tail and
    a rewritten chain). progress(done, total) is called every few thousand entries (it may raise to cancel).
    """
    kept = parse_head(head) if isinstance(head, str) else head
    warnings = _trigger_warnings(conn)
    total = conn.execute("SELECT count(*) FROM audit_log").fetchone()[0] if progress else 0
    prev, expected, count, kept_found = GENESIS_HASH, 1, 0, False
    cur = conn.execute(f"SELECT {_COLUMNS} FROM audit_log ORDER BY seq")
    for row in cur:
        seq, at, actor, action, obj, details, prev_hash, digest = row
        odd = _odd_value(row)
        if odd:
            cur.close()
            return VerifyResult(False, count, prev, seq if isinstance(seq, int) else expected,
                                f"entry {seq if isinstance(seq, int) else expected} holds {odd}, which Canvass never "
                                "writes: it was altered after it was written", expected - 1, warnings)
        content_ok = entry_hash(prev_hash, seq, at, actor, action, obj, details) == digest
        if seq != expected or prev_hash != prev or not content_ok:
            cur.close()
            broken, reason = _diagnose(conn, row, expected, prev, content_ok)
            return VerifyResult(False, count, prev, broken, reason, expected - 1, warnings)
        if kept is not None and digest == kept.hash:
            if kept.seq is not None and kept.seq != seq:
                cur.close()
                return VerifyResult(False, count, prev, seq, f"entry {seq} carries the kept head hash, which was "
                                    f"entry {kept.seq}: the log was renumbered", expected - 1, warnings)
            kept_found = True
        prev = digest
        expected += 1
        count += 1
        if progress and count % 5000 == 0:
            progress(count, total)
    last = expected - 1
    if kept is not None and not kept_found and kept.hash != GENESIS_HASH:
        if kept.seq is not None and kept.seq <= last:
            return VerifyResult(False, count, prev, kept.seq, f"entry {kept.seq} is not the entry the kept head "
                                "names: the log was rewritten up to it", last, warnings)
        missing = f"entries {last + 1}–{kept.seq}" if kept.seq and kept.seq > last + 1 else f"entry {last + 1}"
        return VerifyResult(False, count, prev, last + 1, f"the kept head is not in the log: {missing} (the last "
                            f"before the head was kept) were deleted, or the log was rewritten", last, warnings)
    if progress:
        progress(count, total)
    return VerifyResult(True, count, prev, head_seq=last, warnings=warnings)


_FIELDS = ("seq", "at", "actor", "action", "object", "details", "prev_hash", "hash")


def _odd_value(row: tuple) -> str:
    """A value of a type an entry never holds (a BLOB, a number where text belongs): named, or ''."""
    if not isinstance(row[0], int) or isinstance(row[0], bool):
        return f"a {_type_name(row[0])} as its seq"
    for name, value in zip(_FIELDS[1:], row[1:], strict=True):
        if not isinstance(value, str):
            return f"a {_type_name(value)} in “{name}”"
    return ""


def _type_name(value: object) -> str:
    return {bytes: "BLOB", int: "number", float: "number", type(None): "NULL"}.get(type(value), type(value).__name__)


def _trigger_warnings(conn: sqlite3.Connection) -> tuple[str, ...]:
    names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = "
                                        "'audit_log'")}
    missing = [t for t in TRIGGERS if t not in names]
    if missing:
        return (f"the store's append-only protection was removed (missing trigger: {', '.join(missing)})",)
    return ()


def _seq_of_hash(conn: sqlite3.Connection, digest: str) -> int | None:
    row = conn.execute("SELECT seq FROM audit_log WHERE hash = ? LIMIT 1", (digest,)).fetchone()
    return int(row[0]) if row else None


def _written_as(row: tuple, candidates: list[int]) -> int | None:
    """The seq this row's stored hash was computed with, if it was moved from another place."""
    if _odd_value(row):
        return None
    seq, at, actor, action, obj, details, prev_hash, digest = row
    for t in candidates:
        if t != seq and t > 0 and entry_hash(prev_hash, t, at, actor, action, obj, details) == digest:
            return t
    return None


def _diagnose(conn: sqlite3.Connection, row: tuple, expected: int, prev: str, content_ok: bool) -> tuple[int, str]:
    """Say which entry broke and how, from the first row that does not check out (only runs on failure)."""
    seq, prev_hash = row[0], row[6]
    if seq < expected:
        return seq, f"entry {seq} does not belong before entry {expected} (inserted before the start of the chain)"
    if seq > expected:
        return expected, f"entry {expected} is missing (deleted; the next entry is {seq})"
    linked = _seq_of_hash(conn, prev_hash) if prev_hash != GENESIS_HASH else 0
    candidates = ([linked + 1] if linked is not None else []) + [seq + d for d in (1, -1, 2, -2, 3, -3)]
    origin = _written_as(row, candidates)
    if origin is not None and origin > seq:
        if linked is None:
            gone = f"entry {seq}" if origin == seq + 1 else f"entries {seq}–{origin - 1}"
            return seq, f"{gone} deleted and the later entries renumbered (entry {seq} was written as {origin})"
        return seq, f"entry {seq} is out of order (it was written as entry {origin}; rows were reordered)"
    if origin is not None and origin < seq and prev_hash == _prev_of(conn, origin):
        return origin, (f"entry {origin} was inserted: the entries from there on were renumbered (entry {seq} "
                        f"was written as {origin})")
    if not content_ok:
        nxt = conn.execute(f"SELECT {_COLUMNS} FROM audit_log WHERE seq = ?", (seq + 1,)).fetchone()
        if nxt is not None and _written_as(nxt, [seq]) == seq:
            return seq, f"entry {seq} was inserted: the entries after it were renumbered"
        return seq, f"entry {seq} was altered after it was written (its content does not match its hash)"
    if prev_hash == GENESIS_HASH or linked is None:
        return seq - 1, (f"entry {seq - 1} was rewritten: entry {seq} links to a hash that is no longer in the log")
    return seq, f"entry {seq} does not link to entry {seq - 1} (it links to entry {linked})"


def _prev_of(conn: sqlite3.Connection, seq: int) -> str:
    if seq <= 1:
        return GENESIS_HASH
    row = conn.execute("SELECT hash FROM audit_log WHERE seq = ?", (seq - 1,)).fetchone()
    return str(row[0]) if row else ""


# --- the whole store: chain, head file, given head, protections, pages --------------------------------------------
# Tables whose rows are only ever written with an audit entry beside them: rows here and an empty log mean the
# log was emptied.
_AUDITED_TABLES = ("users", "owners", "cameras", "footage_requests", "incidents", "agencies")
PROTECTING_TRIGGERS = {"audit_log_no_update": "audit_log", "audit_log_no_delete": "audit_log",
                       "public_log_no_delete": "footage_requests"}


@dataclass(frozen=True)
class StoreCheck:
    """What `verify-audit` reports. ok is False if any problem was found; notes never make it fail."""

    chain: VerifyResult
    problems: tuple[str, ...]
    notes: tuple[str, ...]
    file_head: ChainHead | None

    @property
    def ok(self) -> bool:
        return not self.problems


def _normal_sql(sql: str) -> str:
    return " ".join(sql.replace("(", " ( ").replace(")", " ) ").replace(";", " ; ").lower().split())


def expected_trigger_sql() -> dict[str, str]:
    """The protecting triggers as the schema creates them (normalised), by name."""
    from app.store.schema import MIGRATIONS

    out: dict[str, str] = {}
    for step in MIGRATIONS:
        buf = ""
        for line in step.splitlines(keepends=True):
            if line.lstrip().startswith("--") and not buf.strip():
                continue
            buf += line
            if sqlite3.complete_statement(buf):
                stmt = buf.strip()
                buf = ""
                words = stmt.split()
                if len(words) > 2 and words[0].upper() == "CREATE" and words[1].upper() == "TRIGGER":
                    out[words[2]] = _normal_sql(stmt.rstrip(";"))
    return out


def protection_problems(conn: sqlite3.Connection) -> list[str]:
    """Missing or altered append-only triggers, in words."""
    stored = {name: sql for name, sql in conn.execute("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")}
    expected = expected_trigger_sql()
    problems = []
    for name, table in PROTECTING_TRIGGERS.items():
        if name not in expected:
            continue
        if name not in stored:
            problems.append(f"the append-only protection of {table} was removed (trigger {name} is missing)")
        elif _normal_sql(str(stored[name]).rstrip(";")) != expected[name]:
            problems.append(f"the append-only protection of {table} was altered (trigger {name} no longer reads as "
                            "the schema wrote it)")
    return problems


def page_problems(conn: sqlite3.Connection) -> list[str]:
    """SQLite's own check of every page (quick_check), in words; [] when the pages are sound."""
    try:
        rows = conn.execute("PRAGMA quick_check").fetchall()
    except sqlite3.DatabaseError as exc:
        return [f"the store's pages are damaged: {exc}"]
    if rows == [("ok",)]:
        return []
    shown = "; ".join(str(r[0]) for r in rows[:3])
    more = f" (and {len(rows) - 3} more)" if len(rows) > 3 else ""
    return [f"the store's integrity check found damaged pages: {shown}{more}"]


def check_store(conn: sqlite3.Connection, file_head: ChainHead | None, *, head_file_name: str = "",
                given: ChainHead | None = None, file_problem: str = "",
                progress: Progress | None = None) -> StoreCheck:
    """Everything verify-audit checks: the pages, the triggers, the chain, the chain against the head file kept
    beside the store (file_head; None = no file) and against a head given by the auditor."""
    from app.store import audit_head

    problems: list[str] = page_problems(conn)
    notes: list[str] = []
    try:
        chain = verify(conn, given, progress)
    except sqlite3.DatabaseError as exc:  # damaged pages inside the log itself
        problems.append(f"the audit log cannot be read to its end: {exc}")
        return StoreCheck(VerifyResult(False, 0, GENESIS_HASH, None, str(exc)), tuple(problems), (), file_head)
    chain = VerifyResult(chain.ok, chain.entries, chain.head_hash, chain.broken_seq, chain.reason, chain.head_seq)
    if not chain.ok:
        problems.append(f"entry {chain.broken_seq}: {chain.reason}")
    name = head_file_name or "the head file"
    if file_problem:
        problems.append(file_problem)
    elif file_head is None:
        if chain.entries or chain.head_seq:
            problems.append(f"{name} is missing beside the store, so a cut-off or rewritten log cannot be told from "
                            "an intact one (restore it from a backup, or give a head kept earlier with --head)")
    else:
        mismatch = audit_head.compare(conn, file_head)
        if mismatch is not None:
            problems.append(f"{name}: {mismatch}")
        elif chain.ok and (file_head.seq or 0) < chain.head_seq:
            notes.append(f"the log has {chain.head_seq - (file_head.seq or 0)} entries after the one {name} names "
                         f"(entry {file_head.seq}); Canvass was interrupted before it updated the file")
    if chain.ok and chain.entries == 0:
        for table in _AUDITED_TABLES:
            try:
                n = conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            except sqlite3.Error:
                continue
            if n:
                problems.append(f"the audit log is empty, but the store holds {n} {table} rows, which Canvass only "
                                "writes together with audit entries: the log was emptied")
                break
    problems += protection_problems(conn)
    return StoreCheck(chain, tuple(problems), tuple(notes), file_head)


# --- reading, for the viewer and exports ------------------------------------------------------------------------
@dataclass(frozen=True)
class AuditFilter:
    actor: str = ""        # exact name, case-insensitive
    action: str = ""       # exact action
    actions: tuple[str, ...] = ()  # any of these actions (one act stored under several names over time)
    text: str = ""         # substring of the object or details
    since: str = ""        # UTC ISO, inclusive
    until: str = ""        # UTC ISO, exclusive

    def where(self) -> tuple[str, list[Any]]:
        clauses: list[str] = []
        params: list[Any] = []
        if self.actor:
            clauses.append("actor = ? COLLATE NOCASE")
            params.append(self.actor)
        if self.action:
            clauses.append("action = ?")
            params.append(self.action)
        if self.actions:
            clauses.append(f"action IN ({', '.join('?' * len(self.actions))})")
            params += list(self.actions)
        if self.text:
            like = "%" + self.text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
            clauses.append("(object LIKE ? ESCAPE '\\' OR details LIKE ? ESCAPE '\\')")
            params += [like, like]
        if self.since:
            clauses.append("at >= ?")
            params.append(self.since)
        if self.until:
            clauses.append("at < ?")
            params.append(self.until)
        return (" AND ".join(clauses) or "1"), params


def page(conn: sqlite3.Connection, flt: AuditFilter, before_seq: int | None = None, limit: int = 500) -> list[tuple]:
    """Newest first, keyset-paged by seq (never OFFSET): rows (seq, at, actor, action, object, details, hash)."""
    where, params = flt.where()
    if before_seq is not None:
        where += " AND seq < ?"
        params.append(before_seq)
    sql = (f"SELECT seq, at, actor, action, object, details, hash FROM audit_log WHERE {where} "
           "ORDER BY seq DESC LIMIT ?")
    return conn.execute(sql, [*params, limit]).fetchall()


def count(conn: sqlite3.Connection, flt: AuditFilter) -> int:
    where, params = flt.where()
    return int(conn.execute(f"SELECT count(*) FROM audit_log WHERE {where}", params).fetchone()[0])


def distinct(conn: sqlite3.Connection, column: str) -> list[str]:
    if column not in ("actor", "action"):
        raise ValueError(column)
    return [r[0] for r in conn.execute(f"SELECT DISTINCT {column} FROM audit_log ORDER BY {column} COLLATE NOCASE")]
