"""The Program tab through the real window: the ledger (refusals in the dialog, the conditional-handout warning,
undo), the feed (the partner-agency notice, refused / held / queued posts, moderation, filters, CSV import of the
real Baltimore file → unmapped posts), operations (plan locked after the start → audited revision; a null result),
and the growth plot's data and exports."""

from __future__ import annotations

import csv
import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QDate, Qt

from app.core.agencies import Agency
from app.core.records import Role
from app.services.program import agencies as agency_svc
from app.services.session import User
from app.views.actions import Action

SQUARE = {"type": "Polygon", "coordinates": [[[-76.7, 39.2], [-76.5, 39.2], [-76.5, 39.4], [-76.7, 39.4],
                                              [-76.7, 39.2]]]}


def day(offset: int) -> str:
    return (date.today() + timedelta(days=offset)).isoformat()


@pytest.fixture
def window(make_window, qtbot, monkeypatch):  # noqa: ANN001, ANN201
    warnings: list[str] = []
    monkeypatch.setattr("PySide6.QtWidgets.QMessageBox.warning", lambda _p, _t, text, *a, **k: warnings.append(text))
    monkeypatch.setattr("PySide6.QtWidgets.QMessageBox.information", lambda *a, **k: None)
    w = make_window(role="supervisor", name="sue")
    agency_svc.add_agency(w.ctx.session, Agency(None, "Metro PD", "police", "Baltimore", "MD", 39.3, -76.6,
                                                json.dumps(SQUARE), "", day(-700), "active", "20 downloads = 1 camera",
                                                "METRO", 20))
    agency_svc.add_agency(w.ctx.session, Agency(None, "County Sheriff", "sheriff", partnered_on=day(-300)))
    w.features["program"].reload()
    w.show()
    qtbot.waitExposed(w)
    w.warnings = warnings
    return w


def test_growth_plot_data_milestones_and_exports(window, qtbot, tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    view = window.features["program"].agencies
    x, y = view.plot.curve.getData()
    assert list(y) == [1, 1, 2, 2] and x[0] < x[-1]  # a step up at each partnership, held until today
    assert view.plot.series.names == ["Metro PD", "County Sheriff"]
    from app.services.program import agencies as svc

    svc.add_milestone(window.ctx.session, day(-500), "News report")
    view.reload()
    assert view.plot.milestones == [(day(-500), "News report")]
    for kind in ("png", "svg", "csv"):
        out = tmp_path / f"growth.{kind}"
        monkeypatch.setattr("app.views.program.agencies_view.choose_save_file", lambda *a, o=out, **k: o)
        qtbot.mouseClick(view.buttons[kind], Qt.MouseButton.LeftButton)
        assert out.is_file() and out.stat().st_size > 0
    with (tmp_path / "growth.csv").open(encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["date", "partnerships", "agency", "milestone"]
    assert rows[1] == [day(-700), "1", "Metro PD", ""] and rows[-1] == [day(-500), "", "", "News report"]
    assert (tmp_path / "growth.svg").read_text(encoding="utf-8").lstrip().startswith("<?xml")


def test_ledger_refusals_conditional_warning_and_undo(window, qtbot) -> None:  # noqa: ANN001
    program = window.features["program"]
    ledger = program.ledger
    program.show_view(ledger)
    assert ledger.agency.currentText() in ("County Sheriff", "Metro PD")
    ledger.agency.setCurrentIndex(ledger.agency.findText("Metro PD"))
    qtbot.mouseClick(ledger.buttons["shipment"], Qt.MouseButton.LeftButton)
    d = ledger.dialog
    d.editors["on"].setDate(QDate.currentDate().addDays(-30))
    d.editors["units"].setValue(3)
    d.editors["model"].setText("Doorbell 2")
    d.try_accept()
    qtbot.waitUntil(lambda: ledger.dialog is None)
    assert ledger.model.rowCount() == 1 and ledger.model.rows[0].on_hand == 3

    qtbot.mouseClick(ledger.buttons["handout"], Qt.MouseButton.LeftButton)
    d = ledger.dialog
    assert not d.warning.isVisible()
    d.editors["units"].setValue(4)
    d.editors["terms"].setPlainText("You agree to share footage when the police ask.")
    d.editors["conditional"].setChecked(True)
    assert d.warning.isVisible() and "undermines voluntary consent" in d.warning.text()
    d.try_accept()
    assert d.isVisible() and "only 3 are on hand" in d.error.text()  # refused; nothing written
    d.editors["on"].setDate(QDate.currentDate().addDays(-40))
    d.editors["units"].setValue(1)
    d.try_accept()
    assert "dated before its shipment arrived" in d.error.text()
    d.editors["on"].setDate(QDate.currentDate().addDays(-10))
    d.editors["units"].setValue(2)
    d.try_accept()
    qtbot.waitUntil(lambda: ledger.dialog is None)
    conn = window.ctx.conn
    assert conn.execute("SELECT units, sharing_condition FROM distributions").fetchall() == [(2, 1)]
    assert ledger.model.rows[-1].on_hand == 1 and ledger.model.rows[-1].conditional
    assert "2 handed out on condition of sharing footage" in ledger.totals.text()

    # Downloads earn units under the terms (20 per camera).
    qtbot.mouseClick(ledger.buttons["credit"], Qt.MouseButton.LeftButton)
    d = ledger.dialog
    d.editors["period"].setText("2025-01")
    d.editors["downloads"].setValue(45)
    d.try_accept()
    qtbot.waitUntil(lambda: ledger.dialog is None)
    assert ledger.model.rows[-1].earned == 2

    # Undo (Ctrl+Z) takes the downloads entry back out, redo puts it back; both audited.
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert conn.execute("SELECT count(*) FROM download_credits").fetchone()[0] == 0
    assert ledger.model.rows[-1].earned == 0
    window.undo_stack.redo()
    assert conn.execute("SELECT count(*) FROM download_credits").fetchone()[0] == 1
    actions = [r[0] for r in conn.execute("SELECT action FROM audit_log ORDER BY seq")]
    assert actions[-2:] == ["credit_deleted", "credit_restored"]
    # Removing the shipment the handout came from is refused.
    ledger.table.selectRow(0)
    qtbot.mouseClick(ledger.buttons["delete"], Qt.MouseButton.LeftButton)
    assert window.warnings and "distributions 1 came from it" in window.warnings[-1]


def test_feed_post_moderation_filters(window, qtbot, monkeypatch) -> None:  # noqa: ANN001
    program = window.features["program"]
    feed = program.feed
    window.actions[Action.NEW_POST].trigger()
    qtbot.waitUntil(lambda: feed.dialog is not None)
    d = feed.dialog
    assert "partner agency can read this feed" in d.notice.text()
    assert not d.post_button.isEnabled()  # the notice must be acknowledged first
    d.understood.setChecked(True)
    d.category.setCurrentText("Package theft")
    qtbot.keyClicks(d.address, "1234 Elm Street")
    d.text.setPlainText("A parcel was taken from my neighbour's porch.")
    qtbot.mouseClick(d.post_button, Qt.MouseButton.LeftButton)
    assert d.isVisible() and "exact home address (1234 Elm Street)" in d.error.text()
    assert "1200 block of Elm Street" in d.error.text()
    d.address.setText("1200 block of Elm Street")
    qtbot.mouseClick(d.post_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: feed.dialog is None)
    conn = window.ctx.conn
    pid = conn.execute("SELECT id, moderation FROM incidents").fetchall()
    assert [m for _i, m in pid] == ["pending"]

    # A race-only description is held with the prompt.
    window.actions[Action.NEW_POST].trigger()
    d = feed.dialog
    d.understood.setChecked(True)
    d.address.setText("1200 block of Elm Street")
    d.text.setPlainText("Suspicious black man on our block.")
    qtbot.mouseClick(d.post_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: feed.dialog is None)
    assert conn.execute("SELECT moderation FROM incidents ORDER BY id DESC").fetchone()[0] == "held"

    # The moderation queue: approve one, reject the other (after detail) with a reason.
    window.actions[Action.MODERATION_QUEUE].trigger()
    assert feed.status.currentData() == "pending" and feed.model.rowCount() == 1
    feed.table.selectRow(0)
    assert feed.buttons["approve"].isEnabled()
    qtbot.mouseClick(feed.buttons["approve"], Qt.MouseButton.LeftButton)
    assert feed.model.rowCount() == 0
    feed.status.setCurrentIndex(feed.status.findData("held"))
    feed.table.selectRow(0)
    feed.add_detail("A man in a grey hoodie and jeans took a parcel from a porch and ran off.")
    feed.status.setCurrentIndex(feed.status.findData("pending"))
    feed.table.selectRow(0)
    feed.reject("Duplicate of an earlier post")
    assert conn.execute("SELECT moderation, moderation_reason FROM incidents ORDER BY id").fetchall() == [
        ("published", ""), ("rejected", "Duplicate of an earlier post")]
    actions = [r[0] for r in conn.execute("SELECT action FROM audit_log WHERE action LIKE 'post%' ORDER BY seq")]
    assert actions == ["post_refused", "post_submitted", "post_held", "post_approved", "post_edited",
                       "post_rejected"]
    # Filters: the published feed shows the approved post; the category and time filters narrow it.
    feed.status.setCurrentIndex(feed.status.findData("published"))
    assert feed.model.rowCount() == 1
    assert feed.model.data(feed.model.index(0, feed.model.COL_WHERE)) == "1200 block of Elm Street (unmapped)"
    feed.category.setCurrentIndex(feed.category.findText("Package theft"))
    assert feed.model.rowCount() == 1
    feed.when.setCurrentIndex(feed.when.findText("Last 24 hours"))
    assert feed.model.rowCount() == 1
    feed.area.setCurrentIndex(feed.area.findData("unmapped"))
    assert feed.model.rowCount() == 1
    feed.status.setCurrentIndex(feed.status.findData(None))
    feed.category.setCurrentIndex(0)
    assert feed.model.rowCount() == 2
    assert window.warnings == []


def open_import_dialog(window):  # noqa: ANN001, ANN201
    from PySide6.QtWidgets import QDialog

    return window.findChild(QDialog, "record_import_dialog")


def test_feed_imports_the_real_baltimore_file_unmapped(window, qtbot, monkeypatch, shared_data) -> None:  # noqa: ANN001
    src = shared_data / "baltimore-citiwatch" / "Violent_Crime_2014_YTD_official_nocoords.csv"
    monkeypatch.setattr("app.views.program.record_import_dialog.choose_open_file", lambda *a, **k: src)
    window.actions[Action.IMPORT_POSTS].trigger()
    qtbot.waitUntil(lambda: open_import_dialog(window) is not None)
    d = open_import_dialog(window)
    assert d.field_boxes["occurred_at"].currentText() == "CrimeDate + CrimeTime"
    assert d.field_boxes["block_address"].currentText() == "Location"
    d.option_edits["timezone"].setText("America/New_York")
    d.revalidate()
    assert d.summary.text().startswith("Violent_Crime_2014_YTD_official_nocoords.csv (csv): 8998 rows")
    lines = [d.report.item(i).text() for i in range(d.report.count())]
    assert "line 757: give a location: a block address or a point on the map" in lines
    assert not d.import_button.isEnabled()  # bad rows: only with "valid rows only"
    d.valid_only.setChecked(True)
    qtbot.mouseClick(d.import_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: open_import_dialog(window) is None)
    conn = window.ctx.conn
    n = conn.execute("SELECT count(*) FROM incidents WHERE lat IS NULL AND moderation = 'pending'").fetchone()[0]
    assert n == 8964
    feed = window.features["program"].feed
    assert "8,964 unmapped" in feed.unmapped_label.text()
    feed.status.setCurrentIndex(feed.status.findData("pending"))
    assert feed.model.rowCount() == 8964
    assert feed.model.data(feed.model.index(0, feed.model.COL_WHERE)).endswith("(unmapped)")
    assert "EST" in feed.model.data(feed.model.index(0, feed.model.COL_WHEN)) or \
        feed.model.data(feed.model.index(0, feed.model.COL_WHEN))[-3:].isalpha()


def test_operation_plan_locked_revision_and_null_result(window, qtbot) -> None:  # noqa: ANN001
    program = window.features["program"]
    ops = program.operations
    window.actions[Action.NEW_OPERATION].trigger()
    d = ops.dialog
    d.editors["name"].setText("Porch Watch")
    d.editors["kind"].setText("bait-package sting")
    d.editors["goal"].setPlainText("")
    d.try_accept()
    assert "State the goal" in d.error.text()
    d.editors["goal"].setPlainText("Arrest package thieves in Bayview")
    d.editors["measure"].setPlainText("3 arrests for package theft")
    d.editors["partners"].setText("Metro PD, Camera company")
    d.try_accept()
    qtbot.waitUntil(lambda: ops.dialog is None)
    conn = window.ctx.conn
    op_id = conn.execute("SELECT id FROM operations").fetchone()[0]
    assert "editable until the start" in ops.detail.toPlainText()
    # It starts: the plan is locked, a change is a revision with its reason.
    conn.execute("UPDATE operations SET started_on = ? WHERE id = ?", (day(-2), op_id))
    ops.reload(op_id)
    assert "locked since the start" in ops.detail.toPlainText()
    qtbot.mouseClick(ops.buttons["plan"], Qt.MouseButton.LeftButton)
    d = ops.dialog
    d.editors["measure"].setPlainText("1 arrest")
    d.try_accept()
    assert "needs a reason" in d.error.text()
    d.editors["reason"].setPlainText("decoys moved after week one")
    d.try_accept()
    qtbot.waitUntil(lambda: ops.dialog is None)
    text = ops.detail.toPlainText()
    assert "changed the success measure from “3 arrests for package theft” to “1 arrest”" in text
    qtbot.mouseClick(ops.buttons["statement"], Qt.MouseButton.LeftButton)
    d = ops.dialog
    d.editors["organisation"].setText("Metro PD")
    d.editors["text"].setPlainText("The sting will make porches safer.")
    d.try_accept()
    qtbot.waitUntil(lambda: ops.dialog is None)
    qtbot.mouseClick(ops.buttons["outcome"], Qt.MouseButton.LeftButton)
    d = ops.dialog
    d.editors["result"].setCurrentIndex(d.editors["result"].findData("null"))
    d.editors["notes"].setPlainText("No decoy was taken; no arrests.")
    d.try_accept()
    qtbot.waitUntil(lambda: ops.dialog is None)
    text = ops.detail.toPlainText()
    assert "null result (measure not met) · arrests 0" in text and "Metro PD: “The sting will make" in text
    actions = [r[0] for r in conn.execute("SELECT action FROM audit_log WHERE action LIKE 'operation%' ORDER BY seq")]
    assert actions == ["operation_created", "operation_plan_revised", "operation_statement_added",
                       "operation_outcome_recorded"]
    assert window.warnings == []


def test_auditor_sees_but_cannot_change(window, qtbot) -> None:  # noqa: ANN001
    window.ctx.session.set_user(User(None, "audrey", Role.AUDITOR))
    program = window.features["program"]
    assert not program.agencies.buttons["add"].isEnabled()
    assert not program.ledger.buttons["shipment"].isEnabled()
    assert not program.feed.buttons["post"].isEnabled()
    assert not program.operations.buttons["new"].isEnabled()
