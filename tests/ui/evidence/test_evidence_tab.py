"""The Evidence tab through the real window: attach by the file dialog (keyboard shortcut) and by a drop on a shared
answer, the non-media warning, the custody timeline, Open in Viewer, Verify naming a tampered item, a package
export with a supervisor's approval, a legal hold and the holds-past-review list."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDragEnterEvent, QDragMoveEvent, QDropEvent
from PySide6.QtWidgets import QMessageBox

from app import paths as app_paths
from app.core.records import utc_now
from app.io.evidence_package import check_package
from app.services.accountability import auth
from app.store import evidence as store
from app.store.db import open_store, transaction
from app.views.evidence import dialogs
from app.views.evidence.tab import EvidenceTab
from app.views.widgets import files
from tests.evidence_world import add_recipient, add_sent_request
from tests.media import write_not_media, write_video
from tests.request_world import build_world


@pytest.fixture
def world_dir(tmp_path: Path) -> tuple[Path, dict[str, int]]:
    data = tmp_path / "store"
    p = app_paths.init(data)
    conn = open_store(p.db_path, p.backup_dir)
    w = build_world(conn)
    with transaction(conn):
        for name in ("sam", "sue"):
            conn.execute("UPDATE users SET password_hash = ? WHERE name = ?", (auth.DEMO_HASHER.hash("pw-" + name),
                                                                                 name))
        rid = add_sent_request(conn, w, "BPD-14-000123", 1)
        recips = [add_recipient(conn, rid, o) for o in w.owner_ids[:2]]
    ids = {name: u.id for name, u in w.users.items()}
    ids.update(request=rid, r1=recips[0], r2=recips[1])
    conn.close()
    return data, ids


def open_tab(qtbot, make_window, world_dir, role: str = "analyst", name: str = "ana"):  # noqa: ANN001, ANN201
    data, ids = world_dir
    window = make_window(role=role, name=name, data=data, user_id=ids[name])
    with qtbot.waitActive(window):  # window shortcuts only fire in the active window
        window.show()
        window.activateWindow()
    tab = window.show_tab("evidence")
    assert isinstance(tab, EvidenceTab)
    return window, tab


def message(window) -> QMessageBox:  # noqa: ANN001
    box = window.findChild(QMessageBox, "evidence_message")
    assert box is not None
    return box


def forget_message(window) -> None:  # noqa: ANN001
    box = window.findChild(QMessageBox, "evidence_message")
    if box is not None:
        box.setObjectName("")
        box.close()


def wait_message(qtbot, window, title: str) -> QMessageBox:  # noqa: ANN001
    qtbot.waitUntil(lambda: (b := window.findChild(QMessageBox, "evidence_message")) is not None
                    and b.windowTitle() == title, timeout=15_000)
    box = message(window)
    box.setObjectName("seen_message")  # the next wait needs a new one
    return box


def accept_with(monkeypatch: pytest.MonkeyPatch, fill) -> None:  # noqa: ANN001
    def fake(dialog) -> bool:  # noqa: ANN001
        fill(dialog)
        return True

    monkeypatch.setattr(dialogs, "exec_dialog", fake)


def drop_on_answer(tab: EvidenceTab, row: int, paths: list[Path]) -> None:
    view = tab.answers
    pos = QPointF(view.visualItemRect(view.item(row)).center())
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(p)) for p in paths])
    enter = QDragEnterEvent(pos.toPoint(), Qt.DropAction.CopyAction, mime, Qt.MouseButton.NoButton,
                            Qt.KeyboardModifier.NoModifier)
    view.dragEnterEvent(enter)  # the handlers a real drag reaches, with the positions it would give
    assert enter.isAccepted()
    move = QDragMoveEvent(pos.toPoint(), Qt.DropAction.CopyAction, mime, Qt.MouseButton.NoButton,
                          Qt.KeyboardModifier.NoModifier)
    view.dragMoveEvent(move)
    assert move.isAccepted() and view.currentRow() == row
    drop = QDropEvent(pos, Qt.DropAction.CopyAction, mime, Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier)
    view.dropEvent(drop)
    assert drop.isAccepted()


def test_attach_by_dialog_and_drop_custody_viewer_and_verify(qtbot, make_window, world_dir, tmp_path,  # noqa: ANN001
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    window, tab = open_tab(qtbot, make_window, world_dir)
    assert tab.request_box.count() == 1 and tab.answers.count() == 2
    assert tab.answers.item(0).text().startswith("Neighbor #") and " · " in tab.answers.item(0).text()
    assert tab.answers.item(0).text().endswith("0 files")
    video = write_video(tmp_path / "front door.mp4", seconds=0.5, width=96, height=64)
    monkeypatch.setattr(files, "choose_open_files", lambda *a, **k: [video])
    accept_with(monkeypatch, lambda d: (d.entered.setChecked(True), d.seconds.setValue(192.0)))
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier)
    box = wait_message(qtbot, window, "Footage attached")
    assert "1 file(s) stored and 0 linked" in box.text()
    assert tab.items_model.rowCount() == 1
    item = tab.items_model.rows[0]
    assert (item.original_name, item.clock_offset_s, item.received_by_name) == ("front door.mp4", 192.0, "ana")
    assert tab.items_model.index(0, 8).data() == "recorder clock 3 min 12 s fast"
    assert "h264/aac" in tab.items_model.index(0, 7).data()
    assert [tab.custody_model.index(r, 1).data() for r in range(tab.custody_model.rowCount())] == ["Received"]
    assert tab.answers.item(0).text().endswith("1 file")

    # A drop on the second owner's answer: one media file, one that is not (refused at the warning).
    junk = write_not_media(tmp_path / "readme.bin")
    clip = write_video(tmp_path / "back yard.mp4", seconds=0.5, width=96, height=64, audio=False)
    asked: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda *a, **k: asked.append(a[2]) or QMessageBox.StandardButton.No)
    accept_with(monkeypatch, lambda d: None)
    drop_on_answer(tab, 1, [clip, junk])
    wait_message(qtbot, window, "Footage attached")
    assert asked and "readme.bin" in asked[0]
    names = sorted(i.original_name for i in store.items(window.ctx.conn))
    assert names == ["back yard.mp4", "front door.mp4"]
    links = store.links(window.ctx.conn, next(i.id for i in store.items(window.ctx.conn) if i.original_name ==
                                              "back yard.mp4"))
    assert links[0][1] == world_dir[1]["r2"]

    # Open in Viewer: Enter on the selected item.
    tab.items_view.setFocus()
    tab.select_row(0)
    first = tab.current_id()
    with qtbot.waitSignal(tab.viewer_requested, timeout=3000) as sig:
        qtbot.keyClick(tab.items_view, Qt.Key.Key_Return)
    assert sig.args == [first]
    for v in list(tab.viewers):
        v.close()

    # Verify: one byte of the first item changed on disk.
    stored = window.ctx.paths.evidence_dir / store.get_item(window.ctx.conn, first).stored_path
    os.chmod(stored, 0o600)
    data = bytearray(stored.read_bytes())
    data[200] ^= 1
    stored.write_bytes(bytes(data))
    qtbot.mouseClick(tab.findChild(type(tab.attach_button), "evidence_verify"), Qt.MouseButton.LeftButton)
    box = wait_message(qtbot, window, "EVIDENCE ALTERED OR MISSING")
    assert f"item {first} (front door.mp4" in box.text()
    status = [tab.items_model.index(r, 9).data() for r in range(tab.items_model.rowCount())]
    assert "ALTERED OR MISSING" in status


def test_export_package_with_approval_and_hold_by_a_supervisor(qtbot, make_window, world_dir, tmp_path,  # noqa: ANN001
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    window, tab = open_tab(qtbot, make_window, world_dir, role="supervisor", name="sam")
    video = write_video(tmp_path / "porch.mp4", seconds=0.5, width=96, height=64)
    tab.intake.run([video], window.ctx.session.user, world_dir[1]["request"], world_dir[1]["r1"],
                   dialogs.ClockOffset(), False)
    wait_message(qtbot, window, "Footage attached")
    tab.select_row(0)
    item_id = tab.current_id()

    # sam cannot approve his own export; sue can.
    accept_with(monkeypatch, lambda d: (d.org.setText("State's Attorney"), d.basis.setText("Subpoena 2026-CR-114"),
                                        d.approver.setText("sam"), d.password.setText("pw-sam")))
    tab.commands.export_package()
    assert "two-person" in wait_message(qtbot, window, "Export not allowed").text()
    dest = tmp_path / "pkg.zip"
    monkeypatch.setattr(files, "choose_save_file", lambda *a, **k: dest)
    accept_with(monkeypatch, lambda d: (d.org.setText("State's Attorney"), d.basis.setText("Subpoena 2026-CR-114"),
                                        d.approver.setText("sue"), d.password.setText("pw-sue")))
    tab.commands.export_package()
    assert "onward-sharing register" in wait_message(qtbot, window, "Package exported").text()
    assert check_package(dest).ok
    assert [s.approved_by for s in store.shares(window.ctx.conn)] == ["sue"]

    # A legal hold with a review date; a week after it, the tab lists it as past review.
    accept_with(monkeypatch, lambda d: (d.reason.setPlainText("Open homicide investigation"),
                                        d.authority.setText("BPD-14-000123"),
                                        d.review.setDate(d.review.minimumDate())))
    qtbot.mouseClick(tab.findChild(type(tab.attach_button), "evidence_place_hold"), Qt.MouseButton.LeftButton)
    assert "On legal hold" in tab.items_model.index(0, 9).data()
    assert "No legal hold is past" in tab.holds_label.text()
    tab.clock = lambda: utc_now() + timedelta(days=9)
    tab.reload()
    assert f"item {item_id}" in tab.holds_label.text() and "past their review date" in tab.holds_label.text()
    kinds = [tab.custody_model.index(r, 1).data() for r in range(tab.custody_model.rowCount())]
    assert kinds == ["Received", "Exported in a package", "Legal hold placed"]
