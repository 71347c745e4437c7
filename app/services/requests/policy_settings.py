"""Request limits (DESIGN.md "Request limits"): stored in the settings table, changed only by a supervisor, audited.

Other features read the limits with get_limits(conn) and never hard-code them. Each limit is one row in
`settings` under "limits/<key>" holding its JSON value; a key without a row has its default.
"""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from app.core.permissions import Permission
from app.core.records import PROTEST_CATEGORY, to_iso, utc_now
from app.services.session import Session
from app.store import requests as request_store
from app.store.db import transaction

PREFIX = "limits/"

DEFAULT_LIMITS: dict[str, Any] = {
    "area_min_sq_mi": 0.025,
    "area_max_sq_mi": 0.5,
    "window_min_min": 15,
    "window_max_h": 12,
    "max_requests_per_incident": 2,
    "expiry_days": 7,
    "purge_days": 90,
    "forbidden_categories": [PROTEST_CATEGORY],
}

LABELS: dict[str, str] = {
    "area_min_sq_mi": "Smallest request area (sq mi)",
    "area_max_sq_mi": "Largest request area (sq mi)",
    "window_min_min": "Shortest time window (minutes)",
    "window_max_h": "Longest time window (hours)",
    "max_requests_per_incident": "Most requests per incident",
    "expiry_days": "A sent request expires after (days)",
    "purge_days": "Shared footage is purged after (days)",
    "forbidden_categories": "Offense categories that may never be requested",
}

# (smaller, larger): a change must keep smaller <= larger. Minutes vs hours are compared in minutes.
_PAIRS = [("area_min_sq_mi", "area_max_sq_mi", 1.0, 1.0), ("window_min_min", "window_max_h", 1.0, 60.0)]
_INTEGER_KEYS = {"window_min_min", "max_requests_per_incident", "expiry_days", "purge_days"}


class LimitError(ValueError):
    """A limit value that cannot be accepted; the message says why."""


def get_limits(conn: sqlite3.Connection) -> dict[str, Any]:
    """Every limit: stored values over the defaults (a fresh copy the caller may keep)."""
    limits = json.loads(json.dumps(DEFAULT_LIMITS))
    rows = request_store.settings_with_prefix(conn, PREFIX)
    for key, value in rows:
        name = key[len(PREFIX):]
        if name in DEFAULT_LIMITS:
            try:
                limits[name] = json.loads(value)
            except json.JSONDecodeError:
                pass  # an unreadable value falls back to the default rather than lifting the limit
    return limits


def get_limit(conn: sqlite3.Connection, key: str) -> Any:
    if key not in DEFAULT_LIMITS:
        raise KeyError(f"unknown limit {key!r}")
    return get_limits(conn)[key]


def validate(key: str, value: Any, current: dict[str, Any]) -> Any:
    """The value normalised, or LimitError saying what is wrong with it."""
    if key not in DEFAULT_LIMITS:
        raise LimitError(f"Unknown limit {key!r}. Known limits: {', '.join(DEFAULT_LIMITS)}.")
    if key == "forbidden_categories":
        if isinstance(value, str) or not isinstance(value, (list, tuple)):
            raise LimitError("Forbidden categories must be a list of category names.")
        cats = [str(v).strip() for v in value if str(v).strip()]
        if PROTEST_CATEGORY not in cats:
            # A principle of the product, not a tunable default: requests about lawful assembly are never allowed.
            raise LimitError(f"“{PROTEST_CATEGORY}” must stay forbidden.")
        return sorted(set(cats), key=cats.index)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise LimitError(f"{LABELS[key]} must be a number.")
    if key in _INTEGER_KEYS:
        if int(value) != value:
            raise LimitError(f"{LABELS[key]} must be a whole number.")
        value = int(value)
    if value <= 0:
        raise LimitError(f"{LABELS[key]} must be greater than zero.")
    proposed = dict(current, **{key: value})
    for small, large, small_scale, large_scale in _PAIRS:
        if proposed[small] * small_scale > proposed[large] * large_scale:
            raise LimitError(f"{LABELS[small]} ({proposed[small]}) cannot exceed {LABELS[large].lower()} "
                             f"({proposed[large]}).")
    return value


def set_limit(session: Session, key: str, value: Any) -> Any:
    """Change one limit (supervisors only), audited with the old and new value. Returns the stored value."""
    user = session.require(Permission.CHANGE_POLICY)
    conn = session.conn
    with transaction(conn):
        current = get_limits(conn)
        new = validate(key, value, current)
        old = current[key]
        if new == old:
            return new
        request_store.put_setting(conn, PREFIX + key, json.dumps(new), to_iso(utc_now()), user.name)
        session.audit("policy_limit_changed", f"limit:{key}", {"key": key, "old": old, "new": new})
    return new


def reset_limit(session: Session, key: str) -> Any:
    """Put one limit back to its default (a change like any other: supervisors only, audited)."""
    return set_limit(session, key, DEFAULT_LIMITS[key])
