"""Toolbar and menu icons: SVG files in app/resources/icons/actions/, one per action, loaded when first painted.

The glyphs come from Material Design Icons (Pictogrammers, Apache-2.0), a large, maintained set with one consistent
style; tools/make_icons.py writes the files from this table. Files rather than qtawesome at run time: no
dependency, and no ~0.3 s font load on the cold start.
"""

from __future__ import annotations

from functools import cache

from PySide6.QtGui import QIcon

from app.resources_path import resource

# Icon file name (an Action value, or a tool's name) → Material Design Icons glyph.
ICON_GLYPHS: dict[str, str] = {
    "import": "file-import-outline",
    "export_csv": "file-delimited-outline",
    "export_geojson": "map-marker-multiple-outline",
    "add_map_layer": "layers-plus",
    "open_demo": "city-variant-outline",
    "open_my_data": "database-outline",
    "sign_out": "logout",
    "quit": "exit-to-app",
    "undo": "undo",
    "redo": "redo",
    "find": "magnify",
    "preferences": "cog-outline",
    "show_map": "map-outline",
    "show_registry": "cctv",
    "show_requests": "email-fast-outline",
    "show_evidence": "file-certificate-outline",
    "show_program": "handshake-outline",
    "show_insights": "chart-box-outline",
    "show_audit": "shield-check-outline",
    "full_screen": "fullscreen",
    "add_camera": "video-plus-outline",
    "edit_camera": "pencil-outline",
    "delete_camera": "delete-outline",
    "new_request": "map-marker-radius-outline",
    "public_log": "bullhorn-outline",
    "request_limits": "tune-variant",
    "verify_audit": "link-lock",
    "users": "account-multiple-outline",
    "help_contents": "book-open-page-variant-outline",
    "user_guide": "book-open-page-variant-outline",
    "keyboard_shortcuts": "keyboard-outline",
    "about": "information-outline",
    "tool_pan": "cursor-move",
    "tool_circle": "circle-outline",
    "tool_rectangle": "rectangle-outline",
    "tool_polygon": "vector-polygon",
    "clear_fence": "close-circle-outline",
    "fit_all": "fit-to-screen-outline",
    "send": "send-outline",
    "approve": "check-decagram-outline",
    "refresh": "refresh",
    "help": "help-circle-outline",
}


@cache
def icon(name: str) -> QIcon:
    """The icon for an action or tool; an empty icon (never an error) if the file is missing."""
    path = resource(f"icons/actions/{name}.svg")
    return QIcon(str(path)) if path.is_file() else QIcon()
