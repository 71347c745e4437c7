"""All the Insights plots in one grid, fed from one InsightData under one Filters.

A filter or data change only schedules a refresh; a single-shot QTimer coalesces bursts (typing a date, a data
change per answer recorded) into one recomputation, and each plot's items are updated in place.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QGridLayout, QWidget

from app.core.insight_facts import REQUEST_STATES
from app.core.insights import STATE_LABELS, Filters, InsightData
from app.core.records import SOURCE_CODES
from app.plots.base import BarPlot, GroupedBarPlot, HistogramPlot, InsightPlot, TimePlot

THROTTLE_MS = 150
SOURCE_LABELS = {"self_registered": "Self-registered", "program_distributed": "Program-distributed",
                 "imported": "Imported"}


class Dashboard(QWidget):
    refreshed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("insights_dashboard")
        self.data: InsightData | None = None
        self.filters = Filters()
        self.cameras = TimePlot("cameras", "Cameras registered over time, by source (cumulative)", list(SOURCE_CODES),
                                SOURCE_LABELS)
        self.requests = TimePlot("requests_per_week", "Requests per week, by state", list(REQUEST_STATES),
                                 STATE_LABELS, step=True)
        self.answers = BarPlot("answers", "Owners' answers", "owners")
        self.districts = GroupedBarPlot("district_rates", "Share and decline rates by district",
                                        ["Shared", "Declined"], percent=True)
        self.first_answer = HistogramPlot("first_answer", "Time from request to first answer (hours)", "h")
        self.funnel = BarPlot("effectiveness", "Effectiveness: requests → notified → shared → useful → arrests",
                              "count")
        self.rates = GroupedBarPlot("rates", "Footage available / useful vs published (45 % / 29 %)",
                                    ["This program", "Published (Ashby 2017)"], percent=True)
        self.program = BarPlot("program", "Program: units received / earned → distributed → installed", "units")
        self.partners = TimePlot("partnerships", "Partnership growth (agencies partnered)", ["agencies"],
                                 {"agencies": "Agencies"}, step=True)
        self.evidence = BarPlot("evidence", "Evidence items", "items")
        self.onward = BarPlot("onward", "Shared onward, by recipient organisation", "packages")
        self.plots: list[InsightPlot] = [self.cameras, self.requests, self.answers, self.districts,
                                         self.first_answer, self.funnel, self.rates, self.program, self.partners,
                                         self.evidence, self.onward]
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 0, 0, 0)
        for i, p in enumerate(self.plots):
            p.setMinimumSize(320, 220)
            grid.addWidget(p, i // 3, i % 3)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(THROTTLE_MS)
        self._timer.timeout.connect(self.refresh_now)

    def plot(self, key: str) -> InsightPlot:
        return next(p for p in self.plots if p.key == key)

    def set_data(self, data: InsightData | None) -> None:
        self.data = data
        self.schedule()

    def set_filters(self, filters: Filters) -> None:
        self.filters = filters
        self.schedule()

    def schedule(self) -> None:
        self._timer.start()

    @property
    def pending(self) -> bool:
        return self._timer.isActive()

    def refresh_now(self) -> None:
        self._timer.stop()
        d, f = self.data, self.filters
        if d is None:
            return
        s = d.cameras_over_time(f, list(SOURCE_CODES))
        self.cameras.set_series(s.x, s.ys)
        s = d.requests_per_week(f)
        self.requests.set_series(s.x, s.ys)
        s = d.answers(f)
        self.answers.set_bars(s.labels, s.ys["owners"])
        s = d.district_rates(f)
        self.districts.set_groups(s.labels, {"Shared": s.ys["shared"], "Declined": s.ys["declined"]})
        s = d.first_answer_histogram(f)
        self.first_answer.set_histogram(s.x, s.ys["requests"])
        self.first_answer.set_note(s.note)
        s = d.effectiveness(f)
        self.funnel.set_bars(s.labels, s.ys["count"])
        self.rates.set_groups(["Footage available", "Footage useful"],
                              {"This program": s.ys["rates"], "Published (Ashby 2017)": s.ys["published"]})
        s = d.program_funnel(f)
        self.program.set_bars(s.labels, s.ys["units"])
        self.program.set_note(s.note)
        s = d.partnership_growth(f)
        self.partners.set_series(s.x, s.ys)
        s = d.evidence(f)
        self.evidence.set_bars(s.labels, s.ys["items"])
        self.evidence.set_note(s.note)
        self.onward.set_bars(d.onward_orgs, s.ys["by_org"] if s.ys["by_org"].size else np.empty(0))
        self.onward.set_note(s.note)
        self.refreshed.emit()
