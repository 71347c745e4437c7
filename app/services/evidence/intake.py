"""Intake: a file an owner shared becomes an evidence item, whole or not at all.

1. stage(): copy into `evidence/.incoming/<random>.part` while hashing the same read (io.evidence_copy), flush to
   disk, read the media information. Any thread, no database. A cancel or error removes the part file.
2. commit_staged(): in the store's single writer, either *link* (a live item already has this SHA-256: the part
   file is dropped, the item is attached to this answer) or *store*: make the file read-only, rename it to its
   final name (its hash; never the sender's name), fsync the folder, then record the item, its link, the
   "received" custody event and the audit entry in one transaction. If that transaction fails the file is removed.

A kill at any moment leaves either a recorded item whose file is complete and matches its hash, or nothing
but leftovers (a part file, or a renamed file with no record) that cleanup_leftovers() removes at the next launch
and reports in the log.
"""

from __future__ import annotations

import logging
import os
import secrets
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from app.core.evidence import DERIVED_EVENT, DerivedKind, stored_relpath
from app.core.permissions import Permission
from app.core.records import CustodyKind, RecipientState, to_iso, utc_now
from app.io.evidence_copy import copy_and_hash
from app.io.media_info import probe
from app.services.session import Session, User
from app.store import audit as audit_store
from app.store import evidence as store
from app.store.db import transaction

log = logging.getLogger(__name__)
INCOMING = ".incoming"
PART_SUFFIX = ".part"


class IntakeError(Exception):
    """An intake that cannot be done; the message says why and what to do."""


class NotMediaError(IntakeError):
    """The file is not audio, video or an image, and the user has not accepted it as such."""


@dataclass(frozen=True)
class Staged:
    part_path: Path
    original_name: str
    sha256: str
    size_bytes: int
    media_info: dict[str, Any] | None


@dataclass(frozen=True)
class IntakeResult:
    item_id: int
    linked: bool               # True: the same file was already stored; this answer now links to it
    sha256: str
    size_bytes: int
    original_name: str
    is_media: bool


@dataclass(frozen=True)
class ClockOffset:
    """The recorder's clock against the true time: shown - true, in seconds; source "entered" or "reference"."""

    seconds: float = 0.0
    source: str = ""


def incoming_dir(evidence_dir: Path) -> Path:
    return Path(evidence_dir) / INCOMING


def _private_dir(path: Path) -> None:
    path.mkdir(parents=True, exist_ok=True, mode=0o700)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# --- checks on the GUI thread ---------------------------------------------------------------------------------------
def check_intake(session: Session, recipient_id: int) -> tuple[User, int]:
    """The acting user and the request id, or PermissionDenied / IntakeError (the answer is not "shared")."""
    session.require(Permission.VIEW_EVIDENCE)
    user = session.require(Permission.RECORD_RESPONSE)
    answer = store.recipient_answer(session.conn, recipient_id)
    if answer is None:
        raise IntakeError(f"There is no recipient {recipient_id}.")
    request_id, state, _owner = answer
    if state != RecipientState.SHARED.value:
        raise IntakeError("Footage can be attached only to an answer marked “shared”: the owner must have chosen to "
                          "share it. Record the owner's answer first.")
    return user, request_id


def not_media(paths: list[Path]) -> list[Path]:
    """The files among these that are not audio, video or images (the caller warns before accepting them)."""
    return [p for p in paths if probe(p) is None]


# --- the file work (any thread) ------------------------------------------------------------------------------------
def stage(evidence_dir: Path, src: Path, progress: Callable[[int, int], None] | None = None,
          check: Callable[[], None] | None = None, accept_non_media: bool = False) -> Staged:
    src = Path(src)
    if not src.is_file():
        raise IntakeError(f"{src} is not a file (or cannot be read).")
    info = probe(src)
    if info is None and not accept_non_media:
        raise NotMediaError(f"{src.name} is not a video, audio or image file.")
    inc = incoming_dir(evidence_dir)
    _private_dir(inc)
    part = inc / f"{secrets.token_hex(8)}{PART_SUFFIX}"
    try:
        result = copy_and_hash(src, part, progress, check)
    except OSError as exc:
        raise IntakeError(f"Copying {src.name} into the evidence store failed: {exc.strerror or exc}. Nothing was "
                          "recorded.") from exc
    return Staged(part, src.name, result.sha256, result.size_bytes, info)


def discard(staged: Staged) -> None:
    staged.part_path.unlink(missing_ok=True)


def _place(evidence_dir: Path, staged: Staged) -> tuple[str, Path]:
    rel = stored_relpath(staged.sha256, staged.original_name)
    final = Path(evidence_dir) / rel
    _private_dir(final.parent)
    os.chmod(staged.part_path, 0o400)
    os.replace(staged.part_path, final)  # a leftover with the same name (and so the same bytes) is replaced
    _fsync_dir(final.parent)
    return rel, final


def _check_act(conn: sqlite3.Connection, user: User, request_id: int, recipient_id: int | None,
               derived: tuple[int, DerivedKind, dict[str, Any]] | None) -> None:
    """What check_intake checked on the GUI thread, checked again against the store at the write: the user (as the
    user record is now) may take in footage, and the answer is a "shared" answer of this very request. The caller's
    ids are not trusted: footage arrives only because the owner chose to share it."""
    acting = Session(conn, user)
    acting.require(Permission.VIEW_EVIDENCE)
    if derived is not None:
        return
    acting.require(Permission.RECORD_RESPONSE)
    answer = store.recipient_answer(conn, recipient_id) if recipient_id is not None else None
    if answer is None:
        raise IntakeError("Footage is attached to an owner's answer: choose the answer it came with. Nothing was "
                          "recorded.")
    if answer[0] != request_id:
        raise IntakeError(f"Answer {recipient_id} belongs to request {answer[0]}, not to request {request_id}. "
                          "Nothing was recorded.")
    if answer[1] != RecipientState.SHARED.value:
        raise IntakeError("Footage can be attached only to an answer marked “shared”: the owner must have chosen to "
                          "share it. Record the owner's answer first. Nothing was recorded.")


def commit_staged(conn: sqlite3.Connection, evidence_dir: Path, staged: Staged, user: User, request_id: int,
                  recipient_id: int | None, offset: ClockOffset = ClockOffset(), now: datetime | None = None,
                  derived: tuple[int, DerivedKind, dict[str, Any]] | None = None) -> IntakeResult:
    """Link or store a staged file and record it (see the module text). `derived` = (parent id, kind, details).
    The user and the answer are checked again against the store inside the write (_check_act)."""
    at = to_iso(now or utc_now())
    _check_act(conn, user, request_id, recipient_id, derived)
    existing = store.live_item_with_hash(conn, staged.sha256)
    if existing is not None:
        discard(staged)
        with transaction(conn):
            _check_act(conn, user, request_id, recipient_id, derived)
            if derived is None:
                added = store.add_link(conn, existing, request_id, recipient_id, at, user.id)
                details = {"request_id": request_id, "recipient_id": recipient_id, "original_name":
                           staged.original_name, "already_linked": not added}
            else:
                store.copy_links(conn, derived[0], existing, at, user.id)
                details = {"derived_from": derived[0], "kind": derived[1].value, "original_name":
                           staged.original_name, "same_bytes_as_item": existing}
            store.add_event(conn, existing, CustodyKind.LINKED.value, at, user.id, user.name, staged.sha256, details)
            if derived is not None:
                _parent_event(conn, derived, existing, staged.sha256, user, at)
            audit_store.append(conn, user.name, "evidence_linked", f"evidence:{existing}",
                               {**details, "sha256": staged.sha256, "size_bytes": staged.size_bytes}, at=at)
        return IntakeResult(existing, True, staged.sha256, staged.size_bytes, staged.original_name,
                            staged.media_info is not None)
    rel, final = _place(evidence_dir, staged)
    try:
        with transaction(conn):
            _check_act(conn, user, request_id, recipient_id, derived)
            item_id = store.insert_item(
                conn, request_id=request_id, recipient_id=recipient_id, original_name=staged.original_name,
                stored_path=rel, sha256=staged.sha256, size_bytes=staged.size_bytes, media_info=staged.media_info,
                received_at=at, received_by=user.id, clock_offset_s=offset.seconds,
                clock_offset_source=offset.source, derived_from=derived[0] if derived else None,
                derived_kind=derived[1].value if derived else None, derivation=derived[2] if derived else None)
            if derived is None:
                store.add_link(conn, item_id, request_id, recipient_id, at, user.id)
            else:
                store.copy_links(conn, derived[0], item_id, at, user.id)
            details: dict[str, Any] = {"original_name": staged.original_name, "size_bytes": staged.size_bytes,
                                       "request_id": request_id, "recipient_id": recipient_id,
                                       "is_media": staged.media_info is not None,
                                       "clock_offset_s": offset.seconds}
            if derived is not None:
                details.update(derived_from=derived[0], derived_kind=derived[1].value)
            store.add_event(conn, item_id, CustodyKind.RECEIVED.value, at, user.id, user.name, staged.sha256, details)
            if derived is not None:
                _parent_event(conn, derived, item_id, staged.sha256, user, at)
            audit_store.append(conn, user.name, "evidence_derived" if derived else "evidence_received",
                               f"evidence:{item_id}", {**details, "sha256": staged.sha256}, at=at)
    except BaseException:
        # Not recorded: the file must not stay (unless a recorded item uses the same bytes).
        if rel not in store.stored_paths(conn):
            _remove_stored(final)
        raise
    return IntakeResult(item_id, False, staged.sha256, staged.size_bytes, staged.original_name,
                        staged.media_info is not None)


def _parent_event(conn: sqlite3.Connection, derived: tuple[int, DerivedKind, dict[str, Any]], child_id: int,
                  child_sha: str, user: User, at: str) -> None:
    parent_id, kind, details = derived
    parent = store.get_item(conn, parent_id)
    store.add_event(conn, parent_id, DERIVED_EVENT[kind].value, at, user.id, user.name,
                    parent.sha256 if parent else "", {**details, "child_id": child_id, "child_sha256": child_sha})


def _remove_stored(path: Path) -> None:
    try:
        os.chmod(path, 0o600)
        path.unlink()
    except FileNotFoundError:
        pass


def intake_file(conn: sqlite3.Connection, evidence_dir: Path, src: Path, user: User, request_id: int,
                recipient_id: int | None, offset: ClockOffset = ClockOffset(), accept_non_media: bool = False,
                progress: Callable[[int, int], None] | None = None, check: Callable[[], None] | None = None,
                now: datetime | None = None) -> IntakeResult:
    """Stage and commit one file (a worker with its own connection, or a test). Check the user with check_intake()
    first, on the session's thread."""
    staged = stage(evidence_dir, src, progress, check, accept_non_media)
    try:
        return commit_staged(conn, evidence_dir, staged, user, request_id, recipient_id, offset, now)
    finally:
        discard(staged)


# --- leftovers ------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Cleanup:
    part_files: list[str]
    orphans: list[str]

    @property
    def count(self) -> int:
        return len(self.part_files) + len(self.orphans)


def cleanup_leftovers(conn: sqlite3.Connection, evidence_dir: Path) -> Cleanup:
    """Remove what an interrupted intake or purge left: part files, and stored files no live item records.
    Call at launch, before any intake starts (the single-instance lock makes sure none is running)."""
    evidence_dir = Path(evidence_dir)
    parts: list[str] = []
    orphans: list[str] = []
    if not evidence_dir.is_dir():
        return Cleanup(parts, orphans)
    inc = incoming_dir(evidence_dir)
    if inc.is_dir():
        for p in sorted(inc.iterdir()):
            if p.is_file():
                _remove_stored(p)
                parts.append(p.name)
    needed = store.stored_paths(conn)
    for sub in sorted(evidence_dir.iterdir()):
        if not sub.is_dir() or sub.name == INCOMING or len(sub.name) != 2:
            continue
        for p in sorted(sub.iterdir()):
            rel = f"{sub.name}/{p.name}"
            if p.is_file() and rel not in needed:
                _remove_stored(p)
                orphans.append(rel)
    for name in parts:
        log.warning("evidence leftovers: removed the unfinished intake file %s/%s", INCOMING, name)
    for rel in orphans:
        log.warning("evidence leftovers: removed %s, which no evidence item records (an intake or purge was "
                    "interrupted)", rel)
    if parts or orphans:
        with transaction(conn):
            audit_store.append(conn, "system", "evidence_leftovers_removed", "evidence_store",
                               {"part_files": len(parts), "unrecorded_files": orphans})
    return Cleanup(parts, orphans)
