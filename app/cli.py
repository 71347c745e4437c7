"""Scripted use without the GUI: `canvass SUBCOMMAND …`, one row of SUBCOMMANDS each.

A subcommand is a module with `add_arguments(parser)` and `run(args) -> int` (the exit status). The modules are
imported only to parse a subcommand line (the GUI launch never imports them). To add a subcommand, append a row.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from typing import NamedTuple


class Subcommand(NamedTuple):
    name: str
    help: str
    module: str


SUBCOMMANDS: tuple[Subcommand, ...] = (
    Subcommand("import", "validate a file of cameras, agencies or posts and import it into the store",
               "app.io.import_cli"),
    Subcommand("verify-audit", "walk the audit log's hash chain", "app.services.accountability.audit_cli"),
    Subcommand("report", "write the transparency report (PDF, HTML, CSV) for a period", "app.io.report_cli"),
)
NAMES = frozenset(s.name for s in SUBCOMMANDS)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="canvass")
    sub = parser.add_subparsers(dest="command", required=True)
    for command in SUBCOMMANDS:
        module = importlib.import_module(command.module)
        module.add_arguments(sub.add_parser(command.name, help=command.help))
        sub.choices[command.name].set_defaults(run=module.run)
    return parser


def main(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    return int(args.run(args))


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
