"""The growth plot's milestones in Program ▸ Agencies: add one, delete one, each undoable on the window's undo stack.
Every act, its undo and its redo go through app.services.program.agencies (permission checked, audited)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtWidgets import QMessageBox, QWidget

from app.services.program import agencies as svc
from app.services.session import PermissionDenied, Session
from app.store import agencies as store
from app.views.program.commands import ServiceCommand
from app.views.program.form_dialog import FormDialog

if TYPE_CHECKING:
    from PySide6.QtGui import QUndoStack

REFUSALS = (ValueError, PermissionDenied)


class MilestoneActs:
    """Composed into the Agencies view: `changed` reloads the plot after every act, undo and redo."""

    def __init__(self, parent: QWidget, session: Session, stack: QUndoStack, changed: Callable[[], None]) -> None:
        self.parent, self.session, self.stack, self.changed = parent, session, stack, changed
        self.dialog: FormDialog | None = None

    def _open(self, dialog: FormDialog, act: Callable[[dict[str, Any]], Any],
              command: Callable[[Any], ServiceCommand]) -> None:
        """Open a form whose OK runs act(values) (a refusal stays in the dialog); success pushes command(result)."""
        made: list[Any] = []

        def check(values: dict[str, Any]) -> str | None:
            try:
                made.append(act(values))
            except REFUSALS as exc:
                return str(exc)
            return None

        def done(result: int) -> None:
            self.dialog = None
            if result and made:
                self.stack.push(command(made[0]))
                self.changed()
            dialog.deleteLater()

        dialog.check = check
        dialog.finished.connect(done)
        self.dialog = dialog
        dialog.open()

    def add(self) -> None:
        d = FormDialog("Add Milestone", self.parent, "A milestone is drawn on the growth plot as a labelled line.")
        d.add_date("on", "&Date")
        d.add_text("label", "&Label", tip="e.g. 'News report on the program'")

        def command(made: tuple[int, str]) -> ServiceCommand:
            mid, label = made
            held: dict[str, dict[str, Any]] = {}

            def undo() -> None:
                held["row"] = svc.delete_milestone(self.session, mid)

            return ServiceCommand(f"Add Milestone ‘{label}’", lambda: svc.restore_milestone(self.session, held["row"]),
                                  undo, self.changed, self.parent)

        self._open(d, lambda v: (svc.add_milestone(self.session, v["on"], v["label"]), v["label"]), command)

    def delete(self) -> None:
        milestones = store.list_milestones(self.session.conn)
        if not milestones:
            QMessageBox.information(self.parent, "Delete Milestone", "There are no milestones on the plot.")
            return
        d = FormDialog("Delete Milestone", self.parent, "Take a milestone off the growth plot (Edit ▸ Undo puts it "
                       "back).")
        d.add_choice("milestone", "&Milestone", [(f"{day} — {label}", mid) for mid, day, label in milestones])

        def command(row: dict[str, Any]) -> ServiceCommand:
            return ServiceCommand(f"Delete Milestone ‘{row['label']}’",
                                  lambda: svc.delete_milestone(self.session, row["id"]),
                                  lambda: svc.restore_milestone(self.session, row), self.changed, self.parent)

        self._open(d, lambda v: svc.delete_milestone(self.session, v["milestone"]), command)
