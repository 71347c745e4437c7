"""The one file-dialog seam (app.views.widgets.files) itself: what it asks Qt for, what it returns, and the last
folder it remembers per purpose (other tests patch this seam, so it is checked here against Qt's dialog)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog

from app.views.widgets import files


def test_open_save_and_folder_remember_the_folder_per_purpose(qsettings, tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    asked: list[tuple] = []
    answers = {"open": str(tmp_path / "in" / "cams.csv"), "save": str(tmp_path / "out" / "log.csv"),
               "folder": str(tmp_path / "bags")}
    monkeypatch.setattr(QFileDialog, "getOpenFileName",
                        lambda parent, title, start, filters: (asked.append(("open", title, start, filters)),
                                                               (answers["open"], filters))[1])
    monkeypatch.setattr(QFileDialog, "getSaveFileName",
                        lambda parent, title, start, filters: (asked.append(("save", title, start, filters)),
                                                               (answers["save"], filters))[1])
    monkeypatch.setattr(QFileDialog, "getExistingDirectory",
                        lambda parent, title, start: (asked.append(("folder", title, start)), answers["folder"])[1])

    assert files.choose_open_file(None, "Import Cameras", "CSV files (*.csv)", "import") == Path(answers["open"])
    assert asked[-1] == ("open", "Import Cameras", "", "CSV files (*.csv)")  # nothing remembered yet
    assert files.choose_open_file(None, "Import Cameras", "CSV files (*.csv)", "import") == Path(answers["open"])
    assert asked[-1][2] == str(tmp_path / "in")  # the folder of the last file, for this purpose

    assert files.choose_save_file(None, "Export", "CSV files (*.csv)", "audit_export", "audit.csv") \
        == Path(answers["save"])
    assert asked[-1][2] == str(Path.home() / "audit.csv")  # another purpose starts at home, with the suggested name
    files.choose_save_file(None, "Export", "CSV files (*.csv)", "audit_export", "again.csv")
    assert asked[-1][2] == str(tmp_path / "out" / "again.csv")

    assert files.choose_folder(None, "Evidence Folder", "evidence") == Path(answers["folder"])
    files.choose_folder(None, "Evidence Folder", "evidence")
    assert asked[-1][2] == answers["folder"]


def test_cancel_returns_none_and_remembers_nothing(qsettings, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setattr(QFileDialog, "getOpenFileName", lambda *a: ("", ""))
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *a: ("", ""))
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a: "")
    assert files.choose_open_file(None, "Open", "*", "import") is None
    assert files.choose_save_file(None, "Save", "*", "import", "x.csv") is None
    assert files.choose_folder(None, "Folder", "import") is None
    assert not qsettings.contains("folders/import")
