"""Import of agency lists and community posts: the camera importer's machinery (readers, column mapping,
line-numbered reasons, all-or-nothing writing), driven by a record-kind spec with a plain per-row function.

    kind = record_kind("agencies")                                   # app.io.record_kinds: a pipeline kind
    source = open_source(path)
    mapping = merge_mapping(kind.guess_mapping(source.columns), overrides)
    report, result = import_file(source, kind, mapping, conn, actor)  # app.io.pipeline: one transaction

A spec names its fields, the column names each field is guessed from, and a row function: a dict of the row's raw
values (field -> str, '' when empty) in, a record out, or ValueError whose message is the reason the row is
rejected. Several columns may feed one field (a list in the mapping): for most fields the first non-empty wins;
fields in `joined` (a post's date + time, a post's text from several columns) join the non-empty values.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from app.io.mapping import MappingError, columns_of
from app.io.values import is_empty, show

RowFn = Callable[[dict[str, str], "RowContext"], Any]
WriteFn = Callable[[sqlite3.Connection, list[Any], int], list[int]]


@dataclass
class RowContext:
    """What a row function may consult: the options, the store (duplicates), per-file memory, and notes."""

    options: dict[str, Any]
    conn: sqlite3.Connection | None
    seen: dict[Any, int] = field(default_factory=dict)   # a key of an earlier row -> its line
    line: int = 0
    notes: list[str] = field(default_factory=list)       # notes on the current row (accepted with a remark)
    tallies: dict[str, int] = field(default_factory=dict)  # file-level counts for the report

    def count(self, what: str) -> None:
        self.tallies[what] = self.tallies.get(what, 0) + 1


@dataclass(frozen=True)
class RecordSpec:
    kind: str                       # "agencies" | "posts" (the --records value)
    noun: str                       # "agencies", "posts": for messages
    fields: tuple[str, ...]
    labels: dict[str, str]
    candidates: dict[str, list[str]]
    options: dict[str, Any]         # option -> default
    row: RowFn
    write: WriteFn
    required: tuple[tuple[str, ...], ...] = ()  # each tuple: at least one of these fields must be mapped
    joined: dict[str, str] = field(default_factory=dict)  # field -> separator
    multi: frozenset[str] = frozenset()  # fields guessed from every matching column (e.g. date + time)
    file_notes: Callable[[RowContext], list[str]] | None = None
    prepare: Callable[[dict[str, Any]], None] | None = None  # checks/derives options once; raises MappingError

    def guess(self, columns: list[str]) -> dict[str, Any]:
        by_norm: dict[str, str] = {}
        for col in columns:
            by_norm.setdefault(_norm(col), col)
        mapping: dict[str, Any] = {}
        used: set[str] = set()
        for fld, names in self.candidates.items():
            hits = [by_norm[n] for n in names if n in by_norm and by_norm[n] not in used]
            if not hits:
                continue
            value: Any = hits if fld in self.multi and len(hits) > 1 else hits[0]
            mapping[fld] = value
            used.update(hits if isinstance(value, list) else [value])
        return mapping

    def check(self, mapping: dict[str, Any], columns: list[str]) -> None:
        for key, value in mapping.items():
            if key in self.options or key == "encoding":
                continue
            if key not in self.fields:
                raise MappingError(f"unknown field {key!r} for {self.noun} (fields: {', '.join(self.fields)}; "
                                   f"options: {', '.join(self.options)})")
            for col in columns_of(value):
                if col not in columns:
                    raise MappingError(f"column {col!r} (mapped to {key}) is not in the file; its columns are: "
                                       + ", ".join(columns))
        for group in self.required:
            if not any(columns_of(mapping.get(f)) for f in group):
                raise MappingError(f"no column mapped to {' or '.join(group)}: {self.noun} need it")

    def plan(self, mapping: dict[str, Any], columns: list[str]) -> tuple[dict[str, list[int]], dict[str, Any]]:
        """The mapping checked and resolved: field -> column positions, and the options (prepared)."""
        self.check(mapping, columns)
        index = {c: i for i, c in enumerate(columns)}
        plan = {f: [index[c] for c in columns_of(mapping.get(f))] for f in self.fields if columns_of(mapping.get(f))}
        options = {k: mapping.get(k, default) for k, default in self.options.items()}
        if self.prepare is not None:
            self.prepare(options)
        return plan, options


def _norm(name: str) -> str:
    return "_".join(name.strip().lower().replace("-", " ").split())


def row_values(row: list[Any], plan: dict[str, list[int]], joined: dict[str, str]) -> dict[str, str]:
    """A row's raw values by field: the first non-empty of the mapped columns, or (joined fields) all of them."""
    out: dict[str, str] = {}
    for fld, idx in plan.items():
        parts = ["" if is_empty(row[j]) else str(row[j]).strip() for j in idx]
        if fld in joined:
            out[fld] = joined[fld].join(p for p in parts if p)
        else:
            out[fld] = next((p for p in parts if p), "")
    return out


def number(text: str, what: str) -> float | None:
    """None for empty; ValueError naming the value for text that is not a number."""
    if not text:
        return None
    try:
        return float(text.replace(",", ".") if text.count(",") == 1 and "." not in text else text)
    except ValueError:
        raise ValueError(f"{what} {show(text)} is not a number") from None
