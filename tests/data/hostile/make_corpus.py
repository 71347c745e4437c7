"""Generate the hostile-file corpus: files a hostile or unlucky user might hand to `canvass import` or the preview.

    .venv/bin/python tests/data/hostile/make_corpus.py DIR [--big]

Nothing here is checked in but this script: the files are made on demand (tests/unit/test_hostile_corpus.py makes
them in a temporary folder). The 2 GiB file of NUL bytes is sparse (truncate), so it costs no disk and no time to
make; --big also writes a real 2 GiB unclosed-quote file for a manual run.

Each entry of CORPUS says what a clear outcome is: the exit status of `canvass import FILE` and a phrase its output
must hold. Every file is also checked for: no traceback, peak RSS under a cap, the store unchanged when refused.
"""

from __future__ import annotations

import argparse
import codecs
import random
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

HEADER = "id,lat,lon,kind,heading_deg,fov_deg,range_m,retention_days,label\n"
GOOD = "g1,39.30,-76.61,doorbell,90,110,15,30,front door\n"


@dataclass(frozen=True)
class Case:
    name: str
    make: Callable[[Path], None]
    exit_code: int       # of `canvass import FILE` (without --valid-only)
    says: str            # a phrase its stdout or stderr must hold
    valid_only_code: int | None = None  # with --valid-only, when it differs


def _text(content: str, encoding: str = "utf-8") -> Callable[[Path], None]:
    def make(path: Path) -> None:
        path.write_bytes(content.encode(encoding))
    return make


def _nul_2gb(path: Path) -> None:
    with path.open("wb") as fh:
        fh.truncate(2 << 30)  # sparse: 2 GiB of NUL bytes that take no disk


def _long_label(path: Path) -> None:
    with path.open("w", encoding="utf-8") as fh:
        fh.write(HEADER + GOOD)
        fh.write("g2,39.31,-76.61,doorbell,90,110,15,30," + "x" * (10 << 20) + "\n")
        fh.write("g3,39.32,-76.61,doorbell,90,110,15,30,back door\n")


def _nul_field(path: Path) -> None:
    with path.open("wb") as fh:
        fh.write((HEADER + GOOD).encode())
        fh.write(b"g2,39.31,-76.61,doorbell,90,110,15,30," + b"\0" * (1 << 20) + b"\n")
        fh.write(b"g3,39.32,-76.61,doorbell,90,110,15,30,back door\n")


def _unclosed_quote(lines: int) -> Callable[[Path], None]:
    def make(path: Path) -> None:
        with path.open("w", encoding="utf-8") as fh:
            fh.write(HEADER + GOOD)
            fh.write('g2,39.31,-76.61,doorbell,90,110,15,30,"the quote never closes\n')
            for start in range(0, lines, 50_000):
                fh.write("".join(f"u{i},39.{i % 1000:03d},-76.6,doorbell,90,110,15,30,row {i}\n"
                                 for i in range(start, min(lines, start + 50_000))))
    return make


def _deep_geojson(path: Path) -> None:
    feature = ('{"type":"Feature","properties":{"id":"%s","deep":%s},"geometry":{"type":"Point",'
               '"coordinates":[-76.6,39.3]}}')
    deep = "[" * 100_000 + "]" * 100_000
    path.write_text('{"type":"FeatureCollection","features":[\n' + feature % ("ok1", "1") + ",\n"
                    + feature % ("deep", deep) + ",\n" + feature % ("ok2", "2") + "\n]}\n", encoding="utf-8")


def _digits_geojson(path: Path) -> None:
    big = "1" + "0" * 400
    path.write_text('{"type":"FeatureCollection","features":[\n'
                    '{"type":"Feature","properties":{"id":"big"},"geometry":{"type":"Point","coordinates":[' + big
                    + ',39.3]}},\n{"type":"Feature","properties":{"id":"ok"},"geometry":{"type":"Point",'
                    '"coordinates":[-76.6,39.3]}}\n]}\n', encoding="utf-8")


def _truncated_geojson(path: Path) -> None:
    path.write_text('{"type":"FeatureCollection","features":[\n{"type":"Feature","properties":{"id":"a"},'
                    '"geometry":{"type":"Point","coordinates":[-76.6,39.3]}},\n{"type":"Feature","prop',
                    encoding="utf-8")


def _prefix_garbage(path: Path) -> None:
    with path.open("w", encoding="utf-8") as fh:
        fh.write("id,lat,lon\n")
        block = "".join(f"x{i},north,west\n" for i in range(100_000))
        for _ in range(8):  # 800,000 rows, ~14 MB, none of them a camera
            fh.write(block)


def _long_kml_text(path: Path) -> None:
    path.write_text('<?xml version="1.0" encoding="UTF-8"?>\n<kml xmlns="http://www.opengis.net/kml/2.2"><Document>\n'
                    '<Placemark><name>ok</name><Point><coordinates>-76.6,39.3</coordinates></Point></Placemark>\n'
                    '<Placemark><name>long</name><description>' + "y" * (3 << 20) + '</description>'
                    '<Point><coordinates>-76.6,39.3</coordinates></Point></Placemark>\n</Document></kml>\n',
                    encoding="utf-8")


_LAUGHS = ('<?xml version="1.0"?>\n<!DOCTYPE kml [\n<!ENTITY a "aaaaaaaaaa">\n'
           + "".join(f'<!ENTITY {chr(98 + i)} "{("&" + chr(97 + i) + ";") * 10}">\n' for i in range(9))
           + ']>\n<kml><Document><Placemark><name>&j;</name><Point><coordinates>-76.6,39.3</coordinates></Point>'
           '</Placemark></Document></kml>\n')
_EXTERNAL = ('<?xml version="1.0"?>\n<!DOCTYPE kml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n<kml><Document>'
             '<Placemark><name>&xxe;</name><Point><coordinates>-76.6,39.3</coordinates></Point></Placemark>'
             '</Document></kml>\n')

_VALUES = HEADER + GOOD + "".join([
    "r1,39.3,-76.6,doorbell,90,110,inf,30,range inf\n",
    "r2,39.3,-76.6,doorbell,90,110,15,1e300,retention 1e300\n",
    "r3,39.3,-76.6,doorbell,nan,110,15,30,heading nan\n",
    "r4,39.3,-76.6,doorbell,90,-inf,15,30,fov -inf\n",
    "r5,39.3,-76.6,doorbell,90,110,1e300,30,range 1e300\n",
    "r6,4_4.6,-76.6,doorbell,90,110,15,30,python underscore\n",
    "r7,３９.３,-76.6,doorbell,90,110,15,30,fullwidth digits\n",
    "r8,90.0000001,-76.6,doorbell,90,110,15,30,just above 90\n",
    "r9,39.3,-76.6,doorbell,90,110,15,1e400,retention overflows\n",
])

CORPUS: list[Case] = [
    Case("nul-2gib.csv", _nul_2gb, 1, "NUL bytes"),
    Case("label-10mb.csv", _long_label, 1, "characters long", 0),
    Case("nul-field-1mb.csv", _nul_field, 1, "a value is longer than 131,072 characters", 0),
    Case("unclosed-quote.csv", _unclosed_quote(200_000), 1, "unclosed quote: the quoted value that opens on line 3",
         0),
    Case("deep.geojson", _deep_geojson, 1, "nested too deeply", 0),
    Case("digits-400.geojson", _digits_geojson, 1, "too large for a coordinate", 0),
    Case("truncated.geojson", _truncated_geojson, 1, "the file ends inside"),
    Case("values.csv", _text(_VALUES), 1, "latitude 90.0000001 is above 90", 0),
    Case("utf16le-no-bom.csv", _text(HEADER + GOOD, "utf-16-le"), 0, "read as utf-16-le"),
    Case("utf16be-no-bom.csv", _text(HEADER + GOOD, "utf-16-be"), 0, "read as utf-16-be"),
    Case("utf32le-no-bom.csv", _text(HEADER + GOOD, "utf-32-le"), 0, "read as utf-32-le"),
    Case("utf32-bom.csv", lambda p: p.write_bytes(codecs.BOM_UTF32_LE + (HEADER + GOOD).encode("utf-32-le")), 0,
         "Imported 1 cameras"),
    Case("double-bom.csv", _text("\ufeff\ufeff" + HEADER + GOOD), 0, "second byte-order mark"),
    Case("duplicate-columns.csv", _text("id,lat,lon,lat\ng1,39.3,-76.6,39.4\n"), 1,
         "columns 2 and 4 are both named 'lat'"),
    Case("ansi-and-nul.csv", _text(HEADER + "g1,39.3,-76.6,doorbell,90,110,15,30,\x1b[31mred\x1b[0m\x00 door\n"), 0,
         "control characters (NUL, escape codes) removed from label"),
    Case("prefix-garbage.csv", _prefix_garbage, 1, "none of the first"),
    Case("long-text.kml", _long_kml_text, 1, "characters long: not a camera field", 0),
    Case("billion-laughs.kml", _text(_LAUGHS), 1, "declares an XML entity"),
    Case("external-entity.kml", _text(_EXTERNAL), 1, "declares an XML entity"),
    Case("empty.csv", _text(""), 1, "is empty"),
    Case("binary.csv", lambda p: p.write_bytes(random.Random(7).randbytes(1 << 20)), 1, "NUL bytes"),
]


def make_corpus(folder: Path, names: list[str] | None = None) -> dict[str, Path]:
    folder.mkdir(parents=True, exist_ok=True)
    out = {}
    for case in CORPUS:
        if names is None or case.name in names:
            path = folder / case.name
            case.make(path)
            out[case.name] = path
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--big", action="store_true", help="also a real 2 GiB unclosed-quote file")
    args = parser.parse_args()
    for name, path in make_corpus(args.folder).items():
        print(f"{path.stat().st_size:>14,} bytes  {name}")
    if args.big:
        path = args.folder / "unclosed-quote-2gib.csv"
        _unclosed_quote(30_000_000)(path)
        print(f"{path.stat().st_size:>14,} bytes  {path.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
