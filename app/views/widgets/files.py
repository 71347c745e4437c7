"""Every file dialog goes through here: one seam for tests, and last-used folders remembered per purpose."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QWidget

from app import settings


def choose_open_file(parent: QWidget | None, title: str, filters: str, purpose: str) -> Path | None:
    name, _ = QFileDialog.getOpenFileName(parent, title, settings.last_folder(purpose), filters)
    if not name:
        return None
    path = Path(name)
    settings.set_last_folder(purpose, str(path.parent))
    return path


def choose_save_file(parent: QWidget | None, title: str, filters: str, purpose: str,
                     suggested_name: str = "") -> Path | None:
    start = str(Path(settings.last_folder(purpose) or Path.home()) / suggested_name)
    name, _ = QFileDialog.getSaveFileName(parent, title, start, filters)
    if not name:
        return None
    path = Path(name)
    settings.set_last_folder(purpose, str(path.parent))
    return path


def choose_folder(parent: QWidget | None, title: str, purpose: str) -> Path | None:
    name = QFileDialog.getExistingDirectory(parent, title, settings.last_folder(purpose))
    if not name:
        return None
    path = Path(name)
    settings.set_last_folder(purpose, str(path))
    return path


def choose_open_files(parent: QWidget | None, title: str, filters: str, purpose: str) -> list[Path]:
    names, _ = QFileDialog.getOpenFileNames(parent, title, settings.last_folder(purpose), filters)
    paths = [Path(n) for n in names]
    if paths:
        settings.set_last_folder(purpose, str(paths[0].parent))
    return paths
