"""Every user action, declared once. Menus, toolbar and the shortcuts dialog are built from this table."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QWidget

from app.views.widgets.icons import icon

SK = QKeySequence.StandardKey


class Action(str, Enum):
    IMPORT = "import"
    EXPORT_CSV = "export_csv"
    EXPORT_GEOJSON = "export_geojson"
    ADD_MAP_LAYER = "add_map_layer"
    ADD_BASE_MAP = "add_base_map"
    REMOVE_BASE_MAP = "remove_base_map"
    GO_TO_ADDRESS = "go_to_address"
    OPEN_DEMO = "open_demo"
    OPEN_MY_DATA = "open_my_data"
    SIGN_OUT = "sign_out"
    QUIT = "quit"
    UNDO = "undo"
    REDO = "redo"
    FIND = "find"
    PREFERENCES = "preferences"
    SHOW_MAP = "show_map"
    SHOW_REGISTRY = "show_registry"
    SHOW_REQUESTS = "show_requests"
    SHOW_EVIDENCE = "show_evidence"
    SHOW_PROGRAM = "show_program"
    SHOW_INSIGHTS = "show_insights"
    SHOW_AUDIT = "show_audit"
    FULL_SCREEN = "full_screen"
    ADD_CAMERA = "add_camera"
    EDIT_CAMERA = "edit_camera"
    DELETE_CAMERA = "delete_camera"
    NEW_REQUEST = "new_request"
    PUBLIC_LOG = "public_log"
    REQUEST_LIMITS = "request_limits"
    VERIFY_AUDIT = "verify_audit"
    TRANSPARENCY_REPORT = "transparency_report"
    COVERAGE_ANALYSIS = "coverage_analysis"
    ATTACH_FOOTAGE = "attach_footage"
    VERIFY_EVIDENCE = "verify_evidence"
    EXPORT_PACKAGE = "export_package"
    VERIFY_PACKAGE = "verify_package"
    USERS = "users"
    HELP_CONTENTS = "help_contents"
    KEYBOARD_SHORTCUTS = "keyboard_shortcuts"
    ABOUT = "about"
    ADD_AGENCY = "add_agency"
    IMPORT_AGENCIES = "import_agencies"
    NEW_POST = "new_post"
    IMPORT_POSTS = "import_posts"
    MODERATION_QUEUE = "moderation_queue"
    NEW_OPERATION = "new_operation"


@dataclass(frozen=True)
class ActionSpec:
    text: str
    tip: str
    shortcut: QKeySequence.StandardKey | str | None = None
    checkable: bool = False
    role: QAction.MenuRole = QAction.MenuRole.NoRole


SPECS: dict[Action, ActionSpec] = {
    Action.IMPORT: ActionSpec("&Import Cameras…", "Import a camera list from CSV, GeoJSON or KML", "Ctrl+I"),
    Action.EXPORT_CSV: ActionSpec("Export Registry as &CSV…", "Export the registry (or the selected cameras) as CSV",
                                  "Ctrl+Shift+E"),
    Action.EXPORT_GEOJSON: ActionSpec("Export Registry as &GeoJSON…",
                                      "Export the registry (or the selected cameras) as GeoJSON"),
    Action.ADD_MAP_LAYER: ActionSpec("Add &Map Layer…", "Add a GeoJSON street or boundary layer to the map",
                                     "Ctrl+L"),
    Action.ADD_BASE_MAP: ActionSpec("Add &Base Map…", "Add an OpenStreetMap extract (.osm, .osm.gz, .osm.pbf) or an "
                                    "offline tile file (.mbtiles, .pmtiles) as the map's base layer, kept in the store",
                                    "Ctrl+Shift+B"),
    Action.REMOVE_BASE_MAP: ActionSpec("Remove Base Ma&p…", "Take a base map out of the store (asks first)"),
    Action.GO_TO_ADDRESS: ActionSpec("&Go to Address…", "Find a street, address, intersection, case number or "
                                     "incident on the map, offline", "Ctrl+G"),
    Action.OPEN_DEMO: ActionSpec("Open &Demo City", "Switch to the built-in demo city (its own database)"),
    Action.OPEN_MY_DATA: ActionSpec("Open &My Data", "Switch back to your own database"),
    Action.SIGN_OUT: ActionSpec("Sign &Out", "Sign out and lock the window", "Ctrl+Shift+L"),
    Action.QUIT: ActionSpec("&Quit", "Quit Canvass", SK.Quit, role=QAction.MenuRole.QuitRole),
    Action.UNDO: ActionSpec("&Undo", "Undo the last edit", SK.Undo),
    Action.REDO: ActionSpec("&Redo", "Redo the last undone edit", SK.Redo),
    Action.FIND: ActionSpec("&Find…", "Focus the filter of the current table", SK.Find),
    Action.PREFERENCES: ActionSpec("&Preferences…", "Settings of this application", SK.Preferences,
                                   role=QAction.MenuRole.PreferencesRole),
    Action.SHOW_MAP: ActionSpec("&Map", "Show the map", "Ctrl+1"),
    Action.SHOW_REGISTRY: ActionSpec("&Registry", "Show the camera registry", "Ctrl+2"),
    Action.SHOW_REQUESTS: ActionSpec("Re&quests", "Show footage requests", "Ctrl+3"),
    Action.SHOW_EVIDENCE: ActionSpec("&Evidence", "Show evidence and chain of custody", "Ctrl+4"),
    Action.SHOW_PROGRAM: ActionSpec("&Program", "Show partnerships and camera distribution", "Ctrl+5"),
    Action.SHOW_INSIGHTS: ActionSpec("&Insights", "Show dashboards and the transparency report", "Ctrl+6"),
    Action.SHOW_AUDIT: ActionSpec("&Audit Log", "Show the audit log", "Ctrl+7"),
    Action.FULL_SCREEN: ActionSpec("&Full Screen", "Toggle full screen", SK.FullScreen, checkable=True),
    Action.ADD_CAMERA: ActionSpec("&Add Camera…", "Register a camera by hand", "Ctrl+Shift+A"),
    Action.EDIT_CAMERA: ActionSpec("&Edit Camera…", "Edit the selected camera", "Ctrl+E"),
    Action.DELETE_CAMERA: ActionSpec("&Delete Camera", "Delete the selected cameras (asks first)", SK.Delete),
    Action.NEW_REQUEST: ActionSpec("&New Footage Request…", "Ask the camera owners in an area for footage", SK.New),
    Action.PUBLIC_LOG: ActionSpec("&Public Request Log", "The public log of every sent request"),
    Action.REQUEST_LIMITS: ActionSpec("Request &Limits…", "The request policy's limits (a supervisor may change "
                                      "them; every change is audited)"),
    Action.VERIFY_AUDIT: ActionSpec("&Verify Audit Log", "Walk the audit log's hash chain and report the result"),
    Action.ATTACH_FOOTAGE: ActionSpec("&Attach Footage…", "Copy files an owner shared into the evidence store "
                                      "(hashed, read-only) for the selected shared answer", "Ctrl+Shift+F"),
    Action.VERIFY_EVIDENCE: ActionSpec("&Verify All Evidence", "Re-hash every stored item against the SHA-256 taken "
                                       "at intake and report any mismatch"),
    Action.EXPORT_PACKAGE: ActionSpec("Export Evidence &Package…", "The selected items as a BagIt package anyone can "
                                      "verify (a supervisor approves; recorded in the onward-sharing register)"),
    Action.VERIFY_PACKAGE: ActionSpec("Verify Pac&kage…", "Check an evidence package (any BagIt bag) and name each "
                                      "missing, extra or altered file"),
    Action.USERS: ActionSpec("&Users…", "Manage users and roles"),
    Action.TRANSPARENCY_REPORT: ActionSpec("&Transparency Report…", "Write the public transparency report (PDF, "
                                           "HTML, CSV) for the period chosen in Insights", "Ctrl+Shift+R"),
    Action.COVERAGE_ANALYSIS: ActionSpec("&Coverage Analysis", "Compute how much ground the cameras see, as a band, "
                                         "and show it on the map", "Ctrl+Shift+G"),
    Action.HELP_CONTENTS: ActionSpec("&User Guide", "The Canvass User Guide: the canvass flow, roles, request limits, "
                                     "import formats, the audit log (offline)", SK.HelpContents),
    Action.KEYBOARD_SHORTCUTS: ActionSpec("&Keyboard Shortcuts", "Every keyboard shortcut", "Ctrl+/"),
    Action.ABOUT: ActionSpec("&About Canvass", "Version and principles", role=QAction.MenuRole.AboutRole),
    Action.ADD_AGENCY: ActionSpec("Add &Agency…", "Add a partner agency (name, jurisdiction, case-number format)",
                                  "Ctrl+Shift+Y"),
    Action.IMPORT_AGENCIES: ActionSpec("Import A&gencies…", "Import an agency list from CSV"),
    Action.NEW_POST: ActionSpec("New &Post…", "Write a safety post or agency alert for the community feed",
                                "Ctrl+Shift+P"),
    Action.IMPORT_POSTS: ActionSpec("Import P&osts…", "Import posts or incident records from CSV (block addresses "
                                    "without coordinates are imported unmapped)"),
    Action.MODERATION_QUEUE: ActionSpec("&Moderation Queue", "Posts waiting for a moderator", "Ctrl+Shift+M"),
    Action.NEW_OPERATION: ActionSpec("New &Operation…", "Plan an operation: its goal and success measure, stated "
                                     "before it starts"),
}

# Menus and toolbar are lists of actions; None is a separator.
MENUS: list[tuple[str, list[Action | None]]] = [
    ("&File", [Action.IMPORT, Action.EXPORT_CSV, Action.EXPORT_GEOJSON, None, Action.ADD_MAP_LAYER,
               Action.ADD_BASE_MAP, Action.REMOVE_BASE_MAP, None, Action.OPEN_DEMO, Action.OPEN_MY_DATA, None,
               Action.SIGN_OUT, Action.QUIT]),
    ("&Edit", [Action.UNDO, Action.REDO, None, Action.FIND, Action.GO_TO_ADDRESS, None, Action.PREFERENCES]),
    ("&View", [Action.SHOW_MAP, Action.SHOW_REGISTRY, Action.SHOW_REQUESTS, Action.SHOW_EVIDENCE,
               Action.SHOW_PROGRAM, Action.SHOW_INSIGHTS, Action.SHOW_AUDIT, None, Action.FULL_SCREEN]),
    ("&Registry", [Action.ADD_CAMERA, Action.EDIT_CAMERA, Action.DELETE_CAMERA]),
    ("Re&quests", [Action.NEW_REQUEST, Action.PUBLIC_LOG, None, Action.REQUEST_LIMITS]),
    ("Evide&nce", [Action.ATTACH_FOOTAGE, None, Action.VERIFY_EVIDENCE, Action.EXPORT_PACKAGE,
                   Action.VERIFY_PACKAGE]),
    ("&Program", [Action.ADD_AGENCY, Action.IMPORT_AGENCIES, None, Action.NEW_POST, Action.IMPORT_POSTS,
                  Action.MODERATION_QUEUE, None, Action.NEW_OPERATION]),
    ("&Insights", [Action.TRANSPARENCY_REPORT, Action.COVERAGE_ANALYSIS, None, Action.VERIFY_AUDIT, Action.USERS]),
    ("&Help", [Action.HELP_CONTENTS, Action.KEYBOARD_SHORTCUTS, None, Action.ABOUT]),
]

TOOLBAR: list[Action | None] = [Action.IMPORT, None, Action.UNDO, Action.REDO, None, Action.ADD_CAMERA,
                                Action.EDIT_CAMERA, Action.DELETE_CAMERA, None, Action.NEW_REQUEST]


def key_sequences(spec: ActionSpec) -> list[QKeySequence]:
    if spec.shortcut is None:
        return []
    if isinstance(spec.shortcut, str):
        return [QKeySequence(spec.shortcut)]
    return QKeySequence.keyBindings(spec.shortcut)


def create_actions(parent: QWidget) -> dict[Action, QAction]:
    actions: dict[Action, QAction] = {}
    for key, spec in SPECS.items():
        act = QAction(spec.text, parent)
        act.setObjectName(f"action_{key.value}")
        act.setIcon(icon(key.value))
        # Set once, so a toolbar button keeps its width when the menu text changes ("Undo Edit Camera").
        act.setIconText(plain_text(spec.text))
        act.setToolTip(spec.tip)
        act.setStatusTip(spec.tip)
        act.setShortcuts(key_sequences(spec))
        act.setCheckable(spec.checkable)
        act.setMenuRole(spec.role)
        actions[key] = act
    return actions


def plain_text(text: str) -> str:
    """A menu text without its mnemonic and ellipsis: "&New Footage Request…" → "New Footage Request"."""
    return text.replace("&&", "\0").replace("&", "").replace("\0", "&").rstrip("…").rstrip(".")


def key_text(key: QKeySequence | QKeySequence.StandardKey | str) -> str:
    """A key as this platform names it; a standard key by its first binding only (Undo is "Ctrl+Z", not
    "Ctrl+Z, F14": the others are keys few keyboards have)."""
    if isinstance(key, QKeySequence.StandardKey):
        bindings = QKeySequence.keyBindings(key)
        key = bindings[0] if bindings else QKeySequence()
    elif isinstance(key, str):
        key = QKeySequence(key)
    return key.toString(QKeySequence.SequenceFormat.NativeText)


def shortcut_rows() -> list[tuple[str, str, str]]:
    """(menu, action, shortcut) for every menu action with a shortcut: part of Help ▸ Keyboard Shortcuts."""
    rows: list[tuple[str, str, str]] = []
    for menu, items in MENUS:
        for item in items:
            if item is None:
                continue
            spec = SPECS[item]
            if spec.shortcut is not None and (keys := key_text(spec.shortcut)):
                rows.append((menu.replace("&", ""), plain_text(spec.text), keys))
    return rows
