"""Loading the demo city into a store. (Placeholder until the demo generator lands.)"""

from __future__ import annotations

import sqlite3


def ensure_demo_city(conn: sqlite3.Connection) -> None:
    return None
