"""The sound of a file during 1× playback, through miniaudio (a small self-contained audio output library).

miniaudio rather than Qt Multimedia: Qt Multimedia is not in PySide6-Essentials, and PySide6-Addons would add about
175 MB to every install for one audio sink. miniaudio's wheel carries its own backends (PulseAudio, ALSA, …) and a
null device, so a machine without a sound card plays silently instead of failing. Sound plays only at 1×; at other
speeds it is muted (the speed box says so). A thread decodes ahead into a bounded buffer that the device drains.
"""

from __future__ import annotations

import collections
import logging
import os
import threading
from collections.abc import Generator
from pathlib import Path

from app.io.video import AUDIO_RATE, VideoSource

log = logging.getLogger(__name__)

BUFFER_S = 1.0
# CANVASS_AUDIO_BACKEND=null plays into miniaudio's null device (tests, machines with no sound card).
BACKEND_ENV = "CANVASS_AUDIO_BACKEND"


class SoundOut:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.available = True
        self.problem = ""
        self.played_bytes = 0
        self._device = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._chunks: collections.deque[bytes] = collections.deque()
        self._buffered = 0
        self._lock = threading.Condition()

    def start(self, start_s: float) -> None:
        self.stop()
        if not self.available:
            return
        try:
            import miniaudio

            backends = [miniaudio.Backend.NULL] if os.environ.get(BACKEND_ENV) == "null" else None
            self._device = miniaudio.PlaybackDevice(output_format=miniaudio.SampleFormat.SIGNED16, nchannels=2,
                                                    sample_rate=AUDIO_RATE, backends=backends)
        except Exception as exc:  # noqa: BLE001 - any failure to open a sound device means: play without sound
            self.available, self.problem = False, f"no sound device ({exc})"
            log.info("playing without sound: %s", exc)
            self._device = None
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._fill, args=(start_s,), name="evidence-sound", daemon=True)
        self._thread.start()
        stream = self._drain()
        next(stream)
        self._device.start(stream)

    def stop(self) -> None:
        self._stop.set()
        with self._lock:
            self._lock.notify_all()
        if self._device is not None:
            self._device.close()
            self._device = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        self._chunks.clear()
        self._buffered = 0

    def _fill(self, start_s: float) -> None:
        limit = int(BUFFER_S * AUDIO_RATE * 4)
        try:
            with VideoSource(self.path) as video:
                for _t, data in video.audio_pcm(start_s):
                    with self._lock:
                        while self._buffered > limit and not self._stop.is_set():
                            self._lock.wait(0.1)
                        if self._stop.is_set():
                            return
                        self._chunks.append(data)
                        self._buffered += len(data)
        except Exception as exc:  # noqa: BLE001 - a damaged sound track ends the sound, not the playback
            log.warning("sound of %s stopped: %s", self.path.name, exc)

    def _drain(self) -> Generator[bytes, int, None]:
        wanted = yield b""
        while True:
            need = wanted * 4
            out = bytearray()
            with self._lock:
                while need > len(out) and self._chunks:
                    chunk = self._chunks.popleft()
                    take = need - len(out)
                    out += chunk[:take]
                    if len(chunk) > take:
                        self._chunks.appendleft(chunk[take:])
                self._buffered -= len(out)
                self._lock.notify_all()
            self.played_bytes += len(out)
            out += bytes(need - len(out))  # silence while the decoder catches up
            wanted = yield bytes(out)
