"""The address search over a store: its base map's streets and house numbers, and its incidents' case numbers.

Use ``geocode(conn, text)`` to place something that has only an address (a post's block address, say), and
``search(conn, text)`` for the list the map's "Go to address" box shows. Searching is not a sensitive act (it reads
the base map and case numbers, never owners), so it is not audited. The index is built once per store and rebuilt
when the base map or the incidents change.
"""

from __future__ import annotations

import sqlite3
import threading

from app.core.address_index import AddressIndex, Match, RecordPoint
from app.store import basemap as store

_lock = threading.Lock()
_cache: dict[str, tuple[tuple, AddressIndex]] = {}


def index_for(conn: sqlite3.Connection) -> AddressIndex:
    """The store's address index (cached; rebuilt when the base map or the incidents changed)."""
    stamp = store.search_stamp(conn)
    with _lock:
        hit = _cache.get(stamp[0])
        if hit is not None and hit[0] == stamp:
            return hit[1]
    records = [RecordPoint(i, case, f"{category}, {occurred[:10]}", lat, lon)
               for i, case, category, occurred, lat, lon in store.searchable_incidents(conn)]
    index = AddressIndex(store.load_vector(conn), records)
    with _lock:
        _cache[stamp[0]] = (stamp, index)
    return index


def forget(conn: sqlite3.Connection) -> None:
    """Drop the store's cached index (call after moving incidents: additions are noticed without it)."""
    path = conn.execute("PRAGMA database_list").fetchone()[2]
    with _lock:
        _cache.pop(path, None)


def search(conn: sqlite3.Connection, text: str, limit: int = 10) -> list[Match]:
    """Streets, addresses, intersections, case numbers and incidents matching ``text``, exact before partial."""
    return index_for(conn).search(text, limit)


def geocode(conn: sqlite3.Connection, text: str) -> tuple[float, float, str] | None:
    """Place an address offline: ``(lat, lon, matched_name)`` of the best match in the store's base map, or None.

    ``text`` may be a street ("Main St"), a street and house number ("412 Main Street", "Main Street 412"), a
    block address ("400 block of Main St" — the middle of that block side when the base map has number ranges,
    else the nearest known number), an intersection ("Main St & 4th Ave"), or a case number. Case, accents and
    the usual abbreviations do not matter. ``matched_name`` says what was found (e.g. "412 1st Street", or
    "12 Rue Grimaldi (nearest number)"), so a caller can show how the place was chosen. None when the store has
    no base map with that street (and nothing else matches).
    """
    return index_for(conn).geocode(text)


def has_addresses(conn: sqlite3.Connection) -> bool:
    """Whether the store's base map has any street names to search."""
    return bool(index_for(conn).streets)
