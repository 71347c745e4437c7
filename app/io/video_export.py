"""Derived footage: a still (PNG), a clip (in..out, re-encoded), a redacted copy (boxes burned in, re-encoded).

The original is only ever read. Each function writes `dst` through a temporary name in the same folder and renames
it when complete, so a cancel or a crash leaves no partial file under the final name. `control` is anything with
`check()` (raises to cancel) and `progress(done, total)` — the workers' JobControl.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from fractions import Fraction
from pathlib import Path
from typing import Protocol

import av
import numpy as np

from app.core.redaction import RedactionBox, pixel_rect
from app.io.video import AUDIO_RATE, VideoSource


class Control(Protocol):
    def check(self) -> None: ...
    def progress(self, done: int, total: int) -> None: ...


class _NoControl:
    def check(self) -> None:
        pass

    def progress(self, done: int, total: int) -> None:
        pass


@contextmanager
def _atomic(dst: Path) -> Iterator[Path]:
    part = dst.with_name(f".{dst.name}.part")
    try:
        yield part
        with open(part, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(part, dst)
    finally:
        part.unlink(missing_ok=True)


def png_bytes(rgb: np.ndarray) -> bytes:
    """One RGB picture as PNG bytes, encoded by FFmpeg's PNG encoder."""
    codec = av.CodecContext.create("png", "w")
    codec.width, codec.height, codec.pix_fmt = rgb.shape[1], rgb.shape[0], "rgb24"
    frame = av.VideoFrame.from_ndarray(np.ascontiguousarray(rgb), format="rgb24")
    return b"".join(bytes(p) for p in codec.encode(frame)) + b"".join(bytes(p) for p in codec.encode(None))


def export_still(src: Path, index: int, dst: Path) -> int:
    """Frame `index` of `src` as a full-resolution PNG at `dst`; returns the frame number written."""
    with VideoSource(src) as video:
        got, rgb = video.frame(index)
    with _atomic(dst) as part:
        part.write_bytes(png_bytes(rgb))
    return got


def export_clip(src: Path, dst: Path, first: int, last: int, control: Control | None = None) -> int:
    """Frames first..last (inclusive) and the sound under them, re-encoded as H.264/AAC MP4; returns frames."""
    return _reencode(src, dst, first, last, None, control or _NoControl())


def export_redacted(src: Path, dst: Path, boxes: list[RedactionBox], control: Control | None = None) -> int:
    """The whole of `src` with every box filled (solid black or blurred) where it is, re-encoded; returns frames."""
    return _reencode(src, dst, 0, None, boxes, control or _NoControl())


def _reencode(src: Path, dst: Path, first: int, last: int | None, boxes: list[RedactionBox] | None,
              control: Control) -> int:
    with VideoSource(src) as video, _atomic(dst) as part:
        info = video.info
        last = info.frame_count - 1 if last is None else min(last, info.frame_count - 1)
        first = max(0, min(first, last))
        total = last - first + 1
        out = av.open(str(part), "w", format="mp4")
        try:
            rate = Fraction(info.fps).limit_denominator(1001)
            vs = out.add_stream("libx264", rate=rate)
            vs.width, vs.height, vs.pix_fmt = info.width - info.width % 2, info.height - info.height % 2, "yuv420p"
            vs.options = {"crf": "18", "preset": "veryfast"}
            # Every stream is declared before the first packet: the container's header is written then.
            audio = out.add_stream("aac", rate=AUDIO_RATE, layout="stereo") if info.has_audio else None
            written = 0
            for index, frame in video.av_frames(first):
                if index > last:
                    break
                control.check()
                if boxes:
                    rgb = frame.to_ndarray(format="rgb24")
                    apply_boxes(rgb, boxes, index)
                    frame = av.VideoFrame.from_ndarray(rgb, format="rgb24")
                picture = frame.reformat(width=vs.width, height=vs.height, format="yuv420p")
                picture.pts, picture.time_base = written, 1 / rate
                for packet in vs.encode(picture):
                    out.mux(packet)
                written += 1
                if written % 10 == 0:
                    control.progress(written, total)
            for packet in vs.encode(None):
                out.mux(packet)
            if audio is not None:
                _copy_audio(video, out, audio, first / info.fps, (last + 1) / info.fps, control)
        finally:
            out.close()
        control.progress(total, total)
    return written


def _copy_audio(video: VideoSource, out: av.container.OutputContainer, stream: av.audio.stream.AudioStream,
                start_s: float, end_s: float, control: Control) -> None:
    samples = 0
    wanted = int((end_s - start_s) * AUDIO_RATE)
    for _t, data in video.audio_pcm(start_s):
        control.check()
        pcm = np.frombuffer(data, dtype=np.int16).reshape(1, -1)[:, : (wanted - samples) * 2]
        if pcm.shape[1] == 0:
            break
        frame = av.AudioFrame.from_ndarray(pcm, format="s16", layout="stereo")
        frame.sample_rate = AUDIO_RATE
        frame.pts = samples
        samples += pcm.shape[1] // 2
        for packet in stream.encode(frame):
            out.mux(packet)
    for packet in stream.encode(None):
        out.mux(packet)


def apply_boxes(rgb: np.ndarray, boxes: list[RedactionBox], index: int) -> None:
    """Fill each box present at frame `index`, in place."""
    height, width = rgb.shape[:2]
    for box in boxes:
        rect = box.rect_at(index)
        if rect is None:
            continue
        x0, y0, x1, y1 = pixel_rect(rect, width, height)
        if x1 <= x0 or y1 <= y0:
            continue
        if box.style == "blur":
            rgb[y0:y1, x0:x1] = _blurred(rgb[y0:y1, x0:x1])
        else:
            rgb[y0:y1, x0:x1] = 0


def _blurred(patch: np.ndarray) -> np.ndarray:
    """A blur that cannot be undone: averaged over blocks of a quarter of the box, then smoothed."""
    h, w = patch.shape[:2]
    block = max(6, min(h, w) // 4)
    ys, xs = np.arange(h) // block, np.arange(w) // block
    sums = np.zeros((ys[-1] + 1, xs[-1] + 1, 3), np.float64)
    np.add.at(sums, (ys[:, None], xs[None, :]), patch.astype(np.float64))
    counts = np.zeros((ys[-1] + 1, xs[-1] + 1, 1), np.float64)
    np.add.at(counts, (ys[:, None], xs[None, :]), 1.0)
    coarse = (sums / counts)[ys[:, None], xs[None, :]]
    return _box_smooth(coarse, block // 2 + 1).astype(np.uint8)


def _box_smooth(img: np.ndarray, r: int) -> np.ndarray:
    for axis in (0, 1):
        n = img.shape[axis]
        pad = [(0, 0)] * img.ndim
        pad[axis] = (r + 1, r)
        c = np.cumsum(np.pad(img, pad, mode="edge"), axis=axis)
        hi = np.take(c, np.arange(2 * r + 1, 2 * r + 1 + n), axis=axis)
        lo = np.take(c, np.arange(0, n), axis=axis)
        img = (hi - lo) / (2 * r + 1)
    return img


