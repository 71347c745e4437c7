"""Operations in the store: the plan, revisions, statements, cameras, partners, outcome. sqlite3 only."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass


@dataclass
class OperationRow:
    id: int | None
    agency_id: int
    name: str
    kind: str
    started_on: str
    ended_on: str | None
    description: str
    goal: str
    success_measure: str
    area_json: str | None
    outcome: str = ""
    arrests: int = 0
    recoveries: int = 0
    result: str = ""
    outcome_recorded_at: str | None = None
    created_at: str | None = None


_FIELDS = ("agency_id", "name", "kind", "started_on", "ended_on", "description", "goal", "success_measure",
           "area_json", "outcome", "arrests", "recoveries", "result", "outcome_recorded_at", "created_at")
_COLUMNS = "id, " + ", ".join(_FIELDS)


def list_operations(conn: sqlite3.Connection) -> list[OperationRow]:
    return [OperationRow(*r) for r in conn.execute(f"SELECT {_COLUMNS} FROM operations ORDER BY started_on DESC, id")]


def get_operation(conn: sqlite3.Connection, op_id: int) -> OperationRow | None:
    r = conn.execute(f"SELECT {_COLUMNS} FROM operations WHERE id = ?", (op_id,)).fetchone()
    return OperationRow(*r) if r else None


def add_operation(conn: sqlite3.Connection, op: OperationRow) -> int:
    values = [getattr(op, f) for f in _FIELDS]
    return int(conn.execute(f"INSERT INTO operations ({', '.join(_FIELDS)}) VALUES ({', '.join('?' * len(_FIELDS))})",
                            values).lastrowid)


def update_fields(conn: sqlite3.Connection, op_id: int, values: dict[str, object]) -> None:
    bad = set(values) - set(_FIELDS)
    if bad:
        raise KeyError(f"not operation fields: {sorted(bad)}")
    sets = ", ".join(f"{k} = ?" for k in values)
    conn.execute(f"UPDATE operations SET {sets} WHERE id = ?", (*values.values(), op_id))


def add_revision(conn: sqlite3.Connection, op_id: int, field: str, old: str, new: str, reason: str, actor: str,
                 at: str) -> int:
    return int(conn.execute("INSERT INTO operation_revisions (operation_id, field, old_value, new_value, reason, "
                            "actor, at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                            (op_id, field, old, new, reason, actor, at)).lastrowid)


def revisions(conn: sqlite3.Connection, op_id: int) -> list[tuple[str, str, str, str, str, str]]:
    """(at, field, old_value, new_value, reason, actor), oldest first."""
    return conn.execute("SELECT at, field, old_value, new_value, reason, actor FROM operation_revisions "
                        "WHERE operation_id = ? ORDER BY id", (op_id,)).fetchall()


def add_statement(conn: sqlite3.Connection, op_id: int, made_on: str, organisation: str, speaker: str, text: str,
                  url: str) -> int:
    return int(conn.execute("INSERT INTO operation_statements (operation_id, made_on, organisation, speaker, text, "
                            "url) VALUES (?, ?, ?, ?, ?, ?)",
                            (op_id, made_on, organisation.strip(), speaker.strip(), text.strip(),
                             url.strip())).lastrowid)


def statements(conn: sqlite3.Connection, op_id: int) -> list[tuple[int, str, str, str, str, str]]:
    """(id, made_on, organisation, speaker, text, url), oldest first."""
    return conn.execute("SELECT id, made_on, organisation, speaker, text, url FROM operation_statements "
                        "WHERE operation_id = ? ORDER BY made_on, id", (op_id,)).fetchall()


def set_cameras(conn: sqlite3.Connection, op_id: int, camera_ids: list[int]) -> None:
    conn.execute("DELETE FROM operation_cameras WHERE operation_id = ?", (op_id,))
    conn.executemany("INSERT INTO operation_cameras (operation_id, camera_id) VALUES (?, ?)",
                     ((op_id, int(c)) for c in sorted(set(camera_ids))))


def cameras(conn: sqlite3.Connection, op_id: int) -> list[int]:
    return [r[0] for r in conn.execute("SELECT camera_id FROM operation_cameras WHERE operation_id = ? "
                                       "ORDER BY camera_id", (op_id,))]


def set_partners(conn: sqlite3.Connection, op_id: int, partners: list[tuple[str, int | None]]) -> None:
    conn.execute("DELETE FROM operation_partners WHERE operation_id = ?", (op_id,))
    conn.executemany("INSERT INTO operation_partners (operation_id, organisation, agency_id) VALUES (?, ?, ?)",
                     ((op_id, name.strip(), aid) for name, aid in dict(partners).items() if name.strip()))


def partners(conn: sqlite3.Connection, op_id: int) -> list[tuple[str, int | None]]:
    return conn.execute("SELECT organisation, agency_id FROM operation_partners WHERE operation_id = ? "
                        "ORDER BY organisation", (op_id,)).fetchall()
