"""Finding bundled assets, installed (app.resources) or from a source checkout (resources/)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def resource_dir() -> Path:
    try:
        path = Path(str(resources.files("app.resources")))
        if path.is_dir():
            return path
    except ModuleNotFoundError:
        pass
    return Path(__file__).resolve().parent.parent / "resources"


def resource(name: str) -> Path:
    return resource_dir() / name
