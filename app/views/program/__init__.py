"""The Program feature: not built yet; its tab says what will be there and shows no fake content."""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.views.widgets.placeholder import PlaceholderPanel, install_placeholder

if TYPE_CHECKING:
    from app.views.main_window import MainWindow


def install(window: MainWindow) -> PlaceholderPanel:
    return install_placeholder(window, "program")
