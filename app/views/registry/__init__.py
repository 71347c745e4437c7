"""The Registry feature: the camera table with its filters, the Owner dock, the camera dialog, add/edit/delete with
undo, and camera import/export (app.views.registry.import_controller, installed as a feature of its own)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.views.actions import Action
from app.views.registry.tab import RegistryTab

if TYPE_CHECKING:
    from app.views.main_window import MainWindow


def install(window: MainWindow) -> RegistryTab:
    tab = RegistryTab(window)
    window.add_tab("registry", tab)
    a = window.actions
    a[Action.ADD_CAMERA].triggered.connect(tab.add_camera)
    a[Action.EDIT_CAMERA].triggered.connect(tab.edit_camera)
    a[Action.DELETE_CAMERA].triggered.connect(tab.delete_cameras)
    window.first_shown.connect(tab.start_loading)
    window.on_close(tab.save_columns)
    window.on_close(tab.flush_search_audit)
    return tab
