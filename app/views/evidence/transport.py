"""The viewer's controls: position slider, play/pause and frame steps, time field, speed, corrected time, exports."""

from __future__ import annotations

import re

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QGridLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSlider,
    QStyle,
    QToolButton,
    QWidget,
)

from app.views.evidence.player import SPEEDS, Player

TIME_RE = re.compile(r"^\s*(?:(\d+):)?(\d+(?:\.\d*)?)\s*$")


def parse_position(text: str) -> float | None:
    """'1:02.5' or '62.5' → seconds; None when it is not a position."""
    m = TIME_RE.match(text)
    if not m:
        return None
    return int(m.group(1) or 0) * 60 + float(m.group(2))


class Transport(QWidget):
    still_requested = Signal()
    clip_requested = Signal()
    in_requested = Signal()
    out_requested = Signal()
    redact_toggled = Signal(bool)
    corrected_toggled = Signal(bool)

    def __init__(self, player: Player, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.player = player
        info = player.info
        style = self.style()
        self.slider = QSlider(Qt.Orientation.Horizontal, self)
        self.slider.setObjectName("evidence_slider")
        self.slider.setRange(0, info.frame_count - 1)
        self.slider.setToolTip("Position in the footage (drag to seek)")
        self.back = self._tool(style.standardIcon(QStyle.StandardPixmap.SP_MediaSeekBackward), "Previous frame (,)")
        self.play = self._tool(style.standardIcon(QStyle.StandardPixmap.SP_MediaPlay), "Play / pause (Space)")
        self.play.setObjectName("evidence_play")
        self.forward = self._tool(style.standardIcon(QStyle.StandardPixmap.SP_MediaSeekForward), "Next frame (.)")
        self.time = QLineEdit(self)
        self.time.setObjectName("evidence_time")
        self.time.setToolTip("Position as minutes:seconds (e.g. 1:02.5); press Enter to go there")
        self.time.setMaximumWidth(110)
        self.frame_label = QLabel(self)
        self.frame_label.setObjectName("evidence_frame_label")
        self.speed = QComboBox(self)
        self.speed.setObjectName("evidence_speed")
        for s in SPEEDS:
            self.speed.addItem(f"{s:g}×", s)
        self.speed.setCurrentIndex(SPEEDS.index(1.0))
        self.speed.setToolTip("Playback speed (sound plays at 1× only)")
        self.corrected = QCheckBox("Corrected time", self)
        self.corrected.setObjectName("evidence_corrected")
        self.corrected.setChecked(True)
        self.corrected.setToolTip("Show the recorder's time with its clock offset removed (the true time)")
        self.sound_label = QLabel(self)
        self.still = QPushButton("Still", self)
        self.still.setToolTip("Save this frame as a PNG still, a new derived item (Ctrl+Shift+S)")
        self.set_in = QPushButton("In", self)
        self.set_in.setToolTip("Clip starts at this frame (I)")
        self.set_out = QPushButton("Out", self)
        self.set_out.setToolTip("Clip ends at this frame (O)")
        self.clip = QPushButton("Export Clip", self)
        self.clip.setToolTip("Save frames In…Out as a new derived item (Ctrl+E)")
        self.clip_label = QLabel(self)
        self.redact = QPushButton("Redact", self)
        self.redact.setObjectName("evidence_redact")
        self.redact.setCheckable(True)
        self.redact.setToolTip("Draw boxes to hide people or things before release (Ctrl+R)")
        self.message = QLabel(self)
        self.message.setObjectName("evidence_message")
        grid = QGridLayout(self)
        grid.setContentsMargins(4, 4, 4, 4)
        grid.addWidget(self.slider, 0, 0, 1, 12)
        for col, w in enumerate((self.back, self.play, self.forward, self.time, self.frame_label, self.speed,
                                 self.corrected, self.sound_label)):
            grid.addWidget(w, 1, col)
        grid.setColumnStretch(8, 1)
        for col, w in enumerate((self.still, self.set_in, self.set_out, self.clip, self.clip_label, self.redact)):
            grid.addWidget(w, 2, col if col < 4 else col + 1)
        grid.addWidget(self.message, 3, 0, 1, 12)
        for w in (self.back, self.play, self.forward, self.still, self.set_in, self.set_out, self.clip, self.redact,
                  self.corrected, self.slider):
            w.setFocusPolicy(Qt.FocusPolicy.TabFocus)  # a click leaves the keys (Space, , .) with the viewer
        if player.sound is None:
            self.sound_label.setText("no sound track")
        self.back.clicked.connect(lambda: player.step(-1))
        self.forward.clicked.connect(lambda: player.step(1))
        self.play.clicked.connect(player.toggle)
        self.slider.sliderMoved.connect(player.show_frame)
        self.slider.valueChanged.connect(self._slider_changed)
        self.time.returnPressed.connect(self._seek_typed)
        self.speed.currentIndexChanged.connect(lambda _i: player.set_speed(float(self.speed.currentData())))
        self.corrected.toggled.connect(self.corrected_toggled)
        self.still.clicked.connect(self.still_requested)
        self.set_in.clicked.connect(self.in_requested)
        self.set_out.clicked.connect(self.out_requested)
        self.clip.clicked.connect(self.clip_requested)
        self.redact.toggled.connect(self.redact_toggled)
        player.playing_changed.connect(self._playing)
        self.show_clip(0, info.frame_count - 1)

    def _tool(self, icon, tip: str) -> QToolButton:  # noqa: ANN001 - a QIcon
        button = QToolButton(self)
        button.setIcon(icon)
        button.setToolTip(tip)
        button.setAutoRaise(True)
        return button

    def _slider_changed(self, value: int) -> None:
        if not self.slider.isSliderDown() and value != self.player.index and not self.player.playing:
            self.player.show_frame(value)

    def _seek_typed(self) -> None:
        seconds = parse_position(self.time.text())
        if seconds is None:
            self.say("Type a position as minutes:seconds, e.g. 0:12.48.")
            return
        self.player.seek_time(seconds)

    def _playing(self, on: bool) -> None:
        icon = QStyle.StandardPixmap.SP_MediaPause if on else QStyle.StandardPixmap.SP_MediaPlay
        self.play.setIcon(self.style().standardIcon(icon))
        sound = self.player.sound
        if on and sound is not None:
            self.sound_label.setText("sound" if sound.available and self.player.speed == 1.0
                                     else ("muted at this speed" if sound.available else sound.problem))

    def show_position(self, index: int) -> None:
        info = self.player.info
        self.slider.blockSignals(True)
        self.slider.setValue(index)
        self.slider.blockSignals(False)
        t = index / info.fps
        if not self.time.hasFocus():
            self.time.setText(f"{int(t // 60)}:{t % 60:06.3f}")
        self.frame_label.setText(f"frame {index + 1:,} of {info.frame_count:,}")

    def show_clip(self, first: int, last: int) -> None:
        fps = self.player.info.fps
        self.clip_label.setText(f"clip: frames {first + 1:,}–{last + 1:,} ({(last - first + 1) / fps:.2f} s)")

    def say(self, text: str) -> None:
        self.message.setText(text)
