"""The custody report as a PDF (app.views.widgets.pdf), from the same rows as the CSV."""

from __future__ import annotations

import html
from datetime import datetime
from pathlib import Path

from app.models.evidence_table_model import local_time, size_text
from app.services.evidence.custody import ReportRow
from app.views.widgets.pdf import print_html


def report_html(title: str, rows: list[ReportRow], audit_head: str) -> str:
    zone = datetime.now().astimezone().tzname()
    parts = [f"<h2>{html.escape(title)}</h2>",
             f"<p>Printed {html.escape(datetime.now().astimezone().strftime('%Y-%m-%d %H:%M %Z'))}. Times in "
             f"{html.escape(str(zone))}. Audit chain head at printing: <tt>{html.escape(audit_head)}</tt></p>"]
    current = None
    for r in rows:
        if r.item.id != current:
            if current is not None:
                parts.append("</table>")
            current = r.item.id
            it = r.item
            derived = f" — {it.derived_kind} of item {it.derived_from}" if it.derived_kind else ""
            parts.append(f"<h3>Item {it.id}: {html.escape(it.original_name)}{html.escape(derived)}</h3>"
                         f"<p>SHA-256 <tt>{it.sha256}</tt><br>{size_text(it.size_bytes)}, received "
                         f"{html.escape(local_time(it.received_at))} by {html.escape(it.received_by_name)}</p>"
                         '<table border="1" cellspacing="0" cellpadding="3" width="100%">'
                         "<tr><th>When</th><th>Event</th><th>Who</th><th>SHA-256 checked</th><th>Details</th></tr>")
        cells = r.cells()
        parts.append("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in (
            local_time(cells[4]), cells[5], cells[6], (cells[7][:16] + "…") if cells[7] else "", cells[8])) + "</tr>")
    if current is not None:
        parts.append("</table>")
    else:
        parts.append("<p>No custody events.</p>")
    return "".join(parts)


def write_report_pdf(path: Path, title: str, rows: list[ReportRow], audit_head: str) -> int:
    """Write the report; returns the page count."""
    return print_html(path, title, report_html(title, rows, audit_head), landscape=True, margin_mm=15, point_size=9)
