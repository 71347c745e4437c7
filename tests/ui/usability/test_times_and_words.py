"""Issue 10, point 7 through the real window: local times with the zone named (stored in UTC), the public log's
readable dates, plurals that read right, and the letters file named after the request's own id."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from app.core import timefmt
from app.core.records import utc_now
from app.services.requests import workflow as svc
from app.store import requests as store
from app.views.widgets import files
from tests.request_world import GOOD_FENCE, build_world


@pytest.fixture
def pacific():
    timefmt.set_zone(ZoneInfo("America/Los_Angeles"))
    yield
    timefmt.set_zone(None)


def test_local_times_public_log_dates_plurals_and_letters_name(make_window, qtbot, monkeypatch, pacific) -> None:  # noqa: ANN001
    window = make_window(role="supervisor", name="tester")
    world = build_world(window.ctx.conn)
    window.ctx.session.set_user(world.users["ana"])
    now = utc_now()
    d = svc.DraftInput(world.agency_id, "BPD-14-000001", world.incident_id, "robbery", GOOD_FENCE,
                       now - timedelta(hours=3), now - timedelta(hours=2))
    rid = svc.create_draft(world.session("ana"), d)
    svc.submit(world.session("ana"), rid)
    svc.approve(world.session("sam"), rid)
    svc.send(world.session("ana"), rid)
    window.show()
    qtbot.waitExposed(window)
    tab = window.features["requests"]
    tab.reload()
    assert tab.select_request(rid)
    rec = store.get_request(window.ctx.conn, rid)

    model = tab.model
    row = next(r for r in range(model.rowCount()) if model.rows[r].id == rid)
    sent_cells = [model.data(model.index(row, c)) for c in range(model.columnCount())]
    assert timefmt.short(rec.sent_at) in sent_cells
    assert any(c.endswith((" PST", " PDT")) for c in sent_cells if isinstance(c, str))
    assert all("(UTC)" not in model.headerData(c, Qt.Orientation.Horizontal)
               for c in range(model.columnCount()))
    assert timefmt.span(rec.window_start, rec.window_end) in tab.summary.text()

    names = []
    monkeypatch.setattr(files, "choose_save_file", lambda *a, **k: names.append(a[4] if len(a) > 4 else k) or None)
    tab.outreach_buttons["pdf"].click()
    assert names == [f"request-{rid}-letters.pdf"]

    from app.views.requests.public_log_dialog import PublicLogDialog

    dialog = PublicLogDialog(window.ctx.session, window)
    qtbot.addWidget(dialog)
    cells = [dialog.model.data(dialog.model.index(0, c)) for c in range(dialog.model.columnCount())]
    assert timefmt.readable(rec.sent_at) in cells  # "Sat 28 Nov 2026, 22:40 PST", not 2026-11-29T06:40:00Z
    assert not any("T" in c and c.endswith("Z") for c in cells)
    labels = [w.text() for w in dialog.findChildren(QLabel)]
    assert any(t.startswith("1 sent request.") for t in labels)  # not "1 sent request(s)"
