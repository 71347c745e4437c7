"""The Evidence feature: the Evidence tab (intake onto shared answers, items, custody timeline, holds past review),
Verify and its weekly run, custody reports, packages, legal holds and the purge.

At install: leftovers of an interrupted intake or purge are removed (and logged), the purge runs, and a timer
checks hourly whether the weekly verification is due (it runs by itself while the app is open, audited).
Open in Viewer (`EvidenceTab.viewer_requested(item_id)`) opens the evidence viewer (app.views.evidence.open_viewer),
imported on first use so PyAV is not loaded before the first paint.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer

from app.services.evidence import intake
from app.views.actions import Action
from app.views.evidence.tab import EvidenceTab

if TYPE_CHECKING:
    from app.views.main_window import MainWindow

log = logging.getLogger(__name__)
CHECK_MS = 60 * 60 * 1000   # weekly verification and purge: checked hourly
FIRST_CHECK_MS = 30_000     # and half a minute after start (not during the first paint)


def _refresh(tab: EvidenceTab) -> None:
    """After a viewer closes: its stills, clips and views are in the list and the timeline."""
    try:
        tab.refresh_items(select=tab.current_id())
    except RuntimeError:  # the window (and the tab) went first
        pass


def install(window: MainWindow) -> EvidenceTab:
    tab = EvidenceTab(window)
    window.add_tab("evidence", tab)
    a = window.actions
    a[Action.ATTACH_FOOTAGE].triggered.connect(lambda: (window.show_tab("evidence"), tab.intake.attach_from_dialog()))
    a[Action.VERIFY_EVIDENCE].triggered.connect(lambda: tab.commands.verify(None))
    a[Action.EXPORT_PACKAGE].triggered.connect(lambda: (window.show_tab("evidence"), tab.commands.export_package()))
    a[Action.VERIFY_PACKAGE].triggered.connect(tab.commands.verify_package)
    try:
        cleaned = intake.cleanup_leftovers(window.ctx.conn, window.ctx.paths.evidence_dir)
        if cleaned.count:
            log.warning("evidence store: removed %d leftover file(s) of an interrupted intake or purge",
                        cleaned.count)
        tab.commands.run_purge()
    except OSError as exc:
        log.error("evidence store housekeeping failed: %s", exc)
    tab.reload()

    def periodic() -> None:
        tab.commands.run_purge()
        tab.commands.weekly_check()

    timer = QTimer(tab)
    timer.setObjectName("evidence_check_timer")
    timer.setInterval(CHECK_MS)
    timer.timeout.connect(periodic)
    timer.start()
    QTimer.singleShot(FIRST_CHECK_MS, tab, tab.commands.weekly_check)
    tab.check_timer = timer
    window.user_changed.connect(tab.user_changed)
    tab.viewers = []

    def show_viewer(item_id: int) -> None:
        from app.views.evidence.open_viewer import open_viewer

        viewer = open_viewer(window, tab.service, item_id)
        if viewer is not None:
            tab.viewers = [v for v in tab.viewers if v.isVisible()] + [viewer]
            viewer.destroyed.connect(lambda *_: _refresh(tab))
        tab.refresh_items(select=item_id)

    tab.viewer_requested.connect(show_viewer)
    return tab
