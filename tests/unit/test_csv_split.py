"""The CSV reader's str-split fast path reads every file exactly as csv.reader does (rows, lines, blanks, problems)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

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
}


@pytest.mark.parametrize("name", CASES)
@pytest.mark.parametrize("size", [1, 3, 1000])
def test_split_reader_matches_csv_reader(tmp_path: Path, name: str, size: int) -> None:
    path = tmp_path / "cams.csv"
    path.write_bytes(CASES[name].encode("utf-8"))
    assert read(path, size) == reference(CASES[name], 5)


def test_plain_chunks_come_as_columns(tmp_path: Path) -> None:
    path = tmp_path / "cams.csv"
    path.write_text(CASES["plain"], encoding="utf-8")
    chunks = list(CSVSource(path).chunks(3))
    assert [c.columns is not None for c in chunks] == [True, True, True]
    assert chunks[1].columns[4] == ["cam 4", "cam 5", "cam 6"] and chunks[1].first_line == 5
