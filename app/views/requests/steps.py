"""The lifecycle steps of the Requests tab: new, edit, submit, approve, override, send, withdraw, resolve, limits.
A mixin of RequestsTab (kept apart so each file stays readable); every act goes through app.services.requests.workflow,
which checks the role and audits it.
"""

from __future__ import annotations

from PySide6.QtWidgets import (
    QInputDialog,
    QMessageBox,
)

from app.core.permissions import Permission
from app.core.records import RequestState
from app.services.requests import workflow as svc
from app.services.requests.approval import OverrideReasonError
from app.services.session import PermissionDenied
from app.store import requests as store
from app.views.requests.answers import _Base

S = RequestState


class RequestStepsMixin(_Base):
    # --- running a step -----------------------------------------------------------------------------------------------
    def _run(self, title: str, fn) -> bool:  # noqa: ANN001
        """Run a service call; show its refusal in words; refresh the list and the detail either way."""
        try:
            fn()
        except (svc.RequestError, PermissionDenied, OverrideReasonError) as exc:
            QMessageBox.warning(self, title, str(exc))
            return False
        finally:
            request_id = self.current.id if self.current else None
            self.reload()
            if request_id is not None:
                self.select_request(request_id)
        return True

    def new_request(self) -> None:
        from app.views.requests.request_dialog import RequestDialog

        if not self.session.can(Permission.CREATE_REQUEST):
            QMessageBox.information(self, "New Footage Request", "Only analysts and supervisors write requests.")
            return
        if not store.agencies(self.conn):
            QMessageBox.information(self, "New Footage Request", "There is no partner agency on record yet: add the "
                                    "agency (with its jurisdiction and case-number format) first.")
            return
        self.window_.show_tab("requests")
        self._open_dialog(RequestDialog(self.session, self.arrays(), self.map_fence, None, self, self.clock))

    def edit_request(self) -> None:
        from app.views.requests.request_dialog import RequestDialog

        if self.current is not None and self.current.state == S.DRAFT:
            self._open_dialog(RequestDialog(self.session, self.arrays(), None, self.current, self, self.clock))

    def _open_dialog(self, dialog) -> None:  # noqa: ANN001
        self.request_dialog = dialog

        def done(result: int) -> None:
            if result and dialog.request_id is not None:
                self.reload()
                self.select_request(dialog.request_id)
            self.request_dialog = None
            dialog.deleteLater()

        dialog.finished.connect(done)
        dialog.open()

    def submit(self) -> None:
        if self.current is None:
            return
        rid = self.current.id
        failed: list = []
        if self._run("Submit", lambda: failed.extend(svc.submit(self.session, rid, self.clock()))) and failed:
            self.window_.statusBar().showMessage(f"Submitted with {len(failed)} rule(s) not met: a supervisor must "
                                                 "override them or return the request for corrections.", 8000)

    def approve(self) -> None:
        if self.current is not None:
            rid = self.current.id
            self._run("Approve", lambda: svc.approve(self.session, rid, self.clock()))

    def override(self) -> None:
        from app.views.requests.override_dialog import OverrideDialog

        if self.current is None:
            return
        rid = self.current.id
        overridden = store.overridden_rules(self.conn, rid)
        failed = [r for r in svc.check_request(self.conn, rid, self.clock())
                  if not r.ok and r.overridable and r.rule not in overridden]
        if not failed:
            QMessageBox.information(self, "Override", "No rule of this request needs an override.")
            return
        dialog = OverrideDialog(failed, self)
        self.override_dialog = dialog

        def done(result: int) -> None:
            if result:
                rule, reason = dialog.chosen()
                self._run("Override", lambda: svc.override_rule(self.session, rid, rule, reason, self.clock()))
            dialog.deleteLater()

        dialog.finished.connect(done)
        dialog.open()

    def send(self) -> None:
        if self.current is None:
            return
        rid = self.current.id
        plans: list = []
        if self._run("Send", lambda: plans.append(svc.send(self.session, rid, self.arrays(), self.clock()))):
            plan = plans[0]
            self.window_.statusBar().showMessage(
                f"Sent: {plan.owners_notified} owners to notify ({plan.opted_out_owners} opted-out owners left out). "
                "Print the letters or export the notices CSV.", 8000)

    def withdraw(self) -> None:
        if self.current is None:
            return
        rid = self.current.id
        reason, ok = QInputDialog.getText(self, "Withdraw Request", "Why is the request withdrawn?")
        if ok:
            self._run("Withdraw", lambda: svc.withdraw(self.session, rid, reason, self.clock()))

    def resolve(self) -> None:
        from app.views.requests.resolve_dialog import ResolveDialog

        if self.current is None:
            return
        rid = self.current.id
        dialog = ResolveDialog(self)
        self.resolve_dialog = dialog

        def done(result: int) -> None:
            if result:
                useful, arrest, notes = dialog.outcome()
                self._run("Resolve", lambda: svc.resolve(self.session, rid, useful, arrest, notes, self.clock()))
            dialog.deleteLater()

        dialog.finished.connect(done)
        dialog.open()

    def show_on_map(self) -> None:
        if self.current is not None and self.map_linked:
            self.area_shown.emit(self.current.fence)

    def show_limits(self) -> None:
        from app.views.requests.limits_dialog import LimitsDialog

        dialog = LimitsDialog(self.session, self)
        self.limits_dialog = dialog

        def done(result: int) -> None:
            if result and self.current is not None:
                self.show_request(self.current.id)  # the rules now read the new limits
            dialog.deleteLater()

        dialog.finished.connect(done)
        dialog.open()

