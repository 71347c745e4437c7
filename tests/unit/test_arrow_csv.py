"""Arrow-backed CSV columns convert numbers exactly as the validator's own parser does, and refuse what it refuses."""

from __future__ import annotations

import math

import pyarrow as pa
import pytest

from app.io.arrow_csv import ArrowColumn
from app.io.values import parse_number

ACCEPTED = ["1", "-1", "+1", ".5", "5.", "1e5", "1E+05", "-0", "00012", "+.5e-3", "44.667873", " 12", "12 ",
            "-123.961610", "0.1", "1e-320"]
REFUSED = ["inf", "-inf", "nan", "NaN", "Infinity", "1e999", "0x10", "4_4.6", "\uff14\uff14", "1,5", "", "  ",
           "1.5e", "e5", "1d", "one"]


@pytest.mark.parametrize("value", ACCEPTED)
def test_a_plain_decimal_converts_to_the_same_float_as_parse_number(value: str) -> None:
    out = ArrowColumn(pa.array([value, "2"])).floats()
    assert out is not None and out.tolist() == [parse_number(value, "x"), 2.0]


@pytest.mark.parametrize("value", REFUSED)
def test_a_column_holding_anything_else_is_left_to_the_value_by_value_reader(value: str) -> None:
    # None: the validator then reads the column value by value, and parse_number explains (or takes a decimal
    # comma, or an empty value as no value)
    assert ArrowColumn(pa.array(["2", value])).floats() is None
    try:
        parsed: float | None = parse_number(value, "x")
    except ValueError:
        parsed = None
    assert parsed is None or math.isnan(parsed) or value == "1,5"


def test_a_column_is_a_sequence_of_its_strings() -> None:
    column = ArrowColumn(pa.array(["a", "b", "c", "d"]))
    part = column[1:3]
    assert isinstance(part, ArrowColumn) and list(part) == ["b", "c"] and part == ["b", "c"]
    assert column[0] == "a" and "d" in column and "e" not in column and len(column) == 4
