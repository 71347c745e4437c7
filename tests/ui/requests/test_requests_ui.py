"""The request workflow through the real main window: Ctrl+N, the live checklist, fixing the failures, submit,
approval by another supervisor, send, answers from the keyboard, resolve; the override path; outreach exports,
answers import and the public log through the file-dialog seam."""

from __future__ import annotations

import csv
from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from app.core import policy
from app.core.records import RecipientState, RequestState, utc_now
from app.services.requests import workflow as svc
from app.store import requests as store
from app.views.actions import Action
from app.views.widgets import files
from tests.request_world import GOOD_FENCE, World, build_world
from tests.ui.buttons import press_accept

S = RequestState


@pytest.fixture
def setup(make_window, qtbot, monkeypatch):  # noqa: ANN001, ANN201
    window = make_window(role="supervisor", name="tester")
    world = build_world(window.ctx.conn)
    window.ctx.session.set_user(world.users["ana"])
    warnings: list[str] = []
    monkeypatch.setattr("PySide6.QtWidgets.QMessageBox.warning",
                        lambda _parent, _title, text, *a, **k: warnings.append(text))
    # Send asks first (tests/ui/usability/test_request_flow.py answers the real question box).
    monkeypatch.setattr("app.views.requests.steps.RequestSteps.confirm_send", lambda self, rid, preview: True)
    window.show()
    qtbot.waitExposed(window)
    return window, world, warnings


def tab_of(window):  # noqa: ANN001, ANN201
    return window.features["requests"]


def click(qtbot, button) -> None:  # noqa: ANN001
    assert button.isEnabled(), button.objectName()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def failing(dialog) -> set[str]:  # noqa: ANN001
    dialog.recheck()
    return {rule for rule, ok in dialog.rule_states().items() if not ok}


def test_create_fix_submit_approve_send_answer_resolve(setup, qtbot) -> None:  # noqa: ANN001
    window, world, warnings = setup
    tab = tab_of(window)
    window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: tab.steps.request_dialog is not None)
    dialog = tab.steps.request_dialog
    assert window.tabs.currentWidget() is tab

    # A first, careless draft: the checklist names each failure.
    dialog.case_number.setText("14-123")
    dialog.category.setCurrentText(policy_cat := "protest / lawful assembly")
    assert policy_cat
    assert failing(dialog) == {policy.CASE_NUMBER, policy.CATEGORY, policy.INCIDENT_LIMIT, policy.JURISDICTION}
    item = next(dialog.checklist.item(i) for i in range(dialog.checklist.count())
                if dialog.checklist.item(i).data(Qt.ItemDataRole.UserRole) == policy.CASE_NUMBER)
    assert item.text().startswith("✘") and "does not match" in item.text()

    # Fix them: the incident (the circle follows it into the jurisdiction), the case number, the category.
    dialog.incident.setCurrentIndex(dialog.incident.findData(world.incident_id))
    dialog.case_number.clear()
    qtbot.keyClicks(dialog.case_number, "BPD-14-000777")
    dialog.category.setCurrentText("robbery")
    dialog.radius_m.setValue(50)
    assert failing(dialog) == {policy.AREA}
    dialog.radius_m.setValue(300)
    qtbot.waitUntil(lambda: all(dialog.rule_states().values()))
    assert "4 owners would be asked" in dialog.preview.text()
    click(qtbot, dialog.submit_button)
    qtbot.waitUntil(lambda: tab.steps.request_dialog is None)
    rid = tab.current.id
    assert store.get_request(window.ctx.conn, rid).state == S.AWAITING_APPROVAL
    assert not tab.buttons["approve"].isEnabled()  # an analyst cannot approve

    # Another supervisor approves; the author could not.
    window.ctx.session.set_user(world.users["sam"])
    assert tab.select_request(rid)
    click(qtbot, tab.buttons["approve"])
    assert store.get_request(window.ctx.conn, rid).approved_by == world.users["sam"].id
    window.ctx.session.set_user(world.users["ana"])
    assert tab.select_request(rid)
    click(qtbot, tab.buttons["send"])
    rec = store.get_request(window.ctx.conn, rid)
    assert rec.state == S.SENT and rec.public_no == 1
    assert warnings == []

    # Answers from the keyboard: S, D, N, R — each moves to the next row.
    model = tab.recipient_model
    assert model.rowCount() == 4
    assert all(model.data(model.index(r, 1)).startswith("Neighbor #") for r in range(4))
    tab.recipients.setFocus()
    tab.recipients.setCurrentIndex(model.index(0, 0))
    owners = [model.rows[r].owner_id for r in range(4)]
    for key in (Qt.Key.Key_S, Qt.Key.Key_D, Qt.Key.Key_N, Qt.Key.Key_R):
        qtbot.keyClick(tab.recipients, key)
    states = {r.owner_id: r.state for r in store.recipients(window.ctx.conn, rid)}
    assert [states[o] for o in owners] == [RecipientState.SHARED, RecipientState.DECLINED,
                                           RecipientState.NO_FOOTAGE, RecipientState.NO_RESPONSE]
    assert model.data(model.index(0, 1)) == "Alice Adams"          # shared: identity shown
    assert model.data(model.index(1, 1)).startswith("Neighbor #")  # declined: stays anonymous
    assert "Shared 1" in tab.recipient_counts.text()

    click(qtbot, tab.buttons["resolve"])
    rd = tab.steps.resolve_dialog
    rd.useful.setCurrentIndex(rd.useful.findData(True))
    rd.arrest.setCurrentIndex(rd.arrest.findData(False))
    rd.notes.setPlainText("Footage showed the getaway car")
    press_accept(qtbot, rd)
    assert store.get_request(window.ctx.conn, rid).state == S.RESOLVED
    assert store.get_outcome(window.ctx.conn, rid) == (True, False, "Footage showed the getaway car")
    texts = [tab.timeline.item(i).text() for i in range(tab.timeline.count())]
    assert len(texts) == 5 and "sam · Approved" in texts[2] and "Sent → Resolved" in texts[4]
    assert warnings == []


def test_override_path_and_two_person_rule_in_the_window(setup, qtbot) -> None:  # noqa: ANN001
    window, world, warnings = setup
    tab = tab_of(window)
    conn = window.ctx.conn
    now = utc_now()
    d = svc.DraftInput(world.agency_id, "legacy 77", world.incident_id, "burglary", GOOD_FENCE,
                       now - timedelta(hours=3), now - timedelta(hours=2))
    rid = svc.create_draft(world.session("sam"), d)
    svc.submit(world.session("sam"), rid)
    window.ctx.session.set_user(world.users["sam"])
    tab.state_filter.setCurrentIndex(0)
    assert tab.select_request(rid)
    assert not tab.buttons["approve"].isEnabled()   # sam wrote it
    assert "Case number NOT MET" in tab.summary.text()
    click(qtbot, tab.buttons["override"])
    od = tab.steps.override_dialog
    assert od.rule.currentData() == policy.CASE_NUMBER
    od.reason.setPlainText("Case opened under the old numbering before the agency changed formats")
    press_accept(qtbot, od)
    assert store.overridden_rules(conn, rid) == {policy.CASE_NUMBER}
    assert "(overridden)" in tab.summary.text()

    window.ctx.session.set_user(world.users["sue"])
    assert tab.select_request(rid)
    click(qtbot, tab.buttons["approve"])
    click(qtbot, tab.buttons["send"])
    assert store.get_request(conn, rid).state == S.SENT
    assert warnings == []
    assert any("Override of case_number" in tab.timeline.item(i).text() for i in range(tab.timeline.count()))


def test_outreach_exports_answers_import_and_public_log(setup, qtbot, tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    window, world, warnings = setup
    tab = tab_of(window)
    conn = window.ctx.conn
    now = utc_now()
    d = svc.DraftInput(world.agency_id, "BPD-14-000001", world.incident_id, "robbery", GOOD_FENCE,
                       now - timedelta(hours=3), now - timedelta(hours=2), "A robbery at the corner store",
                       "Det. Smith 410-555-0199")
    rid = svc.create_draft(world.session("ana"), d)
    svc.submit(world.session("ana"), rid)
    svc.approve(world.session("sam"), rid)
    svc.send(world.session("ana"), rid)
    tab.reload()
    assert tab.select_request(rid)

    target = {}
    monkeypatch.setattr(files, "choose_save_file", lambda *a, **k: target["path"])
    target["path"] = tmp_path / "notices.csv"
    click(qtbot, tab.outreach_buttons["csv"])
    qtbot.waitUntil(lambda: bool(tab.answers.last_outreach), timeout=10_000)  # written off the GUI thread
    assert tab.answers.last_outreach == f"4 notices written to {target['path']}"
    rows = list(csv.DictReader(target["path"].read_text(encoding="utf-8").splitlines()))
    assert len(rows) == 4 and rows[0]["display_name"] == "Alice Adams" and rows[0]["reply_code"].startswith("R1-N")
    target["path"] = tmp_path / "letters.pdf"
    click(qtbot, tab.outreach_buttons["pdf"])
    qtbot.waitUntil(lambda: bool(tab.answers.last_outreach), timeout=10_000)
    assert tab.answers.last_outreach.startswith("4 letters (4 pages) written")
    assert target["path"].read_bytes()[:5] == b"%PDF-"
    actions = [r[0] for r in conn.execute("SELECT action FROM audit_log WHERE object = ?", (f"request:{rid}",))]
    assert actions.count("owner_contact_viewed") == 2 and actions.count("outreach_exported") == 2

    nos = {r.owner_id: r.anonymity_no for r in store.recipients(conn, rid)}
    alice, bob = world.owner_ids[0], world.owner_ids[1]
    bad = tmp_path / "bad.csv"
    bad.write_text(f"neighbor_no,response,opt_out\n{nos[alice]},shared,no\n999,declined,no\n"
                   f"Neighbor #{nos[bob]},maybe,perhaps\n", encoding="utf-8")
    monkeypatch.setattr(files, "choose_open_file", lambda *a, **k: bad)
    click(qtbot, tab.outreach_buttons["import"])
    assert len(warnings) == 1 and "line 3" in warnings[0] and "line 4" in warnings[0]
    assert {r.state for r in store.recipients(conn, rid)} == {RecipientState.PENDING}   # nothing written
    good = tmp_path / "good.csv"
    good.write_text(f"neighbor_no,response,opt_out\n{nos[alice]},shared,no\nR1-N{nos[bob]},declined,yes\n",
                    encoding="utf-8")
    monkeypatch.setattr(files, "choose_open_file", lambda *a, **k: good)
    click(qtbot, tab.outreach_buttons["import"])
    assert len(warnings) == 1
    states = {r.owner_id: r.state for r in store.recipients(conn, rid)}
    assert states[alice] == RecipientState.SHARED and states[bob] == RecipientState.DECLINED
    assert conn.execute("SELECT consent FROM owners WHERE id = ?", (bob,)).fetchone()[0] == "opt_out"

    # The public log, as an auditor sees it, exported through the seam.
    window.ctx.session.set_user(world.users["aud"])
    assert not tab.stack.allowed and tab.stack.currentWidget() is tab.denied  # no requests content for an auditor
    window.actions[Action.PUBLIC_LOG].trigger()
    dlg = tab.answers.public_log_dialog
    assert dlg.model.rowCount() == 1
    assert dlg.model.data(dlg.model.index(0, 1)) == "BPD-14-000001"
    target["path"] = tmp_path / "log.html"
    click(qtbot, dlg.html_button)
    page = target["path"].read_text(encoding="utf-8")
    assert "BPD-14-000001" in page and "Alice" not in page
    target["path"] = tmp_path / "log.csv"
    click(qtbot, dlg.csv_button)
    log = list(csv.DictReader(target["path"].read_text(encoding="utf-8").splitlines()))
    assert log[0]["shared"] == "1" and log[0]["declined"] == "1" and log[0]["notified"] == "4"
    press_accept(qtbot, dlg)


def test_expiry_on_launch_and_on_the_timer(make_window, qtbot) -> None:  # noqa: ANN001
    window = make_window(role="supervisor", name="tester")
    world: World = build_world(window.ctx.conn)
    conn = window.ctx.conn
    now = utc_now()
    d = svc.DraftInput(world.agency_id, "BPD-14-000002", world.incident_id, "robbery", GOOD_FENCE,
                       now - timedelta(hours=3), now - timedelta(hours=2))
    rid = svc.create_draft(world.session("ana"), d)
    svc.submit(world.session("ana"), rid)
    svc.approve(world.session("sam"), rid)
    svc.send(world.session("ana"), rid)
    tab = tab_of(window)
    assert tab.expiry_timer.isActive()
    tab.clock = lambda: now + timedelta(days=8)   # a week later: the timer's next tick expires it
    tab.expiry_timer.timeout.emit()
    assert store.get_request(conn, rid).state == S.EXPIRED


def test_new_request_from_the_fence_on_the_map(setup, qtbot) -> None:  # noqa: ANN001
    from app.core.fence import PolygonFence
    from tests.request_world import m_to_deg

    window, world, warnings = setup
    tab = tab_of(window)
    ring = (m_to_deg(-250, -250), m_to_deg(-250, 250), m_to_deg(250, 250), m_to_deg(250, -250))
    fence = PolygonFence(ring)
    window.features["map"].set_fence(fence)   # as if drawn with the polygon tool
    qtbot.waitUntil(lambda: window.features["map"].current_fence() is not None)
    window.actions[Action.NEW_REQUEST].trigger()
    dialog = tab.steps.request_dialog
    assert dialog.area_source.currentText().startswith("Fence drawn on the map (polygon")
    assert not dialog.circle_row.isEnabled()
    dialog.incident.setCurrentIndex(dialog.incident.findData(world.incident_id))
    dialog.case_number.setText("BPD-14-000555")
    assert failing(dialog) == set()
    click(qtbot, dialog.save_button)
    qtbot.waitUntil(lambda: tab.steps.request_dialog is None)
    rec = store.get_request(window.ctx.conn, tab.current.id)
    assert rec.state == S.DRAFT and rec.area_kind == "polygon" and rec.fence == fence
    # …and back: the request's area shown on the map selects the same cameras.
    window.features["map"].set_fence(None)
    click(qtbot, tab.outreach_buttons["map"])
    assert window.tabs.currentWidget() is window.features["map"]
    assert window.features["map"].current_fence() == fence
    assert warnings == []


def test_request_limits_read_only_for_analysts_changed_by_a_supervisor(setup, qtbot) -> None:  # noqa: ANN001
    from app.services.requests.policy_settings import get_limits

    window, world, warnings = setup
    tab = tab_of(window)
    conn = window.ctx.conn
    now = utc_now()
    d = svc.DraftInput(world.agency_id, "BPD-14-000003", world.incident_id, "robbery", GOOD_FENCE,
                       now - timedelta(hours=3), now - timedelta(hours=2))
    rid = svc.create_draft(world.session("ana"), d)
    tab.reload()
    assert tab.select_request(rid) and "every rule met" in tab.summary.text()
    window.actions[Action.REQUEST_LIMITS].trigger()
    assert not tab.steps.limits_dialog.editors["area_max_sq_mi"].isEnabled()
    tab.steps.limits_dialog.reject()

    window.ctx.session.set_user(world.users["sam"])
    window.actions[Action.REQUEST_LIMITS].trigger()
    dlg = tab.steps.limits_dialog
    # Both halves of a pair at once, in the order that needs a retry: a minimum above the old maximum is
    # accepted only once the maximum has moved up.
    dlg.editors["area_min_sq_mi"].setValue(0.6)
    dlg.editors["area_max_sq_mi"].setValue(1.0)
    dlg.apply()
    assert get_limits(conn)["area_min_sq_mi"] == 0.6 and get_limits(conn)["area_max_sq_mi"] == 1.0
    assert "Area size NOT MET" in tab.summary.text()
    changes = conn.execute("SELECT actor, object FROM audit_log WHERE action = 'policy_limit_changed'").fetchall()
    assert sorted(changes) == [("sam", "limit:area_max_sq_mi"), ("sam", "limit:area_min_sq_mi")]
    assert warnings == []


def test_first_request_is_shown_when_nothing_was_chosen(make_window, qtbot) -> None:  # noqa: ANN001
    from app.services.accountability.auth import ensure_demo_users
    from app.services.requests.demo import ensure_demo_requests
    from app.store.demo import ensure_demo_city

    window = make_window(role="analyst", name="ana", demo=True)
    ensure_demo_city(window.ctx.conn)
    ensure_demo_users(window.ctx.conn)
    assert ensure_demo_requests(window.ctx.conn) > 0
    tab = window.tab("requests")
    tab.reload()
    assert tab.current is not None
    assert tab.table.currentIndex().row() == 0
