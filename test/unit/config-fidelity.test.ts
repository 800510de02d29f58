// What an operator's own v4 config keeps through conversion and import: OAuth settings converted to v5's
// camelCase (and on into v6's auth.providers.oauth2), an unquoted `version: 4.2`, dates as written, a
// renamed service rewritten only where it is a host (never in a path), and comments and anchors on import.
import { describe, expect, it } from 'vitest';
import { parseConfigText, serializeLike, transformConfig } from '../../src/config/index.js';

const V4 = `# production, edited by hand
version: 4.2
environment: production
x-defaults: &defaults
  restart: always   # every service
oauth:
  provider: github
  client_id: abc
  client_secret: oauth-secret-value
  redirect_uri: https://mcp.example/cb
  authorize_url: https://github.example/login/oauth/authorize
  token_url: https://github.example/login/oauth/access_token
  scope: "read:user repo"
license:
  expires: 2026-01-01
services:
  - name: auth_service
    <<: *defaults
    type: core
    image: mcp/auth:4.2
    ports: ["8081:8080"]
    environment:
      ARTIFACTS: s3://auth_service-artifacts/pg_primary/
      DB_HOST: pg_primary
      DB_URL: postgres://app:pw@pg_primary:5432/app
  - name: pg_primary   # the database
    type: infrastructure
    image: postgres:15
`;

describe("an operator's own v4 config", () => {
  const doc = parseConfigText(V4, 'platform.yaml').doc;

  it('reads an unquoted version 4.2 as "4.2" and a date as the text written', () => {
    expect(doc.version).toBe('4.2');
    expect(parseConfigText('version: 5.0\nservices: []\n', 'x.yaml').doc.version).toBe('5.0');
    expect((doc.license as { expires: unknown }).expires).toBe('2026-01-01');
    const r = transformConfig(doc, undefined, '5.0');
    expect((r.config.license as { expires: unknown }).expires).toBe('2026-01-01');
  });

  it('converts oauth to camelCase in v5 and carries it into auth.providers.oauth2 in v6, reporting each key', () => {
    const v5 = transformConfig(doc, undefined, '5.0');
    expect(v5.config.oauth).toEqual({
      provider: 'github',
      clientId: 'abc',
      clientSecret: 'oauth-secret-value',
      redirectUri: 'https://mcp.example/cb',
      authorizeUrl: 'https://github.example/login/oauth/authorize',
      tokenUrl: 'https://github.example/login/oauth/access_token',
      scopes: ['read:user', 'repo'],
    });
    expect(v5.reported.filter((f) => f.path.startsWith('oauth')).map((f) => [f.path, f.disposition, f.to])).toEqual([
      ['oauth.client_id', 'moved', 'oauth.clientId'],
      ['oauth.client_secret', 'moved', 'oauth.clientSecret'],
      ['oauth.redirect_uri', 'moved', 'oauth.redirectUri'],
      ['oauth.authorize_url', 'moved', 'oauth.authorizeUrl'],
      ['oauth.token_url', 'moved', 'oauth.tokenUrl'],
      ['oauth.scope', 'changed', 'oauth.scopes'],
    ]);
    // no report names a secret's value
    expect(JSON.stringify(v5.reported)).not.toContain('oauth-secret-value');
    const v6 = transformConfig(doc, undefined, '6.0');
    expect((v6.config.auth as { providers: { oauth2: unknown } }).providers.oauth2).toEqual(v5.config.oauth);
  });

  it('rewrites a renamed service where it is a host, not where it is a path segment, and says which host', () => {
    const r = transformConfig(doc, undefined, '5.0');
    const env = (r.config.services as { environment?: Record<string, string> }[])[0]!.environment!;
    expect(env.ARTIFACTS).toBe('s3://auth_service-artifacts/pg_primary/');
    expect(env.DB_HOST).toBe('pg-primary');
    expect(env.DB_URL).toBe('postgres://app:pw@pg-primary:5432/app');
    const changed = r.reported.filter((f) => f.path.startsWith('services[0].environment'));
    expect(changed.map((f) => f.path)).toEqual(['services[0].environment.DB_HOST', 'services[0].environment.DB_URL']);
    expect(changed[1]!.reason).toMatch(/pg_primary → pg-primary/);
    expect(JSON.stringify(r.reported)).not.toContain(':pw@');
  });

  it('asks for the JWT secret "before starting 5.0" only when 5.0 is where the upgrade stops', () => {
    expect(transformConfig(doc, undefined, '5.0').manualActions.join('\n')).toMatch(/JWT signing secret .* before starting 5\.0/);
    const to6 = transformConfig(doc, undefined, '6.0').manualActions.join('\n');
    expect(to6).not.toMatch(/JWT signing secret|before starting v?5/);
    expect(to6).toMatch(/RS256 key pair/);
  });

  it('is written back with its comments and anchors: unchanged, as it was; changed, only the changed values', () => {
    expect(serializeLike(doc, 'yaml', V4)).toBe(V4);
    const changed = structuredClone(doc);
    changed.environment = 'staging';
    (changed.services as { image: string }[])[1]!.image = 'postgres:16';
    const out = serializeLike(changed, 'yaml', V4);
    expect(out).toContain('# production, edited by hand');
    expect(out).toContain('x-defaults: &defaults');
    expect(out).toContain('<<: *defaults');
    expect(out).toContain('# the database');
    expect(out).toMatch(/environment: staging/);
    expect(parseConfigText(out, 'x.yaml').doc).toEqual(changed);
    // a removed key goes, an added one comes, whatever its name
    const edited: Record<string, unknown> = { ...structuredClone(doc), constructor: 'a key like any other' };
    delete edited.license;
    const out2 = serializeLike(edited, 'yaml', V4);
    expect(out2).toContain('# production, edited by hand');
    expect(out2).not.toContain('expires');
    expect(parseConfigText(out2, 'x.yaml').doc).toEqual(edited);
  });
});
