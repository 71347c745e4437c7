"""Recording a consent change from the Owner details dock, by keyboard: the only way consent changes (issue 9, 15)."""

from __future__ import annotations

import json

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication

from app.store import owners as owner_store
from app.views.registry.consent_dialog import ConsentDialog
from tests.ui.registry.test_registry_tab import registry_tab, seed, wait_loaded


def test_record_consent_change_from_the_owner_dock(make_window, qtbot) -> None:  # noqa: ANN001
    window = make_window(role="analyst")
    ids = seed(window, 2)  # camera 1's owner is opted in
    tab = registry_tab(qtbot, window)
    wait_loaded(qtbot, tab)
    window.camera_selection.set_ids([ids[0]], source=None)
    dock = tab.owner_dock
    assert dock.consent_button.isEnabled() and "Opted in" in dock.fields["consent"].text()
    seen: list[str] = []

    def drive() -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, ConsentDialog):
            QTimer.singleShot(20, drive)
            return
        ok = dialog.buttons.button(dialog.buttons.StandardButton.Ok)
        seen.append(f"ok enabled before how: {ok.isEnabled()}")
        qtbot.keyClicks(dialog.how_edit, "phone call to the program line")
        qtbot.keyClick(dialog.how_edit, Qt.Key.Key_Return)

    QTimer.singleShot(0, drive)
    qtbot.mouseClick(dock.consent_button, Qt.MouseButton.LeftButton)
    assert seen == ["ok enabled before how: False"]
    oid = owner_store.owner_row(window.ctx.conn, 1)["id"]
    assert "Opted out" in dock.fields["consent"].text()
    arrays = window.registry.arrays
    assert bool(arrays.opted_out[arrays.positions_of([ids[0]])[0]])  # the map and the table see it at once
    history = owner_store.consent_history(window.ctx.conn, oid)
    assert history[-1][:2] == ("opt_in", "opt_out") and history[-1][4] == "phone call to the program line"
    [entry] = [json.loads(d) for (d,) in window.ctx.conn.execute(
        "SELECT details FROM audit_log WHERE action = 'consent_changed'")]
    assert entry["consent"] == ["opt_in", "opt_out"] and entry["how"] == "phone call to the program line"
