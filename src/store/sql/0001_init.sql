-- ctctsync store, schema version 1.
-- Until the first release this file may still be edited (no user database exists yet); after it,
-- every change is a new migration file. Timestamps are RFC 3339 UTC text ("2026-12-03T18:00:00Z")
-- unless a column name ends in _ms (Unix milliseconds).

-- Key/value settings: every `ctctsync config` key (SPEC §10) plus wizard progress (`wizard.*`).
CREATE TABLE settings (
    key        TEXT PRIMARY KEY NOT NULL,
    value      TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;

-- CRM clients: households and organizations.
CREATE TABLE clients (
    id         INTEGER PRIMARY KEY,
    crm_id     TEXT UNIQUE,                       -- the import file's own id, when it has one
    name       TEXT NOT NULL,
    name_key   TEXT NOT NULL UNIQUE,              -- lower-cased trimmed name: natural key for imports
    kind       TEXT NOT NULL CHECK (kind IN ('household', 'organization')),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;

-- CRM contacts. email_norm = lower(trim(email)), NULL when the contact has no email.
CREATE TABLE contacts (
    id                  INTEGER PRIMARY KEY,
    crm_id              TEXT UNIQUE,
    client_id           INTEGER REFERENCES clients(id) ON DELETE SET NULL,
    first_name          TEXT NOT NULL DEFAULT '',
    last_name           TEXT NOT NULL DEFAULT '',
    email               TEXT,
    email_norm          TEXT,
    do_not_email        INTEGER NOT NULL DEFAULT 0 CHECK (do_not_email IN (0, 1)),
    ctct_id             TEXT UNIQUE,              -- the link: Constant Contact contact id
    ctct_status         TEXT,                     -- permission_to_send seen in Constant Contact
    ctct_opt_out_source TEXT,                     -- 'Contact' | 'Account' when unsubscribed
    ctct_linked_at      TEXT,
    last_activity_at    TEXT,                     -- newest interaction, kept by the activity sync
    created_at          TEXT NOT NULL,
    updated_at          TEXT NOT NULL
) STRICT;
CREATE INDEX contacts_email_norm ON contacts(email_norm);
CREATE INDEX contacts_client ON contacts(client_id);
CREATE INDEX contacts_sort_name ON contacts(last_name COLLATE NOCASE, first_name COLLATE NOCASE, id);

-- Constant Contact's view of contacts (cache used for linking; never copied into CRM fields).
CREATE TABLE ctct_contacts (
    contact_id       TEXT PRIMARY KEY NOT NULL,
    email_norm       TEXT,
    permission       TEXT,                        -- permission_to_send
    opt_out_source   TEXT,
    status           TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'deleted')),
    updated_at       TEXT,                        -- contact updated_at
    email_updated_at TEXT,                        -- email_address.updated_at
    synced_at        TEXT NOT NULL
) STRICT;
CREATE INDEX ctct_contacts_email ON ctct_contacts(email_norm);

-- The lists each Constant Contact contact is on, as the contact sync last saw them; copied to
-- `list_memberships` for CRM contacts once they are linked (even when linked after the page).
CREATE TABLE ctct_list_members (
    contact_id TEXT NOT NULL,
    list_id    TEXT NOT NULL,
    PRIMARY KEY (contact_id, list_id)
) STRICT, WITHOUT ROWID;

-- Constant Contact lists.
CREATE TABLE ctct_lists (
    list_id          TEXT PRIMARY KEY NOT NULL,
    name             TEXT NOT NULL,
    description      TEXT,
    favorite         INTEGER NOT NULL DEFAULT 0,
    membership_count INTEGER,
    created_at       TEXT,
    updated_at       TEXT,
    deleted_at       TEXT,
    synced_at        TEXT NOT NULL
) STRICT;

-- Which CRM contact is on which Constant Contact list (as last known / requested).
CREATE TABLE list_memberships (
    contact_id INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    list_id    TEXT NOT NULL REFERENCES ctct_lists(list_id) ON DELETE CASCADE,
    state      TEXT NOT NULL DEFAULT 'member' CHECK (state IN ('member', 'pending_add', 'pending_remove')),
    updated_at TEXT NOT NULL,
    PRIMARY KEY (contact_id, list_id)
) STRICT, WITHOUT ROWID;
CREATE INDEX list_memberships_list ON list_memberships(list_id, contact_id);

-- Campaigns and their activities (names for interactions and event subjects).
CREATE TABLE campaigns (
    campaign_id    TEXT PRIMARY KEY NOT NULL,
    name           TEXT NOT NULL,
    current_status TEXT,
    type           TEXT,
    created_at     TEXT,
    updated_at     TEXT,
    last_sent_at   TEXT,
    synced_at      TEXT NOT NULL
) STRICT;

CREATE TABLE campaign_activities (
    campaign_activity_id TEXT PRIMARY KEY NOT NULL,
    campaign_id          TEXT,                    -- NULL when Constant Contact can't resolve it
    role                 TEXT,
    subject              TEXT,
    name                 TEXT,                    -- resolved display name (campaign name or a label)
    synced_at            TEXT NOT NULL
) STRICT;
CREATE INDEX campaign_activities_campaign ON campaign_activities(campaign_id);

-- Engagement activities of linked contacts (CRM interactions). Natural key: (ctct contact,
-- campaign activity, type, time, link); link_url is '' for non-click rows so the key is total.
CREATE TABLE interactions (
    id                   INTEGER PRIMARY KEY,
    contact_id           INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    ctct_contact_id      TEXT NOT NULL,
    campaign_activity_id TEXT NOT NULL,
    kind                 TEXT NOT NULL CHECK (kind IN ('em_sends', 'em_opens', 'em_clicks', 'em_bounces', 'em_optouts', 'em_forwards')),
    occurred_at          TEXT NOT NULL,
    link_url             TEXT NOT NULL DEFAULT '',
    url_id               TEXT,
    bounce_code          TEXT,
    device_type          TEXT,
    opt_out_reason       TEXT,
    UNIQUE (ctct_contact_id, campaign_activity_id, kind, occurred_at, link_url)
) STRICT;
CREATE INDEX interactions_contact_time ON interactions(contact_id, occurred_at DESC, id DESC);

-- Timeline events ("Sync Activities to Event"): one per (contact, campaign activity).
CREATE TABLE events (
    id                   INTEGER PRIMARY KEY,
    contact_id           INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    client_id            INTEGER REFERENCES clients(id) ON DELETE SET NULL,
    campaign_activity_id TEXT NOT NULL,
    action               TEXT NOT NULL,           -- Send / Open / Click / Bounce / Opt Out / Forward
    subject              TEXT NOT NULL,           -- "CTCT: Open - Q1 Newsletter"
    subtype              TEXT NOT NULL DEFAULT 'CTCT',
    occurred_at          TEXT NOT NULL,
    updated_at           TEXT NOT NULL,
    UNIQUE (contact_id, campaign_activity_id)
) STRICT;
CREATE INDEX events_client_time ON events(client_id, occurred_at DESC);

-- Sync high-water marks and cursors: (scope, key) -> value. E.g. ('contacts', 'updated_after'),
-- ('activity', '<campaign_activity_id>/em_opens').
CREATE TABLE sync_state (
    scope      TEXT NOT NULL,
    key        TEXT NOT NULL,
    value      TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (scope, key)
) STRICT, WITHOUT ROWID;

-- The OAuth credential (one row). Secrets live only here and in settings (file mode 0600).
CREATE TABLE credentials (
    id                    INTEGER PRIMARY KEY CHECK (id = 1),
    state                 TEXT NOT NULL DEFAULT 'none' CHECK (state IN ('none', 'authorized', 'needs_authorization')),
    state_reason          TEXT,
    access_token          TEXT,
    access_expires_at     TEXT,
    refresh_token         TEXT,
    refresh_issued_at     TEXT,                   -- when this refresh token value was first received
    refresh_last_used_at  TEXT,                   -- for the 180-day idle limit
    scopes                TEXT,
    token_url             TEXT,                   -- the token endpoint these tokens belong to
    organization_name     TEXT,
    encoded_account_id    TEXT,
    authorized_at         TEXT,
    generation            INTEGER NOT NULL DEFAULT 0, -- bumped on every token change (single-flight refresh)
    updated_at            TEXT NOT NULL
) STRICT;

-- Scheduled jobs (the three of SPEC §5). Schedules live in settings (schedule.<name>).
CREATE TABLE jobs (
    name             TEXT PRIMARY KEY NOT NULL CHECK (name IN ('synccontactlists', 'synccontacts', 'syncactivities')),
    display_name     TEXT NOT NULL,
    enabled          INTEGER NOT NULL DEFAULT 1,
    last_fire_at     TEXT,                         -- last scheduled fire handled by the daemon
    cancel_requested INTEGER NOT NULL DEFAULT 0,
    run_requested    INTEGER NOT NULL DEFAULT 0    -- "run now" asked by a UI; the daemon or TUI picks it up
) STRICT;
INSERT INTO jobs (name, display_name) VALUES
    ('synccontactlists', 'CTCT sync contact list'),
    ('synccontacts', 'CTCT sync contact'),
    ('syncactivities', 'CTCT sync activity');

CREATE TABLE job_runs (
    id             INTEGER PRIMARY KEY,
    job            TEXT NOT NULL REFERENCES jobs(name),
    status         TEXT NOT NULL CHECK (status IN ('running', 'succeeded', 'failed', 'cancelled')),
    trigger        TEXT NOT NULL DEFAULT 'manual',   -- 'schedule' | 'manual' | 'cli' | 'missed'
    started_at     TEXT NOT NULL,
    ended_at       TEXT,
    heartbeat_at   TEXT NOT NULL,                    -- a running row with a stale heartbeat was killed
    pid            INTEGER,
    items          INTEGER NOT NULL DEFAULT 0,
    items_total    INTEGER,                          -- when known, for a gauge
    api_requests   INTEGER NOT NULL DEFAULT 0,
    progress       REAL NOT NULL DEFAULT 0,          -- 0.0 ..= 1.0
    phase          TEXT,                             -- words: "page 3 of lists"
    summary        TEXT,                             -- JSON {linked, created, updated, skipped, failed}
    error          TEXT
) STRICT;
CREATE INDEX job_runs_job_started ON job_runs(job, started_at DESC);
CREATE INDEX job_runs_running ON job_runs(status) WHERE status = 'running';

-- Pushes waiting for Constant Contact, written in the same transaction as the edit that caused them.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY,
    contact_id      INTEGER NOT NULL REFERENCES contacts(id) ON DELETE CASCADE,
    kind            TEXT NOT NULL CHECK (kind IN ('update_contact', 'add_to_list', 'remove_from_list')),
    payload         TEXT NOT NULL DEFAULT '{}',      -- JSON: e.g. {"list_id": "…"}
    status          TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivering', 'delivered', 'failed')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    last_error      TEXT,
    outcome         TEXT,                            -- words shown to the user when delivered
    created_at      TEXT NOT NULL,
    updated_at      TEXT NOT NULL,
    delivered_at    TEXT
) STRICT;
CREATE INDEX outbox_due ON outbox(status, next_attempt_at);
CREATE INDEX outbox_contact ON outbox(contact_id, status);

-- CRM users and who holds the Constant Contact permission (SPEC §4 step 9).
CREATE TABLE crm_users (
    username        TEXT PRIMARY KEY NOT NULL,
    display_name    TEXT NOT NULL DEFAULT '',
    ctct_permission INTEGER NOT NULL DEFAULT 0 CHECK (ctct_permission IN (0, 1)),
    updated_at      TEXT NOT NULL
) STRICT;

-- Page layouts (SPEC §4 step 10): which Constant Contact tabs show.
CREATE TABLE layouts (
    page    TEXT NOT NULL CHECK (page IN ('contact', 'client')),
    tab     TEXT NOT NULL,                            -- 'ctct', 'timeline', 'ctct.membership', 'ctct.activity'
    visible INTEGER NOT NULL DEFAULT 1 CHECK (visible IN (0, 1)),
    PRIMARY KEY (page, tab)
) STRICT, WITHOUT ROWID;
INSERT INTO layouts (page, tab) VALUES
    ('contact', 'ctct'), ('client', 'timeline'), ('client', 'ctct'),
    ('client', 'ctct.membership'), ('client', 'ctct.activity');

-- API usage per UTC day (shown by `status`, the dashboard gauge) and the cross-process pacer:
-- the start times of the most recent requests of every process sharing the store; a request may
-- start only while fewer than the limit started within the window (a sliding window, like the
-- server's own count), checked and recorded inside an IMMEDIATE transaction.
CREATE TABLE api_usage (
    day      TEXT PRIMARY KEY NOT NULL,               -- 'YYYY-MM-DD' (UTC)
    requests INTEGER NOT NULL DEFAULT 0,
    quota_exhausted_until TEXT                        -- set on quota_exceeded: next UTC midnight
) STRICT;
CREATE TABLE api_sends (
    id    INTEGER PRIMARY KEY,
    at_ms INTEGER NOT NULL                            -- Unix ms a request started
) STRICT;

-- Leases: the single daemon, a job run, the token refresh. A lease whose expires_at is past, or whose
-- holder pid is gone on this host, may be taken over.
CREATE TABLE leases (
    name       TEXT PRIMARY KEY NOT NULL,
    holder     TEXT NOT NULL,                         -- "<host>:<pid>:<random>"
    pid        INTEGER NOT NULL,
    acquired_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
) STRICT;

-- The dashboard's contact search (issue 7): a trigram full-text index over "first last" and the
-- email, so a filter of 3+ characters finds a substring among 100,000 contacts without a scan.
-- Contentless (the text lives in `contacts`), kept in step by triggers.
CREATE VIRTUAL TABLE contacts_fts USING fts5(
    name, email, content = '', contentless_delete = 1, tokenize = 'trigram remove_diacritics 1'
);
CREATE TRIGGER contacts_fts_insert AFTER INSERT ON contacts BEGIN
    INSERT INTO contacts_fts (rowid, name, email)
    VALUES (new.id, new.first_name || ' ' || new.last_name, coalesce(new.email_norm, ''));
END;
CREATE TRIGGER contacts_fts_delete AFTER DELETE ON contacts BEGIN
    DELETE FROM contacts_fts WHERE rowid = old.id;
END;
CREATE TRIGGER contacts_fts_update AFTER UPDATE OF first_name, last_name, email_norm ON contacts BEGIN
    DELETE FROM contacts_fts WHERE rowid = old.id;
    INSERT INTO contacts_fts (rowid, name, email)
    VALUES (new.id, new.first_name || ' ' || new.last_name, coalesce(new.email_norm, ''));
END;
