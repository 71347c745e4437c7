"""How features talk to each other: every connection between two features is made here, once both are installed.

Each feature declares what it tells (signals) and what it takes (slots); none reaches into another.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.views.accountability import Accountability

if TYPE_CHECKING:
    from app.core.fence import Fence
    from app.views.main_window import MainWindow


def wire_features(window: MainWindow) -> None:
    f = window.features
    # The signed-in user changed (signing in, out, or an admin changed one's role): each feature shows what the
    # new user may see.
    for feature in (f.get("registry"), f.get("requests"), f.get("accountability")):
        if feature is not None:
            tab = feature.audit_tab if isinstance(feature, Accountability) else feature
            window.user_changed.connect(tab.user_changed)
    map_tab, requests = f.get("map"), f.get("requests")
    if map_tab is not None and requests is not None:
        # A fence drawn (or cleared) on the map is the area a new request starts from.
        map_tab.fence_changed.connect(requests.set_map_fence)
        requests.set_map_fence(map_tab.current_fence())

        def show_area(fence: Fence) -> None:
            map_tab.set_fence(fence)
            window.show_tab("map")

        requests.area_shown.connect(show_area)
        requests.link_map()

    insights = f.get("insights")
    if map_tab is not None and insights is not None:
        # "Show on Map" of a coverage analysis: the map shows it as a layer.
        def show_coverage(result: object) -> None:
            map_tab.set_coverage(result)  # type: ignore[arg-type]
            window.show_tab("map")

        insights.coverage_ready.connect(show_coverage)

    program = f.get("program")
    if program is not None:
        if map_tab is not None:
            # The fence drawn on the map: an agency's jurisdiction, an operation's area, the feed's area filter.
            map_tab.fence_changed.connect(program.set_map_fence)
            program.set_map_fence(map_tab.current_fence())
            program.agencies_changed.connect(map_tab.reload_store_layers)
            program.posts_changed.connect(map_tab.reload_store_layers)
        if requests is not None:
            program.agencies_changed.connect(requests.reload)
