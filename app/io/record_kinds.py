"""The record kinds `canvass import --records` and the import dialog know (cameras have their own pipeline)."""

from __future__ import annotations

from app.io import agency_records, post_records
from app.io.record_import import RecordSpec

SPECS: dict[str, RecordSpec] = {"agencies": agency_records.SPEC, "posts": post_records.SPEC}
RECORD_KINDS = ("cameras", *SPECS)
