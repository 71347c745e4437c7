"""Where Canvass keeps its files. One place, resolved by init() from main(), never at import time."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import platformdirs

APP_DIR_NAME = "canvass"
ENV_DATA_DIR = "CANVASS_DATA_DIR"
DB_NAME = "canvass.sqlite3"


@dataclass(frozen=True)
class Paths:
    data_dir: Path
    log_dir: Path
    cache_dir: Path

    @property
    def db_path(self) -> Path:
        return self.data_dir / DB_NAME

    @property
    def backup_dir(self) -> Path:
        return self.data_dir / "backups"

    @property
    def evidence_dir(self) -> Path:
        return self.data_dir / "evidence"

    @property
    def lock_path(self) -> Path:
        return self.data_dir / "canvass.lock"

    @property
    def tile_cache_dir(self) -> Path:
        return self.cache_dir / "tiles"

    def demo(self) -> Paths:
        """The demo city lives in its own folder beside (never inside) the real store."""
        return Paths(self.data_dir / "demo", self.log_dir, self.cache_dir)


def default_data_dir() -> Path:
    env = os.environ.get(ENV_DATA_DIR)
    if env:
        return Path(env).expanduser()
    return Path(platformdirs.user_data_dir(APP_DIR_NAME, appauthor=False))


def init(data_dir: str | os.PathLike[str] | None = None, *, demo: bool = False) -> Paths:
    """Resolve the folders (flag > environment > platform default) and create them privately."""
    base = Path(data_dir).expanduser() if data_dir else default_data_dir()
    log_dir = Path(platformdirs.user_log_dir(APP_DIR_NAME, appauthor=False))
    cache_dir = Path(platformdirs.user_cache_dir(APP_DIR_NAME, appauthor=False))
    if data_dir or os.environ.get(ENV_DATA_DIR):
        # An explicit data folder keeps everything of that session together (tests, portable use).
        log_dir = base / "logs"
        cache_dir = base / "cache"
    paths = Paths(base.resolve(), log_dir, cache_dir)
    if demo:
        paths = paths.demo()
    for d in (paths.data_dir, paths.log_dir, paths.cache_dir):
        make_private_dir(d)
    return paths


def make_private_dir(path: Path) -> None:
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    try:
        os.chmod(path, 0o700)
    except OSError:
        pass
