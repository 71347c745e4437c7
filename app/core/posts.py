"""Community-feed posts (rows of the incidents table): the record and the parsing of their values. Pure Python."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from app.core.records import StrEnum, to_iso


class Moderation(StrEnum):
    PENDING = "pending"      # in the moderation queue
    HELD = "held"            # anti-profiling hold: waits for the poster to add detail
    PUBLISHED = "published"
    REJECTED = "rejected"


MODERATION_LABELS = {"pending": "Awaiting moderation", "held": "Held: needs detail", "published": "Published",
                     "rejected": "Rejected"}
SOURCE_LABELS = {"resident_post": "Resident post", "agency_report": "Agency alert"}
CATEGORIES = ("Package theft", "Suspicious activity", "Vehicle break-in", "Burglary", "Vandalism", "Lost pet",
              "Hit and run", "Assault", "Robbery", "Safety alert", "Other")


@dataclass
class Post:
    id: int | None
    occurred_at: str                   # UTC ISO
    category: str
    text: str = ""
    source: str = "resident_post"
    lat: float | None = None
    lon: float | None = None
    block_address: str = ""
    media_url: str = ""
    case_number: str = ""
    agency_id: int | None = None
    posted_by: str = ""
    moderation: str = Moderation.PENDING.value
    moderation_reason: str = ""
    created_at: str = ""

    @property
    def mapped(self) -> bool:
        return self.lat is not None and self.lon is not None


_FORMATS = ("%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%m/%d/%Y %H:%M:%S", "%m/%d/%Y %H:%M", "%m/%d/%Y %I:%M:%S %p",
            "%m/%d/%Y %I:%M %p", "%Y-%m-%d", "%m/%d/%Y", "%Y/%m/%d %H:%M:%S", "%Y/%m/%d")


def zone(name: str | None) -> tzinfo:
    """The named IANA zone; None/'' = this computer's local zone. ValueError for an unknown name."""
    if not name:
        local = datetime.now().astimezone().tzinfo
        return local or timezone.utc
    if name.upper() == "UTC":
        return timezone.utc
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {name!r} (use an IANA name such as America/New_York)") from None


def parse_time(text: str, tz: tzinfo) -> str:
    """UTC ISO from a date/time in the file. A time without an offset is local time in tz."""
    t = " ".join(text.split())
    if not t:
        raise ValueError("no time given")
    dt: datetime | None = None
    try:
        dt = datetime.fromisoformat(t.replace("Z", "+00:00"))
    except ValueError:
        for fmt in _FORMATS:
            try:
                dt = datetime.strptime(t, fmt)
                break
            except ValueError:
                continue
    if dt is None:
        raise ValueError(f"time {t!r} is not a date and time (e.g. 2014-01-01 13:00 or 01/01/2014 13:00:00)")
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=tz)
    return to_iso(dt)


def validate_post(p: Post, now_iso: str | None = None) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not p.category.strip():
        errors["category"] = "a post needs a category"
    if p.source not in SOURCE_LABELS:
        errors["source"] = f"source {p.source!r} is not one of {', '.join(SOURCE_LABELS)}"
    if (p.lat is None) != (p.lon is None):
        errors["lat"] = "give both latitude and longitude, or neither"
    if p.lat is not None and not (math.isfinite(p.lat) and -90 <= p.lat <= 90):
        errors["lat"] = f"latitude {p.lat} is out of range (-90 to 90)"
    if p.lon is not None and not (math.isfinite(p.lon) and -180 <= p.lon <= 180):
        errors["lon"] = f"longitude {p.lon} is out of range (-180 to 180)"
    if not p.mapped and not p.block_address.strip():
        errors["block_address"] = "give a location: a block address or a point on the map"
    if not p.occurred_at:
        errors["occurred_at"] = "a post needs the time it happened"
    elif now_iso and p.occurred_at > now_iso:
        errors["occurred_at"] = f"the time {p.occurred_at} is in the future"
    if len(p.text) > 5000:
        errors["text"] = "the text is longer than 5,000 characters"
    if p.media_url and not p.media_url.startswith(("https://", "http://")):
        errors["media_url"] = "the media link must be a web address (https://…)"
    return errors
