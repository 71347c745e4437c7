"""The camera registry's service layer: permission checks, one transaction per act, and its audit entry.

Every edit returns a RegistryChange: the affected camera and owner rows before and after (raw rows, every column).
Undo and redo apply one side of it, so they restore exactly the same ids, values and owner rows.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from app.core.audit_actions import OWNER_CONTACT_VIEWED
from app.core.camera_arrays import CameraArrays
from app.core.permissions import Permission
from app.core.records import Camera, Consent, Owner, OwnerContact, OwnerSummary, to_iso, utc_now
from app.core.validators import validate_camera, validate_owner
from app.services.session import Session
from app.store import cameras as camera_store
from app.store import db
from app.store import owners as owner_store
from app.store.camera_arrays import load_arrays, load_rows

Row = dict[str, Any]
_CONTACT_FIELDS = ("email", "phone", "address")
_MAX_AUDIT_RANGES = 1000


class RegistryError(Exception):
    """An edit the registry refuses; the message says why and what to do instead."""


@dataclass
class RegistryChange:
    """Rows before and after an edit. None = the row does not exist on that side."""

    kind: str  # "camera_add" | "camera_edit" | "camera_delete"
    cameras_before: dict[int, Row | None] = field(default_factory=dict)
    cameras_after: dict[int, Row | None] = field(default_factory=dict)
    owners_before: dict[int, Row | None] = field(default_factory=dict)
    owners_after: dict[int, Row | None] = field(default_factory=dict)

    @property
    def camera_ids(self) -> list[int]:
        return sorted(set(self.cameras_before) | set(self.cameras_after))

    @property
    def owner_ids(self) -> list[int]:
        return sorted(set(self.owners_before) | set(self.owners_after))


def id_ranges(ids: list[int]) -> list[list[int]]:
    """Consecutive runs as [first, last] pairs: a compact, complete list of ids for an audit entry."""
    runs: list[list[int]] = []
    for i in sorted(ids):
        if runs and i == runs[-1][1] + 1:
            runs[-1][1] = i
        else:
            runs.append([i, i])
    return runs


def _audit_ids(ids: list[int]) -> dict[str, Any]:
    ranges = id_ranges(ids)
    details: dict[str, Any] = {"count": len(ids), "id_ranges": ranges[:_MAX_AUDIT_RANGES]}
    if len(ranges) > _MAX_AUDIT_RANGES:
        details["id_ranges_truncated"] = True
    return details


def _camera_audit(row: Row) -> dict[str, Any]:
    return {k: row[k] for k in ("kind", "lat", "lon", "source", "owner_id", "external_id")}


def _diff(before: Row | None, after: Row | None, hide: tuple[str, ...] = ()) -> dict[str, Any]:
    if before is None or after is None:
        return {}
    out: dict[str, Any] = {}
    for key, new in after.items():
        if before.get(key) != new:
            out[key] = "changed" if key in hide else [before.get(key), new]
    return out


def load_arrays_in_worker(db_path: Path) -> CameraArrays:
    """The whole registry as arrays, read off the GUI thread on a connection of its own."""
    conn = db.connect(db_path)
    try:
        return load_arrays(conn)
    finally:
        conn.close()


def ids_matching_in_worker(db_path: Path, text: str) -> np.ndarray:
    """Ids of the cameras whose text fields contain `text`, searched off the GUI thread (a large registry)."""
    conn = db.connect(db_path)
    try:
        return camera_store.ids_matching(conn, text)
    finally:
        conn.close()


class RegistryService:
    def __init__(self, session: Session) -> None:
        self.session = session

    @property
    def conn(self) -> sqlite3.Connection:
        return self.session.conn

    # --- reading ------------------------------------------------------------------------------------------------
    def owner_summary(self, owner_id: int) -> OwnerSummary | None:
        self.session.require(Permission.VIEW_REGISTRY)
        return owner_store.owner_summary(self.conn, owner_id)

    def owner_by_anonymity(self, anonymity_no: int) -> OwnerSummary | None:
        self.session.require(Permission.VIEW_REGISTRY)
        return owner_store.owner_by_anonymity(self.conn, anonymity_no)

    def get_camera(self, camera_id: int) -> Camera | None:
        self.session.require(Permission.VIEW_REGISTRY)
        return camera_store.get_camera(self.conn, camera_id)

    def camera_rows(self, camera_ids: np.ndarray) -> CameraArrays:
        """The given cameras as arrays, as the store has them now (to patch the shared arrays after an edit)."""
        return load_rows(self.conn, camera_ids)

    def owner_opted_out(self, owner_ids: list[int]) -> dict[int, bool]:
        """Whether each of these owners (those that exist) opted out of requests."""
        return owner_store.opted_out_by_id(self.conn, owner_ids)

    def owner_contact(self, owner_id: int) -> OwnerContact | None:
        """An owner's contact details: permitted roles only, and every view is in the audit log."""
        self.session.require(Permission.VIEW_OWNER_CONTACT)
        with self.session.atomic() as conn:
            contact = owner_store.owner_contact(conn, owner_id)
            summary = owner_store.owner_summary(conn, owner_id)
            self.session.audit(OWNER_CONTACT_VIEWED, f"owner:{owner_id}",
                               {"owner_id": owner_id, "anonymity_no": summary.anonymity_no if summary else None})
        return contact

    def log_search(self, filters: dict[str, Any], matches: int) -> None:
        """Record a registry search (the settled filter), as DESIGN.md asks of every registry search."""
        self.session.require(Permission.SEARCH_REGISTRY)
        self.session.audit("registry_search", "registry", {**filters, "matches": int(matches)})

    def log_fence_search(self, fence: dict[str, Any], matches: int) -> None:
        """Record a geo-fence query on the map: the fence itself and how many cameras it selected."""
        self.session.require(Permission.SEARCH_REGISTRY)
        self.session.audit("fence_search", "registry", {"fence": fence, "matches": int(matches)})

    # --- edits --------------------------------------------------------------------------------------------------
    def _owner_for(self, conn: sqlite3.Connection, owner: Owner | None, change: RegistryChange) -> int | None:
        """Write the owner part of an add/edit: None, a new owner, or an existing one (updated)."""
        if owner is None:
            return None
        errors = validate_owner(owner)
        if errors:
            raise RegistryError(" ".join(errors.values()))
        if owner.id is None:
            owner_id = owner_store.add_owner(conn, owner)
            owner_store.record_first_consent(conn, owner_id, str(owner.consent), recorded_by=self.session.actor,
                                             how="registered with the camera")
            change.owners_before[owner_id] = None
            change.owners_after[owner_id] = owner_store.owner_row(conn, owner_id)
            return owner_id
        old = owner_store.get_owner(conn, owner.id)
        if old is None:
            raise RegistryError(f"Owner {owner.id} no longer exists; choose another owner.")
        # The dialog never shows stored contact details, so an empty contact field means "keep what is stored".
        # Consent is never written as part of the row: a different choice becomes a recorded consent change.
        merged = Owner(owner.id, owner.display_name, *(getattr(owner, f) or getattr(old, f) for f in _CONTACT_FIELDS),
                       owner.contact_preference, old.consent, old.consent_changed_on, old.anonymity_no)
        before = owner_store.owner_row(conn, owner.id)
        owner_store.update_owner(conn, merged)
        if str(owner.consent) != str(old.consent):
            self._consent_change(conn, owner.id, str(owner.consent), how="camera dialog")
        after = owner_store.owner_row(conn, owner.id)
        if before != after:
            change.owners_before.setdefault(owner.id, before)
            change.owners_after[owner.id] = after
        return owner.id

    def add_camera(self, camera: Camera, owner: Owner | None = None) -> RegistryChange:
        """Add a camera, with a new or existing owner (owner.id None = new). Returns the change (for undo)."""
        self.session.require(Permission.EDIT_REGISTRY)
        errors = validate_camera(camera)
        if errors:
            raise RegistryError(" ".join(errors.values()))
        change = RegistryChange("camera_add")
        with self.session.atomic() as conn:
            owner_id = self._owner_for(conn, owner, change)
            camera_id = camera_store.add_camera(conn, _with_owner(camera, owner_id, None))
            row = camera_store.camera_rows(conn, [camera_id])[0]
            change.cameras_before[camera_id] = None
            change.cameras_after[camera_id] = row
            self.session.audit("camera_add", f"camera:{camera_id}",
                               {"camera_id": camera_id, **_camera_audit(row),
                                "owner_created": owner is not None and owner.id is None,
                                **({"consent": str(owner.consent)} if owner is not None and owner.id is None else {})})
        return self.issue(change)

    def edit_camera(self, camera: Camera, owner: Owner | None = None) -> RegistryChange:
        """Write a camera's fields and its owner (None = no owner; owner.id None = a new owner)."""
        self.session.require(Permission.EDIT_REGISTRY)
        if camera.id is None:
            raise RegistryError("Only a stored camera can be edited.")
        errors = validate_camera(camera)
        if errors:
            raise RegistryError(" ".join(errors.values()))
        change = RegistryChange("camera_edit")
        with self.session.atomic() as conn:
            before = camera_store.camera_rows(conn, [camera.id])
            if not before:
                raise RegistryError(f"Camera {camera.id} no longer exists.")
            owner_id = self._owner_for(conn, owner, change)
            camera_store.update_camera(conn, _with_owner(camera, owner_id, camera.id))
            after = camera_store.camera_rows(conn, [camera.id])[0]
            change.cameras_before[camera.id] = before[0]
            change.cameras_after[camera.id] = after
            details = {"camera_id": camera.id, "changed": _diff(before[0], after)}
            for oid in change.owners_after:
                details.setdefault("owners", {})[str(oid)] = _diff(change.owners_before[oid], change.owners_after[oid],
                                                                    hide=_CONTACT_FIELDS) or "created"
            self.session.audit("camera_edit", f"camera:{camera.id}", details)
        return self.issue(change)

    def delete_cameras(self, camera_ids: list[int] | np.ndarray) -> RegistryChange:
        """Delete cameras, and owners left with no camera and no other reference. Refuses request history."""
        self.session.require(Permission.EDIT_REGISTRY)
        ids = sorted({int(i) for i in np.asarray(camera_ids, dtype=np.int64).tolist()})
        change = RegistryChange("camera_delete")
        if not ids:
            return change
        with self.session.atomic() as conn:
            blocked = camera_store.blocking_requests(conn, ids)
            if blocked:
                first = sorted(blocked)[:5]
                raise RegistryError(
                    f"{len(blocked)} of the selected cameras appear in footage requests or distributions "
                    f"(camera {', '.join(map(str, first))}{'…' if len(blocked) > 5 else ''}). They are part of the "
                    "record and cannot be deleted; edit them and clear “Active” instead.")
            rows = camera_store.camera_rows(conn, ids)
            owner_ids = sorted({r["owner_id"] for r in rows if r["owner_id"] is not None})
            camera_store.delete_cameras(conn, ids)
            for r in rows:
                change.cameras_before[r["id"]] = r
                change.cameras_after[r["id"]] = None
            for oid in owner_ids:
                gone = owner_store.delete_owner_if_unused(conn, oid)
                if gone is not None:
                    change.owners_before[oid] = gone
                    change.owners_after[oid] = None
            self.session.audit("camera_delete", "cameras",
                               {**_audit_ids([r["id"] for r in rows]), "owners_deleted": len(change.owners_before)})
        return self.issue(change)

    # --- consent ------------------------------------------------------------------------------------------------
    def _consent_change(self, conn: sqlite3.Connection, owner_id: int, consent: str, *, how: str, note: str = "",
                        effective_at: str | None = None) -> None:
        at = effective_at or to_iso(utc_now())
        old = owner_store.record_consent_change(conn, owner_id, consent, effective_at=at,
                                                recorded_by=self.session.actor, how=how, note=note)
        summary = owner_store.owner_summary(conn, owner_id)
        self.session.audit("consent_changed", f"owner:{owner_id}", {
            "owner_id": owner_id, "anonymity_no": summary.anonymity_no if summary else None,
            "consent": [old, consent], "effective_at": at, "how": how, **({"note": note} if note else {})})

    def record_consent_change(self, owner_id: int, consent: Consent | str, *, how: str, note: str = "",
                              effective_at: str | None = None) -> None:
        """Record that an owner opted in or out (who recorded it, how the owner said so, from when): the one way an
        owner's consent changes. Audited with the old and the new value."""
        self.session.require(Permission.EDIT_REGISTRY)
        consent = str(Consent(consent))
        if not how.strip():
            raise RegistryError("Say how the owner made this choice (reply code, letter, phone call, form).")
        with self.session.atomic() as conn:
            old = owner_store.get_owner(conn, owner_id)
            if old is None:
                raise RegistryError(f"There is no owner {owner_id}.")
            if str(old.consent) == consent:
                raise RegistryError(f"The owner's consent is already “{consent.replace('_', '-')}”.")
            self._consent_change(conn, owner_id, consent, how=how.strip(), note=note.strip(), effective_at=effective_at)

    # --- undo / redo ---------------------------------------------------------------------------------------------
    def _issued(self) -> set[str]:
        issued = getattr(self.session, "issued_changes", None)
        if issued is None:
            issued = set()
            self.session.issued_changes = issued  # type: ignore[attr-defined]
        return issued

    def issue(self, change: RegistryChange) -> RegistryChange:
        """Remember a change this service made, so apply() accepts it (and nothing a caller made up)."""
        self._issued().add(_fingerprint(change))
        return change

    def apply(self, change: RegistryChange, undo: bool) -> None:
        """Put the rows of one side of a change back (undo: before, redo: after), with its audit entry.

        The caller is not trusted: the change must be one this service made in this session (its rows unaltered),
        the store must still hold the other side (nothing changed since), and an owner's consent is never changed
        by writing the row — an owner's consent that differs becomes a recorded consent change (who, when, how)."""
        self.session.require(Permission.EDIT_REGISTRY)
        if _fingerprint(change) not in self._issued():
            raise RegistryError("This undo step is not a change Canvass made in this session (or its rows were "
                                "altered); nothing was changed.")
        cameras = change.cameras_before if undo else change.cameras_after
        owners = change.owners_before if undo else change.owners_after
        expect_cameras = change.cameras_after if undo else change.cameras_before
        expect_owners = change.owners_after if undo else change.owners_before
        with self.session.atomic() as conn:
            current_cameras = {cid: None for cid in expect_cameras}
            current_cameras.update({r["id"]: r for r in camera_store.camera_rows(conn, list(expect_cameras))})
            current_owners = {oid: owner_store.owner_row(conn, oid) for oid in expect_owners}
            for cid, row in expect_cameras.items():
                if current_cameras[cid] != row:
                    raise RegistryError(f"Camera {cid} was changed since this edit; undo and redo stop here "
                                        "(nothing was changed).")
            for oid, row in expect_owners.items():
                if _without_consent(current_owners[oid]) != _without_consent(row):
                    raise RegistryError(f"Owner {oid} was changed since this edit; undo and redo stop here "
                                        "(nothing was changed).")
            # Owners first (cameras refer to them), then cameras, then owners that must go.
            for oid, row in owners.items():
                if row is not None:
                    now = current_owners.get(oid)
                    if now is not None:  # consent is not restored with the row: it changes as a recorded change
                        owner_store.restore_owner_row(conn, {**row, "consent": now["consent"],
                                                             "consent_changed_on": now["consent_changed_on"]})
                        if row["consent"] != now["consent"]:
                            how = f"{change.kind.replace('_', ' ')} {'undone' if undo else 'redone'}"
                            self._consent_change(conn, oid, row["consent"], effective_at=row["consent_changed_on"],
                                                 how=how)
                    else:
                        owner_store.restore_owner_row(conn, row)
            camera_store.restore_camera_rows(conn, [r for r in cameras.values() if r is not None])
            camera_store.delete_cameras(conn, [cid for cid, r in cameras.items() if r is None])
            for oid, row in owners.items():
                if row is None:
                    conn.execute("DELETE FROM owners WHERE id = ?", (oid,))
            self.session.audit(f"{change.kind}_{'undo' if undo else 'redo'}", "cameras", {
                **_audit_ids(change.camera_ids), "owners": change.owner_ids,
                **_changes_audit(current_cameras, cameras, current_owners, owners)})


_MAX_AUDIT_DIFFS = 50


def _fingerprint(change: RegistryChange) -> str:
    import hashlib
    import json

    payload = json.dumps([change.kind, *(sorted(((str(k), v) for k, v in side.items()), key=lambda kv: kv[0])
                                         for side in (change.cameras_before, change.cameras_after,
                                                      change.owners_before, change.owners_after))],
                         sort_keys=True, default=str)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _without_consent(row: Row | None) -> Row | None:
    return None if row is None else {k: v for k, v in row.items() if k not in ("consent", "consent_changed_on")}


def _side_diff(old: Row | None, new: Row | None, hide: tuple[str, ...] = ()) -> Any:
    if old is None and new is None:
        return "unchanged"
    if old is None:
        return "restored"
    if new is None:
        return "removed"
    return _diff(old, new, hide) or "unchanged"


def _changes_audit(cur_cams: dict[int, Row | None], cams: dict[int, Row | None], cur_owners: dict[int, Row | None],
                   owners: dict[int, Row | None]) -> dict[str, Any]:
    """What an undo or redo changed, old → new (contact fields only as "changed"), for the first few rows."""
    out: dict[str, Any] = {}
    cam_ids = sorted(cams)[:_MAX_AUDIT_DIFFS]
    if cam_ids:
        out["cameras_changed"] = {str(c): _side_diff(cur_cams.get(c), cams[c]) for c in cam_ids}
    owner_ids = sorted(owners)[:_MAX_AUDIT_DIFFS]
    if owner_ids:
        out["owners_changed"] = {str(o): _side_diff(cur_owners.get(o), owners[o], hide=_CONTACT_FIELDS)
                                 for o in owner_ids}
    if len(cams) > _MAX_AUDIT_DIFFS or len(owners) > _MAX_AUDIT_DIFFS:
        out["changes_truncated"] = True
    return out


def _with_owner(camera: Camera, owner_id: int | None, camera_id: int | None) -> Camera:
    return Camera(id=camera_id if camera_id is not None else camera.id, lat=camera.lat, lon=camera.lon,
                  kind=camera.kind, owner_id=owner_id, heading_deg=camera.heading_deg, fov_deg=camera.fov_deg,
                  range_m=camera.range_m, retention_days=camera.retention_days, source=camera.source,
                  registered_on=camera.registered_on, active=camera.active, external_id=camera.external_id,
                  label=camera.label)
