"""Issue 10, points 11 and 12 through the real window: icons, stable toolbar buttons, the shortcut dialog generated
from the key tables (map tools, answer keys, F5; each key once, as the platform names it), Help ▸ User Guide."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QTableWidget, QTextBrowser, QToolButton

from app.views.actions import TOOLBAR, Action
from app.views.dialogs.user_guide import UserGuideDialog


def _shown(qtbot, window):  # noqa: ANN001, ANN202
    with qtbot.waitActive(window):
        window.show()
        window.activateWindow()
    return window


def _read_shortcuts(window, qtbot) -> list[tuple[str, str, str]]:  # noqa: ANN001
    seen: list[list[tuple[str, str, str]]] = []

    def read_and_close() -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is None:
            QTimer.singleShot(20, read_and_close)
            return
        table = dialog.findChild(QTableWidget)
        seen.append([tuple(table.item(r, c).text() for c in range(3)) for r in range(table.rowCount())])
        dialog.close()

    QTimer.singleShot(0, read_and_close)
    qtbot.keyClick(window, Qt.Key.Key_Slash, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: bool(seen), timeout=5000)
    return seen[0]


def test_shortcut_dialog_lists_map_tools_answer_keys_and_f5_each_once(make_window, qtbot) -> None:  # noqa: ANN001
    window = _shown(qtbot, make_window())
    rows = _read_shortcuts(window, qtbot)
    assert ("Edit", "Undo", "Ctrl+Z") in rows  # one binding, not "Ctrl+Z, F14"
    assert not any(", " in key for _, _, key in rows)  # one binding each ("," alone is a key)
    assert ("Map", "Circle Fence", "C") in rows and ("Map", "Polygon Fence", "P") in rows
    assert ("Map", "Rectangle Fence", "R") in rows and ("Map", "Fit All", "Home") in rows
    assert ("Map", "Pan", "Left Right Up Down") in rows and ("Map", "Cancel drawing", "Esc") in rows
    assert ("Requests ▸ answers", "Record “Shared”", "S") in rows
    assert ("Requests ▸ answers", "Record “No response”", "R") in rows
    assert ("Audit Log", "Reload", "F5") in rows
    assert ("Evidence viewer", "Play / pause", "Space") in rows and ("Evidence viewer", "Export clip", "Ctrl+E") in rows
    assert ("Help", "User Guide", "F1") in rows
    places_keys = [(where, key) for where, _, key in rows]
    assert len(places_keys) == len(set(places_keys))  # each key once in each place


def test_toolbar_has_icons_and_keeps_its_buttons_still_when_undo_text_changes(make_window, qtbot) -> None:  # noqa: ANN001
    from PySide6.QtGui import QUndoCommand

    window = _shown(qtbot, make_window())
    for item in TOOLBAR:
        if item is not None:
            assert not window.actions[item].icon().isNull(), item
    undo_button = window.toolbar.widgetForAction(window.actions[Action.UNDO])
    new_request = window.toolbar.widgetForAction(window.actions[Action.NEW_REQUEST])
    assert isinstance(undo_button, QToolButton)
    before = (undo_button.width(), new_request.x())
    window.undo_stack.push(QUndoCommand("Edit Camera #1234 (label, heading and range)"))
    QApplication.processEvents()
    assert window.actions[Action.UNDO].text() == "&Undo Edit Camera #1234 (label, heading and range)"
    assert undo_button.text() == "Undo"
    assert "Edit Camera #1234" in undo_button.toolTip()
    assert (undo_button.width(), new_request.x()) == before


def test_help_user_guide_opens_from_the_help_menu_and_f1(make_window, qtbot) -> None:  # noqa: ANN001
    window = _shown(qtbot, make_window())
    assert window.actions[Action.HELP_CONTENTS] in window.menus["Help"].actions()
    assert window.actions[Action.HELP_CONTENTS].text().replace("&", "") == "User Guide"
    qtbot.keyClick(window, Qt.Key.Key_F1)
    guide = window.findChild(UserGuideDialog)
    assert guide is not None and guide.isVisible()
    text = guide.findChild(QTextBrowser).toPlainText()
    for heading in ("The canvass flow", "Roles", "Request limits and why they exist", "Importing cameras",
                    "The audit log and verify-audit"):
        assert heading in text
    guide.close()
    window.actions[Action.HELP_CONTENTS].trigger()
    assert window.findChildren(UserGuideDialog) == [guide] and guide.isVisible()


def test_nothing_clipped_at_the_default_size(make_window, qtbot) -> None:  # noqa: ANN001
    from PySide6.QtWidgets import QComboBox, QDockWidget

    window = _shown(qtbot, make_window())
    assert (window.width(), window.height()) == (1280, 820)  # the default size, nothing restored
    window.features["map"].ensure_built()
    checked = 0
    for key in window.tab_keys:
        window.show_tab(key)
        QApplication.processEvents()
        for combo in window.findChildren(QComboBox):
            if combo.isVisible():
                checked += 1
                assert combo.width() >= combo.sizeHint().width(), (key, combo.objectName(), combo.currentText())
        for dock in window.findChildren(QDockWidget):
            if dock.isVisible():
                title = dock.fontMetrics().horizontalAdvance(dock.windowTitle())
                assert dock.width() >= title + 40, (key, dock.objectName(), dock.windowTitle())
    assert checked >= 3
