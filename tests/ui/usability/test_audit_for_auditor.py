"""Issue 10, point 9 through the real window: readable act labels, named detail fields, owners and requests by
anonymous and public numbers, a detail pane for the selected entry, the two names of the owner-contact view as one
act, and one clear message (no live filter controls) for a role without access."""

from __future__ import annotations

from PySide6.QtCore import Qt

from app.core.records import Role
from app.services.session import User
from app.store import audit as audit_store


def _window(make_window, qtbot, role: str = "auditor", name: str = "audrey"):  # noqa: ANN001, ANN202
    window = make_window(role=role, name=name)
    conn = window.ctx.conn
    owner = conn.execute("INSERT INTO owners (display_name, email, contact_preference, consent, consent_changed_on, "
                         "anonymity_no, created_at) VALUES ('Kim Lee', 'kim@example.org', 'email', 'opt_in', "
                         "'2026-01-01', 41, '2026-01-01T00:00:00Z') RETURNING id").fetchone()[0]
    with window.ctx.session.atomic():
        audit_store.append(conn, "ana", "view_owner_contact", f"owner:{owner}", {"owner_id": owner,
                           "email": "kim@example.org"}, at="2026-03-01T10:00:00Z")
        audit_store.append(conn, "ana", "owner_contact_viewed", "request:9", {"purpose": "outreach", "owners": 3},
                           at="2026-03-02T10:00:00Z")
        audit_store.append(conn, "sam", "response_recorded", "request:9", {"owner_id": owner,
                           "state": "no_footage"}, at="2026-03-03T10:00:00Z")
    with qtbot.waitActive(window):
        window.show()
        window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_7, Qt.KeyboardModifier.ControlModifier)
    tab = window.features["accountability"].audit_tab
    tab.reload()
    return window, tab


def test_entries_read_as_labels_named_fields_and_numbers(make_window, qtbot) -> None:  # noqa: ANN001
    window, tab = _window(make_window, qtbot)
    model = tab.model
    row = {model.data(model.index(r, model.COL_ACTION), model.StoredRole): r for r in range(model.rowCount())}
    answer = row["response_recorded"]
    assert model.data(model.index(answer, model.COL_ACTION)) == "Owner's answer recorded"
    assert model.data(model.index(answer, model.COL_DETAILS)) == "Owner: Neighbor #41 · Answer: no footage"
    assert "{" not in model.data(model.index(answer, model.COL_DETAILS))  # no raw JSON
    viewed = row["view_owner_contact"]
    assert model.data(model.index(viewed, model.COL_ACTION)) == "Owner contact viewed"
    assert model.data(model.index(viewed, model.COL_OBJECT)) == "Owner Neighbor #41"  # never the name
    assert "Kim" not in model.data(model.index(viewed, model.COL_DETAILS))
    assert "kim@example.org" not in model.data(model.index(viewed, model.COL_DETAILS))  # masked for an auditor
    assert "Z" not in model.data(model.index(viewed, model.COL_AT))  # local time with its zone, not the UTC text

    # One act, one choice: both stored names are found under "Owner contact viewed".
    choices = [tab.action_box.itemText(i) for i in range(tab.action_box.count())]
    assert choices.count("Owner contact viewed") == 1 and "view_owner_contact" not in choices
    tab.action_box.setCurrentText("Owner contact viewed")
    tab.apply_filter()
    assert sorted(model.data(model.index(r, model.COL_ACTION), model.StoredRole) for r in range(model.rowCount())) \
        == ["owner_contact_viewed", "view_owner_contact"]

    # The detail pane follows the selection, keyboard included.
    tab.action_box.setCurrentText("")
    tab.apply_filter()
    tab.table.setFocus()
    tab.table.selectRow(0)
    qtbot.keyClick(tab.table, Qt.Key.Key_Home)
    text = tab.detail.toPlainText()
    assert "Owner's answer recorded" in text and "Neighbor #41" in text and "Answer" in text and "no footage" in text
    qtbot.keyClick(tab.table, Qt.Key.Key_Down)
    assert "Purpose" in tab.detail.toPlainText() and "outreach" in tab.detail.toPlainText()


def test_role_without_access_sees_one_message_and_no_controls(make_window, qtbot) -> None:  # noqa: ANN001
    window, tab = _window(make_window, qtbot)
    assert tab.filters.isVisible() and tab.controls.isVisible()
    window.ctx.session.set_user(User(None, "ana", Role.ANALYST))
    tab.reload()
    assert tab.stack.currentWidget() is tab.denied_label and tab.denied_label.isVisible()
    assert not tab.filters.isVisible() and not tab.controls.isVisible()
    assert not tab.action_box.isVisible() and not tab.export_button.isVisible()
    assert "auditors, supervisors and administrators" in tab.denied_label.text()
