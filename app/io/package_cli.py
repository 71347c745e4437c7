"""`canvass verify-package FILE`: check an evidence package (zipped or unzipped BagIt bag, made by Canvass or by
any BagIt tool) offline. Prints OK, or each missing, extra or altered file.
Exit status: 0 intact, 1 altered, missing or extra files, 2 not a bag or unreadable."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from app.io.evidence_package import PackageError, check_package

EXIT_OK, EXIT_ALTERED, EXIT_UNREADABLE = 0, 1, 2


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", metavar="FILE", help="the package: a .zip holding a bag, or a bag's folder")


def run(args: argparse.Namespace) -> int:
    try:
        result = check_package(Path(args.file))
    except PackageError as exc:
        print(f"ERROR: {exc}", file=sys.stderr)
        return EXIT_UNREADABLE
    except OSError as exc:
        print(f"ERROR: {args.file} cannot be read: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_UNREADABLE
    for line in result.lines():
        print(line)
    return EXIT_OK if result.ok else EXIT_ALTERED
