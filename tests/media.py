"""Real short videos for tests, written with PyAV: H.264 video (+ AAC audio) with the frame number in the picture.

    from tests.media import write_video, frame_number
    path = write_video(tmp_path / "clip.mp4", seconds=2, fps=25)      # 50 frames, 320x240, H.264 + AAC
    with av.open(path) as c:
        for i, frame in enumerate(c.decode(video=0)):
            assert frame_number(frame.to_ndarray(format="rgb24")) == i

Every frame carries its index twice: as large digits (for people looking at a screenshot) and as a row of
16 black/white blocks along the top (bit 15 first), which frame_number() reads back exactly even after lossy
coding and scaling. Keep sizes small: the whole suite shares two cores.
"""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import av
import numpy as np

BITS = 16
BAR_H_FRAC = 0.12  # the bit row's share of the picture height

# A 3x5 pixel font for the digits, one string per row.
_FONT = {
    "0": ["111", "101", "101", "101", "111"], "1": ["010", "110", "010", "010", "111"],
    "2": ["111", "001", "111", "100", "111"], "3": ["111", "001", "111", "001", "111"],
    "4": ["101", "101", "111", "001", "001"], "5": ["111", "100", "111", "001", "111"],
    "6": ["111", "100", "111", "101", "111"], "7": ["111", "001", "010", "010", "010"],
    "8": ["111", "101", "111", "101", "111"], "9": ["111", "101", "111", "001", "111"],
}


def draw_frame(index: int, width: int, height: int) -> np.ndarray:
    """The RGB picture of frame `index`: grey background, the bit row on top, the number in big digits."""
    img = np.full((height, width, 3), 96, dtype=np.uint8)
    bar_h = max(8, int(height * BAR_H_FRAC))
    block_w = width // BITS
    for bit in range(BITS):
        on = (index >> (BITS - 1 - bit)) & 1
        img[:bar_h, bit * block_w:(bit + 1) * block_w] = 255 if on else 0
    text = str(index)
    scale = max(2, min((height - bar_h) // 8, width // (4 * max(len(text), 4))))
    x0, y0 = scale, bar_h + scale
    for ch in text:
        for r, row in enumerate(_FONT[ch]):
            for c, px in enumerate(row):
                if px == "1":
                    img[y0 + r * scale:y0 + (r + 1) * scale, x0 + c * scale:x0 + (c + 1) * scale] = 255
        x0 += 4 * scale
    return img


def frame_number(rgb: np.ndarray) -> int:
    """Read the frame index back from a decoded picture (any size: the bit row scales with it)."""
    height, width = rgb.shape[:2]
    bar_h = max(8, int(height * BAR_H_FRAC))
    block_w = width / BITS
    row = rgb[bar_h // 4: max(bar_h // 4 + 1, 3 * bar_h // 4)]
    value = 0
    for bit in range(BITS):
        x0, x1 = int(bit * block_w + block_w / 4), int((bit + 1) * block_w - block_w / 4)
        level = float(row[:, x0:max(x1, x0 + 1)].mean())
        value = (value << 1) | (1 if level > 128 else 0)
    return value


def write_video(path: Path, seconds: float = 2.0, fps: int = 25, width: int = 320, height: int = 240,
                audio: bool = True, creation_time: str | None = "2026-03-14T21:07:00.000000Z",
                gop: int = 12) -> Path:
    """An MP4 of H.264 video (yuv420p, a keyframe every `gop` frames) and, with audio, a 440 Hz AAC tone."""
    path = Path(path)
    frames = int(round(seconds * fps))
    with av.open(str(path), "w", format="mp4") as out:
        if creation_time:
            out.metadata["creation_time"] = creation_time
        v = out.add_stream("libx264", rate=fps)
        v.width, v.height, v.pix_fmt = width, height, "yuv420p"
        v.options = {"preset": "ultrafast", "tune": "zerolatency", "g": str(gop), "bf": "0"}
        v.codec_context.time_base = Fraction(1, fps)
        a = None
        if audio:
            a = out.add_stream("aac", rate=48000)
            a.codec_context.layout = "mono"
        for i in range(frames):
            frame = av.VideoFrame.from_ndarray(draw_frame(i, width, height), format="rgb24")
            frame.pts = i
            frame.time_base = Fraction(1, fps)
            for packet in v.encode(frame):
                out.mux(packet)
        for packet in v.encode():
            out.mux(packet)
        if a is not None:
            rate, chunk = 48000, 1024
            total = int(seconds * rate)
            t = np.arange(total, dtype=np.float32) / rate
            tone = (0.2 * np.sin(2 * np.pi * 440.0 * t)).astype(np.float32)
            for start in range(0, total, chunk):
                samples = tone[start:start + chunk]
                af = av.AudioFrame.from_ndarray(samples.reshape(1, -1), format="fltp", layout="mono")
                af.sample_rate = rate
                af.pts = start
                af.time_base = Fraction(1, rate)
                for packet in a.encode(af):
                    out.mux(packet)
            for packet in a.encode():
                out.mux(packet)
    return path


def write_not_media(path: Path, size: int = 4096) -> Path:
    """A file that is not media: text with a PDF-ish header is deliberately not used, just plain bytes."""
    path = Path(path)
    rng = np.random.default_rng(7)
    path.write_bytes(b"not a video\n" + rng.integers(0, 256, size, dtype=np.uint8).tobytes())
    return path
