"""Help ▸ Keyboard Shortcuts, rendered from the data that binds the keys: the action table (menus), the map's
tools and keys, the answer keys of the Requests tab, the request dialog's, the audit log's and the evidence
viewer's own keys.

Each binding site keeps its keys in a module-level table and binds from it; this dialog reads the same tables,
so a key added there is listed here. Keys are shown as the platform names them, each once per place."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLineEdit,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.views.actions import key_text, plain_text, shortcut_rows


def _keys(keys: tuple[Qt.Key, ...]) -> str:
    return " ".join(QKeySequence(k).toString(QKeySequence.SequenceFormat.NativeText) for k in keys)


def context_rows() -> list[tuple[str, str, str]]:
    """(where, what, key) for the keys bound outside the menus."""
    from app.map import canvas, fence_tool
    from app.models.recipient_table_model import ANSWER_LABELS
    from app.views.accountability.audit_tab import RELOAD_KEY
    from app.views.evidence.viewer import SHORTCUTS as EVIDENCE_SHORTCUTS
    from app.views.map.panel import MAP_ACTIONS, TOOLS
    from app.views.requests.request_dialog import SAVE_DRAFT_KEY
    from app.views.requests.tab import ANSWER_KEYS

    rows = [("Map", plain_text(text), key_text(key)) for _mode, text, key, _tip in TOOLS]
    rows += [("Map", plain_text(text), key_text(key)) for text, key, _tip in MAP_ACTIONS.values()]
    rows += [("Map", what, _keys(keys)) for what, keys in (*canvas.KEY_HELP, *fence_tool.KEY_HELP)]
    rows += [("Requests ▸ answers", f"Record “{ANSWER_LABELS[state]}”", key) for key, state in ANSWER_KEYS.items()]
    rows += [("Request dialog", "Save the draft", key_text(SAVE_DRAFT_KEY))]
    rows += [("Audit Log", "Reload", key_text(RELOAD_KEY))]
    rows += [("Evidence viewer", what, key_text(keys)) for keys, what in EVIDENCE_SHORTCUTS]
    return rows


def all_rows() -> list[tuple[str, str, str]]:
    """Every shortcut, each (place, key) once: a key bound twice in one place (the map's Home, its toolbar's Fit
    All) is listed the first time."""
    seen: set[tuple[str, str]] = set()
    rows = []
    for where, what, key in shortcut_rows() + context_rows():
        if (where, key) in seen:
            continue
        seen.add((where, key))
        rows.append((where, what, key))
    return rows


class ShortcutsDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard Shortcuts")
        self.setObjectName("shortcuts_dialog")
        rows = all_rows()
        self.filter = QLineEdit(self)
        self.filter.setPlaceholderText("Find a shortcut…")
        self.filter.setClearButtonEnabled(True)
        self.filter.textChanged.connect(self._filter)
        self.table = QTableWidget(len(rows), 3, self)
        self.table.setHorizontalHeaderLabels(["Where", "Action", "Shortcut"])
        for r, row in enumerate(rows):
            for c, text in enumerate(row):
                self.table.setItem(r, c, QTableWidgetItem(text))
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.filter)
        layout.addWidget(self.table)
        layout.addWidget(buttons)
        self.resize(600, 640)

    def _filter(self, text: str) -> None:
        needle = text.casefold().strip()
        for r in range(self.table.rowCount()):
            hay = " ".join(self.table.item(r, c).text() for c in range(3)).casefold()
            self.table.setRowHidden(r, bool(needle) and needle not in hay)
