"""The CSV reader's fast paths (Arrow, str.split, csv.reader over a whole block) read every file exactly as csv.reader
does line by line: rows, lines, blanks, problems."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from app.io import arrow_csv
from app.io.readers import CSVSource

HEADER = "id,lat,lon,kind,label\n"
ROWS = [f"{i},39.{i},-76.{i},doorbell,cam {i}" for i in range(1, 9)]


def reference(text: str, width: int) -> list[tuple[int, list[str], str]]:
    """(line, row padded to width, 'blank'/'problem'/'') by csv.reader over the whole text after the header."""
    reader = csv.reader(io.StringIO(text, newline=""))
    next(reader)
    out, line = [], reader.line_num
    for row in reader:
        status = "blank" if not row else ("problem" if len(row) > width else "")
        out.append((line + 1, (row + [""] * width)[:width], status))
        line = reader.line_num
    return out


def read(path: Path, size: int) -> list[tuple[int, list[str], str]]:
    source = CSVSource(path)
    out = []
    for chunk in source.chunks(size):
        for i in range(len(chunk.rows)):
            status = "blank" if i in chunk.blank else ("problem" if i in chunk.problems else "")
            out.append((chunk.line(i), list(chunk.rows[i]), status))
    return out


CASES = {
    "plain": HEADER + "\n".join(ROWS) + "\n",
    "no final newline": HEADER + "\n".join(ROWS),
    "crlf": (HEADER + "\n".join(ROWS) + "\n").replace("\n", "\r\n"),
    "lone cr": (HEADER + "\n".join(ROWS) + "\n").replace("\n", "\r"),
    "quoted value across a chunk boundary": HEADER + "\n".join(ROWS[:2]) + '\n3,39.3,-76.3,doorbell,"one\ntwo\n'
                                            'three"\n' + "\n".join(ROWS[3:]) + "\n",
    "blank lines": HEADER + "\n".join(ROWS[:4]) + "\n\n" + "\n".join(ROWS[4:]) + "\n\n",
    "short and long rows": HEADER + "\n".join(ROWS[:3]) + "\n9,39.9\n10,39,-76,doorbell,x,extra\n"
                           + "\n".join(ROWS[3:]) + "\n",
    "quoted header": '"id","lat","lon","kind","label"\n' + "\n".join(ROWS) + "\n",
    "quoted labels with commas": HEADER + "\n".join(ROWS[:3]) + '\n4,39.4,-76.4,doorbell,"porch, and drive"\n'
                                 + "\n".join(ROWS[4:]) + "\n",
    "doubled quotes": HEADER + '1,39.1,-76.1,doorbell,"the ""front"" door"\n' + "\n".join(ROWS[1:]) + "\n",
    "text after a closing quote": HEADER + '1,39.1,-76.1,doorbell,"front"door\n' + "\n".join(ROWS[1:]) + "\n",
    "quote inside an unquoted value": HEADER + '1,39.1,-76.1,doorbell,fro"nt\n' + "\n".join(ROWS[1:]) + "\n",
    "quoted number": HEADER + '1,"39.1",-76.1,doorbell,x\n' + "\n".join(ROWS[1:]) + "\n",
    "NUL in a value": HEADER + "1,39.1,-76.1,doorbell,fr\x00ont\n" + "\n".join(ROWS[1:]) + "\n",
    "unclosed quote on the last line": HEADER + "\n".join(ROWS) + '\n9,39.9,-76.9,doorbell,"open\n',
}


@pytest.fixture(params=["arrow", "without arrow"])
def arrow(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> bool:
    """Every case is read with the Arrow path, and again with Arrow refusing every block (the str.split and
    csv.reader paths then read them)."""
    if request.param == "without arrow":
        monkeypatch.setattr(arrow_csv, "read_block", lambda *args: None)
    return request.param == "arrow"


@pytest.mark.parametrize("name", CASES)
@pytest.mark.parametrize("size", [1, 3, 1000])
def test_split_reader_matches_csv_reader(tmp_path: Path, name: str, size: int, arrow: bool) -> None:
    path = tmp_path / "cams.csv"
    path.write_bytes(CASES[name].encode("utf-8"))
    if name == "unclosed quote on the last line":
        # csv.reader would take the open quote to the end of the file; the reader rejects that row and says why
        rows = read(path, size)
        assert rows[:-1] == reference(CASES[name], 5)[:-1] and rows[-1][0] == 10 and rows[-1][2] == "problem"
        return
    assert read(path, size) == reference(CASES[name], 5)


@pytest.mark.parametrize(("name", "taken"), [("plain", True), ("crlf", True), ("quoted labels with commas", True),
                                             ("doubled quotes", True), ("quote inside an unquoted value", True),
                                             ("blank lines", False), ("short and long rows", False),
                                             ("lone cr", True), ("NUL in a value", False),
                                             ("quoted value across a chunk boundary", False),
                                             ("unclosed quote on the last line", False)])
def test_arrow_takes_only_blocks_it_reads_as_csv_reader_does(tmp_path: Path, name: str, taken: bool) -> None:
    path = tmp_path / "cams.csv"
    path.write_bytes(CASES[name].encode("utf-8"))
    chunks = list(CSVSource(path).chunks(1000))
    assert (chunks[0].columns is not None and isinstance(chunks[0].columns[0], arrow_csv.ArrowColumn)) is taken


def test_a_value_over_csvs_field_limit_is_left_to_csv_reader(tmp_path: Path) -> None:
    path = tmp_path / "cams.csv"
    path.write_text(HEADER + "1,39.1,-76.1,doorbell," + "x" * (csv.field_size_limit() + 10) + "\n"
                    + "\n".join(ROWS[1:]) + "\n", encoding="utf-8")
    chunks = list(CSVSource(path).chunks(1000))
    assert not isinstance((chunks[0].columns or [None])[0], arrow_csv.ArrowColumn)
    assert "longer than" in chunks[0].problems[0]


def test_plain_chunks_come_as_columns(tmp_path: Path) -> None:
    path = tmp_path / "cams.csv"
    path.write_text(CASES["plain"], encoding="utf-8")
    chunks = list(CSVSource(path).chunks(3))
    assert [c.columns is not None for c in chunks] == [True, True, True]
    assert chunks[1].columns[4] == ["cam 4", "cam 5", "cam 6"] and chunks[1].first_line == 5
