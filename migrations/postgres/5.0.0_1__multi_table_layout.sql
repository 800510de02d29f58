-- v5 splits the single v4 table into one table per kind. Service names become kebab-case
-- (filesystem_mcp -> filesystem-mcp); a service's v4 fields stay in services.config, so the guide's
-- `config->>'orchestrator'` still reads them. Rows of kinds v5 does not know go to legacy_records:
-- nothing is dropped. The copy runs in keyset batches of 10,000 (resumable; small enough that a batch stays in work_mem); the old table goes last.

-- migrate:up
CREATE TABLE services (
    id          BIGINT PRIMARY KEY,
    name        VARCHAR(255) NOT NULL UNIQUE,
    type        VARCHAR(32)  NOT NULL DEFAULT 'mcp',
    image       TEXT,
    config      JSONB        NOT NULL DEFAULT '{}',
    status      VARCHAR(32)  NOT NULL DEFAULT 'stopped',
    created_at  TIMESTAMP    NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at  TIMESTAMP    NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE TABLE users (
    id          BIGINT PRIMARY KEY,
    username    VARCHAR(255) NOT NULL UNIQUE,
    email       VARCHAR(255),
    role        VARCHAR(32)  NOT NULL DEFAULT 'user',
    created_at  TIMESTAMP    NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE TABLE api_keys (
    id          BIGINT PRIMARY KEY,
    name        VARCHAR(255) NOT NULL,
    owner       VARCHAR(255),
    key_hash    VARCHAR(128),
    scopes      JSONB        NOT NULL DEFAULT '[]',
    created_at  TIMESTAMP    NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE TABLE settings (
    id          BIGINT PRIMARY KEY,
    key         VARCHAR(255) NOT NULL UNIQUE,
    value       JSONB,
    updated_at  TIMESTAMP    NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE TABLE audit_events (
    id          BIGINT PRIMARY KEY,
    service     VARCHAR(255),
    action      VARCHAR(64)  NOT NULL,
    actor       VARCHAR(255),
    details     JSONB        NOT NULL DEFAULT '{}',
    created_at  TIMESTAMP    NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE TABLE legacy_records (
    id          BIGINT PRIMARY KEY,
    kind        VARCHAR(32)  NOT NULL,
    name        VARCHAR(255) NOT NULL,
    data        JSONB        NOT NULL DEFAULT '{}',
    created_at  TIMESTAMP    NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at  TIMESTAMP    NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- migrate:up batch size:10000
-- $1 = the last id copied (NULL at the start), $2 = the batch size; returns the batch's last id and row count.
WITH batch AS (
    SELECT * FROM platform_data
    WHERE id > COALESCE($1::bigint, -1)
    ORDER BY id
    LIMIT $2
), s AS (
    INSERT INTO services (id, name, type, image, config, status, created_at, updated_at)
    SELECT id, replace(name, '_', '-'), COALESCE(data->>'type', 'mcp'), data->>'image', data,
           COALESCE(data->>'status', 'stopped'), created_at, updated_at
    FROM batch WHERE kind = 'service'
), u AS (
    INSERT INTO users (id, username, email, role, created_at)
    SELECT id, name, data->>'email', COALESCE(data->>'role', 'user'), created_at
    FROM batch WHERE kind = 'user'
), k AS (
    INSERT INTO api_keys (id, name, owner, key_hash, scopes, created_at)
    SELECT id, name, data->>'owner', data->>'key_hash', COALESCE(data->'scopes', '[]'), created_at
    FROM batch WHERE kind = 'api_key'
), st AS (
    INSERT INTO settings (id, key, value, updated_at)
    SELECT id, name, data->'value', updated_at
    FROM batch WHERE kind = 'setting'
), e AS (
    INSERT INTO audit_events (id, service, action, actor, details, created_at)
    SELECT id, replace(data->>'service', '_', '-'), name, data->>'actor', COALESCE(data->'details', '{}'), created_at
    FROM batch WHERE kind = 'event'
), l AS (
    INSERT INTO legacy_records (id, kind, name, data, created_at, updated_at)
    SELECT id, kind, name, data, created_at, updated_at
    FROM batch WHERE kind NOT IN ('service', 'user', 'api_key', 'setting', 'event')
)
SELECT max(id) AS last, count(*) AS n FROM batch;

-- migrate:up
CREATE INDEX idx_audit_events_service_created ON audit_events (service, created_at);
CREATE INDEX idx_api_keys_owner ON api_keys (owner);
DROP TABLE platform_data;

-- migrate:down
-- Also undoes a partial run (tables created, some batches copied, platform_data still there).
CREATE TABLE IF NOT EXISTS platform_data (
    id          BIGSERIAL PRIMARY KEY,
    kind        VARCHAR(32)  NOT NULL,
    name        VARCHAR(255) NOT NULL,
    data        JSONB        NOT NULL DEFAULT '{}',
    created_at  TIMESTAMP    NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at  TIMESTAMP    NOT NULL DEFAULT CURRENT_TIMESTAMP
);
INSERT INTO platform_data (id, kind, name, data, created_at, updated_at)
    SELECT id, 'service', replace(name, '-', '_'), config, created_at, updated_at FROM services
    ON CONFLICT (id) DO NOTHING;
INSERT INTO platform_data (id, kind, name, data, created_at, updated_at)
    SELECT id, 'user', username, jsonb_strip_nulls(jsonb_build_object('email', email, 'role', role)), created_at, created_at FROM users
    ON CONFLICT (id) DO NOTHING;
INSERT INTO platform_data (id, kind, name, data, created_at, updated_at)
    SELECT id, 'api_key', name, jsonb_strip_nulls(jsonb_build_object('owner', owner, 'key_hash', key_hash, 'scopes', scopes)), created_at, created_at FROM api_keys
    ON CONFLICT (id) DO NOTHING;
INSERT INTO platform_data (id, kind, name, data, created_at, updated_at)
    SELECT id, 'setting', key, jsonb_build_object('value', value), updated_at, updated_at FROM settings
    ON CONFLICT (id) DO NOTHING;
INSERT INTO platform_data (id, kind, name, data, created_at, updated_at)
    SELECT id, 'event', action, jsonb_strip_nulls(jsonb_build_object('service', replace(service, '-', '_'), 'actor', actor, 'details', details)), created_at, created_at FROM audit_events
    ON CONFLICT (id) DO NOTHING;
INSERT INTO platform_data (id, kind, name, data, created_at, updated_at)
    SELECT id, kind, name, data, created_at, updated_at FROM legacy_records
    ON CONFLICT (id) DO NOTHING;
SELECT setval(pg_get_serial_sequence('platform_data', 'id'), GREATEST((SELECT max(id) FROM platform_data), 1));
CREATE INDEX IF NOT EXISTS idx_platform_data_kind_name ON platform_data (kind, name);
DROP TABLE IF EXISTS legacy_records;
DROP TABLE IF EXISTS audit_events;
DROP TABLE IF EXISTS settings;
DROP TABLE IF EXISTS api_keys;
DROP TABLE IF EXISTS users;
DROP TABLE IF EXISTS services;
