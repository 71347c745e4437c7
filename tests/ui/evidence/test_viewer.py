"""The evidence viewer driven as a reviewer drives it: keys, slider, time field, speed, stills, clips, redaction.

The footage is a real H.264 + AAC file with the frame number in every picture (tests.media), so each frame the
viewer shows is checked for being exactly the one it says.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QImage

from app.io.video import VideoSource
from app.views.evidence.viewer import EvidenceViewer, ViewerItem
from app.workers.jobs import wait_for_jobs
from tests.media import frame_number, write_video


class RecordingBackend:
    """Stands in for the evidence service in these viewer-only tests: keeps what it was asked to store."""

    def __init__(self, store: Path) -> None:
        self.store, self.viewed_ids, self.derived = store, [], []

    def viewed(self, item_id: int) -> None:
        self.viewed_ids.append(item_id)

    def add_derived(self, parent_id: int, path: Path, kind: str, details: dict[str, Any]) -> int:
        kept = self.store / f"{len(self.derived) + 1}-{path.name}"
        kept.write_bytes(path.read_bytes())
        self.derived.append((parent_id, kept, kind, details))
        return 100 + len(self.derived)


def shown_number(image: QImage) -> int:
    image = image.convertToFormat(QImage.Format.Format_RGB888)
    rgb = np.frombuffer(image.constBits(), np.uint8).reshape(image.height(), image.bytesPerLine())
    return frame_number(rgb[:, : image.width() * 3].reshape(image.height(), image.width(), 3))


@pytest.fixture
def viewer(qtbot, tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # noqa: ANN001, ANN201 - pytest fixture
    monkeypatch.setenv("CANVASS_AUDIO_BACKEND", "null")
    video = write_video(tmp_path / "shared.mp4", seconds=2, fps=25, gop=12)
    (tmp_path / "kept").mkdir()
    backend = RecordingBackend(tmp_path / "kept")
    start = datetime(2026, 3, 14, 21, 7, tzinfo=timezone.utc)
    w = EvidenceViewer(ViewerItem(7, video, "doorbell 7", clock_offset_s=12.5, recorded_start=start), backend)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    yield w, backend


def test_opening_is_recorded_and_shows_frame_zero(viewer) -> None:  # noqa: ANN001
    w, backend = viewer
    assert backend.viewed_ids == [7]
    assert w.player.index == 0 and shown_number(w.player.image) == 0
    assert w.transport.frame_label.text() == "frame 1 of 50"


def test_frame_steps_by_keyboard_are_exact(viewer, qtbot) -> None:  # noqa: ANN001
    w, _ = viewer
    for _ in range(13):
        qtbot.keyClick(w, Qt.Key.Key_Period)
    assert w.player.index == 13 and shown_number(w.player.image) == 13
    for _ in range(5):
        qtbot.keyClick(w, Qt.Key.Key_Comma)  # back across the keyframe at 12
    assert w.player.index == 8 and shown_number(w.player.image) == 8
    qtbot.keyClick(w, Qt.Key.Key_Comma)
    qtbot.keyClick(w, Qt.Key.Key_Period)
    assert w.player.index == 8


def test_a_step_back_right_after_a_jump_takes_a_frame_decoded_on_the_way(viewer, qtbot,  # noqa: ANN001
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    w, _ = viewer
    w.transport.slider.setValue(30)  # keyframes every 12: the jump decodes 24..30 to show 30
    assert w.player.index == 30 and shown_number(w.player.image) == 30
    decodes: list[int] = []
    real = w.player._video.frame
    monkeypatch.setattr(w.player._video, "frame", lambda index, size=None: decodes.append(index) or real(index, size))
    for expected in (29, 28, 27, 26, 25):
        qtbot.keyClick(w, Qt.Key.Key_Comma)
        assert w.player.index == expected and shown_number(w.player.image) == expected
        # nothing decoded again, and no look-behind decoding started (nor waited for)
        assert decodes == [] and w.player._behind is None
    for expected in (24, 23, 22):  # on past the keyframe at 24: the look-behind decodes that stretch now
        qtbot.keyClick(w, Qt.Key.Key_Comma)
        assert w.player.index == expected and shown_number(w.player.image) == expected


def test_seek_by_time_and_by_slider(viewer, qtbot) -> None:  # noqa: ANN001
    w, _ = viewer
    w.transport.time.setFocus()
    w.transport.time.selectAll()
    qtbot.keyClicks(w.transport.time, "0:01.2")
    qtbot.keyClick(w.transport.time, Qt.Key.Key_Return)
    assert w.player.index == 30 and shown_number(w.player.image) == 30
    w.transport.time.selectAll()
    qtbot.keyClicks(w.transport.time, "soon")
    qtbot.keyClick(w.transport.time, Qt.Key.Key_Return)
    assert "minutes:seconds" in w.transport.message.text() and w.player.index == 30
    w.transport.slider.setValue(44)
    assert w.player.index == 44 and shown_number(w.player.image) == 44


def test_recorder_time_corrected_for_the_clock_offset(viewer, qtbot) -> None:  # noqa: ANN001
    w, _ = viewer
    w.player.show_frame(25)  # one second in
    local = (datetime(2026, 3, 14, 21, 7, 1, tzinfo=timezone.utc) - timedelta(seconds=12.5)).astimezone()
    assert w.view.overlay.startswith(f"{local:%Y-%m-%d %H:%M:%S}.500 {local.tzname()}  corrected")
    w.transport.corrected.click()
    raw = datetime(2026, 3, 14, 21, 7, 1, tzinfo=timezone.utc).astimezone()
    assert w.view.overlay.startswith(f"{raw:%Y-%m-%d %H:%M:%S}.000 {raw.tzname()}  as recorded")


def test_space_plays_to_the_end_at_four_times_speed(viewer, qtbot) -> None:  # noqa: ANN001
    w, _ = viewer
    w.transport.speed.setCurrentIndex(w.transport.speed.findData(4.0))
    qtbot.keyClick(w, Qt.Key.Key_Space)
    assert w.player.playing
    with qtbot.waitSignal(w.player.finished, timeout=10_000):
        pass
    assert not w.player.playing and w.player.index == 49
    assert w.player.shown + w.player.dropped == 49  # frames 1..49 were each shown or counted as dropped
    assert w.transport.sound_label.text() == "muted at this speed"


def test_play_with_sound_then_pause(viewer, qtbot) -> None:  # noqa: ANN001
    w, _ = viewer
    w.transport.play.click()
    qtbot.waitUntil(lambda: w.player.index >= 10, timeout=5_000)
    sound = w.player.sound
    assert sound is not None and sound.available and w.transport.sound_label.text() == "sound"
    qtbot.waitUntil(lambda: sound.played_bytes > 0, timeout=5_000)  # the device drains decoded sound
    qtbot.keyClick(w, Qt.Key.Key_Space)
    assert not w.player.playing
    stopped_at = w.player.index
    qtbot.wait(100)
    assert w.player.index == stopped_at


def test_still_and_clip_become_derived_items(viewer, qtbot) -> None:  # noqa: ANN001
    w, backend = viewer
    w.player.show_frame(17)
    w.transport.still.click()
    parent, still, kind, details = backend.derived[-1]
    assert (parent, kind, details["frame"]) == (7, "still", 17)
    with VideoSource(still) as png:
        assert frame_number(png.frame(0)[1]) == 17
    w.player.show_frame(10)
    qtbot.keyClick(w, Qt.Key.Key_I)
    w.player.show_frame(19)
    qtbot.keyClick(w, Qt.Key.Key_O)
    assert w.transport.clip_label.text() == "clip: frames 11–20 (0.40 s)"
    qtbot.keyClick(w, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: len(backend.derived) == 2, timeout=10_000)
    _, clip, kind, details = backend.derived[-1]
    assert (kind, details["first_frame"], details["last_frame"]) == ("clip", 10, 19)
    with VideoSource(clip) as out:
        assert out.info.frame_count == 10 and frame_number(out.frame(9)[1]) == 19
    assert "evidence item #102" in w.transport.message.text()


def _drag(qtbot, view, a: QPoint, b: QPoint) -> None:  # noqa: ANN001
    qtbot.mousePress(view, Qt.MouseButton.LeftButton, pos=a)
    qtbot.mouseMove(view, b)
    qtbot.mouseRelease(view, Qt.MouseButton.LeftButton, pos=b)


def test_redaction_drawn_by_hand_with_a_reason(viewer, qtbot, monkeypatch) -> None:  # noqa: ANN001
    w, backend = viewer
    warnings = []
    monkeypatch.setattr("app.views.evidence.viewer.QMessageBox.warning", lambda *a: warnings.append(a[2]))
    qtbot.keyClick(w, Qt.Key.Key_R, Qt.KeyboardModifier.ControlModifier)
    assert w.redaction.isVisible() and w.view.editing
    view = w.view
    pic = view.picture_rect()
    scale = pic.width() / 320
    to_screen = lambda x, y: QPoint(int(pic.x() + x * scale), int(pic.y() + y * scale))  # noqa: E731
    w.player.show_frame(5)
    _drag(qtbot, view, to_screen(0, 0), to_screen(320, 30))  # over the frame counter's bit row
    assert len(w.redaction.boxes) == 1
    box = w.redaction.boxes[0]
    assert (box.first_frame, box.last_frame) == (5, 49)
    w.redaction.export.click()  # no reason yet: refused, nothing exported
    assert warnings and "needs a reason" in warnings[-1] and backend.derived == []
    qtbot.keyClicks(w.redaction.reason, "the bit row stands in for a licence plate")
    w.player.show_frame(20)
    qtbot.keyClick(w.redaction, Qt.Key.Key_Tab)
    w.redaction.end_here.click()
    assert (box.first_frame, box.last_frame) == (5, 20)
    w.redaction.export.click()
    qtbot.waitUntil(lambda: len(backend.derived) == 1, timeout=20_000)
    wait_for_jobs()
    _, red, kind, details = backend.derived[0]
    assert kind == "redaction" and details["box_count"] == 1
    assert "licence plate" in details["boxes"]
    with VideoSource(red) as out:
        assert out.frame(10)[1][:20].max() < 40      # hidden inside the box's frames
        assert frame_number(out.frame(30)[1]) == 30   # untouched after it
        assert frame_number(out.frame(3)[1]) == 3     # and before it


def test_viewer_over_the_evidence_service_records_custody_and_derived_items(qtbot, tmp_path: Path,  # noqa: ANN001
                                                                             monkeypatch: pytest.MonkeyPatch) -> None:
    from app.services.evidence import EvidenceService, intake
    from app.services.evidence.custody import timeline
    from app.views.evidence.open_viewer import open_viewer
    from tests.evidence_world import build_evidence_world

    monkeypatch.setenv("CANVASS_AUDIO_BACKEND", "null")
    ew = build_evidence_world(tmp_path)
    session = ew.session("ana")
    user, request_id = intake.check_intake(session, ew.recipients[0])
    src = write_video(tmp_path / "doorbell.mp4", seconds=1, fps=25)
    item_id = intake.intake_file(ew.conn, ew.evidence_dir, src, user, request_id, ew.recipients[0],
                                 intake.ClockOffset(-3.0, "entered")).item_id
    service = EvidenceService(session, ew.evidence_dir)
    viewer = open_viewer(None, service, item_id)
    assert viewer is not None
    qtbot.addWidget(viewer)
    assert viewer.item.clock_offset_s == -3.0
    assert viewer.item.recorded_start == datetime(2026, 3, 14, 21, 7, tzinfo=timezone.utc)  # the file's own clock
    for _ in range(6):
        qtbot.keyClick(viewer, Qt.Key.Key_Period)
    true_time = datetime(2026, 3, 14, 21, 7, 3, 240_000, tzinfo=timezone.utc).astimezone()  # 0.24 s in, +3 s
    assert viewer.view.overlay.startswith(f"{true_time:%Y-%m-%d %H:%M:%S}.240 {true_time.tzname()}  corrected")
    viewer.transport.still.click()
    kinds = [e.kind for e in timeline(session, item_id)]
    assert kinds[:2] == ["received", "viewed"] and "still" in kinds
    children = [r[0] for r in ew.conn.execute("SELECT id FROM evidence_items WHERE derived_from = ?", (item_id,))]
    assert len(children) == 1
    with VideoSource(service.item_path(children[0])) as png:
        assert frame_number(png.frame(0)[1]) == 6
    assert service.item_path(item_id).stat().st_mode & 0o222 == 0  # the original stays read-only, untouched
