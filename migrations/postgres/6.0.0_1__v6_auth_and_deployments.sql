-- v6: multi-provider authentication (JWT and OAuth2 providers, users linked to one), Kubernetes-native
-- deployments (replicas and resources per service) and the config API's versioned documents.
-- layout: v6

-- migrate:up
CREATE TABLE auth_providers (
    id          BIGSERIAL PRIMARY KEY,
    name        VARCHAR(64)  NOT NULL UNIQUE,
    type        VARCHAR(16)  NOT NULL CHECK (type IN ('jwt', 'oauth2')),
    config      JSONB        NOT NULL DEFAULT '{}',
    enabled     BOOLEAN      NOT NULL DEFAULT TRUE,
    created_at  TIMESTAMP    NOT NULL DEFAULT CURRENT_TIMESTAMP
);
INSERT INTO auth_providers (name, type) VALUES ('jwt', 'jwt');
ALTER TABLE users ADD COLUMN auth_provider VARCHAR(64) NOT NULL DEFAULT 'jwt';
ALTER TABLE services ADD COLUMN replicas INTEGER NOT NULL DEFAULT 1;
ALTER TABLE services ADD COLUMN resources JSONB NOT NULL DEFAULT '{}';
ALTER TABLE services ADD COLUMN namespace VARCHAR(63);
CREATE TABLE config_documents (
    id          BIGSERIAL PRIMARY KEY,
    scope       VARCHAR(255) NOT NULL,
    version     INTEGER      NOT NULL,
    document    JSONB        NOT NULL,
    created_at  TIMESTAMP    NOT NULL DEFAULT CURRENT_TIMESTAMP,
    UNIQUE (scope, version)
);

-- migrate:up batch size:20000
-- replicas from the v5 service's `instances`, Kubernetes for every service
WITH batch AS (
    SELECT id FROM services WHERE id > COALESCE($1::bigint, '-9223372036854775808'::bigint) ORDER BY id LIMIT $2
), upd AS (
    UPDATE services s
    SET replicas = CASE WHEN s.config->>'instances' ~ '^[1-9][0-9]{0,5}$' THEN (s.config->>'instances')::int ELSE 1 END,
        deployment_type = 'kubernetes'
    FROM batch WHERE s.id = batch.id
)
SELECT max(id) AS last, count(*) AS n FROM batch;

-- migrate:down
UPDATE services SET deployment_type = CASE WHEN config->>'orchestrator' = 'kubernetes' THEN 'kubernetes' ELSE 'docker' END;
DROP TABLE config_documents;
ALTER TABLE services DROP COLUMN namespace;
ALTER TABLE services DROP COLUMN resources;
ALTER TABLE services DROP COLUMN replicas;
ALTER TABLE users DROP COLUMN auth_provider;
DROP TABLE auth_providers;
