// `mcp migration convert`: Docker Compose files (or the platform's own v5/v6 config) → Kubernetes
// manifests that validate offline, plus a report of every key and what became of it.
// `--validate FILE…` checks any manifests against the same schemas.
import { parseJsonText, parseYamlText, readInputFile } from '../../input.js';
import { readFile, readdir, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { Handler } from '../../cli/program.js';
import type { Ctx } from '../../cli/context.js';
import { invalidInput, usageError } from '../../errors.js';
import { ExitCode } from '../../cli/errors.js';
import { redactText } from '../../redact.js';
import { exists, writeFileAtomic } from '../../fsutil.js';
import { layout } from '../../home.js';

export interface ConvertOpts {
  compose?: string[];
  config?: string;
  namespace?: string;
  out?: string;
  stdout?: boolean;
  validate?: string[];
  volumeSize?: string;
  waitImage?: string;
  interpolate?: boolean;
  all?: boolean;
}

// no .json/.yaml extension: `kubectl apply -f DIR` must not read it
const MARKER = '.mcp-manifests';

export interface Source {
  kind: 'compose' | 'config';
  files: string[];
}

/**
 * Load the chosen source and convert it; shared by convert and deploy.
 * `loaded` is a config already read (and its redacted secrets filled) by the caller: it is converted
 * as it is, never read again from its file, so what the caller filled is what reaches the manifests.
 */
export async function convertSource(ctx: Ctx, opts: ConvertOpts, loaded?: { doc: Record<string, unknown>; path: string }) {
  const { loadCompose } = await import('../../k8s/compose.js');
  const { convertCompose, DEFAULTS } = await import('../../k8s/convert.js');
  const size = opts.volumeSize ?? DEFAULTS.volumeSize;
  const { isK8sQuantity } = await import('../../k8s/quantity.js');
  if (!isK8sQuantity(size)) throw invalidInput(`--volume-size '${size}' is not a Kubernetes quantity`, { hint: 'for example 1Gi, 500Mi, 20Gi' });
  if (opts.namespace !== undefined && !/^[a-z]([-a-z0-9]*[a-z0-9])?$/.test(opts.namespace)) {
    throw invalidInput(`--namespace '${opts.namespace}' is not a valid namespace name`, { hint: 'lower-case letters, digits and -, starting with a letter (e.g. mcp-platform)' });
  }
  let source: Source;
  let project;
  let extraNotes: Array<{ field: string; status: 'converted' | 'changed' | 'not-converted'; note: string }> = [];
  let namespace = opts.namespace;
  if (opts.compose?.length) {
    if (opts.config) throw usageError('give either --compose or --config, not both');
    project = await loadCompose(opts.compose, { env: ctx.env, interpolate: opts.interpolate !== false });
    source = { kind: 'compose', files: project.files };
  } else {
    const { projectFromPlatform } = await import('../../k8s/platform.js');
    let doc: Record<string, unknown>;
    let file: string;
    if (loaded) {
      doc = loaded.doc;
      file = loaded.path;
    } else if (opts.config) {
      file = resolve(opts.config);
      const text = await readInputFile(file, '--config');
      doc = (/\.ya?ml$/i.test(file) ? parseYamlText(text, file) : parseJsonText(text, file)) as Record<string, unknown>;
      if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw invalidInput('the config is not a mapping', { where: file });
    } else {
      const { readStoredConfig } = await import('../../config/store.js');
      const stored = await readStoredConfig(ctx.home);
      doc = stored.doc;
      file = stored.path;
    }
    // relative volume paths (./data/x) are relative to the platform home, where the data lives
    const base = (opts.config || loaded) && !(await exists(layout(ctx.home).config)) ? dirname(file) : ctx.home;
    const src = projectFromPlatform(doc, base, file);
    project = src.project;
    extraNotes = src.notes;
    namespace = namespace ?? src.namespace;
    source = { kind: 'config', files: [file] };
  }
  const conv = convertCompose(project, { ...DEFAULTS, namespace: namespace ?? DEFAULTS.namespace, volumeSize: size, waitImage: opts.waitImage ?? DEFAULTS.waitImage });
  conv.report.project.push(...extraNotes);
  const { validateObjects, formatIssue } = await import('../../k8s/validate.js');
  const issues = await validateObjects(conv.objects);
  if (issues.length) {
    throw invalidInput(`${issues.length} generated object(s) do not validate: ${formatIssue(issues[0]!)}`, {
      where: source.files.join(', '),
      hint: 'the value comes from the source file: fix it there (all issues: --json)',
      details: issues,
    });
  }
  return { conv, source, namespace: namespace ?? DEFAULTS.namespace, project };
}

export const convertHandler: Handler<ConvertOpts> = async (ctx, opts) => {
  if (opts.validate?.length) {
    if (opts.compose?.length || opts.config || opts.out || opts.stdout) throw usageError('--validate checks manifest files on its own: do not combine it with --compose, --config, --out or --stdout');
    return validateFiles(ctx, opts.validate);
  }
  if (opts.out && opts.stdout) throw usageError('give either --out DIR or --stdout, not both');
  if (opts.stdout && ctx.global.json) throw usageError('--stdout prints the manifests as YAML and --json prints the report: choose one', { hint: 'use --out DIR --json to get both' });
  const { conv, source, namespace } = await convertSource(ctx, opts);
  const { reportLines, reportCounts, withholdSecrets } = await import('../../k8s/convert.js');
  const counts = reportCounts(conv.report);
  const objects = conv.objects.map((o) => ({ kind: o.kind, name: o.metadata.name }));
  const summary = `${objects.length} objects for namespace ${namespace} from ${source.kind === 'compose' ? source.files.join(', ') : `config ${source.files[0]}`}: all valid against the Kubernetes schemas`;
  const dataMoves = conv.dataMoves.map((d) => ({ ...d }));
  const data: Record<string, unknown> = { ok: true, source, namespace, valid: true, objects, report: conv.report, counts, dataMoves, applyOrder: conv.order };
  const text: string[] = [];
  const decisions = reportLines(conv.report, opts.all === true);
  const reportText = decisions.length ? ['', opts.all ? 'Report:' : `Needs your attention (${counts.changed} changed, ${counts['not-converted']} not converted; --all shows every key):`, ...decisions] : [];
  const movesText = dataMoves.length
    ? ['', 'Data to move into the PVCs before the workloads start (mcp deploy runs this step; see docs/kubernetes.md):', ...dataMoves.map((d) => `  ${d.kind === 'bind' ? d.source : `volume ${d.source}`} → PVC ${d.pvc} (${d.service}:${d.mountPath})`)]
    : [];
  if (opts.stdout) {
    const { toYaml } = await import('../../k8s/manifests.js');
    const shown = withholdSecrets(conv.objects);
    if (conv.secrets.length) ctx.out.warn(`Secret values are not printed: ${conv.secrets.join(', ')} have empty values on stdout; write them with --out DIR (files mode 0600) or create them with kubectl`);
    for (const l of [summary, ...reportText, ...movesText]) ctx.out.progress(l);
    return { data, raw: await toYaml(shown) };
  }
  if (opts.out) {
    const dir = resolve(opts.out);
    const { writeManifestDir } = await import('../../k8s/manifests.js');
    const previous = await readMarker(dir);
    const files = await writeManifestDir(dir, conv.objects);
    const stale = previous.filter((f) => !files.includes(join(dir, f)));
    for (const f of stale) await rm(join(dir, f), { force: true });
    await writeFileAtomic(join(dir, MARKER), JSON.stringify({ generatedBy: 'mcp migration convert', files: files.map((f) => f.slice(dir.length + 1)) }, null, 2) + '\n');
    data.out = dir;
    data.files = files;
    ctx.log.log('info', 'k8s.convert', { out: dir, objects: objects.length, secrets: conv.secrets.length });
    text.push(`Wrote ${files.length} manifests to ${dir} (apply with: mcp deploy, or kubectl apply -f ${dir})`, `  ${summary}`);
    if (conv.secrets.length) text.push(`  Secrets ${conv.secrets.join(', ')} hold real values: their files are mode 0600; do not commit them`);
    if (stale.length) text.push(`  removed ${stale.length} manifest(s) of an earlier conversion that no longer apply`);
  } else {
    text.push(summary, '  nothing written: pass --out DIR to write the manifests, or --stdout to print them');
  }
  text.push(...reportText, ...movesText);
  return { data, text };
};

async function readMarker(dir: string): Promise<string[]> {
  try {
    const m = JSON.parse(await readFile(join(dir, MARKER), 'utf8')) as { files?: string[] };
    return Array.isArray(m.files) ? m.files.filter((f) => /^[^/\\]+\.yaml$/.test(f)) : [];
  } catch {
    return [];
  }
}

async function validateFiles(ctx: Ctx, files: string[]) {
  const { parseManifests, validateObjects, formatIssue } = await import('../../k8s/validate.js');
  const all: Array<Awaited<ReturnType<typeof validateObjects>>[number]> = [];
  let count = 0;
  const checked: string[] = [];
  for (const f of files) {
    const paths: string[] = [];
    const abs = resolve(f);
    let isDir = false;
    try {
      isDir = (await import('node:fs')).statSync(abs).isDirectory();
    } catch {
      throw invalidInput(`cannot read ${f}`, { where: f, hint: 'give manifest files (YAML or JSON) or a directory of them' });
    }
    if (isDir) {
      for (const n of (await readdir(abs)).sort()) if (!n.startsWith('.') && /\.(ya?ml|json)$/i.test(n)) paths.push(join(abs, n));
    } else paths.push(abs);
    for (const p of paths) {
      let docs: unknown[];
      try {
        docs = await parseManifests(await readFile(p, 'utf8'), p);
      } catch (e) {
        const err = e as { mark?: { line: number; column: number }; reason?: string; message: string };
        throw invalidInput(`not valid YAML: ${err.reason ?? err.message.split('\n')[0]}`, { where: err.mark ? `${p}:${err.mark.line + 1}:${err.mark.column + 1}` : p });
      }
      count += docs.length;
      checked.push(p);
      all.push(...(await validateObjects(docs, { file: p })));
    }
  }
  const data = { ok: all.length === 0, files: checked, objects: count, valid: all.length === 0, issues: all };
  if (all.length) {
    // one line per violation on stderr (file, object, path), the document on stdout with --json
    if (!ctx.global.json) for (const x of all) ctx.out.writeStderr(`${redactText(formatIssue(x))}\n`);
    return {
      data,
      text: `${all.length} schema violation(s) in ${new Set(all.map((x) => x.file)).size} of ${checked.length} file(s) (${count} object(s) checked)`,
      exitCode: ExitCode.USAGE,
    };
  }
  return { data, text: `${count} object(s) in ${checked.length} file(s): all valid against the Kubernetes schemas` };
}
