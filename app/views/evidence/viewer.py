"""The evidence viewer: play/pause (Space), exact frame steps (, and .), seek by slider or time, 0.25×–4×, the
recorder's time corrected for its clock offset over the picture, stills, clips (I / O points) and redaction.

Every opening is a custody event ("viewed"); stills, clips and redacted copies become derived items through the
backend, so the original file is only ever read.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QCloseEvent, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QMessageBox, QSplitter, QVBoxLayout, QWidget

from app.core.redaction import box_problems, boxes_json
from app.io.video_export import export_clip, export_redacted, export_still
from app.views.evidence.frame_view import FrameView
from app.views.evidence.player import Player
from app.views.evidence.redaction_panel import RedactionPanel
from app.views.evidence.transport import Transport
from app.workers.jobs import Job, run_job


@dataclass
class ViewerItem:
    item_id: int
    path: Path
    title: str
    clock_offset_s: float = 0.0  # the time the footage shows minus the true time
    recorded_start: datetime | None = None  # the recorder's own time of the first frame, if the file says
    extra: dict[str, Any] = field(default_factory=dict)


class EvidenceBackend(Protocol):
    """What the viewer needs from the evidence service (custody and derived items)."""

    def viewed(self, item_id: int) -> None: ...

    def add_derived(self, parent_id: int, path: Path, kind: str, details: dict[str, Any]) -> int: ...


SHORTCUTS = (  # (keys, what) — shown in the viewer's tooltips and the shortcuts dialog
    ("Space", "Play / pause"), (",", "Previous frame"), (".", "Next frame"), ("I", "Set clip in point"),
    ("O", "Set clip out point"), ("Ctrl+E", "Export clip"), ("Ctrl+Shift+S", "Export still"),
    ("Ctrl+R", "Redaction mode"),
)


class EvidenceViewer(QWidget):
    def __init__(self, item: ViewerItem, backend: EvidenceBackend, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("evidence_viewer")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        self.setWindowTitle(f"Evidence — {item.title}")
        self.item, self.backend = item, backend
        self.player = Player(item.path, self)
        info = self.player.info
        self.view = FrameView(QSize(info.width, info.height), self)
        self.transport = Transport(self.player, self)
        self.redaction = RedactionPanel(self.view, info.frame_count, self)
        self.redaction.setVisible(False)
        self.clip_in, self.clip_out = 0, info.frame_count - 1
        self._job: Job | None = None
        self._tmp = tempfile.TemporaryDirectory(prefix="canvass-derived-")
        split = QSplitter(self)
        left = QWidget(split)
        col = QVBoxLayout(left)
        col.setContentsMargins(0, 0, 0, 0)
        col.addWidget(self.view, 1)
        col.addWidget(self.transport)
        split.addWidget(left)
        split.addWidget(self.redaction)
        split.setStretchFactor(0, 1)
        layout = QHBoxLayout(self)
        layout.addWidget(split)
        self.resize(1100, 700)
        self.player.frame_shown.connect(self._frame_shown)
        self.transport.still_requested.connect(self.export_still)
        self.transport.clip_requested.connect(self.export_clip)
        self.transport.in_requested.connect(self.set_in)
        self.transport.out_requested.connect(self.set_out)
        self.transport.redact_toggled.connect(self.set_redacting)
        self.transport.corrected_toggled.connect(lambda _on: self._frame_shown(self.player.index))
        self.redaction.export_requested.connect(self.export_redacted)
        self.redaction.changed.connect(self.view.update)
        self._bind_keys()
        self.player.display_size = None
        self.player.show_frame(0)
        backend.viewed(item.item_id)

    def _bind_keys(self) -> None:
        # Keys with a modifier are shortcuts; single keys act only when the widget with focus does not want them
        # (typing a reason or a time must not play or step), so they are handled in keyPressEvent below.
        self._single_keys = {Qt.Key.Key_Space: self.player.toggle, Qt.Key.Key_Comma: lambda: self.player.step(-1),
                             Qt.Key.Key_Period: lambda: self.player.step(1), Qt.Key.Key_I: self.set_in,
                             Qt.Key.Key_O: self.set_out}
        for keys, fn in {"Ctrl+E": self.export_clip, "Ctrl+Shift+S": self.export_still,
                         "Ctrl+R": self.transport.redact.toggle}.items():
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WindowShortcut)
            shortcut.activated.connect(fn)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        fn = self._single_keys.get(Qt.Key(event.key()))
        if fn is not None and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
            fn()
            event.accept()
            return
        super().keyPressEvent(event)

    # --- what is shown ---------------------------------------------------------------------------------------------
    def recorder_text(self, index: int) -> str:
        """The footage's own time at a frame, or with the offset removed ('corrected'), in the local zone."""
        t = index / self.player.info.fps
        position = f"{int(t // 60)}:{t % 60:06.3f}"
        start = self.item.recorded_start
        if start is None:
            return f"{position}  (the file does not say when it was recorded)"
        corrected = self.transport.corrected.isChecked()
        shown = start + timedelta(seconds=t) - timedelta(seconds=self.item.clock_offset_s if corrected else 0.0)
        local = shown.astimezone()
        stamp = f"{local:%Y-%m-%d %H:%M:%S}.{local.microsecond // 1000:03d} {local.tzname()}"
        return f"{stamp}  {'corrected' if corrected else 'as recorded'}  ·  {position}"

    def _frame_shown(self, index: int) -> None:
        self.view.show_image(self.player.image, index, self.recorder_text(index))
        self.transport.show_position(index)

    def showEvent(self, event) -> None:  # noqa: N802, ANN001 - Qt override
        super().showEvent(event)
        self._size_for_playback()

    def resizeEvent(self, event) -> None:  # noqa: N802, ANN001 - Qt override
        super().resizeEvent(event)
        self._size_for_playback()

    def _size_for_playback(self) -> None:
        """Decode at the size shown while playing (scaling in FFmpeg is cheaper than full-size + painting)."""
        pic = self.view.picture_rect()
        ratio = self.devicePixelRatioF()
        w, h = int(pic.width() * ratio) & ~1, int(pic.height() * ratio) & ~1
        info = self.player.info
        self.player.display_size = None if w >= info.width or w < 2 or h < 2 else (w, h)

    # --- clip points and exports -----------------------------------------------------------------------------------
    def set_in(self) -> None:
        self.clip_in = max(0, self.player.index)
        self.clip_out = max(self.clip_out, self.clip_in)
        self.transport.show_clip(self.clip_in, self.clip_out)

    def set_out(self) -> None:
        self.clip_out = max(0, self.player.index)
        self.clip_in = min(self.clip_in, self.clip_out)
        self.transport.show_clip(self.clip_in, self.clip_out)

    def export_still(self) -> None:
        self.player.pause()
        index = max(0, self.player.index)
        dst = Path(self._tmp.name) / f"item{self.item.item_id}-frame{index:06d}.png"
        got = export_still(self.item.path, index, dst)
        self._derive(dst, "still", {"frame": got, "time_s": round(got / self.player.info.fps, 3)})

    def export_clip(self) -> None:
        self.player.pause()
        first, last = self.clip_in, self.clip_out
        dst = Path(self._tmp.name) / f"item{self.item.item_id}-clip{first:06d}-{last:06d}.mp4"
        details = {"first_frame": first, "last_frame": last, "in_s": round(first / self.player.info.fps, 3),
                   "out_s": round((last + 1) / self.player.info.fps, 3), "encoding": "H.264 crf 18 / AAC"}
        self._run("Exporting clip", lambda c: export_clip(self.item.path, dst, first, last, c),
                  lambda _n: self._derive(dst, "clip", details))

    def export_redacted(self) -> None:
        self.player.pause()
        info = self.player.info
        problems = box_problems(self.redaction.boxes, info.width, info.height, info.frame_count)
        if problems:
            QMessageBox.warning(self, "Redaction not ready", "Before exporting:\n\n• " + "\n• ".join(problems))
            return
        boxes = list(self.redaction.boxes)
        dst = Path(self._tmp.name) / f"item{self.item.item_id}-redacted.mp4"
        details = {"boxes": boxes_json(boxes), "box_count": len(boxes), "encoding": "H.264 crf 18 / AAC"}
        self._run("Exporting redacted copy", lambda c: export_redacted(self.item.path, dst, boxes, c),
                  lambda _n: self._derive(dst, "redaction", details))

    def _run(self, title: str, fn: Any, done: Any) -> None:
        def failed(message: str, _tb: str) -> None:
            QMessageBox.critical(self, title, f"{title} failed: {message}\n\nThe original is unchanged.")

        self._job = run_job(self, title, fn, on_done=done, on_error=failed)

    def _derive(self, path: Path, kind: str, details: dict[str, Any]) -> None:
        try:
            new_id = self.backend.add_derived(self.item.item_id, path, kind, details)
        except Exception as exc:  # noqa: BLE001 - a refused or failed store write is reported, nothing is lost
            QMessageBox.critical(self, "Not saved", f"The {kind} could not be stored: {exc}")
            return
        finally:
            path.unlink(missing_ok=True)
        self.transport.say(f"Saved {kind} as evidence item #{new_id}.")

    def set_redacting(self, on: bool) -> None:
        self.player.pause()
        self.redaction.setVisible(on)
        self.view.editing = on
        self.view.update()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        if self._job is not None and not self._job.done:
            self._job.cancel()
        self.player.close()
        self._tmp.cleanup()
        super().closeEvent(event)
