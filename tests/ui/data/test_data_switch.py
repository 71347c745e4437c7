from __future__ import annotations

from PySide6.QtWidgets import QMessageBox

from app.paths import DB_NAME
from app.views.actions import Action


def test_open_demo_closes_and_asks_for_a_demo_relaunch(make_window, tmp_path) -> None:  # noqa: ANN001
    window = make_window(data=tmp_path / "base")
    window.show()
    assert window.actions[Action.OPEN_DEMO].isEnabled()
    assert not window.actions[Action.OPEN_MY_DATA].isEnabled()
    window.actions[Action.OPEN_DEMO].trigger()
    assert window.restart_args == ["--data-dir", str((tmp_path / "base").resolve()), "--demo"]
    assert not window.isVisible()


def test_open_my_data_from_demo_creates_an_empty_store(make_window, tmp_path, monkeypatch) -> None:  # noqa: ANN001
    base = tmp_path / "base"
    window = make_window(data=base, demo=True)
    window.show()
    assert not (base / DB_NAME).exists()
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    window.actions[Action.OPEN_MY_DATA].trigger()
    assert (base / DB_NAME).exists()
    assert window.restart_args == ["--data-dir", str(base.resolve())]


def test_open_my_data_declined_keeps_the_window(make_window, tmp_path, monkeypatch) -> None:  # noqa: ANN001
    base = tmp_path / "base"
    window = make_window(data=base, demo=True)
    window.show()
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.No)
    window.actions[Action.OPEN_MY_DATA].trigger()
    assert not (base / DB_NAME).exists()
    assert window.restart_args is None
    assert window.isVisible()
