"""A row of push buttons declared as data: (key, text with its &mnemonic, tooltip, slot) each."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from PySide6.QtWidgets import QBoxLayout, QPushButton, QWidget

ButtonSpec = tuple[str, str, str, Callable[[], object]]


def add_buttons(row: QBoxLayout, parent: QWidget, prefix: str, specs: Iterable[ButtonSpec],
                into: dict[str, QPushButton]) -> None:
    """Add one button per spec to `row`, named `{prefix}_{key}` (tests and styles find them by name), kept in `into`."""
    for key, text, tip, slot in specs:
        button = QPushButton(text, parent)
        button.setObjectName(f"{prefix}_{key}")
        button.setToolTip(tip)
        button.clicked.connect(slot)
        row.addWidget(button)
        into[key] = button
