"""Undo for program edits: a QUndoCommand over two service calls (each checked and audited by the service).

The first redo() does nothing when the edit has already been made (a dialog saved it); undo and later redos call
the services, so an undo is itself an audited act. A refused undo (the ledger would become impossible) leaves the
stack where it was and says why.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QUndoCommand
from PySide6.QtWidgets import QMessageBox, QWidget


class ServiceCommand(QUndoCommand):
    def __init__(self, text: str, do: Callable[[], object], undo: Callable[[], object], after: Callable[[], None],
                 parent_widget: QWidget, done: bool = True) -> None:
        super().__init__(text)
        self._do, self._undo, self._after = do, undo, after
        self._skip = done
        self._widget = parent_widget
        self.failed = False

    def _run(self, fn: Callable[[], object]) -> None:
        try:
            fn()
        except Exception as exc:  # noqa: BLE001 - any refusal is shown; the stack is made obsolete
            self.failed = True
            self.setObsolete(True)
            QMessageBox.warning(self._widget, self.text(), f"This cannot be undone now: {exc}")
        finally:
            self._after()

    def redo(self) -> None:
        if self._skip:
            self._skip = False
            return
        self._run(self._do)

    def undo(self) -> None:
        self._run(self._undo)
