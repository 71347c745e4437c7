"""Who a write made from a script is attributed to in the audit log: `cli:<login name>`."""

from __future__ import annotations

import getpass


def cli_actor() -> str:
    try:
        name = getpass.getuser()
    except (KeyError, OSError):
        name = "unknown"
    return f"cli:{name}"
