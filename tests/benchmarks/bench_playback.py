"""Benchmark: playback of a 1080p H.264 file in the evidence viewer (targets: first frame < 300 ms after opening,
a frame step < 50 ms, 1× playback without dropped frames on this 2-core machine).

The file (10 s of 1920×1080 at 30 fps, H.264 + AAC, a keyframe every 2 s, a moving noise texture under the frame
counter so that it codes like real footage, about 8 Mbit/s) is written with PyAV first.
  open       — EvidenceViewer constructed, shown and the first frame painted (median of RUNS openings);
  step       — '.' (next frame) and ',' (previous frame) through the viewer's shortcuts, until painted; the
               first step back lands mid-way between keyframes, outside what the viewer keeps;
  playback   — 1× for the whole file at the viewer's default size (decoding at the size shown) and at full
               size: frames shown and dropped (a frame the clock passed before it could be shown).
Reference: decoding every frame of the file with PyAV alone (no conversion, no display), in the same run.

Run: .venv/bin/python tests/benchmarks/bench_playback.py
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("CANVASS_AUDIO_BACKEND", "null")

from PySide6.QtCore import Qt  # noqa: E402
from PySide6.QtTest import QTest  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from app.views.evidence.viewer import EvidenceViewer, ViewerItem  # noqa: E402
from tests.media import draw_frame  # noqa: E402

RUNS = 5


class _Backend:
    def viewed(self, item_id: int) -> None:
        pass

    def add_derived(self, parent_id: int, path: Path, kind: str, details: dict) -> int:
        return 0


def write_footage(path: Path, seconds: int = 10, fps: int = 30, width: int = 1920, height: int = 1080) -> Path:
    rng = np.random.default_rng(3)
    noise = rng.integers(0, 80, (height, width + 64 * seconds * fps // 8, 3), dtype=np.uint8)
    with av.open(str(path), "w", format="mp4") as out:
        v = out.add_stream("libx264", rate=fps)
        v.width, v.height, v.pix_fmt = width, height, "yuv420p"
        v.options = {"preset": "ultrafast", "g": str(2 * fps), "bf": "0", "b": "8M"}
        a = out.add_stream("aac", rate=48000)
        for i in range(seconds * fps):
            x = (i * 8) % (noise.shape[1] - width)
            img = np.clip(draw_frame(i, width, height).astype(np.int16) + noise[:, x:x + width] - 40, 0, 255)
            frame = av.VideoFrame.from_ndarray(img.astype(np.uint8), format="rgb24")
            frame.pts, frame.time_base = i, Fraction(1, fps)
            for packet in v.encode(frame):
                out.mux(packet)
        for packet in v.encode():
            out.mux(packet)
        tone = (0.2 * np.sin(2 * np.pi * 440 * np.arange(seconds * 48000) / 48000)).astype(np.float32)
        for start in range(0, tone.size, 1024):
            af = av.AudioFrame.from_ndarray(tone[start:start + 1024].reshape(1, -1), format="fltp", layout="mono")
            af.sample_rate, af.pts, af.time_base = 48000, start, Fraction(1, 48000)
            for packet in a.encode(af):
                out.mux(packet)
        for packet in a.encode():
            out.mux(packet)
    return path


def _painted(app: QApplication, viewer: EvidenceViewer) -> None:
    viewer.view.repaint()
    app.processEvents()


def main() -> None:
    app = QApplication.instance() or QApplication([])
    folder = Path(tempfile.mkdtemp(prefix="bench-playback-"))
    t = time.perf_counter()
    path = write_footage(folder / "hd.mp4")
    print(f"wrote {path.stat().st_size / 1e6:.1f} MB 1080p test file in {time.perf_counter() - t:.1f} s")

    t = time.perf_counter()
    with av.open(str(path)) as c:
        c.streams.video[0].thread_type = "AUTO"
        frames = sum(1 for _ in c.decode(video=0))
    decode_s = time.perf_counter() - t
    print(f"reference: PyAV decodes {frames} frames in {decode_s:.2f} s = {frames / decode_s:.0f} frames/s "
          f"({frames / decode_s / 30:.1f}× real time)")

    opens, steps_fwd, steps_back, first_back, first_back_paused = [], [], [], [], []
    for _ in range(RUNS):
        t = time.perf_counter()
        viewer = EvidenceViewer(ViewerItem(1, path, "hd"), _Backend())
        viewer.show()
        _painted(app, viewer)
        opens.append(time.perf_counter() - t)
        QTest.qWaitForWindowExposed(viewer)
        for _ in range(10):
            t = time.perf_counter()
            QTest.keyClick(viewer, Qt.Key.Key_Period)
            _painted(app, viewer)
            steps_fwd.append(time.perf_counter() - t)
        for pause_s, firsts in ((0.0, first_back), (0.5, first_back_paused)):
            viewer.player.show_frame(60 * (len(opens) % 4) + 50)  # far from anything kept
            time.sleep(pause_s)
            for n in range(10):
                t = time.perf_counter()
                QTest.keyClick(viewer, Qt.Key.Key_Comma)
                _painted(app, viewer)
                (firsts if n == 0 else steps_back).append(time.perf_counter() - t)
        viewer.close()
        app.processEvents()
    print(f"open to first frame painted: median {statistics.median(opens) * 1000:.0f} ms (target < 300)")
    print(f"frame step forward: median {statistics.median(steps_fwd) * 1000:.1f} ms, "
          f"max {max(steps_fwd) * 1000:.1f} ms (target < 50)")
    print(f"frame step back at once after a seek (decodes from the keyframe before): median "
          f"{statistics.median(first_back) * 1000:.1f} ms, max {max(first_back) * 1000:.1f} ms (target < 50)")
    print(f"frame step back 0.5 s after a seek: median {statistics.median(first_back_paused) * 1000:.1f} ms, "
          f"max {max(first_back_paused) * 1000:.1f} ms (target < 50)")
    print(f"frame step back, further: median {statistics.median(steps_back) * 1000:.1f} ms, "
          f"max {max(steps_back) * 1000:.1f} ms (target < 50)")

    for label, size in (("viewer's default size", None), ("full 1920×1080", (1920, 1080))):
        viewer = EvidenceViewer(ViewerItem(1, path, "hd"), _Backend())
        viewer.show()
        _painted(app, viewer)
        if size is not None:
            viewer.player.display_size = None
        player = viewer.player
        shown_at = player.display_size or (1920, 1080)
        player.play()
        t = time.perf_counter()
        while player.playing and time.perf_counter() - t < 20:
            app.processEvents()
            time.sleep(0.001)
        wall = time.perf_counter() - t
        print(f"1× playback at {label} (decoded at {shown_at[0]}×{shown_at[1]}): {player.shown} frames shown, "
              f"{player.dropped} dropped, {wall:.2f} s for a {frames / 30:.1f} s file")
        viewer.close()
        app.processEvents()


if __name__ == "__main__":
    main()
