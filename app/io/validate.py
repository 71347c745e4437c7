"""Validate a camera file row by row, with a reason for every rejected row, before anything is written.

Speed matters (a million rows should take seconds): each chunk's columns are converted with one numpy call, and
only a chunk whose fast conversion fails is walked value by value to find and explain the bad rows. Range checks
are numpy comparisons; duplicate ids are found with set operations per chunk. The valid rows are kept as compact
column arrays (ValidChunk, app.io.camera_columns), ready for the writer's bulk insert. Duplicate ids are
app.io.camera_ids, the one-camera-per-direction option app.io.direction_split.
"""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from app.core.validators import MAX_RANGE_M, MAX_RETENTION_DAYS
from app.io.camera_columns import OwnerSpec, ValidChunk, all_str, beyond, fast_floats, numbers
from app.io.camera_ids import DuplicateIds
from app.io.direction_split import DirectionSplitter
from app.io.mapping import FIELD_LABELS, OWNER_FIELDS, Plan, make_plan
from app.io.pipeline_types import RowIssue, Validation
from app.io.source import Chunk
from app.io.values import (
    CONTROL,
    is_empty,
    parse_consent,
    parse_direction,
    parse_location,
    resolve_kind,
    show,
    strip_controls,
    wrap_heading,
)

Progress = Callable[[int, int], None]
TEXT_FIELDS = ("label", "external_id", "owner_name", "owner_email", "owner_phone")


class ChunkValidator:
    """Validates chunk after chunk, remembering the ids seen so far (duplicates) and the owners found."""

    def __init__(self, plan: Plan, conn: sqlite3.Connection | None = None) -> None:
        self.plan = plan
        self.duplicates = DuplicateIds(conn)  # the ids seen so far (and those already in the store)
        self.owners: list[OwnerSpec] = []
        self._owner_index: dict[tuple[str, str, str], int] = {}
        self._consent_defaulted = 0
        self._kind_cache: dict[tuple[Any, ...], tuple[str | None, str | None]] = {}
        self.conn = conn
        self._text = False  # the current chunk's columns are all str
        self.plausible = 0  # rows with a usable location (valid or not): the pipeline's "could be a camera"
        self.splitter = DirectionSplitter(plan)

    @classmethod
    def for_mapping(cls, mapping: dict[str, Any], columns: list[str],
                    conn: sqlite3.Connection | None = None) -> ChunkValidator:
        return cls(make_plan(mapping, columns), conn)

    def file_notes(self) -> list[str]:
        out = []
        if self.plan.split_directions:
            rows = "1 row" if self.splitter.rows == 1 else f"{self.splitter.rows} rows"
            out.append(f"one camera per direction (option on): {rows} with several directions became "
                       f"{self.splitter.cameras} cameras (each copy is counted as a row)")
        if self._consent_defaulted:
            out.append(f"{self._consent_defaulted} owners have no consent in the file: recorded as opted out (they "
                       "receive no footage requests until they opt in)")
        return out

    # --- columns -----------------------------------------------------------------------------------------------
    def _column(self, cols: list[Sequence[Any]], fld: str) -> Sequence[Any] | None:
        idx = self.plan.fields.get(fld) or []
        if not idx:
            return None
        values: Sequence[Any] = cols[idx[0]]
        for j in idx[1:]:  # first non-empty of several columns
            values = [v if not is_empty(v) else w for v, w in zip(values, cols[j], strict=True)]
        return values

    # --- one chunk -------------------------------------------------------------------------------------------------
    def feed(self, chunk: Chunk, result: Validation) -> ValidChunk | None:
        split_notes: dict[int, str] = {}
        if self.plan.split_directions and self.plan.has("heading_deg"):
            chunk = self.splitter.split(chunk, split_notes)
        rows = chunk.rows
        n = len(rows)
        if chunk.columns is not None:  # split by the reader: every value is a str
            cols: list[Sequence[Any]] = list(chunk.columns)
            self._text = True
        else:  # one transpose: column access is then sequential
            cols = list(zip(*rows, strict=True)) if n else []
            self._text = False
        reasons: dict[int, list[str]] = {i: [p] for i, p in chunk.problems.items()}
        notes: dict[int, str] = dict(split_notes)
        self._clean_texts(cols, notes)
        lat, lon = self._coordinates(cols, n, reasons)
        with np.errstate(invalid="ignore"):
            self.plausible += int(np.count_nonzero((np.abs(lat) <= 90) & (np.abs(lon) <= 180)))
        heading = self._heading(cols, n, reasons, notes)
        fov = self._optional(cols, n, "fov_deg", "field of view", reasons, 1, 360)
        rng = self._optional(cols, n, "range_m", "range", reasons, 0, MAX_RANGE_M, low_open=True)
        retention = self._optional(cols, n, "retention_days", "retention", reasons, 0, MAX_RETENTION_DAYS)
        bad_ret = np.flatnonzero(np.isfinite(retention) & (retention != np.floor(retention)))
        for i in bad_ret.tolist():
            reasons.setdefault(i, []).append(f"retention {retention[i]:g} days is not a whole number")
        kinds = self._kinds(cols, n, reasons)
        ids = self._ids(cols)
        labels = self._texts(cols, n, "label")
        owners = self._owners(cols, n, reasons) if any(self.plan.has(f) for f in OWNER_FIELDS) else None
        blank = set(chunk.blank)
        for i in list(reasons):
            if i not in chunk.problems and all(is_empty(v) for v in rows[i]):
                blank.add(i)  # a line of empty fields (",,,,"): not a row at all
        if ids is not None:
            self.duplicates.check(ids, chunk, n, reasons, blank)
        lines = chunk.lines
        for i in sorted(reasons):
            if i in blank:
                continue
            line = lines[i] if lines is not None else chunk.first_line + i
            feature = chunk.features[i] if chunk.features is not None else None
            result.bad.append(RowIssue(line, "; ".join(reasons[i]), feature))
        for i in sorted(notes):
            if i not in reasons and i not in blank:
                line = lines[i] if lines is not None else chunk.first_line + i
                feature = chunk.features[i] if chunk.features is not None else None
                result.notes.append(RowIssue(line, notes[i], feature))
        result.rows_total += n - len(blank)
        skip = blank | set(reasons)
        if not skip:
            valid = ValidChunk(list(ids or [None] * n), lat, lon, list(kinds), heading, fov, rng, retention,
                               list(labels), owners)
        else:
            keep = [i for i in range(n) if i not in skip]
            pos = np.asarray(keep, dtype=np.int64)

            def pick(values: Sequence[Any] | None) -> list[Any] | None:
                return None if values is None else [values[i] for i in keep]

            valid = ValidChunk(pick(ids) or [None] * len(keep), lat[pos], lon[pos], pick(kinds) or [],
                               heading[pos], fov[pos], rng[pos], retention[pos], pick(labels) or [], pick(owners))
        valid.owner_specs = self.owners if owners is not None else None
        return valid if len(valid) else None

    def _coordinates(self, cols: list[Sequence[Any]], n: int,
                     reasons: dict[int, list[str]]) -> tuple[np.ndarray, np.ndarray]:
        lat = np.full(n, np.nan)
        lon = np.full(n, np.nan)
        if self.plan.has("lat") and self.plan.has("lon"):
            lat = numbers(self._column(cols, "lat") or [], "latitude", reasons)
            lon = numbers(self._column(cols, "lon") or [], "longitude", reasons)
        if self.plan.has("location"):
            locs = self._column(cols, "location") or []
            for i in np.flatnonzero(np.isnan(lat) | np.isnan(lon)).tolist():
                if i in reasons:
                    continue
                try:
                    point = parse_location(locs[i])
                except ValueError as exc:
                    reasons.setdefault(i, []).append(str(exc))
                    continue
                if point is not None:
                    lon[i], lat[i] = point
        missing = np.flatnonzero(np.isnan(lat) | np.isnan(lon))
        for i in missing.tolist():
            if i not in reasons:
                what = "latitude" if np.isnan(lat[i]) and not np.isnan(lon[i]) else (
                    "longitude" if np.isnan(lon[i]) and not np.isnan(lat[i]) else "location")
                reasons[i] = [f"missing coordinate (no {what})"]
        raw_lat = self._column(cols, "lat") if self.plan.has("lat") else None
        raw_lon = self._column(cols, "lon") if self.plan.has("lon") else None
        with np.errstate(invalid="ignore"):
            for i in np.flatnonzero(~np.isnan(lat) & ~(np.abs(lat) <= 90)).tolist():
                reasons.setdefault(i, []).append(beyond("latitude", lat[i], raw_lat, i, 90))
            for i in np.flatnonzero(~np.isnan(lon) & ~(np.abs(lon) <= 180)).tolist():
                reasons.setdefault(i, []).append(beyond("longitude", lon[i], raw_lon, i, 180))
        return lat, lon

    def _heading(self, cols: list[Sequence[Any]], n: int, reasons: dict[int, list[str]],
                 notes: dict[int, str]) -> np.ndarray:
        values = self._column(cols, "heading_deg")
        if values is None:
            return np.full(n, np.nan)
        out = fast_floats(values)
        if out is None:  # OSM mess: compass points, ranges, lists; parse_direction explains what it refuses
            out = np.empty(n, dtype=np.float64)
            for i, v in enumerate(values):
                if is_empty(v):
                    out[i] = math.nan
                    continue
                try:
                    out[i], note = parse_direction(v)
                except ValueError as exc:
                    out[i] = math.nan
                    reasons.setdefault(i, []).append(str(exc))
                    continue
                if note:
                    notes[i] = note
            return out
        with np.errstate(invalid="ignore"):
            for i in np.flatnonzero(~np.isnan(out) & ~((out >= 0) & (out <= 360))).tolist():
                try:
                    out[i], note = wrap_heading(float(out[i]), values[i])
                except ValueError as exc:
                    out[i] = math.nan
                    reasons.setdefault(i, []).append(str(exc))
                    continue
                if note:
                    notes[i] = note
        return out

    def _optional(self, cols: list[Sequence[Any]], n: int, fld: str, what: str, reasons: dict[int, list[str]],
                  low: float, high: float, low_open: bool = False) -> np.ndarray:
        values = self._column(cols, fld)
        if values is None:
            return np.full(n, np.nan)
        out = numbers(values, what, reasons)
        with np.errstate(invalid="ignore"):
            ok = ((out > low) if low_open else (out >= low)) & (out <= high)
            for i in np.flatnonzero(~np.isnan(out) & ~ok).tolist():
                low_text = f"more than {low:g}" if low_open else f"{low:g}"
                limit = (f"{low_text} to {high:g}" if low_open else f"{low:g}-{high:g}") if math.isfinite(high) \
                    else (low_text if low_open else f"{low:g} or more")
                reasons.setdefault(i, []).append(f"{what} {show(values[i])} out of range ({limit})")
        return out

    def _kinds(self, cols: list[Sequence[Any]], n: int, reasons: dict[int, list[str]]) -> Sequence[str]:
        default = self.plan.default_kind
        idx = self.plan.fields.get("kind") or []
        if not idx:
            if default is None:
                for i in range(n):
                    reasons.setdefault(i, []).append("no kind: map a kind column or choose a default kind")
                return [""] * n
            return [default] * n
        cache = self._kind_cache
        if len(idx) == 1:  # the common case: decide once per distinct value
            values = cols[idx[0]]
            verdicts = {}
            for v in set(values):
                try:
                    verdicts[v] = resolve_kind((v,), default)
                except ValueError as exc:
                    verdicts[v] = ""
                    cache[(v,)] = (None, str(exc))
            kinds = list(map(verdicts.__getitem__, values))
            if "" in verdicts.values():
                for i, v in enumerate(values):
                    if not verdicts[v]:
                        reasons.setdefault(i, []).append(cache[(v,)][1] or "")
            return kinds
        out: list[str] = []
        for i, key in enumerate(zip(*(cols[j] for j in idx), strict=True)):
            hit = cache.get(key)
            if hit is None:
                try:
                    hit = (resolve_kind(key, default), None)
                except ValueError as exc:
                    hit = (None, str(exc))
                if len(cache) < 10_000:
                    cache[key] = hit
            kind, reason = hit
            if reason:
                reasons.setdefault(i, []).append(reason)
            out.append(kind or "")
        return out

    def _clean_texts(self, cols: list[Sequence[Any]], notes: dict[int, str]) -> None:
        """Remove control characters (NUL, ANSI escapes) from the text fields, with a note on each row changed."""
        for fld in TEXT_FIELDS:
            for j in self.plan.fields.get(fld) or []:
                values = cols[j]
                texts = values if self._text else [v for v in values if isinstance(v, str)]
                # isprintable() is one C pass and False for any control character (and tab): only then search
                joined = " ".join(texts)
                if not texts or joined.isprintable() or not CONTROL.search(joined):
                    continue
                cleaned = list(values)
                for i, v in enumerate(values):
                    if isinstance(v, str) and CONTROL.search(v):
                        cleaned[i] = strip_controls(v)
                        note = f"control characters (NUL, escape codes) removed from {FIELD_LABELS[fld].lower()}"
                        notes[i] = f"{notes[i]}; {note}" if i in notes else note
                cols[j] = cleaned

    def _texts(self, cols: list[Sequence[Any]], n: int, fld: str) -> Sequence[str]:
        values = self._column(cols, fld)
        if values is None:
            return [""] * n
        if self._text or all_str(values):
            return values
        return ["" if v is None else str(v).strip() for v in values]

    def _ids(self, cols: list[Sequence[Any]]) -> Sequence[str | None] | None:
        values = self._column(cols, "external_id")
        if values is None:
            return None
        if self._text or all_str(values):
            return [v or None for v in values] if "" in values else values
        return [None if is_empty(v) else (str(int(v)) if isinstance(v, float) and v.is_integer() else str(v).strip())
                for v in values]

    def _owners(self, cols: list[Sequence[Any]], n: int, reasons: dict[int, list[str]]) -> list[int]:
        fields = {f: self._column(cols, f) for f in OWNER_FIELDS}
        out: list[int] = []
        for i in range(n):
            name, email, phone, consent_raw = (("" if fields[f] is None or is_empty(fields[f][i]) else
                                                str(fields[f][i]).strip()) for f in OWNER_FIELDS)
            if not (name or email or phone):
                out.append(-1)
                continue
            try:
                consent = parse_consent(consent_raw)
            except ValueError as exc:
                reasons.setdefault(i, []).append(str(exc))
                out.append(-1)
                continue
            key = (name, email.lower(), phone)
            index = self._owner_index.get(key)
            if index is None:
                if consent is None:
                    self._consent_defaulted += 1
                index = len(self.owners)
                self.owners.append(OwnerSpec(name or email or phone, email, phone, consent or "opt_out"))
                self._owner_index[key] = index
            out.append(index)
        return out
