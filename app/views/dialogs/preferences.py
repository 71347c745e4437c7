"""Edit ▸ Preferences: every preference declared in app.settings.PREFS, as a form."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import QCheckBox, QDialog, QDialogButtonBox, QFormLayout, QLabel, QLineEdit, QSpinBox, QWidget

from app import settings

NOTES = {
    "map/tiles_enabled": "Off by default: the map then works fully offline. When on, the map asks the tile server "
                         "for images of the area in view; the server sees those requests.",
    "map/tile_url": "A {z}/{x}/{y} URL template. Respect the server's usage policy.",
    "map/tile_max_age_days": "How long a cached tile is used before it is fetched again, when the tile server does "
                             "not say (its Cache-Control or Expires header wins). An expired tile is still shown "
                             "while its new copy loads, and offline.",
}


class PreferencesDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("preferences_dialog")
        self.setWindowTitle("Preferences")
        form = QFormLayout(self)
        self.editors: dict[str, QWidget] = {}
        for key, pref in settings.PREFS.items():
            value = settings.get(key)
            if pref.type is bool:
                editor: QWidget = QCheckBox(self)
                editor.setChecked(bool(value))
            elif pref.type is int:
                editor = QSpinBox(self)
                editor.setRange(0, 1_000_000)
                editor.setValue(int(value))
            else:
                editor = QLineEdit(str(value), self)
                editor.setMinimumWidth(380)
            editor.setObjectName(f"pref_{key.replace('/', '_')}")
            editor.setToolTip(NOTES.get(key, pref.label))
            self.editors[key] = editor
            form.addRow(f"{pref.label}:", editor)
            if key in NOTES:
                note = QLabel(NOTES[key], self)
                note.setWordWrap(True)
                form.addRow("", note)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)

    def values(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, editor in self.editors.items():
            if isinstance(editor, QCheckBox):
                out[key] = editor.isChecked()
            elif isinstance(editor, QSpinBox):
                out[key] = editor.value()
            else:
                out[key] = editor.text().strip() or settings.PREFS[key].default
        return out

    def accept(self) -> None:
        for key, value in self.values().items():
            settings.set(key, value)
        super().accept()
