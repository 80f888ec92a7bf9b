-- crew's schema on PostgreSQL at schema version 20: what SQLite's migrations 0001–0020 build,
-- in PostgreSQL's types. No PostgreSQL database of crew existed before version 20, so its
-- migrations start here; from 0021 on, each SQLite migration has a PostgreSQL twin of the same
-- number meaning the same change (a test checks both lists end at the same version).
--
-- Types: ids and money (minor units) are bigint; times are timestamptz (microseconds, UTC);
-- flags are boolean; JSON values crew reads back are text (kept byte for byte).

-- Ids: as SQLite's, not sequences. A table's new row takes the highest id plus one (SQLite's
-- INTEGER PRIMARY KEY), and the tables SQLite keeps AUTOINCREMENT (sessions, kits, time off)
-- never give an id twice: the highest id of a deleted row is kept in id_counters (SQLite's
-- sqlite_sequence keeps every id's; only a deleted one's can exceed the table's highest), so an
-- insert reads one row and writes none. Both are transactional: a rolled-back insert leaves no gap, as in SQLite
-- (sequences would). Writers hold the schema's write lock, so "the highest id" is theirs alone.
CREATE TABLE id_counters (
    name text   PRIMARY KEY,
    seq  bigint NOT NULL
);

-- A refused change: every append-only table's triggers call this with their message.
CREATE FUNCTION crew_refuse() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '%', TG_ARGV[0] USING ERRCODE = 'integrity_constraint_violation';
END
$$;

-- IAM ---------------------------------------------------------------------------------------
CREATE TABLE accounts (
    id            bigint  PRIMARY KEY,
    login         text    NOT NULL UNIQUE,
    name          text    NOT NULL,
    email         text    UNIQUE,
    role          text    NOT NULL CHECK (role IN ('admin','manager','accountant','warehouse','worker','client','service')),
    active        boolean NOT NULL,
    password_hash text,
    created_at    timestamptz NOT NULL
);
CREATE FUNCTION accounts_next_id() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.id IS NULL THEN
        NEW.id := coalesce((SELECT max(id) FROM accounts), 0) + 1;
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER accounts_next_id BEFORE INSERT ON accounts FOR EACH ROW EXECUTE FUNCTION accounts_next_id();

CREATE TABLE client_profiles (
    account_id     bigint PRIMARY KEY REFERENCES accounts (id),
    zone           text   NOT NULL,
    phone          text,
    payment_method text   NOT NULL
);

CREATE TABLE sessions (
    id         bigint  PRIMARY KEY,
    token_hash text    NOT NULL UNIQUE,
    account_id bigint  NOT NULL REFERENCES accounts (id),
    kind       text    NOT NULL CHECK (kind IN ('login', 'service_token')),
    created_at timestamptz NOT NULL,
    expires_at timestamptz
);
CREATE FUNCTION sessions_next_id() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.id IS NULL THEN
        NEW.id := greatest((SELECT seq FROM id_counters WHERE name = 'sessions'), (SELECT max(id) FROM sessions), 0) + 1;
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER sessions_next_id BEFORE INSERT ON sessions FOR EACH ROW EXECUTE FUNCTION sessions_next_id();
-- The highest id is remembered when a row goes, so it is never given again.
CREATE FUNCTION sessions_keep_id() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO id_counters (name, seq) VALUES ('sessions', OLD.id)
        ON CONFLICT (name) DO UPDATE SET seq = greatest(id_counters.seq, excluded.seq);
    RETURN OLD;
END
$$;
CREATE TRIGGER sessions_keep_id AFTER DELETE ON sessions FOR EACH ROW EXECUTE FUNCTION sessions_keep_id();
CREATE INDEX sessions_account ON sessions (account_id);

CREATE TABLE activations (
    account_id  bigint PRIMARY KEY REFERENCES accounts (id),
    secret_hash text   NOT NULL,
    issued_at   timestamptz NOT NULL,
    used_at     timestamptz
);

CREATE TABLE identity_clashes (
    kind           text   NOT NULL CHECK (kind IN ('account', 'application')),
    key            text   NOT NULL,
    row_id         bigint NOT NULL,
    original_login text,
    original_email text,
    PRIMARY KEY (kind, row_id)
);

-- Ordering ----------------------------------------------------------------------------------
CREATE TABLE service_types (
    id               bigint  PRIMARY KEY,
    code             text    NOT NULL UNIQUE,
    name             text    NOT NULL,
    description      text    NOT NULL,
    skills           text    NOT NULL,
    retired          boolean NOT NULL,
    created_at       timestamptz NOT NULL,
    duration_minutes bigint  NOT NULL DEFAULT 60 CHECK (duration_minutes BETWEEN 1 AND 1440),
    buffer_minutes   bigint  NOT NULL DEFAULT 0 CHECK (buffer_minutes BETWEEN 0 AND 1440)
);
CREATE FUNCTION service_types_next_id() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.id IS NULL THEN
        NEW.id := coalesce((SELECT max(id) FROM service_types), 0) + 1;
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER service_types_next_id BEFORE INSERT ON service_types FOR EACH ROW EXECUTE FUNCTION service_types_next_id();

CREATE TABLE orders (
    id                bigint PRIMARY KEY,
    client_id         bigint NOT NULL REFERENCES accounts (id),
    service_type      text   NOT NULL REFERENCES service_types (code),
    zone              text   NOT NULL,
    scheduled_at      timestamptz NOT NULL,
    description       text   NOT NULL,
    status            text   NOT NULL CHECK (status IN ('open','assigned','active','completed','failed','cancelled')),
    worker_id         bigint REFERENCES accounts (id),
    quote_cents       bigint NOT NULL,
    price_cents       bigint,
    copied_from       bigint REFERENCES orders (id),
    check_in_photo    text,
    check_in_sha256   text,
    completion_photo  text,
    completion_sha256 text,
    reason            text,
    created_at        timestamptz NOT NULL,
    updated_at        timestamptz NOT NULL,
    CHECK (status NOT IN ('assigned', 'active') OR worker_id IS NOT NULL)
);
CREATE FUNCTION orders_next_id() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.id IS NULL THEN
        NEW.id := coalesce((SELECT max(id) FROM orders), 0) + 1;
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER orders_next_id BEFORE INSERT ON orders FOR EACH ROW EXECUTE FUNCTION orders_next_id();
CREATE INDEX orders_client ON orders (client_id);
CREATE INDEX orders_worker ON orders (worker_id) WHERE worker_id IS NOT NULL;
CREATE INDEX orders_status_time ON orders (status, scheduled_at);

-- Events ------------------------------------------------------------------------------------
CREATE TABLE events (
    seq            bigint PRIMARY KEY,
    at             timestamptz NOT NULL,
    actor_id       bigint REFERENCES accounts (id),
    type           text   NOT NULL,
    version        bigint NOT NULL,
    order_id       bigint,
    payload        text   NOT NULL,
    application_id bigint,
    recorded_at    timestamptz
);
CREATE FUNCTION events_next_id() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.seq IS NULL THEN
        NEW.seq := coalesce((SELECT max(seq) FROM events), 0) + 1;
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER events_next_id BEFORE INSERT ON events FOR EACH ROW EXECUTE FUNCTION events_next_id();
CREATE INDEX events_order ON events (order_id) WHERE order_id IS NOT NULL;
CREATE INDEX events_application ON events (application_id) WHERE application_id IS NOT NULL;
CREATE INDEX events_at ON events (at);
CREATE INDEX events_type ON events (type, seq);
CREATE TRIGGER events_are_never_updated BEFORE UPDATE OR DELETE ON events
    FOR EACH ROW EXECUTE FUNCTION crew_refuse('the event log is append-only');
CREATE TRIGGER events_are_never_truncated BEFORE TRUNCATE ON events
    FOR EACH STATEMENT EXECUTE FUNCTION crew_refuse('the event log is append-only');

CREATE TABLE subscriptions (
    name     text   PRIMARY KEY,
    position bigint NOT NULL
);
-- As SQLite's migrations 0003, 0010, 0012 and 0017 leave a new database.
INSERT INTO subscriptions (name, position)
VALUES ('mail.notifications', 0), ('billing.ledger', 0), ('supplies.kits', 0), ('bets.pools', 0);

CREATE TABLE clock_policy (
    id     bigint PRIMARY KEY CHECK (id = 1),
    policy text   NOT NULL CHECK (policy IN ('system', 'chosen'))
);

CREATE TABLE installation (
    id  bigint PRIMARY KEY CHECK (id = 1),
    key text   NOT NULL CHECK (key ~ '^[0-9a-f]{16}$')
);
-- 16 hex digits from PostgreSQL's cryptographic random generator, made once per database.
INSERT INTO installation (id, key) VALUES (1, substr(replace(gen_random_uuid()::text, '-', ''), 1, 16));
CREATE TRIGGER installation_key_never_changes BEFORE UPDATE OR DELETE ON installation
    FOR EACH ROW EXECUTE FUNCTION crew_refuse('the installation key never changes');
CREATE TRIGGER installation_key_never_truncated BEFORE TRUNCATE ON installation
    FOR EACH STATEMENT EXECUTE FUNCTION crew_refuse('the installation key never changes');

-- Settings ----------------------------------------------------------------------------------
CREATE TABLE settings (
    key        text PRIMARY KEY,
    value      text NOT NULL,
    changed_at timestamptz NOT NULL,
    changed_by bigint REFERENCES accounts (id)
);

CREATE TABLE settings_steps (
    name            text   PRIMARY KEY,
    program         text   NOT NULL,
    args            text   NOT NULL,
    files           text   NOT NULL,
    timeout_seconds bigint NOT NULL CHECK (timeout_seconds BETWEEN 1 AND 3600),
    approved_at     timestamptz NOT NULL,
    approved_by     bigint REFERENCES accounts (id)
);

-- Matching ----------------------------------------------------------------------------------
CREATE TABLE matching_workers (
    worker_id bigint PRIMARY KEY REFERENCES accounts (id),
    zone      text   NOT NULL,
    skills    text   NOT NULL,
    capacity  bigint NOT NULL CHECK (capacity >= 1),
    rating    bigint NOT NULL CHECK (rating BETWEEN 0 AND 100),
    status    text   NOT NULL CHECK (status IN ('active', 'suspended', 'deactivated')),
    hired_at  timestamptz NOT NULL
);
CREATE INDEX matching_workers_zone ON matching_workers (zone);

CREATE TABLE matching_orders (
    order_id         bigint PRIMARY KEY,
    client_id        bigint NOT NULL,
    service_type     text   NOT NULL,
    skills           text   NOT NULL,
    zone             text   NOT NULL,
    scheduled_at     timestamptz NOT NULL,
    status           text   NOT NULL CHECK (status IN ('open','assigned','active','completed','failed','cancelled')),
    worker_id        bigint,
    duration_minutes bigint NOT NULL DEFAULT 60 CHECK (duration_minutes BETWEEN 1 AND 1440),
    buffer_minutes   bigint NOT NULL DEFAULT 0 CHECK (buffer_minutes BETWEEN 0 AND 1440)
);
CREATE INDEX matching_orders_open ON matching_orders (status, scheduled_at);
CREATE INDEX matching_orders_worker ON matching_orders (worker_id, status) WHERE worker_id IS NOT NULL;
CREATE INDEX matching_orders_held ON matching_orders (worker_id, scheduled_at) WHERE status IN ('assigned', 'active');

CREATE TABLE matching_outcomes (
    worker_id bigint NOT NULL,
    client_id bigint NOT NULL,
    completed bigint NOT NULL CHECK (completed >= 0),
    failed    bigint NOT NULL CHECK (failed >= 0),
    PRIMARY KEY (worker_id, client_id)
);

CREATE TABLE matching_hours (
    worker_id bigint PRIMARY KEY REFERENCES matching_workers (worker_id),
    hours     text   NOT NULL
);

CREATE TABLE matching_time_off (
    id        bigint PRIMARY KEY,
    worker_id bigint NOT NULL REFERENCES matching_workers (worker_id),
    starts_at timestamptz NOT NULL,
    ends_at   timestamptz NOT NULL,
    reason    text   NOT NULL,
    CHECK (starts_at < ends_at)
);
CREATE FUNCTION matching_time_off_next_id() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.id IS NULL THEN
        NEW.id := greatest((SELECT seq FROM id_counters WHERE name = 'matching_time_off'), (SELECT max(id) FROM matching_time_off), 0) + 1;
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER matching_time_off_next_id BEFORE INSERT ON matching_time_off FOR EACH ROW EXECUTE FUNCTION matching_time_off_next_id();
-- The highest id is remembered when a row goes, so it is never given again.
CREATE FUNCTION matching_time_off_keep_id() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO id_counters (name, seq) VALUES ('matching_time_off', OLD.id)
        ON CONFLICT (name) DO UPDATE SET seq = greatest(id_counters.seq, excluded.seq);
    RETURN OLD;
END
$$;
CREATE TRIGGER matching_time_off_keep_id AFTER DELETE ON matching_time_off FOR EACH ROW EXECUTE FUNCTION matching_time_off_keep_id();
CREATE INDEX matching_time_off_by_end ON matching_time_off (ends_at);
CREATE INDEX matching_time_off_by_worker ON matching_time_off (worker_id, starts_at);

-- Mail --------------------------------------------------------------------------------------
CREATE TABLE outbox (
    id              bigint  PRIMARY KEY,
    cause           text    NOT NULL UNIQUE,
    recipient       text    NOT NULL,
    subject         text    NOT NULL,
    body            text    NOT NULL,
    status          text    NOT NULL CHECK (status IN ('queued', 'sent', 'dead')),
    attempts        bigint  NOT NULL CHECK (attempts >= 0),
    next_attempt_at timestamptz NOT NULL,
    last_error      text,
    created_at      timestamptz NOT NULL,
    sent_at         timestamptz,
    activation_for  bigint REFERENCES accounts (id),
    priority        bigint  NOT NULL DEFAULT 0 CHECK (priority IN (0, 1))
);
CREATE FUNCTION outbox_next_id() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.id IS NULL THEN
        NEW.id := coalesce((SELECT max(id) FROM outbox), 0) + 1;
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER outbox_next_id BEFORE INSERT ON outbox FOR EACH ROW EXECUTE FUNCTION outbox_next_id();
CREATE INDEX outbox_queue ON outbox (priority, id) WHERE status = 'queued';

CREATE TABLE intake_hours (
    hour     timestamptz PRIMARY KEY,
    received bigint NOT NULL CHECK (received >= 0),
    updated  bigint NOT NULL CHECK (updated >= 0)
);

-- Hiring ------------------------------------------------------------------------------------
CREATE TABLE hiring_tests (
    id         bigint  PRIMARY KEY,
    version    bigint  NOT NULL CHECK (version >= 1),
    deleted    boolean NOT NULL,
    created_at timestamptz NOT NULL
);
CREATE FUNCTION hiring_tests_next_id() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.id IS NULL THEN
        NEW.id := coalesce((SELECT max(id) FROM hiring_tests), 0) + 1;
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER hiring_tests_next_id BEFORE INSERT ON hiring_tests FOR EACH ROW EXECUTE FUNCTION hiring_tests_next_id();

CREATE TABLE hiring_test_versions (
    test_id    bigint NOT NULL REFERENCES hiring_tests (id),
    version    bigint NOT NULL,
    spec       text   NOT NULL,
    created_at timestamptz NOT NULL,
    PRIMARY KEY (test_id, version)
);

CREATE TABLE hiring_sets (
    id          bigint PRIMARY KEY,
    name        text   NOT NULL UNIQUE,
    description text   NOT NULL,
    tests       text   NOT NULL,
    created_at  timestamptz NOT NULL
);
CREATE FUNCTION hiring_sets_next_id() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.id IS NULL THEN
        NEW.id := coalesce((SELECT max(id) FROM hiring_sets), 0) + 1;
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER hiring_sets_next_id BEFORE INSERT ON hiring_sets FOR EACH ROW EXECUTE FUNCTION hiring_sets_next_id();

CREATE TABLE applications (
    id         bigint PRIMARY KEY,
    email      text   NOT NULL UNIQUE,
    candidate  text   NOT NULL,
    status     text   NOT NULL CHECK (status IN ('applied', 'tests_assigned', 'tests_submitted', 'accepted', 'rejected')),
    set_id     bigint REFERENCES hiring_sets (id),
    tests      text   NOT NULL,
    score      bigint,
    max_score  bigint,
    passed     boolean,
    reason     text,
    created_at timestamptz NOT NULL,
    updated_at timestamptz NOT NULL
);
CREATE FUNCTION applications_next_id() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.id IS NULL THEN
        NEW.id := coalesce((SELECT max(id) FROM applications), 0) + 1;
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER applications_next_id BEFORE INSERT ON applications FOR EACH ROW EXECUTE FUNCTION applications_next_id();
CREATE INDEX applications_status ON applications (status);
CREATE INDEX applications_set ON applications (set_id) WHERE set_id IS NOT NULL;

-- Billing -----------------------------------------------------------------------------------
CREATE TABLE billing_entries (
    seq      bigint PRIMARY KEY,
    id       text   NOT NULL UNIQUE,
    kind     text   NOT NULL CHECK (kind IN ('charge', 'earning', 'fine', 'award', 'reversal', 'collection', 'payout',
                                             'stake', 'bet_settlement')),
    at       timestamptz NOT NULL,
    order_id bigint REFERENCES orders (id),
    cause    bigint REFERENCES events (seq),
    actor    bigint REFERENCES accounts (id),
    memo     text   NOT NULL
);
CREATE FUNCTION billing_entries_next_id() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.seq IS NULL THEN
        NEW.seq := coalesce((SELECT max(seq) FROM billing_entries), 0) + 1;
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER billing_entries_next_id BEFORE INSERT ON billing_entries FOR EACH ROW EXECUTE FUNCTION billing_entries_next_id();
CREATE INDEX billing_entries_at ON billing_entries (at, seq);
CREATE INDEX billing_entries_order ON billing_entries (order_id) WHERE order_id IS NOT NULL;
CREATE TRIGGER billing_entries_are_never_changed BEFORE UPDATE OR DELETE ON billing_entries
    FOR EACH ROW EXECUTE FUNCTION crew_refuse('ledger entries are immutable: post a reversal');
CREATE TRIGGER billing_entries_are_never_truncated BEFORE TRUNCATE ON billing_entries
    FOR EACH STATEMENT EXECUTE FUNCTION crew_refuse('ledger entries are immutable: post a reversal');

CREATE TABLE billing_postings (
    entry_seq bigint NOT NULL REFERENCES billing_entries (seq),
    line      bigint NOT NULL CHECK (line >= 1),
    account   text   NOT NULL,
    amount    bigint NOT NULL CHECK (amount <> 0),
    PRIMARY KEY (entry_seq, line),
    UNIQUE (entry_seq, account)
);
CREATE INDEX billing_postings_account ON billing_postings (account, entry_seq);
CREATE TRIGGER billing_postings_are_never_changed BEFORE UPDATE OR DELETE ON billing_postings
    FOR EACH ROW EXECUTE FUNCTION crew_refuse('ledger postings are immutable: post a reversal');
CREATE TRIGGER billing_postings_are_never_truncated BEFORE TRUNCATE ON billing_postings
    FOR EACH STATEMENT EXECUTE FUNCTION crew_refuse('ledger postings are immutable: post a reversal');

CREATE TABLE billing_balances (
    account text   PRIMARY KEY,
    debits  bigint NOT NULL CHECK (debits >= 0),
    credits bigint NOT NULL CHECK (credits >= 0)
);

-- `seq` is the order periods were closed in (SQLite's rowid): `closed_periods` lists them by
-- `closed_at`, then by it.
CREATE TABLE billing_periods (
    seq       bigint UNIQUE,
    cycle     text   NOT NULL CHECK (cycle IN ('client', 'worker', 'manager')),
    period    text   NOT NULL,
    until     timestamptz NOT NULL,
    closed_at timestamptz NOT NULL,
    closed_by bigint REFERENCES accounts (id),
    invoices  bigint NOT NULL CHECK (invoices >= 0),
    total     bigint NOT NULL,
    PRIMARY KEY (cycle, period)
);
CREATE FUNCTION billing_periods_next_id() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.seq IS NULL THEN
        NEW.seq := coalesce((SELECT max(seq) FROM billing_periods), 0) + 1;
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER billing_periods_next_id BEFORE INSERT ON billing_periods FOR EACH ROW EXECUTE FUNCTION billing_periods_next_id();
CREATE TRIGGER billing_periods_are_never_changed BEFORE UPDATE OR DELETE ON billing_periods
    FOR EACH ROW EXECUTE FUNCTION crew_refuse('a closed period never changes');
CREATE TRIGGER billing_periods_are_never_truncated BEFORE TRUNCATE ON billing_periods
    FOR EACH STATEMENT EXECUTE FUNCTION crew_refuse('a closed period never changes');

CREATE TABLE billing_invoices (
    number    bigint PRIMARY KEY CHECK (number >= 1),
    cycle     text   NOT NULL CHECK (cycle IN ('client', 'worker', 'manager')),
    holder    bigint NOT NULL REFERENCES accounts (id),
    period    text   NOT NULL,
    amount    bigint NOT NULL CHECK (amount > 0),
    entries   bigint NOT NULL CHECK (entries >= 0),
    issued_at timestamptz NOT NULL,
    status    text   NOT NULL CHECK (status IN ('issued', 'paid', 'failed')),
    UNIQUE (cycle, holder, period)
);
CREATE TRIGGER billing_invoices_are_never_deleted BEFORE DELETE ON billing_invoices
    FOR EACH ROW EXECUTE FUNCTION crew_refuse('invoices are never deleted');
CREATE TRIGGER billing_invoices_are_never_truncated BEFORE TRUNCATE ON billing_invoices
    FOR EACH STATEMENT EXECUTE FUNCTION crew_refuse('invoices are never deleted');
CREATE TRIGGER billing_invoices_keep_their_content
    BEFORE UPDATE OF number, cycle, holder, period, amount, entries, issued_at ON billing_invoices
    FOR EACH ROW EXECUTE FUNCTION crew_refuse('an invoice only changes its status');

CREATE TABLE billing_invoice_entries (
    invoice   bigint NOT NULL REFERENCES billing_invoices (number),
    entry_seq bigint NOT NULL UNIQUE REFERENCES billing_entries (seq),
    PRIMARY KEY (invoice, entry_seq)
);
CREATE TRIGGER billing_invoice_entries_are_never_changed BEFORE UPDATE OR DELETE ON billing_invoice_entries
    FOR EACH ROW EXECUTE FUNCTION crew_refuse('an invoice''s entries never change');
CREATE TRIGGER billing_invoice_entries_are_never_truncated BEFORE TRUNCATE ON billing_invoice_entries
    FOR EACH STATEMENT EXECUTE FUNCTION crew_refuse('an invoice''s entries never change');

CREATE TABLE billing_payments (
    id         bigint PRIMARY KEY,
    kind       text   NOT NULL CHECK (kind IN ('collection', 'payout')),
    invoice    bigint NOT NULL REFERENCES billing_invoices (number),
    retry      bigint NOT NULL DEFAULT 0 CHECK (retry >= 0),
    holder     bigint NOT NULL REFERENCES accounts (id),
    amount     bigint NOT NULL CHECK (amount > 0),
    method     text   NOT NULL,
    key        text   NOT NULL UNIQUE,
    status     text   NOT NULL CHECK (status IN ('reserved', 'submitted', 'confirmed', 'failed', 'unknown')),
    attempts   bigint NOT NULL CHECK (attempts >= 0),
    service_id text,
    note       text,
    updated_at timestamptz NOT NULL,
    UNIQUE (invoice, retry)
);
CREATE FUNCTION billing_payments_next_id() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.id IS NULL THEN
        NEW.id := coalesce((SELECT max(id) FROM billing_payments), 0) + 1;
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER billing_payments_next_id BEFORE INSERT ON billing_payments FOR EACH ROW EXECUTE FUNCTION billing_payments_next_id();
CREATE INDEX billing_payments_open ON billing_payments (status) WHERE status IN ('reserved', 'submitted', 'unknown');
CREATE TRIGGER billing_payments_keep_their_key
    BEFORE UPDATE OF kind, invoice, retry, holder, amount, method, key ON billing_payments
    FOR EACH ROW EXECUTE FUNCTION crew_refuse('a payment keeps its invoice, amount and key');
CREATE TRIGGER billing_payments_are_never_deleted BEFORE DELETE ON billing_payments
    FOR EACH ROW EXECUTE FUNCTION crew_refuse('payments are never deleted');
CREATE TRIGGER billing_payments_are_never_truncated BEFORE TRUNCATE ON billing_payments
    FOR EACH STATEMENT EXECUTE FUNCTION crew_refuse('payments are never deleted');

-- Supplies ----------------------------------------------------------------------------------
CREATE TABLE supplies_boms (
    service_type text   NOT NULL,
    item         text   NOT NULL,
    quantity     bigint NOT NULL CHECK (quantity > 0),
    position     bigint NOT NULL,
    PRIMARY KEY (service_type, item)
);

CREATE TABLE supplies_stock (
    item     text   PRIMARY KEY,
    on_hand  bigint NOT NULL CHECK (on_hand >= 0),
    reserved bigint NOT NULL CHECK (reserved >= 0),
    CHECK (reserved <= on_hand)
);

CREATE TABLE supplies_kits (
    kit_id       bigint PRIMARY KEY,
    order_id     bigint NOT NULL REFERENCES orders (id),
    client_id    bigint NOT NULL REFERENCES accounts (id),
    worker_id    bigint REFERENCES accounts (id),
    service_type text   NOT NULL,
    zone         text   NOT NULL,
    scheduled_at timestamptz NOT NULL,
    lines        text   NOT NULL,
    status       text   NOT NULL CHECK (status IN ('open', 'issued', 'cancelled')),
    cookie_key   text   NOT NULL UNIQUE,
    cookie       text   NOT NULL,
    opened_at    timestamptz NOT NULL,
    issued_at    timestamptz,
    updated_at   timestamptz NOT NULL,
    CHECK (status <> 'issued' OR worker_id IS NOT NULL)
);
CREATE FUNCTION supplies_kits_next_id() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.kit_id IS NULL THEN
        NEW.kit_id := greatest((SELECT seq FROM id_counters WHERE name = 'supplies_kits'), (SELECT max(kit_id) FROM supplies_kits), 0) + 1;
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER supplies_kits_next_id BEFORE INSERT ON supplies_kits FOR EACH ROW EXECUTE FUNCTION supplies_kits_next_id();
-- The highest id is remembered when a row goes, so it is never given again.
CREATE FUNCTION supplies_kits_keep_id() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO id_counters (name, seq) VALUES ('supplies_kits', OLD.kit_id)
        ON CONFLICT (name) DO UPDATE SET seq = greatest(id_counters.seq, excluded.seq);
    RETURN OLD;
END
$$;
CREATE TRIGGER supplies_kits_keep_id AFTER DELETE ON supplies_kits FOR EACH ROW EXECUTE FUNCTION supplies_kits_keep_id();
CREATE INDEX supplies_kits_order ON supplies_kits (order_id);
CREATE INDEX supplies_kits_status ON supplies_kits (status, scheduled_at);
CREATE UNIQUE INDEX supplies_kits_open ON supplies_kits (order_id) WHERE status = 'open';

-- Quality -----------------------------------------------------------------------------------
CREATE TABLE quality_orders (
    order_id      bigint PRIMARY KEY REFERENCES orders (id),
    client_id     bigint NOT NULL REFERENCES accounts (id),
    worker_id     bigint REFERENCES accounts (id),
    ending        text   NOT NULL CHECK (ending IN ('open', 'completed', 'failed', 'cancelled')),
    assigned_at   timestamptz,
    checked_in_at timestamptz,
    finished_at   timestamptz
);
CREATE INDEX quality_orders_worker ON quality_orders (worker_id) WHERE worker_id IS NOT NULL;

CREATE TABLE quality_cases (
    order_id  bigint  PRIMARY KEY REFERENCES orders (id),
    client_id bigint  NOT NULL REFERENCES accounts (id),
    worker_id bigint  REFERENCES accounts (id),
    reason    text    NOT NULL CHECK (reason IN ('cancelled', 'failed', 'sampled')),
    queued_at timestamptz NOT NULL,
    reviewed  boolean NOT NULL
);

CREATE TABLE quality_reviews (
    order_id    bigint PRIMARY KEY REFERENCES quality_cases (order_id),
    client_id   bigint NOT NULL REFERENCES accounts (id),
    worker_id   bigint REFERENCES accounts (id),
    verdict     text   NOT NULL CHECK (verdict IN ('praise', 'fine', 'fault', 'serious')),
    cause       text   NOT NULL,
    hypothesis  text   NOT NULL,
    revision    bigint NOT NULL CHECK (revision >= 1),
    reviewer_id bigint NOT NULL REFERENCES accounts (id),
    reviewed_at timestamptz NOT NULL
);

CREATE TABLE quality_hypothesis_closures (
    key        text   PRIMARY KEY,
    hypothesis text   NOT NULL,
    reason     text   NOT NULL,
    closed_by  bigint NOT NULL REFERENCES accounts (id),
    closed_at  timestamptz NOT NULL,
    reviews    text   NOT NULL CHECK ((reviews::jsonb) IS NOT NULL)
);

-- Bets --------------------------------------------------------------------------------------
CREATE TABLE bets (
    id         bigint PRIMARY KEY,
    order_id   bigint NOT NULL REFERENCES orders (id),
    manager_id bigint NOT NULL REFERENCES accounts (id),
    outcome    text   NOT NULL CHECK (outcome IN ('completed', 'cancelled', 'failed')),
    stake      bigint NOT NULL CHECK (stake > 0),
    placed_at  timestamptz NOT NULL
);
CREATE FUNCTION bets_next_id() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.id IS NULL THEN
        NEW.id := coalesce((SELECT max(id) FROM bets), 0) + 1;
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER bets_next_id BEFORE INSERT ON bets FOR EACH ROW EXECUTE FUNCTION bets_next_id();
CREATE INDEX bets_by_order ON bets (order_id, id);
CREATE INDEX bets_by_manager ON bets (manager_id, id);
CREATE TRIGGER bets_are_never_changed BEFORE UPDATE ON bets
    FOR EACH ROW EXECUTE FUNCTION crew_refuse('a bet never changes');
CREATE TRIGGER bets_are_never_deleted BEFORE DELETE ON bets
    FOR EACH ROW EXECUTE FUNCTION crew_refuse('a bet is never deleted');
CREATE TRIGGER bets_are_never_truncated BEFORE TRUNCATE ON bets
    FOR EACH STATEMENT EXECUTE FUNCTION crew_refuse('a bet is never deleted');

CREATE TABLE bet_books (
    order_id   bigint PRIMARY KEY REFERENCES orders (id),
    closed_at  timestamptz,
    closed_by  bigint REFERENCES accounts (id),
    outcome    text CHECK (outcome IN ('completed', 'cancelled', 'failed')),
    settled_at timestamptz,
    CHECK ((outcome IS NULL) = (settled_at IS NULL))
);
CREATE TRIGGER bet_books_are_never_deleted BEFORE DELETE ON bet_books
    FOR EACH ROW EXECUTE FUNCTION crew_refuse('a bet book is never deleted');
CREATE TRIGGER bet_books_are_never_truncated BEFORE TRUNCATE ON bet_books
    FOR EACH STATEMENT EXECUTE FUNCTION crew_refuse('a bet book is never deleted');
