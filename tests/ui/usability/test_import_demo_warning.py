"""Issue 10, points 3 and 12 in the window: importing into the demo city warns first (real data into a fictional
city); the import preview's "?" button opens the User Guide at its import section."""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QToolButton

from app.views.dialogs.user_guide import UserGuideDialog
from app.views.widgets import files

CSV = "id,lat,lon,kind\nx1,39.30,-76.61,doorbell\nx2,39.31,-76.62,floodlight\n"


def _answer_warning(answer: str, seen: list[str]) -> None:
    box = QApplication.activeModalWidget()
    if not isinstance(box, QMessageBox) or box.objectName() != "demo_import_warning":
        QTimer.singleShot(20, lambda: _answer_warning(answer, seen))
        return
    seen.append(box.text())
    button = next(b for b in box.buttons() if b.text() == answer)
    button.click()


def test_demo_import_warns_and_the_preview_has_context_help(make_window, qtbot, tmp_path, monkeypatch) -> None:  # noqa: ANN001
    path = tmp_path / "real_cameras.csv"
    path.write_text(CSV, encoding="utf-8")
    monkeypatch.setattr(files, "choose_open_file", lambda *a, **k: path)
    window = make_window(role="analyst", name="ana", demo=True)
    with qtbot.waitActive(window):
        window.show()
        window.activateWindow()
    controller = window.features["import"]

    seen: list[str] = []
    QTimer.singleShot(0, lambda: _answer_warning("Cancel", seen))
    qtbot.keyClick(window, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)
    assert seen and "fictional city" in seen[0] and "real_cameras.csv" in seen[0] and "Open My Data" in seen[0]
    assert controller.dialog is None and not controller.busy  # cancelled: nothing read, nothing imported

    QTimer.singleShot(0, lambda: _answer_warning("Import into the Demo", seen))
    with qtbot.waitActive(window):  # the closed warning leaves no active window on the offscreen platform
        window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)
    assert len(seen) == 2
    qtbot.waitUntil(lambda: controller.dialog is not None and controller.dialog.isVisible(), timeout=10_000)
    dialog = controller.dialog
    help_button = dialog.findChild(QToolButton, "help_import")
    assert help_button is not None and help_button.isVisible()
    help_button.click()
    guide = window.findChild(UserGuideDialog)
    assert guide is not None and guide.isVisible() and guide.section() == "import"
    guide.close()
    dialog.reject()
