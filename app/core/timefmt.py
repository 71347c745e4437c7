"""Showing stored times to people: in the user's local time zone, with the zone named.

The store keeps UTC ISO text ("2026-11-29T06:40:00Z", app.core.records.to_iso); everything a person reads goes
through here, so every screen, report and letter shows the same local time and says which zone it is. The zone is
the machine's (the TZ variable or the system setting); set_zone() replaces it, for tests and for a store kept in
another city. Pure Python: no Qt.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone, tzinfo

from app.core.records import from_iso

_zone: tzinfo | None = None  # None: the machine's local zone, looked up at each call (it follows TZ changes)


def set_zone(zone: tzinfo | None) -> None:
    """Show times in this zone from now on (None: the machine's own)."""
    global _zone
    _zone = zone


def local(value: str | datetime) -> datetime:
    """A stored UTC time (ISO text or aware datetime) as an aware datetime in the user's zone."""
    dt = from_iso(value) if isinstance(value, str) else value
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.astimezone(_zone) if _zone is not None else dt.astimezone()


def offset_text(offset: timedelta | None) -> str:
    """UTC+02:00 / UTC−08:00 / UTC for an offset from UTC."""
    if not offset:
        return "UTC"
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "−"
    h, m = divmod(abs(minutes), 60)
    return f"UTC{sign}{h:02d}:{m:02d}"


def zone_abbrev(dt: datetime) -> str:
    """The zone's short name at that moment ("PST", "CEST"); the offset where the zone has no letters ("+03")."""
    name = dt.tzname() or ""
    if not name or name[0] in "+-" or name.upper().startswith(("UTC+", "UTC-", "GMT+", "GMT-")):
        return offset_text(dt.utcoffset())
    return name


def zone_name(at: str | datetime | None = None) -> str:
    """The zone as a reader needs it, e.g. "PST (UTC−08:00)", at a moment (default now)."""
    dt = local(at if at is not None else datetime.now(timezone.utc))
    abbrev, offset = zone_abbrev(dt), offset_text(dt.utcoffset())
    return abbrev if abbrev == offset else f"{abbrev} ({offset})"


def short(value: str | datetime | None, *, seconds: bool = False, zone: bool = True) -> str:
    """'2026-11-29T06:40:00Z' → '2026-11-28 22:40 PST' for table cells; '' for none."""
    if value is None or value == "":
        return ""
    dt = local(value)
    text = dt.strftime("%Y-%m-%d %H:%M:%S" if seconds else "%Y-%m-%d %H:%M")
    return f"{text} {zone_abbrev(dt)}" if zone else text


def readable(value: str | datetime | None, *, time: bool = True) -> str:
    """'2026-11-29T06:40:00Z' → 'Sat 28 Nov 2026, 22:40 PST' (or 'Sat 28 Nov 2026') for reports and the public log.

    Month and day names are English on purpose: the public log is one document for everybody, and strftime's
    names would follow whatever locale the process happens to run in."""
    if value is None or value == "":
        return ""
    dt = local(value)
    day = f"{_DAYS[dt.weekday()]} {dt.day} {_MONTHS[dt.month - 1]} {dt.year}"
    return f"{day}, {dt.strftime('%H:%M')} {zone_abbrev(dt)}" if time else day


def span(start: str | datetime | None, end: str | datetime | None) -> str:
    """A time window: '2026-11-28 22:00 – 23:30 PST', with the end's date only when it differs from the start's."""
    if not start or not end:
        return short(start) or short(end)
    a, b = local(start), local(end)
    if a.date() == b.date() and zone_abbrev(a) == zone_abbrev(b):
        return f"{a.strftime('%Y-%m-%d %H:%M')} – {b.strftime('%H:%M')} {zone_abbrev(b)}"
    return f"{short(a)} – {short(b)}"


_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
