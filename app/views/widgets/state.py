"""What outlives a widget — a table's columns, a splitter, a dialog's size, a main window's docks — saved and
restored by one helper (Picard's PreserveGeometry). The names of each group are declared in
app.settings.WINDOW_STATE; a name that is not declared there is a programming error, caught at once.

    state = PreservedState("registry", header=table.horizontalHeader())
    if "header" not in state.restore():
        ...  # first run: default widths
    window.on_close(state.save)

"geometry" names a widget's saveGeometry()/restoreGeometry(); every other name a saveState()/restoreState()
(QHeaderView, QSplitter, QMainWindow).
"""

from __future__ import annotations

from typing import Protocol

from PySide6.QtCore import QByteArray, QSettings
from PySide6.QtWidgets import QWidget

from app import settings


class _Stateful(Protocol):
    def saveState(self) -> QByteArray: ...  # noqa: N802, D102 - Qt's names
    def restoreState(self, state: QByteArray | bytes) -> bool: ...  # noqa: N802, D102


class PreservedState:
    def __init__(self, group: str, **parts: _Stateful | QWidget) -> None:
        declared = settings.state_keys(group)
        unknown = sorted(set(parts) - set(declared))
        if unknown:
            raise KeyError(f"window state {unknown} of {group!r} is not declared in app.settings.WINDOW_STATE")
        self.group = group
        self.parts = parts

    def restore(self) -> set[str]:
        """Put back what was saved; returns the names that were (the others keep their defaults)."""
        return {name for name in self.parts if self.restore_part(name)}

    def restore_part(self, name: str) -> bool:
        """Put back one part (a main window restores its docks only after every feature has added them)."""
        part = self.parts[name]
        value = QSettings().value(f"{self.group}/{name}")
        if not isinstance(value, QByteArray) or value.isEmpty():
            return False
        ok = part.restoreGeometry(value) if name == "geometry" else part.restoreState(value)  # type: ignore[union-attr]
        return ok is not False

    def save(self) -> None:
        s = QSettings()
        s.beginGroup(self.group)
        for name, part in self.parts.items():
            s.setValue(name, part.saveGeometry() if name == "geometry" else part.saveState())  # type: ignore[union-attr]
        s.endGroup()

    def saved(self, name: str) -> bool:
        """Whether something was saved under this name (e.g. to size columns to their contents the first time)."""
        return QSettings().contains(f"{self.group}/{name}")
