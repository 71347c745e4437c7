"""Reading footage for review with PyAV (FFmpeg): exact frames by number, sequential decoding, audio as PCM.

PyAV is used rather than Qt Multimedia because review needs what a media player does not give: the exact frame
for a frame number (seek to the keyframe before it, then decode forward), pixel arrays for redaction and stills,
and the same decoder for intake's media information and for re-encoding derived items.

Frame numbers assume a constant frame rate (frame n starts at n / fps after the first frame), which is what
doorbell and CCTV exports use; a variable-rate file is shown at the frame nearest to each time.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import av
import numpy as np

AUDIO_RATE = 48_000
RECENT_FRAMES = 15  # decoded frames kept behind the last one asked for (YUV 4:2:0: 3 MB each at 1080p)


class VideoError(Exception):
    """The file cannot be read as video; the message says why in words a user can act on."""


@dataclass(frozen=True)
class VideoInfo:
    width: int
    height: int
    fps: float
    frame_count: int
    duration_s: float
    has_audio: bool
    codec: str

    def time_of(self, index: int) -> float:
        return index / self.fps

    def index_at(self, seconds: float) -> int:
        return max(0, min(self.frame_count - 1, int(round(seconds * self.fps))))


class VideoSource:
    """One open file. Not shared between threads: each thread opens its own."""

    def __init__(self, path: Path | str) -> None:
        self.path = Path(path)
        try:
            self._container = av.open(str(self.path))
        except (av.FFmpegError, OSError, UnicodeDecodeError) as exc:
            raise VideoError(f"{self.path.name} cannot be opened as video: {exc}") from None
        if not self._container.streams.video:
            self._container.close()
            raise VideoError(f"{self.path.name} holds no video stream.")
        self._stream = self._container.streams.video[0]
        self._stream.thread_type = "AUTO"
        rate = self._stream.average_rate or self._stream.guessed_rate or Fraction(25)
        self._fps = Fraction(rate)
        self._tb = self._stream.time_base or Fraction(1, 90_000)
        self._start = self._stream.start_time or 0
        self.info = self._read_info()
        self._frames: Iterator[av.VideoFrame] | None = None
        self._next_index = -1  # index the sequential decoder yields next; -1 = must seek
        # The frames decoded on the way to the last one asked for (a seek decodes from the keyframe before it):
        # a step back right after a jump takes one of them instead of decoding that stretch again.
        self._recent: deque[tuple[int, av.VideoFrame]] = deque(maxlen=RECENT_FRAMES)

    def _read_info(self) -> VideoInfo:
        s = self._stream
        if s.duration:
            duration = float(s.duration * self._tb)
        elif self._container.duration:
            duration = self._container.duration / av.time_base
        else:
            duration = 0.0
        count = s.frames or int(round(duration * float(self._fps)))
        return VideoInfo(width=s.codec_context.width, height=s.codec_context.height, fps=float(self._fps),
                         frame_count=max(1, count), duration_s=duration, has_audio=bool(self._container.streams.audio),
                         codec=s.codec_context.name)

    def close(self) -> None:
        self._frames = None
        self._container.close()

    def __enter__(self) -> VideoSource:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # --- frames ----------------------------------------------------------------------------------------------------
    def _index_of(self, frame: av.VideoFrame) -> int:
        pts = frame.pts if frame.pts is not None else self._start
        return int(round(float((pts - self._start) * self._tb * self._fps)))

    def _seek(self, index: int) -> None:
        target = self._start + int((Fraction(index) / self._fps) / self._tb)
        self._container.seek(max(self._start, target), stream=self._stream, backward=True, any_frame=False)
        self._frames = self._container.decode(self._stream)
        self._next_index = -1
        self._recent.clear()

    def _decoded(self) -> Iterator[tuple[int, av.VideoFrame]]:
        assert self._frames is not None
        for frame in self._frames:
            yield self._index_of(frame), frame

    def frame(self, index: int, size: tuple[int, int] | None = None) -> tuple[int, np.ndarray]:
        """The picture of frame `index` (clamped to the file) as RGB, optionally scaled to (width, height).

        Returns the index actually shown (the last frame when the file ends early)."""
        index = max(0, min(index, self.info.frame_count - 1))
        if self._frames is None or index < self._next_index or index > self._next_index + 2 * self.info.fps:
            self._seek(index)
        last: tuple[int, av.VideoFrame] | None = None
        for got, frame in self._decoded():
            last = (got, frame)
            self._recent.append(last)
            if got >= index:
                break
        if last is None:  # seeked past the end: the file is shorter than its header said
            if index == 0:
                raise VideoError(f"{self.path.name}: no picture could be decoded.")
            return self.frame(index - 1, size)
        got, frame = last
        self._next_index = got + 1
        return got, _rgb(frame, size)

    def recent_indexes(self) -> set[int]:
        return {got for got, _frame in self._recent}

    def recent_frame(self, index: int, size: tuple[int, int] | None = None) -> np.ndarray | None:
        """Frame `index` as RGB if it was decoded on the way to the last frame asked for (no decoding), else None."""
        for got, frame in self._recent:
            if got == index:
                return _rgb(frame, size)
        return None

    def frames(self, start: int = 0, size: tuple[int, int] | None = None) -> Iterator[tuple[int, np.ndarray]]:
        """Every frame from `start` to the end, in order, as (index, RGB array)."""
        first_index, first = self.frame(start, size)
        yield first_index, first
        for got, frame in self._decoded():
            self._next_index = got + 1
            yield got, _rgb(frame, size)

    def av_frames(self, start: int = 0) -> Iterator[tuple[int, av.VideoFrame]]:
        """Decoded frames from `start` on, as PyAV frames (for re-encoding without a colour round trip)."""
        self._seek(start)
        for got, frame in self._decoded():
            if got >= start:
                yield got, frame

    # --- sound -----------------------------------------------------------------------------------------------------
    def audio_pcm(self, start_s: float = 0.0) -> Iterator[tuple[float, bytes]]:
        """Sound from `start_s` on as 16-bit interleaved stereo at 48 kHz: (start time of the chunk, bytes)."""
        if not self._container.streams.audio:
            return
        container = av.open(str(self.path))  # its own demuxer, so video stepping is not disturbed
        try:
            stream = container.streams.audio[0]
            resampler = av.AudioResampler(format="s16", layout="stereo", rate=AUDIO_RATE)
            if start_s > 0:
                container.seek(int(start_s * av.time_base), backward=True)
            for frame in container.decode(stream):
                t = float(frame.time or 0.0)
                for out in resampler.resample(frame):
                    data = out.to_ndarray().tobytes()
                    if t + out.samples / AUDIO_RATE < start_s:
                        continue
                    if t < start_s:  # trim the head of the first chunk to the exact start
                        skip = int((start_s - t) * AUDIO_RATE) * 4
                        data, t = data[skip:], start_s
                    yield t, data
                    t += out.samples / AUDIO_RATE
        finally:
            container.close()


def _rgb(frame: av.VideoFrame, size: tuple[int, int] | None) -> np.ndarray:
    if size is None:
        return frame.to_ndarray(format="rgb24")
    return frame.reformat(width=max(2, size[0]), height=max(2, size[1]), format="rgb24").to_ndarray()
