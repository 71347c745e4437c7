"""The Map tab. Installs a light container at start-up; the pyqtgraph map is built after the first paint, so
cold start never waits for pyqtgraph. Other features talk to the container: fence_changed, current_fence()."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

if TYPE_CHECKING:
    from app.core.coverage import CoverageResult
    from app.core.fence import Fence
    from app.views.main_window import MainWindow
    from app.views.map.panel import MapPanel

class MapTab(QWidget):
    fence_changed = Signal(object)  # app.core.fence shape, or None when the fence is cleared

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.setObjectName("tab_map")
        self.window_ = window
        self.panel: MapPanel | None = None
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._placeholder = QLabel("Loading the map…", self)
        self._placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self._layout.addWidget(self._placeholder)

    def ensure_built(self) -> MapPanel:
        if self.panel is None:
            from app.views.map.panel import MapPanel  # pyqtgraph is imported here, after the first paint

            self.panel = MapPanel(self.window_, self)
            self.panel.fence_changed.connect(self.fence_changed)
            self._layout.removeWidget(self._placeholder)
            self._placeholder.deleteLater()
            self._layout.addWidget(self.panel)
            self.panel.show()  # now, not at the layout's next activation: the tab may be on screen already
        return self.panel

    def current_fence(self) -> Fence | None:
        return None if self.panel is None else self.panel.fence.fence

    def set_fence(self, fence: Fence | None) -> None:
        """Show (and select the cameras in) a fence, e.g. a request's area."""
        self.ensure_built().fence.set_fence(fence)

    def reload_store_layers(self) -> None:
        """Agencies or published posts changed: redraw those layers (if the map is built)."""
        if self.panel is not None:
            self.panel.reload_store_layers()

    def add_map_layer(self) -> None:
        self.window_.show_tab("map")
        self.ensure_built().choose_overlay()

    def add_base_map(self) -> None:
        self.window_.show_tab("map")
        self.ensure_built().base.choose_and_add()

    def remove_base_map(self) -> None:
        self.window_.show_tab("map")
        panel = self.ensure_built()
        panel.base.remove_selected_or_all(panel.layers_dock.current_key())

    def go_to_address(self) -> None:
        self.window_.show_tab("map")
        self.ensure_built().address_box.focus()

    def set_coverage(self, result: CoverageResult | None) -> None:
        """Show (or, with None, hide) a coverage analysis as a map layer."""
        self.ensure_built().set_coverage(result)

    def apply_preferences(self) -> None:
        if self.panel is not None:
            self.panel.apply_preferences()

