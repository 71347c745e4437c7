"""Undo and redo in Program ▸ Agencies through the real window and the keyboard: an agency edit made in its dialog,
an agency added and deleted, a milestone added and deleted. Edit ▸ Undo names the act; every undo and redo is written
by the service and audited."""

from __future__ import annotations

import json

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from app.core.agencies import Agency
from app.services.program import agencies as agency_svc
from app.views.actions import Action

CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


@pytest.fixture
def window(make_window, qtbot, monkeypatch):  # noqa: ANN001, ANN201
    warnings: list[str] = []
    monkeypatch.setattr("PySide6.QtWidgets.QMessageBox.warning", lambda _p, _t, text, *a, **k: warnings.append(text))
    w = make_window(role="supervisor", name="sue")
    agency_svc.add_agency(w.ctx.session, Agency(None, "Metro PD", "police", "Baltimore", "MD",
                                                partnered_on="2024-01-05", status="active"))
    w.features["program"].reload()
    w.show()
    qtbot.waitExposed(w)
    w.show_tab("program")
    w.activateWindow()
    qtbot.waitUntil(w.isActiveWindow)
    w.warnings = warnings
    return w


def key(qtbot, k: Qt.Key, mods: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:  # noqa: ANN001
    """A key press where the keyboard focus is (the window's, as a user's would be)."""
    qtbot.keyClick(QApplication.focusWidget() or QApplication.activeWindow(), k, mods)


def press(qtbot, button) -> None:  # noqa: ANN001
    button.setFocus()
    qtbot.keyClick(button, Qt.Key.Key_Space)


def actions(conn) -> list[str]:  # noqa: ANN001
    return [a for (a,) in conn.execute("SELECT action FROM audit_log ORDER BY seq")]


def menu_text(window, action: Action) -> str:  # noqa: ANN001
    return window.actions[action].text()


def test_agency_edit_in_its_dialog_is_undone_with_ctrl_z_and_redone(window, qtbot) -> None:  # noqa: ANN001
    view = window.features["program"].agencies
    conn = window.ctx.conn
    view.table.setFocus()
    view.table.selectRow(0)
    press(qtbot, view.buttons["edit"])
    dialog = view.dialog
    assert dialog is not None and dialog.name.text() == "Metro PD"
    dialog.name.setFocus()
    qtbot.keyClick(dialog.name, Qt.Key.Key_A, CTRL)
    qtbot.keyClicks(dialog.name, "Metro PD North")
    qtbot.keyClick(dialog.name, Qt.Key.Key_Tab)  # on to Kind, City
    dialog.city.setFocus()
    qtbot.keyClick(dialog.city, Qt.Key.Key_A, CTRL)
    qtbot.keyClicks(dialog.city, "Towson")
    qtbot.keyClick(dialog.city, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: view.dialog is None)
    stored = lambda: conn.execute("SELECT name, city FROM agencies").fetchall()  # noqa: E731
    assert stored() == [("Metro PD North", "Towson")]
    assert menu_text(window, Action.UNDO) == "&Undo Edit Agency ‘Metro PD North’"
    assert window.actions[Action.UNDO].isEnabled() and not window.actions[Action.REDO].isEnabled()

    key(qtbot, Qt.Key.Key_Z, CTRL)
    assert stored() == [("Metro PD", "Baltimore")]
    assert view.model.rows[0].name == "Metro PD"  # the table follows
    assert actions(conn)[-2:] == ["agency_changed", "agency_changed_undo"]
    actor, details = conn.execute("SELECT actor, details FROM audit_log WHERE action = ?",
                                  ("agency_changed_undo",)).fetchone()
    assert actor == "sue" and json.loads(details)["old_new"] == {"name": ["Metro PD North", "Metro PD"],
                                                                 "city": ["Towson", "Baltimore"]}
    assert menu_text(window, Action.REDO) == "&Redo Edit Agency ‘Metro PD North’"

    key(qtbot, Qt.Key.Key_Z, CTRL | SHIFT)
    assert stored() == [("Metro PD North", "Towson")]
    assert actions(conn)[-1] == "agency_changed_redo"
    key(qtbot, Qt.Key.Key_Z, CTRL)
    key(qtbot, Qt.Key.Key_Y, CTRL)  # the other redo key
    assert stored() == [("Metro PD North", "Towson")]
    assert actions(conn)[-2:] == ["agency_changed_undo", "agency_changed_redo"]
    assert window.warnings == []


def test_an_added_agency_is_taken_out_by_undo_and_comes_back_by_redo(window, qtbot) -> None:  # noqa: ANN001
    view = window.features["program"].agencies
    conn = window.ctx.conn
    press(qtbot, view.buttons["add"])
    dialog = view.dialog
    qtbot.keyClicks(dialog.name, "County Sheriff")
    qtbot.keyClick(dialog.name, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: view.dialog is None)
    (aid,) = conn.execute("SELECT id FROM agencies WHERE name = 'County Sheriff'").fetchone()
    assert menu_text(window, Action.UNDO) == "&Undo Add Agency ‘County Sheriff’"
    key(qtbot, Qt.Key.Key_Z, CTRL)
    assert conn.execute("SELECT count(*) FROM agencies WHERE id = ?", (aid,)).fetchone()[0] == 0
    key(qtbot, Qt.Key.Key_Z, CTRL | SHIFT)
    assert conn.execute("SELECT name FROM agencies WHERE id = ?", (aid,)).fetchall() == [("County Sheriff",)]
    assert actions(conn)[-3:] == ["agency_added", "agency_deleted", "agency_restored"]
    assert [a.name for a in view.model.rows] == ["County Sheriff", "Metro PD"]
    # Deleting it (the Delete button, by the keyboard) is undone the same way.
    view.select_agency(aid)
    press(qtbot, view.buttons["delete"])
    assert conn.execute("SELECT count(*) FROM agencies WHERE id = ?", (aid,)).fetchone()[0] == 0
    assert menu_text(window, Action.UNDO) == "&Undo Delete Agency ‘County Sheriff’"
    key(qtbot, Qt.Key.Key_Z, CTRL)
    assert conn.execute("SELECT name FROM agencies WHERE id = ?", (aid,)).fetchall() == [("County Sheriff",)]
    key(qtbot, Qt.Key.Key_Y, CTRL)
    assert conn.execute("SELECT count(*) FROM agencies WHERE id = ?", (aid,)).fetchone()[0] == 0
    assert actions(conn)[-3:] == ["agency_deleted", "agency_restored", "agency_deleted"]
    assert window.warnings == []


def test_milestone_added_and_deleted_through_dialogs_undone_and_redone(window, qtbot) -> None:  # noqa: ANN001
    view = window.features["program"].agencies
    conn = window.ctx.conn
    assert not view.buttons["delete_milestone"].isEnabled()  # nothing to delete yet
    press(qtbot, view.buttons["milestone"])
    d = view.milestones.dialog
    d.editors["label"].setFocus()
    qtbot.keyClicks(d.editors["label"], "News report")
    qtbot.keyClick(d.editors["label"], Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: view.milestones.dialog is None)
    assert [label for _d, label in view.plot.milestones] == ["News report"]
    assert view.buttons["delete_milestone"].isEnabled()
    assert menu_text(window, Action.UNDO) == "&Undo Add Milestone ‘News report’"
    row = conn.execute("SELECT id, on_date, label, created_by, created_at FROM milestones").fetchall()
    assert len(row) == 1 and row[0][3] == "sue"

    press(qtbot, view.buttons["delete_milestone"])
    d = view.milestones.dialog
    assert d.editors["milestone"].currentText().endswith("— News report")
    qtbot.keyClick(d.editors["milestone"], Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: view.milestones.dialog is None)
    assert conn.execute("SELECT count(*) FROM milestones").fetchone()[0] == 0 and view.plot.milestones == []
    assert menu_text(window, Action.UNDO) == "&Undo Delete Milestone ‘News report’"

    key(qtbot, Qt.Key.Key_Z, CTRL)
    assert conn.execute("SELECT id, on_date, label, created_by, created_at FROM milestones").fetchall() == row
    assert [label for _d, label in view.plot.milestones] == ["News report"]
    assert actions(conn)[-2:] == ["milestone_deleted", "milestone_restored"]
    assert menu_text(window, Action.REDO) == "&Redo Delete Milestone ‘News report’"
    key(qtbot, Qt.Key.Key_Z, CTRL | SHIFT)
    assert conn.execute("SELECT count(*) FROM milestones").fetchone()[0] == 0 and view.plot.milestones == []
    assert actions(conn)[-1] == "milestone_deleted"
    # Undo both (the deletion, then the addition), redo the addition: the same milestone, marked by the same user.
    key(qtbot, Qt.Key.Key_Z, CTRL)
    key(qtbot, Qt.Key.Key_Z, CTRL)
    assert conn.execute("SELECT count(*) FROM milestones").fetchone()[0] == 0
    key(qtbot, Qt.Key.Key_Y, CTRL)
    assert conn.execute("SELECT id, on_date, label, created_by, created_at FROM milestones").fetchall() == row
    # undo of the deletion, undo of the addition, redo of the addition
    assert actions(conn)[-3:] == ["milestone_restored", "milestone_deleted", "milestone_restored"]
    assert window.warnings == []
