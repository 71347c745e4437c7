"""The program ledger in the store: shipments, distributions, download credits. sqlite3 only.

Rows come back as app.core.ledger.Entry for the arithmetic, and as plain tuples for the ledger view. No checks here:
app.services.program.ledger checks permissions and consistency (app.core.ledger.check_ledger) inside the transaction.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import Any

from app.core.ledger import CREDIT, DISTRIBUTION, SHIPMENT, Entry

TABLES = {SHIPMENT: "device_shipments", DISTRIBUTION: "distributions", CREDIT: "download_credits"}


@dataclass(frozen=True)
class DistributionRow:
    id: int
    shipment_id: int | None
    agency_id: int
    owner_id: int | None
    camera_id: int | None
    distributed_on: str
    units: int
    terms_shown: str
    terms_accepted: bool
    sharing_condition: bool
    installed_on: str | None
    owner_name: str


def entries(conn: sqlite3.Connection, agency_id: int) -> list[Entry]:
    """Every ledger entry of one agency, in no particular order (core.ledger orders them)."""
    out = [Entry(SHIPMENT, i, on, units) for i, on, units in conn.execute(
        "SELECT id, shipped_on, units FROM device_shipments WHERE agency_id = ?", (agency_id,))]
    out += [Entry(CREDIT, i, on, units, downloads=d) for i, on, units, d in conn.execute(
        "SELECT id, recorded_on, units_earned, downloads FROM download_credits WHERE agency_id = ?", (agency_id,))]
    out += [Entry(DISTRIBUTION, i, on, units, sid, inst, conditional=bool(c)) for i, on, units, sid, inst, c in
            conn.execute("SELECT id, distributed_on, units, shipment_id, installed_on, sharing_condition "
                         "FROM distributions WHERE agency_id = ?", (agency_id,))]
    return out


def shipments(conn: sqlite3.Connection, agency_id: int) -> list[tuple[int, str, int, str, str]]:
    """(id, shipped_on, units, model, notes), oldest first."""
    return conn.execute("SELECT id, shipped_on, units, model, notes FROM device_shipments WHERE agency_id = ? "
                        "ORDER BY shipped_on, id", (agency_id,)).fetchall()


def credits(conn: sqlite3.Connection, agency_id: int) -> list[tuple[int, str, int, int, str]]:
    """(id, period, downloads, units_earned, recorded_on), oldest first."""
    return conn.execute("SELECT id, period, downloads, units_earned, recorded_on FROM download_credits "
                        "WHERE agency_id = ? ORDER BY period, id", (agency_id,)).fetchall()


def distributions(conn: sqlite3.Connection, agency_id: int) -> list[DistributionRow]:
    rows = conn.execute(
        "SELECT d.id, d.shipment_id, d.agency_id, d.owner_id, d.camera_id, d.distributed_on, d.units, d.terms_shown, "
        "d.terms_accepted, d.sharing_condition, d.installed_on, IFNULL(o.display_name, '') FROM distributions d "
        "LEFT JOIN owners o ON o.id = d.owner_id WHERE d.agency_id = ? ORDER BY d.distributed_on, d.id",
        (agency_id,)).fetchall()
    return [DistributionRow(r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], bool(r[8]), bool(r[9]), r[10], r[11])
            for r in rows]


def add_shipment(conn: sqlite3.Connection, agency_id: int, shipped_on: str, units: int, model: str,
                 notes: str = "") -> int:
    return int(conn.execute("INSERT INTO device_shipments (agency_id, shipped_on, units, model, notes) VALUES "
                            "(?, ?, ?, ?, ?)", (agency_id, shipped_on, units, model, notes)).lastrowid)


def add_distribution(conn: sqlite3.Connection, agency_id: int, shipment_id: int | None, owner_id: int | None,
                     camera_id: int | None, distributed_on: str, units: int, terms_shown: str, terms_accepted: bool,
                     sharing_condition: bool, installed_on: str | None) -> int:
    return int(conn.execute(
        "INSERT INTO distributions (agency_id, shipment_id, owner_id, camera_id, distributed_on, units, terms_shown, "
        "terms_accepted, sharing_condition, installed_on) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (agency_id, shipment_id, owner_id, camera_id, distributed_on, units, terms_shown, int(terms_accepted),
         int(sharing_condition), installed_on)).lastrowid)


def set_installed(conn: sqlite3.Connection, distribution_id: int, camera_id: int | None,
                  installed_on: str | None) -> None:
    conn.execute("UPDATE distributions SET camera_id = ?, installed_on = ? WHERE id = ?",
                 (camera_id, installed_on, distribution_id))


def add_credit(conn: sqlite3.Connection, agency_id: int, period: str, downloads: int, units_earned: int,
               recorded_on: str) -> int:
    return int(conn.execute("INSERT INTO download_credits (agency_id, period, downloads, units_earned, recorded_on) "
                            "VALUES (?, ?, ?, ?, ?)", (agency_id, period, downloads, units_earned,
                                                        recorded_on)).lastrowid)


def credit_downloads(conn: sqlite3.Connection, agency_id: int, before_period: str) -> int:
    """Downloads credited to the agency in periods before this one (the carry-over for 'N downloads = 1 unit')."""
    return int(conn.execute("SELECT IFNULL(sum(downloads), 0) FROM download_credits WHERE agency_id = ? AND "
                            "period < ?", (agency_id, before_period)).fetchone()[0])


def has_credit(conn: sqlite3.Connection, agency_id: int, period: str) -> bool:
    return conn.execute("SELECT EXISTS (SELECT 1 FROM download_credits WHERE agency_id = ? AND period = ?)",
                        (agency_id, period)).fetchone()[0] == 1


def row(conn: sqlite3.Connection, kind: str, entry_id: int) -> dict[str, Any] | None:
    cur = conn.execute(f"SELECT * FROM {TABLES[kind]} WHERE id = ?", (entry_id,))
    r = cur.fetchone()
    return None if r is None else dict(zip([d[0] for d in cur.description], r, strict=True))


def delete(conn: sqlite3.Connection, kind: str, entry_id: int) -> None:
    conn.execute(f"DELETE FROM {TABLES[kind]} WHERE id = ?", (entry_id,))


def restore(conn: sqlite3.Connection, kind: str, values: dict[str, Any]) -> None:
    """Insert a row as row() gave it: only the table's own columns (ValueError otherwise)."""
    cols = list(values)
    known = [d[0] for d in conn.execute(f"SELECT * FROM {TABLES[kind]} LIMIT 0").description]
    unknown = [c for c in cols if c not in known]
    if unknown:
        raise ValueError(f"{TABLES[kind]} has no column {', '.join(map(repr, unknown))}")
    conn.execute(f"INSERT INTO {TABLES[kind]} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
                 [values[c] for c in cols])


def conditional_handouts(conn: sqlite3.Connection, agency_id: int | None = None) -> int:
    """Units handed out on condition of sharing footage (the transparency report counts these)."""
    where, params = ("AND agency_id = ?", (agency_id,)) if agency_id is not None else ("", ())
    return int(conn.execute(f"SELECT IFNULL(sum(units), 0) FROM distributions WHERE sharing_condition = 1 {where}",
                            params).fetchone()[0])


def owner_choices(conn: sqlite3.Connection, limit: int) -> list[tuple[int, str]]:
    """(id, display_name) of owners by name: whom a handout can be recorded to."""
    return conn.execute("SELECT id, display_name FROM owners ORDER BY display_name COLLATE NOCASE LIMIT ?",
                        (limit,)).fetchall()
