"""User preferences, each declared once with its type and default; stored in QSettings."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QSettings


@dataclass(frozen=True)
class Pref:
    key: str
    type: type
    default: Any
    label: str


PREFS: dict[str, Pref] = {p.key: p for p in [
    Pref("map/tiles_enabled", bool, False, "Show online map tiles"),
    Pref("map/tile_url", str, "https://tile.openstreetmap.org/{z}/{x}/{y}.png", "Tile URL template"),
    Pref("map/tile_attribution", str, "© OpenStreetMap contributors", "Tile attribution"),
    Pref("map/tile_max_age_days", int, 7, "Keep cached tiles (days)"),
    Pref("session/idle_lock_min", int, 15, "Lock after idle minutes"),
]}


def get(key: str) -> Any:
    pref = PREFS[key]
    value = QSettings().value(key, pref.default)
    if pref.type is bool and isinstance(value, str):
        return value.lower() in ("1", "true", "yes")
    try:
        return pref.type(value)
    except (TypeError, ValueError):
        return pref.default


def set(key: str, value: Any) -> None:  # noqa: A001 - mirrors QSettings
    pref = PREFS[key]
    QSettings().setValue(key, pref.type(value))


def last_folder(purpose: str) -> str:
    return str(QSettings().value(f"folders/{purpose}", ""))


def set_last_folder(purpose: str, folder: str) -> None:
    QSettings().setValue(f"folders/{purpose}", folder)


def store_group(data_dir: Path | str, component: str) -> str:
    """The QSettings group for state that describes one store's data (window layout, last tab, map view and
    layers): "stores/<key>/<component>". The key is a digest of the store's folder, so the demo city and an own
    store (or two data folders) never show each other's map view or layers."""
    key = hashlib.sha1(str(Path(data_dir).expanduser().resolve()).encode("utf-8")).hexdigest()[:16]
    return f"stores/{key}/{component}"


# Window state (not preferences: nobody edits these, the widgets save them), declared once per settings group:
# what outlives a widget, saved and restored by app.views.widgets.state.PreservedState. A group kept per store
# (settings.store_group) is declared by its component name, the last part of the group.
WINDOW_STATE: dict[str, tuple[str, ...]] = {
    "main_window": ("geometry", "state", "tab"),
    "registry": ("header",),
    "requests_tab": ("requests_header", "recipients_header", "splitter", "detail_split", "state_filter"),
    "audit_tab": ("header",),
    "public_log_dialog": ("header",),
    "import_preview": ("geometry", "issues_header", "tables_splitter"),
    "map": ("view", "order", "hidden", "overlays", "dock_state", "opacity"),
}


def state_keys(group: str) -> tuple[str, ...]:
    """The declared state names of a settings group ("registry_tab", "stores/<key>/main_window", …)."""
    return WINDOW_STATE[group.rsplit("/", 1)[-1]]
