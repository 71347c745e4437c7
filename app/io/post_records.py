"""The community-post import: one row -> one Post, screened by the feed's rules like a post written in the app.

Rows that name a victim or give someone's exact home address are bad rows (their line and reason in the report);
rows describing a person by race alone are imported as held. Every imported post enters the moderation queue
(nothing is published by an import). A row without coordinates but with a block address is imported unmapped,
to be placed by the base map's address search.

Times without an offset are local times in the mapping's "timezone" option (an IANA name; default: this
computer's zone, named in the report).
"""

from __future__ import annotations

import sqlite3
from typing import Any

from app.core import moderation
from app.core.posts import SOURCE_LABELS, Moderation, Post, parse_time, validate_post, zone
from app.core.records import to_iso, utc_now
from app.io.mapping import MappingError
from app.io.record_import import RecordSpec, RowContext, number
from app.io.values import parse_location, show

FIELDS = ("occurred_at", "category", "text", "source", "location", "lat", "lon", "block_address", "media_url",
          "case_number")
LABELS = {"occurred_at": "Occurred at (date and time)", "category": "Category", "text": "Text",
          "source": "Source (resident post / agency alert)", "location": "Location (WKT point / lat, lon)",
          "lat": "Latitude", "lon": "Longitude", "block_address": "Block address", "media_url": "Media link",
          "case_number": "Case number"}
CANDIDATES = {
    "occurred_at": ["occurred_at", "datetime", "date_time", "crimedatetime", "crime_datetime", "date", "crimedate",
                    "crime_date", "incident_date", "time", "crimetime", "crime_time", "incident_time"],
    "category": ["category", "description", "offense", "offence", "crime_type", "incident_type", "type"],
    "text": ["text", "body", "message", "post", "details", "narrative"],
    "source": ["source", "post_source"],
    "location": ["the_geom", "@geometry", "geometry", "wkt", "point", "coordinates", "location_1", "geolocation"],
    "lat": ["lat", "latitude", "y"],
    "lon": ["lon", "lng", "long", "longitude", "x"],
    "block_address": ["block_address", "location", "address", "block", "street_address"],
    "media_url": ["media_url", "media", "url", "link"],
    "case_number": ["case_number", "case", "ccnumber", "cc_number", "report_number"],
}
OPTIONS = {"default_source": "agency_report", "timezone": "", "default_category": ""}
_SOURCES = {"resident_post": "resident_post", "resident": "resident_post", "post": "resident_post",
            "agency_report": "agency_report", "agency": "agency_report", "alert": "agency_report",
            "agency alert": "agency_report"}


def post_row(v: dict[str, str], ctx: RowContext) -> Post:
    opts = ctx.options
    occurred = parse_time(v.get("occurred_at", ""), opts["__tz__"])
    category = " ".join(v.get("category", "").split()) or opts.get("default_category") or ""
    if not category:
        raise ValueError("no category")
    raw_source = v.get("source", "").strip().lower()
    source = _SOURCES.get(raw_source) if raw_source else opts.get("default_source") or "agency_report"
    if source not in SOURCE_LABELS:
        raise ValueError(f"source {show(v.get('source'))} is not a resident post or an agency alert")
    lat = number(v.get("lat", ""), "latitude")
    lon = number(v.get("lon", ""), "longitude")
    if lat is None and lon is None and v.get("location"):
        point = parse_location(v["location"])
        if point is None:
            raise ValueError(f"location {show(v['location'])} is not a point")
        lat, lon = point
    block = " ".join(v.get("block_address", "").split())
    post = Post(None, occurred, category, v.get("text", ""), source, lat, lon, block, v.get("media_url", ""),
                v.get("case_number", ""), moderation=Moderation.PENDING.value, created_at=ctx.options["__now__"])
    errors = validate_post(post, ctx.options["__now__"])
    if errors:
        raise ValueError("; ".join(errors.values()))
    verdict = moderation.screen_post(post.text, post.block_address)
    if verdict.verdict == moderation.REFUSED:
        raise ValueError("; ".join(verdict.reasons))
    if verdict.verdict == moderation.HELD:
        post.moderation = Moderation.HELD.value
        post.moderation_reason = "; ".join(verdict.reasons)
        ctx.notes.append("held: " + post.moderation_reason)
    if not post.mapped:
        ctx.count("unmapped")
    return post


def write_posts(conn: sqlite3.Connection, records: list[Any], batch_id: int) -> list[int]:
    from app.store.feed import add_posts

    first = conn.execute("SELECT IFNULL(max(id), 0) FROM incidents").fetchone()[0] + 1
    add_posts(conn, records, batch_id)
    last = conn.execute("SELECT IFNULL(max(id), 0) FROM incidents").fetchone()[0]
    conn.execute("INSERT INTO post_moderation (incident_id, action, reason, actor, at) SELECT id, "
                 "CASE moderation WHEN 'held' THEN 'held' ELSE 'submitted' END, moderation_reason, 'import', "
                 "created_at FROM incidents WHERE id BETWEEN ? AND ?", (first, last))
    return list(range(first, last + 1))


def _notes(ctx: RowContext) -> list[str]:
    tz = ctx.options.get("__tz__")
    out = [f"times without an offset read as local time in {getattr(tz, 'key', None) or tz} (mapping option "
           "\"timezone\")",
           "every imported post enters the moderation queue; none is published until a moderator approves it"]
    if ctx.tallies.get("unmapped"):
        out.append(f"{ctx.tallies['unmapped']} posts have no coordinates: imported unmapped (placed by the base map's "
                   "address search when a base map with addresses is loaded)")
    return out


def _prepare(options: dict[str, Any]) -> None:
    options["__now__"] = to_iso(utc_now())
    try:
        options["__tz__"] = zone(options.get("timezone") or None)
    except ValueError as exc:
        raise MappingError(str(exc)) from None
    if options.get("default_source") not in SOURCE_LABELS:
        raise MappingError(f"default_source {options.get('default_source')!r} is not one of "
                           f"{', '.join(SOURCE_LABELS)}")


SPEC = RecordSpec("posts", "posts", FIELDS, LABELS, CANDIDATES, OPTIONS, post_row, write_posts,
                  required=(("occurred_at",), ("category", "text")),
                  joined={"occurred_at": " ", "text": " · "},
                  multi=frozenset({"occurred_at", "text"}), file_notes=_notes, prepare=_prepare)
