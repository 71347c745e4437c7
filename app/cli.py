"""Scripted use without the GUI: `canvass SUBCOMMAND …`, one row of SUBCOMMANDS each.

A subcommand is a module with `add_arguments(parser)` and `run(args) -> int` (the exit status). The modules are
imported only to parse a subcommand line (the GUI launch never imports them). To add a subcommand, append a row.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from typing import NamedTuple


class HelpFormatter(argparse.HelpFormatter):
    """Wrapped help that keeps an epilog's own line breaks (exit statuses, examples)."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        return "\n".join(super(HelpFormatter, self)._fill_text(part, width, indent) for part in text.split("\n"))


class Subcommand(NamedTuple):
    name: str
    help: str
    module: str
    writes: bool = False  # takes the data folder's single-writer lock (refused while a window holds it)


SUBCOMMANDS: tuple[Subcommand, ...] = (
    Subcommand("import", "validate a file of cameras, agencies or posts and import it into the store",
               "app.io.import_cli", writes=True),
    Subcommand("verify-audit", "walk the audit log's hash chain", "app.services.accountability.audit_cli"),
    Subcommand("basemap", "load an OpenStreetMap extract or tile file as the store's base map (or --remove it)",
               "app.services.map.basemap_cli", writes=True),
    Subcommand("report", "write the transparency report (PDF, HTML, CSV) for a period", "app.report_cli"),
    Subcommand("verify-package", "check an evidence package (a zipped or unzipped BagIt bag) offline",
               "app.io.package_cli"),
    Subcommand("verify-evidence", "re-hash the evidence store against the hashes taken at intake",
               "app.services.evidence.verify_cli"),
)
NAMES = frozenset(s.name for s in SUBCOMMANDS)


def summary() -> str:
    """One line per subcommand, for `canvass --help` and for the usage error of an unknown command."""
    width = max(len(c.name) for c in SUBCOMMANDS)
    return "\n".join(f"  {c.name.ljust(width)}  {c.help}" for c in SUBCOMMANDS)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="canvass")
    sub = parser.add_subparsers(dest="command", required=True)
    for command in SUBCOMMANDS:
        module = importlib.import_module(command.module)
        module.add_arguments(sub.add_parser(command.name, help=command.help, description=command.help[:1].upper()
                                            + command.help[1:] + ".", formatter_class=HelpFormatter))
        sub.choices[command.name].set_defaults(run=module.run)
    return parser


def main(argv: list[str]) -> int:
    args = build_parser().parse_args(argv)
    command = next(c for c in SUBCOMMANDS if c.name == args.command)
    if not command.writes:
        return int(args.run(args))
    return run_locked(args)


def run_locked(args: argparse.Namespace) -> int:
    """Run a writing subcommand holding the window's single-writer lock on its data folder, or refuse."""
    from app import instance_lock, paths

    try:
        p = paths.init(getattr(args, "data_dir", None))
    except OSError as exc:
        print(f"canvass {args.command}: the data folder cannot be used: {exc.strerror or exc}: {exc.filename or ''}",
              file=sys.stderr)
        return 1
    try:
        lock = instance_lock.acquire(p.lock_path)
    except instance_lock.LockUnavailable as exc:
        print(f"canvass {args.command}: nothing was written: {exc}.", file=sys.stderr)
        return 1
    if lock is None:
        print(f"canvass {args.command}: {instance_lock.refusal(p.lock_path, p.data_dir)}", file=sys.stderr)
        return 1
    try:
        return int(args.run(args))
    finally:
        lock.unlock()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
