"""The Map feature: the Map tab (a light container; the pyqtgraph map is built after the first paint), its docks and
the fence tools. It tells others about the fence through MapTab.fence_changed."""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.views.actions import Action
from app.views.map.tab import MapTab

if TYPE_CHECKING:
    from app.views.main_window import MainWindow


def install(window: MainWindow) -> MapTab:
    tab = MapTab(window)
    window.add_tab("map", tab)
    window.first_shown.connect(tab.ensure_built)
    window.actions[Action.ADD_MAP_LAYER].triggered.connect(tab.add_map_layer)
    window.actions[Action.ADD_BASE_MAP].triggered.connect(tab.add_base_map)
    window.actions[Action.REMOVE_BASE_MAP].triggered.connect(tab.remove_base_map)
    window.actions[Action.GO_TO_ADDRESS].triggered.connect(tab.go_to_address)
    window.preferences_changed.connect(tab.apply_preferences)
    return tab
