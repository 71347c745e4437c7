"""The distribution ledger as a table: one row per entry in ledger order, with the running balances after it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from app.core.ledger import CREDIT, DISTRIBUTION, SHIPMENT, Balances
from app.models.row_list_model import RowListTableModel

KIND_LABELS = {SHIPMENT: "Shipment received", CREDIT: "Downloads credited", DISTRIBUTION: "Handed out"}


@dataclass(frozen=True)
class LedgerLine:
    kind: str
    id: int
    day: str
    units: int
    detail: str
    conditional: bool
    received: int
    earned: int
    distributed: int
    installed: int
    on_hand: int


def ledger_lines(b: Balances, details: dict[tuple[str, int], str]) -> list[LedgerLine]:
    rec, ear, dis, ins, hand = (a.tolist() for a in (b.received, b.earned, b.distributed, b.installed, b.on_hand))
    return [LedgerLine(e.kind, e.id, e.day, e.units, details.get((e.kind, e.id), ""), e.conditional, rec[i], ear[i],
                       dis[i], ins[i], hand[i]) for i, e in enumerate(b.entries)]


class LedgerTableModel(RowListTableModel[LedgerLine]):
    COL_DATE, COL_ENTRY, COL_UNITS, COL_RECEIVED, COL_EARNED, COL_DISTRIBUTED, COL_INSTALLED, COL_ON_HAND, \
        COL_DETAIL = range(9)
    headers = (("Date", "The day of the entry (UTC)"), ("Entry", "Shipment, download credit or handout"),
               ("Units", "Cameras in this entry (for downloads: units earned)"),
               ("Received", "Cameras received so far"), ("Earned", "Units earned by downloads so far (owed by the "
                                                                    "company until shipped)"),
               ("Handed out", "Cameras handed to residents so far"), ("Installed", "Handed-out cameras installed "
                                                                                   "and registered"),
               ("On hand", "Received minus handed out"),
               ("Details", "Model, period and downloads, or the resident, camera and terms of a handout"))

    def data(self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid():
            return None
        r = self.rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            values = (r.day, KIND_LABELS[r.kind], r.units, r.received, r.earned, r.distributed, r.installed,
                      r.on_hand, ("⚠ conditional: " if r.conditional else "") + r.detail)
            return values[col]
        if role == Qt.ItemDataRole.ToolTipRole and col == self.COL_DETAIL:
            tip = r.detail
            if r.conditional:
                tip = "Sharing footage on request was made a condition of this handout.\n" + tip
            return tip
        if role == Qt.ItemDataRole.ForegroundRole and col == self.COL_DETAIL and r.conditional:
            return QColor("#b2182b")
        if role == Qt.ItemDataRole.TextAlignmentRole and col not in (self.COL_DATE, self.COL_ENTRY, self.COL_DETAIL):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None
