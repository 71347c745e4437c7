"""The schema, as an ordered list of migration steps. Append steps; never edit a landed one."""

from __future__ import annotations

from app.store.schema_evidence import V6_EVIDENCE

# Step 1: every record family the product needs (DESIGN.md "The records").
V1 = """
CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE COLLATE NOCASE,
    role TEXT NOT NULL CHECK (role IN ('analyst', 'supervisor', 'auditor', 'admin')),
    password_hash TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL
);

CREATE TABLE agencies (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('police', 'sheriff', 'fire', 'other')),
    city TEXT NOT NULL DEFAULT '',
    state TEXT NOT NULL DEFAULT '',
    lat REAL,
    lon REAL,
    jurisdiction_geojson TEXT,          -- GeoJSON Polygon/MultiPolygon, WGS84
    case_number_pattern TEXT NOT NULL DEFAULT '',  -- regular expression; '' = any non-empty
    partnered_on TEXT,
    status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('prospective', 'active', 'suspended', 'ended')),
    terms TEXT NOT NULL DEFAULT ''
);

CREATE TABLE owners (
    id INTEGER PRIMARY KEY,
    display_name TEXT NOT NULL,
    email TEXT NOT NULL DEFAULT '',
    phone TEXT NOT NULL DEFAULT '',
    address TEXT NOT NULL DEFAULT '',
    contact_preference TEXT NOT NULL DEFAULT 'email' CHECK (contact_preference IN ('email', 'phone', 'mail', 'none')),
    consent TEXT NOT NULL DEFAULT 'opt_in' CHECK (consent IN ('opt_in', 'opt_out')),
    consent_changed_on TEXT,
    anonymity_no INTEGER NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);

CREATE TABLE import_batches (
    id INTEGER PRIMARY KEY,
    file_name TEXT NOT NULL,
    format TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    rows_total INTEGER NOT NULL,
    rows_imported INTEGER NOT NULL,
    rows_rejected INTEGER NOT NULL,
    imported_at TEXT NOT NULL,
    imported_by TEXT NOT NULL DEFAULT ''
);

CREATE TABLE cameras (
    id INTEGER PRIMARY KEY,
    external_id TEXT,                    -- the id in the file it came from, if any
    owner_id INTEGER REFERENCES owners(id) ON DELETE RESTRICT,
    lat REAL NOT NULL CHECK (lat BETWEEN -90 AND 90),
    lon REAL NOT NULL CHECK (lon BETWEEN -180 AND 180),
    -- kind and source are checked with OR chains, not IN lists: SQLite (3.40) builds a temporary index for an
    -- IN list in a CHECK on every inserted row, which made bulk imports 2-4x slower.
    kind TEXT NOT NULL CHECK (kind = 'doorbell' OR kind = 'floodlight' OR kind = 'spotlight' OR kind = 'indoor'
                              OR kind = 'business_cctv' OR kind = 'city_cctv'),
    heading_deg REAL CHECK (heading_deg IS NULL OR heading_deg BETWEEN 0 AND 360),
    fov_deg REAL CHECK (fov_deg IS NULL OR fov_deg BETWEEN 1 AND 360),
    range_m REAL CHECK (range_m IS NULL OR range_m > 0),
    retention_days INTEGER CHECK (retention_days IS NULL OR retention_days >= 0),
    source TEXT NOT NULL CHECK (source = 'self_registered' OR source = 'program_distributed'
                                OR source = 'imported'),
    registered_on TEXT NOT NULL,
    active INTEGER NOT NULL DEFAULT 1,
    label TEXT NOT NULL DEFAULT '',
    import_id INTEGER REFERENCES import_batches(id)
);

CREATE TABLE incidents (
    id INTEGER PRIMARY KEY,
    occurred_at TEXT NOT NULL,
    lat REAL,
    lon REAL,
    category TEXT NOT NULL,
    text TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL CHECK (source IN ('resident_post', 'agency_report')),
    case_number TEXT NOT NULL DEFAULT '',
    agency_id INTEGER REFERENCES agencies(id),
    created_at TEXT NOT NULL
);

CREATE TABLE footage_requests (
    id INTEGER PRIMARY KEY,
    agency_id INTEGER NOT NULL REFERENCES agencies(id),
    case_number TEXT NOT NULL,
    incident_id INTEGER REFERENCES incidents(id),
    offense_category TEXT NOT NULL,
    area_kind TEXT NOT NULL CHECK (area_kind IN ('circle', 'rectangle', 'polygon')),
    area_json TEXT NOT NULL,             -- {"center": [lat, lon], "radius_m": r} or {"ring": [[lat, lon], ...]}
    window_start TEXT NOT NULL,
    window_end TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    investigator_contact TEXT NOT NULL DEFAULT '',
    created_by INTEGER REFERENCES users(id),
    created_at TEXT NOT NULL,
    approved_by INTEGER REFERENCES users(id),
    approved_at TEXT,
    sent_at TEXT,
    expires_at TEXT,
    resolved_at TEXT,
    state TEXT NOT NULL DEFAULT 'draft'
        CHECK (state IN ('draft', 'awaiting_approval', 'sent', 'resolved', 'expired', 'withdrawn')),
    public_no INTEGER UNIQUE             -- number in the public request log, given when sent
);

CREATE TABLE request_transitions (
    id INTEGER PRIMARY KEY,
    request_id INTEGER NOT NULL REFERENCES footage_requests(id),
    from_state TEXT,
    to_state TEXT NOT NULL,
    at TEXT NOT NULL,
    actor_id INTEGER REFERENCES users(id),
    reason TEXT NOT NULL DEFAULT ''
);

CREATE TABLE policy_overrides (
    id INTEGER PRIMARY KEY,
    request_id INTEGER NOT NULL REFERENCES footage_requests(id),
    rule TEXT NOT NULL,
    reason TEXT NOT NULL CHECK (length(trim(reason)) > 0),
    supervisor_id INTEGER NOT NULL REFERENCES users(id),
    at TEXT NOT NULL
);

CREATE TABLE recipients (
    id INTEGER PRIMARY KEY,
    request_id INTEGER NOT NULL REFERENCES footage_requests(id),
    camera_id INTEGER REFERENCES cameras(id),
    owner_id INTEGER REFERENCES owners(id),
    state TEXT NOT NULL DEFAULT 'pending'
        CHECK (state IN ('pending', 'shared', 'declined', 'no_footage', 'no_response')),
    responded_at TEXT,
    rank INTEGER,
    covers_incident INTEGER NOT NULL DEFAULT 0,
    footage_likely_overwritten INTEGER NOT NULL DEFAULT 0,
    UNIQUE (request_id, camera_id)
);

CREATE TABLE request_outcomes (
    request_id INTEGER PRIMARY KEY REFERENCES footage_requests(id),
    footage_useful INTEGER,
    led_to_arrest INTEGER,
    notes TEXT NOT NULL DEFAULT '',
    recorded_at TEXT NOT NULL,
    recorded_by INTEGER REFERENCES users(id)
);

CREATE TABLE evidence_items (
    id INTEGER PRIMARY KEY,
    request_id INTEGER NOT NULL REFERENCES footage_requests(id),
    recipient_id INTEGER REFERENCES recipients(id),
    original_name TEXT NOT NULL,
    stored_path TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    size_bytes INTEGER NOT NULL,
    media_info TEXT NOT NULL DEFAULT '{}',
    received_at TEXT NOT NULL,
    received_by INTEGER REFERENCES users(id),
    clock_offset_s REAL NOT NULL DEFAULT 0,
    legal_hold INTEGER NOT NULL DEFAULT 0,
    purged_at TEXT
);

CREATE TABLE custody_events (
    id INTEGER PRIMARY KEY,
    evidence_id INTEGER NOT NULL REFERENCES evidence_items(id),
    kind TEXT NOT NULL CHECK (kind IN ('received', 'viewed', 'exported', 'verified', 'purged')),
    at TEXT NOT NULL,
    actor_id INTEGER REFERENCES users(id),
    details TEXT NOT NULL DEFAULT ''
);

CREATE TABLE device_shipments (
    id INTEGER PRIMARY KEY,
    agency_id INTEGER NOT NULL REFERENCES agencies(id),
    shipped_on TEXT NOT NULL,
    units INTEGER NOT NULL CHECK (units > 0),
    model TEXT NOT NULL DEFAULT '',
    notes TEXT NOT NULL DEFAULT ''
);

CREATE TABLE distributions (
    id INTEGER PRIMARY KEY,
    shipment_id INTEGER REFERENCES device_shipments(id),
    agency_id INTEGER NOT NULL REFERENCES agencies(id),
    owner_id INTEGER REFERENCES owners(id),
    camera_id INTEGER REFERENCES cameras(id),
    distributed_on TEXT NOT NULL,
    terms_shown TEXT NOT NULL,
    terms_accepted INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE download_credits (
    id INTEGER PRIMARY KEY,
    agency_id INTEGER NOT NULL REFERENCES agencies(id),
    period TEXT NOT NULL,
    downloads INTEGER NOT NULL CHECK (downloads >= 0),
    units_earned INTEGER NOT NULL CHECK (units_earned >= 0),
    recorded_on TEXT NOT NULL
);

CREATE TABLE operations (
    id INTEGER PRIMARY KEY,
    agency_id INTEGER NOT NULL REFERENCES agencies(id),
    name TEXT NOT NULL,
    kind TEXT NOT NULL DEFAULT '',
    started_on TEXT NOT NULL,
    ended_on TEXT,
    description TEXT NOT NULL DEFAULT '',
    outcome TEXT NOT NULL DEFAULT '',
    arrests INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,                 -- JSON
    changed_at TEXT NOT NULL,
    changed_by TEXT NOT NULL DEFAULT ''
);

CREATE TABLE audit_log (
    seq INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    object TEXT NOT NULL DEFAULT '',
    details TEXT NOT NULL DEFAULT '{}',  -- JSON
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
"""

# Step 2: indexes for the hot queries, and the audit log made append-only in the store itself.
V2 = """
CREATE INDEX cameras_owner ON cameras(owner_id) WHERE owner_id IS NOT NULL;
CREATE INDEX cameras_external ON cameras(external_id);
CREATE INDEX recipients_request ON recipients(request_id);
CREATE INDEX recipients_owner ON recipients(owner_id);
-- Foreign keys into cameras: without these, deleting a camera scans both tables (5,000 deletes: 14 s vs 0.01 s).
CREATE INDEX recipients_camera ON recipients(camera_id);
CREATE INDEX distributions_camera ON distributions(camera_id);
CREATE INDEX transitions_request ON request_transitions(request_id);
CREATE INDEX custody_evidence ON custody_events(evidence_id);
CREATE INDEX incidents_time ON incidents(occurred_at);
CREATE INDEX audit_action ON audit_log(action);

CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'audit_log is append-only');
END;

-- A sent request is in the public log: it can be resolved, never deleted.
CREATE TRIGGER public_log_no_delete BEFORE DELETE ON footage_requests
WHEN OLD.public_no IS NOT NULL
BEGIN
    SELECT RAISE(ABORT, 'a request in the public log cannot be deleted');
END;
"""

# Step 3: base maps (issue 11). A vector base map read from an OpenStreetMap extract (or generated for the demo
# city) is kept as numpy arrays in BLOBs, so it opens in milliseconds and travels with the store's backups; a
# tile file (MBTiles, PMTiles) is kept by its path.
V3_BASE_MAPS = """
CREATE TABLE base_maps (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('vector', 'mbtiles', 'pmtiles')),
    source_name TEXT NOT NULL,
    source_path TEXT NOT NULL DEFAULT '',
    sha256 TEXT NOT NULL DEFAULT '',
    attribution TEXT NOT NULL DEFAULT '',
    counts TEXT NOT NULL DEFAULT '{}',   -- JSON: what was read (roads, names, addresses, ...)
    loaded_at TEXT NOT NULL,
    loaded_by TEXT NOT NULL DEFAULT ''
);

CREATE TABLE base_map_parts (
    base_map_id INTEGER NOT NULL REFERENCES base_maps(id) ON DELETE CASCADE,
    part TEXT NOT NULL,                  -- array name, e.g. roads.x
    data BLOB NOT NULL,                  -- .npy bytes (names: UTF-8 text, one per line)
    PRIMARY KEY (base_map_id, part)
);
"""

# Step 4: the program (issue 12). Plain names, read by the transparency report and dashboards:
#  agencies.download_code / downloads_per_unit  the code residents' app downloads are credited to, and the terms'
#                                               "N downloads earn 1 unit" (NULL = downloads earn nothing)
#  incidents.moderation                         pending (in the queue) | held (anti-profiling: the poster must add
#                                               what the person did and wore) | published | rejected (with reason)
#  incidents.block_address                      "1200 block of Union Av": where a post without coordinates is
#  post_moderation                              every moderation act on a post (also in the audit log)
#  distributions.sharing_condition              1 = sharing footage on request was made a condition of the handout
#  operations.goal / success_measure            stated before the start; changed afterwards only by a revision
#  operation_revisions / _statements / _cameras / _partners, milestones (partnership growth plot)
V4_PROGRAM = """
ALTER TABLE agencies ADD COLUMN download_code TEXT NOT NULL DEFAULT '';
ALTER TABLE agencies ADD COLUMN downloads_per_unit INTEGER CHECK (downloads_per_unit IS NULL OR downloads_per_unit > 0);

ALTER TABLE incidents ADD COLUMN block_address TEXT NOT NULL DEFAULT '';
ALTER TABLE incidents ADD COLUMN media_url TEXT NOT NULL DEFAULT '';
ALTER TABLE incidents ADD COLUMN posted_by TEXT NOT NULL DEFAULT '';
ALTER TABLE incidents ADD COLUMN moderation TEXT NOT NULL DEFAULT 'published'
    CHECK (moderation IN ('pending', 'held', 'published', 'rejected'));
ALTER TABLE incidents ADD COLUMN moderation_reason TEXT NOT NULL DEFAULT '';
ALTER TABLE incidents ADD COLUMN placed_by TEXT NOT NULL DEFAULT '';  -- '' = as given; 'address_search' = geocoded
ALTER TABLE incidents ADD COLUMN import_id INTEGER REFERENCES import_batches(id);

CREATE TABLE post_moderation (
    id INTEGER PRIMARY KEY,
    incident_id INTEGER NOT NULL REFERENCES incidents(id),
    action TEXT NOT NULL CHECK (action IN ('submitted', 'held', 'edited', 'approved', 'rejected')),
    reason TEXT NOT NULL DEFAULT '',
    actor TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX post_moderation_incident ON post_moderation(incident_id);
CREATE INDEX incidents_moderation ON incidents(moderation);

ALTER TABLE distributions ADD COLUMN units INTEGER NOT NULL DEFAULT 1 CHECK (units > 0);
ALTER TABLE distributions ADD COLUMN sharing_condition INTEGER NOT NULL DEFAULT 0 CHECK (sharing_condition IN (0, 1));
ALTER TABLE distributions ADD COLUMN installed_on TEXT;
CREATE INDEX distributions_shipment ON distributions(shipment_id);
CREATE INDEX distributions_agency ON distributions(agency_id);
CREATE INDEX shipments_agency ON device_shipments(agency_id);
CREATE INDEX credits_agency ON download_credits(agency_id);

ALTER TABLE operations ADD COLUMN goal TEXT NOT NULL DEFAULT '';
ALTER TABLE operations ADD COLUMN success_measure TEXT NOT NULL DEFAULT '';
ALTER TABLE operations ADD COLUMN area_json TEXT;
ALTER TABLE operations ADD COLUMN recoveries INTEGER NOT NULL DEFAULT 0 CHECK (recoveries >= 0);
ALTER TABLE operations ADD COLUMN result TEXT NOT NULL DEFAULT ''
    CHECK (result IN ('', 'success', 'partial', 'null', 'inconclusive'));
ALTER TABLE operations ADD COLUMN outcome_recorded_at TEXT;
ALTER TABLE operations ADD COLUMN created_at TEXT;

CREATE TABLE operation_revisions (
    id INTEGER PRIMARY KEY,
    operation_id INTEGER NOT NULL REFERENCES operations(id),
    field TEXT NOT NULL,
    old_value TEXT NOT NULL,
    new_value TEXT NOT NULL,
    reason TEXT NOT NULL CHECK (length(trim(reason)) > 0),
    actor TEXT NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX operation_revisions_operation ON operation_revisions(operation_id);

CREATE TABLE operation_statements (
    id INTEGER PRIMARY KEY,
    operation_id INTEGER NOT NULL REFERENCES operations(id),
    made_on TEXT NOT NULL,
    organisation TEXT NOT NULL CHECK (length(trim(organisation)) > 0),
    speaker TEXT NOT NULL DEFAULT '',
    text TEXT NOT NULL CHECK (length(trim(text)) > 0),
    url TEXT NOT NULL DEFAULT ''
);
CREATE INDEX operation_statements_operation ON operation_statements(operation_id);

CREATE TABLE operation_cameras (
    operation_id INTEGER NOT NULL REFERENCES operations(id),
    camera_id INTEGER NOT NULL REFERENCES cameras(id),
    PRIMARY KEY (operation_id, camera_id)
);
CREATE INDEX operation_cameras_camera ON operation_cameras(camera_id);

CREATE TABLE operation_partners (
    operation_id INTEGER NOT NULL REFERENCES operations(id),
    organisation TEXT NOT NULL,
    agency_id INTEGER REFERENCES agencies(id),
    PRIMARY KEY (operation_id, organisation)
);

CREATE TABLE milestones (
    id INTEGER PRIMARY KEY,
    on_date TEXT NOT NULL,
    label TEXT NOT NULL CHECK (length(trim(label)) > 0),
    created_by TEXT NOT NULL DEFAULT '',
    created_at TEXT NOT NULL
);
"""

# Step 5: consent changes as records of their own (who recorded which change, reported how, when): an owner's
# consent changes only through one of these, never as a side effect of editing a camera. From this step on the
# audit log's head is also kept in a file beside the store (app/store/audit_head.py); a store upgraded to it is
# anchored as it is then.
V5_CONSENT = """
CREATE TABLE consent_changes (
    id INTEGER PRIMARY KEY,
    -- An owner deleted with their last camera (or an undone add) takes their consent records along; the audit log
    -- keeps every consent_changed entry.
    owner_id INTEGER NOT NULL REFERENCES owners(id) ON DELETE CASCADE,
    old_consent TEXT CHECK (old_consent IS NULL OR old_consent IN ('opt_in', 'opt_out')),
    new_consent TEXT NOT NULL CHECK (new_consent IN ('opt_in', 'opt_out')),
    effective_at TEXT NOT NULL,          -- when the owner made the choice (UTC ISO)
    recorded_at TEXT NOT NULL,
    recorded_by TEXT NOT NULL,
    how TEXT NOT NULL DEFAULT '',        -- how the owner said so: reply code, letter, phone call, form
    note TEXT NOT NULL DEFAULT ''
);
CREATE INDEX consent_changes_owner ON consent_changes(owner_id);
"""

# Step 6: evidence and its chain of custody (issue 13): app/store/schema_evidence.py, for its length.

# A supervisor's override is for the request as it stood: an edit of the draft after it voids it (voided_at), so an
# area enlarged after "area limit" was overridden needs the override again. Kept, not deleted: the report counts it.
V7_OVERRIDES_VOIDED = """
ALTER TABLE policy_overrides ADD COLUMN voided_at TEXT;
"""

MIGRATIONS: list[str] = [V1, V2, V3_BASE_MAPS, V4_PROGRAM, V5_CONSENT, V6_EVIDENCE, V7_OVERRIDES_VOIDED]
SCHEMA_VERSION = len(MIGRATIONS)
# Stores below this version were made before the audit head file existed: the first open anchors them.
AUDIT_HEAD_FILE_FROM = MIGRATIONS.index(V5_CONSENT) + 1
