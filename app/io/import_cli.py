"""`canvass import FILE`: validate, print the report, and import all rows (or, with --valid-only, the valid ones).

`--records agencies|posts` imports agency lists or community posts the same way (app.io.record_kinds).

Exit status: 0 when records were imported; 1 when nothing was imported (bad rows without --valid-only, no valid
rows, a file that cannot be read); 2 for a usage error (bad --mapping, unknown column, missing file).
"""

from __future__ import annotations

import argparse
import sqlite3
import sys
from typing import TextIO

from app import paths as app_paths
from app.core.records import CameraKind
from app.io.cli_actor import cli_actor
from app.io.mapping import DEFAULT_KIND, MappingError, merge_mapping, parse_mapping_json
from app.io.pipeline import import_file
from app.io.pipeline_types import ImportStopped
from app.io.readers import SourceError, open_source
from app.io.record_kinds import record_kind
from app.store.db import StoreError, describe_failure, open_store, require_writable
from app.store.demo import is_demo_store


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = (
        "Validate a file and import it into the store. Every row is checked first and every bad row is reported "
        "with its line number; nothing is written unless every row is good (or --valid-only is given). A data "
        "folder without a store gets a new one.")
    parser.epilog = ("exit status: 0 imported; 1 nothing imported (bad rows, no valid rows, an unreadable file or "
                     "store); 2 usage error (bad --mapping, unknown column, missing file)")
    parser.add_argument("file", help="the file to import: CSV (with a header row), GeoJSON or KML")
    parser.add_argument("--records", choices=["cameras", "agencies", "posts"], default="cameras",
                        help="what the file lists (default: cameras)")
    parser.add_argument("--data-dir", metavar="DIR",
                        help="the data folder holding the store (default: the platform's user data folder, or "
                        "$CANVASS_DATA_DIR); the demo city is DIR/demo")
    parser.add_argument("--format", choices=["csv", "geojson", "kml"],
                        help="the file's format, when its name does not say (.csv, .geojson/.json, .kml)")
    parser.add_argument("--kind", choices=[k.value for k in CameraKind], metavar="KIND",
                        help="camera kind for rows whose file gives none: " + ", ".join(k.value for k in CameraKind)
                        + f" (default: {DEFAULT_KIND})")
    parser.add_argument("--mapping", metavar="JSON",
                        help='source column for each field, e.g. {"lat": "Y", "lon": "X"}')
    parser.add_argument("--valid-only", action="store_true", help="import the valid rows even if some are bad")
    parser.add_argument("--split-directions", action="store_true",
                        help="a camera row with several directions (0;90;180) becomes one camera per direction")


def run(args: argparse.Namespace, out: TextIO | None = None, err: TextIO | None = None) -> int:
    out = out or sys.stdout
    err = err or sys.stderr
    try:
        return _run(args, out, err)
    except StoreError as exc:  # a store closed to writes, a full disk, a vanished file: rolled back, said in words
        print(f"canvass import: {exc}", file=err)
        return 1
    except (sqlite3.Error, OSError) as exc:  # the transaction has rolled back
        said = describe_failure(exc) if isinstance(exc, sqlite3.Error) else None
        print(f"canvass import: {said or f'nothing imported: {exc}'}", file=err)
        return 1


def _run(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    kind = record_kind(getattr(args, "records", "cameras"))
    try:
        overrides = parse_mapping_json(args.mapping) if args.mapping else {}
        if getattr(args, "kind", None):
            overrides["default_kind"] = args.kind
        if getattr(args, "split_directions", False):
            overrides["split_directions"] = True
        source = open_source(args.file, args.format, overrides.get("encoding"))
        mapping = merge_mapping(kind.guess_mapping(source.columns), overrides)
        kind.check_mapping(mapping, source.columns)
    except MappingError as exc:
        print(f"canvass import: {exc}", file=err)
        if "source" in locals():
            print(f"columns in {source.path.name}: {', '.join(source.columns)}", file=err)
        return 2
    except (SourceError, LookupError, OSError) as exc:
        print(f"canvass import: {exc}", file=err)
        return 2 if isinstance(exc, (LookupError, FileNotFoundError)) or not _exists(args.file) else 1
    p = app_paths.init(args.data_dir)
    if not p.db_path.exists():
        # On stderr, like every other note: stdout stays the import report that scripts read.
        print(f"canvass import: no store in {p.data_dir}: creating a new one at {p.db_path}", file=err)
    try:
        conn = open_store(p.db_path, p.backup_dir)  # every page checked before anything is written
    except StoreError as exc:
        print(f"canvass import: {exc}", file=err)
        return 1
    if is_demo_store(conn):
        print(f"canvass import: warning: {p.data_dir} is the demo city, a fictional city with made-up cameras and "
              "owners; real data imported here is mixed with them. Import into your own store instead "
              "(--data-dir without /demo).", file=err)
    try:
        require_writable(conn)
        try:
            report, result = import_file(source, kind, mapping, conn, cli_actor(), valid_only=args.valid_only)
        except ImportStopped as exc:
            report = getattr(exc, "report", None)
            if report is not None:
                for line in report.report_lines():
                    print(line, file=out)
            print(f"canvass import: nothing imported: {exc}", file=err)
            return 1
        except SourceError as exc:
            print(f"canvass import: nothing imported: {exc}", file=err)
            return 1
        for line in report.report_lines():
            print(line, file=out)
        if result is None:
            if report.valid == 0:
                print("Nothing imported: no valid rows.", file=out)
            else:
                print(f"Nothing imported: {report.bad_count} bad rows. Fix them, or pass --valid-only to import "
                      f"the {report.valid} valid rows.", file=out)
            return 1
        print(result.summary(), file=out)
        return 0
    finally:
        conn.close()


def _exists(path: str) -> bool:
    from pathlib import Path

    return Path(path).is_file()
