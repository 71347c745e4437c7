"""Values validated as the store would, precise messages, odd encodings and headers, control characters, unclosed
quotes, and one camera per direction (issue 9 points 8–10, issue 10 point 10)."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from app.core.records import Camera, CameraKind
from app.core.validators import validate_camera
from app.io.camera_import import validate_source
from app.io.mapping import guess_mapping
from app.io.pipeline_types import Validation
from app.io.readers import SourceError, open_source
from app.io.values import parse_number

HEADER = "id,lat,lon,kind,heading_deg,fov_deg,range_m,retention_days,label\n"


def check(path: Path, **options: object) -> Validation:
    source = open_source(path)
    return validate_source(source, {**guess_mapping(source.columns), **options})


def reasons(v: Validation) -> dict[int, str]:
    return {b.line: b.reason for b in v.bad}


def test_non_finite_and_absurd_numbers_are_refused_like_the_store_would(tmp_path: Path) -> None:
    path = tmp_path / "v.csv"
    path.write_text(HEADER + "a,39.3,-76.6,doorbell,90,110,inf,30,\n"
                             "b,39.3,-76.6,doorbell,90,110,15,1e300,\n"
                             "c,39.3,-76.6,doorbell,90,nan,15,30,\n"
                             "d,39.3,-76.6,doorbell,-inf,110,15,30,\n"
                             "e,39.3,-76.6,doorbell,90,110,1e300,30,\n"
                             "f,39.3,-76.6,doorbell,90,110,15,30,ok\n", encoding="utf-8")
    v = check(path)
    assert reasons(v) == {2: "range 'inf' is not a finite number",
                          3: "retention '1e300' out of range (0-36500)",
                          4: "field of view 'nan' is not a finite number",
                          5: "unparseable direction '-inf' (expected degrees 0-360, a compass point or a range)",
                          6: "range '1e300' out of range (more than 0 to 10000)"}
    assert v.valid == 1
    # the store's own validator says the same of such a camera
    errors = validate_camera(Camera(None, 39.3, -76.6, CameraKind.DOORBELL, range_m=1e300, retention_days=1e300))
    assert set(errors) == {"range_m", "retention_days"}


@pytest.mark.parametrize("raw", ["4_4.6", "４４.６", "inf", "NaN", "0x1A", "1e400", "٤٤"])
def test_python_only_number_syntax_is_not_a_number(raw: str) -> None:
    with pytest.raises(ValueError, match="latitude"):
        parse_number(raw, "latitude")
    assert parse_number(" 44.6 ", "latitude") == 44.6 and parse_number("44,6", "latitude") == 44.6


def test_latitude_just_over_the_limit_is_named_exactly(tmp_path: Path) -> None:
    path = tmp_path / "lat.csv"
    path.write_text("lat,lon\n90.0000001,10\n-90.5,10\n45,180.000001\n", encoding="utf-8")
    assert reasons(check(path, default_kind="doorbell")) == {2: "latitude 90.0000001 is above 90",
                                                             3: "latitude -90.5 is below -90",
                                                             4: "longitude 180.000001 is above 180"}


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be", "utf-32-le", "utf-32-be"])
def test_utf16_and_utf32_without_a_bom_are_recognised(tmp_path: Path, encoding: str) -> None:
    path = tmp_path / "enc.csv"
    path.write_bytes((HEADER + "a,39.3,-76.6,doorbell,90,110,15,30,Café\n").encode(encoding))
    v = check(path)
    assert v.valid == 1 and v.chunks[0].label == ["Café"]
    assert f"no byte-order mark: read as {encoding}" in v.file_notes[0]


def test_utf32_with_its_bom_is_not_taken_for_utf16(tmp_path: Path) -> None:
    path = tmp_path / "enc.csv"
    path.write_bytes(codecs.BOM_UTF32_LE + (HEADER + "a,39.3,-76.6,doorbell,,,,,x\n").encode("utf-32-le"))
    assert check(path).valid == 1


def test_a_doubled_bom_keeps_the_first_column(tmp_path: Path) -> None:
    path = tmp_path / "bom.csv"
    path.write_bytes(codecs.BOM_UTF8 * 2 + (HEADER + "a,39.3,-76.6,doorbell,,,,,x\n").encode("utf-8"))
    source = open_source(path)
    assert source.columns[0] == "id" and guess_mapping(source.columns)["external_id"] == "id"
    assert any("second byte-order mark" in n for n in source.notes)


def test_duplicate_column_names_are_an_error_naming_both(tmp_path: Path) -> None:
    path = tmp_path / "dup.csv"
    path.write_text("id,lat,lon,kind,lat\na,1,2,doorbell,3\n", encoding="utf-8")
    with pytest.raises(SourceError, match="columns 2 and 5 are both named 'lat'"):
        open_source(path)


def test_control_characters_are_removed_from_text_with_a_note(tmp_path: Path) -> None:
    path = tmp_path / "ctl.csv"
    path.write_text(HEADER + "a\x00,39.3,-76.6,doorbell,,,,,\x1b[2J\x1b[31mred\x1b[0m door\x07\n", encoding="utf-8")
    v = check(path)
    assert v.valid == 1 and v.chunks[0].label == ["red door"] and v.chunks[0].external_id == ["a"]
    assert [str(n) for n in v.notes] == ["line 2: control characters (NUL, escape codes) removed from label; "
                                         "control characters (NUL, escape codes) removed from id in the file"] or \
        [str(n) for n in v.notes] == ["line 2: control characters (NUL, escape codes) removed from id in the file; "
                                      "control characters (NUL, escape codes) removed from label"]


def test_an_unclosed_quote_is_reported_where_it_opened_and_the_rest_is_read(tmp_path: Path) -> None:
    path = tmp_path / "q.csv"
    body = "".join(f"r{i},39.3,-76.6,doorbell,,,,,row {i}\n" for i in range(3, 1003))
    path.write_text(HEADER + 'r1,39.3,-76.6,doorbell,,,,,ok\nr2,39.3,-76.6,doorbell,,,,,"oops\n' + body,
                    encoding="utf-8")
    v = check(path)
    assert v.valid == 1001 and len(v.bad) == 1
    assert v.bad[0].line == 3 and v.bad[0].reason.startswith("unclosed quote: the quoted value that opens on line 3 "
                                                             "was still open 100 lines later")
    labels = [label for c in v.chunks for label in c.label]
    assert "row 3" in labels and not any("oops" in label for label in labels)  # never merged into a label


def test_an_unclosed_quote_at_the_end_says_how_many_lines_it_took(tmp_path: Path) -> None:
    path = tmp_path / "q.csv"
    path.write_text(HEADER + 'r1,39.3,-76.6,doorbell,,,,,"oops\nr2,39.3,-76.6,doorbell,,,,,a\n'
                             'r3,39.3,-76.6,doorbell,,,,,b\n', encoding="utf-8")
    v = check(path)
    assert [str(b) for b in v.bad] == ["line 2: unclosed quote: the quoted value that opens on line 2 runs to the "
                                       "end of the file (2 more lines swallowed); the lines after it are read on "
                                       "their own — close the quote or remove it"]
    assert v.valid == 2


def test_several_directions_split_into_one_camera_each_only_when_asked(tmp_path: Path) -> None:
    path = tmp_path / "dirs.csv"
    path.write_text("id,lat,lon,kind,direction\nn1,39.3,-76.6,doorbell,0;90;180\nn2,39.3,-76.6,doorbell,45\n",
                    encoding="utf-8")
    off = check(path)
    assert off.valid == 1 and "several directions" in off.bad[0].reason
    on = check(path, split_directions=True)
    assert on.valid == 4 and on.bad == []
    chunk = on.chunks[0]
    assert chunk.external_id == ["n1#1", "n1#2", "n1#3", "n2"] and chunk.heading_deg.tolist() == [0, 90, 180, 45]
    assert on.file_notes[0] == ("one camera per direction (option on): 1 row with several directions became 3 "
                                "cameras (each copy is counted as a row)")
    assert [n.line for n in on.notes] == [2, 2, 2]
