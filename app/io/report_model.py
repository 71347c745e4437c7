"""The transparency report's data model (sections of figures and tables, the report itself) and the one text
form of each value; the content is computed by ``app.io.report.build_report``. No Qt."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from typing import Any

import numpy as np

from app.store import audit
from app.store import insights as q

GAP = "not recorded in this store"
NO_BIOMETRICS = ("Canvass performs no biometric identification: no face recognition, no voice recognition, no "
                 "licence-plate reading, no matching of people across footage. Footage arrives only because a camera "
                 "owner chose to share it; there is no live view of, or remote access to, any camera.")
REPORT_CELL_M = 10.0


class ReportCancelled(Exception):
    pass


@dataclass
class Figure:
    key: str
    label: str
    value: str


@dataclass
class Table:
    key: str
    title: str
    columns: list[str]
    rows: list[list[str]]
    note: str = ""


@dataclass
class Section:
    key: str
    title: str
    figures: list[Figure] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, key: str, label: str, value: object) -> None:
        self.figures.append(Figure(key, label, fmt(value)))

    def figure(self, key: str) -> str:
        return next(f.value for f in self.figures if f.key == key)


@dataclass
class Report:
    title: str
    date_from: date
    date_to: date
    agency: str
    head: audit.ChainHead
    sections: list[Section]
    gaps: list[str]
    charts: dict[str, dict[str, Any]]       # chart key -> data for the plots (rendered by the PDF / HTML writers)

    def section(self, key: str) -> Section:
        return next(s for s in self.sections if s.key == key)

    def figure(self, section: str, key: str) -> str:
        return self.section(section).figure(key)


def fmt(value: object) -> str:
    """One deterministic text form per value (the CSV must be byte-identical for the same store and head)."""
    if value is None:
        return GAP
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    if isinstance(value, (float, np.floating)):
        return "" if not math.isfinite(float(value)) else f"{float(value):.4f}".rstrip("0").rstrip(".")
    return str(value)


def pct(n: int, d: int) -> str:
    return f"{100.0 * n / d:.1f} %" if d else "n/a (none sent)"


def period_of(date_from: date, date_to: date) -> q.Period:
    """The report covers whole UTC days: from the start of date_from to the end of date_to."""
    if date_to < date_from:
        raise ValueError(f"the period ends ({date_to}) before it starts ({date_from})")
    start = datetime(date_from.year, date_from.month, date_from.day, tzinfo=timezone.utc)
    end = datetime(date_to.year, date_to.month, date_to.day, tzinfo=timezone.utc) + timedelta(days=1)
    return q.Period(start.strftime("%Y-%m-%dT%H:%M:%SZ"), end.strftime("%Y-%m-%dT%H:%M:%SZ"))


def stats(values: list[float]) -> tuple[str, str, str]:
    if not values:
        return "n/a", "n/a", "n/a"
    a = np.asarray(values)
    return fmt(float(a.min())), fmt(float(np.median(a))), fmt(float(a.max()))
