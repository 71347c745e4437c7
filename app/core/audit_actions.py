"""Audit actions and detail fields as an auditor reads them: one readable label per act, named fields.

The log stores short machine names ("request_sent", "owner_contact_viewed") and a JSON object of details; those
stay as they are (they are hashed into the chain). This table is how they are shown. An act that was once written
under two names (`view_owner_contact` from the registry, `owner_contact_viewed` from a request) is one act here:
ALIASES maps the old name to the one in use, names_for() gives every stored name of an act for filtering.
Pure Python: no Qt, no store.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from app.core import timefmt
from app.core.wording import count

OWNER_CONTACT_VIEWED = "owner_contact_viewed"
_ISO_UTC = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?Z")

# Stored name no longer written → the name of the same act in use now.
ALIASES: dict[str, str] = {"view_owner_contact": OWNER_CONTACT_VIEWED}

ACTION_LABELS: dict[str, str] = {
    # requests
    "request_created": "Request drafted",
    "request_edited": "Request edited",
    "request_awaiting_approval": "Request submitted for approval",
    "request_approved": "Request approved",
    "request_sent": "Request sent",
    "request_resolved": "Request resolved",
    "request_expired": "Request expired",
    "request_withdrawn": "Request withdrawn",
    "request_draft": "Request returned to draft",
    "request_recipients": "Request recipients planned",
    "request_outcome": "Request outcome recorded",
    "response_recorded": "Owner's answer recorded",
    "response_changed": "Owner's answer changed",
    "responses_imported": "Answers imported",
    "responses_import_refused": "Answers file refused",
    "outreach_exported": "Owner letters exported",
    "policy_override": "Request rule overridden",
    "policy_overrides_voided": "Request overrides voided by an edit",
    "policy_limit_changed": "Request limit changed",
    "incident_created": "Incident created",
    # owners and the registry
    OWNER_CONTACT_VIEWED: "Owner contact viewed",
    "owner_opted_out": "Owner opted out",
    "registry_search": "Registry searched",
    "fence_search": "Cameras selected by fence",
    "camera_add": "Camera added",
    "camera_edit": "Camera edited",
    "camera_delete": "Cameras deleted",
    "camera_add_undo": "Camera addition undone",
    "camera_add_redo": "Camera addition redone",
    "camera_edit_undo": "Camera edit undone",
    "camera_edit_redo": "Camera edit redone",
    "camera_delete_undo": "Camera deletion undone",
    "camera_delete_redo": "Camera deletion redone",
    "import": "Cameras imported",
    "export": "Data exported",
    # users and sessions
    "sign_in": "Signed in",
    "sign_in_failed": "Sign-in failed",
    "sign_out": "Signed out",
    "session_locked": "Session locked",
    "unlock": "Session unlocked",
    "user_created": "User created",
    "user_role_changed": "User's role changed",
    "user_activated": "User reactivated",
    "user_deactivated": "User deactivated",
    "user_password_reset": "User's password reset",
    "password_changed": "Password changed",
    "password_change_failed": "Password change failed",
    # the log itself and the public record
    "audit_exported": "Audit log exported",
    "audit_verified": "Audit log verified",
    "public_log_exported": "Public log exported",
    # set-up
    "demo_city_created": "Demo city created",
    "demo_requests_created": "Demo requests created",
}

DETAIL_LABELS: dict[str, str] = {
    "from": "From state",
    "to": "To state",
    "state": "Answer",
    "old": "Before",
    "new": "After",
    "key": "Limit",
    "rule": "Rule",
    "reason": "Reason",
    "purpose": "Purpose",
    "method": "How",
    "matches": "Matches",
    "owners": "Owners",
    "owner_id": "Owner",
    "camera_id": "Camera",
    "author_id": "Author",
    "request_id": "Request",
    "via_request": "Through request",
    "case_number": "Case number",
    "changed": "Fields changed",
    "footage_useful": "Footage useful",
    "led_to_arrest": "Led to an arrest",
    "file": "File",
    "format": "Format",
    "entries": "Entries",
    "ok": "Intact",
    "fence": "Fence",
    "role": "Role",
    "version": "Version",
    "cameras": "Cameras",
    "rows": "Rows",
    "supersedes": "Replaces answer",
    "note": "Note",
}

# Detail keys that hold the id of another record, and the reference kind the resolver is asked about.
REFERENCE_KEYS: dict[str, str] = {"owner_id": "owner", "camera_id": "camera", "author_id": "user",
                                  "request_id": "request", "via_request": "request"}

Resolver = Callable[[str, str], str | None]  # (kind, id) → a name or public number, or None if unknown


def canonical(action: str) -> str:
    """The act's one name: ALIASES applied."""
    return ALIASES.get(action, action)


def names_for(action: str) -> list[str]:
    """Every stored name of the act (the name in use first), for a filter that must match old entries too."""
    main = canonical(action)
    return [main, *sorted(old for old, new in ALIASES.items() if new == main)]


def label(action: str) -> str:
    """'request_sent' → 'Request sent'; an action not in the table still reads as words."""
    main = canonical(action)
    return ACTION_LABELS.get(main) or main.replace("_", " ").capitalize()


def known_actions() -> list[str]:
    """Every act in the table, by label, for a filter's choices."""
    return sorted(ACTION_LABELS, key=lambda a: ACTION_LABELS[a].casefold())


def detail_label(key: str) -> str:
    return DETAIL_LABELS.get(key) or key.replace("_", " ").capitalize()


def value_text(value: Any) -> str:
    """One detail value as words: yes/no, thousands grouped, lists joined, nested objects as key: value."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.6g}"
    if isinstance(value, list):
        if value and all(isinstance(v, list) and len(v) == 2 and all(isinstance(x, int) for x in v) for v in value):
            return ", ".join(f"{a}" if a == b else f"{a}–{b}" for a, b in value)  # id runs [first, last]
        return ", ".join(value_text(v) for v in value)
    if isinstance(value, dict):
        return "; ".join(f"{detail_label(str(k))}: {value_text(v)}" for k, v in value.items())
    text = str(value)
    if _ISO_UTC.fullmatch(text):
        return timefmt.short(text, seconds=True)  # stored UTC → the reader's zone, named
    return text.replace("_", " ") if text.isidentifier() else text


def parse_details(details: str | dict[str, Any] | None) -> dict[str, Any]:
    """The stored JSON as a dict; text that is not a JSON object is kept under "note"."""
    if isinstance(details, dict):
        return details
    if not details:
        return {}
    try:
        data = json.loads(details)
    except (json.JSONDecodeError, TypeError):
        return {"note": details}
    return data if isinstance(data, dict) else {"note": data}


def detail_fields(details: str | dict[str, Any] | None, resolve: Resolver | None = None) -> list[tuple[str, str]]:
    """Named fields, in stored order: [("Owner", "Neighbor #12"), ("Answer", "shared"), …]."""
    out: list[tuple[str, str]] = []
    for key, value in parse_details(details).items():
        text = None
        if resolve is not None and key in REFERENCE_KEYS and isinstance(value, int | str) and value != "":
            text = resolve(REFERENCE_KEYS[key], str(value))
        out.append((detail_label(key), text if text else value_text(value)))
    return out


def details_summary(details: str | dict[str, Any] | None, resolve: Resolver | None = None, limit: int = 4) -> str:
    """A one-line summary for a table cell: 'Owner: Neighbor #12 · Answer: shared'."""
    fields = detail_fields(details, resolve)
    shown = " · ".join(f"{k}: {v}" for k, v in fields[:limit])
    more = len(fields) - limit
    return f"{shown} · {count(more, 'more field')}" if more > 0 else shown


def split_object(obj: str) -> tuple[str, str]:
    """'request:12' → ('request', '12'); 'registry' → ('registry', '')."""
    kind, sep, ident = obj.partition(":")
    return (kind, ident) if sep else (obj, "")


_OBJECT_KINDS = {"request": "Request", "owner": "Owner", "camera": "Camera", "user": "User", "incident": "Incident",
                 "file": "File", "limit": "Limit", "city": "City", "import_batch": "Import", "cameras": "Cameras",
                 "registry": "Registry", "audit_log": "Audit log", "public_log": "Public log"}


def object_text(obj: str, resolve: Resolver | None = None) -> str:
    """'request:12' → 'Request PR-2026-0004' (through the resolver), 'user:ana' → 'User ana'."""
    kind, ident = split_object(obj)
    name = _OBJECT_KINDS.get(kind, kind.replace("_", " ").capitalize())
    if not ident:
        return name
    resolved = resolve(kind, ident) if resolve is not None else None
    if resolved:
        return resolved if resolved.lower().startswith(name.lower()) else f"{name} {resolved}"
    return f"{name} {ident if kind in ('user', 'file', 'limit', 'city') else '#' + ident}"
