"""Online tiles against a real HTTP server on 127.0.0.1: fetched with our User-Agent, cached on disk as
z/x/y.png, drawn; a 404 server and a refused port give no errors, no Qt warnings, no hang."""

from __future__ import annotations

import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from PySide6.QtCore import QBuffer, QByteArray, QIODevice
from PySide6.QtGui import QColor, QImage

from app.core import geo
from app.map import tiles
from app.map.canvas import MapCanvas
from app.map.tiles import TileLayer, tile_range, tile_rect, tile_url, tile_zoom


def _png(colour: str) -> bytes:
    img = QImage(256, 256, QImage.Format.Format_RGB32)
    img.fill(QColor(colour))
    data = QByteArray()
    buf = QBuffer(data)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    img.save(buf, "PNG")
    return bytes(data.data())


class _Server:
    def __init__(self, status: int = 200) -> None:
        self.requests: list[tuple[str, str]] = []
        body = _png("#88aa66")
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server API
                outer.requests.append((self.path, self.headers.get("User-Agent", "")))
                self.send_response(status)
                self.send_header("Content-Type", "image/png")
                payload = body if status == 200 else b"not here"
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    @property
    def template(self) -> str:
        return f"http://127.0.0.1:{self.port}/{{z}}/{{x}}/{{y}}.png"

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server():  # noqa: ANN201
    s = _Server()
    yield s
    s.stop()


def _canvas(qtbot, layer: TileLayer) -> MapCanvas:  # noqa: ANN001
    canvas = MapCanvas()
    qtbot.addWidget(canvas)
    canvas.resize(600, 400)
    canvas.add_layer(layer)
    x, y = geo.lonlat_to_xy(7.42, 43.74)
    canvas.vb.setRange(xRange=(float(x) - 3000, float(x) + 3000), yRange=(float(y) - 2000, float(y) + 2000),
                       padding=0)
    canvas.show()
    qtbot.waitExposed(canvas)
    return canvas


def test_tile_math() -> None:
    assert tile_zoom(2 * geo.MERCATOR_HALF_WORLD_M / 256) == 0
    assert tile_zoom(2 * geo.MERCATOR_HALF_WORLD_M / 256 / 2 ** 12) == 12
    x0, y0, x1, y1 = tile_rect(1, 0, 0)
    assert (x0, y1) == pytest.approx((-geo.MERCATOR_HALF_WORLD_M, geo.MERCATOR_HALF_WORLD_M))
    assert (x1, y0) == pytest.approx((0.0, 0.0), abs=1e-6)
    # Monaco at z=12 is tile 2132/1493 (OSM slippy-map numbering).
    x, y = geo.lonlat_to_xy(7.42, 43.74)
    assert tile_range(12, float(x), float(y), float(x), float(y)) == (2132, 2132, 1493, 1493)
    assert tile_url("https://{s}.t/{z}/{x}/{y}.png", 3, 1, 2) == "https://a.t/3/1/2.png"


def test_tiles_fetched_cached_and_drawn(qtbot, tmp_path: Path, server: _Server) -> None:  # noqa: ANN001
    layer = TileLayer(tmp_path / "tiles", server.template)
    layer.set_enabled(True)
    canvas = _canvas(qtbot, layer)
    arrived: list[tuple[int, int, int]] = []
    layer.tile_arrived.connect(lambda z, x, y: arrived.append((z, x, y)))
    canvas.grab()
    wanted = layer.visible_tiles(layer.view_state())
    assert 1 <= len(wanted) <= tiles.MAX_TILES_PER_FRAME
    qtbot.waitUntil(lambda: set(wanted) <= set(arrived), timeout=10_000)
    assert all(ua == tiles.USER_AGENT for _, ua in server.requests)
    assert tiles.USER_AGENT.startswith("Canvass/")
    for key in wanted:
        assert layer.cache_path(*key).is_file()
        assert layer.cache_path(*key).parts[-3:] == (str(key[0]), str(key[1]), f"{key[2]}.png")
    # Drawn: the canvas now shows the tile colour.
    img = canvas.grab().toImage()
    assert QColor(img.pixel(300, 200)).name() == "#88aa66"
    # A fresh layer (empty memory) finds them on disk without asking the server.
    layer.set_enabled(False)
    qtbot.waitUntil(lambda: not layer.pending, timeout=10_000)  # the first layer's stragglers are done
    before = len(server.requests)
    again = TileLayer(tmp_path / "tiles", server.template)
    assert all(again.pixmap(k) is not None for k in wanted)
    qtbot.wait(50)
    assert len(server.requests) == before and not again.pending


def test_disabled_layer_asks_nothing(qtbot, tmp_path: Path, server: _Server) -> None:  # noqa: ANN001
    layer = TileLayer(tmp_path / "tiles", server.template)
    canvas = _canvas(qtbot, layer)
    canvas.grab()
    qtbot.wait(100)
    assert server.requests == []


def test_404_server_fails_quietly_and_waits_before_retrying(qtbot, tmp_path: Path) -> None:  # noqa: ANN001
    server = _Server(status=404)
    try:
        layer = TileLayer(tmp_path / "tiles", server.template)
        layer.set_enabled(True)
        canvas = _canvas(qtbot, layer)
        failed: list[tuple[int, int, int]] = []
        layer.tile_failed.connect(lambda z, x, y: failed.append((z, x, y)))
        canvas.grab()
        wanted = layer.visible_tiles(layer.view_state())
        qtbot.waitUntil(lambda: set(wanted) <= set(failed), timeout=10_000)
        asked = len(server.requests)
        canvas.grab()
        qtbot.wait(100)
        assert len(server.requests) == asked  # not again before RETRY_S
        assert not any(layer.cache_path(*k).exists() for k in wanted)
    finally:
        server.stop()


def test_refused_connection_no_hang(qtbot, tmp_path: Path) -> None:  # noqa: ANN001
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again when the block ends: nothing listens there
    layer = TileLayer(tmp_path / "tiles", f"http://127.0.0.1:{port}/{{z}}/{{x}}/{{y}}.png")
    layer.set_enabled(True)
    canvas = _canvas(qtbot, layer)
    failed: list[tuple[int, int, int]] = []
    layer.tile_failed.connect(lambda z, x, y: failed.append((z, x, y)))
    canvas.grab()
    qtbot.waitUntil(lambda: len(failed) >= 1, timeout=10_000)
    canvas.grab()  # still paints fine


def test_preferences_turn_tiles_on_with_attribution(make_window, qtbot, server: _Server) -> None:  # noqa: ANN001
    from app import settings

    window = make_window()
    window.show()
    panel = window.features["map"].ensure_built()
    assert not panel.tiles.enabled and not panel.canvas.attribution.isVisible()
    settings.set("map/tiles_enabled", True)
    settings.set("map/tile_url", server.template)
    settings.set("map/tile_attribution", "Test tiles © nobody")
    window.features["map"].apply_preferences()
    assert panel.tiles.enabled and panel.tiles.template == server.template
    window.show_tab("map")
    assert panel.canvas.attribution.isVisible()
    assert panel.canvas.attribution.text() == "Test tiles © nobody"
    assert panel.layers_dock.item_for("tiles").checkState().name == "Checked"
