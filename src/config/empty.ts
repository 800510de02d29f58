// The smallest config a home can start from at each platform generation.
import { majorOf, type KnownVersion } from '../core/versions.js';
import yaml from 'js-yaml';

export function configFileName(version: string): string {
  return majorOf(version) === 4 ? 'platform.yaml' : 'platform.json';
}

export function emptyConfigText(version: KnownVersion, environment = 'development'): string {
  const doc = { version, environment, services: [] as unknown[] };
  return majorOf(version) === 4 ? yaml.dump(doc) : JSON.stringify(doc, null, 2) + '\n';
}
