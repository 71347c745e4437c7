"""Entry point: `canvass` (GUI), `canvass import FILE`, `canvass verify-audit`, `python -m app`."""

from __future__ import annotations

import argparse
import sys

from app import APP_NAME, __version__


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="canvass", description=f"{APP_NAME}: a consent-based neighborhood camera "
                                     "network — registry, map, footage requests, evidence, audit.")
    parser.add_argument("--version", action="version", version=f"{APP_NAME} {__version__}")
    parser.add_argument("--data-dir", metavar="DIR", help="data folder (default: the platform's user data folder, "
                        "or $CANVASS_DATA_DIR)")
    parser.add_argument("--demo", action="store_true", help="open the demo city (its own database, created if needed)")
    parser.add_argument("--install-desktop-entry", action="store_true",
                        help="install the .desktop entry and icon for the current user, then exit")
    parser.add_argument("files", nargs="*", metavar="FILE", help="camera files to import after launch")
    return parser


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    from app import cli  # light: the subcommand modules are imported only to run one

    if argv and argv[0] in cli.NAMES:
        return cli.main(argv)
    args = build_parser().parse_args(argv)
    if args.install_desktop_entry:
        from app.desktop_entry import install_desktop_entry

        for line in install_desktop_entry():
            print(line)
        return 0
    from app.gui import run_gui

    return run_gui(args)


if __name__ == "__main__":
    sys.exit(main())
