"""The Program feature: agencies and partnerships (with the first-run guidance of an own store), the distribution
ledger, the community feed with its moderation queue, and operations. Views only; every act goes through
app.services.program, which checks the role and writes the audit entry."""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.store import agencies as agency_store
from app.views.actions import Action
from app.views.program.tab import ProgramTab

if TYPE_CHECKING:
    from app.views.main_window import MainWindow


def install(window: MainWindow) -> ProgramTab:
    tab = ProgramTab(window)
    window.add_tab("program", tab)
    a = window.actions
    a[Action.ADD_AGENCY].triggered.connect(tab.agencies.add_agency)
    a[Action.IMPORT_AGENCIES].triggered.connect(lambda: (tab.show_view(tab.agencies), tab.agencies.import_agencies()))
    a[Action.NEW_POST].triggered.connect(lambda: (tab.show_view(tab.feed), tab.feed.new_post()))
    a[Action.IMPORT_POSTS].triggered.connect(lambda: (tab.show_view(tab.feed), tab.feed.import_posts()))
    a[Action.MODERATION_QUEUE].triggered.connect(lambda: (tab.show_view(tab.feed), tab.feed.show_queue()))
    a[Action.NEW_OPERATION].triggered.connect(lambda: (tab.show_view(tab.operations), tab.operations.new_operation()))

    window.user_changed.connect(lambda _user: tab.reload())
    if not window.ctx.demo and agency_store.count_agencies(window.ctx.conn) == 0:
        # First run of an own store: say so at once; the Agencies view shows the guidance with its button, and a
        # new request without an agency offers the agency dialog (app.views.requests.steps).
        tab.views.setCurrentWidget(tab.agencies)
        window.statusBar().showMessage("First run: add your agency (Program ▸ Add Agency…, Ctrl+Shift+Y) before the "
                                       "first footage request.", 30_000)
    return tab
