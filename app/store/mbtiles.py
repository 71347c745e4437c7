"""Reading a raster MBTiles file (SQLite: a `tiles` table of PNG/JPEG/WebP images, a `metadata` table), read-only."""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path


class MBTilesError(ValueError):
    """The file is not a raster MBTiles file the map can draw; the message says why."""


class MBTilesFile:
    """Tiles by slippy-map z/x/y (MBTiles rows count from the south: TMS); metadata as a dict of strings."""

    kind = "mbtiles"

    def __init__(self, path: Path) -> None:
        self.path = Path(path)
        self._local = threading.local()
        conn = self._conn()
        try:
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")}
        except sqlite3.DatabaseError as exc:
            raise MBTilesError(f"{self.path.name} is not an SQLite database ({exc}).") from exc
        if "tiles" not in tables:
            raise MBTilesError(f"{self.path.name} is an SQLite database without a 'tiles' table: not MBTiles.")
        self.metadata: dict[str, str] = {}
        if "metadata" in tables:
            self.metadata = {str(k): str(v) for k, v in conn.execute("SELECT name, value FROM metadata")}
        fmt = self.metadata.get("format", "png").lower()
        if fmt in ("pbf", "mvt"):
            raise MBTilesError(f"{self.path.name} holds vector tiles (format {fmt}); Canvass draws raster tiles "
                               "(PNG, JPEG, WebP). Add an OpenStreetMap extract for vector streets instead.")
        self.format = fmt
        row = conn.execute("SELECT MIN(zoom_level), MAX(zoom_level), COUNT(*) FROM tiles").fetchone()
        if not row or row[2] == 0:
            raise MBTilesError(f"{self.path.name} has no tiles.")
        self.min_zoom, self.max_zoom, self.tile_count = int(row[0]), int(row[1]), int(row[2])
        self.name = self.metadata.get("name") or self.path.stem
        self.attribution = self.metadata.get("attribution", "")
        self.bounds: tuple[float, float, float, float] | None = None  # west, south, east, north (degrees)
        try:
            w, south, e, n = (float(v) for v in self.metadata.get("bounds", "").split(","))
            if -180 <= w < e <= 180 and -90 <= south < n <= 90:
                self.bounds = (w, south, e, n)
        except ValueError:
            pass  # no bounds, or unreadable ones: the view stays where it is

    def _conn(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            if not self.path.is_file():
                raise MBTilesError(f"{self.path} does not exist.")
            try:
                conn = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False)
            except sqlite3.Error as exc:
                raise MBTilesError(f"{self.path.name} cannot be opened: {exc}.") from exc
            self._local.conn = conn
        return conn

    def get(self, z: int, x: int, y: int) -> bytes | None:
        if z < self.min_zoom or z > self.max_zoom:
            return None
        row = self._conn().execute(
            "SELECT tile_data FROM tiles WHERE zoom_level = ? AND tile_column = ? AND tile_row = ?",
            (z, x, (1 << z) - 1 - y)).fetchone()
        return None if row is None else bytes(row[0])

    def close(self) -> None:
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None
