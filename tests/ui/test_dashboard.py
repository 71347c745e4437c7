"""Dashboard plots: data through getData() against store queries, filters, throttling, hover, export menu."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import numpy as np
import pytest

from app.core.districts import district_code
from app.core.insights import Filters, InsightData
from app.plots.dashboard import Dashboard
from app.services.accountability.auth import ensure_demo_users
from app.services.requests.demo import ensure_demo_requests
from app.store import insights as q
from app.store.db import open_store
from app.store.demo import ensure_demo_city


@pytest.fixture
def conn(tmp_path: Path):
    c = open_store(tmp_path / "canvass.sqlite3")
    ensure_demo_city(c, n_cameras=600, today=date(2026, 11, 10))
    ensure_demo_users(c)
    ensure_demo_requests(c)
    yield c
    c.close()


def day(iso: str) -> float:
    return (date.fromisoformat(iso) - date(1970, 1, 1)).days


def test_dashboard_data_matches_the_store(qtbot, conn: sqlite3.Connection) -> None:  # noqa: ANN001
    board = Dashboard()
    qtbot.addWidget(board)
    data = InsightData(q.load_facts(conn))
    board.set_data(data)
    assert board.pending                                       # throttled: nothing drawn yet
    with qtbot.waitSignal(board.refreshed, timeout=3000):
        pass
    one = lambda sql, *a: conn.execute(sql, a).fetchone()[0]  # noqa: E731
    _, owners = board.answers.getData()
    sent = "request_id IN (SELECT id FROM footage_requests WHERE sent_at IS NOT NULL)"
    for i, state in enumerate(("shared", "declined", "no_footage", "no_response", "pending")):
        assert owners[i] == one(f"SELECT count(*) FROM (SELECT DISTINCT request_id, owner_id, state FROM recipients "
                                f"WHERE owner_id IS NOT NULL AND {sent}) WHERE state = ?", state)
    x, y = board.cameras.getData("self_registered")
    assert y[-1] == one("SELECT count(*) FROM cameras WHERE source = 'self_registered'")
    assert np.all(np.diff(x) > 0) and np.all(np.diff(y) >= 0)    # cumulative, on a date axis (seconds)
    _, funnel = board.funnel.getData()
    assert funnel[0] == one("SELECT count(*) FROM footage_requests WHERE sent_at IS NOT NULL")
    assert funnel[3] == one("SELECT count(*) FROM request_outcomes WHERE footage_useful = 1")
    _, prog = board.program.getData()
    assert prog[0] == one("SELECT sum(units) FROM device_shipments")
    assert prog[2] == one("SELECT sum(units) FROM distributions")
    assert prog[4] == one("SELECT count(*) FROM distributions WHERE sharing_condition = 1")
    _, ev = board.evidence.getData()
    # The evidence feature keeps an onward-sharing register (onward_shares): counted, not "not recorded".
    assert ev[4] == one("SELECT count(*) FROM onward_shares") and "not recorded" not in board.evidence.note.text()
    _, weekly = board.requests.getData("resolved")
    assert weekly.sum() == one("SELECT count(*) FROM footage_requests WHERE state = 'resolved'")
    items_before = {id(p.plot.getPlotItem().listDataItems()[0]) if p.plot.getPlotItem().listDataItems() else 0
                    for p in board.plots}

    # A period filter: only what was created / sent inside it.
    start, end = "2026-01-01", "2026-07-01"
    board.set_filters(Filters(day(start), day(end)))
    board.refresh_now()
    _, y = board.cameras.getData("imported")
    assert y[-1] == one("SELECT count(*) FROM cameras WHERE source = 'imported' AND registered_on < ?", end)
    _, weekly = board.requests.getData("resolved")
    assert weekly.sum() == one("SELECT count(*) FROM footage_requests WHERE state = 'resolved' AND created_at >= ? "
                               "AND created_at < ?", start, end)
    # An area filter (one district): the cameras registered in it.
    lat, lon = conn.execute("SELECT lat, lon FROM cameras ORDER BY id LIMIT 1").fetchone()
    d = district_code(lat, lon)
    board.set_filters(Filters(district=d))
    board.refresh_now()
    total = sum(board.cameras.getData(s)[1][-1] for s in ("self_registered", "program_distributed", "imported"))
    facts = q.load_camera_facts(conn)
    assert total == int(np.count_nonzero(facts.district == d)) > 0
    # Items are updated in place, never re-created.
    assert items_before == {id(p.plot.getPlotItem().listDataItems()[0]) if p.plot.getPlotItem().listDataItems()
                            else 0 for p in board.plots}


def test_hover_and_export(qtbot, conn: sqlite3.Connection, tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    board = Dashboard()
    qtbot.addWidget(board)
    board.set_data(InsightData(q.load_facts(conn)))
    board.refresh_now()
    assert board.answers.readout_at(0.1, 0).startswith("Shared: ")
    assert "(UTC)" in board.cameras.readout_at(board.cameras.getData("imported")[0][-1], 0)
    chosen = iter([tmp_path / "a.png", tmp_path / "a.svg", tmp_path / "answers"])
    monkeypatch.setattr("app.plots.base.save_dialog", lambda *a, **k: next(chosen))
    for kind in ("png", "svg", "csv"):
        board.answers.actions_export[kind].trigger()
    assert (tmp_path / "a.png").read_bytes().startswith(b"\x89PNG")
    assert "<svg" in (tmp_path / "a.svg").read_text(encoding="utf-8")
    rows = (tmp_path / "answers.csv").read_text(encoding="utf-8").splitlines()
    assert rows[0] == "label,owners" and rows[1].startswith("Shared,")
    menu = board.answers.plot.getPlotItem().getViewBox().menu
    assert {"Export PNG…", "Export SVG…", "Export Data as CSV…"} <= {a.text() for a in menu.actions()}
