"""The window's import on a store that failed its page check: refused with a clear message, nothing written
(issue 9, point 1 — the store-wide write gate every write job passes through)."""

from __future__ import annotations

from PySide6.QtCore import Qt

from app.store import write_gate
from app.views.widgets import files
from tests.ui.registry.test_import_flow import camera_count, shown


def test_import_into_a_store_that_failed_its_check_is_refused(make_window, qtbot, tmp_path, monkeypatch) -> None:  # noqa: ANN001
    path = tmp_path / "cams.csv"
    path.write_text("id,lat,lon,kind\na1,39.30,-76.61,doorbell\n", encoding="utf-8")
    monkeypatch.setattr(files, "choose_open_file", lambda *a: path)
    window = shown(qtbot, make_window(role="analyst", name="ana"))
    # What the launch check does when it finds damaged pages in a large store after the window opened.
    write_gate.mark_failed(window.ctx.paths.db_path, "the store's integrity check failed (page 20 is damaged).")
    controller = window.features["import"]
    qtbot.keyClick(window, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: controller.message is not None or (controller.dialog is not None
                                                               and controller.dialog.isVisible()), timeout=10_000)
    if controller.message is None:  # the preview opened: the refusal comes when writing
        dialog = controller.dialog
        qtbot.waitUntil(lambda: dialog.import_button.isEnabled(), timeout=10_000)
        qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: controller.message is not None, timeout=10_000)
    text = controller.message.text()
    assert "Nothing was written" in text and "integrity check failed" in text and "Traceback" not in text
    assert camera_count(window) == 0
    controller.message.close()
