"""Regression guard for PySide6/shiboken6 6.12.0 on CPython < 3.12: every Qt call returning nothing released one
reference to None too many, until the process died with "Fatal Python error: none_dealloc"."""

from __future__ import annotations

import gc
import sys
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet
from packaging.utils import canonicalize_name

PYPROJECT = Path(__file__).resolve().parents[2] / "pyproject.toml"
CALLS = 20_000
CHUNK = 500  # check often, so a leak fails the test long before None's count could reach zero and kill pytest
TOLERANCE = 100  # other code takes and drops references to None too; the bug loses one per call


def test_void_qt_calls_do_not_over_release_none(qapp) -> None:  # noqa: ANN001
    from PySide6.QtCore import QObject, QTimer
    from PySide6.QtWidgets import QWidget

    widget, obj, timer = QWidget(), QObject(), QTimer()
    gc.collect()
    before = sys.getrefcount(None)
    done = 0
    while done < CALLS:
        for i in range(CHUNK // 5):
            widget.setMinimumWidth(i % 50)  # each of these returns None from C++ void
            widget.setToolTip("tip")
            obj.setObjectName("name")
            timer.setInterval(i)
            widget.setEnabled(True)
        done += CHUNK
        fallen = before - sys.getrefcount(None)
        assert fallen <= TOLERANCE, f"None lost {fallen} references over {done} void Qt calls (shiboken bug)"
    widget.deleteLater()


def _load_pyproject() -> dict:
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        tomllib = pytest.importorskip("tomli")
    with PYPROJECT.open("rb") as fh:
        return tomllib.load(fh)


def _pyside_specifiers(python_version: str) -> list[SpecifierSet]:
    """The PySide6-Essentials specifiers that apply on the given Python (major.minor)."""
    env = {"python_version": python_version, "python_full_version": f"{python_version}.0"}
    found = []
    for line in _load_pyproject()["project"]["dependencies"]:
        req = Requirement(line)
        if canonicalize_name(req.name) == "pyside6-essentials" and (req.marker is None or req.marker.evaluate(env)):
            found.append(req.specifier)
    return found


def _allowed(version: str, specs: list[SpecifierSet]) -> bool:
    return all(spec.contains(version, prereleases=True) for spec in specs)


@pytest.mark.parametrize("python", ["3.10", "3.11"])
def test_dependency_excludes_the_broken_combination(python: str) -> None:
    specs = _pyside_specifiers(python)
    assert specs, f"no PySide6-Essentials requirement applies on Python {python}"
    assert not _allowed("6.12.0", specs)
    assert _allowed("6.11.3", specs)


@pytest.mark.parametrize("python", ["3.12", "3.13"])
def test_dependency_allows_6_12_where_it_works(python: str) -> None:
    specs = _pyside_specifiers(python)
    assert specs, f"no PySide6-Essentials requirement applies on Python {python}"
    assert _allowed("6.12.0", specs)
