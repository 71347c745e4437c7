"""The public request log as CSV and as a self-contained HTML page. No Qt; nothing personal in either."""

from __future__ import annotations

import html
import os
from collections.abc import Sequence
from pathlib import Path

from app.core import timefmt
from app.core.public_log import PublicLogEntry
from app.core.wording import count
from app.io.outreach_csv import write_rows
from app.io.safe_files import private_atomic_file
from app.store.audit import ChainHead

HEADERS = ["No.", "Case number", "Agency", "Category", "Area centre (lat, lon)", "Radius (m)", "Window start",
           "Window end", "Sent", "Expires", "Closed", "State", "Notified", "Shared", "Declined", "Overrides"]


def write_public_log_csv(path: Path, entries: Sequence[PublicLogEntry], head: ChainHead | None = None) -> int:
    """The log as CSV (cells neutralised against spreadsheet formulas), with the audit head it was made at in
    NAME.chain-head.json beside it."""
    write_rows(path, list(PublicLogEntry.COLUMNS), [e.values() for e in entries], head)
    return len(entries)


def cells(e: PublicLogEntry) -> list[str]:
    """One row as people read it: dates like "Sat 28 Nov 2026, 22:40 PST" (the CSV keeps the stored UTC text)."""
    when = timefmt.readable
    return [str(e.public_no), e.case_number, e.agency, e.category, f"{e.center_lat:.3f}, {e.center_lon:.3f}",
            f"{e.radius_m:.0f}", when(e.window_start), when(e.window_end), when(e.sent_at), when(e.expires_at),
            when(e.closed_at) if e.closed_at else "—",
            e.state.replace("_", " "), str(e.notified), str(e.shared), str(e.declined), str(e.overrides)]


def public_log_html(entries: Sequence[PublicLogEntry], title: str = "Public footage request log",
                    generated_at: str = "", head: ChainHead | None = None) -> str:
    columns = "".join(f"<th>{html.escape(h)}</th>" for h in HEADERS)
    body = "\n".join("<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in cells(e)) + "</tr>" for e in entries)
    note = ("Every footage request sent to camera owners appears here and is never removed. Areas are shown as a "
            "circle that contains the real area (centre rounded to about 100 m, radius rounded up to 100 m). "
            "Owners are never named. “Overrides” counts policy limits a supervisor overrode, with a written reason.")
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>
body {{ font-family: sans-serif; margin: 2em; }}
table {{ border-collapse: collapse; font-size: 0.9em; }}
th, td {{ border: 1px solid #999; padding: 0.3em 0.5em; text-align: left; }}
th {{ background: #eee; }}
</style></head>
<body><h1>{html.escape(title)}</h1>
<p>{html.escape(note)}</p>
<p>{count(len(entries), "request")}. Generated {html.escape(generated_at)}.</p>
{_head_html(head)}
<table><thead><tr>{columns}</tr></thead>
<tbody>
{body}
</tbody></table></body></html>
"""


def _head_html(head: ChainHead | None) -> str:
    if head is None:
        return ""
    return (f'<p id="audit-head">Audit log head when this page was made: entry {head.seq}, SHA-256 '
            f"<code>{html.escape(head.hash)}</code>. Anyone holding this page can later check that the log still "
            "holds that entry unchanged (<code>canvass verify-audit --head SEQ:HASH</code>).</p>")


def write_public_log_html(path: Path, entries: Sequence[PublicLogEntry], generated_at: str = "",
                          head: ChainHead | None = None) -> int:
    """The page, written whole or not at all (it is public: readable by others, as a published page is)."""
    text = public_log_html(entries, generated_at=generated_at, head=head)
    with private_atomic_file(path, newline=None) as fh:
        fh.write(text)
    os.chmod(path, 0o644)
    return len(entries)
