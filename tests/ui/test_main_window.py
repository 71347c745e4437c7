"""The main window through qtbot: menus, tab shortcuts, the shortcuts dialog, restored layout, honest placeholders."""

from __future__ import annotations

from PySide6.QtCore import QRect, Qt, QTimer
from PySide6.QtWidgets import QAbstractItemView, QApplication, QLabel, QTableWidget

from app.views.actions import Action, shortcut_rows
from app.views.features import FEATURES
from app.views.widgets.placeholder import PlaceholderPanel

MENU_NAMES = ["File", "Edit", "View", "Registry", "Requests", "Evidence", "Program", "Insights", "Help"]
CTRL = Qt.KeyboardModifier.ControlModifier


def _shown(qtbot, window):  # noqa: ANN001, ANN202
    with qtbot.waitActive(window):  # window shortcuts only fire in the active window
        window.show()
        window.activateWindow()
    return window


def test_every_menu_of_the_issue_exists_in_order(make_window) -> None:  # noqa: ANN001
    window = make_window()
    titles = [a.text().replace("&", "") for a in window.menuBar().actions()]
    assert titles == MENU_NAMES
    for name in MENU_NAMES:
        assert window.menus[name].actions(), f"menu {name} is empty"
    assert window.toolbar.actions() and window.statusBar() is not None


def test_ctrl_number_switches_tabs(make_window, qtbot) -> None:  # noqa: ANN001
    window = _shown(qtbot, make_window())
    keys = [f.tab for f in FEATURES if f.tab]  # Ctrl+1 … Ctrl+7 in this order
    assert [window.actions[f.action].shortcut().toString() for f in FEATURES if f.tab and f.action] == \
        [f"Ctrl+{n}" for n in range(1, 8)]
    assert len(keys) == 7
    for number in (7, 3, 1, 5, 2, 6, 4):  # out of order, so each press has to move the current tab
        qtbot.keyClick(window, Qt.Key(Qt.Key.Key_0.value + number), CTRL)
        expected = keys[number - 1]
        assert window.tabs.currentIndex() == window.tab_keys.index(expected), f"Ctrl+{number} -> {expected}"


def test_keyboard_shortcuts_dialog_lists_the_action_table(make_window, qtbot) -> None:  # noqa: ANN001
    window = _shown(qtbot, make_window())
    seen: list[list[tuple[str, str, str]]] = []
    titles: list[str] = []

    def read_and_close() -> None:
        dialog = QApplication.activeModalWidget()
        if dialog is None:  # not open yet: look again shortly
            QTimer.singleShot(20, read_and_close)
            return
        titles.append(dialog.windowTitle())
        table = dialog.findChild(QTableWidget)
        seen.append([tuple(table.item(r, c).text() for c in range(3)) for r in range(table.rowCount())])
        dialog.close()

    QTimer.singleShot(0, read_and_close)
    qtbot.keyClick(window, Qt.Key.Key_Slash, CTRL)  # Help ▸ Keyboard Shortcuts is Ctrl+/
    qtbot.waitUntil(lambda: bool(seen), timeout=5000)
    assert titles == ["Keyboard Shortcuts"]
    rows = shortcut_rows()
    assert seen[0][: len(rows)] == rows
    # The table is the action table: every action with a shortcut appears, with its key.
    listed = {(menu, action) for menu, action, _ in seen[0]}
    assert ("Help", "Keyboard Shortcuts") in listed and ("View", "Map") in listed
    assert ("View", "Map", "Ctrl+1") in seen[0]
    assert QApplication.activeModalWidget() is None


def test_geometry_and_current_tab_come_back_in_the_next_window(make_window, qtbot) -> None:  # noqa: ANN001
    first = _shown(qtbot, make_window())
    screen = first.screen().availableGeometry()
    # A size unlike the default, inside the screen where the window's minimum size allows it.
    width = min(max(first.minimumSizeHint().width(), 600) + 13, screen.width())
    height = min(max(first.minimumSizeHint().height(), 400) + 17, screen.height() - 60)
    first.setGeometry(QRect(30, 40, width, height))
    qtbot.waitUntil(lambda: first.height() == height)
    saved = (first.width(), first.height())
    first.actions[Action.SHOW_EVIDENCE].trigger()
    first.close()
    second = make_window()
    assert second.height() == saved[1]
    if saved[0] < screen.width():  # restoreGeometry shrinks a window wider than the screen; that is fine
        assert second.width() == saved[0]
    assert second.tab_keys[second.tabs.currentIndex()] == "evidence"


def test_placeholder_tabs_say_what_will_be_there(make_window) -> None:  # noqa: ANN001
    window = make_window()
    tabs = [f for f in FEATURES if f.tab]
    assert window.tab_keys == [f.tab for f in tabs]
    for feature in tabs:
        key, text = feature.tab, feature.about
        assert window.tabs.tabToolTip(window.tab_keys.index(key)) == text
        assert window.tabs.tabText(window.tab_keys.index(key)) == feature.title
        panel = window.tab(key)
        if not isinstance(panel, PlaceholderPanel):
            continue  # that feature has landed and took over its tab
        label = panel.findChild(QLabel)
        assert text in label.text() and "Not built yet" in label.text()
        assert window.tabs.tabToolTip(window.tab_keys.index(key)) == text
        assert panel.findChildren(QAbstractItemView) == []  # no fake content


def test_first_shown_comes_after_the_first_paint(make_window, qtbot) -> None:  # noqa: ANN001
    """Heavy features (the pyqtgraph map, the registry arrays) start on first_shown; it must not delay the paint."""
    from PySide6.QtCore import QEvent, QObject

    window = make_window()
    paints: list[int] = []
    at_signal: list[int] = []

    class PaintCounter(QObject):
        def eventFilter(self, obj: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
            if event.type() == QEvent.Type.Paint:
                paints.append(1)
            return False

    counter = PaintCounter(window)
    window.installEventFilter(counter)
    window.first_shown.connect(lambda: at_signal.append(len(paints)))
    window.show()
    qtbot.waitUntil(lambda: bool(at_signal), timeout=5000)
    assert at_signal[0] >= 1  # the window had painted when first_shown went out
    window.removeEventFilter(counter)
