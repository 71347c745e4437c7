"""Evidence rules, pure Python with the clock passed in: retention dates, purge eligibility, the grace period,
hold reviews, the recorder's clock offset, and names safe to put on a file system.

Nothing here reads the store or the clock: callers pass `now` (an aware datetime), so tests drive time.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from app.core.records import CustodyKind, StrEnum

DEFAULT_RETENTION_DAYS = 90
PURGE_GRACE_DAYS = 7
VERIFY_EVERY_DAYS = 7


CUSTODY_LABELS = {
    CustodyKind.RECEIVED: "Received", CustodyKind.LINKED: "Linked to another answer", CustodyKind.VIEWED: "Viewed",
    CustodyKind.STILL: "Still exported", CustodyKind.CLIP: "Clip exported", CustodyKind.REDACTED: "Redacted copy",
    CustodyKind.EXPORTED: "Exported in a package", CustodyKind.VERIFIED: "Verified",
    CustodyKind.HELD: "Legal hold placed", CustodyKind.RELEASED: "Legal hold released",
    CustodyKind.PURGE_MARKED: "Marked for purge", CustodyKind.RESTORED: "Restored from purge",
    CustodyKind.PURGED: "Purged", CustodyKind.CONSENT_WITHDRAWN: "Owner withdrew consent",
}


class DerivedKind(StrEnum):
    STILL = "still"
    CLIP = "clip"
    REDACTION = "redaction"


# The custody event a derivation leaves on its parent.
DERIVED_EVENT = {DerivedKind.STILL: CustodyKind.STILL, DerivedKind.CLIP: CustodyKind.CLIP,
                 DerivedKind.REDACTION: CustodyKind.REDACTED}


class PurgeReason(StrEnum):
    RETENTION = "retention"
    CONSENT_WITHDRAWN = "consent_withdrawn"


# --- retention ------------------------------------------------------------------------------------------------------
def retention_due(resolved_at: Iterable[datetime | None], days: int = DEFAULT_RETENTION_DAYS) -> datetime | None:
    """When an item's retention ends: `days` after the last of its requests is resolved.

    An item in several requests keeps the longest period; while any of them is unresolved (None) it has no end."""
    ends = list(resolved_at)
    if not ends or any(r is None for r in ends):
        return None
    return max(r for r in ends if r is not None) + timedelta(days=days)


@dataclass(frozen=True)
class PurgeState:
    """What the purge needs to know about one item."""

    item_id: int
    retention_due: datetime | None
    consent_withdrawn: bool
    held: bool
    marked_at: datetime | None
    purged: bool


def purge_candidate(s: PurgeState, now: datetime) -> str | None:
    """The reason to mark this item for purge now (a PurgeReason value), or None.

    Held items are never marked; an owner's withdrawal of consent marks it whatever its retention date."""
    if s.purged or s.marked_at is not None or s.held:
        return None
    if s.consent_withdrawn:
        return PurgeReason.CONSENT_WITHDRAWN.value
    if s.retention_due is not None and now >= s.retention_due:
        return PurgeReason.RETENTION.value
    return None


def purge_due(marked_at: datetime, grace_days: int = PURGE_GRACE_DAYS) -> datetime:
    return marked_at + timedelta(days=grace_days)


def may_remove(s: PurgeState, now: datetime, grace_days: int = PURGE_GRACE_DAYS) -> bool:
    """A marked item's file is removed once its grace period is over, unless a hold was placed meanwhile."""
    return (not s.purged and not s.held and s.marked_at is not None
            and now >= purge_due(s.marked_at, grace_days))


def hold_overdue(review_on: date, released: bool, now: datetime) -> bool:
    """A hold still in force whose review date has passed (the Evidence tab lists these)."""
    return not released and now.date() > review_on


def verification_due(last_run: datetime | None, now: datetime, every_days: int = VERIFY_EVERY_DAYS) -> bool:
    return last_run is None or now - last_run >= timedelta(days=every_days)


# --- the recorder's clock -------------------------------------------------------------------------------------------
def clock_offset_s(shown: datetime, true: datetime) -> float:
    """The recorder's offset: the time the footage shows minus the true time (positive = recorder fast)."""
    return (shown - true).total_seconds()


def corrected(shown: datetime, offset_s: float) -> datetime:
    """A time read from the footage, corrected to the true time."""
    return shown - timedelta(seconds=offset_s)


def recorder_time(start: datetime, position_s: float) -> datetime:
    """The recorder's clock at a position in the file, from its start (container creation time)."""
    return start + timedelta(seconds=position_s)


def describe_offset(offset_s: float) -> str:
    if abs(offset_s) < 0.5:
        return "recorder clock correct"
    sign = "fast" if offset_s > 0 else "slow"
    total = abs(offset_s)
    h, rem = divmod(int(round(total)), 3600)
    m, s = divmod(rem, 60)
    text = (f"{h} h " if h else "") + (f"{m} min " if m or h else "") + f"{s} s"
    return f"recorder clock {text} {sign}"


# --- names ----------------------------------------------------------------------------------------------------------
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_EXT = re.compile(r"^[a-z0-9]{1,8}$")
MAX_NAME = 80


def safe_extension(original_name: str) -> str:
    """The original's extension if it is short and plain (".mp4"), else "" (never a path piece)."""
    base = original_name.replace("\\", "/").rsplit("/", 1)[-1]
    if "." not in base.strip("."):
        return ""
    ext = base.rsplit(".", 1)[-1].lower()
    return f".{ext}" if _EXT.match(ext) else ""


def safe_name(name: str, fallback: str = "file") -> str:
    """A file name that cannot escape its folder or surprise a file system: ASCII letters, digits, ._-,
    no leading dot, no path separators, at most MAX_NAME characters, never empty."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    base = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode("ascii")
    base = _UNSAFE.sub("_", base).strip("._-")
    base = re.sub(r"\.{2,}", ".", base)
    if not base:
        base = fallback
    if len(base) > MAX_NAME:
        stem, dot, ext = base.rpartition(".")
        base = (stem[:MAX_NAME - len(ext) - 1] + "." + ext) if dot and len(ext) <= 8 else base[:MAX_NAME]
    return base


def stored_relpath(sha256: str, original_name: str) -> str:
    """Where an item's file lives under the evidence folder: named by its hash, never by what the sender called it."""
    if not re.fullmatch(r"[0-9a-f]{64}", sha256):
        raise ValueError(f"not a SHA-256 hex digest: {sha256!r}")
    return f"{sha256[:2]}/{sha256}{safe_extension(original_name)}"


# --- records --------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class EvidenceItem:
    """One stored file (an original as shared, or a derived still/clip/redaction)."""

    id: int
    request_id: int
    recipient_id: int | None
    original_name: str
    stored_path: str             # relative to the evidence folder; "" once purged
    sha256: str
    size_bytes: int
    media_info: str              # JSON; "{}" for a file that is not media
    received_at: str
    received_by: int | None
    clock_offset_s: float
    clock_offset_source: str
    derived_from: int | None
    derived_kind: str | None
    derivation: str              # JSON: what made a derived item (time, in/out points, boxes)
    is_media: bool
    consent_withdrawn_at: str | None
    purge_marked_at: str | None
    purge_due_at: str | None
    purge_reason: str
    purged_at: str | None
    last_verified_at: str | None
    last_verified_ok: bool | None
    received_by_name: str = ""

    @property
    def purged(self) -> bool:
        return self.purged_at is not None


@dataclass(frozen=True)
class CustodyEvent:
    id: int
    evidence_id: int
    kind: str
    at: str
    actor: str
    sha256: str
    details: str


@dataclass(frozen=True)
class LegalHold:
    id: int
    evidence_id: int
    reason: str
    authority: str
    placed_by: int
    placed_by_name: str
    placed_at: str
    review_on: str
    released_at: str | None
    released_by: int | None
    release_reason: str

    @property
    def active(self) -> bool:
        return self.released_at is None


@dataclass(frozen=True)
class OnwardShare:
    id: int
    package_name: str
    package_sha256: str
    package_bytes: int
    recipient_org: str
    legal_basis: str
    requested_by: str
    approved_by: str
    created_at: str
    items: int
