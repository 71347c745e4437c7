"""Owners: read, add (with the next anonymity number), update, delete when nothing refers to them. sqlite3 only.

Contact details (email, phone, address) are read only by owner_contact(); everything else that lists or shows
owners uses OwnerSummary, which has none, so a view cannot leak them by accident.
"""

from __future__ import annotations

import sqlite3
from typing import Any

from app.core.records import Consent, ContactPreference, Owner, OwnerContact, OwnerSummary, to_iso, utc_now
from app.core.validators import validate_owner

OWNER_COLUMNS = ["id", "display_name", "email", "phone", "address", "contact_preference", "consent",
                 "consent_changed_on", "anonymity_no", "created_at"]


class OwnerError(ValueError):
    """An owner that the store would refuse; the message says which value and why."""


def _check(owner: Owner) -> None:
    errors = validate_owner(owner)
    if errors:
        raise OwnerError("; ".join(errors.values()))


_HIGH_WATER_KEY = "owners/last_anonymity_no"


def next_anonymity_no(conn: sqlite3.Connection) -> int:
    """One more than any number ever given out: a deleted owner's number is never reused for someone else."""
    row = conn.execute("SELECT MAX(IFNULL((SELECT MAX(anonymity_no) FROM owners), 0), "
                       "IFNULL((SELECT CAST(value AS INTEGER) FROM settings WHERE key = ?), 0)) + 1",
                       (_HIGH_WATER_KEY,)).fetchone()
    return int(row[0])


def _remember_anonymity_no(conn: sqlite3.Connection, number: int, at: str) -> None:
    conn.execute("INSERT INTO settings (key, value, changed_at) VALUES (?, ?, ?) ON CONFLICT(key) DO UPDATE SET "
                 "value = excluded.value, changed_at = excluded.changed_at "
                 "WHERE CAST(settings.value AS INTEGER) < CAST(excluded.value AS INTEGER)",
                 (_HIGH_WATER_KEY, str(number), at))


def get_owner(conn: sqlite3.Connection, owner_id: int) -> Owner | None:
    """The whole owner, contact included: for the service layer only (undo snapshots, permitted views)."""
    row = conn.execute(
        "SELECT id, display_name, email, phone, address, contact_preference, consent, consent_changed_on, "
        "anonymity_no FROM owners WHERE id = ?", (owner_id,)).fetchone()
    if row is None:
        return None
    return Owner(row[0], row[1], row[2], row[3], row[4], ContactPreference(row[5]), Consent(row[6]), row[7], row[8])


def owner_summary(conn: sqlite3.Connection, owner_id: int) -> OwnerSummary | None:
    row = conn.execute(
        "SELECT o.id, o.display_name, o.consent, o.consent_changed_on, o.anonymity_no, "
        "(SELECT count(*) FROM cameras c WHERE c.owner_id = o.id) FROM owners o WHERE o.id = ?",
        (owner_id,)).fetchone()
    if row is None:
        return None
    return OwnerSummary(row[0], row[1], Consent(row[2]), row[3], row[4], row[5])


def owner_by_anonymity(conn: sqlite3.Connection, anonymity_no: int) -> OwnerSummary | None:
    row = conn.execute("SELECT id FROM owners WHERE anonymity_no = ?", (anonymity_no,)).fetchone()
    return owner_summary(conn, row[0]) if row else None


def opted_out_by_id(conn: sqlite3.Connection, owner_ids: list[int]) -> dict[int, bool]:
    out: dict[int, bool] = {}
    for owner_id in owner_ids:
        row = conn.execute("SELECT consent FROM owners WHERE id = ?", (owner_id,)).fetchone()
        if row is not None:
            out[int(owner_id)] = row[0] == Consent.OPT_OUT.value
    return out


def owner_contact(conn: sqlite3.Connection, owner_id: int) -> OwnerContact | None:
    """Contact details. Callers go through app.services.registry.service, which checks permission and audits."""
    row = conn.execute("SELECT email, phone, address, contact_preference FROM owners WHERE id = ?",
                       (owner_id,)).fetchone()
    return OwnerContact(row[0], row[1], row[2], ContactPreference(row[3])) if row else None


def add_owner(conn: sqlite3.Connection, owner: Owner, created_at: str | None = None) -> int:
    """Insert an owner; anonymity_no is the next free number unless the owner carries one. Returns the id."""
    _check(owner)
    anonymity_no = owner.anonymity_no if owner.anonymity_no is not None else next_anonymity_no(conn)
    now = created_at or to_iso(utc_now())
    cur = conn.execute(
        "INSERT INTO owners (id, display_name, email, phone, address, contact_preference, consent, "
        "consent_changed_on, anonymity_no, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (owner.id, owner.display_name.strip(), owner.email.strip(), owner.phone.strip(), owner.address.strip(),
         str(owner.contact_preference), str(owner.consent), owner.consent_changed_on or now, anonymity_no, now))
    _remember_anonymity_no(conn, anonymity_no, now)
    return int(cur.lastrowid)


def update_owner(conn: sqlite3.Connection, owner: Owner) -> None:
    """Write display name, contact and consent; a consent change stamps consent_changed_on (unless given)."""
    _check(owner)
    if owner.id is None:
        raise OwnerError("update_owner needs an owner id")
    old = conn.execute("SELECT consent, consent_changed_on FROM owners WHERE id = ?", (owner.id,)).fetchone()
    if old is None:
        raise OwnerError(f"There is no owner {owner.id}.")
    changed_on = owner.consent_changed_on
    if str(owner.consent) != old[0] and (changed_on is None or changed_on == old[1]):
        changed_on = to_iso(utc_now())
    conn.execute(
        "UPDATE owners SET display_name = ?, email = ?, phone = ?, address = ?, contact_preference = ?, consent = ?, "
        "consent_changed_on = ? WHERE id = ?",
        (owner.display_name.strip(), owner.email.strip(), owner.phone.strip(), owner.address.strip(),
         str(owner.contact_preference), str(owner.consent), changed_on or old[1], owner.id))


def owner_row(conn: sqlite3.Connection, owner_id: int) -> dict[str, Any] | None:
    """The raw row (every column): what undo needs to put an owner back exactly."""
    row = conn.execute(f"SELECT {', '.join(OWNER_COLUMNS)} FROM owners WHERE id = ?", (owner_id,)).fetchone()
    return dict(zip(OWNER_COLUMNS, row, strict=True)) if row else None


def restore_owner_row(conn: sqlite3.Connection, row: dict[str, Any]) -> None:
    """Insert or overwrite an owner exactly as owner_row() captured it (same id and anonymity number)."""
    # An upsert: INSERT OR REPLACE would delete the row first, which the cameras' ON DELETE RESTRICT refuses.
    cols = ", ".join(OWNER_COLUMNS)
    updates = ", ".join(f"{c} = excluded.{c}" for c in OWNER_COLUMNS if c != "id")
    conn.execute(f"INSERT INTO owners ({cols}) VALUES ({', '.join('?' * len(OWNER_COLUMNS))}) "
                 f"ON CONFLICT(id) DO UPDATE SET {updates}", [row[c] for c in OWNER_COLUMNS])


def delete_owner_if_unused(conn: sqlite3.Connection, owner_id: int) -> dict[str, Any] | None:
    """Delete an owner nothing refers to any more; returns its row (for undo) or None if it was kept.

    Anything that refers to the owner (cameras, footage-request recipients, distributions, later tables) keeps
    it: the foreign keys refuse the delete, which a savepoint turns into "kept".
    """
    row = owner_row(conn, owner_id)
    if row is None:
        return None
    conn.execute("SAVEPOINT owner_delete")
    try:
        conn.execute("DELETE FROM owners WHERE id = ?", (owner_id,))
    except sqlite3.IntegrityError:
        conn.execute("ROLLBACK TO owner_delete")
        conn.execute("RELEASE owner_delete")
        return None
    conn.execute("RELEASE owner_delete")
    return row


def record_consent_change(conn: sqlite3.Connection, owner_id: int, new: str, *, effective_at: str, recorded_by: str,
                          how: str = "", note: str = "") -> str | None:
    """Write a consent change as a record of its own and apply it to the owner; returns the consent it replaced
    (None for an owner's first consent). The only way the store changes an owner's consent."""
    row = conn.execute("SELECT consent FROM owners WHERE id = ?", (owner_id,)).fetchone()
    if row is None:
        raise OwnerError(f"There is no owner {owner_id}.")
    conn.execute("INSERT INTO consent_changes (owner_id, old_consent, new_consent, effective_at, recorded_at, "
                 "recorded_by, how, note) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                 (owner_id, row[0], new, effective_at, to_iso(utc_now()), recorded_by, how, note))
    conn.execute("UPDATE owners SET consent = ?, consent_changed_on = ? WHERE id = ?", (new, effective_at, owner_id))
    return str(row[0])


def record_first_consent(conn: sqlite3.Connection, owner_id: int, consent: str, *, recorded_by: str,
                         how: str) -> None:
    """The consent a new owner was registered with, as the first of their consent records."""
    at = conn.execute("SELECT consent_changed_on FROM owners WHERE id = ?", (owner_id,)).fetchone()
    conn.execute("INSERT INTO consent_changes (owner_id, old_consent, new_consent, effective_at, recorded_at, "
                 "recorded_by, how) VALUES (?, NULL, ?, ?, ?, ?, ?)",
                 (owner_id, consent, (at[0] if at and at[0] else to_iso(utc_now())), to_iso(utc_now()),
                  recorded_by, how))


def consent_history(conn: sqlite3.Connection, owner_id: int) -> list[tuple[str | None, str, str, str, str]]:
    """(old, new, effective_at, recorded_by, how), oldest first."""
    return [tuple(r) for r in conn.execute(  # type: ignore[misc]
        "SELECT old_consent, new_consent, effective_at, recorded_by, how FROM consent_changes WHERE owner_id = ? "
        "ORDER BY id", (owner_id,))]


def contact_preference_counts(conn: sqlite3.Connection, owner_ids: list[int]) -> dict[str, int]:
    """How many of these owners prefer each way of being contacted (email, phone, letter …): counts only."""
    counts: dict[str, int] = {}
    for start in range(0, len(owner_ids), 500):
        chunk = owner_ids[start:start + 500]
        for pref, n in conn.execute(
                f"SELECT contact_preference, count(*) FROM owners WHERE id IN ({', '.join('?' * len(chunk))}) "
                "GROUP BY contact_preference", chunk):
            counts[str(pref or "")] = counts.get(str(pref or ""), 0) + int(n)
    return counts
