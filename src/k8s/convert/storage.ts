// Compose → Kubernetes, volumes (PVCs with explicit sizes, bind mounts, tmpfs) and compose secrets and configs.
// Each function converts one part of a compose service into the ServiceContext (./context.ts); the report
// entry of every key it reads is its own.
import { kvMap, type Doc } from '../compose.js';
import { memoryQuantity } from '../quantity.js';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import { type VolumeSpec, dnsName, isMap, parseVolume } from './shared.js';
import type { ServiceContext } from './context.js';

export function volumes(c: ServiceContext): void {
  const { b, composeName, handled, kl, mounts, name, note, svc, volumes, xk } = c;
  // volumes, tmpfs
  handled.add('volumes').add('tmpfs').add('shm_size');
  const topVolumes: Doc = isMap(b.project.doc.volumes) ? b.project.doc.volumes : {};
  const sizeFor = (volName?: string) => {
    const tv = volName ? topVolumes[volName] : undefined;
    const fromTop = isMap(tv) ? (tv['x-kubernetes']?.size ?? kvMap(tv.labels)['kompose.volume.size'] ?? tv.driver_opts?.size) : undefined;
    return String(fromTop ?? xk.volumeSize ?? kl('kompose.volume.size') ?? b.opts.volumeSize);
  };
  const accessMode = String(xk.accessMode ?? 'ReadWriteOnce');
  const volumeSubpath = kl('kompose.volume.subpath');
  let vi = 0;
  const addClaim = (claim: string, size: string, volName?: string) => {
    const meta = b.meta(claim);
    if (volName) meta.annotations = { 'mcp-platform.io/compose-volume': volName };
    b.add({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: meta, spec: { accessModes: [accessMode], resources: { requests: { storage: size } } } });
    if (!b.volumeUsers.has(claim)) b.volumeUsers.set(claim, new Set());
    b.volumeUsers.get(claim)!.add(name);
    if (accessMode === 'ReadWriteOnce') c.usesRwoClaim = true;
  };
  const volNames = new Set<string>();
  const podVolume = (base: string, def: Doc) => {
    let n = dnsName(base);
    for (let i = 2; volNames.has(n); i++) n = dnsName(`${base}-${i}`);
    volNames.add(n);
    volumes.push({ name: n, ...def });
    return n;
  };
  for (const raw of Array.isArray(svc.volumes) ? svc.volumes : svc.volumes !== undefined ? [svc.volumes] : []) {
    let v: VolumeSpec;
    try {
      v = parseVolume(raw);
    } catch (e) {
      note('volumes', 'not-converted', `${JSON.stringify(raw)}: ${(e as Error).message}`);
      continue;
    }
    const key = `volumes[${vi++}]`;
    const mount: Doc = { mountPath: v.target };
    if (v.readOnly) mount.readOnly = true;
    if (v.subPath ?? volumeSubpath) mount.subPath = v.subPath ?? volumeSubpath;
    if (v.type === 'volume') {
      const tv = topVolumes[v.source!];
      if (isMap(tv) && tv.external) {
        const claim = dnsName(String(tv.name ?? v.source));
        mount.name = podVolume(v.source!, { persistentVolumeClaim: { claimName: claim } });
        note(key, 'changed', `external volume ${v.source} → existing PVC ${claim} (not created: it must exist in namespace ${b.opts.namespace})`);
      } else {
        const claim = dnsName(v.source!);
        const size = sizeFor(v.source);
        addClaim(claim, size, v.source);
        mount.name = podVolume(v.source!, { persistentVolumeClaim: { claimName: claim } });
        if (!b.dataMoves.some((d) => d.pvc === claim)) b.dataMoves.push({ service: composeName, pvc: claim, mountPath: v.target, source: v.source!, kind: 'volume' });
        note(key, 'converted', `volume ${v.source} → PVC ${claim} (${size}, ${accessMode}); its data is moved by the data step`);
      }
    } else if (v.type === 'bind') {
      const src = v.source!;
      const abs = /^[A-Za-z]:[\\/]/.test(src) || src.startsWith('\\\\') ? src : resolve(b.project.dir, src.replace(/^~(?=\/)/, process.env.HOME ?? '~'));
      let st: ReturnType<typeof statSync> | undefined;
      try {
        st = statSync(abs);
      } catch {
        st = undefined;
      }
      const volumeType = String(xk.volumeType ?? kl('kompose.volume.type') ?? '');
      if (volumeType === 'configMap' && st?.isDirectory()) {
        const cm = dnsName(`${name}-${basename(abs)}`);
        const data: Record<string, string> = {};
        const binaryData: Record<string, string> = {};
        for (const f of readdirSync(abs, { withFileTypes: true })) {
          if (!f.isFile()) continue;
          const content = readFileSync(resolve(abs, f.name));
          const text = content.toString('utf8');
          const k = f.name.replace(/[^A-Za-z0-9._-]/g, '_');
          if (Buffer.from(text, 'utf8').equals(content) && !text.includes('\u0000')) data[k] = text;
          else binaryData[k] = content.toString('base64');
        }
        b.add({ apiVersion: 'v1', kind: 'ConfigMap', metadata: b.meta(cm, { app: name }), ...(Object.keys(data).length ? { data } : {}), ...(Object.keys(binaryData).length ? { binaryData } : {}) });
        mount.name = podVolume(cm, { configMap: { name: cm } });
        note(key, 'changed', `directory ${src} → ConfigMap ${cm} (volume type configMap; read-only, top-level files only)`);
      } else if (volumeType === 'emptyDir' || volumeType === 'hostPath') {
        mount.name = podVolume(`${name}-${basename(abs)}`, volumeType === 'emptyDir' ? { emptyDir: {} } : { hostPath: { path: abs } });
        note(key, 'changed', `bind mount ${src} → ${volumeType} (volume type ${volumeType}: ${volumeType === 'emptyDir' ? 'its data is not carried over' : 'the path must exist on every node'})`);
      } else if (/^\/(var\/run|run|dev|sys|proc)(\/|$)/.test(abs) || abs === '/var/run/docker.sock') {
        mount.name = podVolume(basename(abs) || 'host', { hostPath: { path: abs } });
        note(key, 'changed', `${src} is a node path: mounted as hostPath (it exists only if every node has it; the container may need privileges)`);
      } else if (st?.isFile() && st.size <= 1024 * 1024) {
        const cm = dnsName(`${name}-${basename(abs)}`);
        const content = readFileSync(abs);
        const text = content.toString('utf8');
        const isText = Buffer.from(text, 'utf8').equals(content) && !text.includes('\u0000');
        const keyName = basename(abs).replace(/[^A-Za-z0-9._-]/g, '_');
        b.add({ apiVersion: 'v1', kind: 'ConfigMap', metadata: b.meta(cm, { app: name }), ...(isText ? { data: { [keyName]: text } } : { binaryData: { [keyName]: content.toString('base64') } }) });
        mount.name = podVolume(cm, { configMap: { name: cm } });
        mount.subPath = keyName;
        note(key, 'changed', `file ${src} → ConfigMap ${cm} mounted at ${v.target}${v.readOnly ? '' : ' (read-only in Kubernetes: a ConfigMap cannot be written)'}`);
      } else {
        let claim = b.bindClaims.get(abs);
        if (!claim) {
          claim = dnsName(`${name}-${basename(abs.replace(/[\\/]+$/, '')) || 'data'}`);
          for (let i = 2; b.byKey.has(`PersistentVolumeClaim/${claim}`); i++) claim = dnsName(`${name}-${basename(abs)}-${i}`);
          b.bindClaims.set(abs, claim);
          b.dataMoves.push({ service: composeName, pvc: claim, mountPath: v.target, source: abs, kind: 'bind' });
        }
        const size = sizeFor();
        addClaim(claim, size);
        mount.name = podVolume(claim, { persistentVolumeClaim: { claimName: claim } });
        const what = st?.isDirectory() ? 'directory' : st ? 'large file' : 'path (missing here)';
        note(key, 'changed', `bind mount ${src} (${what}) → PVC ${claim} (${size}, ${accessMode}); copy its data with the data step before starting`);
      }
    } else if (v.type === 'tmpfs') {
      mount.name = podVolume(`tmpfs-${vi}`, { emptyDir: { medium: 'Memory' } });
      note(key, 'converted', 'tmpfs → emptyDir (Memory)');
    } else if (v.type === 'anonymous') {
      mount.name = podVolume(`scratch-${vi}`, { emptyDir: {} });
      note(key, 'changed', `anonymous volume at ${v.target} → emptyDir: its content lives as long as the pod (give it a name to get a PVC)`);
    } else {
      note(key, 'not-converted', `volume type ${v.type} has no Kubernetes equivalent`);
      continue;
    }
    mounts.push(mount);
  }
  for (const t of Array.isArray(svc.tmpfs) ? svc.tmpfs : svc.tmpfs ? [svc.tmpfs] : []) {
    const target = String(t).split(':')[0]!;
    mounts.push({ name: podVolume(`tmpfs-${target}`, { emptyDir: { medium: 'Memory' } }), mountPath: target });
    note('tmpfs', 'converted', `${target} → emptyDir (Memory)`);
  }
  if (svc.shm_size !== undefined) {
    const lim = memoryQuantity(svc.shm_size);
    mounts.push({ name: podVolume('dshm', { emptyDir: { medium: 'Memory', ...(lim ? { sizeLimit: lim } : {}) } }), mountPath: '/dev/shm' });
    note('shm_size', 'converted', `/dev/shm → emptyDir (Memory${lim ? `, ${lim}` : ''})`);
  }
  c.podVolume = podVolume;
}

export function secretsAndConfigs(c: ServiceContext): void {
  const { b, handled, mounts, note, podVolume, svc } = c;
  // secrets and configs
  handled.add('secrets').add('configs');
  for (const [key, topKey] of [['secrets', 'secrets'], ['configs', 'configs']] as const) {
    const list = svc[key];
    if (list === undefined) continue;
    const top: Doc = isMap(b.project.doc[topKey]) ? b.project.doc[topKey] : {};
    for (const item of Array.isArray(list) ? list : []) {
      const src = typeof item === 'string' ? item : String(item.source);
      const target = typeof item === 'string' ? undefined : item.target;
      const def = top[src];
      const kind = key === 'secrets' ? 'Secret' : 'ConfigMap';
      const objName = dnsName(`${key === 'secrets' ? 'secret' : 'config'}-${src}`);
      const mountPath = target ? (String(target).startsWith('/') ? String(target) : `/run/secrets/${target}`) : key === 'secrets' ? `/run/secrets/${src}` : `/${src}`;
      const dataKey = src.replace(/[^A-Za-z0-9._-]/g, '_');
      if (!isMap(def)) {
        note(`${key}.${src}`, 'not-converted', `${src} is not defined in the top-level ${topKey}:`);
        continue;
      }
      if (def.external) {
        note(`${key}.${src}`, 'changed', `external ${key.slice(0, -1)} → existing ${kind} ${dnsName(String(def.name ?? src))} with key ${dataKey} (not created: it must exist in namespace ${b.opts.namespace})`);
      } else {
        let content: Buffer | undefined;
        if (def.file !== undefined) {
          try {
            content = readFileSync(resolve(b.project.dir, String(def.file)));
          } catch {
            note(`${key}.${src}`, 'not-converted', `file ${def.file} cannot be read: ${kind} ${objName} is created empty; fill it before deploying`);
          }
        } else if (def.environment !== undefined) {
          const v = b.project.variables[String(def.environment)];
          if (v === undefined) note(`${key}.${src}`, 'not-converted', `variable ${def.environment} is not set: ${kind} ${objName} is created empty`);
          else content = Buffer.from(v);
        } else if (def.content !== undefined) content = Buffer.from(String(def.content));
        const body = content === undefined ? {} : kind === 'Secret' ? { data: { [dataKey]: content.toString('base64') } } : { data: { [dataKey]: content.toString('utf8') } };
        b.add({ apiVersion: 'v1', kind, metadata: b.meta(objName), ...(kind === 'Secret' ? { type: 'Opaque' } : {}), ...body });
        if (kind === 'Secret') b.secrets.push(objName);
        note(`${key}.${src}`, 'converted', `${kind} ${objName} mounted at ${mountPath}`);
      }
      const ref = dnsName(String(def.external ? (def.name ?? src) : objName));
      const vol = podVolume(objName, kind === 'Secret' ? { secret: { secretName: ref } } : { configMap: { name: ref } });
      mounts.push({ name: vol, mountPath, subPath: dataKey, readOnly: true });
    }
  }
}
