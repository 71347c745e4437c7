"""Import and export through a real MainWindow: Ctrl+I, the preview dialog, drag and drop, cancel, export."""

from __future__ import annotations

import csv
import json
import sqlite3

import pytest
from PySide6.QtCore import QMimeData, QPointF, Qt, QUrl
from PySide6.QtGui import QDropEvent
from PySide6.QtWidgets import QMessageBox

from app.views.actions import Action
from app.views.widgets import files
from tests.ui.buttons import press_accept

GOOD_AND_BAD = (
    "id,lat,lon,kind,heading_deg,label\n"
    "a1,39.30,-76.61,doorbell,90,First\n"
    "a2,39.31,-76.62,,NE,Second\n"
    "a3,39.32,-76.63,floodlight,,Third\n"
    "a4,,-76.64,doorbell,10,No latitude\n"
)


def shown(qtbot, window):  # noqa: ANN001, ANN201
    with qtbot.waitActive(window):  # window shortcuts only fire in the active window
        window.show()
        window.activateWindow()
    return window


def camera_count(window) -> int:  # noqa: ANN001
    return int(window.ctx.conn.execute("SELECT count(*) FROM cameras").fetchone()[0])


def open_preview(qtbot, window):  # noqa: ANN001, ANN201
    controller = window.features["import"]
    qtbot.waitUntil(lambda: controller.dialog is not None and controller.dialog.isVisible(), timeout=10_000)
    return controller.dialog


def test_ctrl_i_previews_then_imports_the_valid_rows(make_window, qtbot, tmp_path, monkeypatch) -> None:  # noqa: ANN001
    path = tmp_path / "cams.csv"
    path.write_text(GOOD_AND_BAD, encoding="utf-8")
    asked = []

    def fake_open(parent, title, filters, purpose):  # noqa: ANN001, ANN202
        asked.append((title, filters, purpose))
        return path

    monkeypatch.setattr(files, "choose_open_file", fake_open)
    window = shown(qtbot, make_window(role="analyst", name="ana"))
    qtbot.keyClick(window, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)
    dialog = open_preview(qtbot, window)
    assert asked and asked[0][2] == "import" and "*.kml" in asked[0][1] and "*.geojson" in asked[0][1]
    assert dialog.validation.rows_total == 4 and dialog.validation.valid == 3
    model = dialog.issue_model
    assert model.rowCount() == 2  # one rejected row, one note (NE read as 45°)
    assert model.data(model.index(0, 0)) == "5"
    assert "missing coordinate" in model.data(model.index(0, 2))
    assert model.data(model.index(1, 1)) == "imported (note)"
    assert dialog.import_button.text().replace("&", "") == "Import 3 Valid Rows"
    assert dialog.field_combos["external_id"].currentData() == "id"
    dialog.set_default_kind("spotlight")
    qtbot.waitUntil(lambda: dialog.import_button.isEnabled(), timeout=10_000)
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.features["import"].last_result is not None, timeout=10_000)
    conn = window.ctx.conn
    rows = conn.execute("SELECT external_id, kind, heading_deg, source, label FROM cameras ORDER BY id").fetchall()
    assert rows == [("a1", "doorbell", 90.0, "imported", "First"), ("a2", "spotlight", 45.0, "imported", "Second"),
                    ("a3", "floodlight", None, "imported", "Third")]
    assert len(window.registry.arrays) == 3
    batch = conn.execute("SELECT file_name, rows_total, rows_imported, rows_rejected, imported_by FROM "
                         "import_batches").fetchall()
    assert batch == [("cams.csv", 4, 3, 1, "ana")]
    entry = conn.execute("SELECT actor, details FROM audit_log WHERE action = 'import'").fetchone()
    assert entry[0] == "ana" and json.loads(entry[1])["imported"] == 3
    assert "Imported 3 cameras" in window.statusBar().currentMessage()


def test_import_nothing_leaves_the_store_unchanged_and_mapping_is_remembered(make_window, qtbot, tmp_path,
                                                                             monkeypatch) -> None:  # noqa: ANN001
    path = tmp_path / "xy.csv"
    path.write_text("ident,Y,X,where\n1,39.3,-76.6,a\n2,39.4,-76.7,b\n", encoding="utf-8")
    monkeypatch.setattr(files, "choose_open_file", lambda *a: path)
    window = shown(qtbot, make_window())
    window.actions[Action.IMPORT].trigger()
    dialog = open_preview(qtbot, window)
    assert dialog.validation.valid == 2  # X/Y guessed as lon/lat
    dialog.set_field("label", "where")
    qtbot.waitUntil(lambda: dialog.import_button.isEnabled(), timeout=10_000)
    dialog.set_field("external_id", "ident")
    qtbot.waitUntil(lambda: dialog.import_button.isEnabled(), timeout=10_000)
    press_accept(qtbot, dialog)  # remembers the mapping for files with the same columns
    qtbot.waitUntil(lambda: window.features["import"].last_result is not None, timeout=10_000)
    assert camera_count(window) == 2
    # the same kind of file again: the remembered mapping (label from 'where') is offered, and "Import nothing"
    window.actions[Action.IMPORT].trigger()
    dialog = open_preview(qtbot, window)
    assert dialog.field_combos["label"].currentData() == "where"
    assert dialog.validation.valid == 0  # ids 1 and 2 are already in the registry
    assert all("already in the registry" in i.reason for i in dialog.validation.bad)
    assert not dialog.import_button.isEnabled()
    qtbot.mouseClick(dialog.nothing_button, Qt.MouseButton.LeftButton)
    assert window.features["import"].dialog is None and not window.features["import"].busy
    assert camera_count(window) == 2


def test_drop_a_file_on_the_window_opens_the_preview(make_window, qtbot, shared_data) -> None:  # noqa: ANN001
    kml = shared_data / "baltimore-citiwatch" / "CCTV_Cameras.kml"
    window = shown(qtbot, make_window())
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(kml))])
    event = QDropEvent(QPointF(20, 20), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                       Qt.KeyboardModifier.NoModifier)
    window.dropEvent(event)
    dialog = open_preview(qtbot, window)
    assert dialog.validation.format == "kml" and dialog.validation.valid == 673
    dialog.set_default_kind("city_cctv")
    qtbot.waitUntil(lambda: dialog.import_button.isEnabled() and dialog.mapping().get("default_kind") == "city_cctv",
                    timeout=10_000)
    press_accept(qtbot, dialog)
    qtbot.waitUntil(lambda: window.features["import"].last_result is not None, timeout=15_000)
    kinds = window.ctx.conn.execute("SELECT kind, count(*) FROM cameras GROUP BY kind").fetchall()
    assert kinds == [("city_cctv", 673)]


def test_auditor_may_not_import(make_window, qtbot, tmp_path, monkeypatch) -> None:  # noqa: ANN001
    path = tmp_path / "cams.csv"
    path.write_text(GOOD_AND_BAD, encoding="utf-8")
    monkeypatch.setattr(files, "choose_open_file", lambda *a: path)
    window = shown(qtbot, make_window(role="auditor"))
    window.actions[Action.IMPORT].trigger()
    box = window.features["import"].message
    assert isinstance(box, QMessageBox) and "may not import data" in box.text()
    assert window.features["import"].dialog is None and camera_count(window) == 0


def test_unreadable_file_gives_a_clear_message(make_window, qtbot, tmp_path) -> None:  # noqa: ANN001
    bad = tmp_path / "broken.geojson"
    bad.write_text('{"type": "FeatureCollection", "features": [ {"type": ', encoding="utf-8")
    window = shown(qtbot, make_window())
    window.import_requested.emit(bad)
    qtbot.waitUntil(lambda: window.features["import"].message is not None, timeout=10_000)
    text = window.features["import"].message.text()
    assert "broken.geojson could not be read" in text and "not valid JSON" in text


@pytest.mark.parametrize("fmt", ["csv", "geojson"])
def test_export_selection_or_everything(make_window, qtbot, tmp_path, monkeypatch, fmt) -> None:  # noqa: ANN001
    src = tmp_path / "cams.csv"
    src.write_text(GOOD_AND_BAD.replace("a4,,", "a4,39.33,"), encoding="utf-8")
    monkeypatch.setattr(files, "choose_open_file", lambda *a: src)
    window = shown(qtbot, make_window())
    window.actions[Action.IMPORT].trigger()
    dialog = open_preview(qtbot, window)
    press_accept(qtbot, dialog)
    qtbot.waitUntil(lambda: window.features["import"].last_result is not None, timeout=10_000)
    owner = window.ctx.conn.execute(
        "INSERT INTO owners (display_name, email, phone, anonymity_no, created_at) VALUES "
        "('Pat Private', 'pat@example.org', '555-0100', 7, '2024-01-01T00:00:00Z')").lastrowid
    window.ctx.conn.execute("UPDATE cameras SET owner_id = ? WHERE external_id = 'a2'", (owner,))
    out = tmp_path / f"out.{fmt}"
    monkeypatch.setattr(files, "choose_save_file", lambda *a: out)
    ids = [r[0] for r in window.ctx.conn.execute("SELECT id FROM cameras WHERE external_id IN ('a2', 'a4')")]
    window.camera_selection.set_ids(ids)
    window.actions[Action.EXPORT_CSV if fmt == "csv" else Action.EXPORT_GEOJSON].trigger()
    qtbot.waitUntil(lambda: window.features["import"].last_export is not None, timeout=10_000)
    text = out.read_text(encoding="utf-8")
    assert "pat@example.org" not in text and "555-0100" not in text and "Pat Private" not in text
    if fmt == "csv":
        rows = list(csv.DictReader(text.splitlines()))
        assert [r["external_id"] for r in rows] == ["a2", "a4"]
        assert rows[0]["owner"] == "Neighbor #7"
    else:
        data = json.loads(text)
        assert [f["properties"]["external_id"] for f in data["features"]] == ["a2", "a4"]
        assert data["features"][0]["geometry"]["coordinates"] == [-76.62, 39.31]
    entry = window.ctx.conn.execute("SELECT details FROM audit_log WHERE action = 'export'").fetchone()
    assert json.loads(entry[0])["cameras"] == 2 and json.loads(entry[0])["selection"] is True
    # nothing selected: everything
    window.camera_selection.clear()
    window.features["import"].last_export = None
    window.actions[Action.EXPORT_CSV if fmt == "csv" else Action.EXPORT_GEOJSON].trigger()
    qtbot.waitUntil(lambda: window.features["import"].last_export is not None, timeout=10_000)
    assert window.features["import"].last_export[1] == 4


def test_cancelled_import_writes_nothing(make_window, qtbot, tmp_path, monkeypatch) -> None:  # noqa: ANN001
    from app.services.registry import imports

    src = tmp_path / "cams.csv"
    src.write_text(GOOD_AND_BAD, encoding="utf-8")
    monkeypatch.setattr(files, "choose_open_file", lambda *a: src)
    window = shown(qtbot, make_window())
    window.actions[Action.IMPORT].trigger()
    dialog = open_preview(qtbot, window)
    real = imports.import_cameras
    calls = []

    def press_cancel_first(conn, validation, actor, progress=None, check=None):  # noqa: ANN001, ANN202
        check.__self__.cancel()  # the job's JobControl: as if Cancel was pressed as the write began
        calls.append(actor)
        return real(conn, validation, actor, progress, check)

    monkeypatch.setattr(imports, "import_cameras", press_cancel_first)
    press_accept(qtbot, dialog)
    qtbot.waitUntil(lambda: "nothing was written" in window.statusBar().currentMessage(), timeout=10_000)
    conn: sqlite3.Connection = window.ctx.conn
    assert calls and camera_count(window) == 0
    assert conn.execute("SELECT count(*) FROM import_batches").fetchone()[0] == 0
    assert conn.execute("SELECT count(*) FROM audit_log WHERE action = 'import'").fetchone()[0] == 0
    assert not window.features["import"].busy


def test_two_dropped_files_are_previewed_one_after_the_other(make_window, qtbot, tmp_path) -> None:  # noqa: ANN001
    first, second = tmp_path / "first.csv", tmp_path / "second.csv"
    first.write_text(GOOD_AND_BAD, encoding="utf-8")
    second.write_text("lat,lon\n39.3,-76.6\n", encoding="utf-8")
    window = shown(qtbot, make_window())
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(first)), QUrl.fromLocalFile(str(second))])
    window.dropEvent(QDropEvent(QPointF(5, 5), Qt.DropAction.CopyAction, mime, Qt.MouseButton.LeftButton,
                                Qt.KeyboardModifier.NoModifier))
    dialog = open_preview(qtbot, window)
    assert dialog.validation.file_name == "first.csv"
    qtbot.waitUntil(lambda: window.features["import"].pending == [second], timeout=5_000)
    dialog.reject()  # Import nothing: the next file's preview follows
    qtbot.waitUntil(lambda: window.features["import"].dialog is not None
                    and window.features["import"].dialog.validation.file_name == "second.csv", timeout=10_000)
    press_accept(qtbot, window.features["import"].dialog)
    qtbot.waitUntil(lambda: window.features["import"].last_result is not None, timeout=10_000)
    assert camera_count(window) == 1 and not window.features["import"].busy


DIRECTIONS = (
    "id,lat,lon,kind,direction,name\n"
    "n1,39.30,-76.61,doorbell,0;90;180,Corner cluster\n"
    "n2,39.31,-76.62,doorbell,-118,Wrapped heading\n"
    "n3,39.32,-76.63,floodlight,45,Plain\n"
    "n4,,-76.64,doorbell,10,No latitude\n"
)


def test_preview_shows_the_rows_as_stored_and_splits_directions_on_request(make_window, qtbot, tmp_path,
                                                                           monkeypatch) -> None:  # noqa: ANN001
    path = tmp_path / "osm.csv"
    path.write_text(DIRECTIONS, encoding="utf-8")
    monkeypatch.setattr(files, "choose_open_file", lambda *a: path)
    window = shown(qtbot, make_window(role="analyst", name="ana"))
    qtbot.keyClick(window, Qt.Key.Key_I, Qt.KeyboardModifier.ControlModifier)
    dialog = open_preview(qtbot, window)
    # off by default: the several-directions row is rejected, and says how to take it
    assert not dialog.split_check.isChecked()
    sample = dialog.sample_model
    assert [sample.row(i)[0] for i in range(sample.rowCount())] == ["n2", "n3"]
    assert sample.row(0)[4] == 242.0 and sample.data(sample.index(0, 4)) == "242.0"  # -118 wrapped, as stored
    assert sample.headerData(4, Qt.Orientation.Horizontal) == "heading °"
    issues = dialog.issue_model
    texts = [issues.data(issues.index(r, 2)) for r in range(issues.rowCount())]
    assert any("several directions" in t and "one camera per direction" in t for t in texts)
    assert any("wrapped into 0-360 as 242°" in t for t in texts)
    assert "first 2 of 2" in dialog.sample_label.text()
    # turn the option on from the keyboard (Space on the focused checkbox)
    assert dialog.split_check.text() == "One camera per &direction" and dialog.split_check.toolTip()
    dialog.split_check.setFocus()
    qtbot.keyClick(dialog.split_check, Qt.Key.Key_Space)
    assert dialog.split_check.isChecked()
    qtbot.waitUntil(lambda: dialog.validation.valid == 5, timeout=10_000)
    assert [sample.row(i)[0] for i in range(sample.rowCount())] == ["n1#1", "n1#2", "n1#3", "n2", "n3"]
    assert [sample.row(i)[4] for i in range(3)] == [0.0, 90.0, 180.0]
    assert "one camera per direction (option on): 1 row with several directions became 3 cameras" in \
        dialog.file_label.text()
    qtbot.waitUntil(lambda: dialog.import_button.isEnabled(), timeout=10_000)
    qtbot.mouseClick(dialog.import_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.features["import"].last_result is not None, timeout=10_000)
    rows = window.ctx.conn.execute("SELECT external_id, heading_deg, label FROM cameras ORDER BY id").fetchall()
    assert rows == [("n1#1", 0.0, "Corner cluster"), ("n1#2", 90.0, "Corner cluster"),
                    ("n1#3", 180.0, "Corner cluster"), ("n2", 242.0, "Wrapped heading"), ("n3", 45.0, "Plain")]
    details = json.loads(window.ctx.conn.execute("SELECT details FROM audit_log WHERE action = 'import'")
                         .fetchone()[0])
    assert details["mapping"]["split_directions"] is True  # the report of the act says the option was on


def test_an_all_valid_file_shows_what_will_be_imported(make_window, qtbot, tmp_path, monkeypatch) -> None:  # noqa: ANN001
    path = tmp_path / "many.csv"
    path.write_text("id,lat,lon,kind\n" + "".join(f"m{i},39.{i:03d},-76.6,doorbell\n" for i in range(150)),
                    encoding="utf-8")
    monkeypatch.setattr(files, "choose_open_file", lambda *a: path)
    window = shown(qtbot, make_window())
    window.actions[Action.IMPORT].trigger()
    dialog = open_preview(qtbot, window)
    assert dialog.issue_model.rowCount() == 0 and dialog.sample_model.rowCount() == 100
    assert dialog.sample_model.row(0) == ("m0", 39.0, -76.6, "doorbell", None, None, None, None, "")
    assert dialog.sample_label.text().replace("&", "") == "Rows to import: the first 100 of 150, as they will be stored"
    qtbot.mouseClick(dialog.nothing_button, Qt.MouseButton.LeftButton)
    assert camera_count(window) == 0
