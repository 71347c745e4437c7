"""The Registry tab in the real main window: add/edit/delete through the dialog and keyboard, undo/redo, filters,
the owner pane's audited contact details, and what other roles may not do."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from PySide6.QtCore import QSettings, Qt, QTimer
from PySide6.QtWidgets import QApplication, QDialogButtonBox, QMessageBox

from app.core.records import Camera, CameraKind, Consent, Owner
from app.models.camera_table_model import COL_CONSENT, COL_ID, COL_LABEL, COL_OWNER
from app.services.registry.service import RegistryService
from app.views.actions import Action
from app.views.registry.camera_dialog import CameraDialog


def activate(qtbot, window) -> None:  # noqa: ANN001
    """Window shortcuts only fire in the active window (and a closed modal dialog leaves none active offscreen)."""
    if not window.isActiveWindow():
        with qtbot.waitActive(window):
            window.show()
            window.activateWindow()


def registry_tab(qtbot, window):  # noqa: ANN001, ANN201
    activate(qtbot, window)
    return window.show_tab("registry")


def wait_loaded(qtbot, tab) -> None:  # noqa: ANN001
    qtbot.waitUntil(lambda: bool(tab.loaded), timeout=5000)


def seed(window, n: int = 3) -> list[int]:  # noqa: ANN001
    svc = RegistryService(window.ctx.session)
    ids = []
    for i in range(n):
        owner = Owner(None, f"Resident {i}", email=f"r{i}@example.org", phone=f"555-01{i:02d}",
                      consent=Consent.OPT_OUT if i == 1 else Consent.OPT_IN)
        ids += svc.add_camera(Camera(None, 44.6 + i / 100, -124.0, CameraKind.DOORBELL, heading_deg=90.0,
                                     fov_deg=120.0, range_m=12.0, retention_days=30, label=f"{i + 1} Harbor Road"
                                     if i % 2 else f"{i + 1} Cedar Avenue"), owner).camera_ids
    return ids


def with_dialog(qtbot, fill: Callable[[CameraDialog], None], trigger: Callable[[], None]) -> None:  # noqa: ANN001
    """Run `trigger` (which opens the modal camera dialog) and drive the dialog with `fill`."""
    done: list[bool] = []

    def drive() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, CameraDialog):
            QTimer.singleShot(20, drive)
            return
        fill(dialog)
        done.append(True)

    QTimer.singleShot(0, drive)
    trigger()
    assert done, "the camera dialog did not open"


def audit(window, action: str) -> list[dict]:  # noqa: ANN001
    return [json.loads(d) for (d,) in window.ctx.conn.execute(
        "SELECT details FROM audit_log WHERE action = ? ORDER BY seq", (action,))]


def cells(model, col: int) -> list[str]:  # noqa: ANN001
    return [model.data(model.index(r, col)) for r in range(model.rowCount())]


def test_add_edit_delete_with_undo_redo_by_keyboard(make_window, qtbot, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    window = make_window(role="analyst")
    tab = registry_tab(qtbot, window)
    wait_loaded(qtbot, tab)
    assert tab.model.rowCount() == 0

    def fill_new(dialog: CameraDialog) -> None:
        ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
        assert not ok.isEnabled()  # latitude and longitude are required
        qtbot.keyClicks(dialog.edits["label"], "8 Pier Street")
        qtbot.keyClicks(dialog.edits["lat"], "95")
        qtbot.keyClicks(dialog.edits["lon"], "-124.05")
        assert dialog.errors["lat"].isVisibleTo(dialog) and "−90 and 90" in dialog.errors["lat"].text()
        assert not ok.isEnabled()
        dialog.edits["lat"].setText("44.64")
        qtbot.keyClicks(dialog.edits["heading_deg"], "400")
        assert not ok.isEnabled() and dialog.errors["heading_deg"].text()
        dialog.edits["heading_deg"].setText("270")
        qtbot.keyClicks(dialog.edits["fov_deg"], "0")
        assert "1° and 360°" in dialog.errors["fov_deg"].text()
        dialog.edits["fov_deg"].setText("110")
        qtbot.keyClicks(dialog.edits["display_name"], "Pat Doe")
        qtbot.keyClicks(dialog.edits["email"], "pat@example.org")
        dialog.consent_combo.setCurrentIndex(dialog.consent_combo.findData("opt_out"))
        dialog.kind_combo.setCurrentIndex(dialog.kind_combo.findText("Floodlight"))
        assert ok.isEnabled()
        qtbot.mouseClick(ok, Qt.MouseButton.LeftButton)

    with_dialog(qtbot, fill_new, window.actions[Action.ADD_CAMERA].trigger)
    model = tab.model
    assert cells(model, COL_LABEL) == ["8 Pier Street"]
    assert cells(model, COL_CONSENT) == ["Opted out"] and cells(model, COL_OWNER) == ["Neighbor #1"]
    [cid] = window.camera_selection.ids.tolist()
    row = window.ctx.conn.execute("SELECT lat, heading_deg, fov_deg, kind FROM cameras WHERE id = ?", (cid,)).fetchone()
    assert row == (44.64, 270.0, 110.0, "floodlight")
    assert audit(window, "camera_add")[0]["camera_id"] == cid

    # Edit with Enter on the selected row.
    tab.table.setFocus()
    tab.table.setCurrentIndex(model.index(0, COL_LABEL))

    def fill_edit(dialog: CameraDialog) -> None:
        assert dialog.edits["email"].text() == ""  # stored contact is never shown in the dialog
        dialog.edits["label"].setText("10 Pier Street")
        qtbot.mouseClick(dialog.buttons.button(QDialogButtonBox.StandardButton.Ok), Qt.MouseButton.LeftButton)

    with_dialog(qtbot, fill_edit, lambda: qtbot.keyClick(tab.table, Qt.Key.Key_Return))
    assert cells(model, COL_LABEL) == ["10 Pier Street"]
    assert window.ctx.conn.execute("SELECT email FROM owners").fetchone()[0] == "pat@example.org"

    # Delete with the Delete key, confirmed; the question names how many cameras.
    asked: list[str] = []
    monkeypatch.setattr(QMessageBox, "question",
                        lambda _p, _t, text, *_a: asked.append(text) or QMessageBox.StandardButton.Yes)
    activate(qtbot, window)
    tab.table.setFocus()
    qtbot.keyClick(tab.table, Qt.Key.Key_Delete)
    assert asked and f"camera {cid}" in asked[0]
    assert model.rowCount() == 0 and window.ctx.conn.execute("SELECT count(*) FROM owners").fetchone()[0] == 0

    # Undo the delete, then the edit; redo both — with the real shortcuts.
    qtbot.keyClick(tab.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert cells(model, COL_LABEL) == ["10 Pier Street"] and cells(model, COL_ID) == [str(cid)]
    assert window.ctx.conn.execute("SELECT email FROM owners").fetchone()[0] == "pat@example.org"
    qtbot.keyClick(tab.table, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert cells(model, COL_LABEL) == ["8 Pier Street"]
    redo = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier
    qtbot.keyClick(tab.table, Qt.Key.Key_Z, redo)
    assert cells(model, COL_LABEL) == ["10 Pier Street"]
    qtbot.keyClick(tab.table, Qt.Key.Key_Z, redo)
    assert model.rowCount() == 0
    actions = [a for (a,) in window.ctx.conn.execute("SELECT action FROM audit_log ORDER BY seq")]
    assert actions[-4:] == ["camera_delete_undo", "camera_edit_undo", "camera_edit_redo", "camera_delete_redo"]


def test_delete_many_asks_with_the_count(make_window, qtbot, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    window = make_window(role="supervisor")
    ids = seed(window, 3)
    tab = registry_tab(qtbot, window)
    wait_loaded(qtbot, tab)
    tab.table.setFocus()
    tab.table.selectAll()
    assert window.camera_selection.ids.tolist() == ids
    asked: list[str] = []
    monkeypatch.setattr(QMessageBox, "question",
                        lambda _p, _t, text, *_a: asked.append(text) or QMessageBox.StandardButton.No)
    window.actions[Action.DELETE_CAMERA].trigger()
    assert "Delete 3 cameras" in asked[0] and tab.model.rowCount() == 3  # "No" deletes nothing
    monkeypatch.setattr(QMessageBox, "question", lambda *_a: QMessageBox.StandardButton.Yes)
    window.actions[Action.DELETE_CAMERA].trigger()
    assert tab.model.rowCount() == 0 and window.undo_stack.count() == 1
    assert window.undo_stack.undoText() == "Delete 3 Cameras"
    window.undo_stack.undo()
    assert cells(tab.model, COL_ID) == [str(i) for i in ids]


def test_ctrl_f_filter_narrows_and_search_is_audited_once(make_window, qtbot) -> None:  # noqa: ANN001
    window = make_window(role="analyst")
    seed(window, 4)
    tab = registry_tab(qtbot, window)
    wait_loaded(qtbot, tab)
    tab.table.setFocus()
    assert not tab.filter_edit.hasFocus()
    qtbot.keyClick(tab.table, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: tab.filter_edit.hasFocus(), timeout=2000)
    qtbot.keyClicks(tab.filter_edit, "harbor")
    qtbot.waitUntil(lambda: tab.model.rowCount() == 2, timeout=2000)
    assert cells(tab.model, COL_LABEL) == ["2 Harbor Road", "4 Harbor Road"]
    assert "2 of 4 cameras" in tab.count_label.text()
    qtbot.waitUntil(lambda: len(audit(window, "registry_search")) == 1, timeout=3000)
    assert audit(window, "registry_search")[0] == {"text": "harbor", "kind": None, "source": None,
                                                   "consent": "any", "matches": 2}
    tab.consent_combo.setCurrentIndex(tab.consent_combo.findData("opt_out"))
    assert cells(tab.model, COL_LABEL) == ["2 Harbor Road"]
    tab.flush_search_audit()  # closing the window does this: a settled search is never lost
    assert audit(window, "registry_search")[-1]["consent"] == "opt_out"
    assert len(audit(window, "registry_search")) == 2  # one entry per settled filter, not per keystroke


def test_owner_contact_only_in_the_pane_after_click_and_audited(make_window, qtbot) -> None:  # noqa: ANN001
    window = make_window(role="supervisor")
    ids = seed(window, 2)
    tab = registry_tab(qtbot, window)
    wait_loaded(qtbot, tab)
    table_text = " ".join(str(tab.model.data(tab.model.index(r, c))) for r in range(2) for c in range(14))
    assert "r0@example.org" not in table_text and "Resident 0" not in table_text
    qtbot.mouseClick(tab.table.viewport(), Qt.MouseButton.LeftButton,
                     pos=tab.table.visualRect(tab.model.index(0, COL_LABEL)).center())
    assert window.camera_selection.ids.tolist() == [ids[0]]
    dock = tab.owner_dock
    assert dock.fields["display_name"].text() == "Resident 0"
    assert not dock.contact_box.isVisibleTo(dock) and dock.contact["email"].text() == ""
    assert audit(window, "owner_contact_viewed") == []
    qtbot.mouseClick(dock.show_contact_button, Qt.MouseButton.LeftButton)
    assert dock.contact_box.isVisibleTo(dock) and dock.contact["email"].text() == "r0@example.org"
    assert audit(window, "owner_contact_viewed")[0]["anonymity_no"] == 1
    window.camera_selection.set_ids([ids[1]], source=None)  # another owner: contact hidden again
    assert tab.table.selectionModel().isRowSelected(1) and not tab.table.selectionModel().isRowSelected(0)
    assert dock.fields["display_name"].text() == "Resident 1" and dock.contact["email"].text() == ""


def test_admin_may_not_see_contact_and_auditor_may_not_see_or_edit(make_window, qtbot,  # noqa: ANN001
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    warnings: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text, *_a: warnings.append(text))
    window = make_window(role="admin", name="root")
    seed(window, 1)
    tab = registry_tab(qtbot, window)
    wait_loaded(qtbot, tab)
    window.camera_selection.set_ids(tab.model.arrays.ids, source=None)
    qtbot.mouseClick(tab.owner_dock.show_contact_button, Qt.MouseButton.LeftButton)
    assert warnings and "may not view owner contact" in warnings[0]
    assert tab.owner_dock.contact["email"].text() == "" and audit(window, "owner_contact_viewed") == []
    # The same window after an auditor signs in: no registry, no edits, refused if asked anyway.
    from app.core.records import Role
    from app.services.session import User

    window.ctx.session.set_user(User(None, "olive", Role.AUDITOR))
    assert tab.stack.currentWidget() is tab.denied and "may not view the camera registry" in tab.denied.text()
    assert not window.actions[Action.ADD_CAMERA].isEnabled()
    tab.add_camera()
    assert "may not edit registry" in warnings[-1]
    assert window.ctx.conn.execute("SELECT count(*) FROM cameras").fetchone()[0] == 1


def test_column_widths_are_remembered(make_window, qtbot, qsettings) -> None:  # noqa: ANN001
    window = make_window()
    tab = registry_tab(qtbot, window)
    wait_loaded(qtbot, tab)  # no loader left running past the test
    tab.table.setColumnWidth(COL_LABEL, 333)
    window.close()
    s = QSettings()
    assert s.value("registry/header") is not None
    again = make_window()
    assert again.tab("registry").table.columnWidth(COL_LABEL) == 333


def test_owner_dock_follows_the_camera_tabs(make_window) -> None:  # noqa: ANN001
    window = make_window(role="analyst")
    window.show()
    dock = window.tab("registry").owner_dock
    window.show_tab("registry")
    assert dock.isVisible()
    window.show_tab("requests")
    assert not dock.isVisible()
    window.show_tab("map")
    assert dock.isVisible()
    dock.toggleViewAction().trigger()  # the user closes it: it stays closed on the camera tabs
    window.show_tab("registry")
    assert not dock.isVisible()
    dock.toggleViewAction().trigger()
    assert dock.isVisible()
