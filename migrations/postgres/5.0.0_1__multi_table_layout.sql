-- v5 splits the single v4 table into one table per kind, losing nothing (docs/database.md maps every field):
--  * a v4 key with a column of its own goes there when the column holds its value exactly (a JSON string
--    for a text column; any JSON value for a JSONB column); every other key, and a known key whose value
--    the column cannot hold (a number where text is expected, a JSON null), stays in the row's `attributes`;
--  * service names become kebab-case (filesystem_mcp -> filesystem-mcp); a name that would not come back
--    the same way is kept in services.v4_name; a service's whole v4 document stays in services.config,
--    so the guide's `config->>'orchestrator'` still reads it;
--  * ids and both timestamps are kept; rows of other kinds, or whose data is not a JSON object, go to
--    legacy_records whole.
-- The records section below reads these tables back as v4 records: the down section restores exactly
-- that, and the verify step compares it with the snapshot the engine takes before the run, so the v4
-- table is dropped only once every record is proven the same. The copy runs in keyset batches of
-- 10,000 (resumable). A database made with the guide's SQL (from:guide) keeps its services table and
-- gets the other v5 tables.
-- layout: v5

-- migrate:up check from:v4
-- what the v5 tables cannot hold, found before anything changes (each row: one problem)
SELECT format('%s row(s) of %s have no usable id (NULL or the smallest bigint; e.g. kind %s, name %s): give every row an id', count(*), {{legacy_table_literal}}, min(kind), min(name))
FROM {{legacy_table}} WHERE id IS NULL OR id = '-9223372036854775808'::bigint HAVING count(*) > 0;
SELECT format('id %s is used by %s rows of %s: ids become primary keys in v5, make them unique', id, count(*), {{legacy_table_literal}})
FROM {{legacy_table}} WHERE id IS NOT NULL GROUP BY id HAVING count(*) > 1 ORDER BY id LIMIT 20;
SELECT format('row id %s of %s has no %s: the v4 layout requires it', id, {{legacy_table_literal}},
              concat_ws(', ', CASE WHEN kind IS NULL THEN 'kind' END, CASE WHEN name IS NULL THEN 'name' END, CASE WHEN data IS NULL THEN 'data' END,
                        CASE WHEN created_at IS NULL THEN 'created_at' END, CASE WHEN updated_at IS NULL THEN 'updated_at' END))
FROM {{legacy_table}} WHERE kind IS NULL OR name IS NULL OR data IS NULL OR created_at IS NULL OR updated_at IS NULL ORDER BY id LIMIT 20;
SELECT format('row id %s of %s: kind is %s characters long (at most 32) or name %s (at most 255)', id, {{legacy_table_literal}}, length(kind), length(name))
FROM {{legacy_table}} WHERE length(kind) > 32 OR length(name) > 255 ORDER BY id LIMIT 20;
SELECT format('services %s all become %s in v5, where service names are unique: rename all but one', string_agg(quote_literal(name), ', ' ORDER BY id), quote_literal(replace(name, '_', '-')))
FROM {{legacy_table}} WHERE kind = 'service' AND jsonb_typeof(data) = 'object' GROUP BY replace(name, '_', '-') HAVING count(*) > 1 LIMIT 20;
SELECT format('%s rows %s share the name %s, which is unique in v5 (%s): keep one', kind, string_agg(id::text, ', ' ORDER BY id), quote_literal(name),
              CASE kind WHEN 'user' THEN 'users.username' ELSE 'settings.key' END)
FROM {{legacy_table}} WHERE kind IN ('user', 'setting') AND jsonb_typeof(data) = 'object' GROUP BY kind, name HAVING count(*) > 1 LIMIT 20;

-- migrate:up
CREATE TABLE users (
    id          BIGINT       PRIMARY KEY,
    username    VARCHAR(255) NOT NULL UNIQUE,
    email       TEXT,
    role        TEXT         DEFAULT 'user',
    attributes  JSONB        NOT NULL DEFAULT '{}',
    created_at  TIMESTAMP    NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at  TIMESTAMP    NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE TABLE api_keys (
    id          BIGINT       PRIMARY KEY,
    name        VARCHAR(255) NOT NULL,
    owner       TEXT,
    key_hash    TEXT,
    scopes      JSONB        DEFAULT '[]',
    attributes  JSONB        NOT NULL DEFAULT '{}',
    created_at  TIMESTAMP    NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at  TIMESTAMP    NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE TABLE settings (
    id          BIGINT       PRIMARY KEY,
    key         VARCHAR(255) NOT NULL UNIQUE,
    value       JSONB,
    attributes  JSONB        NOT NULL DEFAULT '{}',
    created_at  TIMESTAMP    NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at  TIMESTAMP    NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE TABLE audit_events (
    id          BIGINT       PRIMARY KEY,
    service     TEXT,
    action      VARCHAR(255) NOT NULL,
    actor       TEXT,
    details     JSONB        DEFAULT '{}',
    attributes  JSONB        NOT NULL DEFAULT '{}',
    created_at  TIMESTAMP    NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at  TIMESTAMP    NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE TABLE legacy_records (
    id          BIGINT       PRIMARY KEY,
    kind        VARCHAR(32)  NOT NULL,
    name        VARCHAR(255) NOT NULL,
    data        JSONB        NOT NULL DEFAULT '{}',
    created_at  TIMESTAMP    NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at  TIMESTAMP    NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX idx_audit_events_service_created ON audit_events (service, created_at);
CREATE INDEX idx_api_keys_owner ON api_keys (owner);

-- migrate:up from:v4
CREATE TABLE services (
    id          BIGINT       PRIMARY KEY,
    name        VARCHAR(255) NOT NULL UNIQUE,
    v4_name     VARCHAR(255),
    type        TEXT         NOT NULL DEFAULT 'mcp',
    image       TEXT,
    config      JSONB        NOT NULL DEFAULT '{}',
    status      TEXT         NOT NULL DEFAULT 'stopped',
    created_at  TIMESTAMP    NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at  TIMESTAMP    NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- migrate:up batch size:10000 from:v4
-- $1 = the last id copied (NULL at the start), $2 = the batch size; returns the batch's last id and row count.
WITH batch AS (
    SELECT r.id, r.kind, r.name, r.data, r.created_at, r.updated_at,
           CASE WHEN r.kind IN ('service', 'user', 'api_key', 'setting', 'event') AND jsonb_typeof(r.data) = 'object'
                THEN r.kind ELSE 'legacy' END AS route
    FROM {{legacy_table}} r
    WHERE r.id > COALESCE($1::bigint, '-9223372036854775808'::bigint)
    ORDER BY r.id
    LIMIT $2
), s AS (
    INSERT INTO services (id, name, v4_name, type, image, config, status, created_at, updated_at)
    SELECT id, replace(name, '_', '-'), CASE WHEN strpos(name, '-') > 0 THEN name END,
           COALESCE(data->>'type', 'mcp'), data->>'image', data, COALESCE(data->>'status', 'stopped'), created_at, updated_at
    FROM batch WHERE route = 'service'
), u AS (
    INSERT INTO users (id, username, email, role, attributes, created_at, updated_at)
    SELECT id, name,
           CASE WHEN jsonb_typeof(data->'email') = 'string' THEN data->>'email' END,
           CASE WHEN jsonb_typeof(data->'role') = 'string' THEN data->>'role' END,
           data - array_remove(ARRAY[CASE WHEN jsonb_typeof(data->'email') = 'string' THEN 'email' END,
                                     CASE WHEN jsonb_typeof(data->'role') = 'string' THEN 'role' END]::text[], NULL),
           created_at, updated_at
    FROM batch WHERE route = 'user'
), k AS (
    INSERT INTO api_keys (id, name, owner, key_hash, scopes, attributes, created_at, updated_at)
    SELECT id, name,
           CASE WHEN jsonb_typeof(data->'owner') = 'string' THEN data->>'owner' END,
           CASE WHEN jsonb_typeof(data->'key_hash') = 'string' THEN data->>'key_hash' END,
           data->'scopes',
           data - array_remove(ARRAY[CASE WHEN jsonb_typeof(data->'owner') = 'string' THEN 'owner' END,
                                     CASE WHEN jsonb_typeof(data->'key_hash') = 'string' THEN 'key_hash' END,
                                     'scopes']::text[], NULL),
           created_at, updated_at
    FROM batch WHERE route = 'api_key'
), st AS (
    INSERT INTO settings (id, key, value, attributes, created_at, updated_at)
    SELECT id, name, data->'value', data - 'value', created_at, updated_at
    FROM batch WHERE route = 'setting'
), e AS (
    INSERT INTO audit_events (id, service, action, actor, details, attributes, created_at, updated_at)
    SELECT id,
           CASE WHEN jsonb_typeof(data->'service') = 'string' THEN replace(data->>'service', '_', '-') END,
           name,
           CASE WHEN jsonb_typeof(data->'actor') = 'string' THEN data->>'actor' END,
           data->'details',
           data - array_remove(ARRAY[CASE WHEN jsonb_typeof(data->'service') = 'string' AND strpos(data->>'service', '-') = 0 THEN 'service' END,
                                     CASE WHEN jsonb_typeof(data->'actor') = 'string' THEN 'actor' END,
                                     'details']::text[], NULL),
           created_at, updated_at
    FROM batch WHERE route = 'event'
), l AS (
    INSERT INTO legacy_records (id, kind, name, data, created_at, updated_at)
    SELECT id, kind, name, data, created_at, updated_at
    FROM batch WHERE route = 'legacy'
)
SELECT max(id) AS last, count(*) AS n FROM batch;

-- migrate:up verify
-- every record of the new tables, read back as a v4 record, equals the snapshot taken before the run

-- migrate:up from:v4
DROP TABLE {{legacy_table}};

-- migrate:down check
SELECT format('id %s is used by %s records (%s): the v4 table holds each id once; give all but one another id', id, count(*), string_agg(tbl, ', '))
FROM ({{records}}) r GROUP BY id HAVING count(*) > 1 ORDER BY id LIMIT 20;

-- migrate:down check from:guide
-- the guide's layout has only its services table: rows added to the other tables since have nowhere to go
SELECT format('%s holds %s rows that the layout before 5.0 has no table for: back them up, then empty it', t, n)
FROM (SELECT 'users' AS t, count(*) AS n FROM users UNION ALL SELECT 'api_keys', count(*) FROM api_keys
      UNION ALL SELECT 'settings', count(*) FROM settings UNION ALL SELECT 'audit_events', count(*) FROM audit_events
      UNION ALL SELECT 'legacy_records', count(*) FROM legacy_records) c
WHERE n > 0;

-- migrate:down from:v4
-- also undoes a partial run (tables created, some batches copied, the v4 table still there: its rows are the originals)
CREATE TABLE IF NOT EXISTS {{legacy_table}} (
    id          BIGSERIAL PRIMARY KEY,
    kind        VARCHAR(32)  NOT NULL,
    name        VARCHAR(255) NOT NULL,
    data        JSONB        NOT NULL DEFAULT '{}',
    created_at  TIMESTAMP    NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at  TIMESTAMP    NOT NULL DEFAULT CURRENT_TIMESTAMP
);
INSERT INTO {{legacy_table}} (id, kind, name, data, created_at, updated_at)
    SELECT r.id, r.kind, r.name, r.data, r.created_at, r.updated_at FROM ({{records}}) r
    WHERE NOT EXISTS (SELECT 1 FROM {{legacy_table}} o WHERE o.id = r.id);
SELECT setval(pg_get_serial_sequence({{legacy_table_literal}}, 'id'), GREATEST((SELECT max(id) FROM {{legacy_table}}), 1));
CREATE INDEX IF NOT EXISTS {{legacy_index}} ON {{legacy_table}} (kind, name);

-- migrate:down verify

-- migrate:down
DROP TABLE IF EXISTS legacy_records;
DROP TABLE IF EXISTS audit_events;
DROP TABLE IF EXISTS settings;
DROP TABLE IF EXISTS api_keys;
DROP TABLE IF EXISTS users;

-- migrate:down from:v4
DROP TABLE IF EXISTS services;

-- migrate:records from:v4
-- services: the v4 document is config, the name as it was
SELECT 'services'::text AS tbl, id::bigint AS id, 'service'::text AS kind,
       (CASE WHEN v4_name IS NOT NULL AND name = replace(v4_name, '_', '-') THEN v4_name ELSE replace(name, '-', '_') END)::text AS name,
       config AS data, created_at, updated_at
FROM services

-- migrate:records from:guide
SELECT 'services'::text AS tbl, s.id::bigint AS id, 'service'::text AS kind, s.name::text AS name,
       to_jsonb(s) - 'id' - 'name' - 'deployment_type' - 'health_check_config' - 'replicas' - 'resources' - 'namespace' AS data,
       NULL::timestamp AS created_at, NULL::timestamp AS updated_at
FROM services s

-- migrate:records
-- a column wins when it holds a value (set by the migration or since); else the key kept in attributes, if any
SELECT 'users'::text AS tbl, id::bigint AS id, 'user'::text AS kind, username::text AS name,
       (attributes - 'email' - 'role')
       || CASE WHEN email IS NOT NULL THEN jsonb_build_object('email', email) WHEN attributes ? 'email' THEN jsonb_build_object('email', attributes->'email') ELSE '{}' END
       || CASE WHEN role IS NOT NULL THEN jsonb_build_object('role', role) WHEN attributes ? 'role' THEN jsonb_build_object('role', attributes->'role') ELSE '{}' END AS data,
       created_at, updated_at
FROM users

-- migrate:records
SELECT 'api_keys'::text, id::bigint, 'api_key'::text, name::text,
       (attributes - 'owner' - 'key_hash' - 'scopes')
       || CASE WHEN owner IS NOT NULL THEN jsonb_build_object('owner', owner) WHEN attributes ? 'owner' THEN jsonb_build_object('owner', attributes->'owner') ELSE '{}' END
       || CASE WHEN key_hash IS NOT NULL THEN jsonb_build_object('key_hash', key_hash) WHEN attributes ? 'key_hash' THEN jsonb_build_object('key_hash', attributes->'key_hash') ELSE '{}' END
       || CASE WHEN scopes IS NOT NULL THEN jsonb_build_object('scopes', scopes) ELSE '{}' END,
       created_at, updated_at
FROM api_keys

-- migrate:records
SELECT 'settings'::text, id::bigint, 'setting'::text, key::text,
       (attributes - 'value') || CASE WHEN value IS NOT NULL THEN jsonb_build_object('value', value) ELSE '{}' END,
       created_at, updated_at
FROM settings

-- migrate:records
-- an event's service is kebab-case in v5; the v4 value is kept when it does not come back the same way
SELECT 'audit_events'::text, id::bigint, 'event'::text, action::text,
       (attributes - 'service' - 'actor' - 'details')
       || CASE WHEN attributes ? 'service'
                    AND service IS NOT DISTINCT FROM (CASE WHEN jsonb_typeof(attributes->'service') = 'string' THEN replace(attributes->>'service', '_', '-') END)
               THEN jsonb_build_object('service', attributes->'service')
               WHEN service IS NOT NULL THEN jsonb_build_object('service', replace(service, '-', '_'))
               ELSE '{}' END
       || CASE WHEN actor IS NOT NULL THEN jsonb_build_object('actor', actor) WHEN attributes ? 'actor' THEN jsonb_build_object('actor', attributes->'actor') ELSE '{}' END
       || CASE WHEN details IS NOT NULL THEN jsonb_build_object('details', details) ELSE '{}' END,
       created_at, updated_at
FROM audit_events

-- migrate:records
SELECT 'legacy_records'::text, id::bigint, kind::text, name::text, data, created_at, updated_at
FROM legacy_records
