"""The map's base layers (a helper object of the map panel): the store's vector base map, its offline tile files
and the online tiles; adding (in a job with progress and Cancel) and removing them; what the status bar says
when online tiles fail; the attribution of whatever base layers are shown."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QObject, QRectF, Signal
from PySide6.QtWidgets import QMessageBox

from app.core import geo
from app.core.permissions import Permission
from app.io.tile_files import TileFileError, open_tile_file
from app.map.basemap_layer import BaseMapLayer
from app.map.layer_base import MapLayer
from app.map.tiles import FileTileLayer
from app.services.map import address_search
from app.services.map.base_maps import FILE_FILTER, Added, add_base_map, remove_base_map
from app.store import basemap as store
from app.store.db import connect
from app.views.widgets import files
from app.workers.jobs import JobControl, run_job, run_task

if TYPE_CHECKING:
    from app.views.map.panel import MapPanel

log = logging.getLogger(__name__)
STATUS_MS = 15_000


def tile_file_key(info: store.BaseMapInfo) -> str:
    return f"tilefile:{info.id}"


class BaseLayers(QObject):
    changed = Signal()        # base layers added or removed (the layer list and attribution follow)
    vector_loaded = Signal()  # the stored vector base map is on the map (or known to be absent)

    def __init__(self, panel: MapPanel) -> None:
        super().__init__(panel)
        self.panel = panel
        self.window_ = panel.window_
        self.vector = BaseMapLayer()
        panel.canvas.add_layer(self.vector)
        self.files: list[FileTileLayer] = []
        self.infos: list[store.BaseMapInfo] = []
        self.vector_info: store.BaseMapInfo | None = None
        self.loading = False
        panel.tiles.network_failed.connect(self._tiles_failed)
        panel.tiles.network_recovered.connect(self._tiles_recovered)

    def layers(self) -> list[MapLayer]:
        """Base layers, top first: online tiles, tile files, the vector base map."""
        return [self.panel.tiles, *self.files, self.vector]

    def is_base(self, layer: MapLayer) -> bool:
        return layer in self.layers()

    def status(self, text: str) -> None:
        self.window_.statusBar().showMessage(text, STATUS_MS)

    # --- loading what the store has ------------------------------------------------------------------------------
    def load(self) -> None:
        """Tile files now (opening one is a header read); the vector base map off the GUI thread."""
        conn = self.window_.ctx.conn
        self.infos = store.list_base_maps(conn)
        self.vector_info = next((i for i in self.infos if i.kind == "vector"), None)
        for info in self.infos:
            if info.kind != "vector":
                self._open_tile_file(info, quiet=True)
        self.changed.emit()
        if self.vector_info is None:
            self.vector.set_basemap(None)
            self.vector_loaded.emit()
            return
        db_path = self.window_.ctx.paths.db_path
        self.loading = True

        def work() -> object:
            c = connect(db_path)
            try:
                return store.load_vector(c)
            finally:
                c.close()

        def done(bm: object) -> None:
            self.loading = False
            self.vector.set_basemap(bm)  # type: ignore[arg-type]
            self.vector_loaded.emit()
            self.changed.emit()
            self.warm_search()

        def failed(msg: str, _tb: str) -> None:
            self.loading = False
            log.error("base map not loaded: %s", msg)
            self.status(f"The stored base map could not be read: {msg}")
            self.vector_loaded.emit()

        run_task(work, done, failed)

    def warm_search(self) -> None:
        """Build the store's address index off the GUI thread, so the first keystroke of Go to Address does not
        wait for it (0.5 s at 100,000 addresses)."""
        db_path = self.window_.ctx.paths.db_path

        def work() -> None:
            c = connect(db_path)
            try:
                address_search.index_for(c)
            finally:
                c.close()

        run_task(work, None, lambda msg, _tb: log.warning("address index not built ahead: %s", msg))

    def _open_tile_file(self, info: store.BaseMapInfo, quiet: bool) -> FileTileLayer | None:
        try:
            tf = open_tile_file(Path(info.source_path))
        except TileFileError as exc:
            log.warning("tile file %s not opened: %s", info.source_path, exc)
            if not quiet:
                raise
            self.status(f"Base layer “{info.source_name}” is not shown: {exc} (File ▸ Remove Base Map takes it out.)")
            return None
        layer = FileTileLayer(tf, tile_file_key(info), f"{info.source_name} (tile file)")
        self.files.append(layer)
        self.panel.canvas.add_layer(layer)
        return layer

    # --- adding ----------------------------------------------------------------------------------------------------
    def choose_and_add(self) -> None:
        if not self.window_.ctx.session.can(Permission.IMPORT_DATA):
            QMessageBox.information(self.panel, "Add Base Map", "Your role may not change the store's base map.")
            return
        path = files.choose_open_file(self.panel, "Add Base Map", FILE_FILTER, "base_map")
        if path is not None:
            self.add_file(path)

    def add_file(self, path: Path) -> None:
        db_path = self.window_.ctx.paths.db_path
        session = self.window_.ctx.session
        path = Path(path)

        def work(control: JobControl) -> Added:
            conn = connect(db_path)
            try:
                return add_base_map(conn, session, path, control.check, control.progress)
            finally:
                conn.close()

        def failed(msg: str, _tb: str) -> None:
            QMessageBox.warning(self.panel, "Base map not added",
                                f"{path.name} was not added as a base map.\n\n{msg}\n\nThe store was not changed.")

        run_job(self.window_, f"Adding the base map {path.name}…", work, self._added, failed,
                lambda: self.status(f"Adding {path.name} was cancelled; the store was not changed."),
                pool_name="writer")

    def _added(self, added: Added) -> None:
        info = added.info
        self.infos = store.list_base_maps(self.window_.ctx.conn)
        if info.kind == "vector":
            self.vector_info = info
            self.vector.set_basemap(added.basemap)
            self.vector.setVisible(True)
            bounds = self.vector.data_bounds()
        else:
            for old in [f for f in self.files if f.key == tile_file_key(info)]:
                self._drop(old)
            layer = self._open_tile_file(info, quiet=True)
            bounds = None if layer is None else _tile_file_bounds(layer)
        c = info.counts
        what = (f"{c.get('roads', 0):,} roads, {c.get('street_names', 0):,} street names, "
                f"{c.get('addresses', 0):,} addresses" if info.kind == "vector" else f"{c.get('tiles', 0):,} tiles")
        self.status(f"Base map “{info.source_name}” added: {what}.")
        self.changed.emit()
        if info.kind == "vector":
            self.warm_search()
        if bounds is not None:
            self.panel.canvas.vb.setRange(bounds, padding=0.02)

    # --- removing --------------------------------------------------------------------------------------------------
    def remove(self, base_id: int | None = None) -> int:
        """Remove one base layer (by its store id) or, with None, all of them, after asking. Returns how many."""
        conn = self.window_.ctx.conn
        infos = store.list_base_maps(conn)
        chosen = [i for i in infos if base_id is None or i.id == base_id]
        if not chosen:
            QMessageBox.information(self.panel, "Remove Base Map", "This store has no base map.")
            return 0
        if not self.window_.ctx.session.can(Permission.IMPORT_DATA):
            QMessageBox.information(self.panel, "Remove Base Map", "Your role may not change the store's base map.")
            return 0
        names = "\n".join(f"• {i.source_name}" for i in chosen)
        answer = QMessageBox.question(self.panel, "Remove Base Map",
                                      f"Remove from this store:\n{names}\n\nTile files stay on disk; a removed "
                                      "extract can be added again from its file.")
        if answer != QMessageBox.StandardButton.Yes:
            return 0
        n = 0
        for info in chosen:
            n += remove_base_map(conn, self.window_.ctx.session, info.id)
            if info.kind == "vector":
                self.vector_info = None
                self.vector.set_basemap(None)
            for layer in [f for f in self.files if f.key == tile_file_key(info)]:
                self._drop(layer)
        self.infos = store.list_base_maps(conn)
        self.status(f"Removed {n} base map{'s' if n != 1 else ''} from the store.")
        self.changed.emit()
        return n

    def remove_selected_or_all(self, key: str | None) -> int:
        for info in self.infos:
            if key == tile_file_key(info) or (key == self.vector.key and info.kind == "vector"):
                return self.remove(info.id)
        return self.remove(None)

    def _drop(self, layer: FileTileLayer) -> None:
        self.files.remove(layer)
        self.panel.canvas.layers.remove(layer)
        self.panel.canvas.vb.removeItem(layer)
        layer.shutdown()

    # --- online tiles and attribution ------------------------------------------------------------------------------
    def _tiles_failed(self, reason: str) -> None:
        offline = [la.title for la in (self.vector, *self.files) if la.isVisible() and self._has_content(la)]
        fallback = f"showing {', '.join(offline)} instead" if offline else "no offline base map to show instead " \
            "(File ▸ Add Base Map…)"
        self.status(f"Online map tiles are not available ({reason}): {fallback}.")

    def _tiles_recovered(self) -> None:
        self.status("Online map tiles are available again.")

    def _has_content(self, layer: MapLayer) -> bool:
        return layer is not self.vector or self.vector.basemap is not None

    def attribution(self) -> str:
        from app import settings

        parts = []
        if self.panel.tiles.isVisible() and self.panel.tiles.enabled:
            parts.append(str(settings.get("map/tile_attribution")))
        for layer in self.files:
            if layer.isVisible() and layer.attribution:
                parts.append(layer.attribution)
        if self.vector.isVisible() and self.vector.basemap is not None and self.vector.basemap.attribution:
            parts.append(self.vector.basemap.attribution)
        return " · ".join(dict.fromkeys(p for p in parts if p))


def _tile_file_bounds(layer: FileTileLayer) -> QRectF | None:
    """The tile file's own bounds in Mercator metres, when it states them (else the view stays where it is)."""
    box = getattr(layer.file, "bounds", None)
    if box is None:
        return None
    (x0, x1), (y0, y1) = (geo.lonlat_to_xy(np.array([box[0], box[2]]), np.array([box[1], box[3]])))
    return QRectF(float(x0), float(y0), float(x1 - x0), float(y1 - y0))
