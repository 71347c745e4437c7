"""Exporting evidence as a package anyone can verify, with two-person approval and the onward-sharing register.

1. authorize_export(): the exporter may export evidence; the recipient organisation and the legal basis are
   given; a supervisor other than the exporter approves by signing in with their own password (audited).
2. write_package(): a worker with its own connection reads the items, their custody log and the audit chain head,
   and writes the bag (io.evidence_package). Nothing is recorded if it is cancelled or fails.
3. record_package(): the onward-sharing register row, an "exported" custody event per item (with the hash) and
   the audit entry, in one transaction.
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import io
import json
import sqlite3
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from app import __version__
from app.core.evidence import EvidenceItem, safe_name
from app.core.permissions import Permission, allowed
from app.core.records import CustodyKind, Role, to_iso, utc_now
from app.io import evidence_package as pkg
from app.services.accountability import auth
from app.services.session import PermissionDenied, Session, User
from app.store import audit as audit_store
from app.store import evidence as store
from app.store import users as user_store
from app.store.db import transaction

MIN_BASIS_LEN = 10


class PackageExportError(Exception):
    pass


@dataclass(frozen=True)
class ExportOrder:
    item_ids: tuple[int, ...]
    recipient_org: str
    legal_basis: str
    exporter: User
    approver: User


@dataclass(frozen=True)
class ExportResult:
    order: ExportOrder
    built: pkg.Built
    item_hashes: dict[int, str]
    head: audit_store.ChainHead
    created_at: str
    share_id: int = 0


def authorize_export(session: Session, item_ids: list[int], recipient_org: str, legal_basis: str,
                     approver_name: str, approver_password: str, now: datetime | None = None) -> ExportOrder:
    """Check everything before any file is written; PermissionDenied / PackageExportError say what is wrong."""
    session.require(Permission.VIEW_EVIDENCE)
    exporter = session.require(Permission.EXPORT_DATA)
    org = " ".join((recipient_org or "").split())
    basis = " ".join((legal_basis or "").split())
    if not item_ids:
        raise PackageExportError("Choose the items to export.")
    if not org:
        raise PackageExportError("Name the organisation that receives the package.")
    if len(basis) < MIN_BASIS_LEN:
        raise PackageExportError(f"State the legal basis for sharing (at least {MIN_BASIS_LEN} characters), e.g. "
                                 "“Subpoena 2026-CR-114, District Court”.")
    items = store.items(session.conn, ids=item_ids)
    if len(items) != len(set(item_ids)):
        raise PackageExportError("Some of the chosen items are not in the store.")
    gone = [i.id for i in items if i.purged]
    if gone:
        raise PackageExportError(f"Items {', '.join(map(str, gone))} were purged and cannot be exported.")
    if not approver_name.strip():
        raise PackageExportError("A supervisor must approve the export: enter their name and password.")
    try:
        approver = auth.sign_in(session.conn, approver_name, approver_password, now=now, action="approve_export")
    except auth.SignInError as exc:
        raise PackageExportError(f"The approval was not accepted: {exc}") from exc
    if approver.role != Role.SUPERVISOR:
        raise PermissionDenied(approver.name, approver.role.value, Permission.APPROVE_REQUEST)
    if exporter.id is None or approver.id == exporter.id:
        raise PackageExportError(f"{approver.name} is exporting this package and cannot also approve it: another "
                                 "supervisor must (two-person rule).")
    order = ExportOrder(tuple(sorted(set(item_ids))), org, basis, exporter, approver)
    with _orders_lock:
        _authorized.add(_order_key(order))
    return order


# Orders authorize_export made (with the approver's password checked) and not yet recorded: write_package and
# record_package take no other order, so a caller cannot make one up with an approver who never signed in. Held by
# the process (the package is written and recorded by a worker on a connection of its own).
_orders_lock = threading.Lock()
_authorized: set[str] = set()


def _order_key(order: ExportOrder) -> str:
    payload = json.dumps(dataclasses.asdict(order), sort_keys=True, default=str)
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


def _expect_authorized(order: ExportOrder) -> None:
    with _orders_lock:
        known = _order_key(order) in _authorized
    if not known:
        raise PackageExportError("This export was not approved through Canvass (or its order was altered): a "
                                 "supervisor must approve it with their password. Nothing was written.")


def _check_people(conn: sqlite3.Connection, order: ExportOrder) -> None:
    """The exporter and the approver as the user records are now (a deactivation or demotion since the approval
    stops the export), and still two different people."""
    for who, need, approving in ((order.exporter, (Permission.EXPORT_DATA, Permission.VIEW_EVIDENCE), False),
                                 (order.approver, (Permission.APPROVE_REQUEST,), True)):
        rec = user_store.get(conn, who.id) if who.id is not None else None
        if rec is None or not rec.active or rec.name != who.name:
            raise PackageExportError(f"{who.name} is not an active user any more: nothing was recorded.")
        if not all(allowed(rec.role, p) for p in need) or (approving and rec.role != Role.SUPERVISOR):
            raise PermissionDenied(rec.name, rec.role.value, need[0])
    if order.exporter.id == order.approver.id:
        raise PackageExportError("The exporter cannot also approve the package (two-person rule).")


def arcname(item: EvidenceItem) -> str:
    """The file's name inside the package: never the sender's name unsanitised."""
    kind = f"-{item.derived_kind}" if item.derived_kind else ""
    return f"items/item-{item.id:05d}{kind}-{safe_name(item.original_name)}"


def _custody_csv(conn: sqlite3.Connection, items: list[EvidenceItem]) -> bytes:
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\n")
    out.writerow(["item_id", "event_id", "at", "event", "actor", "sha256", "details"])
    for item in items:
        for e in store.events(conn, item_id=item.id):
            out.writerow([item.id, e.id, e.at, e.kind, e.actor, e.sha256, e.details])
    return buf.getvalue().encode("utf-8")


def write_package(conn: sqlite3.Connection, evidence_dir: Path, order: ExportOrder, dest: Path,
                  progress: Callable[[int, int], None] | None = None, check: Callable[[], None] | None = None,
                  now: datetime | None = None) -> ExportResult:
    _expect_authorized(order)
    created_at = to_iso(now or utc_now())
    items = store.items(conn, ids=order.item_ids)
    head = audit_store.current_head(conn)
    requests: dict[int, dict[str, Any]] = {}
    entries = []
    for item in items:
        links = store.links(conn, item.id)
        for request_id, _r in links:
            if request_id not in requests:
                requests[request_id] = store.request_summary(conn, request_id) or {"id": request_id}
        entries.append({
            "item_id": item.id, "file": f"data/{arcname(item)}", "original_name": item.original_name,
            "sha256": item.sha256, "size_bytes": item.size_bytes, "media_info": _json(item.media_info),
            "is_media": item.is_media, "received_at": item.received_at, "received_by": item.received_by_name,
            "recorder_clock_offset_s": item.clock_offset_s, "derived_from": item.derived_from,
            "derived_kind": item.derived_kind, "derivation": _json(item.derivation),
            "requests": sorted({r for r, _ in links}),
        })
    cases = sorted({str(r.get("case_number", "")) for r in requests.values() if r.get("case_number")})
    agencies = sorted({str(r.get("agency", "")) for r in requests.values() if r.get("agency")})
    manifest = {
        "format": "canvass-evidence-package/1", "created_at": created_at, "canvass_version": __version__,
        "exporter": order.exporter.name, "approved_by": order.approver.name,
        "recipient_organisation": order.recipient_org, "legal_basis": order.legal_basis,
        "requests": [requests[k] for k in sorted(requests)], "items": entries,
        "audit_chain_head": {"seq": head.seq, "hash": head.hash, "at": head.at, "algorithm": "sha256"},
        "note": "Check with any BagIt tool (RFC 8493), e.g. `bagit.py --validate FOLDER` after unzipping; "
                "the SHA-256 of each item is also the one recorded when it was received.",
    }
    bag_info = {
        "Source-Organization": "; ".join(agencies) or "Canvass",
        "Contact-Name": order.exporter.name,
        "External-Identifier": "; ".join(cases),
        "External-Description": f"Evidence package of {len(items)} item(s) shared with {order.recipient_org}",
        "Case-Number": "; ".join(cases),
        "Request": "; ".join(f"#{r.get('public_no') or r['id']}" for r in requests.values()),
        "Agency": "; ".join(agencies),
        "Exporter": order.exporter.name,
        "Approved-By": order.approver.name,
        "Recipient-Organization": order.recipient_org,
        "Legal-Basis": order.legal_basis,
        "Audit-Chain-Head": f"{head.seq}:{head.hash}",
        "Bag-Software-Agent": f"Canvass {__version__} with bagit-python",
    }
    payload = [pkg.PayloadFile(Path(evidence_dir) / i.stored_path, arcname(i)) for i in items]
    extra = {
        "canvass-manifest.json": pkg.manifest_json(manifest),
        "custody-log.csv": _custody_csv(conn, items),
        "audit-chain-head.json": pkg.manifest_json(manifest["audit_chain_head"]),
    }
    bag_name = safe_name(Path(dest).stem, "evidence-package")
    built = pkg.build_package(Path(dest), bag_name, payload, extra, bag_info, progress, check)
    return ExportResult(order, built, {i.id: i.sha256 for i in items}, head, created_at)


def _json(text: str) -> Any:
    import json

    try:
        return json.loads(text or "{}")
    except json.JSONDecodeError:
        return text


def record_package(conn: sqlite3.Connection, result: ExportResult) -> int:
    """Register the onward sharing and write the custody and audit records. Returns the register row's id.

    The result is not trusted: its order must be one authorize_export made (recorded once), its people are checked
    against the user records as they are now, and its items and hashes against the store (an "exported" custody
    event carries the hash the store holds, for a live item of the order)."""
    o = result.order
    _expect_authorized(o)
    assert o.exporter.id is not None and o.approver.id is not None
    at = to_iso(utc_now())
    with transaction(conn):
        _check_people(conn, o)
        if sorted(result.item_hashes) != sorted(o.item_ids):
            raise PackageExportError("The package's items are not the ones approved: nothing was recorded.")
        stored = {i.id: i for i in store.items(conn, ids=list(o.item_ids))}
        for item_id, sha in result.item_hashes.items():
            item = stored.get(item_id)
            if item is None or item.purged:
                raise PackageExportError(f"Item {item_id} is not in the store any more: nothing was recorded.")
            if item.sha256 != sha:
                raise PackageExportError(f"Item {item_id}'s hash in the package result ({sha[:16]}…) is not the one "
                                         f"the store holds ({item.sha256[:16]}…): nothing was recorded.")
        share_id = store.insert_share(
            conn, package_name=result.built.path.name, package_sha256=result.built.sha256,
            package_bytes=result.built.size_bytes, recipient_org=o.recipient_org, legal_basis=o.legal_basis,
            requested_by=o.exporter.id, approved_by=o.approver.id, created_at=result.created_at,
            audit_head_seq=result.head.seq, audit_head_hash=result.head.hash, item_hashes=result.item_hashes)
        for item_id, sha in result.item_hashes.items():
            store.add_event(conn, item_id, CustodyKind.EXPORTED.value, at, o.exporter.id, o.exporter.name, sha,
                            {"share_id": share_id, "package": result.built.path.name,
                             "package_sha256": result.built.sha256, "recipient_organisation": o.recipient_org,
                             "legal_basis": o.legal_basis, "approved_by": o.approver.name})
        audit_store.append(conn, o.exporter.name, "evidence_package_exported", f"share:{share_id}",
                           {"package": result.built.path.name, "package_sha256": result.built.sha256,
                            "items": sorted(result.item_hashes), "recipient_organisation": o.recipient_org,
                            "legal_basis": o.legal_basis, "approved_by": o.approver.name,
                            "audit_head_seq": result.head.seq}, at=at)
    with _orders_lock:
        _authorized.discard(_order_key(o))
    return share_id


def export_package(session: Session, evidence_dir: Path, item_ids: list[int], dest: Path, recipient_org: str,
                   legal_basis: str, approver_name: str, approver_password: str) -> ExportResult:
    """All three steps on the session's connection (scripts and tests; the window runs step 2 in a job)."""
    order = authorize_export(session, item_ids, recipient_org, legal_basis, approver_name, approver_password)
    result = write_package(session.conn, evidence_dir, order, dest)
    share_id = record_package(session.conn, result)
    return ExportResult(result.order, result.built, result.item_hashes, result.head, result.created_at, share_id)


def register(session: Session) -> list:
    """The onward-sharing register (the transparency report counts it)."""
    session.require(Permission.VIEW_EVIDENCE)
    return store.shares(session.conn)
