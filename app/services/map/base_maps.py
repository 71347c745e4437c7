"""Adding and removing base maps, for the window (in a job) and for `canvass basemap`. Adding or removing one is
an edit of the store: it needs IMPORT_DATA, and writes an audit entry in the same transaction as the change."""

from __future__ import annotations

import hashlib
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from app.core.basemap import BaseMap
from app.core.permissions import Permission
from app.io.osm_reader import OSMError, is_osm_file, read_osm
from app.io.tile_files import TileFileError, is_tile_file, open_tile_file
from app.services.session import Session
from app.store import basemap as store

FILE_FILTER = ("Base maps (*.osm *.osm.gz *.osm.bz2 *.osm.pbf *.pbf *.mbtiles *.pmtiles);;"
               "OpenStreetMap extracts (*.osm *.osm.gz *.osm.bz2 *.osm.pbf *.pbf);;"
               "Tile files (*.mbtiles *.pmtiles);;All files (*)")


class BaseMapError(ValueError):
    """The file cannot be a base map; the message says why and what to do. Nothing was written."""


@dataclass(frozen=True)
class Added:
    info: store.BaseMapInfo
    basemap: BaseMap | None       # the vector base map read (None for a tile file)


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def add_base_map(conn: sqlite3.Connection, session: Session, path: Path,
                 check: Callable[[], None] | None = None,
                 progress: Callable[[int, int], None] | None = None) -> Added:
    """Read an OSM extract (replacing the store's vector base map) or register a tile file. Raises BaseMapError
    (nothing written) on a bad file; ``check`` may raise to cancel (nothing written either)."""
    session.require(Permission.IMPORT_DATA)
    path = Path(path).expanduser().resolve()
    if is_tile_file(path):
        try:
            tf = open_tile_file(path)
        except TileFileError as exc:
            raise BaseMapError(str(exc)) from exc
        try:
            counts = {"tiles": tf.tile_count, "min_zoom": tf.min_zoom, "max_zoom": tf.max_zoom, "format": tf.format}
            base_id = store.add_tile_file(conn, tf.kind, tf.name, str(path), tf.attribution, counts, session.actor)
        finally:
            tf.close()
        return Added(next(i for i in store.list_base_maps(conn) if i.id == base_id), None)
    if not is_osm_file(path):
        raise BaseMapError(f"{path.name} is neither an OpenStreetMap extract (.osm, .osm.gz, .osm.pbf) nor a tile "
                           "file (.mbtiles, .pmtiles).")
    try:
        bm = read_osm(path, check, progress)
    except OSMError as exc:
        raise BaseMapError(str(exc)) from exc
    if check is not None:
        check()
    store.save_vector(conn, bm, session.actor, str(path), _sha256(path), check)
    info = store.vector_info(conn)
    assert info is not None
    return Added(info, bm)


def remove_base_map(conn: sqlite3.Connection, session: Session, base_id: int | None = None) -> int:
    """Remove one base layer, or all of them. Returns how many were removed."""
    session.require(Permission.IMPORT_DATA)
    return store.remove(conn, session.actor, base_id)
