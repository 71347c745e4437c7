"""The transparency report as files: CSV (figures and tables), a self-contained HTML page, and a PDF.

CSV holds only what the store and the chain head determine (no "generated at" time), so the same store and
head give byte-identical CSV. The HTML embeds the plots as PNG data; the PDF is the same HTML laid out by Qt's
text engine with the plots as images (app.plots.report_pdf). Files are written to a temporary folder first and
moved into place together: a failed or cancelled run leaves nothing half-written.
"""

from __future__ import annotations

import base64
import html
import io
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from app.core.report_titles import CHART_TITLES
from app.io.report_model import Report
from app.io.safe_files import csv_writer

FIGURES_CSV = "transparency-report.csv"
HTML_NAME = "transparency-report.html"
PDF_NAME = "transparency-report.pdf"


def table_csv_name(key: str) -> str:
    return f"transparency-{key.replace('_', '-')}.csv"


def _csv_text(header: list[str], rows: list[list[str]]) -> str:
    buf = io.StringIO()
    writer = csv_writer(buf, lineterminator="\n")  # text cells neutralised against spreadsheet formulas
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue()


def csv_files(report: Report) -> dict[str, str]:
    """File name -> CSV text."""
    rows = [[s.key, f.key, f.label, f.value] for s in report.sections for f in s.figures]
    out = {FIGURES_CSV: _csv_text(["section", "key", "label", "value"], rows)}
    for s in report.sections:
        for t in s.tables:
            out[table_csv_name(t.key)] = _csv_text(t.columns, t.rows)
    return out


_STYLE = """
body { font-family: sans-serif; font-size: 10pt; margin: 1.5em; color: #111; }
h1 { font-size: 18pt; } h2 { font-size: 13pt; margin-top: 1.2em; border-bottom: 1px solid #888; }
h3 { font-size: 11pt; }
table { border-collapse: collapse; margin: 0.4em 0 0.8em 0; }
th, td { border: 1px solid #999; padding: 2px 5px; text-align: left; vertical-align: top; }
th { background: #e8e8e8; }
td.v { text-align: right; white-space: nowrap; }
p.note { color: #333; font-size: 9pt; }
p.gap { color: #8a3b00; }
"""


def report_html(report: Report, images: dict[str, bytes] | None = None, generated_at: str = "",
                image_src: Callable[[str], str] | None = None, img_width: int = 560,
                max_rows: int | None = None) -> str:
    """The report as one HTML page. ``images`` are PNG bytes per chart key, embedded as data (or named by
    ``image_src`` — the PDF writer gives resource names instead). With ``max_rows``, a longer table shows its first
    rows and names the CSV file that holds all of them (the PDF: Qt lays out a 10,000-row table in minutes)."""
    e = html.escape
    parts = [f"<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>{e(report.title)}</title>"
             f"<style>{_STYLE}</style></head><body>", f"<h1>{e(report.title)}</h1>",
             f"<p>{e(report.agency)} · audit chain head #{report.head.seq} <code>{e(report.head.hash)}</code>"
             + (f" · generated {e(generated_at)}" if generated_at else "") + "</p>"]
    images = images or {}
    chart_in = {"program": ["program_funnel"], "requests": ["answers"], "footage": ["evidence"],
                "effectiveness": ["effectiveness"]}
    for s in report.sections:
        parts.append(f"<h2>{e(s.title)}</h2>")
        if s.figures:
            parts.append("<table>" + "".join(
                f"<tr><td>{e(f.label)}</td><td class=\"v\">{e(f.value)}</td></tr>" for f in s.figures) + "</table>")
        for key in chart_in.get(s.key, []):
            if key in images:
                src = image_src(key) if image_src else ("data:image/png;base64,"
                                                          + base64.b64encode(images[key]).decode("ascii"))
                parts.append(f"<h3>{e(CHART_TITLES[key])}</h3><p><img src=\"{src}\" width=\"{img_width}\" "
                             f"alt=\"{e(CHART_TITLES[key])}\"></p>")
        for t in s.tables:
            parts.append(f"<h3>{e(t.title)}</h3>")
            rows = t.rows if max_rows is None else t.rows[:max_rows]
            if rows:
                parts.append("<table><tr>" + "".join(f"<th>{e(c)}</th>" for c in t.columns) + "</tr>" + "".join(
                    "<tr>" + "".join(f"<td>{e(v)}</td>" for v in r) + "</tr>" for r in rows) + "</table>")
            else:
                parts.append("<p>None in this period.</p>")
            if len(rows) < len(t.rows):
                parts.append(f"<p class=\"note\">The first {len(rows):,} of {len(t.rows):,} rows; all of them are in "
                             f"{e(table_csv_name(t.key))}.</p>")
            if t.note:
                parts.append(f"<p class=\"note\">{e(t.note)}</p>")
        for n in s.notes:
            parts.append(f"<p class=\"{'gap' if s.key == 'gaps' else 'note'}\">{e(n)}</p>")
    parts.append("</body></html>\n")
    return "\n".join(parts)


def write_report_files(folder: Path, report: Report, images: dict[str, bytes] | None = None,
                       generated_at: str = "", pdf: Callable[[Report, dict[str, bytes], Path, str], None] | None = None,
                       ) -> list[Path]:
    """Write the CSV files, the HTML page and (with ``pdf``) the PDF into ``folder``; returns the paths written."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".report-", dir=folder))
    try:
        names = []
        for name, text in csv_files(report).items():
            (tmp / name).write_text(text, encoding="utf-8", newline="")
            names.append(name)
        (tmp / HTML_NAME).write_text(report_html(report, images, generated_at), encoding="utf-8")
        names.append(HTML_NAME)
        if pdf is not None:
            pdf(report, images or {}, tmp / PDF_NAME, generated_at)
            names.append(PDF_NAME)
        out = []
        for name in names:
            os.replace(tmp / name, folder / name)
            out.append(folder / name)
        return out
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
