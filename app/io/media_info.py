"""Media information read from the container with PyAV (`av`, which bundles FFmpeg).

Why PyAV and not Qt Multimedia: Qt Multimedia is not in PySide6-Essentials (it is in the much larger Addons
wheel), and its metadata arrives asynchronously from a QMediaPlayer on the GUI thread, so it cannot run in the
intake worker. PyAV opens the container synchronously in any thread, reads duration, streams, codecs, frame
rate and creation time without decoding, and the same library decodes frames exactly for the viewer and
re-encodes clips and redactions. Only the container headers are read here (plus at most one packet per stream
if the header lacks a duration), so this is fast even for multi-GB files.
"""

from __future__ import annotations

import logging
from fractions import Fraction
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

IMAGE_FORMATS = ("image2", "png_pipe", "jpeg_pipe", "bmp_pipe", "webp_pipe", "tiff_pipe", "gif")


def _rate(value: Fraction | None) -> float | None:
    if value is None or value == 0:
        return None
    return round(float(value), 3)


def probe(path: Path | str) -> dict[str, Any] | None:
    """The file's media information as a JSON-ready dict, or None if it is not audio, video or an image.

    Keys: kind ("video", "audio", "image"), container, duration_s, width, height, fps, frames, video_codec,
    audio_codec, audio_channels, audio_rate, creation_time (as the container states it, or None), streams."""
    import av  # heavy: loaded when the first file is probed, not at start-up

    path = Path(path)

    try:
        container = av.open(str(path), "r", metadata_errors="ignore")
    except (av.FFmpegError, OSError, ValueError, UnicodeDecodeError) as exc:
        log.info("not media (%s): %s", path.name, exc)
        return None
    try:
        streams = [s for s in container.streams if s.type in ("video", "audio")]
        if not streams:
            return None
        fmt = container.format.name
        video = next((s for s in container.streams.video), None)
        audio = next((s for s in container.streams.audio), None)
        if video is not None and video.codec_context is None:
            return None
        duration_s = container.duration / 1_000_000 if container.duration else None
        if duration_s is None and video is not None and video.duration and video.time_base:
            duration_s = float(video.duration * video.time_base)
        is_image = fmt in IMAGE_FORMATS or (video is not None and fmt.endswith("_pipe"))
        meta = {str(k): str(v) for k, v in container.metadata.items()}
        creation = meta.get("creation_time")
        if creation is None and video is not None:
            creation = video.metadata.get("creation_time")
        info: dict[str, Any] = {
            "kind": "image" if is_image else ("video" if video is not None else "audio"),
            "container": fmt,
            "duration_s": round(duration_s, 3) if duration_s is not None and not is_image else None,
            "width": video.codec_context.width if video is not None else None,
            "height": video.codec_context.height if video is not None else None,
            "fps": _rate(video.average_rate or video.guessed_rate) if video is not None and not is_image else None,
            "frames": (video.frames or None) if video is not None and not is_image else None,
            "video_codec": video.codec_context.name if video is not None else None,
            "audio_codec": audio.codec_context.name if audio is not None else None,
            "audio_channels": audio.codec_context.channels if audio is not None else None,
            "audio_rate": audio.codec_context.sample_rate if audio is not None else None,
            "creation_time": creation,
            "streams": [{"index": s.index, "type": s.type, "codec": s.codec_context.name} for s in streams],
        }
        return info
    except (av.FFmpegError, AttributeError, ValueError) as exc:
        log.info("unreadable media (%s): %s", path.name, exc)
        return None
    finally:
        container.close()


def summary(info: dict[str, Any] | None) -> str:
    """One line for tables: "video 00:00:02 · 320×240 · 25 fps · h264/aac"."""
    if not info:
        return "not media"
    parts = [info.get("kind", "")]
    d = info.get("duration_s")
    if d is not None:
        total = int(round(d))
        parts.append(f"{total // 3600:02d}:{total % 3600 // 60:02d}:{total % 60:02d}")
    if info.get("width"):
        parts.append(f"{info['width']}×{info['height']}")
    if info.get("fps"):
        parts.append(f"{info['fps']:g} fps")
    codecs = "/".join(c for c in (info.get("video_codec"), info.get("audio_codec")) if c)
    if codecs:
        parts.append(codecs)
    return " · ".join(p for p in parts if p)
