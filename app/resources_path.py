"""Finding bundled assets: the `app.resources` package, wherever the app is installed."""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def resource_dir() -> Path:
    """The folder holding the assets. Qt and shutil want real paths; wheels install packages as folders."""
    return Path(str(resources.files("app.resources")))


def resource(name: str) -> Path:
    """One asset by its relative name, e.g. resource("canvass.svg") or resource("guide/index.html")."""
    return resource_dir() / name
