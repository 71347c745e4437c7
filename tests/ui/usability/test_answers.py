"""Issue 10, point 6 through the real window: the answers table shows whole words and explains its rank; a recorded
answer is changed on purpose (key, reason) as a new audited answer that supersedes the old, shown in the history."""

from __future__ import annotations

import json
from datetime import timedelta

from PySide6.QtCore import Qt, QTimer

from app.core.records import RecipientState, utc_now
from app.models.recipient_table_model import COL_ANSWER, COL_RANK, HEADERS
from app.services.requests import workflow as svc
from app.store import requests as store
from app.views.actions import Action
from tests.request_world import GOOD_FENCE, build_world


def _sent_request(window):  # noqa: ANN001, ANN202
    world = build_world(window.ctx.conn)
    now = utc_now()
    rid = svc.create_draft(world.session("ana"), svc.DraftInput(
        world.agency_id, "BPD-14-000001", world.incident_id, "robbery", GOOD_FENCE, now - timedelta(hours=3),
        now - timedelta(hours=2)))
    svc.submit(world.session("ana"), rid)
    svc.approve(world.session("sam"), rid)
    svc.send(world.session("ana"), rid)
    window.ctx.session.set_user(world.users["ana"])
    return world, rid


def _answer_change(tab, reason: str | None, seen: list[str]) -> None:  # noqa: ANN001
    dialog = tab.answers.change_dialog
    if dialog is None or not dialog.isVisible():
        QTimer.singleShot(20, lambda: _answer_change(tab, reason, seen))
        return
    seen.append(dialog.labelText())
    if reason is None:
        dialog.reject()
    else:
        dialog.setTextValue(reason)
        dialog.accept()


def test_whole_words_rank_explained_and_change_an_answer(make_window, qtbot) -> None:  # noqa: ANN001
    window = make_window(role="supervisor", name="tester")
    window.resize(1280, 820)
    world, rid = _sent_request(window)
    window.show()
    qtbot.waitExposed(window)
    window.actions[Action.SHOW_REQUESTS].trigger()
    tab = window.features["requests"]
    tab.reload()
    assert tab.select_request(rid)
    model, view = tab.recipient_model, tab.recipients
    view.setFocus()
    view.setCurrentIndex(model.index(0, 0))
    owner = model.rows[0].owner_id
    for key in (Qt.Key.Key_R, Qt.Key.Key_R, Qt.Key.Key_R, Qt.Key.Key_R):  # "No response", the longest word
        qtbot.keyClick(view, key)
    fm = view.fontMetrics()
    assert view.columnWidth(COL_ANSWER) >= fm.horizontalAdvance("No response") + 12  # not "No res…"
    assert view.columnWidth(COL_RANK) >= fm.horizontalAdvance("Rank") + 12
    assert "Rank 1 is the owner most likely" in tab.rank_note.text() and tab.rank_note.isVisible()
    assert "see the incident" in HEADERS[COL_RANK][1]

    # The same key on an answered row changes nothing; another key asks for a reason — Cancel keeps the answer.
    view.setCurrentIndex(model.index(0, 0))
    seen: list[str] = []
    QTimer.singleShot(0, lambda: _answer_change(tab, None, seen))
    qtbot.keyClick(view, Qt.Key.Key_S)
    assert seen and "“No response”" in seen[0] and "“Shared”" in seen[0]
    states = {r.owner_id: r.state for r in store.recipients(window.ctx.conn, rid)}
    assert states[owner] == RecipientState.NO_RESPONSE

    view.setCurrentIndex(model.index(0, 0))
    QTimer.singleShot(0, lambda: _answer_change(tab, "Owner called back: she has the clip after all", seen))
    qtbot.keyClick(view, Qt.Key.Key_S)
    states = {r.owner_id: r.state for r in store.recipients(window.ctx.conn, rid)}
    assert states[owner] == RecipientState.SHARED
    rows = window.ctx.conn.execute("SELECT action, details FROM audit_log WHERE object = ? AND action LIKE "
                                   "'response_%' ORDER BY seq", (f"request:{rid}",)).fetchall()
    assert rows[0][0] == "response_recorded" and json.loads(rows[0][1])["state"] == "no_response"  # kept
    changed = json.loads(rows[-1][1])
    assert rows[-1][0] == "response_changed" and changed["from"] == "no_response" and changed["to"] == "shared"
    assert "called back" in changed["reason"]
    history = [tab.timeline.item(i).text() for i in range(tab.timeline.count())]
    assert any("answer changed no response → shared — Owner called back" in h for h in history)
