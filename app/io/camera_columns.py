"""The columns a camera file's rows become (``ValidChunk``, owners as ``OwnerSpec``) and the fast conversion of
a column of raw values to numbers, used by the camera validator (``app.io.validate``)."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from app.io.source import Chunk
from app.io.values import is_empty, number_text, parse_number


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

    # Sent from the reading process to the writing one (app.io.pipeline_process), a chunk carries only the owners
    # that are new since the chunk before, not the validator's whole growing list; and a label repeated in the
    # chunk ("front door") as one string (pickle then sends it once: measured 0.29 s -> 0.11 s for a million).
    def detach_shared(self, state: dict[str, Any]) -> None:
        same: dict[str, str] = {}
        self.label = [same.setdefault(v, v) for v in self.label]
        if self.owner_specs is not None:
            sent = state.get("owners_sent", 0)
            state["owners_sent"] = len(self.owner_specs)
            self.owner_specs = self.owner_specs[sent:]

    def attach_shared(self, state: dict[str, Any]) -> None:
        if self.owner_specs is not None:
            owners: list[OwnerSpec] = state.setdefault("owners", [])
            owners.extend(self.owner_specs)
            self.owner_specs = owners


def beyond(what: str, value: float, raw: Sequence[Any] | None, i: int, limit: int) -> str:
    """'latitude 90.0000001 is above 90': the number as the file wrote it, never rounded into the limit."""
    text = number_text(raw[i]) if raw is not None and not is_empty(raw[i]) else repr(float(value))
    if text.endswith(".0") and "e" not in text:
        text = text[:-2]
    return f"{what} {text} is above {limit}" if value > 0 else f"{what} {text} is below -{limit}"


def chunk_lines(chunk: Chunk, n: int) -> Sequence[int]:
    return chunk.lines if chunk.lines is not None else range(chunk.first_line, chunk.first_line + n)


def all_str(values: Sequence[Any]) -> bool:
    return set(map(type, values)) <= {str}


def fast_floats(values: Sequence[Any]) -> np.ndarray | None:
    """A float64 array (NaN for empty) when every value is a plain finite number; None when some value needs a
    closer look (parse_number then explains it).

    Text is parsed by numpy's C parser over the joined column (faster than float() per value); the result is only
    trusted when it has exactly one finite number per value (numpy reads 'inf' and 'nan', which are refused).
    Numbers that came as numbers (GeoJSON) are taken as they are, when finite.
    """
    arrow_floats = getattr(values, "floats", None)  # an Arrow-backed CSV column (app.io.arrow_csv) parses itself
    if arrow_floats is not None:
        return arrow_floats()
    n = len(values)
    if n == 0:
        return np.empty(0, dtype=np.float64)
    try:
        if type(values[0]) is str:  # (an empty value makes numpy read fewer numbers: refused below)
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


def numbers(values: Sequence[Any], what: str, reasons: dict[int, list[str]]) -> np.ndarray:
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
