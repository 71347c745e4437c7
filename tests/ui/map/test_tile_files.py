"""Offline tile files made here (MBTiles by SQL, PMTiles with the pmtiles writer) drawn with no network, the
parent tile drawn scaled for a missing one, and online tiles: expiry from the server's headers, and a server
that fails (said once) and then recovers."""

from __future__ import annotations

import sqlite3
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from PySide6.QtCore import QBuffer, QByteArray, QIODevice
from PySide6.QtGui import QColor, QImage

from app.core import geo
from app.io.tile_files import TileFileError, open_tile_file
from app.map.canvas import MapCanvas
from app.map.tiles import FileTileLayer, TileLayer, _max_age_s, tile_range

LON, LAT = 7.42, 43.74


def png(colour: str) -> bytes:
    img = QImage(256, 256, QImage.Format.Format_RGB32)
    img.fill(QColor(colour))
    data = QByteArray()
    buf = QBuffer(data)
    buf.open(QIODevice.OpenModeFlag.WriteOnly)
    img.save(buf, "PNG")
    return bytes(data.data())


def monaco_tiles(max_zoom: int) -> list[tuple[int, int, int]]:
    x, y = geo.lonlat_to_xy(LON, LAT)
    out = []
    for z in range(max_zoom + 1):
        tx0, tx1, ty0, ty1 = tile_range(z, float(x) - 4000, float(y) - 3000, float(x) + 4000, float(y) + 3000)
        out += [(z, tx, ty) for tx in range(tx0, tx1 + 1) for ty in range(ty0, ty1 + 1)]
    return out


def make_mbtiles(path: Path, colour: str, max_zoom: int = 12) -> Path:
    conn = sqlite3.connect(path)
    conn.executescript("CREATE TABLE metadata (name TEXT, value TEXT); "
                       "CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, "
                       "tile_data BLOB);")
    conn.executemany("INSERT INTO metadata VALUES (?, ?)", [("name", "Test raster"), ("format", "png"),
                                                            ("attribution", "Tiles © test"),
                                                            ("bounds", "7.40,43.72,7.44,43.76")])
    data = png(colour)
    conn.executemany("INSERT INTO tiles VALUES (?, ?, ?, ?)",
                     [(z, x, (1 << z) - 1 - y, data) for z, x, y in monaco_tiles(max_zoom)])
    conn.commit()
    conn.close()
    return path


def make_pmtiles(path: Path, colour: str, max_zoom: int = 12) -> Path:
    from pmtiles.tile import Compression, TileType, zxy_to_tileid
    from pmtiles.writer import Writer

    data = png(colour)
    with open(path, "wb") as f:
        w = Writer(f)
        for key in sorted(monaco_tiles(max_zoom), key=lambda k: zxy_to_tileid(*k)):
            w.write_tile(zxy_to_tileid(*key), data)
        w.finalize({"tile_type": TileType.PNG, "tile_compression": Compression.NONE, "min_zoom": 0,
                    "max_zoom": max_zoom, "min_lon_e7": int(7.3e7), "min_lat_e7": int(43.7e7),
                    "max_lon_e7": int(7.5e7), "max_lat_e7": int(43.8e7), "center_zoom": 10,
                    "center_lon_e7": int(LON * 1e7), "center_lat_e7": int(LAT * 1e7)},
                   {"name": "Test PMTiles", "attribution": "PM © test"})
    return path


def canvas_on(qtbot, layer, span_m: float = 3000) -> MapCanvas:  # noqa: ANN001
    canvas = MapCanvas()
    qtbot.addWidget(canvas)
    canvas.resize(600, 400)
    canvas.add_layer(layer)
    x, y = geo.lonlat_to_xy(LON, LAT)
    canvas.vb.setRange(xRange=(float(x) - span_m, float(x) + span_m),
                       yRange=(float(y) - span_m * 2 / 3, float(y) + span_m * 2 / 3), padding=0)
    canvas.show()
    qtbot.waitExposed(canvas)
    return canvas


@pytest.mark.parametrize("maker", [make_mbtiles, make_pmtiles])
def test_tile_file_drawn_offline_with_parents_past_its_zoom(qtbot, tmp_path: Path, maker) -> None:  # noqa: ANN001
    path = maker(tmp_path / f"test{'.mbtiles' if maker is make_mbtiles else '.pmtiles'}", "#3366cc")
    tf = open_tile_file(path)
    assert tf.max_zoom == 12 and tf.attribution.endswith("© test")
    z, x, y = monaco_tiles(12)[-1]
    assert QImage.fromData(tf.get(z, x, y)).pixelColor(5, 5).name() == "#3366cc"
    assert tf.get(13, x * 2, y * 2) is None
    layer = FileTileLayer(tf, "tilefile:1", "Test raster")
    canvas = canvas_on(qtbot, layer, span_m=1500)  # ~z14: deeper than the file goes
    img = canvas.grab().toImage()
    assert QColor(img.pixel(300, 200)).name() == "#3366cc"
    assert layer.frame_stats["parents"] >= 1 and layer.frame_stats["blank"] == 0
    layer.shutdown()


def test_bad_tile_files_say_why(tmp_path: Path) -> None:
    (tmp_path / "x.mbtiles").write_bytes(b"not sqlite at all, just some bytes" * 10)
    with pytest.raises(TileFileError, match="x.mbtiles"):
        open_tile_file(tmp_path / "x.mbtiles")
    (tmp_path / "y.pmtiles").write_bytes(b"PMTiles" + b"\x02" + b"\x00" * 200)
    with pytest.raises(TileFileError, match="not a PMTiles version 3"):
        open_tile_file(tmp_path / "y.pmtiles")
    with pytest.raises(TileFileError, match="not a tile file"):
        open_tile_file(Path(__file__))


def test_max_age_from_headers() -> None:
    now = time.time()
    assert _max_age_s("public, max-age=600", "", now, 99.0) == 600
    assert _max_age_s("no-store", "", now, 99.0) == 0
    assert _max_age_s("", "", now, 99.0) == 99.0
    from email.utils import formatdate

    assert 290 < _max_age_s("", formatdate(now + 300, usegmt=True), now, 99.0) <= 300
    assert _max_age_s("", "garbage", now, 99.0) == 0


class FlakyServer:
    """Answers 503 while failing is set, then PNGs with the given Cache-Control."""

    def __init__(self, cache_control: str = "max-age=3600") -> None:
        self.failing = False
        self.requests: list[str] = []
        body = png("#88aa66")
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server API
                outer.requests.append(self.path)
                status = 503 if outer.failing else 200
                payload = b"busy" if outer.failing else body
                self.send_response(status)
                self.send_header("Content-Type", "image/png")
                self.send_header("Cache-Control", cache_control)
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.template = f"http://127.0.0.1:{self.httpd.server_address[1]}/{{z}}/{{x}}/{{y}}.png"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def test_expiry_from_headers_and_stale_tiles_fetched_again(qtbot, tmp_path: Path) -> None:  # noqa: ANN001
    server = FlakyServer("no-store")
    try:
        layer = TileLayer(tmp_path / "tiles", server.template)
        layer.set_enabled(True)
        canvas = canvas_on(qtbot, layer)
        arrived: list[tuple] = []
        layer.tile_arrived.connect(lambda *k: arrived.append(k))
        canvas.grab()
        wanted = layer.visible_tiles(layer.view_state())
        qtbot.waitUntil(lambda: set(wanted) <= set(arrived), timeout=10_000)
        assert all(layer.cache_path(*k).stat().st_mtime <= time.time() for k in wanted)  # expired at once
        layer.set_enabled(False)
        qtbot.waitUntil(lambda: not layer.pending, timeout=10_000)
        asked = len(server.requests)
        again = TileLayer(tmp_path / "tiles", server.template)
        again.set_enabled(True)
        canvas2 = canvas_on(qtbot, again)
        img = canvas2.grab().toImage()
        assert QColor(img.pixel(300, 200)).name() == "#88aa66"  # the stale tile is still drawn...
        qtbot.waitUntil(lambda: len(server.requests) >= asked + len(wanted), timeout=10_000)  # ...and refreshed
    finally:
        server.stop()
    fresh = FlakyServer("max-age=3600")
    try:
        layer = TileLayer(tmp_path / "tiles2", fresh.template)
        layer.set_enabled(True)
        canvas = canvas_on(qtbot, layer)
        canvas.grab()
        wanted = layer.visible_tiles(layer.view_state())
        qtbot.waitUntil(lambda: all(layer.cache_path(*k).is_file() for k in wanted), timeout=10_000)
        assert all(3500 < layer.cache_path(*k).stat().st_mtime - time.time() <= 3600 for k in wanted)
    finally:
        fresh.stop()


@pytest.fixture
def failing_server():  # noqa: ANN201 - pytest fixture
    server = FlakyServer()
    server.failing = True
    yield server
    server.stop()


def _online_layer(qtbot, tmp_path: Path, server: FlakyServer, retry_s: float):  # noqa: ANN001, ANN202
    layer = TileLayer(tmp_path / "tiles", server.template)
    layer.retry_s = retry_s
    layer.set_enabled(True)
    return layer, canvas_on(qtbot, layer)


def _fail_every_tile(qtbot, layer: TileLayer, canvas: MapCanvas):  # noqa: ANN001, ANN202
    """Paint once and wait until each visible tile has failed: (the tiles in view, the failures so far)."""
    failed: list[tuple] = []
    layer.tile_failed.connect(lambda *k: failed.append(k))
    canvas.grab()
    wanted = layer.visible_tiles(layer.view_state())
    qtbot.waitUntil(lambda: set(wanted) <= set(failed), timeout=10_000)
    return wanted, failed


def test_server_fails_said_once_then_recovers(qtbot, tmp_path: Path, failing_server) -> None:  # noqa: ANN001
    server = failing_server
    layer, canvas = _online_layer(qtbot, tmp_path, server, 0.2)
    said: list[str] = []
    back: list[bool] = []
    layer.network_failed.connect(said.append)
    layer.network_recovered.connect(lambda: back.append(True))
    wanted, failed = _fail_every_tile(qtbot, layer, canvas)
    qtbot.wait(300)
    canvas.grab()  # retried: still failing
    qtbot.waitUntil(lambda: len(failed) > len(wanted), timeout=10_000)
    assert said == ["HTTP 503"]  # once, not once per tile
    server.failing = False
    qtbot.wait(300)
    canvas.grab()
    qtbot.waitUntil(lambda: back == [True], timeout=10_000)
    qtbot.waitUntil(lambda: all(layer.cache_path(*k).is_file() for k in wanted), timeout=10_000)
    canvas.update()
    img = canvas.grab().toImage()
    assert QColor(img.pixel(300, 200)).name() == "#88aa66"
    assert said == ["HTTP 503"]


def test_failed_tiles_are_asked_for_again_by_themselves_when_the_server_is_back(qtbot, tmp_path: Path,  # noqa: ANN001
                                                                                 failing_server) -> None:  # noqa: ANN001
    layer, canvas = _online_layer(qtbot, tmp_path, failing_server, 0.3)
    wanted, _failed = _fail_every_tile(qtbot, layer, canvas)
    failing_server.failing = False  # and nobody pans, zooms or repaints the map
    qtbot.waitUntil(lambda: all(layer.cache_path(*k).is_file() for k in wanted), timeout=10_000)


def test_online_parent_tile_drawn_scaled_while_child_loads(qtbot, tmp_path: Path) -> None:  # noqa: ANN001
    server = FlakyServer()
    server.failing = True  # the children never come: only the cached parent can be shown
    try:
        layer = TileLayer(tmp_path / "tiles", server.template)
        layer.set_enabled(True)
        canvas = canvas_on(qtbot, layer)
        vs = layer.view_state()
        wanted = layer.visible_tiles(vs)
        for z, x, y in {(z - 1, x >> 1, y >> 1) for z, x, y in wanted}:  # the parents, cached earlier
            path = layer.cache_path(z, x, y)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(png("#aa3377"))
        img = canvas.grab().toImage()
        assert QColor(img.pixel(300, 200)).name() == "#aa3377"
        assert layer.frame_stats["parents"] == len(wanted) and layer.frame_stats["blank"] == 0
        qtbot.waitUntil(lambda: len(server.requests) >= 1, timeout=10_000)  # and the children were asked for
    finally:
        server.stop()
