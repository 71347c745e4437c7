"""The Insights tab: the dashboards under one filter bar, the coverage analysis, and the transparency report.

Data is read off the GUI thread (its own connection) into compact arrays, then every filter change is a few numpy
operations. While the tab is shown it looks at the audit chain's last entry number every few seconds: any sensitive
write moves it, and the dashboards reload (at most once per look, then throttled by the dashboard's own timer).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import (
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from app.core.coverage import CoverageResult
from app.core.coverage_views import CoverageCancelled
from app.core.insights import InsightData
from app.plots.dashboard import Dashboard
from app.services.insights import service
from app.services.session import PermissionDenied
from app.views.insights.filters import FilterBar
from app.views.insights.report_export import export_report
from app.workers.jobs import Cancelled, JobControl, run_job, run_task

if TYPE_CHECKING:
    from app.views.main_window import MainWindow

WATCH_MS = 3000


class InsightsTab(QWidget):
    coverage_ready = Signal(object)      # a CoverageResult to show on the map
    data_loaded = Signal()

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.setObjectName("tab_insights")
        self.window_ = window
        self.data: InsightData | None = None
        self.coverage: CoverageResult | None = None
        self._seen_seq = -1
        self._loading = False
        self.filters = FilterBar(self)
        self.dashboard = Dashboard(self)
        self.message = QLabel("", self)
        self.message.setObjectName("insights_message")
        self.message.setWordWrap(True)
        self.message.hide()
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.dashboard)
        self.coverage_box = self._coverage_box()
        split = QSplitter(self)
        split.setObjectName("insights_split")
        split.addWidget(scroll)
        split.addWidget(self.coverage_box)
        split.setStretchFactor(0, 4)
        split.setStretchFactor(1, 1)
        lay = QVBoxLayout(self)
        lay.setContentsMargins(0, 0, 0, 0)
        lay.addWidget(self.filters)
        lay.addWidget(self.message)
        lay.addWidget(split, 1)
        self.filters.changed.connect(self.dashboard.set_filters)
        self.filters.report_button.clicked.connect(self.export_report)
        self.filters.coverage_button.clicked.connect(self.run_coverage)
        self.watch = QTimer(self)
        self.watch.setObjectName("insights_watch")
        self.watch.setInterval(WATCH_MS)
        self.watch.timeout.connect(self._check_changed)

    def _coverage_box(self) -> QGroupBox:
        box = QGroupBox("Coverage", self)
        box.setObjectName("insights_coverage_box")
        form = QFormLayout(box)
        self.cell_m = QDoubleSpinBox(box)
        self.cell_m.setObjectName("coverage_cell_m")
        self.cell_m.setRange(2.0, 250.0)
        self.cell_m.setValue(10.0)
        self.cell_m.setSuffix(" m")
        self.cell_m.setToolTip("Size of one ground cell of the analysis")
        self.heading_tol = QDoubleSpinBox(box)
        self.heading_tol.setObjectName("coverage_heading_tol")
        self.heading_tol.setRange(0.0, 90.0)
        self.heading_tol.setValue(15.0)
        self.heading_tol.setSuffix(" °")
        self.heading_tol.setToolTip("How far a recorded heading may be off, either way")
        self.range_tol = QDoubleSpinBox(box)
        self.range_tol.setObjectName("coverage_range_tol")
        self.range_tol.setRange(0.0, 80.0)
        self.range_tol.setValue(20.0)
        self.range_tol.setSuffix(" %")
        self.range_tol.setToolTip("How far a recorded range may be off, either way")
        self.analyse_button = QPushButton("Analy&se", box)
        self.analyse_button.setObjectName("coverage_analyse")
        self.analyse_button.clicked.connect(self.run_coverage)
        self.coverage_text = QLabel("Not analysed yet.", box)
        self.coverage_text.setObjectName("coverage_result")
        self.coverage_text.setWordWrap(True)
        self.map_button = QPushButton("Show on &Map", box)
        self.map_button.setObjectName("coverage_show_on_map")
        self.map_button.setEnabled(False)
        self.map_button.clicked.connect(lambda: self.coverage_ready.emit(self.coverage))
        form.addRow("Cell size", self.cell_m)
        form.addRow("Heading ±", self.heading_tol)
        form.addRow("Range ±", self.range_tol)
        form.addRow(self.analyse_button)
        form.addRow(self.coverage_text)
        form.addRow(self.map_button)
        return box

    # --- data ------------------------------------------------------------------------------------------------
    def reload(self) -> None:
        session = self.window_.ctx.session
        try:
            service.authorize_dashboards(session)
        except PermissionDenied as exc:
            self._say(str(exc))
            return
        if self._loading:
            return
        self._loading = True
        self._seen_seq = service.head_seq(session)
        agencies = service.agencies(session)
        db_path = self.window_.ctx.paths.db_path

        def done(facts: object) -> None:
            self._loading = False
            data = InsightData(facts)  # type: ignore[arg-type]
            districts = np.unique(np.concatenate([data.facts.requests.district, data.facts.cameras.district]))
            self.filters.set_choices(agencies, [int(d) for d in districts.tolist() if d >= 0])
            self.data = data
            self._say("")
            self.dashboard.set_filters(self.filters.filters())
            self.dashboard.set_data(data)
            self.data_loaded.emit()

        def failed(message: str, _tb: str) -> None:
            self._loading = False
            self._say(f"The dashboards could not be loaded: {message}")

        run_task(lambda: service.facts_from(db_path), done, failed)

    def _check_changed(self) -> None:
        if self.isVisible() and not self._loading and service.head_seq(self.window_.ctx.session) != self._seen_seq:
            self.reload()

    def _say(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def showEvent(self, event) -> None:  # noqa: N802, ANN001 - Qt override
        super().showEvent(event)
        self.watch.start()
        if self.data is None:
            self.reload()
        else:
            self._check_changed()

    def hideEvent(self, event) -> None:  # noqa: N802, ANN001 - Qt override
        super().hideEvent(event)
        self.watch.stop()

    # --- coverage --------------------------------------------------------------------------------------------
    def run_coverage(self) -> None:
        session = self.window_.ctx.session
        try:
            service.authorize_coverage(session)
        except PermissionDenied as exc:
            QMessageBox.warning(self, "Cannot analyse coverage", str(exc))
            return
        db_path = self.window_.ctx.paths.db_path
        cell, h_tol, r_tol = self.cell_m.value(), self.heading_tol.value(), self.range_tol.value() / 100.0
        agency = self.filters.agency.currentData()
        self.coverage_text.setText("Analysing…")

        def work(control: JobControl) -> CoverageResult:
            try:
                return service.coverage_from(db_path, cell, h_tol, r_tol, agency, control.progress,
                                             lambda: control.cancelled)
            except CoverageCancelled:
                raise Cancelled from None

        def done(result: CoverageResult) -> None:
            service.record_coverage(session, result, agency)
            self.coverage = result
            inc = ("" if result.incidents is None or not result.incidents_counted else
                   f"<br>Incidents in view: {result.incidents.as_text()} of {result.incidents_counted:,}")
            self.coverage_text.setText(
                f"{result.cameras:,} cameras over {result.area_km2:,.2f} km² at {result.grid.cell_m:g} m.<br>"
                f"Seen by ≥ 1: {result.seen1.as_text()}<br>Seen by ≥ 3: {result.seen3.as_text()}{inc}"
                + ("" if result.building_cells else "<br><i>No building outlines in this store: views are not "
                                                     "stopped by buildings.</i>"))
            self.map_button.setEnabled(True)

        def failed(message: str, _tb: str) -> None:
            self.coverage_text.setText("Not analysed.")
            QMessageBox.warning(self, "Coverage not analysed", f"The coverage analysis failed: {message}")

        run_job(self, "Analysing coverage…", work, done, failed, lambda: self.coverage_text.setText("Cancelled."))

    # --- report ----------------------------------------------------------------------------------------------
    def export_report(self) -> None:
        export_report(self, *self.filters.period(), self.filters.agency.currentData())
