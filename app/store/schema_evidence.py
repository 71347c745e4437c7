"""The schema's step 6, evidence and its chain of custody (issue 13), kept apart from app.store.schema for its
length; schema.MIGRATIONS lists it in its place. SQLite DDL, triggers included, like the other steps."""

from __future__ import annotations

# Step 6: evidence and its chain of custody (issue 13). custody_events is rebuilt to widen its kinds (SQLite cannot
# alter a CHECK); it was written by nothing before this step. One stored file per SHA-256 among live items
# (a re-shared file is linked to the new answer, not stored twice); evidence_links says which answers
# (request, recipient) an item belongs to. Items are never deleted: a purge removes the file and keeps the row.
# evidence_items.legal_hold (step 1) is superseded by the legal_holds records.
V6_EVIDENCE = """
ALTER TABLE evidence_items ADD COLUMN derived_from INTEGER REFERENCES evidence_items(id);
ALTER TABLE evidence_items ADD COLUMN derived_kind TEXT
    CHECK (derived_kind IS NULL OR derived_kind IN ('still', 'clip', 'redaction'));
ALTER TABLE evidence_items ADD COLUMN derivation TEXT NOT NULL DEFAULT '{}';
ALTER TABLE evidence_items ADD COLUMN is_media INTEGER NOT NULL DEFAULT 1;
ALTER TABLE evidence_items ADD COLUMN clock_offset_source TEXT NOT NULL DEFAULT '';
ALTER TABLE evidence_items ADD COLUMN consent_withdrawn_at TEXT;
ALTER TABLE evidence_items ADD COLUMN consent_withdrawn_by INTEGER REFERENCES users(id);
ALTER TABLE evidence_items ADD COLUMN purge_marked_at TEXT;
ALTER TABLE evidence_items ADD COLUMN purge_marked_by INTEGER REFERENCES users(id);
ALTER TABLE evidence_items ADD COLUMN purge_due_at TEXT;
ALTER TABLE evidence_items ADD COLUMN purge_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE evidence_items ADD COLUMN purged_by INTEGER REFERENCES users(id);
ALTER TABLE evidence_items ADD COLUMN last_verified_at TEXT;
ALTER TABLE evidence_items ADD COLUMN last_verified_ok INTEGER;

CREATE UNIQUE INDEX evidence_live_sha256 ON evidence_items(sha256) WHERE purged_at IS NULL;
CREATE INDEX evidence_request ON evidence_items(request_id);
CREATE INDEX evidence_derived ON evidence_items(derived_from) WHERE derived_from IS NOT NULL;

CREATE TABLE evidence_links (
    id INTEGER PRIMARY KEY,
    evidence_id INTEGER NOT NULL REFERENCES evidence_items(id),
    request_id INTEGER NOT NULL REFERENCES footage_requests(id),
    recipient_id INTEGER REFERENCES recipients(id),
    linked_at TEXT NOT NULL,
    linked_by INTEGER REFERENCES users(id),
    UNIQUE (evidence_id, request_id, recipient_id)
);
CREATE INDEX evidence_links_request ON evidence_links(request_id);
CREATE INDEX evidence_links_recipient ON evidence_links(recipient_id);

CREATE TABLE custody_events_v6 (
    id INTEGER PRIMARY KEY,
    evidence_id INTEGER NOT NULL REFERENCES evidence_items(id),
    kind TEXT NOT NULL CHECK (kind IN ('received', 'linked', 'viewed', 'still', 'clip', 'redacted', 'exported',
                                       'verified', 'held', 'released', 'purge_marked', 'restored', 'purged',
                                       'consent_withdrawn')),
    at TEXT NOT NULL,
    actor_id INTEGER REFERENCES users(id),
    actor TEXT NOT NULL DEFAULT '',
    sha256 TEXT NOT NULL DEFAULT '',     -- the item's hash as checked or known at this event
    details TEXT NOT NULL DEFAULT '{}'   -- JSON
);
INSERT INTO custody_events_v6 (id, evidence_id, kind, at, actor_id, details)
    SELECT id, evidence_id, kind, at, actor_id, CASE WHEN details = '' THEN '{}' ELSE details END FROM custody_events;
DROP TABLE custody_events;
ALTER TABLE custody_events_v6 RENAME TO custody_events;
CREATE INDEX custody_evidence ON custody_events(evidence_id);

-- The chain of custody is append-only, like the audit log.
CREATE TRIGGER custody_no_update BEFORE UPDATE ON custody_events
BEGIN
    SELECT RAISE(ABORT, 'custody_events is append-only');
END;

CREATE TRIGGER custody_no_delete BEFORE DELETE ON custody_events
BEGIN
    SELECT RAISE(ABORT, 'custody_events is append-only');
END;

CREATE TABLE legal_holds (
    id INTEGER PRIMARY KEY,
    evidence_id INTEGER NOT NULL REFERENCES evidence_items(id),
    reason TEXT NOT NULL CHECK (length(trim(reason)) > 0),
    authority TEXT NOT NULL CHECK (length(trim(authority)) > 0),   -- case number or legal authority
    placed_by INTEGER NOT NULL REFERENCES users(id),
    placed_at TEXT NOT NULL,
    review_on TEXT NOT NULL,             -- YYYY-MM-DD
    released_at TEXT,
    released_by INTEGER REFERENCES users(id),
    release_reason TEXT NOT NULL DEFAULT ''
);
CREATE INDEX legal_holds_evidence ON legal_holds(evidence_id);

CREATE TABLE onward_shares (
    id INTEGER PRIMARY KEY,
    package_name TEXT NOT NULL,
    package_sha256 TEXT NOT NULL,
    package_bytes INTEGER NOT NULL,
    recipient_org TEXT NOT NULL CHECK (length(trim(recipient_org)) > 0),
    legal_basis TEXT NOT NULL CHECK (length(trim(legal_basis)) > 0),
    requested_by INTEGER NOT NULL REFERENCES users(id),
    approved_by INTEGER NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    audit_head_seq INTEGER,
    audit_head_hash TEXT NOT NULL DEFAULT '',
    CHECK (approved_by <> requested_by)
);

CREATE TABLE onward_share_items (
    share_id INTEGER NOT NULL REFERENCES onward_shares(id),
    evidence_id INTEGER NOT NULL REFERENCES evidence_items(id),
    sha256 TEXT NOT NULL,
    PRIMARY KEY (share_id, evidence_id)
);
"""
