"""The Requests tab: requests with state filters; the selected request's area, recipients and timeline; the
lifecycle buttons; fast answers from the keyboard (S shared, D declined, N no footage, R no response, then the
next row). Every act goes through app.services.requests.workflow / outreach, which check the role and audit it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QSettings, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from app.core import timefmt
from app.core.camera_arrays import CameraArrays
from app.core.permissions import Permission
from app.core.records import RecipientState, RequestState, utc_now
from app.core.request_records import RequestRecord
from app.core.wording import count
from app.models.recipient_table_model import ANSWER_LABELS, COL_ANSWER, COL_RANK, HEADERS, RecipientTableModel
from app.models.request_table_model import STATE_LABELS, IdRole, RequestProxyModel, RequestTableModel, state_label
from app.services.requests import reads as reads_svc
from app.services.requests import recipients as recipients_svc
from app.services.requests import responses as responses_svc
from app.services.requests import workflow as svc
from app.services.requests.approval import OverrideReasonError
from app.services.session import PermissionDenied
from app.views.requests.answers import RequestAnswers
from app.views.requests.area_view import RequestAreaView
from app.views.requests.steps import RequestSteps
from app.views.widgets.gated import PermissionGate
from app.views.widgets.state import PreservedState

if TYPE_CHECKING:
    from app.core.fence import Fence
    from app.views.main_window import MainWindow

S = RequestState
SETTINGS_GROUP = "requests_tab"
EXPIRY_CHECK_MS = 60_000
RANK_NOTE = ("Rank 1 is the owner most likely to have useful footage: cameras that face the incident and reach it "
             "first, then those whose footage is probably still kept, then the nearest. Ask from the top.")
STATE_FILTERS: list[tuple[str, list[RequestState] | None]] = [
    ("All requests", None),
    ("Open (draft, awaiting approval, sent)", [S.DRAFT, S.AWAITING_APPROVAL, S.SENT]),
    *[(label, [state]) for state, label in STATE_LABELS.items()],
]
ANSWER_KEYS = {"S": RecipientState.SHARED, "D": RecipientState.DECLINED, "N": RecipientState.NO_FOOTAGE,
               "R": RecipientState.NO_RESPONSE}


class RequestsTab(QWidget):
    area_shown = Signal(object)  # "Show on Map": the selected request's area (a Fence), for the map to show

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window_ = window
        self.session = window.ctx.session
        self.conn = window.ctx.conn
        self.clock = utc_now
        self.current: RequestRecord | None = None
        self.steps = RequestSteps(self)
        self.answers = RequestAnswers(self)
        self.map_fence: Fence | None = None  # the fence drawn on the map: a new request's area
        self.map_linked = False  # whether area_shown has a map to go to
        self._build()
        self.restore_layout()
        window.on_close(self.save_layout)

    # --- building -----------------------------------------------------------------------------------------------
    def _build(self) -> None:
        self.state_filter = QComboBox(self)
        self.state_filter.setObjectName("state_filter")
        self.state_filter.setToolTip("Show requests in these states")
        for label, _ in STATE_FILTERS:
            self.state_filter.addItem(label)
        self.filter_edit = QLineEdit(self)
        self.filter_edit.setObjectName("request_filter")
        self.filter_edit.setPlaceholderText("Filter by case, agency, category, author… (Ctrl+F)")
        self.filter_edit.setClearButtonEnabled(True)
        new_button = QPushButton("New Request…", self)  # Ctrl+N (Requests ▸ New Footage Request)
        new_button.setToolTip("Ask the camera owners in an area for footage (Ctrl+N)")
        new_button.clicked.connect(self.steps.new_request)
        top = QHBoxLayout()
        top.addWidget(QLabel("Show:", self, buddy=self.state_filter))
        top.addWidget(self.state_filter)
        top.addWidget(self.filter_edit, 1)
        top.addWidget(new_button)

        self.model = RequestTableModel(self)
        self.proxy = RequestProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.table = QTableView(self)
        self.table.setWordWrap(False)
        self.table.setObjectName("requests_table")
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(0, Qt.SortOrder.DescendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().hide()
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self.show_current())
        self.filter_edit.textChanged.connect(self.proxy.setFilterFixedString)
        self.state_filter.currentIndexChanged.connect(lambda *_: self.reload())

        self.detail = self._build_detail()
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("requests_splitter")
        self.splitter.addWidget(self.table)
        # In a scroll area, so the many buttons of the detail pane never force a large minimum window size.
        detail_scroll = QScrollArea(self)
        detail_scroll.setWidgetResizable(True)
        detail_scroll.setFrameShape(QFrame.Shape.NoFrame)
        detail_scroll.setWidget(self.detail)
        self.splitter.addWidget(detail_scroll)
        self.splitter.setStretchFactor(0, 2)
        self.splitter.setStretchFactor(1, 3)
        self.splitter.setSizes([480, 900])  # restore_layout puts back the user's own split

        main = QWidget(self)
        lay = QVBoxLayout(main)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addLayout(top)
        lay.addWidget(self.splitter, 1)
        self.stack = PermissionGate(main, "requests_denied", self)
        self.denied = self.stack.denied
        outer = QVBoxLayout(self)
        outer.addWidget(self.stack)

    def _button(self, text: str, name: str, tip: str, slot) -> QPushButton:  # noqa: ANN001
        b = QPushButton(text, self)
        b.setObjectName(name)
        b.setToolTip(tip)
        b.clicked.connect(slot)
        return b

    def _build_detail(self) -> QWidget:
        w = QWidget(self)
        self.summary = QLabel("Select a request.", w)
        self.summary.setObjectName("request_summary")
        self.summary.setWordWrap(True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        b = self._button
        self.buttons = {
            "edit": b("Edi&t…", "edit_request", "Edit this draft", self.steps.edit_request),
            "submit": b("Su&bmit", "submit_request", "Ask a supervisor to approve it", self.steps.submit),
            "approve": b("&Approve", "approve_request", "Approve (a supervisor who did not write it)",
                         self.steps.approve),
            "override": b("&Override…", "override_rule", "Let a failed rule pass, with a written reason "
                          "(supervisor)", self.steps.override),
            "send": b("Sen&d", "send_request", "Send the notices: the request enters the public log", self.steps.send),
            "withdraw": b("&Withdraw…", "withdraw_request", "Withdraw the request (the reason is kept)",
                          self.steps.withdraw),
            "resolve": b("Re&solve…", "resolve_request", "Close the request with its outcome", self.steps.resolve),
        }
        self.outreach_buttons = {
            "csv": b("Notices &CSV…", "export_notices_csv", "Mail-merge CSV of the notices (contact details; "
                     "audited)", self.answers.export_notices_csv),
            "pdf": b("&Letters PDF…", "export_letters_pdf", "One letter per owner as PDF (audited)",
                     self.answers.export_letters_pdf),
            "import": b("Import Answers…", "import_responses", "Import owners' answers from a CSV (validated "
                        "first)", self.answers.import_responses),
            "map": b("Show on &Map", "show_on_map", "Show this request's area on the map (selects its cameras)",
                     self.show_on_map),
            "opt_out": b("Owner Opts O&ut", "owner_opt_out", "The selected owner asks to receive no future "
                         "requests: honoured at once", self.answers.opt_out_selected),
        }
        row1, row2 = QHBoxLayout(), QHBoxLayout()
        for x in self.buttons.values():
            row1.addWidget(x)
        row1.addStretch(1)
        for x in self.outreach_buttons.values():
            row2.addWidget(x)
        row2.addStretch(1)

        self.area_view = RequestAreaView(w)
        self.timeline = QListWidget(w)
        self.timeline.setObjectName("request_timeline")
        self.timeline.setToolTip("Every state change of the request, with who and when (local time)")
        top = QSplitter(Qt.Orientation.Horizontal, w)
        top.setObjectName("request_detail_top")
        top.addWidget(self.area_view)
        top.addWidget(self.timeline)

        self.recipient_model = RecipientTableModel(w)
        self.recipients = QTableView(w)
        self.recipients.setWordWrap(False)
        self.recipients.setObjectName("recipients_table")
        self.recipients.setModel(self.recipient_model)
        self.recipients.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.recipients.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.recipients.setAlternatingRowColors(True)
        self.recipients.verticalHeader().hide()
        self.recipients.setWordWrap(False)
        self.recipients.horizontalHeader().setStretchLastSection(True)
        self.recipients.setToolTip("Answers: S shared · D declined · N no footage · R no response (then the next "
                                   "row); a key on an answered row changes the answer, with a reason")
        # Plain letter keys on the table (not window shortcuts, which would steal typing elsewhere).
        self.recipients.installEventFilter(self)
        self.recipient_counts = QLabel("", w)
        self.recipient_counts.setObjectName("recipient_counts")

        self.detail_split = QSplitter(Qt.Orientation.Vertical, w)
        self.detail_split.setObjectName("request_detail_split")
        self.detail_split.addWidget(top)
        recips = QWidget(w)
        rl = QVBoxLayout(recips)
        rl.setContentsMargins(0, 0, 0, 0)
        rl.addWidget(self.recipient_counts)
        rl.addWidget(self.recipients)
        self.rank_note = QLabel(RANK_NOTE, w)
        self.rank_note.setObjectName("rank_note")
        self.rank_note.setWordWrap(True)
        self.rank_note.setStyleSheet("color: palette(mid);")
        rl.addWidget(self.rank_note)
        self.detail_split.addWidget(recips)
        lay = QVBoxLayout(w)
        lay.addWidget(self.summary)
        lay.addLayout(row1)
        lay.addLayout(row2)
        lay.addWidget(self.detail_split, 1)
        return w

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if watched is self.recipients and event.type() == QEvent.Type.KeyPress:
            key_event = QKeyEvent(event)  # type: ignore[call-overload]
            mods = key_event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
            state = ANSWER_KEYS.get(key_event.text().upper()) if mods in (
                Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.ShiftModifier) else None
            if state is not None:
                self.answers.answer_current(state)
                return True
        return super().eventFilter(watched, event)

    # --- settings ----------------------------------------------------------------------------------------------------
    def restore_layout(self) -> None:
        self._state = PreservedState(SETTINGS_GROUP, requests_header=self.table.horizontalHeader(),
                                     recipients_header=self.recipients.horizontalHeader(), splitter=self.splitter,
                                     detail_split=self.detail_split)
        self._columns_sized = self._state.saved("recipients_header")  # else fit the columns to the first rows shown
        self._state.restore()
        self.state_filter.setCurrentIndex(int(QSettings().value(f"{SETTINGS_GROUP}/state_filter", 1)))

    def save_layout(self) -> None:
        self._state.save()
        QSettings().setValue(f"{SETTINGS_GROUP}/state_filter", self.state_filter.currentIndex())

    def focus_filter(self) -> None:
        self.filter_edit.setFocus()
        self.filter_edit.selectAll()

    # --- data ---------------------------------------------------------------------------------------------------------
    def arrays(self) -> CameraArrays | None:
        """The registry arrays the window holds, or None (then the service reads the store)."""
        arrays = self.window_.registry.arrays
        return arrays if len(arrays) else None

    def reload(self) -> None:
        if not self.session.can(Permission.CREATE_REQUEST):
            who = self.session.user.role.value if self.session.user else "signed out"
            self.stack.deny(f"Footage requests are for analysts and supervisors (you are {who}).\n"
                            "The public request log is under Requests ▸ Public Request Log.")
            self.model.set_rows([])
            self.show_request(None)
            return
        self.stack.allow()
        keep = self.current.id if self.current else None
        self.model.set_rows(reads_svc.list_requests(self.session, self.current_states()))
        if keep is not None and not self.select_request(keep):
            # Out of the filter now (e.g. just resolved): keep its detail in view until another is chosen.
            self.show_request(keep)
        elif keep is None and self.proxy.rowCount() > 0:
            # Nothing chosen yet: show the first request rather than an empty detail pane.
            first = self.proxy.index(0, 0)
            self.select_request(int(first.data(IdRole)))

    def current_states(self) -> list[RequestState] | None:
        return STATE_FILTERS[self.state_filter.currentIndex()][1]

    def select_request(self, request_id: int) -> bool:
        row = self.model.row_of(request_id)
        if row < 0:
            return False
        index = self.proxy.mapFromSource(self.model.index(row, 0))
        if not index.isValid():
            return False
        changed = self.table.currentIndex().row() != index.row()
        self.table.setCurrentIndex(index)  # a new current row shows itself (currentRowChanged → show_current)
        self.table.selectRow(index.row())
        if not changed:
            self.show_request(request_id)
        return True

    def show_current(self) -> None:
        index = self.table.currentIndex()
        self.show_request(index.data(IdRole) if index.isValid() else None)

    def show_request(self, request_id: int | None) -> None:
        self.current = reads_svc.get_request(self.session, request_id) if request_id is not None else None
        rec = self.current
        if rec is None:
            self.summary.setText("Select a request, or make a new one with Ctrl+N.")
            self.area_view.set_area(None, [], None)
            self.timeline.clear()
            self.recipient_model.set_rows([])
            self.recipient_counts.setText("")
            self._update_buttons()
            return
        agency = reads_svc.agency_name(self.session, rec.agency_id)
        results = svc.check_request(self.conn, rec.id, self.clock())
        overridden = reads_svc.overridden_rules(self.session, rec.id)
        failed = [r for r in results if not r.ok]
        rules = "every rule met" if not failed else "; ".join(
            f"{r.label} {'(overridden)' if r.rule in overridden else 'NOT MET'}" for r in failed)
        public = f" · public log #{rec.public_no}" if rec.public_no else ""
        self.summary.setText(
            f"<b>Request {rec.id}</b> · {state_label(rec.state, rec.approved_by is not None)}{public} · "
            f"case {rec.case_number} · "
            f"{agency} · {rec.offense_category}<br>"
            f"Window {timefmt.span(rec.window_start, rec.window_end)}"
            f" · area {rec.fence.area_sq_mi():.3f} sq mi · {rules}"
            + (f"<br>Expires {timefmt.short(rec.expires_at)}" if rec.expires_at and rec.state == S.SENT else ""))
        self.area_view.set_area(rec.fence, recipients_svc.recipient_points(self.session, rec.id),
                                reads_svc.incident_point(self.session, rec.incident_id))
        self.refresh_history()
        self.refresh_recipients()
        self._update_buttons()

    def refresh_history(self) -> None:
        """The request's history: state changes, overrides and changed answers, oldest first."""
        rec = self.current
        if rec is None:
            return
        self.timeline.clear()
        for t in reads_svc.timeline(self.session, rec.id):
            step = (f"{STATE_LABELS[S(t.from_state)]} → " if t.from_state and t.from_state != t.to_state else "")
            what = "Approved" if t.from_state == t.to_state else step + STATE_LABELS[S(t.to_state)]
            said = t.reason if t.reason and t.reason.casefold() != what.casefold() else ""  # not "Approved — approved"
            self.timeline.addItem(f"{timefmt.short(t.at)} · {t.actor} · {what}" + (f" — {said}" if said else ""))
        for rule, reason, who, at, voided_at in reads_svc.overrides(self.session, rec.id):
            void = f" (void since {timefmt.short(voided_at)}: the request was edited after it)" if voided_at else ""
            self.timeline.addItem(f"{timefmt.short(at)} · {who} · Override of {rule} — {reason}{void}")
        if self.session.can(Permission.RECORD_RESPONSE):
            for at, who, text in responses_svc.answer_history(self.session, rec.id):
                self.timeline.addItem(f"{timefmt.short(at)} · {who} · {text}")

    def refresh_recipients(self) -> None:
        if self.current is None:
            return
        keep = self.recipients.currentIndex().row()
        rows = recipients_svc.recipient_view(self.session, self.current.id)
        self.recipient_model.set_rows(rows)
        if rows and not self._columns_sized:
            self.recipients.resizeColumnsToContents()
            self.table.resizeColumnsToContents()
            self._columns_sized = True
        self._fit_answer_column()
        counts = {s: sum(r.state == s for r in rows) for s in ANSWER_LABELS}
        self.recipient_counts.setText(f"{count(len(rows), 'owner')} · " + " · ".join(
            f"{ANSWER_LABELS[s]} {n}" for s, n in counts.items()))
        if rows:
            row = min(max(keep, 0), len(rows) - 1)
            self.recipients.setCurrentIndex(self.recipient_model.index(row, 0))

    def _fit_answer_column(self) -> None:
        """Whole words in the Answer column ("No response", not "No res…"), whatever width was saved or fitted."""
        header = self.recipients.horizontalHeader()
        fm = self.recipients.fontMetrics()
        for col, texts in ((COL_ANSWER, ANSWER_LABELS.values()), (COL_RANK, [HEADERS[COL_RANK][0]])):
            need = max(fm.horizontalAdvance(text) for text in [*texts, HEADERS[col][0]]) + 28
            if header.sectionSize(col) < need:
                header.resizeSection(col, need)

    def _update_buttons(self) -> None:
        rec = self.current
        state = rec.state if rec else None
        can = self.session.can
        author = rec is not None and self.session.user is not None and rec.created_by == self.session.user.id
        enabled = {
            "edit": state == S.DRAFT and can(Permission.CREATE_REQUEST),
            "submit": state == S.DRAFT and can(Permission.CREATE_REQUEST),
            "approve": state == S.AWAITING_APPROVAL and rec is not None and rec.approved_by is None
            and can(Permission.APPROVE_REQUEST) and not author,
            "override": state in (S.DRAFT, S.AWAITING_APPROVAL) and can(Permission.OVERRIDE_POLICY),
            "send": state == S.AWAITING_APPROVAL and rec is not None and rec.approved_by is not None
            and can(Permission.CREATE_REQUEST),
            "withdraw": state in (S.DRAFT, S.AWAITING_APPROVAL, S.SENT) and can(Permission.CREATE_REQUEST),
            "resolve": state == S.SENT and can(Permission.CREATE_REQUEST),
        }
        for key, button in self.buttons.items():
            button.setEnabled(bool(enabled[key]))
        sent = rec is not None and rec.public_no is not None
        self.outreach_buttons["csv"].setEnabled(sent and can(Permission.VIEW_OWNER_CONTACT))
        self.outreach_buttons["pdf"].setEnabled(sent and can(Permission.VIEW_OWNER_CONTACT))
        self.outreach_buttons["import"].setEnabled(state == S.SENT and can(Permission.RECORD_RESPONSE))
        self.outreach_buttons["opt_out"].setEnabled(sent and can(Permission.RECORD_RESPONSE))
        self.outreach_buttons["map"].setEnabled(rec is not None and self.map_linked)

    def run_step(self, title: str, fn: Callable[[], object]) -> bool:
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

    def user_changed(self, _user: object) -> None:
        self.reload()

    def show_on_map(self) -> None:
        if self.current is not None and self.map_linked:
            self.area_shown.emit(self.current.fence)

    def set_map_fence(self, fence: Fence | None) -> None:
        self.map_fence = fence

    def link_map(self) -> None:
        self.map_linked = True
        self._update_buttons()

    # --- expiry -------------------------------------------------------------------------------------------------------
    def expire_now(self, now: datetime | None = None) -> list[int]:
        expired = svc.expire_due(self.conn, now or self.clock())
        if expired:
            self.reload()
            self.window_.statusBar().showMessage(f"{count(len(expired), 'request')} expired.", 6000)
        return expired
