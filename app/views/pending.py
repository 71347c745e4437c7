"""Every tab's slot, laid out first: a feature not built yet says what will be there; a built one says Loading."""

from __future__ import annotations

from typing import TYPE_CHECKING

from app.views.placeholder import PlaceholderPanel

if TYPE_CHECKING:
    from app.views.main_window import MainWindow

PENDING = [
    ("map", "Map", "The camera network on a map: cameras, incidents, agency jurisdictions, and geo-fence tools to "
     "select the cameras in an area."),
    ("registry", "Registry", "The camera registry: every registered camera with its kind, location and owner."),
    ("requests", "Requests", "Footage requests (video canvasses): the area, the time window, the owners asked, "
     "their answers, and the public request log."),
    ("evidence", "Evidence", "Footage that owners chose to share, with its SHA-256 and chain of custody, and "
     "purging after the retention limit."),
    ("program", "Program", "Partnerships with agencies, camera shipments and distributions to residents with the "
     "terms shown to them, and operations with their outcomes."),
    ("insights", "Insights", "Dashboards (requests, responses, outcomes over time) and the public transparency "
     "report."),
    ("audit", "Audit Log", "Every sensitive act in a hash-chained, append-only log that an auditor can verify."),
]


# Tabs whose feature is built: their placeholder only stands in while the feature loads after the first paint.
LOADING = {"map", "registry", "requests", "audit"}


def install(window: MainWindow) -> None:
    for key, title, text in PENDING:
        panel = PlaceholderPanel(title, text, window, loading=key in LOADING)
        window.add_tab(key, panel, title, text)
