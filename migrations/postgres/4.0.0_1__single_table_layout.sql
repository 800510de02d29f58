-- The v4 platform keeps everything in one table: services, users, API keys, settings and audit
-- events are rows of platform_data told apart by `kind`, their fields in `data`.
-- Idempotent, because v4 installations created this table before migrations were tracked.

-- migrate:up
CREATE TABLE IF NOT EXISTS platform_data (
    id          BIGSERIAL PRIMARY KEY,
    kind        VARCHAR(32)  NOT NULL,
    name        VARCHAR(255) NOT NULL,
    data        JSONB        NOT NULL DEFAULT '{}',
    created_at  TIMESTAMP    NOT NULL DEFAULT CURRENT_TIMESTAMP,
    updated_at  TIMESTAMP    NOT NULL DEFAULT CURRENT_TIMESTAMP
);
CREATE INDEX IF NOT EXISTS idx_platform_data_kind_name ON platform_data (kind, name);

-- migrate:down
DROP TABLE IF EXISTS platform_data;
