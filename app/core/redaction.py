"""Redaction boxes drawn by hand over footage: keyframes, linear interpolation between them, and validation.

No automatic face or person detection exists here or anywhere in Canvass (DESIGN.md, principle 2): every box is
placed by a person, with a written reason, and its whole track is kept in the derived item's record.
Coordinates are pixels of the source picture (x, y = top-left corner).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

STYLES = ("solid", "blur")


@dataclass(frozen=True)
class Keyframe:
    frame: int
    x: float
    y: float
    w: float
    h: float


@dataclass
class RedactionBox:
    keyframes: list[Keyframe] = field(default_factory=list)
    style: str = "solid"
    reason: str = ""

    @property
    def first_frame(self) -> int:
        return min(k.frame for k in self.keyframes)

    @property
    def last_frame(self) -> int:
        return max(k.frame for k in self.keyframes)

    def set_keyframe(self, key: Keyframe) -> None:
        """Add a keyframe, replacing one already at the same frame; kept sorted by frame."""
        self.keyframes = sorted([k for k in self.keyframes if k.frame != key.frame] + [key], key=lambda k: k.frame)

    def rect_at(self, frame: int) -> tuple[float, float, float, float] | None:
        """The box at a frame, interpolated between the keyframes around it; None outside its first..last frame."""
        keys = sorted(self.keyframes, key=lambda k: k.frame)
        if not keys or frame < keys[0].frame or frame > keys[-1].frame:
            return None
        for a, b in zip(keys, keys[1:], strict=False):
            if a.frame <= frame <= b.frame:
                t = (frame - a.frame) / (b.frame - a.frame)
                return (a.x + (b.x - a.x) * t, a.y + (b.y - a.y) * t,
                        a.w + (b.w - a.w) * t, a.h + (b.h - a.h) * t)
        k = keys[-1]
        return (k.x, k.y, k.w, k.h)

    def to_dict(self) -> dict[str, Any]:
        return {"style": self.style, "reason": self.reason.strip(),
                "keyframes": [[k.frame, round(k.x, 2), round(k.y, 2), round(k.w, 2), round(k.h, 2)]
                              for k in sorted(self.keyframes, key=lambda k: k.frame)]}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> RedactionBox:
        keys = [Keyframe(int(f), float(x), float(y), float(w), float(h)) for f, x, y, w, h in data["keyframes"]]
        return cls(keyframes=keys, style=str(data.get("style", "solid")), reason=str(data.get("reason", "")))


def box_problems(boxes: list[RedactionBox], width: int, height: int, frame_count: int) -> list[str]:
    """Every reason the boxes cannot be exported as they are (empty: fine)."""
    problems: list[str] = []
    if not boxes:
        problems.append("Draw at least one box over the picture.")
    for n, box in enumerate(boxes, 1):
        if not box.keyframes:
            problems.append(f"Box {n} has no position.")
            continue
        if not box.reason.strip():
            problems.append(f"Box {n} needs a reason (what it hides and why).")
        if box.style not in STYLES:
            problems.append(f"Box {n} has an unknown fill '{box.style}'.")
        for k in box.keyframes:
            if k.w < 2 or k.h < 2:
                problems.append(f"Box {n} at frame {k.frame} is smaller than 2×2 pixels.")
            if k.x + k.w <= 0 or k.y + k.h <= 0 or k.x >= width or k.y >= height:
                problems.append(f"Box {n} at frame {k.frame} is outside the picture.")
            if not 0 <= k.frame < max(frame_count, 1):
                problems.append(f"Box {n} has a keyframe at frame {k.frame}, outside the footage.")
    return problems


def boxes_json(boxes: list[RedactionBox]) -> str:
    return json.dumps([b.to_dict() for b in boxes], separators=(",", ":"))


def pixel_rect(rect: tuple[float, float, float, float], width: int, height: int) -> tuple[int, int, int, int]:
    """A box rounded outward to whole pixels and clipped to the picture: (x0, y0, x1, y1), maybe empty."""
    x, y, w, h = rect
    x0, y0 = max(0, int(x)), max(0, int(y))
    x1, y1 = min(width, int(-(-(x + w) // 1))), min(height, int(-(-(y + h) // 1)))
    return x0, y0, max(x0, x1), max(y0, y1)
