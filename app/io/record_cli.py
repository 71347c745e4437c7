"""`canvass import FILE --records agencies|posts`: the camera import's report, all-or-nothing rule and exit codes.

Exit status: 0 when records were imported; 1 when nothing was imported (bad rows without --valid-only, no valid
rows, a file that cannot be read); 2 for a usage error (bad --mapping, unknown column or option, missing file).
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TextIO

from app import paths as app_paths
from app.io.cli_actor import cli_actor
from app.io.mapping import MappingError, merge_mapping, parse_mapping_json
from app.io.readers import SourceError, open_source
from app.io.record_import import validate_records, write_records
from app.io.record_kinds import SPECS
from app.store.db import StoreError, open_store


def run_record_import(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    spec = SPECS[args.records]
    try:
        overrides = parse_mapping_json(args.mapping) if args.mapping else {}
        source = open_source(args.file, args.format, overrides.get("encoding"))
        mapping = merge_mapping(spec.guess(source.columns), overrides)
    except MappingError as exc:
        print(f"canvass import: {exc}", file=err)
        return 2
    except (SourceError, LookupError, OSError) as exc:
        print(f"canvass import: {exc}", file=err)
        return 2 if isinstance(exc, (LookupError, FileNotFoundError)) or not Path(args.file).is_file() else 1
    try:
        p = app_paths.init(args.data_dir)
        conn = open_store(p.db_path, p.backup_dir)
    except StoreError as exc:
        print(f"canvass import: {exc}", file=err)
        return 1
    try:
        try:
            validation = validate_records(spec, source, mapping, conn)
        except MappingError as exc:
            print(f"canvass import: {exc}", file=err)
            print(f"columns in {source.path.name}: {', '.join(source.columns)}", file=err)
            return 2
        for line in validation.report_lines():
            print(line, file=out)
        if validation.valid == 0:
            print("Nothing imported: no valid rows.", file=out)
            return 1
        if validation.bad and not args.valid_only:
            print(f"Nothing imported: {len(validation.bad)} bad rows. Fix them, or pass --valid-only to import the "
                  f"{validation.valid} valid rows.", file=out)
            return 1
        print(write_records(conn, validation, cli_actor()).summary(), file=out)
        return 0
    finally:
        conn.close()
