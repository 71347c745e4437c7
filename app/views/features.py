"""The one table of features: what each installs, into which tab, and whether before or after the first paint.

Every feature is a package under app/views/ whose `install(window)` adds its tab and docks, connects its actions and
returns the feature object; the window keeps those objects in `window.features` (typed by `Features` below).
A feature's package is imported only when it is installed, so a deferred feature (pyqtgraph, data arrays) costs
nothing before the first paint. Features talk to each other only through the signals wired in app.views.wiring.
To add a feature: a package with `install`, a row here, a key in `Features`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypedDict

from app.views.actions import Action

if TYPE_CHECKING:
    from app.views.accountability import Accountability
    from app.views.evidence.tab import EvidenceTab
    from app.views.insights.tab import InsightsTab
    from app.views.main_window import MainWindow
    from app.views.map.tab import MapTab
    from app.views.program.tab import ProgramTab
    from app.views.registry.import_controller import ImportController
    from app.views.registry.tab import RegistryTab
    from app.views.requests.tab import RequestsTab


@dataclass(frozen=True)
class Feature:
    key: str  # its key in window.features
    module: str  # the feature's package (or one of its modules) whose install(window) builds it
    early: bool  # installed before the first paint; otherwise just after it (on the real launch)
    tab: str | None = None  # the key of the tab it fills, if any
    title: str = ""  # the tab's title
    about: str = ""  # the tab's tooltip, and the text of its slot while it loads
    action: Action | None = None  # the action that shows the tab

    def installer(self) -> Callable[[MainWindow], object]:
        return importlib.import_module(self.module).install  # type: ignore[no-any-return]


# In tab order. Early features are light; the deferred ones get a "Loading…" slot until they install.
FEATURES: tuple[Feature, ...] = (
    Feature("data", "app.views.data", early=True),
    Feature("map", "app.views.map", early=False, tab="map", title="Map", action=Action.SHOW_MAP,
            about="The camera network on a map, with geo-fence tools to select the cameras in an area"),
    Feature("registry", "app.views.registry", early=False, tab="registry", title="Registry",
            action=Action.SHOW_REGISTRY, about="The camera registry: every camera with its kind, place and owner"),
    Feature("requests", "app.views.requests", early=False, tab="requests", title="Requests",
            action=Action.SHOW_REQUESTS,
            about="Footage requests: write, approve, send, record answers, resolve"),
    Feature("evidence", "app.views.evidence", early=False, tab="evidence", title="Evidence",
            action=Action.SHOW_EVIDENCE,
            about="Footage that owners chose to share, with its SHA-256 and chain of custody, and purging after the "
            "retention limit."),
    Feature("program", "app.views.program", early=False, tab="program", title="Program", action=Action.SHOW_PROGRAM,
            about="Partnerships with agencies, camera shipments and distributions to residents with the terms shown "
            "to them, and operations with their outcomes."),
    Feature("insights", "app.views.insights", early=False, tab="insights", title="Insights",
            action=Action.SHOW_INSIGHTS,
            about="Dashboards (requests, responses, outcomes over time), camera coverage and the public "
            "transparency report."),
    Feature("accountability", "app.views.accountability", early=False, tab="audit", title="Audit Log",
            action=Action.SHOW_AUDIT, about="Every sensitive act, hash-chained; filter, export and verify"),
    Feature("store_check", "app.views.data.store_check", early=False),
    Feature("import", "app.views.registry.import_controller", early=False),
)

BY_TAB: dict[str, Feature] = {f.tab: f for f in FEATURES if f.tab}


# The feature objects install() returns, by key (an install that returns None keeps nothing). Deferred features
# are absent until they are installed.
Features = TypedDict("Features", {
    "map": "MapTab",
    "registry": "RegistryTab",
    "import": "ImportController",
    "requests": "RequestsTab",
    "evidence": "EvidenceTab",
    "program": "ProgramTab",
    "insights": "InsightsTab",
    "accountability": "Accountability",
}, total=False)
