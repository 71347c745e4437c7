"""`canvass basemap FILE [--data-dir DIR]` and `canvass basemap --remove [--data-dir DIR]`.

Progress goes to stderr; a bad file is a clear error and exit status 1 with the store unchanged."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from app.core.records import Role


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.description = ("Load an OpenStreetMap extract (.osm, .osm.gz, .osm.pbf) or a tile file (.mbtiles, "
                          ".pmtiles) into the store as its base map, or remove the base map.")
    parser.add_argument("file", nargs="?", help="the extract or tile file")
    parser.add_argument("--data-dir", metavar="DIR", help="the data folder holding the store (default: the "
                        "platform's user data folder, or $CANVASS_DATA_DIR)")
    parser.add_argument("--remove", action="store_true", help="remove the store's base maps (all of them)")


def run(args: argparse.Namespace) -> int:
    from app import paths
    from app.services.map.base_maps import BaseMapError, add_base_map, remove_base_map
    from app.services.session import Session, User
    from app.store.db import StoreError, open_store

    if bool(args.file) == bool(args.remove):
        print("canvass basemap: give a FILE to load, or --remove (not both).", file=sys.stderr)
        return 2
    p = paths.init(args.data_dir)
    try:
        conn = open_store(p.db_path, p.backup_dir)
    except StoreError as exc:
        print(f"canvass basemap: {exc}", file=sys.stderr)
        return 1
    from app.io.import_cli import cli_actor

    # Scripted use acts as the local account (cli:NAME), like `canvass import`: whoever may run it owns the files.
    session = Session(conn, User(None, cli_actor(), Role.ADMIN))
    try:
        if args.remove:
            n = remove_base_map(conn, session)
            print(f"Removed {n} base map{'s' if n != 1 else ''} from {p.db_path}.", file=sys.stderr)
            return 0
        path = Path(args.file)

        def progress(done: int, _total: int) -> None:
            print(f"\rreading {path.name}: {done:,} objects", end="", file=sys.stderr, flush=True)

        print(f"Loading {path} into {p.db_path} …", file=sys.stderr)
        try:
            added = add_base_map(conn, session, path, progress=progress)
        except BaseMapError as exc:
            print(f"\ncanvass basemap: {exc}\nThe store was not changed.", file=sys.stderr)
            return 1
        counts = ", ".join(f"{k.replace('_', ' ')} {v:,}" for k, v in added.info.counts.items()
                           if isinstance(v, int) and v)
        print(f"\nLoaded {added.info.source_name} ({added.info.kind}): {counts}.", file=sys.stderr)
        return 0
    finally:
        conn.close()
