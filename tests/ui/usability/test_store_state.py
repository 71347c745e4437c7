"""Issue 10, point 2: the first launch opens on the Map; the last tab, window state, map view and added map layers
are kept per store, so opening another store (the demo after an own one) never shows the first store's."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QRectF
from PySide6.QtTest import QTest

from app.views.actions import Action
from app.views.widgets import files


def _open(make_window, qtbot, data: Path, demo: bool = False):  # noqa: ANN001, ANN202
    window = make_window(data=data, demo=demo)
    window.resize(1200, 800)
    window.show()
    qtbot.waitExposed(window)
    panel = window.features["map"].ensure_built()
    return window, panel


def test_first_launch_on_the_map_then_last_tab_view_and_layers_per_store(make_window, qtbot, monkeypatch,
                                                                          shared_data, tmp_path) -> None:  # noqa: ANN001
    own = tmp_path / "own"
    window, panel = _open(make_window, qtbot, own)
    assert window.tab_keys[window.tabs.currentIndex()] == "map"  # never a placeholder
    streets = shared_data / "monaco-osm" / "monaco_streets.geojson"
    monkeypatch.setattr(files, "choose_open_file", lambda *a, **k: streets)
    window.actions[Action.ADD_MAP_LAYER].trigger()
    assert len(panel.overlays) == 1
    panel.canvas.vb.setRange(QRectF(820_000, 5_420_000, 2_000, 1_500), padding=0)
    QTest.qWait(10)
    own_view = panel.canvas.vb.viewRange()
    window.actions[Action.SHOW_REQUESTS].trigger()  # the keyboard path: the View menu's action
    window.close()

    # The demo city in the same data folder: its own tab (the Map, first time), view and layers.
    demo, demo_panel = _open(make_window, qtbot, own, demo=True)
    assert demo.tab_keys[demo.tabs.currentIndex()] == "map"
    assert demo_panel.overlays == []
    assert demo_panel.canvas.vb.viewRange() != own_view
    demo.actions[Action.SHOW_AUDIT].trigger()
    demo.close()

    again, again_panel = _open(make_window, qtbot, own)
    assert again.tab_keys[again.tabs.currentIndex()] == "requests"
    assert [o.source_path for o in again_panel.overlays] == [streets]
    (x0, x1), (y0, y1) = again_panel.canvas.vb.viewRange()
    assert abs((x0 + x1) - sum(own_view[0])) < 100 and abs((y0 + y1) - sum(own_view[1])) < 100
    again.close()

    back_to_demo, _ = _open(make_window, qtbot, own, demo=True)
    assert back_to_demo.tab_keys[back_to_demo.tabs.currentIndex()] == "audit"
