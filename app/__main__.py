"""Entry point: `canvass` (GUI), `canvass import FILE`, `canvass verify-audit`, `python -m app`."""

from __future__ import annotations

import argparse
import difflib
import sys
from pathlib import Path
from types import ModuleType
from typing import NoReturn

from app import APP_NAME, __version__


def build_parser() -> argparse.ArgumentParser:
    from app import cli

    parser = argparse.ArgumentParser(
        prog="canvass", usage="canvass [options] [FILE ...]\n       canvass SUBCOMMAND [--help] ...",
        description=f"{APP_NAME}: a consent-based neighborhood camera network — registry, map, footage requests, "
        "evidence, audit. Without a subcommand it opens the window (the demo city on first launch).",
        epilog=f"subcommands (canvass SUBCOMMAND --help describes each one's arguments):\n{cli.summary()}",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--version", action="version", version=f"{APP_NAME} {__version__}")
    parser.add_argument("--data-dir", metavar="DIR", help="data folder (default: the platform's user data folder, "
                        "or $CANVASS_DATA_DIR)")
    parser.add_argument("--demo", action="store_true", help="open the demo city (its own database, created if needed)")
    parser.add_argument("--install-desktop-entry", action="store_true",
                        help="install the .desktop entry and icon for the current user, then exit")
    parser.add_argument("files", nargs="*", metavar="FILE",
                        help="camera files (CSV, GeoJSON, KML) to import after launch, each through the preview")
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    from app import cli  # light: the subcommand modules are imported only to run one

    if argv and argv[0] in cli.NAMES:
        return cli.main(argv)
    parser = build_parser()
    args = parser.parse_args(argv)
    for name in args.files:
        if not Path(name).is_file():
            _not_a_file(parser, name, cli)
    if args.install_desktop_entry:
        from app.desktop_entry import install_desktop_entry

        for line in install_desktop_entry():
            print(line)
        return 0
    from app.gui import run_gui

    return run_gui(args)


def _not_a_file(parser: argparse.ArgumentParser, name: str, cli: ModuleType) -> NoReturn:
    """A FILE that does not exist is a usage error (exit 2) naming the subcommands, never a window that tries to
    import it: `canvass verfy-audit` is most likely a mistyped subcommand."""
    close = difflib.get_close_matches(name, sorted(cli.NAMES), n=1)
    hint = f" Did you mean `canvass {close[0]}`?" if close else ""
    parser.print_usage(sys.stderr)
    print(f"canvass: error: {name!r} is neither a subcommand nor an existing file.{hint}\n"
          f"subcommands:\n{cli.summary()}", file=sys.stderr)
    sys.exit(2)


if __name__ == "__main__":
    sys.exit(main())
