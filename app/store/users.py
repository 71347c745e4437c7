"""Local users: name, role, password hash, active flag. sqlite3 only; the rules live in app.services.auth."""

from __future__ import annotations

import sqlite3

from app.core.records import Role, UserRecord, to_iso, utc_now

_COLUMNS = "id, name, role, password_hash, active, created_at"


def _record(row: tuple | None) -> UserRecord | None:
    if row is None:
        return None
    return UserRecord(int(row[0]), row[1], Role(row[2]), row[3], bool(row[4]), row[5])


def count(conn: sqlite3.Connection, *, active_only: bool = False, role: Role | None = None) -> int:
    sql = "SELECT count(*) FROM users WHERE 1"
    params: list[object] = []
    if active_only:
        sql += " AND active = 1"
    if role is not None:
        sql += " AND role = ?"
        params.append(role.value)
    return int(conn.execute(sql, params).fetchone()[0])


def add(conn: sqlite3.Connection, name: str, role: Role, password_hash: str, created_at: str | None = None) -> int:
    """Insert a user; sqlite3.IntegrityError if the name is taken (names are unique regardless of case)."""
    cur = conn.execute("INSERT INTO users (name, role, password_hash, active, created_at) VALUES (?, ?, ?, 1, ?)",
                       (name, role.value, password_hash, created_at or to_iso(utc_now())))
    return int(cur.lastrowid or 0)


def get(conn: sqlite3.Connection, user_id: int) -> UserRecord | None:
    return _record(conn.execute(f"SELECT {_COLUMNS} FROM users WHERE id = ?", (user_id,)).fetchone())


def get_by_name(conn: sqlite3.Connection, name: str) -> UserRecord | None:
    return _record(conn.execute(f"SELECT {_COLUMNS} FROM users WHERE name = ?", (name.strip(),)).fetchone())


def names(conn: sqlite3.Connection) -> list[str]:
    return [r[0] for r in conn.execute("SELECT name FROM users ORDER BY name COLLATE NOCASE")]


def list_all(conn: sqlite3.Connection) -> list[UserRecord]:
    rows = conn.execute(f"SELECT {_COLUMNS} FROM users ORDER BY name COLLATE NOCASE").fetchall()
    return [r for r in (_record(row) for row in rows) if r is not None]


def set_role(conn: sqlite3.Connection, user_id: int, role: Role) -> None:
    conn.execute("UPDATE users SET role = ? WHERE id = ?", (role.value, user_id))


def set_active(conn: sqlite3.Connection, user_id: int, active: bool) -> None:
    conn.execute("UPDATE users SET active = ? WHERE id = ?", (1 if active else 0, user_id))


def set_password_hash(conn: sqlite3.Connection, user_id: int, password_hash: str) -> None:
    conn.execute("UPDATE users SET password_hash = ? WHERE id = ?", (password_hash, user_id))
