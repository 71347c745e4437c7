"""Validate a camera file row by row, with a reason for every rejected row, before anything is written.

Speed matters (a million rows should take seconds): each chunk's columns are converted with one numpy call, and
only a chunk whose fast conversion fails is walked value by value to find and explain the bad rows. Range checks
are numpy comparisons; duplicate ids are found with set operations per chunk. The valid rows are kept as compact
column arrays (ValidChunk), ready for the writer's bulk insert.
"""

from __future__ import annotations

import gc
import json
import math
import sqlite3
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from app.io.mapping import OWNER_FIELDS, Plan, make_plan
from app.io.source import Chunk, Source
from app.io.values import is_empty, parse_consent, parse_direction, parse_location, parse_number, resolve_kind, show

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class RowIssue:
    """A rejected row (or a note on an accepted one): where it is in the file and what is wrong."""

    line: int
    reason: str
    feature: int | None = None

    @property
    def where(self) -> str:
        return f"line {self.line}" + (f" (feature {self.feature})" if self.feature is not None else "")

    def __str__(self) -> str:
        return f"{self.where}: {self.reason}"


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

    def __len__(self) -> int:
        return len(self.kind)


@dataclass
class Validation:
    """The outcome of validating one file with one mapping: what would be imported and what not, and why."""

    file_name: str
    format: str
    sha256: str
    mapping: dict[str, Any]
    rows_total: int = 0
    chunks: list[ValidChunk] = field(default_factory=list)
    bad: list[RowIssue] = field(default_factory=list)
    notes: list[RowIssue] = field(default_factory=list)
    owners: list[OwnerSpec] = field(default_factory=list)
    file_notes: list[str] = field(default_factory=list)

    @property
    def valid(self) -> int:
        return sum(len(c) for c in self.chunks)

    def summary(self) -> str:
        text = f"{self.file_name} ({self.format}): {self.rows_total} rows, {self.valid} valid, {len(self.bad)} bad"
        if self.notes:
            text += f", {len(self.notes)} with notes"
        return text

    def report_lines(self) -> Iterator[str]:
        """The validation report: counts, file notes, then one line per bad row ('line N: reason')."""
        yield self.summary()
        for note in self.file_notes:
            yield f"note: {note}"
        for issue in self.bad:
            yield str(issue)
        for issue in self.notes:
            yield f"{issue.where}: note: {issue.reason}"


def validate_source(source: Source, mapping: dict[str, Any], conn: sqlite3.Connection | None = None,
                    progress: Progress | None = None, check: Callable[[], None] | None = None) -> Validation:
    """Read and validate every row. conn (optional): also reject ids already in that store."""
    plan = make_plan(mapping, source.columns)
    validator = ChunkValidator(plan, conn)
    result = Validation(source.path.name, source.format, "", dict(mapping))
    was_enabled = gc.isenabled()
    gc.disable()  # millions of short-lived lists: the cyclic GC would rescan them over and over
    try:
        for chunk in source.chunks():
            if check is not None:
                check()
            validator.feed(chunk, result)
            if progress is not None:
                progress(source.progress.done_bytes, source.progress.total_bytes)
    finally:
        if was_enabled:
            gc.enable()
    result.sha256 = source.sha256
    result.owners = validator.owners
    result.file_notes = list(source.notes) + validator.file_notes()
    return result


def _lines(chunk: Chunk, n: int) -> Sequence[int]:
    return chunk.lines if chunk.lines is not None else range(chunk.first_line, chunk.first_line + n)


def _all_str(values: Sequence[Any]) -> bool:
    return set(map(type, values)) <= {str}


def fast_floats(values: Sequence[Any]) -> np.ndarray | None:
    """A float64 array (NaN for empty) when every value is a plain number; None when some value needs a closer look.

    Text is parsed by numpy's C parser over the joined column (faster than float() per value); the result is only
    trusted when it has exactly one number per value.
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
            if out is not None and out.shape[0] == n:
                return out
        if "" in values:
            values = [v if v != "" else None for v in values]
        return np.array(values, dtype=np.float64)
    except (ValueError, TypeError):
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
        self._store_ids = bool(conn is not None and conn.execute(
            "SELECT EXISTS (SELECT 1 FROM cameras WHERE external_id IS NOT NULL)").fetchone()[0])

    def file_notes(self) -> list[str]:
        if self._consent_defaulted:
            return [f"{self._consent_defaulted} owners have no consent in the file: recorded as opted out (they "
                    "receive no footage requests until they opt in)"]
        return []

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
    def feed(self, chunk: Chunk, result: Validation) -> None:
        rows = chunk.rows
        n = len(rows)
        if chunk.columns is not None:  # split by the reader: every value is a str
            cols: list[Sequence[Any]] = list(chunk.columns)
            self._text = True
        else:  # one transpose: column access is then sequential
            cols = list(zip(*rows, strict=True)) if n else []
            self._text = False
        reasons: dict[int, list[str]] = {i: [p] for i, p in chunk.problems.items()}
        notes: dict[int, str] = {}
        lat, lon = self._coordinates(cols, n, reasons)
        heading = self._heading(cols, n, reasons, notes)
        fov = self._optional(cols, n, "fov_deg", "field of view", reasons, 1, 360)
        rng = self._optional(cols, n, "range_m", "range", reasons, 0, math.inf, low_open=True)
        retention = self._optional(cols, n, "retention_days", "retention", reasons, 0, math.inf)
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
        if len(valid):
            result.chunks.append(valid)

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
        with np.errstate(invalid="ignore"):
            for i in np.flatnonzero(~np.isnan(lat) & ~(np.abs(lat) <= 90)).tolist():
                reasons.setdefault(i, []).append(f"latitude {lat[i]:g} out of range (-90..90)")
            for i in np.flatnonzero(~np.isnan(lon) & ~(np.abs(lon) <= 180)).tolist():
                reasons.setdefault(i, []).append(f"longitude {lon[i]:g} out of range (-180..180)")
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
                reasons.setdefault(i, []).append(f"heading {show(values[i])} out of range (0-360)")
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
                limit = f"more than {low:g}" if low_open else (f"{low:g}-{high:g}" if math.isfinite(high)
                                                               else f"{low:g} or more")
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
            present = [v for v in set(ids) if v is not None]
            found = dict(self.conn.execute(
                "SELECT external_id, min(id) FROM cameras WHERE external_id IN (SELECT value FROM json_each(?)) "
                "GROUP BY external_id", (json.dumps(present),)).fetchall()) if present else {}
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
