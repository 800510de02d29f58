// Manifests as YAML: one multi-document stream for stdout, or one file per object in a directory
// (numbered in apply order, so `kubectl apply -f DIR` applies the Namespace first). Secret files
// are written 0600.
import { join } from 'node:path';
import { chmod } from 'node:fs/promises';
import { writeFileAtomic } from '../fsutil.js';
import type { K8sObject } from './convert.js';

export async function toYaml(objects: K8sObject[]): Promise<string> {
  const { default: yaml } = await import('js-yaml');
  return objects.map((o) => '---\n' + yaml.dump(o, { noRefs: true, lineWidth: -1, quotingType: '"' })).join('');
}

export function fileNameFor(o: K8sObject, i: number, width: number): string {
  return `${String(i + 1).padStart(width, '0')}-${o.kind.toLowerCase()}-${o.metadata.name}.yaml`;
}

export async function writeManifestDir(dir: string, objects: K8sObject[]): Promise<string[]> {
  const { default: yaml } = await import('js-yaml');
  const width = Math.max(2, String(objects.length).length);
  const files: string[] = [];
  for (const [i, o] of objects.entries()) {
    const path = join(dir, fileNameFor(o, i, width));
    const secret = o.kind === 'Secret';
    await writeFileAtomic(path, yaml.dump(o, { noRefs: true, lineWidth: -1, quotingType: '"' }), { mode: secret ? 0o600 : 0o644 });
    if (secret) await chmod(path, 0o600);
    files.push(path);
  }
  return files;
}
