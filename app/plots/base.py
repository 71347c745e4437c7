"""Dashboard plots: pyqtgraph PlotWidgets whose items are made once and updated with setData / setOpts.

Every plot has a hover read-out (the value under the mouse, in a label above the plot) and, in its context menu,
Export PNG…, Export SVG… and Export Data as CSV…. The file dialog is the app's one seam
(app.views.widgets.files.choose_save_file), which the Insights feature installs as ``save_dialog``.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pyqtgraph as pg
from pyqtgraph import exporters
from PySide6.QtCore import QPointF, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

DAY_S = 86_400.0
PALETTE = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#7f7f7f"]


def _plain_dialog(parent: QWidget, title: str, filters: str, purpose: str, suggested: str) -> Path | None:
    from PySide6.QtWidgets import QFileDialog

    name, _ = QFileDialog.getSaveFileName(parent, title, suggested, filters)
    return Path(name) if name else None


# The views put the app's one file-dialog seam here (app.views.insights.install); plots never import the views.
save_dialog: Callable[[QWidget, str, str, str, str], Path | None] = _plain_dialog


def choose_save_path(parent: QWidget, title: str, filters: str, suggested: str) -> Path | None:
    return save_dialog(parent, title, filters, "plot_export", suggested)


def _fmt(v: float) -> str:
    if not math.isfinite(v):
        return "not recorded"
    return f"{v:,.0f}" if abs(v - round(v)) < 1e-9 else f"{v:,.3g}"


class InsightPlot(QWidget):
    """A titled plot with a hover read-out and export actions. Subclasses fill ``data_rows``."""

    exported = Signal(str)   # the path written

    def __init__(self, key: str, title: str, parent: QWidget | None = None, date_axis: bool = False) -> None:
        super().__init__(parent)
        self.key, self.title = key, title
        self.setObjectName(f"plot_{key}")
        axis = {"bottom": pg.DateAxisItem(utcOffset=0)} if date_axis else {}
        self.plot = pg.PlotWidget(axisItems=axis, background="w")
        self.plot.setObjectName(f"plotwidget_{key}")
        self.plot.setTitle(title, color="#222", size="10pt")
        self.plot.showGrid(x=False, y=True, alpha=0.25)
        self.plot.setMenuEnabled(True)
        self.plot.getPlotItem().getAxis("left").setTextPen("#333")
        self.plot.getPlotItem().getAxis("bottom").setTextPen("#333")
        self.readout = QLabel(" ")
        self.readout.setObjectName(f"readout_{key}")
        self.readout.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.readout.setToolTip("The value under the mouse pointer")
        self.note = QLabel("")
        self.note.setObjectName(f"note_{key}")
        self.note.setWordWrap(True)
        self.note.setStyleSheet("color: #8a3b00")
        self.note.hide()
        lay = QVBoxLayout(self)
        lay.setContentsMargins(2, 2, 2, 2)
        lay.addWidget(self.plot, 1)
        lay.addWidget(self.readout)
        lay.addWidget(self.note)
        self._proxy = pg.SignalProxy(self.plot.scene().sigMouseMoved, rateLimit=30, slot=self._moved)
        menu = self.plot.getPlotItem().getViewBox().menu
        menu.addSeparator()
        self.actions_export: dict[str, QAction] = {}
        for kind, text in (("png", "Export PNG…"), ("svg", "Export SVG…"), ("csv", "Export Data as CSV…")):
            act = QAction(text, self)
            act.setObjectName(f"export_{kind}_{key}")
            act.triggered.connect(lambda _checked=False, k=kind: self.export_with_dialog(k))
            menu.addAction(act)
            self.actions_export[kind] = act

    # --- hover -----------------------------------------------------------------------------------------------
    def _moved(self, event: tuple[QPointF]) -> None:
        pos = event[0]
        vb = self.plot.getPlotItem().getViewBox()
        if not self.plot.sceneBoundingRect().contains(pos):
            return
        p = vb.mapSceneToView(pos)
        self.readout.setText(self.readout_at(p.x(), p.y()) or " ")

    def readout_at(self, x: float, y: float) -> str:
        return ""

    def set_note(self, text: str) -> None:
        self.note.setText(text)
        self.note.setVisible(bool(text))

    # --- export ----------------------------------------------------------------------------------------------
    def data_rows(self) -> tuple[list[str], list[list[object]]]:
        return [], []

    def export_png(self, path: Path, width: int = 900) -> None:
        ex = exporters.ImageExporter(self.plot.getPlotItem())
        ex.parameters()["width"] = width
        ex.export(str(path))

    def export_svg(self, path: Path) -> None:
        # pyqtgraph's SVGExporter fails on the path data Qt 6.11 writes ("not enough values to unpack"); Qt's own
        # SVG generator renders the same scene as vectors.
        from PySide6.QtCore import QRect
        from PySide6.QtGui import QPainter
        from PySide6.QtSvg import QSvgGenerator

        size = self.plot.size()
        gen = QSvgGenerator()
        gen.setFileName(str(path))
        gen.setSize(size)
        gen.setViewBox(QRect(0, 0, size.width(), size.height()))
        gen.setTitle(self.title)
        painter = QPainter(gen)
        try:
            self.plot.render(painter)
        finally:
            painter.end()

    def export_csv(self, path: Path) -> None:
        header, rows = self.data_rows()
        with Path(path).open("w", encoding="utf-8", newline="") as fh:
            w = csv.writer(fh, lineterminator="\n")
            w.writerow(header)
            w.writerows(rows)

    def png_bytes(self, width: int = 900) -> bytes:
        ex = exporters.ImageExporter(self.plot.getPlotItem())
        ex.parameters()["width"] = width
        img = ex.export(toBytes=True)
        from PySide6.QtCore import QBuffer, QByteArray, QIODevice

        data = QByteArray()
        buf = QBuffer(data)
        buf.open(QIODevice.OpenModeFlag.WriteOnly)
        img.save(buf, "PNG")
        buf.close()
        return bytes(data.data())

    def export_with_dialog(self, kind: str) -> None:
        filters = {"png": "PNG image (*.png)", "svg": "SVG image (*.svg)", "csv": "CSV (*.csv)"}[kind]
        path = choose_save_path(self, f"Export “{self.title}”", filters, f"{self.key}.{kind}")
        if path is None:
            return
        if path.suffix.lower() != f".{kind}":
            path = path.with_name(path.name + f".{kind}")
        {"png": self.export_png, "svg": self.export_svg, "csv": self.export_csv}[kind](path)
        self.exported.emit(str(path))


class BarPlot(InsightPlot):
    """Bars with category labels: one BarGraphItem, updated with setOpts."""

    def __init__(self, key: str, title: str, value_name: str = "value", parent: QWidget | None = None,
                 color: str = PALETTE[0]) -> None:
        super().__init__(key, title, parent)
        self.value_name = value_name
        self.labels: list[str] = []
        self.values = np.empty(0)
        self.bars = pg.BarGraphItem(x=[], height=[], width=0.7, brush=color, pen=pg.mkPen(None))
        self.plot.addItem(self.bars)
        self.plot.getPlotItem().getViewBox().setMouseEnabled(x=False, y=False)

    def set_bars(self, labels: list[str], values: np.ndarray) -> None:
        self.labels = list(labels)
        self.values = np.asarray(values, dtype=np.float64)
        x = np.arange(len(self.labels), dtype=np.float64)
        self.bars.setOpts(x=x, height=np.nan_to_num(self.values), width=0.7)
        self.plot.getPlotItem().getAxis("bottom").setTicks([[(i, lab) for i, lab in enumerate(self.labels)]])
        top = float(np.nanmax(self.values)) if self.values.size and np.isfinite(self.values).any() else 1.0
        self.plot.setXRange(-0.6, max(len(self.labels), 1) - 0.4, padding=0)
        self.plot.setYRange(0, max(top, 1.0) * 1.08, padding=0)

    def getData(self) -> tuple[np.ndarray, np.ndarray]:  # noqa: N802 - pyqtgraph's naming, for tests
        return np.arange(len(self.labels), dtype=np.float64), self.values.copy()

    def readout_at(self, x: float, y: float) -> str:
        i = int(round(x))
        if 0 <= i < len(self.labels):
            return f"{self.labels[i]}: {_fmt(float(self.values[i]))}"
        return ""

    def data_rows(self) -> tuple[list[str], list[list[object]]]:
        return ["label", self.value_name], [[lab, _fmt_csv(v)] for lab, v in zip(self.labels, self.values.tolist(),
                                                                               strict=True)]


class GroupedBarPlot(InsightPlot):
    """Two or more bar series side by side per category (e.g. share and decline rates per district)."""

    def __init__(self, key: str, title: str, series: list[str], parent: QWidget | None = None,
                 percent: bool = False) -> None:
        super().__init__(key, title, parent)
        self.series = series
        self.percent = percent
        self.labels: list[str] = []
        self.values: dict[str, np.ndarray] = {s: np.empty(0) for s in series}
        self.legend = self.plot.addLegend(offset=(-10, 10))
        self.bars: dict[str, pg.BarGraphItem] = {}
        for i, s in enumerate(series):
            item = pg.BarGraphItem(x=[], height=[], width=0.8 / len(series), brush=PALETTE[i % len(PALETTE)],
                                   pen=pg.mkPen(None), name=s)
            self.plot.addItem(item)          # named: the plot puts it in its legend
            self.bars[s] = item
        self.plot.getPlotItem().getViewBox().setMouseEnabled(x=False, y=False)

    def set_groups(self, labels: list[str], values: dict[str, np.ndarray]) -> None:
        self.labels = list(labels)
        w = 0.8 / len(self.series)
        x = np.arange(len(labels), dtype=np.float64)
        top = 0.0
        for i, s in enumerate(self.series):
            v = np.asarray(values.get(s, np.zeros(len(labels))), dtype=np.float64)
            self.values[s] = v
            self.bars[s].setOpts(x=x - 0.4 + w * (i + 0.5), height=np.nan_to_num(v) * (100 if self.percent else 1),
                                 width=w)
            if v.size:
                top = max(top, float(np.nanmax(v)) * (100 if self.percent else 1))
        self.plot.getPlotItem().getAxis("bottom").setTicks([[(i, lab) for i, lab in enumerate(self.labels)]])
        self.plot.setXRange(-0.6, max(len(labels), 1) - 0.4, padding=0)
        self.plot.setYRange(0, max(top, 1.0) * 1.15, padding=0)

    def getData(self, series: str) -> tuple[np.ndarray, np.ndarray]:  # noqa: N802
        return np.arange(len(self.labels), dtype=np.float64), self.values[series].copy()

    def readout_at(self, x: float, y: float) -> str:
        i = int(round(x))
        if 0 <= i < len(self.labels):
            parts = [f"{s}: {self.values[s][i] * 100:.1f} %" if self.percent else f"{s}: {_fmt(self.values[s][i])}"
                     for s in self.series]
            return f"{self.labels[i]} — " + ", ".join(parts)
        return ""

    def data_rows(self) -> tuple[list[str], list[list[object]]]:
        return ["label", *self.series], [[lab, *[_fmt_csv(self.values[s][i]) for s in self.series]]
                                          for i, lab in enumerate(self.labels)]


class TimePlot(InsightPlot):
    """Lines over time on a DateAxisItem: one PlotDataItem per series, made once, updated with setData."""

    def __init__(self, key: str, title: str, series: list[str], labels: dict[str, str] | None = None,
                 parent: QWidget | None = None, step: bool = False) -> None:
        super().__init__(key, title, parent, date_axis=True)
        self.series = series
        self.step = step
        self.names = labels or {s: s for s in series}
        self.legend = self.plot.addLegend(offset=(10, 10))
        self.items: dict[str, pg.PlotDataItem] = {}
        for i, s in enumerate(series):
            self.items[s] = self.plot.plot([], [], pen=pg.mkPen(PALETTE[i % len(PALETTE)], width=2),
                                           name=self.names[s])
        self.x_days = np.empty(0)
        self.ys: dict[str, np.ndarray] = {s: np.empty(0) for s in series}

    def set_series(self, x_days: np.ndarray, ys: dict[str, np.ndarray]) -> None:
        self.x_days = np.asarray(x_days, dtype=np.float64)
        x_s = self.x_days * DAY_S
        for s, item in self.items.items():
            y = np.asarray(ys.get(s, np.zeros(self.x_days.size)), dtype=np.float64)
            self.ys[s] = y
            if self.step and x_s.size:
                # A step line: each count holds from its date to the next one (the last for a week).
                item.setData(np.append(x_s, x_s[-1] + 7 * DAY_S), y, stepMode="center")
            else:
                item.setData(x_s, y)
        self.plot.getPlotItem().enableAutoRange()

    def getData(self, series: str) -> tuple[np.ndarray, np.ndarray]:  # noqa: N802
        return self.items[series].getData()

    def readout_at(self, x: float, y: float) -> str:
        if self.x_days.size == 0:
            return ""
        i = int(np.clip(np.searchsorted(self.x_days * DAY_S, x), 0, self.x_days.size - 1))
        when = datetime.fromtimestamp(self.x_days[i] * DAY_S, tz=timezone.utc).strftime("%Y-%m-%d")
        return f"{when} (UTC) — " + ", ".join(f"{self.names[s]}: {_fmt(float(self.ys[s][i]))}" for s in self.series
                                              if self.ys[s].size > i)

    def data_rows(self) -> tuple[list[str], list[list[object]]]:
        rows = []
        for i, d in enumerate(self.x_days.tolist()):
            when = datetime.fromtimestamp(d * DAY_S, tz=timezone.utc).strftime("%Y-%m-%d")
            rows.append([when, *[_fmt_csv(self.ys[s][i]) for s in self.series]])
        return ["date_utc", *self.series], rows


class HistogramPlot(InsightPlot):
    """A histogram drawn as one stepped, filled PlotDataItem."""

    def __init__(self, key: str, title: str, x_name: str, parent: QWidget | None = None) -> None:
        super().__init__(key, title, parent)
        self.x_name = x_name
        self.item = self.plot.plot([0, 1], [0], stepMode="center", fillLevel=0, brush=PALETTE[0] + "88",
                                   pen=pg.mkPen(PALETTE[0]))
        self.edges = np.array([0.0, 1.0])
        self.counts = np.zeros(1)

    def set_histogram(self, edges: np.ndarray, counts: np.ndarray) -> None:
        self.edges = np.asarray(edges, dtype=np.float64)
        self.counts = np.asarray(counts, dtype=np.float64)
        self.item.setData(self.edges, self.counts, stepMode="center", fillLevel=0)
        self.plot.getPlotItem().enableAutoRange()

    def getData(self) -> tuple[np.ndarray, np.ndarray]:  # noqa: N802
        return self.edges.copy(), self.counts.copy()

    def readout_at(self, x: float, y: float) -> str:
        i = int(np.searchsorted(self.edges, x, side="right")) - 1
        if 0 <= i < self.counts.size:
            return f"{self.edges[i]:g}–{self.edges[i + 1]:g} {self.x_name}: {_fmt(float(self.counts[i]))}"
        return ""

    def data_rows(self) -> tuple[list[str], list[list[object]]]:
        return [f"from_{self.x_name}", f"to_{self.x_name}", "count"], [
            [f"{a:g}", f"{b:g}", _fmt_csv(c)] for a, b, c in zip(self.edges[:-1].tolist(), self.edges[1:].tolist(),
                                                                   self.counts.tolist(), strict=True)]


def _fmt_csv(v: float) -> str:
    v = float(v)
    if not math.isfinite(v):
        return ""
    return str(int(round(v))) if abs(v - round(v)) < 1e-9 else f"{v:.6g}"
