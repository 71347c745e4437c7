"""Sign-in at launch. (Placeholder until the accountability work lands: signs in a local supervisor.)"""

from __future__ import annotations

import getpass
import sqlite3

from app.core.records import Role
from app.services.session import Session, User


def start_session(conn: sqlite3.Connection, demo: bool) -> Session | None:
    name = "demo" if demo else getpass.getuser()
    return Session(conn, User(None, name, Role.SUPERVISOR))
