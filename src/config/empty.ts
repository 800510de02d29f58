// The smallest config a home can start from at each platform version: valid against its schema.
import { majorOf, type KnownVersion } from '../versions.js';
import { serialize } from './parse.js';

export function configFileName(version: string): string {
  return majorOf(version) === 4 ? 'platform.yaml' : 'platform.json';
}

export function emptyConfig(version: KnownVersion, environment = 'development'): Record<string, unknown> {
  const tls = { enabled: environment !== 'development' };
  switch (majorOf(version)) {
    case 4:
      return {
        version,
        environment,
        platform: { name: 'mcp-platform' },
        api: { host: 'localhost', port: 8080, base_path: '/api/' },
        ...(version === '4.0' ? {} : { security: { tls } }),
        auth: { type: 'bearer', tokens: [] },
        database: { type: 'pglite', table: 'mcp_data' },
        runtime: { type: 'docker' },
        services: [],
      };
    case 5:
      return {
        version,
        environment,
        platform: { name: 'mcp-platform' },
        api: { host: 'localhost', port: 8080, basePath: '/api/v1/' },
        security: { tls },
        auth: { type: 'jwt', jwt: { algorithm: 'HS256', accessTokenTtl: '15m', refreshTokenTtl: '7d' }, refreshTokens: { enabled: true, rotate: true } },
        database: { type: 'pglite' },
        runtime: { type: 'docker' },
        services: [],
      };
    default:
      return {
        version,
        environment,
        platform: { name: 'mcp-platform', architecture: 'microservices' },
        api: { host: 'localhost', port: 8080, basePath: '/api/v1/' },
        security: { tls },
        auth: { providers: { jwt: { algorithm: 'RS256', keyRotation: { enabled: true, interval: '30d' } }, oauth2: {} }, refreshTokens: { enabled: true, rotate: true } },
        database: { type: 'pglite' },
        runtime: { type: 'kubernetes', namespace: 'mcp-platform' },
        mesh: { enabled: true, provider: 'istio', mtls: 'permissive' },
        configApi: { enabled: true, endpoint: '/api/v1/config', refreshInterval: '30s' },
        services: [],
      };
  }
}

export function emptyConfigText(version: KnownVersion, environment = 'development'): string {
  return serialize(emptyConfig(version, environment), majorOf(version) === 4 ? 'yaml' : 'json');
}
