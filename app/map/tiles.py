"""Optional online raster tiles ({z}/{x}/{y} URL template), off unless the user turns them on in Preferences.

Fetched asynchronously with QNetworkAccessManager (descriptive User-Agent, a few requests at a time), kept in
memory (LRU) and on disk as plain files <tile_cache_dir>/<source hash>/z/x/y.png. Offline or refused: a failed
tile is simply not drawn and is tried again after RETRY_S seconds — no dialogs, no waiting in the GUI thread.
"""

from __future__ import annotations

import hashlib
import logging
import math
import os
import time
from collections import OrderedDict
from pathlib import Path

import numpy as np
from PySide6.QtCore import QRectF, QTimer, QUrl, Signal
from PySide6.QtGui import QPainter, QPixmap
from PySide6.QtNetwork import QNetworkAccessManager, QNetworkReply, QNetworkRequest

from app import __version__
from app.core import geo
from app.map import painting
from app.map.layer_base import MapLayer, ViewState

log = logging.getLogger(__name__)

TILE_PX = 256
MAX_ZOOM = 19
MAX_PARALLEL = 6
MAX_TILES_PER_FRAME = 80
MEMORY_TILES = 256
RETRY_S = 60.0
TIMEOUT_MS = 15_000
USER_AGENT = f"Canvass/{__version__} (+local desktop app)"


def tile_zoom(m_per_px: float) -> int:
    """The zoom whose 256-px tiles show at about their own size (Mercator metres per screen pixel)."""
    world_px = 2 * geo.MERCATOR_HALF_WORLD_M / max(m_per_px, 1e-9)
    return int(min(MAX_ZOOM, max(0, round(math.log2(world_px / TILE_PX)))))


def tile_size_m(z: int) -> float:
    return 2 * geo.MERCATOR_HALF_WORLD_M / (1 << z)


def tile_range(z: int, x0: float, y0: float, x1: float, y1: float) -> tuple[int, int, int, int]:
    """Inclusive tile columns tx0..tx1 and rows ty0..ty1 (row 0 at the north edge) covering a Mercator rect."""
    n = 1 << z
    size = tile_size_m(z)
    h = geo.MERCATOR_HALF_WORLD_M

    def clamp(v: float) -> int:
        return int(min(n - 1, max(0, math.floor(v))))

    return clamp((x0 + h) / size), clamp((x1 + h) / size), clamp((h - y1) / size), clamp((h - y0) / size)


def tile_rect(z: int, tx: int, ty: int) -> tuple[float, float, float, float]:
    """(x0, y0, x1, y1) Mercator metres of one tile."""
    size = tile_size_m(z)
    h = geo.MERCATOR_HALF_WORLD_M
    return -h + tx * size, h - (ty + 1) * size, -h + (tx + 1) * size, h - ty * size


def tile_url(template: str, z: int, x: int, y: int) -> str:
    return template.replace("{z}", str(z)).replace("{x}", str(x)).replace("{y}", str(y)).replace(
        "{s}", "abc"[(x + y) % 3])


class TileLayer(MapLayer):
    key = "tiles"
    title = "Online map tiles"
    tip = "Raster map tiles from the tile server set in Preferences (off unless turned on there)"

    tile_arrived = Signal(int, int, int)
    tile_failed = Signal(int, int, int)

    def __init__(self, cache_dir: Path, template: str) -> None:
        super().__init__()
        self.cache_root = Path(cache_dir)
        self.nam = QNetworkAccessManager(self)
        self.memory: OrderedDict[tuple[int, int, int], QPixmap] = OrderedDict()
        self.pending: dict[tuple[int, int, int], QNetworkReply] = {}
        self.failed_at: dict[tuple[int, int, int], float] = {}
        self.wanted: list[tuple[int, int, int]] = []
        self.enabled = False
        self.set_template(template)
        self._fetch_timer = QTimer(self)
        self._fetch_timer.setSingleShot(True)
        self._fetch_timer.setInterval(0)
        self._fetch_timer.timeout.connect(self._fetch_wanted)

    def set_template(self, template: str) -> None:
        # Replies still on their way belong to the old server: drop them before they land in the new cache.
        self.shutdown()
        self.pending.clear()
        self.wanted.clear()
        self.template = template.strip()
        digest = hashlib.sha1(self.template.encode()).hexdigest()[:12]
        self.cache_dir = self.cache_root / digest
        self.memory.clear()
        self.failed_at.clear()
        self.update()

    def set_enabled(self, on: bool) -> None:
        self.enabled = bool(on)
        if not on:
            self.wanted.clear()
        self.update()

    def shutdown(self) -> None:
        for reply in list(self.pending.values()):
            reply.abort()

    # --- cache ---------------------------------------------------------------------------------------------------
    def cache_path(self, z: int, x: int, y: int) -> Path:
        return self.cache_dir / str(z) / str(x) / f"{y}.png"

    def pixmap(self, key: tuple[int, int, int]) -> QPixmap | None:
        pm = self.memory.get(key)
        if pm is not None:
            self.memory.move_to_end(key)
            return pm
        path = self.cache_path(*key)
        if path.is_file():
            pm = QPixmap()
            if pm.load(str(path)):
                self._remember(key, pm)
                return pm
        return None

    def _remember(self, key: tuple[int, int, int], pm: QPixmap) -> None:
        self.memory[key] = pm
        self.memory.move_to_end(key)
        while len(self.memory) > MEMORY_TILES:
            self.memory.popitem(last=False)

    # --- network -------------------------------------------------------------------------------------------------
    def _fetch_wanted(self) -> None:
        now = time.monotonic()
        while self.wanted and len(self.pending) < MAX_PARALLEL:
            key = self.wanted.pop(0)
            if key in self.pending or now - self.failed_at.get(key, -1e9) < RETRY_S:
                continue
            request = QNetworkRequest(QUrl(tile_url(self.template, *key)))
            request.setHeader(QNetworkRequest.KnownHeaders.UserAgentHeader, USER_AGENT)
            request.setTransferTimeout(TIMEOUT_MS)
            reply = self.nam.get(request)
            self.pending[key] = reply
            reply.finished.connect(lambda k=key, r=reply: self._finished(k, r))

    def _finished(self, key: tuple[int, int, int], reply: QNetworkReply) -> None:
        self.pending.pop(key, None)
        data = bytes(reply.readAll().data()) if reply.error() == QNetworkReply.NetworkError.NoError else b""
        status = reply.attribute(QNetworkRequest.Attribute.HttpStatusCodeAttribute)
        reply.deleteLater()
        pm = QPixmap()
        if not data or (status is not None and int(status) != 200) or not pm.loadFromData(data):
            log.debug("tile %s not available (%s, HTTP %s)", key, reply.errorString(), status)
            self.failed_at[key] = time.monotonic()
            self.tile_failed.emit(*key)
        else:
            self._remember(key, pm)
            self._store(key, data)
            self.tile_arrived.emit(*key)
            self.update()
        if self.wanted:
            self._fetch_timer.start()

    def _store(self, key: tuple[int, int, int], data: bytes) -> None:
        path = self.cache_path(*key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_bytes(data)
            os.replace(tmp, path)
        except OSError as exc:  # a full or read-only disk: the tile is still shown from memory
            log.warning("could not cache tile %s: %s", path, exc)

    # --- painting ------------------------------------------------------------------------------------------------
    def visible_tiles(self, vs: ViewState) -> list[tuple[int, int, int]]:
        z = tile_zoom(vs.m_per_px)
        tx0, tx1, ty0, ty1 = tile_range(z, vs.x0, vs.y0, vs.x1, vs.y1)
        keys = [(z, tx, ty) for ty in range(ty0, ty1 + 1) for tx in range(tx0, tx1 + 1)]
        return keys[:MAX_TILES_PER_FRAME]

    def paint(self, painter: QPainter, option: object, widget: object = None) -> None:
        vs = self.view_state()
        if not self.enabled or not self.template or vs is None or vs.width_px <= 0:
            return
        t = painter.transform()
        painter.resetTransform()
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
        missing = []
        for key in self.visible_tiles(vs):
            pm = self.pixmap(key)
            if pm is None:
                missing.append(key)
                continue
            x0, y0, x1, y1 = tile_rect(*key)
            (px0, px1), (py0, py1) = painting.to_device(t, np.array([x0, x1]), np.array([y0, y1]))
            painter.drawPixmap(QRectF(px0, min(py0, py1), px1 - px0, abs(py1 - py0)), pm,
                               QRectF(0, 0, pm.width(), pm.height()))
        if missing:
            self.wanted = missing
            self._fetch_timer.start()
