"""The transparency report's plots as PNG images: the dashboards' own plot classes, drawn off screen."""

from __future__ import annotations

import numpy as np

from app.core.report_titles import CHART_TITLES
from app.plots.base import BarPlot, GroupedBarPlot, InsightPlot


def chart_images(charts: dict[str, dict], width: int = 1000) -> dict[str, bytes]:
    """PNG bytes per chart key of a Report's ``charts``. Needs a QApplication (any platform, offscreen too)."""
    out: dict[str, bytes] = {}
    for key, data in charts.items():
        plot: InsightPlot
        if key == "effectiveness":
            plot = GroupedBarPlot(key, CHART_TITLES[key] + ": available and useful footage vs published",
                                  ["This program", "Published (Ashby 2017)"], percent=True)
            plot.set_groups(["Footage available", "Footage useful"],
                            {"This program": np.asarray(data["rates"]), "Published (Ashby 2017)":
                             np.asarray(data["published"])})
        else:
            plot = BarPlot(key, CHART_TITLES.get(key, key))
            plot.set_bars(list(data["labels"]), np.asarray(data["values"], dtype=np.float64))
        plot.plot.setTitle(None)          # the report names the chart in its own heading above the image
        plot.resize(width, int(width * 0.42))
        out[key] = plot.png_bytes(width)
        plot.deleteLater()
    return out
