"""Loading generated data into a store: the Harbor Falls demo city, and large registries for benchmarks."""

from __future__ import annotations

import sqlite3

import numpy as np

from app.core.demo_city import KIND_CODES, SOURCE_CODES, registry_labels, registry_owner_count
from app.store.db import transaction

_CHUNK = 50_000


def insert_registry(conn: sqlite3.Connection, arrays: dict[str, np.ndarray],
                    registered_on: str = "2024-01-01T00:00:00Z", with_owners: bool = True) -> int:
    """Insert a ``large_registry`` (and, by default, its owners) in one transaction; returns cameras inserted.

    Rows get fresh ids from the store (the arrays' ``id`` becomes ``external_id`` only in CSV imports), so
    this works on a store that already has cameras. Owners are numbered after the existing ones.
    """
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
                    arrays["range_m"][start:stop].astype(np.float64).round(1).tolist(),
                    arrays["retention_days"][start:stop].tolist(),
                    [sources[s] for s in arrays["source"][start:stop].tolist()],
                    [registered_on] * (stop - start),
                    registry_labels(arrays, start, stop),
                    strict=True,
                ),
            )
    return n


def ensure_demo_city(conn: sqlite3.Connection) -> None:
    return None
