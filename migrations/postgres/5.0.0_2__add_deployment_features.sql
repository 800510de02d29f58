-- The guide's 5.0.0 migration: where each service is deployed and how its health is checked.
-- The guide wraps CREATE INDEX CONCURRENTLY in BEGIN…COMMIT, which PostgreSQL refuses; here it runs
-- outside the transaction, and a left-behind invalid index counts as a failure, not "completed".

-- migrate:up
ALTER TABLE services
ADD COLUMN IF NOT EXISTS deployment_type VARCHAR(20) DEFAULT 'docker',
ADD COLUMN IF NOT EXISTS health_check_config JSONB DEFAULT '{}';

-- migrate:up batch size:20000
-- the guide's UPDATE services, in keyset batches so a large table is not locked in one go
WITH batch AS (
    SELECT id FROM services WHERE id > COALESCE($1::bigint, '-9223372036854775808'::bigint) ORDER BY id LIMIT $2
), upd AS (
    UPDATE services s
    SET deployment_type = CASE WHEN s.config->>'orchestrator' = 'kubernetes' THEN 'kubernetes' ELSE 'docker' END,
        health_check_config = COALESCE(s.config->'health_check', '{}')
    FROM batch WHERE s.id = batch.id
)
SELECT max(id) AS last, count(*) AS n FROM batch;

-- migrate:up
CREATE INDEX CONCURRENTLY IF NOT EXISTS idx_services_deployment_type
ON services(deployment_type);

-- migrate:down
DROP INDEX CONCURRENTLY IF EXISTS idx_services_deployment_type;

-- migrate:down
ALTER TABLE services DROP COLUMN IF EXISTS deployment_type;
ALTER TABLE services DROP COLUMN IF EXISTS health_check_config;
