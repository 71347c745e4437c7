"""What the store's CHECK constraints would refuse, said per field before anything is written, so a dialog can say
what is wrong; the store still refuses it (its CHECKs stay the last word)."""

from __future__ import annotations

import math

from app.core.records import Camera, CameraKind, CameraSource, Consent, ContactPreference, Owner

# Upper bounds no real camera reaches: a number beyond them is a mistake (1e300), not a camera to store.
MAX_RANGE_M = 10_000.0
MAX_RETENTION_DAYS = 36_500


def _finite(value: float | None) -> bool:
    return value is not None and isinstance(value, (int, float)) and math.isfinite(value)


def validate_camera(camera: Camera) -> dict[str, str]:
    """Field name -> reason for every value the schema's CHECKs would refuse (empty when valid)."""
    errors: dict[str, str] = {}
    if not _finite(camera.lat) or not -90 <= camera.lat <= 90:
        errors["lat"] = "Latitude must be between −90 and 90."
    if not _finite(camera.lon) or not -180 <= camera.lon <= 180:
        errors["lon"] = "Longitude must be between −180 and 180."
    if camera.heading_deg is not None and (not _finite(camera.heading_deg) or not 0 <= camera.heading_deg <= 360):
        errors["heading_deg"] = "Heading must be between 0° and 360°."
    if camera.fov_deg is not None and (not _finite(camera.fov_deg) or not 1 <= camera.fov_deg <= 360):
        errors["fov_deg"] = "Field of view must be between 1° and 360°."
    if camera.range_m is not None and (not _finite(camera.range_m) or not 0 < camera.range_m <= MAX_RANGE_M):
        errors["range_m"] = f"Range must be more than 0 m and at most {MAX_RANGE_M:,.0f} m."
    if camera.retention_days is not None and (not _finite(camera.retention_days)
                                              or not 0 <= camera.retention_days <= MAX_RETENTION_DAYS
                                              or int(camera.retention_days) != camera.retention_days):
        errors["retention_days"] = f"Retention must be a whole number of days, 0 to {MAX_RETENTION_DAYS:,}."
    if str(camera.kind) not in {k.value for k in CameraKind}:
        errors["kind"] = f"Unknown camera kind {camera.kind!r}."
    if str(camera.source) not in {s.value for s in CameraSource}:
        errors["source"] = f"Unknown camera source {camera.source!r}."
    return errors


def validate_owner(owner: Owner) -> dict[str, str]:
    """Field name -> reason, for every value the schema's CHECKs would refuse (empty when valid)."""
    errors: dict[str, str] = {}
    if not owner.display_name.strip():
        errors["display_name"] = "The owner needs a display name (it is never shown publicly)."
    if str(owner.consent) not in {c.value for c in Consent}:
        errors["consent"] = "Consent must be opt-in or opt-out."
    if str(owner.contact_preference) not in {c.value for c in ContactPreference}:
        errors["contact_preference"] = "Unknown contact preference."
    return errors
