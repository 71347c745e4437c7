"""A small, fixed world for footage-request tests: users, an agency with a jurisdiction, owners, cameras, incidents.

Written with plain SQL so the request tests do not depend on other features' store modules.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from app.core.fence import CircleFence
from app.core.records import Role, to_iso
from app.services.session import Session, User
from app.store.db import transaction

LAT, LON = 39.29, -76.61
NOW = datetime(2026, 6, 1, 12, tzinfo=timezone.utc)
PATTERN = r"^BPD-\d{2}-\d{6}$"
JURISDICTION = ('{"type": "Polygon", "coordinates": [[[-76.71, 39.19], [-76.51, 39.19], [-76.51, 39.39], '
                '[-76.71, 39.39], [-76.71, 39.19]]]}')
GOOD_FENCE = CircleFence(LAT, LON, 300.0)   # ≈ 0.11 sq mi


@dataclass
class World:
    conn: sqlite3.Connection
    agency_id: int
    incident_id: int
    users: dict[str, User]
    owner_ids: list[int]

    def session(self, name: str) -> Session:
        return Session(self.conn, self.users[name])


def m_to_deg(north_m: float, east_m: float) -> tuple[float, float]:
    import math

    return LAT + north_m / 111_195.0, LON + east_m / (111_195.0 * math.cos(math.radians(LAT)))


def add_user(conn: sqlite3.Connection, name: str, role: Role) -> User:
    cur = conn.execute("INSERT INTO users (name, role, password_hash, created_at) VALUES (?, ?, 'x', ?)",
                       (name, role.value, to_iso(NOW)))
    return User(int(cur.lastrowid or 0), name, role)


def add_owner(conn: sqlite3.Connection, name: str, consent: str = "opt_in") -> int:
    no = conn.execute("SELECT IFNULL(MAX(anonymity_no), 100) + 1 FROM owners").fetchone()[0]
    cur = conn.execute("INSERT INTO owners (display_name, email, phone, address, consent, anonymity_no, created_at) "
                       "VALUES (?, ?, '555-0100', ?, ?, ?, ?)",
                       (name, f"{name.lower().replace(' ', '.')}@example.org", f"{no} Example St", consent, no,
                        to_iso(NOW)))
    return int(cur.lastrowid or 0)


def add_camera(conn: sqlite3.Connection, owner_id: int | None, lat: float, lon: float, heading: float | None = None,
               fov: float | None = None, range_m: float | None = None, retention_days: int | None = 30,
               kind: str = "doorbell") -> int:
    cur = conn.execute("INSERT INTO cameras (owner_id, lat, lon, kind, heading_deg, fov_deg, range_m, retention_days, "
                       "source, registered_on) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'self_registered', ?)",
                       (owner_id, lat, lon, kind, heading, fov, range_m, retention_days, to_iso(NOW)))
    return int(cur.lastrowid or 0)


def add_agency(conn: sqlite3.Connection, name: str = "Baltimore Police Department", pattern: str = PATTERN,
               jurisdiction: str | None = JURISDICTION) -> int:
    cur = conn.execute("INSERT INTO agencies (name, kind, city, state, jurisdiction_geojson, case_number_pattern) "
                       "VALUES (?, 'police', 'Baltimore', 'MD', ?, ?)", (name, jurisdiction, pattern))
    return int(cur.lastrowid or 0)


def add_incident(conn: sqlite3.Connection, agency_id: int, lat: float = LAT, lon: float = LON,
                 occurred_at: datetime = NOW - timedelta(hours=4), category: str = "robbery") -> int:
    cur = conn.execute("INSERT INTO incidents (occurred_at, lat, lon, category, source, case_number, agency_id, "
                       "created_at) VALUES (?, ?, ?, ?, 'agency_report', '', ?, ?)",
                       (to_iso(occurred_at), lat, lon, category, agency_id, to_iso(NOW)))
    return int(cur.lastrowid or 0)


def build_world(conn: sqlite3.Connection) -> World:
    """Three users (analyst, two supervisors), one agency, five owners (one opted out) with cameras round the
    incident: owner A has two cameras, one of them looking at the incident."""
    with transaction(conn):
        users = {"ana": add_user(conn, "ana", Role.ANALYST), "sam": add_user(conn, "sam", Role.SUPERVISOR),
                 "sue": add_user(conn, "sue", Role.SUPERVISOR), "aud": add_user(conn, "aud", Role.AUDITOR)}
        agency = add_agency(conn)
        incident = add_incident(conn, agency)
        owners = [add_owner(conn, n) for n in ("Alice Adams", "Bob Brown", "Carol Chen", "Dan Diaz")]
        owners.append(add_owner(conn, "Eve Evans", consent="opt_out"))
        a, b, c, d, e = owners
        add_camera(conn, a, *m_to_deg(-40, 0), heading=0, fov=90, range_m=60)   # looks at the incident
        add_camera(conn, a, *m_to_deg(-150, 30))
        add_camera(conn, b, *m_to_deg(80, 0))
        add_camera(conn, c, *m_to_deg(0, 120), retention_days=0)                # nothing kept
        add_camera(conn, d, *m_to_deg(200, 0))
        add_camera(conn, e, *m_to_deg(10, 10))                                   # opted out
        add_camera(conn, None, *m_to_deg(20, -20), kind="city_cctv")              # nobody to ask
        add_camera(conn, d, *m_to_deg(2000, 0))                                  # outside the fence
    return World(conn, agency, incident, users, owners)
