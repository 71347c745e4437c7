"""The picture of the footage, scaled to fit, with the recorder time over it and the redaction boxes on it.

Boxes are kept in the source picture's pixels; this widget maps them to the screen. With editing on, dragging on
empty picture draws a new box, dragging a box moves it, and the arrow keys nudge the selected box (Shift: faster).
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QImage, QKeyEvent, QMouseEvent, QPainter, QPainterPath, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from app.core.redaction import RedactionBox

MIN_DRAG_PX = 4


class FrameView(QWidget):
    box_drawn = Signal(QRectF)        # a new box, in source pixels
    box_moved = Signal(int, QRectF)   # box number (0-based), its new place at the frame shown
    box_selected = Signal(int)

    def __init__(self, source_size: QSize, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("evidence_frame")
        self.source_size = source_size
        self.image = QImage()
        self.overlay = ""
        self.frame_index = 0
        self.boxes: list[RedactionBox] = []
        self.selected = -1
        self.editing = False
        self._press: QPointF | None = None
        self._drag_rect: QRectF | None = None
        self._moving_from: QRectF | None = None
        self.setMinimumSize(320, 180)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setToolTip("The footage. In redaction mode, drag on the picture to draw a box and drag a box to move "
                        "it; arrow keys nudge the selected box.")

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return QSize(800, 450)

    def show_image(self, image: QImage, index: int, overlay: str) -> None:
        self.image, self.frame_index, self.overlay = image, index, overlay
        self.update()

    # --- geometry --------------------------------------------------------------------------------------------------
    def picture_rect(self) -> QRectF:
        sw, sh = max(1, self.source_size.width()), max(1, self.source_size.height())
        scale = min(self.width() / sw, self.height() / sh)
        w, h = sw * scale, sh * scale
        return QRectF((self.width() - w) / 2, (self.height() - h) / 2, w, h)

    def to_screen(self, r: QRectF) -> QRectF:
        pic = self.picture_rect()
        s = pic.width() / max(1, self.source_size.width())
        return QRectF(pic.x() + r.x() * s, pic.y() + r.y() * s, r.width() * s, r.height() * s)

    def to_source(self, p: QPointF) -> QPointF:
        pic = self.picture_rect()
        s = max(1e-9, pic.width() / max(1, self.source_size.width()))
        return QPointF((p.x() - pic.x()) / s, (p.y() - pic.y()) / s)

    def box_rect(self, n: int) -> QRectF | None:
        rect = self.boxes[n].rect_at(self.frame_index)
        return QRectF(*rect) if rect else None

    # --- painting --------------------------------------------------------------------------------------------------
    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        p = QPainter(self)
        p.fillRect(self.rect(), QColor(20, 20, 20))
        pic = self.picture_rect()
        if not self.image.isNull():
            p.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform, True)
            p.drawImage(pic, self.image)
        for n in range(len(self.boxes)):
            rect = self.box_rect(n)
            if rect is not None:
                self._paint_box(p, n, self.to_screen(rect))
        if self._drag_rect is not None:
            p.setPen(QPen(QColor(255, 200, 0), 2, Qt.PenStyle.DashLine))
            p.drawRect(self.to_screen(self._drag_rect))
        if self.overlay:
            self._paint_overlay(p, pic)
        p.end()

    def _paint_box(self, p: QPainter, n: int, rect: QRectF) -> None:
        box = self.boxes[n]
        fill = QColor(0, 0, 0, 200) if box.style == "solid" else QColor(90, 90, 160, 140)
        brush = QBrush(fill, Qt.BrushStyle.SolidPattern if box.style == "solid" else Qt.BrushStyle.Dense4Pattern)
        p.fillRect(rect, brush)
        p.setPen(QPen(QColor(255, 200, 0) if n == self.selected else QColor(230, 230, 230), 2))
        p.drawRect(rect)
        p.drawText(rect.adjusted(4, 2, 0, 0), Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop, str(n + 1))

    def _paint_overlay(self, p: QPainter, pic: QRectF) -> None:
        font = p.font()
        font.setPointSizeF(max(9.0, font.pointSizeF()))
        font.setBold(True)
        p.setFont(font)
        path = QPainterPath()
        path.addText(pic.x() + 10, pic.bottom() - 12, font, self.overlay)
        p.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        p.strokePath(path, QPen(QColor(0, 0, 0), 4))  # a halo keeps it readable on any picture
        p.fillPath(path, QColor(255, 255, 255))

    # --- editing ---------------------------------------------------------------------------------------------------
    def _box_under(self, src: QPointF) -> int:
        for n in reversed(range(len(self.boxes))):
            rect = self.box_rect(n)
            if rect is not None and rect.contains(src):
                return n
        return -1

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        if not self.editing or event.button() != Qt.MouseButton.LeftButton:
            return super().mousePressEvent(event)
        src = self.to_source(event.position())
        self._press = src
        hit = self._box_under(src)
        if hit >= 0:
            self.selected = hit
            self._moving_from = self.box_rect(hit)
            self.box_selected.emit(hit)
        self.update()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        if self._press is None:
            return super().mouseMoveEvent(event)
        src = self.to_source(event.position())
        if self._moving_from is not None:
            self._drag_rect = self._moving_from.translated(src - self._press)
        else:
            self._drag_rect = QRectF(self._press, src).normalized()
        self.update()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        if self._press is None:
            return super().mouseReleaseEvent(event)
        rect, moving = self._drag_rect, self._moving_from is not None
        self._press = self._drag_rect = self._moving_from = None
        screen = self.to_screen(rect) if rect is not None else None
        if rect is not None and screen is not None and max(screen.width(), screen.height()) >= MIN_DRAG_PX:
            if moving:
                self.box_moved.emit(self.selected, rect)
            else:
                self.box_drawn.emit(rect)
        self.update()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        steps = {Qt.Key.Key_Left: (-1, 0), Qt.Key.Key_Right: (1, 0), Qt.Key.Key_Up: (0, -1), Qt.Key.Key_Down: (0, 1)}
        move = steps.get(Qt.Key(event.key()))
        if not self.editing or move is None or not 0 <= self.selected < len(self.boxes):
            return super().keyPressEvent(event)
        rect = self.box_rect(self.selected)
        if rect is None:
            return super().keyPressEvent(event)
        px = 16 if event.modifiers() & Qt.KeyboardModifier.ShiftModifier else 4
        self.box_moved.emit(self.selected, rect.translated(move[0] * px, move[1] * px))
