"""Agencies and partnership milestones in the store. sqlite3 only; no permission checks (those are in
app.services.program.agencies)."""

from __future__ import annotations

import sqlite3
from dataclasses import astuple, fields
from typing import Any

from app.core.agencies import FIELDS, Agency

_COLUMNS = "id, " + ", ".join(FIELDS)


def _agency(row: tuple) -> Agency:
    return Agency(*row)


def list_agencies(conn: sqlite3.Connection) -> list[Agency]:
    return [_agency(r) for r in conn.execute(f"SELECT {_COLUMNS} FROM agencies ORDER BY name COLLATE NOCASE, id")]


def get_agency(conn: sqlite3.Connection, agency_id: int) -> Agency | None:
    row = conn.execute(f"SELECT {_COLUMNS} FROM agencies WHERE id = ?", (agency_id,)).fetchone()
    return _agency(row) if row else None


def count_agencies(conn: sqlite3.Connection) -> int:
    return int(conn.execute("SELECT count(*) FROM agencies").fetchone()[0])


def add_agency(conn: sqlite3.Connection, agency: Agency) -> int:
    values = astuple(agency)[1:]
    cur = conn.execute(f"INSERT INTO agencies ({', '.join(FIELDS)}) VALUES ({', '.join('?' * len(FIELDS))})", values)
    return int(cur.lastrowid)


def add_agencies(conn: sqlite3.Connection, agencies: list[Agency]) -> list[int]:
    return [add_agency(conn, a) for a in agencies]


def update_agency(conn: sqlite3.Connection, agency: Agency) -> None:
    sets = ", ".join(f"{f} = ?" for f in FIELDS)
    conn.execute(f"UPDATE agencies SET {sets} WHERE id = ?", (*astuple(agency)[1:], agency.id))


def agency_row(conn: sqlite3.Connection, agency_id: int) -> dict[str, Any] | None:
    a = get_agency(conn, agency_id)
    return None if a is None else {f.name: getattr(a, f.name) for f in fields(a)}


def agency_in_use(conn: sqlite3.Connection, agency_id: int) -> str | None:
    """What refers to the agency (a deletion would break it), or None."""
    for table, what in (("footage_requests", "footage requests"), ("device_shipments", "shipments"),
                        ("distributions", "distributions"), ("download_credits", "download credits"),
                        ("operations", "operations"), ("incidents", "incidents or alerts")):
        n = conn.execute(f"SELECT count(*) FROM {table} WHERE agency_id = ?", (agency_id,)).fetchone()[0]
        if n:
            return f"{n} {what}"
    return None


def delete_agency(conn: sqlite3.Connection, agency_id: int) -> None:
    conn.execute("DELETE FROM agencies WHERE id = ?", (agency_id,))


def restore_agency(conn: sqlite3.Connection, row: dict[str, Any]) -> None:
    """Insert an agency row as agency_row gave it (its id and every field; no other column)."""
    cols = ["id", *FIELDS]
    conn.execute(f"INSERT INTO agencies ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
                 [row[c] for c in cols])


def partnerships(conn: sqlite3.Connection) -> list[tuple[str, str | None]]:
    """(name, partnered_on) of every agency that partnered at some point (active, suspended or ended)."""
    return conn.execute("SELECT name, partnered_on FROM agencies WHERE status != 'prospective' "
                        "AND partnered_on IS NOT NULL ORDER BY partnered_on").fetchall()


# --- milestones -------------------------------------------------------------------------------------------------
def list_milestones(conn: sqlite3.Connection) -> list[tuple[int, str, str]]:
    """(id, on_date, label), oldest first."""
    return conn.execute("SELECT id, on_date, label FROM milestones ORDER BY on_date, id").fetchall()


def add_milestone(conn: sqlite3.Connection, on_date: str, label: str, actor: str, now: str) -> int:
    cur = conn.execute("INSERT INTO milestones (on_date, label, created_by, created_at) VALUES (?, ?, ?, ?)",
                       (on_date, label.strip(), actor, now))
    return int(cur.lastrowid)


def delete_milestone(conn: sqlite3.Connection, milestone_id: int) -> None:
    conn.execute("DELETE FROM milestones WHERE id = ?", (milestone_id,))


def milestone_row(conn: sqlite3.Connection, milestone_id: int) -> dict[str, Any] | None:
    """The whole milestone (who marked it and when included): what an undo of its deletion puts back."""
    row = conn.execute("SELECT id, on_date, label, created_by, created_at FROM milestones WHERE id = ?",
                       (milestone_id,)).fetchone()
    return None if row is None else dict(zip(("id", "on_date", "label", "created_by", "created_at"), row, strict=True))


def restore_milestone(conn: sqlite3.Connection, row: dict[str, Any]) -> None:
    """Insert a milestone row as milestone_row gave it (its id and every column)."""
    conn.execute("INSERT INTO milestones (id, on_date, label, created_by, created_at) VALUES (?, ?, ?, ?, ?)",
                 (row["id"], row["on_date"], row["label"], row["created_by"], row["created_at"]))
