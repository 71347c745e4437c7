"""Logging to a rotating file in the log folder (and stderr for warnings)."""

from __future__ import annotations

import logging
import logging.handlers
from pathlib import Path

LOG_NAME = "canvass.log"


def setup_logging(log_dir: Path, level: int = logging.INFO) -> Path:
    log_dir.mkdir(parents=True, exist_ok=True)
    log_file = log_dir / LOG_NAME
    root = logging.getLogger()
    for h in list(root.handlers):
        if getattr(h, "_canvass", False):
            root.removeHandler(h)
            h.close()
    handler = logging.handlers.RotatingFileHandler(log_file, maxBytes=2_000_000, backupCount=5, encoding="utf-8")
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler._canvass = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)
    return log_file
