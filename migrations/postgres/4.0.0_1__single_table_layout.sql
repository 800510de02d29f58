-- The v4 platform keeps everything in one table: services, users, API keys, settings and audit
-- events are rows told apart by `kind`, their fields in `data`. The table is named by the config
-- (v4 database.table, v5 database.legacyTable; platform_data by default): {{legacy_table}} below.
-- Idempotent, because v4 installations created this table before migrations were tracked.
-- layout: v4

-- migrate:up from:v4
CREATE TABLE IF NOT EXISTS {{legacy_table}} (
    id          BIGSERIAL PRIMARY KEY,
    kind        VARCHAR(32)  NOT NULL,
    name        VARCHAR(255) NOT NULL,
    data        JSONB        NOT NULL DEFAULT '{}',
    created_at  TIMESTAMP    NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at  TIMESTAMP    NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX IF NOT EXISTS {{legacy_index}} ON {{legacy_table}} (kind, name);

-- migrate:records from:v4
SELECT {{legacy_table_literal}}::text AS tbl, id::bigint AS id, kind::text AS kind, name::text AS name, data, created_at, updated_at
FROM {{legacy_table}}

-- migrate:down check from:v4
-- rolling back before 4.0 drops the table: only when it holds nothing
SELECT format('%s holds %s rows: rolling back before 4.0 would drop them (back them up and empty the table first)', {{legacy_table_literal}}, count(*))
FROM {{legacy_table}} HAVING count(*) > 0;

-- migrate:down from:v4
DROP TABLE IF EXISTS {{legacy_table}};

-- A database made with the guide's SQL has no single table: its `services` table (with a `config`
-- JSONB column) is where the platform's records are. Nothing is created for it; its records are the
-- services rows (columns the later migrations derive are not content).

-- migrate:up from:guide
-- migrate:down from:guide

-- migrate:records from:guide
SELECT 'services'::text AS tbl, s.id::bigint AS id, 'service'::text AS kind, s.name::text AS name,
       to_jsonb(s) - 'id' - 'name' - 'deployment_type' - 'health_check_config' - 'replicas' - 'resources' - 'namespace' AS data,
       NULL::timestamp AS created_at, NULL::timestamp AS updated_at
FROM services s
