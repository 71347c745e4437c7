"""Playback of one evidence file: exact frames when paused, a decoding thread ahead of the clock when playing.

Paused, every frame shown is decoded exactly (app.io.video); recently shown frames are kept (bounded by bytes) so
stepping back within them is instant, and stepping back past them decodes the stretch from the keyframe before,
keeping it. Playing, a thread decodes ahead into a short queue at the size the picture is shown at, and a precise
timer shows the frame the clock has reached; a frame the clock passed before it was shown counts as dropped.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections import OrderedDict
from pathlib import Path

import numpy as np
from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QImage

from app.io.video import VideoError, VideoInfo, VideoSource
from app.views.evidence.sound import SoundOut

log = logging.getLogger(__name__)

SPEEDS = (0.25, 0.5, 1.0, 1.5, 2.0, 4.0)
CACHE_BYTES = 96 * 1024 * 1024
QUEUE_FRAMES = 8
LOOK_BEHIND = 15  # frames decoded ahead of a step back while paused


def to_qimage(rgb: np.ndarray) -> QImage:
    h, w = rgb.shape[:2]
    return QImage(np.ascontiguousarray(rgb).data, w, h, 3 * w, QImage.Format.Format_RGB888).copy()


class _FrameCache:
    def __init__(self, limit_bytes: int = CACHE_BYTES) -> None:
        self._images: OrderedDict[int, QImage] = OrderedDict()
        self._bytes = 0
        self._limit = limit_bytes

    def get(self, index: int) -> QImage | None:
        image = self._images.get(index)
        if image is not None:
            self._images.move_to_end(index)
        return image

    def put(self, index: int, image: QImage) -> None:
        if index in self._images:
            return
        self._images[index] = image
        self._bytes += image.sizeInBytes()
        while self._bytes > self._limit and len(self._images) > 1:
            _, old = self._images.popitem(last=False)
            self._bytes -= old.sizeInBytes()

    def clear(self) -> None:
        self._images.clear()
        self._bytes = 0


class _Decoder(threading.Thread):
    """Decodes frames start, start+1, … into a bounded queue until stopped or the file ends."""

    def __init__(self, path: Path, start: int, size: tuple[int, int] | None) -> None:
        super().__init__(name="evidence-decoder", daemon=True)
        self.path, self.start_index, self.size = path, start, size
        self.frames: queue.Queue[tuple[int, QImage] | None] = queue.Queue(maxsize=QUEUE_FRAMES)
        self._halt = threading.Event()

    def stop(self) -> None:
        self._halt.set()
        try:  # unblock a put() waiting on a full queue
            while True:
                self.frames.get_nowait()
        except queue.Empty:
            pass

    def run(self) -> None:
        try:
            with VideoSource(self.path) as video:
                for index, rgb in video.frames(self.start_index, self.size):
                    image = to_qimage(rgb)
                    while not self._halt.is_set():
                        try:
                            self.frames.put((index, image), timeout=0.05)
                            break
                        except queue.Full:
                            continue
                    if self._halt.is_set():
                        return
        except (VideoError, OSError, ValueError) as exc:  # a damaged tail: playback stops where decoding did
            log.warning("decoding %s stopped: %s", self.path.name, exc)
        finally:
            if not self._halt.is_set():
                self.frames.put(None)


class _Behind(threading.Thread):
    """Decodes frames first..last-1 with its own decoder, for stepping back while paused."""

    def __init__(self, path: Path, first: int, last: int, size: tuple[int, int] | None) -> None:
        super().__init__(name="evidence-look-behind", daemon=True)
        self.path, self.first, self.target, self.size = path, first, last, size
        self._out: list[tuple[int, QImage]] = []
        self._lock = threading.Lock()
        self._halt = threading.Event()

    def stop(self) -> None:
        self._halt.set()

    def take(self) -> list[tuple[int, QImage]]:
        with self._lock:
            out, self._out = self._out, []
        return out

    def run(self) -> None:
        try:
            with VideoSource(self.path) as video:
                for got, rgb in video.frames(self.first, self.size):
                    if self._halt.is_set() or got >= self.target:
                        return
                    with self._lock:
                        self._out.append((got, to_qimage(rgb)))
        except (VideoError, OSError, ValueError) as exc:
            log.info("look-behind decoding of %s stopped: %s", self.path.name, exc)


class Player(QObject):
    frame_shown = Signal(int)        # index of the frame now shown
    playing_changed = Signal(bool)
    finished = Signal()

    def __init__(self, path: Path, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.path = Path(path)
        self._video = VideoSource(self.path)  # raises VideoError for a file that is not video
        self.info: VideoInfo = self._video.info
        self._cache = _FrameCache()
        self.index = -1
        self.image = QImage()
        self.speed = 1.0
        self.display_size: tuple[int, int] | None = None  # decode at this size while playing (None: full size)
        self.dropped = 0
        self.shown = 0
        self._decoder: _Decoder | None = None
        self._behind: _Behind | None = None
        self._pending: tuple[int, QImage] | None = None
        self._clock_start = 0.0
        self._clock_index = 0
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self._tick)
        self.sound = SoundOut(self.path) if self.info.has_audio else None

    @property
    def playing(self) -> bool:
        return self._decoder is not None

    # --- paused: exact frames --------------------------------------------------------------------------------------
    def show_frame(self, index: int) -> int:
        """Show frame `index` exactly (pausing playback); returns the index shown."""
        if self.playing:
            self.pause()
        index = max(0, min(index, self.info.frame_count - 1))
        image = self._cache.get(index)
        if image is None:
            # decoded on the way to the frame shown before (right after a jump, before the look-behind is in)
            recent = self._video.recent_frame(index, self.display_size)
            if recent is not None:
                image = to_qimage(recent)
                self._cache.put(index, image)
        if image is None:
            self._take_prefetched(index)
            image = self._cache.get(index)
        if image is None:
            got, rgb = self._video.frame(index, self.display_size)
            index, image = got, to_qimage(rgb)
            self._cache.put(index, image)
        self._show(index, image)
        self._prefetch_behind(index)
        return index

    def _prefetch_behind(self, index: int) -> None:
        """While paused, decode the frames just before the one shown in the background, so ',' is instant."""
        recent = self._video.recent_indexes()  # decoded on the way here: no need to decode them again
        if all(i in recent or self._cache.get(i) is not None for i in range(max(0, index - LOOK_BEHIND // 3), index)):
            return  # enough is kept behind this frame already
        if self._behind is not None:
            self._behind.stop()
        self._behind = _Behind(self.path, max(0, index - LOOK_BEHIND), index, self.display_size)
        self._behind.start()

    def _take_prefetched(self, index: int) -> None:
        behind = self._behind
        if behind is None:
            return
        for got, image in behind.take():
            self._cache.put(got, image)
        if self._cache.get(index) is None and behind.is_alive() and behind.first <= index < behind.target:
            behind.join(timeout=2.0)  # it is decoding that very stretch: waiting costs less than decoding again
            for got, image in behind.take():
                self._cache.put(got, image)

    def step(self, delta: int) -> int:
        return self.show_frame((self.index if self.index >= 0 else 0) + delta)

    def seek_time(self, seconds: float) -> int:
        return self.show_frame(self.info.index_at(seconds))

    # --- playing ---------------------------------------------------------------------------------------------------
    def set_speed(self, speed: float) -> None:
        was = self.playing
        if was:
            self.pause()
        self.speed = float(speed)
        if was:
            self.play()

    def play(self) -> None:
        if self.playing:
            return
        start = self.index + 1 if 0 <= self.index < self.info.frame_count - 1 else 0
        self._decoder = _Decoder(self.path, start, self.display_size)
        self._decoder.start()
        self._pending = None
        self._clock_index = start
        self._clock_start = time.perf_counter()
        if self.sound is not None and self.speed == 1.0:
            self.sound.start(start / self.info.fps)
        self._timer.start(max(1, int(500 / (self.info.fps * self.speed))))
        self.playing_changed.emit(True)

    def pause(self) -> None:
        if self._decoder is None:
            return
        self._timer.stop()
        self._decoder.stop()
        self._decoder.join(timeout=5)
        self._decoder = None
        self._pending = None
        if self.sound is not None:
            self.sound.stop()
        self.playing_changed.emit(False)

    def toggle(self) -> None:
        self.pause() if self.playing else self.play()

    def close(self) -> None:
        self.pause()
        if self._behind is not None:
            self._behind.stop()
            self._behind.join(timeout=5)
        self._video.close()
        self._cache.clear()

    def _tick(self) -> None:
        assert self._decoder is not None
        due = self._clock_index + int((time.perf_counter() - self._clock_start) * self.info.fps * self.speed)
        best: tuple[int, QImage] | None = None
        while True:
            item = self._pending
            if item is None:
                try:
                    item = self._decoder.frames.get_nowait()
                except queue.Empty:
                    break
                if item is None:  # the end of the file
                    if best is not None:
                        self._show(*best, count=True)
                    self.pause()
                    self.finished.emit()
                    return
            self._pending = None
            if item[0] > due:
                self._pending = item
                break
            if best is not None:
                self.dropped += 1
            best = item
        if best is not None:
            self._show(*best, count=True)

    def _show(self, index: int, image: QImage, count: bool = False) -> None:
        self.index, self.image = index, image
        if count:
            self.shown += 1
        self.frame_shown.emit(index)
