"""Outreach letters as a PDF, one page per owner (app.views.widgets.pdf). Text comes from app.io.outreach_csv
so the letter and the mail-merge CSV say the same thing."""

from __future__ import annotations

import html
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

from app.io.outreach_csv import RequestFacts, letter_paragraphs, reply_code
from app.views.widgets.pdf import print_html


def letters_html(facts: RequestFacts, notices: Sequence, today: str) -> str:
    parts = []
    for i, n in enumerate(notices):
        brk = ' style="page-break-before: always"' if i else ""
        address = "<br>".join(html.escape(x) for x in (n.display_name, n.address) if x)
        paras = letter_paragraphs(facts, n.display_name, n.neighbor_no, n.cameras)
        body = "".join(f"<p>{html.escape(p)}</p>" for p in paras)
        body += "".join(f"<p><b>{html.escape(line)}</b></p>" for line in getattr(n, "evidence_lines", ()))
        parts.append(
            f'<h2{brk}>{html.escape(facts.agency)}</h2>'
            f'<p><b>Request for camera footage — voluntary</b><br>Public log no. {facts.public_no} · '
            f'Case {html.escape(facts.case_number)} · {html.escape(today)}</p>'
            f"<p>{address}</p><hr>{body}"
            f'<p style="color:#555"><small>Your reply code: {reply_code(facts, n.neighbor_no)}. Your name is not '
            "published: in the public log and in agency lists you appear only as an anonymous neighbor unless you "
            "choose to share.</small></p>")
    return "".join(parts)


def write_letters_pdf(path: Path, facts: RequestFacts, notices: Sequence, today: str) -> int:
    """Write one letter per notice; returns the page count. The letters name owners and their addresses: the file is
    private to the user (0600) from its creation, and appears at path only when complete."""
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".part", dir=path.parent)
    os.close(fd)
    try:
        pages = _write_pdf(Path(tmp), facts, notices, today)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return pages


def _write_pdf(path: Path, facts: RequestFacts, notices: Sequence, today: str) -> int:
    return print_html(path, f"Footage request {facts.public_no} — letters to camera owners",
                      letters_html(facts, notices, today), margin_mm=20, point_size=11,
                      style_sheet="body { font-family: serif; } p { margin-bottom: 8px; }")
