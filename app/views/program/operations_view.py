"""Program ▸ Operations: each operation with its goal and success measure (stated before it starts, locked after:
a change is a revision with its reason, kept beside the original), dates, area and cameras, partners, public
statements with the organisation that made them, and the outcome — a null result recorded as plainly as a
success."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from PySide6.QtCore import QDate, Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from app.core.fence import Fence
from app.core.operations import RESULT_LABELS, RESULTS, OperationError
from app.core.permissions import Permission
from app.core.records import to_iso, utc_now
from app.services.program import operations as svc
from app.services.session import PermissionDenied
from app.store import agencies as agency_store
from app.store import operations as store
from app.views.program.form_dialog import FormDialog
from app.views.widgets.buttons import add_buttons

if TYPE_CHECKING:
    from app.views.main_window import MainWindow

REFUSALS = (OperationError, PermissionDenied, ValueError)


def _e(text: str | None) -> str:
    return html.escape(text or "")


class OperationsView(QWidget):
    def __init__(self, window: MainWindow, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.window_ = window
        self.session = window.ctx.session
        self.map_fence: Fence | None = None
        self.dialog: FormDialog | None = None
        self.setObjectName("program_operations")
        layout = QVBoxLayout(self)
        buttons = QHBoxLayout()
        self.buttons: dict[str, QPushButton] = {}
        add_buttons(buttons, self, "operation", (
                ("new", "New Operation…", "Plan an operation: goal and success measure before it starts",
                 self.new_operation),
                ("plan", "Change P&lan…", "Change the goal or success measure (after the start: a revision with a "
                 "reason)", self.change_plan),
                ("statement", "Add &Statement…", "A public statement about the operation and who made it",
                 self.add_statement),
                ("outcome", "Record &Outcome…", "Arrests, recoveries and the result against the stated measure",
                 self.record_outcome),
                ("cameras", "Cameras from &Map Fence", "Record the cameras inside the fence drawn on the map as "
                 "involved", self.cameras_from_fence)), self.buttons)
        buttons.addStretch(1)
        layout.addLayout(buttons)
        split = QSplitter(Qt.Orientation.Horizontal, self)
        self.list = QListWidget(self)
        self.list.setObjectName("operation_list")
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.currentItemChanged.connect(lambda *_: self.show_current())
        split.addWidget(self.list)
        self.detail = QTextBrowser(self)
        self.detail.setObjectName("operation_detail")
        self.detail.setOpenExternalLinks(False)
        split.addWidget(self.detail)
        split.setSizes([300, 700])
        layout.addWidget(split, 1)
        self.reload()

    def set_map_fence(self, fence: Fence | None) -> None:
        self.map_fence = fence

    def reload(self, select: int | None = None) -> None:
        current = select if select is not None else self.current_id()
        self.list.clear()
        now = to_iso(utc_now())
        for op in store.list_operations(self.session.conn):
            state = "planned" if not svc.is_locked(op, now) else ("ended" if op.ended_on and op.ended_on[:10] <
                                                                  now[:10] else "running")
            item = QListWidgetItem(f"{op.name} — {op.started_on[:10]} ({state}"
                                   + (f", {RESULT_LABELS[op.result]}" if op.result else "") + ")")
            item.setData(Qt.ItemDataRole.UserRole, op.id)
            self.list.addItem(item)
            if op.id == current:
                self.list.setCurrentItem(item)
        if self.list.currentItem() is None and self.list.count():
            self.list.setCurrentRow(0)
        self.show_current()

    def current_id(self) -> int | None:
        item = self.list.currentItem()
        return None if item is None else int(item.data(Qt.ItemDataRole.UserRole))

    def show_current(self) -> None:
        may = self.session.can(Permission.MANAGE_PROGRAM)
        op_id = self.current_id()
        has_agency = agency_store.count_agencies(self.session.conn) > 0
        self.buttons["new"].setEnabled(may and has_agency)
        for key in ("plan", "statement", "outcome", "cameras"):
            self.buttons[key].setEnabled(may and op_id is not None)
        if op_id is None:
            self.detail.setHtml("<p>No operations recorded.</p>" + ("" if has_agency else
                                                                    "<p>Add an agency first.</p>"))
            return
        conn = self.session.conn
        op = store.get_operation(conn, op_id)
        if op is None:
            return
        agency = agency_store.get_agency(conn, op.agency_id)
        locked = svc.is_locked(op)
        parts = [f"<h3>{_e(op.name)}</h3><p>{_e(op.kind)} · {_e(agency.name if agency else '')} · "
                 f"{op.started_on[:10]} – {(op.ended_on or '…')[:10]}</p>",
                 f"<p>{_e(op.description)}</p>",
                 f"<p><b>Goal</b> {'(locked since the start)' if locked else '(editable until the start)'}:<br>"
                 f"{_e(op.goal) or '<i>not stated</i>'}</p>",
                 f"<p><b>Success measure</b>:<br>{_e(op.success_measure) or '<i>not stated</i>'}</p>"]
        revs = store.revisions(conn, op_id)
        if revs:
            parts.append("<p><b>Revisions after the start</b></p><ul>" + "".join(
                f"<li>{at[:10]} {_e(actor)} changed the {field.replace('_', ' ')} from “{_e(old)}” to “{_e(new)}”: "
                f"{_e(reason)}</li>" for at, field, old, new, reason, actor in revs) + "</ul>")
        partners = store.partners(conn, op_id)
        cams = store.cameras(conn, op_id)
        parts.append(f"<p><b>Partners</b>: {_e(', '.join(p for p, _a in partners)) or 'none recorded'} · "
                     f"<b>Cameras involved</b>: {len(cams)}" + (" · area recorded" if op.area_json else "") + "</p>")
        statements = store.statements(conn, op_id)
        parts.append("<p><b>Public statements</b></p>" + ("<ul>" + "".join(
            f"<li>{made[:10]} — <b>{_e(org)}</b>{(' (' + _e(who) + ')') if who else ''}: “{_e(text)}”"
            f"{(' ' + _e(url)) if url else ''}</li>" for _i, made, org, who, text, url in statements) + "</ul>"
            if statements else "<p><i>none recorded</i></p>"))
        if op.result:
            when = f" ({op.outcome_recorded_at[:10]})" if op.outcome_recorded_at else ""
            parts.append(f"<p><b>Outcome</b>{when}: "
                         f"{_e(RESULT_LABELS[op.result])} · arrests {op.arrests} · recoveries {op.recoveries}"
                         f"<br>{_e(op.outcome)}</p>")
        else:
            parts.append("<p><b>Outcome</b>: not recorded yet" + (f" (notes: {_e(op.outcome)})" if op.outcome
                                                                   else "") + "</p>")
        self.detail.setHtml("".join(parts))

    # --- acts ------------------------------------------------------------------------------------------------------
    def _form(self, dialog: FormDialog, act, after=None) -> None:  # noqa: ANN001
        def check(values: dict) -> str | None:
            try:
                result = act(values)
            except REFUSALS as exc:
                return str(exc)
            if after is not None:
                after(result)
            return None

        dialog.check = check
        self.dialog = dialog

        def done(_result: int) -> None:
            self.dialog = None
            self.reload()
            dialog.deleteLater()

        dialog.finished.connect(done)
        dialog.open()

    def new_operation(self) -> None:
        agencies = agency_store.list_agencies(self.session.conn)
        if not agencies:
            return
        d = FormDialog("New Operation", self, "State the goal and how success will be measured now: once the "
                       "operation starts they are locked, and a change becomes a revision with a reason.")
        d.add_text("name", "&Name", tip="e.g. Operation Porch Watch")
        d.add_text("kind", "&Kind", tip="e.g. package-theft sting")
        d.add_choice("agency", "&Agency", [(a.name, a.id) for a in agencies])
        d.add_date("start", "&Starts on", QDate.currentDate().addDays(1))
        d.add_date("end", "&Ends on", QDate.currentDate().addDays(36))
        d.add_long_text("goal", "&Goal")
        d.add_long_text("measure", "Success &measure")
        d.add_long_text("description", "&Description")
        d.add_text("partners", "&Partners", tip="Organisations involved, separated by commas")
        n = len(self.window_.camera_selection.ids) if self.map_fence is not None else 0
        d.add_check("area", f"Area: the fence drawn on the map ({n} cameras inside)", self.map_fence is not None)
        d.editors["area"].setEnabled(self.map_fence is not None)

        def create(v: dict) -> int:
            use_area = v["area"] and self.map_fence is not None
            partners = [(p.strip(), None) for p in v["partners"].split(",") if p.strip()]
            return svc.create(self.session, v["agency"], v["name"], v["kind"], v["start"], v["goal"], v["measure"],
                              v["end"], v["description"], self.map_fence if use_area else None,
                              [int(i) for i in self.window_.camera_selection.ids] if use_area else None, partners)

        self._form(d, create, lambda op_id: self.reload(op_id))

    def change_plan(self) -> None:
        op = store.get_operation(self.session.conn, self.current_id() or -1)
        if op is None:
            return
        locked = svc.is_locked(op)
        d = FormDialog("Change Plan", self, "The operation has started: this change will be a revision, kept beside "
                       "the original wording, with your reason." if locked else
                       "The operation has not started: the goal and success measure can still be edited.")
        d.add_long_text("goal", "&Goal", op.goal)
        d.add_long_text("measure", "Success &measure", op.success_measure)
        if locked:
            d.add_long_text("reason", "&Reason for the revision")
        self._form(d, lambda v: svc.change_plan(self.session, op.id, v["goal"], v["measure"], v.get("reason", "")))

    def add_statement(self) -> None:
        op_id = self.current_id()
        if op_id is None:
            return
        d = FormDialog("Add Statement", self, "A public statement about the operation, quoted, with the "
                       "organisation that made it.")
        d.add_date("on", "&Made on")
        d.add_text("organisation", "&Organisation", tip="e.g. Harbor Falls Police Department, the camera company")
        d.add_text("speaker", "&Speaker")
        d.add_long_text("text", "&Statement")
        d.add_text("url", "&Source link")
        self._form(d, lambda v: svc.add_statement(self.session, op_id, v["on"], v["organisation"], v["text"],
                                                  v["speaker"], v["url"]))

    def record_outcome(self) -> None:
        op = store.get_operation(self.session.conn, self.current_id() or -1)
        if op is None:
            return
        d = FormDialog("Record Outcome", self, f"Success measure: {op.success_measure or 'not stated'}\n"
                       "A null result (the measure was not met) is recorded as plainly as a success.")
        d.add_choice("result", "&Result", [(RESULT_LABELS[r], r) for r in RESULTS])
        if op.result:
            d.editors["result"].setCurrentIndex(RESULTS.index(op.result))
        d.add_int("arrests", "&Arrests", op.arrests, 0)
        d.add_int("recoveries", "Re&coveries", op.recoveries, 0)
        d.add_long_text("notes", "&Notes", op.outcome)
        self._form(d, lambda v: svc.record_outcome(self.session, op.id, v["result"], v["arrests"], v["recoveries"],
                                                   v["notes"]))

    def cameras_from_fence(self) -> None:
        op_id = self.current_id()
        if op_id is None:
            return
        if self.map_fence is None:
            self.window_.statusBar().showMessage("Draw a fence on the map first: its cameras become the "
                                                 "operation's cameras.", 6000)
            return
        try:
            svc.set_cameras(self.session, op_id, [int(i) for i in self.window_.camera_selection.ids])
        except REFUSALS as exc:
            self.window_.statusBar().showMessage(str(exc), 6000)
        self.reload()


