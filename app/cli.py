"""Scripted use without the GUI: `canvass import …` and `canvass verify-audit …`."""

from __future__ import annotations

import argparse
import sys


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="canvass")
    sub = parser.add_subparsers(dest="command", required=True)
    imp = sub.add_parser("import", help="validate a camera file and import it into the store")
    imp.add_argument("file")
    imp.add_argument("--data-dir", metavar="DIR")
    imp.add_argument("--format", choices=["csv", "geojson", "kml"])
    imp.add_argument("--mapping", metavar="JSON", help='source column for each field, e.g. {"lat": "Y", "lon": "X"}')
    imp.add_argument("--valid-only", action="store_true", help="import the valid rows even if some are bad")
    ver = sub.add_parser("verify-audit", help="walk the audit log's hash chain")
    ver.add_argument("--data-dir", metavar="DIR")
    ver.add_argument("--head", metavar="HASH", help="the chain head hash kept from an earlier export")
    return parser


def main(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "import":
        from app.io.import_cli import run_import

        return run_import(args)
    from app.services.accountability.audit_cli import run_verify

    return run_verify(args)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
