"""Issue 10, point 4 through the real window: the request dialog's incident picker (near the fence first, newest
first, searchable), New Incident Here as a short form, the fence's own values, camera counts that agree with the
map's or say why, and its ? button opening the User Guide."""

from __future__ import annotations

from datetime import timedelta

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication, QToolButton

from app.core.fence import CircleFence
from app.views.dialogs.user_guide import UserGuideDialog
from tests.request_world import LAT, LON, NOW, add_incident, build_world, m_to_deg


def test_request_dialog_picker_form_fence_values_and_counts(make_window, qtbot) -> None:  # noqa: ANN001
    window = make_window(role="supervisor", name="tester")
    conn = window.ctx.conn
    world = build_world(conn)
    far_new = add_incident(conn, world.agency_id, *m_to_deg(5000, 0), occurred_at=NOW - timedelta(hours=1),
                           category="vandalism")
    near_old = add_incident(conn, world.agency_id, *m_to_deg(50, 50), occurred_at=NOW - timedelta(days=3),
                            category="burglary")
    # An inactive camera in the fence: the map counts it, the request does not ask its owner.
    conn.execute("UPDATE cameras SET active = 0 WHERE id = (SELECT min(id) FROM cameras WHERE owner_id = ?)",
                 (world.owner_ids[1],))
    window.ctx.session.set_user(world.users["ana"])
    window.show()
    qtbot.waitExposed(window)
    tab = window.features["requests"]
    tab.set_map_fence(CircleFence(LAT, LON, 247.0))
    with qtbot.waitActive(window):
        window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: tab.steps.request_dialog is not None)
    dialog = tab.steps.request_dialog

    # The fence's own values, not a default radius.
    assert dialog.radius_m.value() == 247 and "radius 247 m" in dialog.area_info.text()
    # Near the fence first (newest first among them), then the rest.
    order = [dialog.incident.itemData(i) for i in range(1, dialog.incident.count())]
    assert order.index(world.incident_id) < order.index(near_old) < order.index(far_new)
    assert "in or near the area" in dialog.incident.itemText(1)
    qtbot.keyClicks(dialog.incident_search, "vandal")
    assert [dialog.incident.itemData(i) for i in range(1, dialog.incident.count())] == [far_new]
    dialog.incident_search.clear()

    # Counts: the map's and the dialog's agree, or the dialog says why.
    dialog.recheck()
    assert "the map counts 7: 1 inactive camera in the area is not asked" in dialog.preview.text()

    # New Incident Here asks for time, category and case number first.
    seen = []

    def fill_form() -> None:
        form = getattr(dialog, "incident_form", None)
        if form is None or not form.isVisible():
            QTimer.singleShot(20, fill_form)
            return
        seen.append(form.windowTitle())
        form.category.setCurrentText("carjacking")
        form.case_number.setText("BPD-14-000999")
        form.accept()

    QTimer.singleShot(0, fill_form)
    qtbot.mouseClick(dialog.new_incident, Qt.MouseButton.LeftButton)
    assert seen == ["New Incident Here"]
    row = conn.execute("SELECT category, case_number FROM incidents ORDER BY id DESC LIMIT 1").fetchone()
    assert row == ("carjacking", "BPD-14-000999")
    assert "carjacking" in dialog.incident.currentText() and "BPD-14-000999" in dialog.incident.currentText()

    help_button = dialog.findChild(QToolButton, "help_request-dialog")
    help_button.click()
    guide = window.findChild(UserGuideDialog)
    assert guide is not None and guide.section() == "request-dialog"
    guide.close()
    dialog.reject()
    assert QApplication.activeModalWidget() is None
