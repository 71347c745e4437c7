"""The lifecycle steps of the Requests tab: new, edit, submit, approve, override, send, withdraw, resolve, limits.
A helper object composed into RequestsTab (tab.steps); every act goes through app.services.requests.workflow, which
checks the role and audits it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QInputDialog,
    QMessageBox,
)

from app.core.permissions import Permission
from app.core.records import RequestState
from app.core.wording import count, join
from app.services.requests import reads as reads_svc
from app.services.requests import recipients as recipients_svc
from app.services.requests import workflow as svc
from app.services.session import PermissionDenied
from app.views.actions import Action

if TYPE_CHECKING:
    from app.views.requests.limits_dialog import LimitsDialog
    from app.views.requests.override_dialog import OverrideDialog
    from app.views.requests.request_dialog import RequestDialog
    from app.views.requests.resolve_dialog import ResolveDialog
    from app.views.requests.tab import RequestsTab

S = RequestState
# How each contact preference is said in the send confirmation ("2 by e-mail").
HOW = {"email": "by e-mail", "phone": "by phone", "mail": "by letter", "none": "by letter (no preference given)"}


class RequestSteps:
    """The lifecycle steps of the selected request, composed into the Requests tab (tab.steps)."""

    def __init__(self, tab: RequestsTab) -> None:
        self.tab = tab
        self.request_dialog: RequestDialog | None = None  # the open dialogs (tests drive them)
        self.override_dialog: OverrideDialog | None = None
        self.resolve_dialog: ResolveDialog | None = None
        self.limits_dialog: LimitsDialog | None = None

    def new_request(self) -> None:
        from app.views.requests.request_dialog import RequestDialog

        tab = self.tab
        if not tab.session.can(Permission.CREATE_REQUEST):
            QMessageBox.information(tab, "New Footage Request", "Only analysts and supervisors write requests.")
            return
        if not reads_svc.agencies(tab.session):
            # First run of an own store: lead the user to the agency dialog (Program ▸ Add Agency).
            answer = QMessageBox.question(
                tab, "New Footage Request", "There is no partner agency on record yet: a request needs the agency "
                "asking for footage, with its jurisdiction and case-number format.\n\nAdd your agency now?",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No, QMessageBox.StandardButton.Yes)
            if answer == QMessageBox.StandardButton.Yes:
                tab.window_.actions[Action.ADD_AGENCY].trigger()
            return
        tab.window_.show_tab("requests")
        self._open_dialog(RequestDialog(tab.session, tab.arrays(), tab.map_fence, None, tab, tab.clock))

    def edit_request(self) -> None:
        from app.views.requests.request_dialog import RequestDialog

        tab = self.tab
        if tab.current is not None and tab.current.state == S.DRAFT:
            self._open_dialog(RequestDialog(tab.session, tab.arrays(), None, tab.current, tab, tab.clock))

    def _open_dialog(self, dialog) -> None:  # noqa: ANN001
        tab = self.tab
        self.request_dialog = dialog

        def done(result: int) -> None:
            if result and dialog.request_id is not None:
                tab.reload()
                tab.select_request(dialog.request_id)
            self.request_dialog = None
            dialog.deleteLater()

        dialog.finished.connect(done)
        dialog.open()

    def submit(self) -> None:
        tab = self.tab
        if tab.current is None:
            return
        rid = tab.current.id
        failed: list = []
        if tab.run_step("Submit", lambda: failed.extend(svc.submit(tab.session, rid, tab.clock()))) and failed:
            tab.window_.statusBar().showMessage(f"Submitted with {count(len(failed), 'rule')} not met: a supervisor "
                                                 "must override them or return the request for corrections.", 8000)

    def approve(self) -> None:
        tab = self.tab
        if tab.current is not None:
            rid = tab.current.id
            tab.run_step("Approve", lambda: svc.approve(tab.session, rid, tab.clock()))

    def override(self) -> None:
        from app.views.requests.override_dialog import OverrideDialog

        tab = self.tab
        if tab.current is None:
            return
        rid = tab.current.id
        overridden = reads_svc.overridden_rules(tab.session, rid)
        failed = [r for r in svc.check_request(tab.conn, rid, tab.clock())
                  if not r.ok and r.overridable and r.rule not in overridden]
        if not failed:
            QMessageBox.information(tab, "Override", "No rule of this request needs an override.")
            return
        dialog = OverrideDialog(failed, tab)
        self.override_dialog = dialog

        def done(result: int) -> None:
            if result:
                rule, reason = dialog.chosen()
                tab.run_step("Override", lambda: svc.override_rule(tab.session, rid, rule, reason, tab.clock()))
            dialog.deleteLater()

        dialog.finished.connect(done)
        dialog.open()

    def send(self) -> None:
        tab = self.tab
        if tab.current is None:
            return
        rid = tab.current.id
        try:
            preview = recipients_svc.send_preview(tab.session, rid, tab.arrays(), tab.clock())
        except (svc.RequestError, PermissionDenied) as exc:
            QMessageBox.warning(tab, "Send", str(exc))
            return
        if not self.confirm_send(rid, preview):
            return
        plans: list = []
        if tab.run_step("Send", lambda: plans.append(svc.send(tab.session, rid, tab.arrays(), tab.clock()))):
            plan = plans[0]
            tab.window_.statusBar().showMessage(
                f"Sent: {count(plan.owners_notified, 'owner')} to notify "
                f"({count(plan.opted_out_owners, 'opted-out owner')} left out). Print the letters or export the "
                "notices CSV.", 8000)

    def confirm_send(self, request_id: int, preview: recipients_svc.SendPreview) -> bool:
        """Sending cannot be undone: say how many owners will be contacted and how, and ask."""
        ways = [f"{n:,} {HOW.get(pref, f'by {pref}' if pref else 'with no way to reach them')}"
                for pref, n in sorted(preview.by_preference.items(), key=lambda kv: -kv[1])]
        left_out = (f"\n{count(preview.opted_out_owners, 'owner')} who opted out "
                    f"{'is' if preview.opted_out_owners == 1 else 'are'} left out." if preview.opted_out_owners else "")
        text = (f"Send request {request_id}? {count(preview.owners, 'camera owner')} "
                f"({count(preview.cameras, 'camera')}) will be contacted: {join(ways) or 'nobody'}.{left_out}\n\n"
                "The request then enters the public request log for good, and expires by itself after its limit.")
        box = QMessageBox(QMessageBox.Icon.Question, "Send Footage Request", text, QMessageBox.StandardButton.Cancel,
                          self.tab)
        box.setObjectName("send_confirm")
        go = box.addButton(f"Send to {count(preview.owners, 'Owner')}", QMessageBox.ButtonRole.AcceptRole)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        box.exec()
        return box.clickedButton() is go

    def withdraw(self) -> None:
        tab = self.tab
        if tab.current is None:
            return
        rid = tab.current.id
        reason, ok = QInputDialog.getText(tab, "Withdraw Request", "Why is the request withdrawn?")
        if ok:
            tab.run_step("Withdraw", lambda: svc.withdraw(tab.session, rid, reason, tab.clock()))

    def resolve(self) -> None:
        from app.views.requests.resolve_dialog import ResolveDialog

        tab = self.tab
        if tab.current is None:
            return
        rid = tab.current.id
        dialog = ResolveDialog(tab)
        self.resolve_dialog = dialog

        def done(result: int) -> None:
            if result:
                useful, arrest, notes = dialog.outcome()
                tab.run_step("Resolve", lambda: svc.resolve(tab.session, rid, useful, arrest, notes, tab.clock()))
            dialog.deleteLater()

        dialog.finished.connect(done)
        dialog.open()

    def show_limits(self) -> None:
        from app.views.requests.limits_dialog import LimitsDialog

        tab = self.tab
        dialog = LimitsDialog(tab.session, tab)
        self.limits_dialog = dialog

        def done(result: int) -> None:
            if result and tab.current is not None:
                tab.show_request(tab.current.id)  # the rules now read the new limits
            dialog.deleteLater()

        dialog.finished.connect(done)
        dialog.open()

