// Blue/green of one home (docs/environments.md, "Blue/green"): which color serves, what each color is (its
// services, the endpoints traffic goes to, its workloads on Kubernetes, its compose project on docker), and how long the idle one is kept.
// One file, <home>/state/bluegreen.json, written atomically; a home with no file has one color, blue: what
// runs there now.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { z } from 'zod';
import { layout } from '../home.js';
import { writeFileAtomic } from '../fsutil.js';
import { invalidInput } from '../errors.js';

export const COLORS = ['blue', 'green'] as const;
export type Color = (typeof COLORS)[number];
export const other = (c: Color): Color => (c === 'blue' ? 'green' : 'blue');

const ColorSchema = z.object({
  deployedAt: z.string(),
  /** the run that deployed it (absent for the installation blue/green started from) */
  runId: z.string().optional(),
  version: z.string().optional(),
  /** the application services of this color (infrastructure is shared by both colors) */
  services: z.array(z.string()),
  /** service → where traffic for it goes (runtime none and docker: the traefik file's servers) */
  endpoints: z.record(z.string(), z.string()),
  /** Kubernetes: this color's Deployments */
  workloads: z.array(z.string()).default([]),
  /** docker: the compose project it runs in (the platform's own for the installation blue/green started from) */
  project: z.string().optional(),
  /** docker: service → the ports it publishes on this host in that project */
  ports: z.record(z.string(), z.array(z.string())).optional(),
});
export type ColorRecord = z.infer<typeof ColorSchema>;

const StateSchema = z.object({
  format: z.literal('mcp.bluegreen/1'),
  runtime: z.enum(['docker', 'kubernetes', 'none']),
  active: z.enum(COLORS),
  colors: z.object({ blue: ColorSchema.optional(), green: ColorSchema.optional() }),
  /** when traffic last moved to `active` */
  switchedAt: z.string().optional(),
  /** the idle color is kept until then (`mcp environments retire-blue --expired` retires it after) */
  keepUntil: z.string().optional(),
  /** Kubernetes: each app Service's selector while the idle color served, to switch back to exactly */
  selectors: z.record(z.string(), z.record(z.string(), z.string())).optional(),
});
export type BlueGreenState = z.infer<typeof StateSchema>;

export const statePath = (home: string) => join(layout(home).state, 'bluegreen.json');

export async function readBlueGreen(home: string): Promise<BlueGreenState | undefined> {
  const file = statePath(home);
  const text = await readFile(file, 'utf8').catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return undefined;
    throw e;
  });
  if (text === undefined) return undefined;
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw invalidInput('the blue/green state is not JSON', { where: file, hint: 'restore it from a backup (mcp backup list), or remove it if no blue/green deployment is live' });
  }
  const r = StateSchema.safeParse(doc);
  if (!r.success) {
    const i = r.error.issues[0]!;
    throw invalidInput(`the blue/green state is not valid: ${i.path.join('.') || '(top)'}: ${i.message}`, { where: file, hint: 'restore it from a backup (mcp backup list), or remove it if no blue/green deployment is live' });
  }
  return r.data;
}

export async function writeBlueGreen(home: string, s: BlueGreenState): Promise<void> {
  await writeFileAtomic(statePath(home), JSON.stringify(StateSchema.parse(s), null, 2) + '\n');
}
