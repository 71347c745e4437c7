"""Raster tiles: online ({z}/{x}/{y} URL template, off unless turned on in Preferences) and offline tile files.

Every raster layer draws, for a tile it does not have yet, the nearest ancestor it has, scaled up (so panning
and zooming never show blank squares while tiles load, and a tile file shows past its deepest zoom).

Online tiles are fetched asynchronously with QNetworkAccessManager (descriptive User-Agent, a few requests at a
time), kept in memory (LRU) and on disk as plain files <tile_cache_dir>/<source hash>/z/x/y.png whose
modification time is the moment the tile expires: the server's Cache-Control max-age or Expires, else
DEFAULT_MAX_AGE_S (the set age). An expired tile is still drawn and fetched again. Offline or refused: a failed
tile is not drawn (lower base layers show through: the offline base map, tile files) and is tried again after
``retry_s``; the first failure of an outage is announced once with ``network_failed`` and the recovery with
``network_recovered`` — no dialogs, no waiting in the GUI thread.
"""

from __future__ import annotations

import email.utils
import hashlib
import logging
import math
import os
import re
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
DEFAULT_MAX_AGE_S = 7 * 86_400.0
MAX_PARENT_LEVELS = 8
BASE_Z = -80.0
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


def _max_age_s(cache_control: str, expires: str, now: float, default_s: float) -> float:
    """Seconds a tile stays fresh: max-age (no-cache/no-store: 0), else Expires, else the set age."""
    cc = cache_control.lower()
    if "no-store" in cc or "no-cache" in cc:
        return 0.0
    m = re.search(r"max-age\s*=\s*(\d+)", cc)
    if m:
        return float(m.group(1))
    if expires:
        try:
            when = email.utils.parsedate_to_datetime(expires)
            return max(0.0, when.timestamp() - now)
        except (TypeError, ValueError, IndexError):
            return 0.0  # an invalid Expires means "already expired" (RFC 9111)
    return default_s


class RasterTileLayer(MapLayer):
    """Draws 256-px tiles from ``pixmap(key)``; a missing tile is drawn from its nearest ``cached_pixmap``
    ancestor, scaled. Subclasses say where pixmaps come from and what to do about missing ones."""

    attribution = ""

    def __init__(self) -> None:
        super().__init__()
        self.setZValue(BASE_Z)
        self.opacity_ = 1.0
        self.frame_stats: dict[str, int] = {}

    def max_zoom(self) -> int:
        return MAX_ZOOM

    def pixmap(self, key: tuple[int, int, int]) -> QPixmap | None:
        raise NotImplementedError

    def cached_pixmap(self, key: tuple[int, int, int]) -> QPixmap | None:
        """A pixmap already at hand (no fetching): used for the ancestors of missing tiles."""
        return self.pixmap(key)

    def active(self) -> bool:
        return True

    def visible_tiles(self, vs: ViewState) -> list[tuple[int, int, int]]:
        z = min(tile_zoom(vs.m_per_px), MAX_ZOOM)
        tx0, tx1, ty0, ty1 = tile_range(z, vs.x0, vs.y0, vs.x1, vs.y1)
        keys = [(z, tx, ty) for ty in range(ty0, ty1 + 1) for tx in range(tx0, tx1 + 1)]
        return keys[:MAX_TILES_PER_FRAME]

    def missing(self, keys: list[tuple[int, int, int]]) -> None:
        """Called after a frame with the tiles it had to draw from an ancestor (or not at all)."""

    def paint(self, painter: QPainter, option: object, widget: object = None) -> None:
        vs = self.view_state()
        if not self.active() or vs is None or vs.width_px <= 0:
            return
        t = painter.transform()
        painter.resetTransform()
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
        missing = []
        stats = {"tiles": 0, "parents": 0, "blank": 0}
        top = self.max_zoom()
        for key in self.visible_tiles(vs):
            z, tx, ty = key
            pm, up = (self.pixmap(key), 0) if z <= top else (None, 0)
            if pm is None:
                missing.append(key) if z <= top else None
                for up in range(max(1, z - top), min(MAX_PARENT_LEVELS, z) + 1):
                    pm = self.cached_pixmap((z - up, tx >> up, ty >> up))
                    if pm is not None:
                        break
            if pm is None:
                stats["blank"] += 1
                continue
            x0, y0, x1, y1 = tile_rect(*key)
            (px0, px1), (py0, py1) = painting.to_device(t, np.array([x0, x1]), np.array([y0, y1]))
            target = QRectF(px0, min(py0, py1), px1 - px0, abs(py1 - py0))
            if up == 0:
                painter.drawPixmap(target, pm, QRectF(0, 0, pm.width(), pm.height()))
                stats["tiles"] += 1
            else:
                span = pm.width() / (1 << up)
                sx, sy = (tx - ((tx >> up) << up)) * span, (ty - ((ty >> up) << up)) * span
                painter.drawPixmap(target, pm, QRectF(sx, sy, span, pm.height() / (1 << up)))
                stats["parents"] += 1
        self.frame_stats = stats
        if missing:
            self.missing(missing)


class FileTileLayer(RasterTileLayer):
    """An offline tile file (MBTiles or PMTiles) as a base layer: read on the GUI thread (a local lookup of a few
    kilobytes), decoded pixmaps kept in an LRU."""

    def __init__(self, tile_file: object, key: str, title: str) -> None:
        super().__init__()
        self.file = tile_file
        self.key = key
        self.title = title
        self.tip = f"Offline tiles from {tile_file.path} (zoom {tile_file.min_zoom}-{tile_file.max_zoom})"
        self.attribution = tile_file.attribution
        self.memory: OrderedDict[tuple[int, int, int], QPixmap | None] = OrderedDict()
        self.setZValue(BASE_Z - 10)

    def max_zoom(self) -> int:
        return int(self.file.max_zoom)

    def pixmap(self, key: tuple[int, int, int]) -> QPixmap | None:
        if key in self.memory:
            self.memory.move_to_end(key)
            return self.memory[key]
        data = self.file.get(*key) if key[0] >= self.file.min_zoom else None
        pm = None
        if data:
            pm = QPixmap()
            if not pm.loadFromData(data):
                pm = None
        self.memory[key] = pm
        while len(self.memory) > MEMORY_TILES:
            self.memory.popitem(last=False)
        return pm

    def shutdown(self) -> None:
        self.file.close()


class TileLayer(RasterTileLayer):
    key = "tiles"
    title = "Online map tiles"
    tip = "Raster map tiles from the tile server set in Preferences (off unless turned on there)"

    tile_arrived = Signal(int, int, int)
    tile_failed = Signal(int, int, int)
    network_failed = Signal(str)     # once per outage: what went wrong
    network_recovered = Signal()

    def __init__(self, cache_dir: Path, template: str, max_age_s: float = DEFAULT_MAX_AGE_S) -> None:
        super().__init__()
        self.max_age_s = max_age_s
        self.retry_s = RETRY_S
        self.offline = False
        self.stale: set[tuple[int, int, int]] = set()
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
        # A tile that failed is asked for again once retry_s has passed, if it is still in view: the map fills in by
        # itself when the server is back, without waiting for the user to pan.
        self._retry_timer = QTimer(self)
        self._retry_timer.setSingleShot(True)
        self._retry_timer.timeout.connect(self.update)

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

    def active(self) -> bool:
        return self.enabled and bool(self.template)

    def pixmap(self, key: tuple[int, int, int]) -> QPixmap | None:
        pm = self.memory.get(key)
        if pm is not None:
            self.memory.move_to_end(key)
            return pm
        path = self.cache_path(*key)
        try:
            expires_at = path.stat().st_mtime
        except OSError:
            return None
        pm = QPixmap()
        if pm.load(str(path)):
            self._remember(key, pm)
            if expires_at <= time.time():
                self.stale.add(key)  # drawn as it is, and fetched again
            return pm
        return None

    def cached_pixmap(self, key: tuple[int, int, int]) -> QPixmap | None:
        pm = self.memory.get(key)
        return pm if pm is not None else self.pixmap(key)

    def _remember(self, key: tuple[int, int, int], pm: QPixmap) -> None:
        self.memory[key] = pm
        self.memory.move_to_end(key)
        while len(self.memory) > MEMORY_TILES:
            self.memory.popitem(last=False)

    # --- network -------------------------------------------------------------------------------------------------
    def _fetch_wanted(self) -> None:
        now = time.monotonic()
        soonest: float | None = None  # seconds until the first tile skipped here may be asked for again
        while self.wanted and len(self.pending) < MAX_PARALLEL:
            key = self.wanted.pop(0)
            if key in self.pending:
                continue
            wait = self.retry_s - (now - self.failed_at.get(key, -1e9))
            if wait > 0:
                soonest = wait if soonest is None else min(soonest, wait)
                continue
            request = QNetworkRequest(QUrl(tile_url(self.template, *key)))
            request.setHeader(QNetworkRequest.KnownHeaders.UserAgentHeader, USER_AGENT)
            request.setTransferTimeout(TIMEOUT_MS)
            reply = self.nam.get(request)
            self.pending[key] = reply
            reply.finished.connect(lambda k=key, r=reply: self._finished(k, r))
        if soonest is not None and not self._retry_timer.isActive():
            self._retry_timer.start(int(soonest * 1000) + 1)  # then a repaint asks again for what is in view

    def _finished(self, key: tuple[int, int, int], reply: QNetworkReply) -> None:
        self.pending.pop(key, None)
        data = bytes(reply.readAll().data()) if reply.error() == QNetworkReply.NetworkError.NoError else b""
        status = reply.attribute(QNetworkRequest.Attribute.HttpStatusCodeAttribute)
        reply.deleteLater()
        error = reply.error()
        cache_control = bytes(reply.rawHeader("Cache-Control").data()).decode("latin-1")
        expires = bytes(reply.rawHeader("Expires").data()).decode("latin-1")
        pm = QPixmap()
        if not data or (status is not None and int(status) != 200) or not pm.loadFromData(data):
            log.debug("tile %s not available (%s, HTTP %s)", key, reply.errorString(), status)
            self.failed_at[key] = time.monotonic()
            self.tile_failed.emit(*key)
            server_trouble = status is not None and int(status) >= 500
            no_answer = status is None and error not in (QNetworkReply.NetworkError.NoError,
                                                         QNetworkReply.NetworkError.OperationCanceledError)
            if (server_trouble or no_answer) and not self.offline:
                self.offline = True
                self.network_failed.emit(f"HTTP {int(status)}" if server_trouble else reply.errorString())
        else:
            self._remember(key, pm)
            self.stale.discard(key)
            now = time.time()
            self._store(key, data, now + _max_age_s(cache_control, expires, now, self.max_age_s))
            self.tile_arrived.emit(*key)
            if self.offline:
                self.offline = False
                self.network_recovered.emit()
            self.update()
        if self.wanted:
            self._fetch_timer.start()

    def _store(self, key: tuple[int, int, int], data: bytes, expires_at: float) -> None:
        path = self.cache_path(*key)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            tmp.write_bytes(data)
            os.utime(tmp, (time.time(), expires_at))  # the file's mtime is when the tile expires
            os.replace(tmp, path)
        except OSError as exc:  # a full or read-only disk: the tile is still shown from memory
            log.warning("could not cache tile %s: %s", path, exc)

    # --- painting ------------------------------------------------------------------------------------------------
    def missing(self, keys: list[tuple[int, int, int]]) -> None:
        vs = self.view_state()
        stale = [k for k in self.visible_tiles(vs) if k in self.stale] if vs is not None else []
        self.wanted = keys + [k for k in stale if k not in keys]
        self._fetch_timer.start()

    def paint(self, painter: QPainter, option: object, widget: object = None) -> None:
        super().paint(painter, option, widget)
        vs = self.view_state()
        if self.active() and vs is not None and not self.wanted and self.stale:
            stale = [k for k in self.visible_tiles(vs) if k in self.stale and k not in self.pending]
            if stale:
                self.wanted = stale
                self._fetch_timer.start()
