"""The viewer's redaction panel: the list of boxes, each box's fill and reason, and the keyframe buttons.

A box drawn at frame f covers f to the end of the footage, still; moving it at another frame adds a keyframe there
(places in between are interpolated); "End Box Here" makes it stop at the frame shown.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from app.core.redaction import Keyframe, RedactionBox
from app.views.evidence.frame_view import FrameView

FILLS = {"solid": "Solid black", "blur": "Blurred"}


class RedactionPanel(QWidget):
    export_requested = Signal()
    changed = Signal()

    def __init__(self, view: FrameView, frame_count: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("redaction_panel")
        self.view = view
        self.frame_count = frame_count
        self.boxes: list[RedactionBox] = view.boxes
        hint = QLabel("Drag on the picture to hide something. Move a box at another frame to follow what it "
                      "hides; positions in between are interpolated. No automatic detection is used.")
        hint.setWordWrap(True)
        self.list = QListWidget(self)
        self.list.setObjectName("redaction_boxes")
        self.list.setToolTip("Boxes drawn so far: number, fill, frames covered and reason")
        self.fill = QComboBox(self)
        self.fill.setObjectName("redaction_fill")
        for key, label in FILLS.items():
            self.fill.addItem(label, key)
        self.fill.setToolTip("How the selected box hides what is under it")
        self.reason = QLineEdit(self)
        self.reason.setObjectName("redaction_reason")
        self.reason.setPlaceholderText("Required: what it hides and why")
        self.reason.setToolTip("Every box needs a reason; it is kept in the redacted item's record")
        self.end_here = QPushButton("End Box Here", self)
        self.end_here.setToolTip("The selected box stops at the frame shown")
        self.delete = QPushButton("Delete Box", self)
        self.export = QPushButton("Export Redacted…", self)
        self.export.setObjectName("redaction_export")
        self.export.setToolTip("Re-encode the footage with every box burned in, as a new derived item")
        form = QFormLayout()
        form.addRow("Fill:", self.fill)
        form.addRow("Reason:", self.reason)
        buttons = QHBoxLayout()
        buttons.addWidget(self.end_here)
        buttons.addWidget(self.delete)
        layout = QVBoxLayout(self)
        layout.addWidget(hint)
        layout.addWidget(self.list, 1)
        layout.addLayout(form)
        layout.addLayout(buttons)
        layout.addWidget(self.export)
        view.box_drawn.connect(self.add_box)
        view.box_moved.connect(self.move_box)
        view.box_selected.connect(self.list.setCurrentRow)
        self.list.currentRowChanged.connect(self._select)
        self.fill.currentIndexChanged.connect(self._edit_selected)
        self.reason.textEdited.connect(self._edit_selected)
        self.end_here.clicked.connect(self.end_selected_here)
        self.delete.clicked.connect(self.delete_selected)
        self.export.clicked.connect(self.export_requested)
        self._refresh()

    def add_box(self, rect: QRectF) -> None:
        f = self.view.frame_index
        box = RedactionBox(style=str(self.fill.currentData()), reason=self.reason.text().strip())
        for frame in {f, self.frame_count - 1}:
            box.set_keyframe(Keyframe(frame, rect.x(), rect.y(), rect.width(), rect.height()))
        self.boxes.append(box)
        self._refresh(select=len(self.boxes) - 1)
        self.reason.setFocus()

    def move_box(self, n: int, rect: QRectF) -> None:
        if 0 <= n < len(self.boxes):
            self.boxes[n].set_keyframe(Keyframe(self.view.frame_index, rect.x(), rect.y(), rect.width(),
                                                rect.height()))
            self._refresh(select=n)

    def end_selected_here(self) -> None:
        n, f = self.list.currentRow(), self.view.frame_index
        if not 0 <= n < len(self.boxes):
            return
        box = self.boxes[n]
        rect = box.rect_at(f) or box.rect_at(box.last_frame if f > box.last_frame else box.first_frame)
        if rect is None:
            return
        box.keyframes = [k for k in box.keyframes if k.frame <= f]
        box.set_keyframe(Keyframe(f, *rect))
        self._refresh(select=n)

    def delete_selected(self) -> None:
        n = self.list.currentRow()
        if 0 <= n < len(self.boxes):
            del self.boxes[n]
            self._refresh(select=min(n, len(self.boxes) - 1))

    def _select(self, n: int) -> None:
        self.view.selected = n
        ok = 0 <= n < len(self.boxes)
        for w in (self.end_here, self.delete):
            w.setEnabled(ok)
        if ok:
            box = self.boxes[n]
            self.fill.blockSignals(True)
            self.fill.setCurrentIndex(max(0, self.fill.findData(box.style)))
            self.fill.blockSignals(False)
            if self.reason.text() != box.reason:
                self.reason.setText(box.reason)
        self.view.update()

    def _edit_selected(self, *_: object) -> None:
        n = self.list.currentRow()
        if 0 <= n < len(self.boxes):
            self.boxes[n].style = str(self.fill.currentData())
            self.boxes[n].reason = self.reason.text()
            self._refresh(select=n)

    def _refresh(self, select: int | None = None) -> None:
        self.list.blockSignals(True)
        self.list.clear()
        for n, box in enumerate(self.boxes, 1):
            reason = box.reason.strip() or "(reason needed)"
            self.list.addItem(f"{n} · {FILLS[box.style]} · frames {box.first_frame}–{box.last_frame} · {reason}")
        self.list.blockSignals(False)
        if select is not None and select >= 0:
            self.list.setCurrentRow(select)
        self._select(self.list.currentRow())
        self.export.setEnabled(bool(self.boxes))
        self.changed.emit()
