"""The CSV reader's fastest path: a clean block of lines parsed by Apache Arrow's CSV parser (pyarrow), in C++ and
without the GIL, its columns kept as Arrow arrays until the validator asks for them.

Why Arrow: a million-row camera file is nine million fields. Made into Python strings one by one (csv.reader or
str.split) they cost about a second before any checking starts, and that work holds the GIL, so it cannot overlap
the writer. Arrow parses the block in C++, and converts a number column to float64 too (its cast takes only plain
decimals and the words inf and nan, which are then refused as not finite): those values never become Python
objects at all. Text columns become Python lists only when a mapped field reads them.

Arrow only takes blocks whose rows it is sure to read exactly as csv.reader would (``read_block`` returns None for
anything else, and the careful readers in app.io.readers explain what is odd about it): one record per line, the
header's number of fields on every line, no blank line, no NUL, no lone carriage return, no value over csv's field
size limit, and every line holding the quote character read again by csv.reader (strict) and compared.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from typing import Any

import numpy as np


class ArrowColumn(Sequence[str]):
    """One column of a block: an Arrow string array, with its Python strings made on first use."""

    def __init__(self, array: Any) -> None:  # noqa: ANN401 - a pyarrow StringArray
        self.array = array
        self._strings: list[str] | None = None

    def strings(self) -> list[str]:
        if self._strings is None:
            self._strings = self.array.to_pylist()
        return self._strings

    def __len__(self) -> int:
        return len(self.array)

    def __getitem__(self, i: Any) -> Any:  # noqa: ANN401 - an index, or a slice (a column of its own)
        if isinstance(i, slice) and self._strings is None and i.step in (None, 1):
            start, stop, _step = i.indices(len(self.array))
            return ArrowColumn(self.array.slice(start, max(stop - start, 0)))
        return self.strings()[i]

    def __iter__(self) -> Iterator[str]:
        return iter(self.strings())

    def __contains__(self, value: object) -> bool:
        return value in self.strings()

    def __eq__(self, other: object) -> bool:  # equal to a list of the same strings, as a list would be
        if isinstance(other, (list, tuple, ArrowColumn)):
            return self.strings() == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment] - like a list

    def floats(self) -> np.ndarray | None:
        """float64 values when every value is a plain finite decimal; None otherwise (an empty value included), and
        the validator then reads the column value by value to say what is wrong.

        Arrow's cast (fast_float, correctly rounded like float()) reads decimals, exponents and the words inf and
        nan, and refuses the rest: Python's '4_4.6', fullwidth digits, hex, empty text. The words give non-finite
        values, which refuse the column here; so what passes is exactly what the plain-decimal syntax allows."""
        import pyarrow as pa
        import pyarrow.compute as pc

        array = self.array
        if len(array) == 0:
            return np.empty(0, dtype=np.float64)
        try:
            out = pc.cast(array, pa.float64(), memory_pool=_pool())
        except pa.ArrowInvalid:  # spaces around some value (Arrow's cast takes none), or not a number at all
            try:
                out = pc.cast(pc.utf8_trim_whitespace(array), pa.float64(), memory_pool=_pool())
            except pa.ArrowInvalid:
                return None
        values = out.to_numpy(zero_copy_only=False)
        return values if np.isfinite(values).all() else None


def read_block(text: str, count: int, width: int, dialect: Any) -> list[ArrowColumn] | None:  # noqa: ANN401
    """The `width` columns of the block's `count` lines, or None unless Arrow reads every line as csv.reader would."""
    if not (dialect.delimiter.isascii() and dialect.quotechar.isascii()):
        return None  # Arrow takes one-byte delimiters and quotes (the sniffer only picks ASCII ones anyway)
    if "\x00" in text or "\n\n" in text or text.startswith(("\n", "\r")):
        return None
    if "\r" in text and ("\r\n\r\n" in text or text.count("\r") != text.count("\r\n")):
        return None
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.csv as pcsv

    names = [f"c{j}" for j in range(width)]
    data = text.encode("utf-8")
    try:
        # Binary columns, viewed as strings below: `text` is already decoded, so its UTF-8 is valid and Arrow need
        # not check it again. The system allocator: Arrow's default pool was measured slower on first use.
        table = pcsv.read_csv(
            io.BytesIO(data),
            read_options=pcsv.ReadOptions(column_names=names, use_threads=False, block_size=max(len(data), 1 << 20)),
            parse_options=pcsv.ParseOptions(delimiter=dialect.delimiter, quote_char=dialect.quotechar,
                                            double_quote=dialect.doublequote, escape_char=False,
                                            newlines_in_values=False, ignore_empty_lines=False),
            convert_options=pcsv.ConvertOptions(column_types={n: pa.binary() for n in names},
                                                strings_can_be_null=False, quoted_strings_can_be_null=False,
                                                null_values=[]),
            memory_pool=_pool())
    except (pa.ArrowInvalid, pa.ArrowException):
        return None
    if table.num_rows != count or table.num_columns != width:
        return None
    columns = [_one_array(table.column(j)).view(pa.string()) for j in range(width)]
    limit = csv.field_size_limit()
    for column in columns:
        longest = pc.max(pc.binary_length(column)).as_py()
        if longest is not None and longest > limit:
            return None  # csv.reader refuses such a value, and says which row
    if dialect.quotechar in text and not _quoted_lines_agree(text, data, columns, dialect):
        return None
    return [ArrowColumn(c) for c in columns]


def _pool() -> Any:  # noqa: ANN401 - a pyarrow MemoryPool
    import pyarrow as pa

    return pa.system_memory_pool()


def _one_array(column: Any) -> Any:  # noqa: ANN401 - pyarrow ChunkedArray -> Array
    return column.chunk(0) if column.num_chunks == 1 else column.combine_chunks()  # (combining copies)


def _quoted_lines_agree(text: str, data: bytes, columns: list[Any], dialect: Any) -> bool:  # noqa: ANN401
    """Every line holding the quote character, read by csv.reader (strict: a quote left open is an error there),
    gives the same fields as Arrow's row: quoting is where two CSV parsers may differ."""
    raw = np.frombuffer(data, dtype=np.uint8)
    ends = np.flatnonzero(raw == 10)
    quote = ord(dialect.quotechar)
    rows = np.unique(np.searchsorted(ends, np.flatnonzero(raw == quote)))
    starts = np.concatenate(([0], ends + 1))
    stops = np.concatenate((ends, [len(data)]))
    lines = [data[starts[i]:stops[i]].decode("utf-8") for i in rows.tolist()]
    reader = csv.reader(lines, dialect, strict=True)
    try:
        records = list(reader)
    except csv.Error:
        return False
    if len(records) != len(lines) or reader.line_num != len(lines):
        return False
    import pyarrow as pa

    picked = [c.take(pa.array(rows)).to_pylist() for c in columns]
    return all(list(fields) == record for fields, record in zip(zip(*picked, strict=True), records, strict=True))

