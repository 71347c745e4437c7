"""Validate a camera file row by row, with a reason for every rejected row, before anything is written.

Speed matters (a million rows should take seconds): each chunk's columns are converted with one numpy call, and
only a chunk whose fast conversion fails is walked value by value to find and explain the bad rows. Range checks
are numpy comparisons; duplicate ids are found with set operations per chunk. The valid rows are kept as compact
column arrays (ValidChunk), ready for the writer's bulk insert.
"""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from app.core.validators import MAX_RANGE_M, MAX_RETENTION_DAYS
from app.io.mapping import FIELD_LABELS, OWNER_FIELDS, Plan, make_plan
from app.io.pipeline_types import RowIssue, Validation
from app.io.source import Chunk
from app.io.values import (
    CONTROL,
    is_empty,
    number_text,
    parse_consent,
    parse_direction,
    parse_location,
    parse_number,
    resolve_kind,
    show,
    split_directions,
    strip_controls,
    wrap_heading,
)
from app.store.cameras import any_external_ids, cameras_with_external_ids

Progress = Callable[[int, int], None]
TEXT_FIELDS = ("label", "external_id", "owner_name", "owner_email", "owner_phone")


@dataclass
class OwnerSpec:
    display_name: str
    email: str
    phone: str
    consent: str


@dataclass
class ValidChunk:
    """Valid rows as columns. NaN = no value for the optional numbers; owner -1 = no owner."""

    external_id: list[str | None]
    lat: np.ndarray
    lon: np.ndarray
    kind: list[str]
    heading_deg: np.ndarray
    fov_deg: np.ndarray
    range_m: np.ndarray
    retention_days: np.ndarray
    label: list[str]
    owner: list[int] | None = None
    owner_specs: list[OwnerSpec] | None = None  # what owner[i] indexes (the validator's list, shared)

    def __len__(self) -> int:
        return len(self.kind)


def _beyond(what: str, value: float, raw: Sequence[Any] | None, i: int, limit: int) -> str:
    """'latitude 90.0000001 is above 90': the number as the file wrote it, never rounded into the limit."""
    text = number_text(raw[i]) if raw is not None and not is_empty(raw[i]) else repr(float(value))
    if text.endswith(".0") and "e" not in text:
        text = text[:-2]
    return f"{what} {text} is above {limit}" if value > 0 else f"{what} {text} is below -{limit}"


def _lines(chunk: Chunk, n: int) -> Sequence[int]:
    return chunk.lines if chunk.lines is not None else range(chunk.first_line, chunk.first_line + n)


def _all_str(values: Sequence[Any]) -> bool:
    return set(map(type, values)) <= {str}


def fast_floats(values: Sequence[Any]) -> np.ndarray | None:
    """A float64 array (NaN for empty) when every value is a plain finite number; None when some value needs a
    closer look (parse_number then explains it).

    Text is parsed by numpy's C parser over the joined column (faster than float() per value); the result is only
    trusted when it has exactly one finite number per value (numpy reads 'inf' and 'nan', which are refused).
    Numbers that came as numbers (GeoJSON) are taken as they are, when finite.
    """
    n = len(values)
    if n == 0:
        return np.empty(0, dtype=np.float64)
    try:
        if "" not in values and type(values[0]) is str:
            joined = ",".join(values)
            out = None
            if joined.count(",") == n - 1:  # no value holds the separator, so n numbers parsed = every value
                try:
                    out = np.fromstring(joined, dtype=np.float64, sep=",")
                except (ValueError, TypeError, DeprecationWarning):
                    out = None
            if out is not None and out.shape[0] == n and np.isfinite(out).all():
                return out
            return None
        if not set(map(type, values)) <= {int, float, type(None), str} or any(
                type(v) is str and v != "" for v in values):
            return None  # text among numbers (or bools, lists): value by value
        expected = sum(1 for v in values if v is not None and v != "")
        out = np.array([None if v == "" else v for v in values], dtype=np.float64)
        present = ~np.isnan(out)
        if np.count_nonzero(present) != expected or not np.isfinite(out[present]).all():
            return None  # NaN or an infinity that came as a number (JSON allows NaN and Infinity): refused one by one
        return out
    except (ValueError, TypeError, OverflowError):
        return None


class ChunkValidator:
    """Validates chunk after chunk, remembering the ids seen so far (duplicates) and the owners found."""

    def __init__(self, plan: Plan, conn: sqlite3.Connection | None = None) -> None:
        self.plan = plan
        self.seen_ids: set[str] = set()
        self._id_chunks: list[tuple[Sequence[str | None], Sequence[int]]] = []  # (ids, lines) of every chunk
        self.owners: list[OwnerSpec] = []
        self._owner_index: dict[tuple[str, str, str], int] = {}
        self._consent_defaulted = 0
        self._kind_cache: dict[tuple[Any, ...], tuple[str | None, str | None]] = {}
        self.conn = conn
        self._text = False  # the current chunk's columns are all str
        self._store_ids = conn is not None and any_external_ids(conn)
        self.plausible = 0  # rows with a usable location (valid or not): the pipeline's "could be a camera"
        self.split_rows = 0
        self.split_cameras = 0

    @classmethod
    def for_mapping(cls, mapping: dict[str, Any], columns: list[str],
                    conn: sqlite3.Connection | None = None) -> ChunkValidator:
        return cls(make_plan(mapping, columns), conn)

    def file_notes(self) -> list[str]:
        out = []
        if self.plan.split_directions:
            rows = "1 row" if self.split_rows == 1 else f"{self.split_rows} rows"
            out.append(f"one camera per direction (option on): {rows} with several directions became "
                       f"{self.split_cameras} cameras (each copy is counted as a row)")
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

    @staticmethod
    def _numbers(values: Sequence[Any], what: str, reasons: dict[int, list[str]]) -> np.ndarray:
        """float64 column (NaN = empty). One numpy call when every value converts; else value by value."""
        fast = fast_floats(values)
        if fast is not None:
            return fast
        out = np.empty(len(values), dtype=np.float64)
        for i, v in enumerate(values):
            try:
                out[i] = parse_number(v, what)
            except ValueError as exc:
                out[i] = math.nan
                reasons.setdefault(i, []).append(str(exc))
        return out

    # --- one chunk -------------------------------------------------------------------------------------------------
    def feed(self, chunk: Chunk, result: Validation) -> ValidChunk | None:
        split_notes: dict[int, str] = {}
        if self.plan.split_directions and self.plan.has("heading_deg"):
            chunk = self._split(chunk, split_notes)
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
            self._duplicates(ids, chunk, n, reasons, blank)
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
            lat = self._numbers(self._column(cols, "lat") or [], "latitude", reasons)
            lon = self._numbers(self._column(cols, "lon") or [], "longitude", reasons)
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
                reasons.setdefault(i, []).append(_beyond("latitude", lat[i], raw_lat, i, 90))
            for i in np.flatnonzero(~np.isnan(lon) & ~(np.abs(lon) <= 180)).tolist():
                reasons.setdefault(i, []).append(_beyond("longitude", lon[i], raw_lon, i, 180))
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
        out = self._numbers(values, what, reasons)
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

    def _split(self, chunk: Chunk, notes: dict[int, str]) -> Chunk:
        """One row per direction for rows whose heading lists several ('0;90;180'); the copies keep the line and
        get the id suffixed '#1', '#2', … (so they are not duplicates of each other)."""
        heading = self.plan.fields.get("heading_deg") or []
        ids = self.plan.fields.get("external_id") or []
        rows, lines, problems, blank, features = [], [], {}, set(), []
        changed = False
        for i, row in enumerate(chunk.rows):
            value = next((row[j] for j in heading if not is_empty(row[j])), None)
            parts = split_directions(value) if i not in chunk.problems else None
            copies: list[list[Any]] = []
            if parts:
                changed = True
                self.split_rows += 1
                self.split_cameras += len(parts)
                for k, part in enumerate(parts):
                    copy = list(row)
                    for j in heading:
                        copy[j] = ""
                    copy[heading[0]] = part
                    for j in ids[:1]:
                        if not is_empty(copy[j]):
                            copy[j] = f"{str(copy[j]).strip()}#{k + 1}"
                    copies.append(copy)
            else:
                copies.append(list(row) if chunk.columns is not None else row)
            for k, copy in enumerate(copies):
                new = len(rows)
                rows.append(copy)
                lines.append(chunk.line(i))
                if chunk.features is not None:
                    features.append(chunk.features[i])
                if i in chunk.problems:
                    problems[new] = chunk.problems[i]
                if i in chunk.blank:
                    blank.add(new)
                if parts:
                    notes[new] = f"direction {show(value)} split: camera {k + 1} of {len(parts)}"
        if not changed:
            return chunk
        return Chunk(rows, lines[0] if lines else chunk.first_line, lines, problems,
                     features if chunk.features is not None else None, blank)

    def _texts(self, cols: list[Sequence[Any]], n: int, fld: str) -> Sequence[str]:
        values = self._column(cols, fld)
        if values is None:
            return [""] * n
        if self._text or _all_str(values):
            return values
        return ["" if v is None else str(v).strip() for v in values]

    def _ids(self, cols: list[Sequence[Any]]) -> Sequence[str | None] | None:
        values = self._column(cols, "external_id")
        if values is None:
            return None
        if self._text or _all_str(values):
            return [v or None for v in values] if "" in values else values
        return [None if is_empty(v) else (str(int(v)) if isinstance(v, float) and v.is_integer() else str(v).strip())
                for v in values]

    def _duplicates(self, ids: Sequence[str | None], chunk: Chunk, n: int, reasons: dict[int, list[str]],
                    blank: set[int]) -> None:
        """Reject the second and later rows with an id (in the file, or already in the store).

        Fast path, one set insertion per id: if the set of ids seen so far grew by exactly n, this chunk has no
        duplicates. Only otherwise are earlier chunks searched for the line where an id first appeared.
        """
        seen = self.seen_ids
        lines = _lines(chunk, n)
        before = len(seen)
        seen.update(ids)
        fast = len(seen) - before == n and None not in ids
        self._id_chunks.append((ids, lines))
        if not fast:
            seen.discard(None)  # type: ignore[arg-type]
            self._mark_duplicates(ids, lines, reasons, blank)
        if self._store_ids and self.conn is not None:
            found = cameras_with_external_ids(self.conn, [v for v in set(ids) if v is not None])
            if found:
                for i, v in enumerate(ids):
                    if v in found:
                        reasons.setdefault(i, []).append(f"id {show(v)} is already in the registry (camera "
                                                         f"{found[v]})")

    def _mark_duplicates(self, ids: Sequence[str | None], lines: Sequence[int], reasons: dict[int, list[str]],
                         blank: set[int]) -> None:
        first: dict[str, int] = {}
        candidates = {v for v in ids if v is not None}
        for old_ids, old_lines in self._id_chunks[:-1]:  # the first line of ids seen in earlier chunks
            if candidates.isdisjoint(old_ids):
                continue
            for v, line in zip(old_ids, old_lines, strict=True):
                if v in candidates and v not in first:
                    first[v] = line
        for i, v in enumerate(ids):
            if v is None or i in blank:
                continue
            line = first.get(v)
            if line is None:
                first[v] = lines[i]
            else:
                reasons.setdefault(i, []).append(f"duplicate id {show(v)} (also on line {line})")

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
