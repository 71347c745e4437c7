"""A CSV block's rows as the fast paths of app.io.readers split them: whole quote-free lines with str methods, a few
quoted lines by csv.reader (strict), and the padding or refusal of rows whose field count is not the header's. Each
split returns None when it cannot be sure to read the block exactly as csv.reader would (the readers then do)."""

from __future__ import annotations

import csv
import itertools
from collections.abc import Sequence
from typing import Any

from app.io.source import Chunk


class RowsView(Sequence[list[str]]):
    """Row i of a column-split chunk, built on demand (the validator looks at only a few rows this way)."""

    def __init__(self, columns: list[list[str]]) -> None:
        self._columns = columns

    def __len__(self) -> int:
        return len(self._columns[0])

    def __getitem__(self, i: int) -> list[str]:  # type: ignore[override]
        return [c[i] for c in self._columns]


def split_columns(blob: str, count: int, delim: str, width: int) -> list[list[str]] | None:
    """The columns of `count` quote-free lines, or None unless each line has exactly `width` fields."""
    if "\r" in blob:
        if blob.count("\r") != blob.count("\r\n"):
            return None  # a lone CR ends a record too: leave that to csv.reader
        blob = blob.replace("\r\n", "\n")
    body = blob[:-1] if blob.endswith("\n") else blob
    records = body.split("\n")
    if len(records) != count or set(map(str.count, records, itertools.repeat(delim))) != {width - 1}:
        return None
    if max(map(len, records)) > csv.field_size_limit():
        return None  # a value may be over csv's limit: csv.reader says which row
    flat = body.replace("\n", delim).split(delim)
    return [flat[j::width] for j in range(width)]


QUOTED_SHARE = 0.25  # a block with more lines holding quotes than this goes to csv.reader whole


def split_quoted_columns(blob: str, count: int, delim: str, width: int, dialect: Any) -> list[list[str]] | None:
    """The columns of `count` lines of which a few hold the quote character (a label with a comma in it): those are
    read by csv.reader, the others split with str methods as in split_columns. None unless every line is one
    record with exactly `width` fields — csv.reader is strict here, so a quote left open (or any other doubt)
    sends the block to the readers that explain it."""
    if "\r" in blob:
        if blob.count("\r") != blob.count("\r\n"):
            return None
        blob = blob.replace("\r\n", "\n")
    lines = (blob[:-1] if blob.endswith("\n") else blob).split("\n")
    quote = dialect.quotechar
    quoted = [i for i, line in enumerate(lines) if quote in line]
    if len(lines) != count or len(quoted) > QUOTED_SHARE * count:
        return None
    reader = csv.reader([lines[i] for i in quoted], dialect, strict=True)
    try:
        records = list(reader)
    except csv.Error:
        return None
    if len(records) != len(quoted) or reader.line_num != len(quoted) or set(map(len, records)) != {width}:
        return None
    filler = delim * (width - 1)
    for i in quoted:
        lines[i] = filler  # split with the rest as empty fields, then given their values below
    if set(map(str.count, lines, itertools.repeat(delim))) != {width - 1}:
        return None
    if max(map(len, lines)) > csv.field_size_limit():
        return None
    flat = delim.join(lines).split(delim)
    columns = [flat[j::width] for j in range(width)]
    for i, record in zip(quoted, records, strict=True):
        for column, value in zip(columns, record, strict=True):
            column[i] = value
    return columns


def fit_rows(chunk: Chunk, width: int) -> None:
    """Blank lines become empty rows (skipped later); short rows are padded; long rows are rejected."""
    for i, row in enumerate(chunk.rows):
        n = len(row)
        if n == 0:
            chunk.blank.add(i)
            row.extend([""] * width)
        elif n < width:
            row.extend([""] * (width - n))
        elif n > width:
            if any(v.strip() for v in row[width:]):
                chunk.problems[i] = (f"{n} fields but the header has {width} (a delimiter inside an unquoted "
                                     "value?)")
            del row[width:]
