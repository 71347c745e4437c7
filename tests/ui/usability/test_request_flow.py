"""Issue 10, point 5 through the real window: approval shows at once in the request list and the header; Send asks
first, naming how many owners will be contacted and how."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from app.core.records import RequestState, utc_now
from app.models.request_table_model import APPROVED_LABEL, COL_STATE
from app.services.requests import workflow as svc
from app.store import requests as store
from tests.request_world import GOOD_FENCE, build_world


def _answer(answer: str, seen: list[str]) -> None:
    box = QApplication.activeModalWidget()
    if not isinstance(box, QMessageBox) or box.objectName() != "send_confirm":
        QTimer.singleShot(20, lambda: _answer(answer, seen))
        return
    seen.append(box.text())
    next(b for b in box.buttons() if b.text().startswith(answer)).click()


def test_approval_visible_at_once_and_send_asks_naming_owners_and_ways(make_window, qtbot) -> None:  # noqa: ANN001
    window = make_window(role="supervisor", name="tester")
    conn = window.ctx.conn
    world = build_world(conn)
    conn.execute("UPDATE owners SET contact_preference = 'mail' WHERE id = ?", (world.owner_ids[0],))
    now = utc_now()
    rid = svc.create_draft(world.session("ana"), svc.DraftInput(
        world.agency_id, "BPD-14-000001", world.incident_id, "robbery", GOOD_FENCE, now - timedelta(hours=3),
        now - timedelta(hours=2)))
    svc.submit(world.session("ana"), rid)
    window.ctx.session.set_user(world.users["sam"])
    window.show()
    qtbot.waitExposed(window)
    tab = window.features["requests"]
    tab.reload()
    assert tab.select_request(rid)
    row = lambda: next(r for r in range(tab.model.rowCount()) if tab.model.rows[r].id == rid)  # noqa: E731
    assert tab.model.data(tab.model.index(row(), COL_STATE)) == "Awaiting approval"
    qtbot.mouseClick(tab.buttons["approve"], Qt.MouseButton.LeftButton)
    assert tab.model.data(tab.model.index(row(), COL_STATE)) == APPROVED_LABEL  # at once, no reload needed
    assert "sam" in tab.model.data(tab.model.index(row(), COL_STATE), Qt.ItemDataRole.ToolTipRole)
    assert APPROVED_LABEL in tab.summary.text()

    window.ctx.session.set_user(world.users["ana"])
    assert tab.select_request(rid)
    seen: list[str] = []
    QTimer.singleShot(0, lambda: _answer("Cancel", seen))
    qtbot.mouseClick(tab.buttons["send"], Qt.MouseButton.LeftButton)
    assert seen and store.get_request(conn, rid).state == RequestState.AWAITING_APPROVAL  # cancelled: not sent
    assert "4 camera owners" in seen[0] and "3 by e-mail" in seen[0] and "1 by letter" in seen[0]
    assert "public request log" in seen[0]
    QTimer.singleShot(0, lambda: _answer("Send to 4 Owners", seen))
    qtbot.mouseClick(tab.buttons["send"], Qt.MouseButton.LeftButton)
    assert store.get_request(conn, rid).state == RequestState.SENT
    assert tab.model.data(tab.model.index(row(), COL_STATE)) == "Sent"
