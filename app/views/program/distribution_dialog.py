"""Record a handout: the date, units, the shipment they came from, the resident (an owner) and, once installed,
the camera; the terms the resident was shown, and whether sharing footage on request was made a condition —
which the dialog warns undermines voluntary consent (and the transparency report counts)."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QWidget

from app.services.program.ledger import CONDITIONAL_WARNING, DistributionInput, owner_choices
from app.services.session import Session
from app.store import agencies as agency_store
from app.store import ledger as store
from app.views.program.form_dialog import FormDialog

OWNER_LIST_LIMIT = 5000


class DistributionDialog(FormDialog):
    def __init__(self, session: Session, agency_id: int, parent: QWidget | None = None) -> None:
        super().__init__("Record Handout", parent, "A camera handed to a resident under the program.")
        self.setObjectName("distribution_dialog")
        self.agency_id = agency_id
        conn = session.conn
        self.add_date("on", "&Handed out on")
        self.add_int("units", "&Cameras", 1, 1, 100)
        ships = [(f"Shipment {sid} of {on[:10]} ({units} × {model or 'camera'})", sid)
                 for sid, on, units, model, _n in store.shipments(conn, agency_id)]
        self.add_choice("shipment", "From &shipment", [("(not recorded)", None), *reversed(ships)])
        if ships:
            self.editors["shipment"].setCurrentIndex(1)  # the newest
        owners = owner_choices(session, OWNER_LIST_LIMIT)
        self.add_choice("owner", "&Resident", [("(not recorded)", None), *((f"{n} (owner {i})", i)
                                                                             for i, n in owners)],
                        tip="The resident who received the camera (an owner in the registry)")
        self.editors["owner"].setEditable(True)
        agency = agency_store.get_agency(conn, agency_id)
        self.add_long_text("terms", "&Terms shown", "", tip="The text of the handout agreement the resident saw")
        if agency is not None and agency.terms:
            self.editors["terms"].setPlaceholderText(agency.terms)
        self.add_check("accepted", "The resident accepted the terms", True)
        self.add_check("conditional", "Sharing footage on request is a &condition of this handout", False,
                       tip="Recorded so the transparency report can count conditional handouts")
        self.warning = QLabel("⚠ " + CONDITIONAL_WARNING, self)
        self.warning.setObjectName("conditional_warning")
        self.warning.setWordWrap(True)
        self.warning.setStyleSheet("color: #b2182b; font-weight: bold;")
        self.warning.setVisible(False)
        self.form.addRow("", self.warning)
        self.editors["conditional"].toggled.connect(self.warning.setVisible)

    def value(self) -> DistributionInput:
        v = self.values()
        return DistributionInput(self.agency_id, v["on"], v["units"], v["shipment"], v["owner"], None, v["terms"],
                                 v["accepted"], v["conditional"], None)
