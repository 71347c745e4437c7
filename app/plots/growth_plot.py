"""Cumulative partnerships over time: a step line on a DateAxisItem, milestones as labelled vertical lines, and
export to PNG, SVG and CSV. Items are created once and updated with setData."""

from __future__ import annotations

from pathlib import Path

import pyqtgraph as pg
from PySide6.QtCore import Qt

from app.core.agencies import GrowthSeries, epoch_of


class GrowthPlot(pg.PlotWidget):
    def __init__(self, parent=None) -> None:  # noqa: ANN001
        super().__init__(parent, axisItems={"bottom": pg.DateAxisItem(orientation="bottom", utcOffset=0)})
        self.setObjectName("growth_plot")
        self.setBackground("w")
        self.setMenuEnabled(False)
        self.setMinimumHeight(180)
        item = self.getPlotItem()
        item.setLabel("left", "Partnerships (cumulative)")
        item.setLabel("bottom", "Partnered on (UTC)")
        item.showGrid(x=True, y=True, alpha=0.2)
        self.curve = item.plot([], [], pen=pg.mkPen("#2166AC", width=2), symbol="o", symbolSize=6,
                               symbolBrush="#2166AC", name="partnerships")
        self.series = GrowthSeries()
        self.milestones: list[tuple[str, str]] = []
        self._lines: list[pg.InfiniteLine] = []
        self.empty_text = pg.TextItem("No partnerships with a date yet", color="#666666", anchor=(0.5, 0.5))
        item.addItem(self.empty_text)

    def set_data(self, series: GrowthSeries, milestones: list[tuple[str, str]]) -> None:
        """series from app.core.agencies.growth_series; milestones (on_date, label)."""
        self.series = series
        xs, ys = list(series.x), list(series.y)
        if xs:  # a step: the count holds until the next partnership, and to the last milestone or today
            step_x, step_y = [xs[0]], [ys[0]]
            for x, y in zip(xs[1:], ys[1:], strict=True):
                step_x += [x, x]
                step_y += [step_y[-1], y]
            import time

            now = max(time.time(), step_x[-1])
            step_x.append(now)
            step_y.append(step_y[-1])
            self.curve.setData(step_x, step_y)
        else:
            self.curve.setData([], [])
        self.empty_text.setVisible(not xs)
        for line in self._lines:
            self.getPlotItem().removeItem(line)
        self._lines = []
        self.milestones = list(milestones)
        for day, label in milestones:
            pen = pg.mkPen("#B2182B", width=1, style=Qt.PenStyle.DashLine)
            line = pg.InfiniteLine(epoch_of(day), angle=90, pen=pen, label=label,
                                   labelOpts={"position": 0.9, "color": "#B2182B", "rotateAxis": (1, 0)})
            self.getPlotItem().addItem(line)
            self._lines.append(line)
        self.getPlotItem().enableAutoRange()
        self.getPlotItem().setYRange(0, max(ys or [0]) + 1, padding=0.05)

    def export_png(self, path: Path) -> None:
        from pyqtgraph.exporters import ImageExporter

        ImageExporter(self.getPlotItem()).export(str(path))

    def export_svg(self, path: Path) -> None:
        # pyqtgraph's SVGExporter fails on the path data Qt 6.11 writes; Qt's SVG generator renders the same
        # scene as vectors (as app.plots.base does).
        from PySide6.QtCore import QRect
        from PySide6.QtGui import QPainter
        from PySide6.QtSvg import QSvgGenerator

        size = self.size()
        gen = QSvgGenerator()
        gen.setFileName(str(path))
        gen.setSize(size)
        gen.setViewBox(QRect(0, 0, size.width(), size.height()))
        gen.setTitle("Partnership growth")
        painter = QPainter(gen)
        try:
            self.render(painter)
        finally:
            painter.end()

    def export_csv(self, path: Path) -> None:
        """One row per partnership (date, cumulative count, agency) and one per milestone."""
        from app.io.safe_files import SafeCsvWriter

        with path.open("w", newline="", encoding="utf-8") as fh:
            w = SafeCsvWriter(fh)
            w.writerow(["date", "partnerships", "agency", "milestone"])
            for day, count, name in self.series.csv_rows():
                w.writerow([day, count, name, ""])
            for day, label in self.milestones:
                w.writerow([day, "", "", label])
