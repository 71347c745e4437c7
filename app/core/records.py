"""Record types and vocabularies shared by every layer. Pure Python."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from enum import Enum


class StrEnum(str, Enum):
    def __str__(self) -> str:
        return self.value


class CameraKind(StrEnum):
    DOORBELL = "doorbell"
    FLOODLIGHT = "floodlight"
    SPOTLIGHT = "spotlight"
    INDOOR = "indoor"
    BUSINESS_CCTV = "business_cctv"
    CITY_CCTV = "city_cctv"


CAMERA_KIND_LABELS = {
    CameraKind.DOORBELL: "Doorbell",
    CameraKind.FLOODLIGHT: "Floodlight",
    CameraKind.SPOTLIGHT: "Spotlight",
    CameraKind.INDOOR: "Indoor",
    CameraKind.BUSINESS_CCTV: "Business CCTV",
    CameraKind.CITY_CCTV: "City CCTV",
}


class CameraSource(StrEnum):
    SELF_REGISTERED = "self_registered"
    PROGRAM_DISTRIBUTED = "program_distributed"
    IMPORTED = "imported"


# Column arrays hold indexes into these lists (app.store.camera_arrays, app.core.demo_registry): one order.
KIND_CODES: list[str] = [k.value for k in CameraKind]
SOURCE_CODES: list[str] = [s.value for s in CameraSource]


class Consent(StrEnum):
    OPT_IN = "opt_in"
    OPT_OUT = "opt_out"


class ContactPreference(StrEnum):
    EMAIL = "email"
    PHONE = "phone"
    MAIL = "mail"
    NONE = "none"


class AgencyKind(StrEnum):
    POLICE = "police"
    SHERIFF = "sheriff"
    FIRE = "fire"
    OTHER = "other"


class IncidentSource(StrEnum):
    RESIDENT_POST = "resident_post"
    AGENCY_REPORT = "agency_report"


class RequestState(StrEnum):
    DRAFT = "draft"
    AWAITING_APPROVAL = "awaiting_approval"
    SENT = "sent"
    RESOLVED = "resolved"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"


class RecipientState(StrEnum):
    PENDING = "pending"
    SHARED = "shared"
    DECLINED = "declined"
    NO_FOOTAGE = "no_footage"
    NO_RESPONSE = "no_response"


class CustodyKind(StrEnum):
    RECEIVED = "received"
    LINKED = "linked"            # the same file (same SHA-256) attached to another answer: linked, not stored again
    VIEWED = "viewed"
    STILL = "still"
    CLIP = "clip"
    REDACTED = "redacted"
    EXPORTED = "exported"
    VERIFIED = "verified"
    HELD = "held"
    RELEASED = "released"
    PURGE_MARKED = "purge_marked"
    RESTORED = "restored"
    PURGED = "purged"
    CONSENT_WITHDRAWN = "consent_withdrawn"


class Role(StrEnum):
    ANALYST = "analyst"
    SUPERVISOR = "supervisor"
    AUDITOR = "auditor"
    ADMIN = "admin"


PROTEST_CATEGORY = "protest / lawful assembly"


def utc_now() -> datetime:
    return datetime.now(timezone.utc)


def to_iso(dt: datetime) -> str:
    """UTC ISO 8601 with a Z, second precision: the one timestamp format in the store."""
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def from_iso(text: str) -> datetime:
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    dt = datetime.fromisoformat(text)
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt


@dataclass
class Owner:
    id: int | None
    display_name: str
    email: str = ""
    phone: str = ""
    address: str = ""
    contact_preference: ContactPreference = ContactPreference.EMAIL
    consent: Consent = Consent.OPT_IN
    consent_changed_on: str | None = None
    anonymity_no: int | None = None


@dataclass
class Camera:
    id: int | None
    lat: float
    lon: float
    kind: CameraKind
    owner_id: int | None = None
    heading_deg: float | None = None
    fov_deg: float | None = None
    range_m: float | None = None
    retention_days: int | None = None
    source: CameraSource = CameraSource.SELF_REGISTERED
    registered_on: str = ""
    active: bool = True
    external_id: str | None = None
    label: str = ""


@dataclass(frozen=True)
class OwnerSummary:
    """What the registry may show about an owner without a contact-details permission."""

    id: int
    display_name: str
    consent: Consent
    consent_changed_on: str | None
    anonymity_no: int
    camera_count: int

    @property
    def anonymous_name(self) -> str:
        return f"Neighbor #{self.anonymity_no}"


@dataclass(frozen=True)
class OwnerContact:
    email: str
    phone: str
    address: str
    contact_preference: ContactPreference


@dataclass(frozen=True)
class UserRecord:
    id: int
    name: str
    role: Role
    password_hash: str
    active: bool
    created_at: str
