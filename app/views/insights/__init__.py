"""The Insights feature: pyqtgraph dashboards under one filter bar, the coverage analysis (and its map layer), and
the transparency report (PDF, HTML, CSV)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.views.actions import Action

if TYPE_CHECKING:
    from app.views.insights.tab import InsightsTab
    from app.views.main_window import MainWindow


def install(window: MainWindow) -> InsightsTab:
    from app.plots import base as plots
    from app.views.insights.tab import InsightsTab  # pyqtgraph: after the first paint
    from app.views.widgets import files

    # Looked up at each use, so a test's monkeypatch of the seam applies.
    plots.save_dialog = lambda *args: files.choose_save_file(*args)

    tab = InsightsTab(window)
    window.add_tab("insights", tab)
    window.actions[Action.TRANSPARENCY_REPORT].triggered.connect(tab.export_report)

    def coverage() -> None:
        window.show_tab("insights")
        tab.run_coverage()

    window.actions[Action.COVERAGE_ANALYSIS].triggered.connect(coverage)
    window.registry.reloaded.connect(tab._check_changed)
    window.user_changed.connect(lambda _user: tab.reload() if tab.isVisible() else None)
    return tab
