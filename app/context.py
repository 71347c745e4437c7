"""What the window and its views share: the folders, the store connection and the signed-in session."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass

from app.paths import Paths
from app.services.session import Session


@dataclass
class AppContext:
    paths: Paths
    conn: sqlite3.Connection
    session: Session
    demo: bool = False

    @property
    def title(self) -> str:
        return "Demo city" if self.demo else str(self.paths.data_dir)
