"""Loading generated data into a store: the Harbor Falls demo city, and large registries for benchmarks."""

from __future__ import annotations

import sqlite3
from datetime import date
from typing import TYPE_CHECKING, Any

from app.store import audit, basemap
from app.store.db import transaction

if TYPE_CHECKING:
    import numpy as np

    from app.core.demo_city import DemoCity

# The generator (and numpy) are imported only when there is something to generate: opening an existing demo
# store happens before the window's first paint, and must not pay for them.

_CHUNK = 50_000


def insert_registry(conn: sqlite3.Connection, arrays: dict[str, np.ndarray],
                    registered_on: str = "2024-01-01T00:00:00Z", with_owners: bool = True) -> int:
    """Insert a ``large_registry`` (and, by default, its owners) in one transaction; returns cameras inserted.

    Rows get fresh ids from the store (the arrays' ``id`` becomes ``external_id`` only in CSV imports), so
    this works on a store that already has cameras. Owners are numbered after the existing ones.
    """
    from app.core.demo_city import KIND_CODES, SOURCE_CODES, registry_labels, registry_owner_count

    n = len(arrays["id"])
    kinds, sources = KIND_CODES, SOURCE_CODES
    with transaction(conn):
        owner_base = conn.execute("SELECT IFNULL(MAX(id), 0), IFNULL(MAX(anonymity_no), 0) FROM owners").fetchone()
        if with_owners:
            n_owners = registry_owner_count(arrays)
            for start in range(1, n_owners + 1, _CHUNK):
                stop = min(start + _CHUNK, n_owners + 1)
                conn.executemany(
                    "INSERT INTO owners (id, display_name, anonymity_no, consent, created_at) VALUES (?, ?, ?, ?, ?)",
                    ((owner_base[0] + i, f"Resident {i}", owner_base[1] + i,
                      "opt_out" if i % 7 == 0 else "opt_in", registered_on) for i in range(start, stop)),
                )
        for start in range(0, n, _CHUNK):
            stop = min(start + _CHUNK, n)
            owners = ((arrays["owner"][start:stop] + owner_base[0]).tolist() if with_owners
                      else [None] * (stop - start))
            conn.executemany(
                "INSERT INTO cameras (owner_id, lat, lon, kind, heading_deg, fov_deg, range_m, retention_days,"
                " source, registered_on, label) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                zip(
                    owners,
                    arrays["lat"][start:stop].tolist(),
                    arrays["lon"][start:stop].tolist(),
                    [kinds[k] for k in arrays["kind"][start:stop].tolist()],
                    arrays["heading_deg"][start:stop].tolist(),
                    arrays["fov_deg"][start:stop].tolist(),
                    arrays["range_m"][start:stop].astype("float64").round(1).tolist(),
                    arrays["retention_days"][start:stop].tolist(),
                    [sources[s] for s in arrays["source"][start:stop].tolist()],
                    [registered_on] * (stop - start),
                    registry_labels(arrays, start, stop),
                    strict=True,
                ),
            )
    return n


# table -> {column: table it refers to}; ids are renumbered after what a store already holds.
_TABLES: dict[str, dict[str, str]] = {
    "agencies": {},
    "owners": {},
    "import_batches": {},
    "cameras": {"owner_id": "owners", "import_id": "import_batches"},
    "incidents": {"agency_id": "agencies"},
    "device_shipments": {"agency_id": "agencies"},
    "distributions": {"shipment_id": "device_shipments", "agency_id": "agencies", "owner_id": "owners",
                      "camera_id": "cameras"},
    "download_credits": {"agency_id": "agencies"},
    "operations": {"agency_id": "agencies"},
}


def city_rows(city: DemoCity) -> dict[str, list[dict[str, Any]]]:
    return {
        "agencies": [city.agency], "owners": city.owners, "import_batches": city.import_batches,
        "cameras": city.cameras, "incidents": city.incidents, "device_shipments": city.device_shipments,
        "distributions": city.distributions, "download_credits": city.download_credits,
        "operations": city.operations,
    }


def ensure_demo_city(conn: sqlite3.Connection, *, seed: int = 7, n_cameras: int = 3000,
                     today: date | None = None) -> bool:
    """Fill a store that has no cameras with Harbor Falls, in one transaction. Returns whether it did.

    Users are not created here (sign-in owns them). Ids are offset past any rows already present, so a store
    that has, say, an agency but no cameras still gets a consistent city.
    """
    if conn.execute("SELECT EXISTS (SELECT 1 FROM cameras)").fetchone()[0]:
        ensure_demo_streets(conn)
        return False
    from app.core.demo_city import generate_city
    from app.core.demo_streets import demo_basemap

    city = generate_city(seed=seed, n_cameras=n_cameras, today=today)
    rows = city_rows(city)
    with transaction(conn):
        if conn.execute("SELECT EXISTS (SELECT 1 FROM cameras)").fetchone()[0]:
            return False  # another writer got there first
        base = {t: conn.execute(f"SELECT IFNULL(MAX(id), 0) FROM {t}").fetchone()[0] for t in _TABLES}
        anon_base = conn.execute("SELECT IFNULL(MAX(anonymity_no), 0) FROM owners").fetchone()[0]
        for table, refs in _TABLES.items():
            if not rows[table]:
                continue
            columns = list(rows[table][0])
            sql = f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
            fixes = {c: base[t] for c, t in refs.items()} | {"id": base[table]}
            if table == "owners":
                fixes["anonymity_no"] = anon_base
            conn.executemany(sql, ([r[c] + fixes[c] if c in fixes and r[c] is not None else r[c] for c in columns]
                                   for r in rows[table]))
        audit.append(conn, "system", "demo_city_created", f"city:{city.name}", {
            "seed": seed, "today": city.today.isoformat(), "cameras": len(city.cameras), "owners": len(city.owners),
            "incidents": len(city.incidents), "agency": city.agency["name"],
        })
        basemap.insert_vector(conn, demo_basemap(), "system")
    return True


def ensure_demo_streets(conn: sqlite3.Connection) -> bool:
    """Give a demo store made before it had streets its street map (one query when it has one already)."""
    if conn.execute("SELECT EXISTS (SELECT 1 FROM base_maps)").fetchone()[0]:
        return False
    if not conn.execute("SELECT EXISTS (SELECT 1 FROM audit_log WHERE action = 'demo_city_created')").fetchone()[0]:
        return False
    from app.core.demo_streets import demo_basemap

    with transaction(conn):
        basemap.insert_vector(conn, demo_basemap(), "system")
    return True


def is_demo_store(conn: sqlite3.Connection) -> bool:
    """Whether this store holds the generated demo city (a fictional city: real data does not belong in it)."""
    return bool(conn.execute(
        "SELECT EXISTS (SELECT 1 FROM audit_log WHERE action = 'demo_city_created')").fetchone()[0])
