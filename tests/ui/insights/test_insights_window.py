"""The Insights tab on the real window: keyboard to the tab and its filters, plots against the store, the report and
the coverage analysis from their shortcuts, the coverage layer on the map."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, Qt

from app import paths as app_paths
from app.services.accountability.auth import ensure_demo_users
from app.services.requests.demo import ensure_demo_requests
from app.store.db import open_store
from app.store.demo import ensure_demo_city

CTRL, ALT, SHIFT = Qt.KeyboardModifier.ControlModifier, Qt.KeyboardModifier.AltModifier, \
    Qt.KeyboardModifier.ShiftModifier


@pytest.fixture
def store(tmp_path: Path) -> Path:
    folder = tmp_path / "store"
    p = app_paths.init(folder)
    conn = open_store(p.db_path)
    ensure_demo_city(conn, n_cameras=600, today=date(2026, 11, 10))
    ensure_demo_users(conn)
    ensure_demo_requests(conn)
    conn.close()
    return folder


def _open_insights(qtbot, make_window, store: Path):  # noqa: ANN001, ANN202
    window = make_window(role="supervisor", name="sam", data=store)
    with qtbot.waitActive(window):
        window.show()
        window.activateWindow()
    tab = window.features["insights"]
    with qtbot.waitSignal(tab.dashboard.refreshed, timeout=10_000):
        qtbot.keyClick(window, Qt.Key.Key_6, CTRL)
    assert window.tabs.currentWidget() is tab
    return window, tab


def test_filters_drive_every_plot(qtbot, make_window, store: Path) -> None:  # noqa: ANN001
    window, tab = _open_insights(qtbot, make_window, store)
    conn = sqlite3.connect(store / "canvass.sqlite3")
    one = lambda sql, *a: conn.execute(sql, a).fetchone()[0]  # noqa: E731
    bar = tab.filters
    bar.set_period(date(2020, 1, 1), date(2026, 12, 31))
    tab.dashboard.refresh_now()
    _, funnel = tab.dashboard.funnel.getData()
    assert funnel[0] == one("SELECT count(*) FROM footage_requests WHERE sent_at IS NOT NULL") > 0

    # Alt+G focuses the agency box (its label's mnemonic); Down picks the first agency: every plot follows.
    qtbot.keyClick(window, Qt.Key.Key_G, ALT)
    assert bar.agency.hasFocus()
    with qtbot.waitSignal(tab.dashboard.refreshed, timeout=3000):
        qtbot.keyClick(bar.agency, Qt.Key.Key_Down)
    agency = bar.agency.currentData()
    assert agency == one("SELECT id FROM agencies ORDER BY name LIMIT 1")
    _, funnel = tab.dashboard.funnel.getData()
    assert funnel[0] == one("SELECT count(*) FROM footage_requests WHERE sent_at IS NOT NULL AND agency_id = ?",
                            agency)
    _, prog = tab.dashboard.program.getData()
    assert prog[0] == one("SELECT sum(units) FROM device_shipments WHERE agency_id = ?", agency)

    # The period: only requests created in it; typed into the "to" date from the keyboard.
    bar.date_to.setFocus()
    with qtbot.waitSignal(tab.dashboard.refreshed, timeout=3000):
        bar.date_to.setDate(QDate(2025, 12, 31))
    _, weekly = tab.dashboard.requests.getData("resolved")
    assert weekly.sum() == one("SELECT count(*) FROM footage_requests WHERE state = 'resolved' AND created_at >= ? "
                               "AND created_at < ?", "2020-01-01", "2026-01-01")
    _, y = tab.dashboard.cameras.getData("imported")
    assert y[-1] <= one("SELECT count(*) FROM cameras WHERE source = 'imported' AND registered_on < '2026-01-01'")

    # Alt+A: the area box; Down picks the first district; the answers shrink to that district's requests.
    qtbot.keyClick(window, Qt.Key.Key_A, ALT)
    assert bar.area.hasFocus()
    with qtbot.waitSignal(tab.dashboard.refreshed, timeout=3000):
        qtbot.keyClick(bar.area, Qt.Key.Key_Down)
    assert bar.area.currentData() is not None
    conn.close()


def test_data_change_reloads_the_dashboards(qtbot, make_window, store: Path) -> None:  # noqa: ANN001
    window, tab = _open_insights(qtbot, make_window, store)
    tab.filters.set_period(date(2000, 1, 1), date(2100, 1, 1))
    tab.dashboard.refresh_now()
    _, before = tab.dashboard.cameras.getData("self_registered")
    from app.core.records import Camera, CameraKind
    from app.services.registry.service import RegistryService

    lat, lon = window.ctx.conn.execute("SELECT lat, lon FROM cameras LIMIT 1").fetchone()
    camera = Camera(None, lat, lon, CameraKind.DOORBELL, heading_deg=90, fov_deg=150, range_m=10,
                    registered_on="2026-11-01T00:00:00Z")
    RegistryService(window.ctx.session).add_camera(camera)
    with qtbot.waitSignal(tab.dashboard.refreshed, timeout=10_000):
        tab._check_changed()                       # the watch timer's look: the audit head moved
    _, after = tab.dashboard.cameras.getData("self_registered")
    assert after[-1] == before[-1] + 1


def test_report_and_coverage_from_the_keyboard(qtbot, make_window, store: Path, tmp_path: Path,
                                               monkeypatch) -> None:  # noqa: ANN001
    window, tab = _open_insights(qtbot, make_window, store)
    out = tmp_path / "report"
    out.mkdir()
    monkeypatch.setattr("app.views.widgets.files.choose_folder", lambda *a, **k: out)
    tab.filters.set_period(date(2025, 1, 1), date(2026, 12, 31))
    qtbot.keyClick(window, Qt.Key.Key_R, CTRL | SHIFT)
    qtbot.waitUntil(lambda: (out / "transparency-report.pdf").exists(), timeout=30_000)
    assert (out / "transparency-report.csv").read_text(encoding="utf-8").startswith("section,key,label,value")
    entry = window.ctx.conn.execute("SELECT details FROM audit_log WHERE action = 'report_exported'").fetchone()
    assert entry is not None and '"from":"2025-01-01"' in entry[0]
    qtbot.waitUntil(lambda: tab.findChild(object, "report_written") is not None, timeout=5000)
    tab.findChild(object, "report_written").accept()
    with qtbot.waitActive(window):       # the message box had the focus: shortcuts go to the active window
        window.activateWindow()

    qtbot.keyClick(window, Qt.Key.Key_G, CTRL | SHIFT)
    qtbot.waitUntil(lambda: tab.coverage is not None, timeout=30_000)
    assert "Seen by ≥ 1" in tab.coverage_text.text()
    assert tab.coverage.cameras == window.ctx.conn.execute("SELECT count(*) FROM cameras WHERE active = 1"
                                                           ).fetchone()[0]
    assert window.ctx.conn.execute("SELECT count(*) FROM audit_log WHERE action = 'coverage_analysed'"
                                   ).fetchone()[0] == 1
    qtbot.mouseClick(tab.map_button, Qt.MouseButton.LeftButton)
    panel = window.features["map"].panel
    assert window.tabs.currentWidget() is window.features["map"]
    assert panel.coverage is not None and panel.coverage.isVisible() and panel.coverage.data_bounds() is not None
    assert "coverage" in panel.layers_dock.keys()
