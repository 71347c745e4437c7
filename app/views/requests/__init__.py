"""The Requests feature: the Requests tab (list, area, recipients, timeline, lifecycle buttons, fast answers), the
request, resolve, override and limits dialogs, the public request log, and the owners' notices and letters."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer

from app.views.actions import Action
from app.views.requests.tab import EXPIRY_CHECK_MS, RequestsTab

if TYPE_CHECKING:
    from app.views.main_window import MainWindow


def install(window: MainWindow) -> RequestsTab:
    tab = RequestsTab(window)
    window.add_tab("requests", tab)
    window.actions[Action.NEW_REQUEST].triggered.connect(tab.steps.new_request)
    window.actions[Action.PUBLIC_LOG].triggered.connect(tab.answers.show_public_log)
    window.actions[Action.REQUEST_LIMITS].triggered.connect(tab.steps.show_limits)
    tab.expire_now()  # at launch: requests whose week ran out while the app was closed
    tab.reload()
    timer = QTimer(tab)
    timer.setObjectName("request_expiry_timer")
    timer.setInterval(EXPIRY_CHECK_MS)
    timer.timeout.connect(lambda: tab.expire_now())
    timer.start()
    tab.expiry_timer = timer
    return tab
