"""The filter bar every Insights plot shares: period (UTC days), agency, area (district)."""

from __future__ import annotations

from datetime import date

from PySide6.QtCore import QDate, Signal
from PySide6.QtWidgets import QComboBox, QDateEdit, QHBoxLayout, QLabel, QPushButton, QWidget

from app.core.districts import district_label
from app.core.insights import Filters

_EPOCH = date(1970, 1, 1)


def _qdate(d: date) -> QDate:
    return QDate(d.year, d.month, d.day)


def _pydate(q: QDate) -> date:
    return date(q.year(), q.month(), q.day())


class FilterBar(QWidget):
    changed = Signal(object)   # Filters

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("insights_filters")
        lay = QHBoxLayout(self)
        lay.setContentsMargins(4, 4, 4, 4)
        today = date.today()
        self.date_from = QDateEdit(_qdate(date(today.year - 1, today.month, 1)), self)
        self.date_to = QDateEdit(_qdate(today), self)
        for name, w, tip in (("insights_from", self.date_from, "First day of the period (UTC), included"),
                             ("insights_to", self.date_to, "Last day of the period (UTC), included")):
            w.setObjectName(name)
            w.setCalendarPopup(True)
            w.setDisplayFormat("yyyy-MM-dd")
            w.setToolTip(tip)
            w.dateChanged.connect(self._emit)
        self.agency = QComboBox(self)
        self.agency.setObjectName("insights_agency")
        self.agency.setToolTip("Only this agency's requests, program and evidence (cameras: inside its jurisdiction)")
        self.area = QComboBox(self)
        self.area.setObjectName("insights_area")
        self.area.setToolTip("Only this district (a 0.02° grid cell, about 2 km)")
        self.agency.currentIndexChanged.connect(self._emit)
        self.area.currentIndexChanged.connect(self._emit)
        self.report_button = QPushButton("Transparenc&y Report…", self)
        self.report_button.setObjectName("insights_report")
        self.coverage_button = QPushButton("&Coverage…", self)
        self.coverage_button.setObjectName("insights_coverage")
        from_label, to_label = QLabel("Fr&om", self), QLabel("&to", self)
        from_label.setBuddy(self.date_from)
        to_label.setBuddy(self.date_to)
        agency_label, area_label = QLabel("A&gency", self), QLabel("&Area", self)
        agency_label.setBuddy(self.agency)
        area_label.setBuddy(self.area)
        for w in (from_label, self.date_from, to_label, self.date_to, QLabel("(UTC)", self), agency_label,
                  self.agency, area_label, self.area):
            lay.addWidget(w)
        lay.addStretch(1)
        lay.addWidget(self.coverage_button)
        lay.addWidget(self.report_button)
        self._quiet = False
        self.set_choices([], [])

    def set_choices(self, agencies: list[tuple[int, str]], districts: list[int]) -> None:
        """Fill the agency and area boxes, keeping the current choice where it still exists."""
        keep_agency, keep_area = self.agency.currentData(), self.area.currentData()
        self._quiet = True
        try:
            self.agency.clear()
            self.agency.addItem("All agencies", None)
            for i, name in agencies:
                self.agency.addItem(name, i)
            self.area.clear()
            self.area.addItem("All areas", None)
            for d in districts:
                self.area.addItem(district_label(d), d)
            for box, keep in ((self.agency, keep_agency), (self.area, keep_area)):
                k = box.findData(keep)
                box.setCurrentIndex(max(k, 0))
        finally:
            self._quiet = False

    def period(self) -> tuple[date, date]:
        return _pydate(self.date_from.date()), _pydate(self.date_to.date())

    def set_period(self, d_from: date, d_to: date) -> None:
        self._quiet = True
        try:
            self.date_from.setDate(_qdate(d_from))
            self.date_to.setDate(_qdate(d_to))
        finally:
            self._quiet = False
        self._emit()

    def filters(self) -> Filters:
        d_from, d_to = self.period()
        return Filters(float((d_from - _EPOCH).days), float((d_to - _EPOCH).days + 1), self.agency.currentData(),
                       self.area.currentData())

    def _emit(self, *_: object) -> None:
        if not self._quiet:
            self.changed.emit(self.filters())
