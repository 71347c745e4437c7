"""Import owners' answers to one request from a CSV: validated whole first, bad rows reported by line, nothing
written unless every row is good. No Qt.

Columns (header required, any order, case-insensitive):
  neighbor_no  — the owner's anonymous number ("12", "Neighbor #12") or their reply code ("R3-N12");
  response     — shared | declined | no footage | no response (also no_footage, no_response);
  opt_out      — optional: yes/no (an owner who asked to receive no future requests);
  responded_at — optional: a date or UTC date-time (2026-06-02 or 2026-06-02T14:05:00Z); default: now.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from app.core.records import RecipientState

RESPONSE_WORDS = {
    "shared": RecipientState.SHARED, "share": RecipientState.SHARED,
    "declined": RecipientState.DECLINED, "decline": RecipientState.DECLINED,
    "no footage": RecipientState.NO_FOOTAGE, "no_footage": RecipientState.NO_FOOTAGE,
    "no response": RecipientState.NO_RESPONSE, "no_response": RecipientState.NO_RESPONSE,
}
YES = {"yes", "y", "true", "1", "x"}
NO = {"no", "n", "false", "0", ""}
_NEIGHBOR = re.compile(r"^\s*(?:neighbou?r\s*#?\s*|R\d+-N)?(\d+)\s*$", re.IGNORECASE)
MAX_BYTES = 20_000_000


@dataclass(frozen=True)
class ResponseRow:
    line: int
    owner_id: int
    neighbor_no: int
    state: RecipientState
    opt_out: bool
    responded_at: datetime | None


@dataclass(frozen=True)
class LineError:
    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


@dataclass
class ResponsesFile:
    rows: list[ResponseRow] = field(default_factory=list)
    errors: list[LineError] = field(default_factory=list)
    sha256: str = ""  # of the bytes that were parsed (empty when the file was not read)

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.rows)


def _parse_time(text: str) -> datetime:
    text = text.strip()
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    dt = datetime.fromisoformat(text)
    return dt.replace(tzinfo=timezone.utc) if dt.tzinfo is None else dt.astimezone(timezone.utc)


def parse_responses(path: Path, recipients: dict[int, int], now: datetime) -> ResponsesFile:
    """recipients maps the request's neighbor numbers to owner ids. Every problem is collected, none skipped."""
    out = ResponsesFile()
    path = Path(path)
    if path.stat().st_size > MAX_BYTES:
        out.errors.append(LineError(0, "The file is too large to be a responses sheet."))
        return out
    data = path.read_bytes()
    out.sha256 = hashlib.sha256(data).hexdigest()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        out.errors.append(LineError(0, f"The file is not UTF-8 text ({exc.reason}); save it as CSV UTF-8."))
        return out
    reader = csv.reader(io.StringIO(text, newline=""))  # quoted cells may hold newlines; line_num stays physical
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        out.errors.append(LineError(1, "The file is empty."))
        return out
    for needed in ("neighbor_no", "response"):
        if needed not in header:
            out.errors.append(LineError(1, f"The header has no “{needed}” column (found: {', '.join(header)})."))
    if out.errors:
        return out
    col = {name: header.index(name) for name in header}
    seen: dict[int, int] = {}
    for record in reader:
        line = reader.line_num
        if not any(cell.strip() for cell in record):
            continue
        if len(record) != len(header):
            out.errors.append(LineError(line, f"{len(record)} fields, the header has {len(header)}."))
            continue

        def cell(name: str, rec: list[str] = record) -> str:
            return rec[col[name]].strip() if name in col else ""

        problems = []
        m = _NEIGHBOR.match(cell("neighbor_no"))
        neighbor = int(m.group(1)) if m else None
        if neighbor is None:
            problems.append(f"“{cell('neighbor_no')}” is not a neighbor number")
        elif neighbor not in recipients:
            problems.append(f"Neighbor #{neighbor} was not sent this request")
        elif neighbor in seen:
            problems.append(f"Neighbor #{neighbor} already answered on line {seen[neighbor]}")
        state = RESPONSE_WORDS.get(" ".join(cell("response").lower().split()))
        if state is None:
            problems.append(f"“{cell('response')}” is not an answer (shared, declined, no footage, no response)")
        opt = cell("opt_out").lower()
        if opt not in YES | NO:
            problems.append(f"opt_out “{cell('opt_out')}” must be yes or no")
        when: datetime | None = now
        if cell("responded_at"):
            try:
                when = _parse_time(cell("responded_at"))
                if when > now:
                    problems.append(f"responded_at {cell('responded_at')} is in the future")
            except ValueError:
                problems.append(f"responded_at “{cell('responded_at')}” is not a date (use 2026-06-02T14:05:00Z)")
        if problems:
            out.errors.append(LineError(line, "; ".join(problems) + "."))
            continue
        assert neighbor is not None and state is not None
        seen[neighbor] = line
        out.rows.append(ResponseRow(line, recipients[neighbor], neighbor, state, opt in YES,
                                    None if state == RecipientState.NO_RESPONSE else when))
    if not out.rows and not out.errors:
        out.errors.append(LineError(2, "There are no answers in the file."))
    return out
