"""The one helper that keeps widget state (app.views.widgets.state), and the window's user listener."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QStandardItemModel
from PySide6.QtWidgets import QSplitter, QTableView, QWidget

from app.core.records import Role
from app.services.session import User
from app.views.widgets.state import PreservedState


def test_header_and_splitter_come_back(qtbot, qsettings) -> None:  # noqa: ANN001
    def build() -> tuple[QTableView, QSplitter]:
        table = QTableView()
        table.setModel(QStandardItemModel(3, 4, table))
        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.addWidget(QWidget())
        splitter.addWidget(QWidget())
        splitter.resize(400, 100)
        qtbot.addWidget(table)
        qtbot.addWidget(splitter)
        return table, splitter

    table, splitter = build()
    first = PreservedState("requests_tab", requests_header=table.horizontalHeader(), splitter=splitter)
    assert first.restore() == set()  # nothing saved yet: the caller keeps its defaults
    table.setColumnWidth(2, 222)
    splitter.setSizes([300, 100])
    first.save()

    again, split_again = build()
    second = PreservedState("requests_tab", requests_header=again.horizontalHeader(), splitter=split_again)
    assert second.restore() == {"requests_header", "splitter"}
    assert again.columnWidth(2) == 222
    assert split_again.sizes()[0] > split_again.sizes()[1]


def test_an_undeclared_name_is_refused(qsettings) -> None:  # noqa: ANN001
    with pytest.raises(KeyError, match="not declared"):
        PreservedState("registry", columns=QTableView().horizontalHeader())


def test_the_window_leaves_the_session_when_destroyed(make_window, qtbot) -> None:  # noqa: ANN001
    from app.views.main_window import MainWindow

    kept = make_window(role="analyst", name="ana")
    session = kept.ctx.session
    before = len(session._listeners)
    window = MainWindow(kept.ctx)  # a second window on the same session, as after a store switch
    seen: list[object] = []
    window.user_changed.connect(seen.append)
    assert len(session._listeners) > before
    session.set_user(User(None, "sue", Role.SUPERVISOR))
    assert window.user_label.text() == "sue (supervisor)" and [u.name for u in seen] == ["sue"]
    window.close()
    window.deleteLater()
    qtbot.waitUntil(lambda: len(session._listeners) == before, timeout=5000)
    session.set_user(None)  # the deleted window is not called (it would raise: its C++ object is gone)
    assert kept.user_label.text() == "signed out"
