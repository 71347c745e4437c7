"""The mail-merge CSV of a request's notices (one row per owner), and the letter text both outputs share. No Qt.

The same wording feeds the CSV's columns and the PDF letters (app/views/outreach_pdf.py), so what an owner is
told does not depend on the channel: what is asked, why, the window, that sharing is voluntary, and how to
decline or opt out of all future requests.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from app.io.safe_files import write_private_csv
from app.store.audit import ChainHead

COLUMNS = ["neighbor_no", "display_name", "email", "phone", "address", "contact_preference", "cameras",
           "public_no", "case_number", "agency", "category", "window_start", "window_end", "respond_by",
           "investigator_contact", "reply_code", "how_to_decline", "how_to_opt_out"]


@dataclass(frozen=True)
class RequestFacts:
    """What every letter of one request says."""

    public_no: int | None
    case_number: str
    agency: str
    category: str
    description: str
    window_start: str    # readable local text, e.g. "2026-06-01 07:00 UTC"
    window_end: str
    respond_by: str
    investigator_contact: str


def reply_code(facts: RequestFacts, neighbor_no: int) -> str:
    """What the owner quotes when answering: names the request and their anonymous number, nothing else."""
    return f"R{facts.public_no or 0}-N{neighbor_no}"


def decline_text(facts: RequestFacts, neighbor_no: int) -> str:
    return (f"To decline, reply “decline {reply_code(facts, neighbor_no)}” by {facts.respond_by}, or simply do not "
            "answer: no reply counts as no.")


def opt_out_text(facts: RequestFacts, neighbor_no: int) -> str:
    return (f"To stop receiving any future requests, reply “opt out {reply_code(facts, neighbor_no)}”. "
            "It takes effect as soon as it is recorded.")


def letter_paragraphs(facts: RequestFacts, name: str, neighbor_no: int, cameras: int) -> list[str]:
    """The letter, paragraph by paragraph (plain text)."""
    cams = "your camera" if cameras == 1 else f"your {cameras} cameras"
    why = facts.description.strip() or f"an investigation of a {facts.category}"
    return [
        f"Dear {name},",
        f"{facts.agency} asks whether {cams} recorded anything between {facts.window_start} and "
        f"{facts.window_end} that could help with case {facts.case_number} ({facts.category}).",
        f"Why: {why}",
        "Sharing is voluntary. You decide whether to share anything, and which parts. Nobody can see your camera or "
        "its recordings unless you send them; declining has no consequence for you.",
        f"If you choose to share, contact {facts.investigator_contact or facts.agency} and quote "
        f"{reply_code(facts, neighbor_no)}.",
        decline_text(facts, neighbor_no),
        opt_out_text(facts, neighbor_no),
        f"This request is number {facts.public_no} in the public request log and expires on {facts.respond_by}.",
    ]


def notice_rows(facts: RequestFacts, notices: Sequence) -> list[list[object]]:  # Sequence[services.requests.Notice]
    rows = []
    for n in notices:
        rows.append([n.neighbor_no, n.display_name, n.email, n.phone, n.address, n.contact_preference, n.cameras,
                     facts.public_no, facts.case_number, facts.agency, facts.category, facts.window_start,
                     facts.window_end, facts.respond_by, facts.investigator_contact, reply_code(facts, n.neighbor_no),
                     decline_text(facts, n.neighbor_no), opt_out_text(facts, n.neighbor_no)])
    return rows


def write_rows(path: Path, header: Sequence[str], rows: Sequence[Sequence[object]],
               head: ChainHead | None = None) -> None:
    """Write a CSV atomically (temp file + rename), private to the user (it holds contact details), its text cells
    neutralised against spreadsheet formulas; with the audit head it was made at beside it, if given."""
    write_private_csv(path, header, rows, head)


def write_outreach_csv(path: Path, facts: RequestFacts, notices: Sequence, head: ChainHead | None = None) -> int:
    rows = notice_rows(facts, notices)
    write_rows(path, COLUMNS, rows, head)
    return len(rows)
