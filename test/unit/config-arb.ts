// fast-check generators of valid v4 and v5 configs, with unknown fields sprinkled in (marker values
// "unk-…" so a lost field cannot hide behind a coincidental equal value).
import fc from 'fast-check';

const snake = fc.stringMatching(/^[a-z][a-z0-9]{0,5}(_[a-z0-9]{1,4}){0,2}$/);
const kebabName = fc.stringMatching(/^[a-z][a-z0-9]{0,5}(-[a-z0-9]{1,4}){0,2}$/);
const marker = fc.uuid().map((u) => `unk-${u.slice(0, 13)}`);
const unknownKey = fc.stringMatching(/^x[A-Za-z]{1,6}$/);
const scalar = fc.oneof(marker, fc.integer({ min: 1, max: 1_000_000 }), fc.boolean());
const extra = fc.option(fc.dictionary(unknownKey, fc.oneof(scalar, fc.array(marker, { maxLength: 2 }), fc.dictionary(unknownKey, marker, { maxKeys: 2 })), { maxKeys: 2 }), { nil: undefined });
const withExtra = <T extends object>(arb: fc.Arbitrary<T>) => fc.tuple(arb, extra).map(([o, x]) => ({ ...(x ?? {}), ...o }));
const opt = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
const text = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9._-]{2,12}$/);
const cpu = fc.oneof(fc.integer({ min: 1, max: 4000 }).map((n) => `${n}m`), fc.constantFrom('1', '2', '0.5'), fc.constantFrom(1, 2, 0.25));
const memory = fc.oneof(fc.integer({ min: 16, max: 4096 }).map((n) => `${n}Mi`), fc.integer({ min: 1, max: 8 }).map((n) => `${n}Gi`));
const portMap = fc.tuple(fc.integer({ min: 1024, max: 65535 }), fc.integer({ min: 1, max: 65535 })).map(([a, b]) => `${a}:${b}`);
const volume = fc.tuple(text, text).map(([a, b]) => `./data/${a}:/${b}`);
const envMap = fc.dictionary(fc.stringMatching(/^[A-Z][A-Z0-9_]{0,8}$/), fc.oneof(text, fc.integer(), fc.boolean()), { maxKeys: 3 });

const strip = <T extends Record<string, unknown>>(o: T): T => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

function healthCheck(stdio: boolean) {
  return stdio
    ? fc.constant({ type: 'mcp', timeout: '5s' })
    : fc.oneof(
        fc.record({ type: fc.constant('http'), path: fc.constantFrom('/health', '/healthz'), port: fc.integer({ min: 1, max: 65535 }) }),
        fc.record({ type: fc.constant('tcp'), port: fc.integer({ min: 1, max: 65535 }) }),
      );
}

export function v4Config(): fc.Arbitrary<Record<string, unknown>> {
  const names = fc.uniqueArray(snake, { maxLength: 6 });
  return names.chain((ns) => {
    const services = fc.tuple(
      ...ns.map((name, i) =>
        fc
          .record({
            type: fc.constantFrom('infrastructure', 'core', 'mcp'),
            transport: fc.constantFrom('http', 'stdio'),
            image: text.map((t) => `mcp/${t.toLowerCase()}:4`),
            ports: opt(fc.array(portMap, { maxLength: 2 })),
            environment: opt(envMap),
            volumes: opt(fc.array(volume, { maxLength: 2 })),
            hc: fc.boolean(),
            deps: fc.subarray(ns.slice(0, i)),
            instances: opt(fc.integer({ min: 0, max: 5 })),
            max_cpu: opt(cpu),
            max_memory: opt(memory),
          })
          .chain((s) => fc.tuple(fc.constant(s), healthCheck(s.transport === 'stdio'), extra))
          .map(([s, hc, x]) =>
            strip({
              ...(x ?? {}),
              name,
              type: s.type,
              image: s.image,
              ports: s.ports,
              environment: s.environment,
              volumes: s.volumes,
              transport: s.type === 'mcp' ? s.transport : undefined,
              health_check: s.hc ? hc : undefined,
              depends_on: s.deps.length ? s.deps : undefined,
              instances: s.instances,
              max_cpu: s.max_cpu,
              max_memory: s.max_memory,
            }),
          ),
      ),
    );
    const routes = ns.length ? opt(fc.array(fc.record({ path: fc.constantFrom('/api/x', '/y', '/api/v1/z'), service: fc.constantFrom(...ns) }), { maxLength: 2 })) : fc.constant(undefined);
    return fc
      .record({
        version: fc.constantFrom('4.0', '4.1', '4.2', '4.2.3'),
        environment: opt(fc.constantFrom('development', 'staging', 'production')),
        platform: opt(withExtra(fc.record({ name: text }))),
        api: opt(withExtra(fc.record({ host: text, port: fc.integer({ min: 1, max: 65535 }), base_path: fc.constant('/api/') }, { requiredKeys: [] }))),
        security: opt(fc.record({ tls: fc.record({ enabled: fc.boolean(), cert_file: opt(text) }) })),
        auth: opt(withExtra(fc.record({ type: fc.constant('bearer'), tokens: opt(fc.array(withExtra(fc.record({ name: text, token: marker })), { maxLength: 3 })) }))),
        database: opt(withExtra(fc.record({ type: fc.constantFrom('postgres', 'pglite', 'mongo'), url: opt(marker.map((m) => `postgres://mcp:${m}@db:5432/mcp`)), table: opt(fc.constantFrom('mcp_data', 'records')) }))),
        runtime: opt(fc.record({ type: fc.constantFrom('docker', 'none') })),
        routes,
        services,
        top: extra,
      })
      .map(({ top, ...doc }) => JSON.parse(JSON.stringify({ ...(top ?? {}), ...doc })) as Record<string, unknown>);
  });
}

export function v5Config(): fc.Arbitrary<Record<string, unknown>> {
  const names = fc.uniqueArray(kebabName, { maxLength: 6 });
  return names.chain((ns) => {
    const services = fc.tuple(
      ...ns.map((name, i) =>
        fc
          .record({
            type: fc.constantFrom('infrastructure', 'core', 'mcp'),
            transport: fc.constantFrom('http', 'stdio'),
            image: text.map((t) => `mcp/${t.toLowerCase()}:5`),
            ports: opt(fc.array(portMap, { maxLength: 2 })),
            environment: opt(envMap),
            deps: fc.subarray(ns.slice(0, i)),
            instances: opt(fc.integer({ min: 0, max: 5 })),
            maxCpu: opt(cpu),
            maxMemory: opt(memory),
            deployment: opt(fc.record({ replicas: fc.integer({ min: 0, max: 3 }) })),
          })
          .chain((s) => fc.tuple(fc.constant(s), healthCheck(s.transport === 'stdio'), extra))
          .map(([s, hc, x]) =>
            strip({
              ...(x ?? {}),
              name,
              type: s.type,
              image: s.image,
              ports: s.ports,
              environment: s.environment,
              transport: s.type === 'mcp' ? s.transport : undefined,
              healthCheck: s.type === 'mcp' ? hc : undefined,
              dependsOn: s.deps.length ? s.deps : undefined,
              instances: s.instances,
              maxCpu: s.maxCpu,
              maxMemory: s.maxMemory,
              deployment: s.deployment,
            }),
          ),
      ),
    );
    return fc
      .record({
        version: fc.constantFrom('5.0', '5.1', '5.2'),
        environment: fc.constantFrom('development', 'staging', 'production'),
        platform: opt(withExtra(fc.record({ name: text, region: opt(text) }))),
        api: opt(fc.record({ host: text, basePath: fc.constant('/api/v1/') }, { requiredKeys: [] })),
        security: opt(fc.record({ tls: fc.record({ enabled: fc.boolean() }) })),
        oauth: opt(withExtra(fc.record({ provider: text, clientId: text, clientSecret: marker }, { requiredKeys: [] }))),
        auth: opt(
          withExtra(
            fc.record({
              type: fc.constant('jwt'),
              jwt: withExtra(fc.record({ algorithm: fc.constantFrom('HS256', 'RS256'), secret: opt(marker), privateKey: opt(marker), accessTokenTtl: opt(fc.constantFrom('15m', '1h')) })),
              legacyApiKeys: opt(fc.array(fc.record({ name: text, key: marker }), { maxLength: 2 })),
            }),
          ),
        ),
        database: opt(fc.record({ type: fc.constantFrom('postgres', 'pglite', 'mongo'), url: opt(marker.map((m) => `postgres://mcp:${m}@db:5432/mcp`)) })),
        runtime: opt(fc.record({ type: fc.constantFrom('docker', 'kubernetes', 'none') })),
        services,
        top: extra,
      })
      .map(({ top, ...doc }) => JSON.parse(JSON.stringify({ ...(top ?? {}), ...doc })) as Record<string, unknown>);
  });
}
