// The contract every runtime (docker, kubernetes, none) keeps, and what the handlers hand it.
import type { Logger } from '../log.js';
import type { ServiceSpec, PlatformServices } from './services.js';

export interface RuntimeEnv {
  home: string;
  env: NodeJS.ProcessEnv;
  log: Logger;
  signal?: AbortSignal;
  /** echo of each command line (wired to out.debug for --verbose) */
  echo?: (line: string) => void;
  timeoutMs?: number;
}

export type ServiceStateName = 'running' | 'stopped' | 'starting' | 'missing' | 'external' | 'unknown';

export interface ServiceState {
  name: string;
  state: ServiceStateName;
  /** the runtime's own words (docker's State/Status, a Deployment's condition) */
  detail?: string;
  /** container health as the runtime reports it (docker healthcheck), when it has one */
  health?: string;
  replicas?: { desired: number; ready: number };
  image?: string;
}

export interface ActionResult {
  runtime: string;
  action: 'start' | 'stop' | 'reset';
  services: string[];
  /** the commands run, redacted, for the report */
  commands: string[];
  /** none: the services are managed elsewhere; nothing was run */
  external?: boolean;
  /** files written (the compose file) */
  files?: string[];
}

export interface Runtime {
  readonly type: 'docker' | 'kubernetes' | 'none';
  /** human description, e.g. "docker compose project mcp-platform" */
  describe(): string;
  start(services: ServiceSpec[], opts: { version?: string }): Promise<ActionResult>;
  stop(services: ServiceSpec[], opts: { force?: boolean }): Promise<ActionResult>;
  /** stop, remove and recreate from the configured definition; data volumes are kept */
  reset(services: ServiceSpec[]): Promise<ActionResult>;
  status(services: ServiceSpec[]): Promise<ServiceState[]>;
}

export type RuntimeFactory = (platform: PlatformServices, env: RuntimeEnv) => Runtime;
