#!/usr/bin/env node
// The engine lane's machine set-up (npm run test:engine runs it first): a real container engine here, idempotent.
//   podman with runc (Debian packages) and its Docker-compatible API on a socket; the docker client talks to it;
//   the compose v2 plugin taken from the next Debian release's docker-compose package (not packaged for this
//   one), downloaded with a private apt state whose source is this machine's own Debian mirror;
//   the test images, built locally (no registry): an MCP server at two tags and an infrastructure stand-in.
// Writes $MCP_ENGINE_DIR/env.json (DOCKER_HOST, DOCKER_CONFIG, CONTAINERS_CONF) for the tests. Fails loudly.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, lstatSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = dirname(fileURLToPath(import.meta.url));
// the user's own directory (never a shared /tmp path another user could have made first: root runs what is in it)
const DIR = process.env.MCP_ENGINE_DIR ?? join(homedir(), '.cache', 'mcp-engine');
const PACKAGES = ['podman', 'runc', 'slirp4netns', 'uidmap', 'busybox-static'];
const NEXT = { bullseye: 'bookworm', bookworm: 'trixie', trixie: 'forky' };
export const IMAGES = { server: 'localhost/mcp-test/mcp-server', infra: 'localhost/mcp-test/infra:1' };

const say = (m) => process.stderr.write(`engine: ${m}\n`);
function die(m) {
  process.stderr.write(`engine: FAILED: ${m}\n`);
  process.exit(1);
}
const ok = (cmd, args, env) => spawnSync(cmd, args, { env: env ?? process.env, stdio: 'ignore' }).status === 0;
const run = (cmd, args, opts = {}) => {
  const r = spawnSync(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', ...opts });
  if (r.status !== 0) die(`${cmd} ${args.join(' ')} exited ${r.status}: ${(r.stderr || r.stdout || '').trim().split('\n').slice(-3).join(' | ')}`);
  return r.stdout;
};

const root = process.getuid?.() === 0;
const missing = PACKAGES.filter((p) => !ok('dpkg', ['-s', p]));
if (missing.length) {
  if (!root) die(`needs root to install ${missing.join(', ')}: run  sudo node test/engine/setup.mjs  once, then npm run test:engine`);
  say(`installing ${missing.join(', ')} …`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  if (!ok('apt-get', ['install', '-y', '-q', ...missing], env)) {
    run('apt-get', ['update', '-q'], { env });
    run('apt-get', ['install', '-y', '-q', ...missing], { env });
  }
}
if (!ok('docker', ['--version'])) die('the docker client is not on PATH (it talks to podman through its Docker API)');
mkdirSync(DIR, { recursive: true, mode: 0o700 });
{
  const st = lstatSync(DIR);
  if (!st.isDirectory() || st.uid !== process.getuid?.() || (st.mode & 0o022) !== 0) die(`${DIR} must be a directory of your own that no one else can write to (owner ${st.uid}, mode ${(st.mode & 0o777).toString(8)}): remove it, or set MCP_ENGINE_DIR`);
}

// podman's defaults fail here: its ulimits (setrlimit … Operation not permitted) and crun (cgroups in hybrid mode)
const conf = join(DIR, 'containers.conf');
writeFileSync(conf, '[containers]\ndefault_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]\n[engine]\nruntime = "runc"\n');
const dockerConfig = join(DIR, 'docker-config');
const socket = join(DIR, 'podman.sock');
const env = { ...process.env, CONTAINERS_CONF: conf, DOCKER_HOST: `unix://${socket}`, DOCKER_CONFIG: dockerConfig };

// the compose plugin
const plugin = join(dockerConfig, 'cli-plugins', 'docker-compose');
if (!ok(plugin, ['version'])) {
  if (!root) die('needs root once to fetch the docker compose plugin: sudo node test/engine/setup.mjs');
  const codename = readFileSync('/etc/os-release', 'utf8').match(/^VERSION_CODENAME=(\w+)/m)?.[1];
  const next = NEXT[codename];
  if (!next) die(`no next Debian release known after '${codename}' to take docker-compose from`);
  // the machine's own Debian mirror, read from its sources (never a host written here)
  const sources = ['/etc/apt/sources.list', ...(existsSync('/etc/apt/sources.list.d') ? readdirSync('/etc/apt/sources.list.d').filter((f) => /\.(list|sources)$/.test(f)).map((f) => join('/etc/apt/sources.list.d', f)) : [])];
  let uri;
  for (const f of sources) {
    const t = existsSync(f) ? readFileSync(f, 'utf8') : '';
    uri ??= t.match(/^URIs:\s*(\S+\/debian)\s*$/m)?.[1] ?? t.match(/^deb\s+(?:\[[^\]]*\]\s+)?(\S+\/debian)\s+/m)?.[1];
  }
  if (!uri) die('no Debian mirror found in /etc/apt/sources.list{,.d}');
  const apt = join(DIR, 'apt');
  for (const d of ['lists/partial', 'cache/archives/partial', 'sources', 'dl']) mkdirSync(join(apt, d), { recursive: true });
  writeFileSync(join(apt, 'sources', 'next.sources'), `Types: deb\nURIs: ${uri}\nSuites: ${next}\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n`);
  const o = ['-o', `Dir::State::Lists=${join(apt, 'lists')}`, '-o', 'Dir::Etc::SourceList=/dev/null', '-o', `Dir::Etc::SourceParts=${join(apt, 'sources')}`, '-o', `Dir::Cache=${join(apt, 'cache')}`];
  say(`fetching docker-compose from ${next} …`);
  run('apt-get', [...o, 'update', '-q']);
  rmSync(join(apt, 'dl'), { recursive: true, force: true });
  mkdirSync(join(apt, 'dl'));
  run('apt-get', [...o, 'download', 'docker-compose'], { cwd: join(apt, 'dl') });
  const deb = readdirSync(join(apt, 'dl')).find((f) => f.endsWith('.deb'));
  if (!deb) die('apt-get download docker-compose left no .deb');
  const x = join(apt, 'x');
  rmSync(x, { recursive: true, force: true });
  run('dpkg-deb', ['-x', join(apt, 'dl', deb), x]);
  mkdirSync(dirname(plugin), { recursive: true });
  cpSync(join(x, 'usr/libexec/docker/cli-plugins/docker-compose'), plugin);
  if (!ok(plugin, ['version'])) die(`${plugin} does not run`);
}

// the Docker API: podman system service on our socket, (re)started unless it answers AND can create a network: a
// service left by an earlier run can answer `version` and still fail every container operation ("write child:
// broken pipe", seen when the process tree that started it had gone)
const works = () => {
  if (!ok('docker', ['version'], env)) return false;
  ok('docker', ['network', 'rm', 'mcp-engine-probe'], env);
  const made = ok('docker', ['network', 'create', 'mcp-engine-probe'], env);
  ok('docker', ['network', 'rm', 'mcp-engine-probe'], env);
  return made;
};
function restartService() {
  spawnSync('pkill', ['-f', `podman system service --time=0 unix://${socket}`]);
  spawnSync('sleep', ['1']);
  rmSync(socket, { force: true });
  const log = openSync(join(DIR, 'service.log'), 'a');
  say(`starting podman system service on ${socket} …`);
  spawn('podman', ['system', 'service', '--time=0', `unix://${socket}`], { env, detached: true, stdio: ['ignore', log, log] }).unref();
  const until = Date.now() + 30_000;
  while (!works()) {
    if (Date.now() > until) die(`the podman service did not answer on ${socket} within 30 s (see ${join(DIR, 'service.log')})`);
    spawnSync('sleep', ['0.3']);
  }
}
if (!works()) restartService();

// the images, rebuilt when what goes into them changed
const serverFile = join(HERE, 'image', 'server.mjs');
const digest = createHash('sha256').update(readFileSync(serverFile)).update(readFileSync(process.execPath)).update(readFileSync(fileURLToPath(import.meta.url))).digest('hex');
const stamp = join(DIR, 'images.sha256');
const have = existsSync(stamp) && readFileSync(stamp, 'utf8') === digest && ['4.2', '5.0'].every((t) => ok('podman', ['image', 'exists', `${IMAGES.server}:${t}`], env)) && ok('podman', ['image', 'exists', IMAGES.infra], env);
if (!have) {
  say('building the test images …');
  const rootfs = join(DIR, 'rootfs');
  rmSync(rootfs, { recursive: true, force: true });
  for (const d of ['usr/local/bin', 'app', 'tmp']) mkdirSync(join(rootfs, d), { recursive: true });
  cpSync(process.execPath, join(rootfs, 'usr/local/bin/node'));
  // the libraries node links against, as ldd lists them
  for (const line of run('ldd', [process.execPath]).split('\n')) {
    const lib = line.match(/=>\s*(\/\S+)/)?.[1] ?? line.match(/^\s*(\/\S+)/)?.[1];
    if (lib) cpSync(lib, join(rootfs, lib), { dereference: true });
  }
  cpSync(serverFile, join(rootfs, 'app/server.mjs'));
  const tarball = join(DIR, 'rootfs.tar');
  run('tar', ['-C', rootfs, '-cf', tarball, '.']);
  for (const tag of ['4.2', '5.0']) {
    run('podman', ['import', '--change', 'CMD ["/usr/local/bin/node","/app/server.mjs"]', '--change', `ENV MCP_SERVER_VERSION=${tag}`, tarball, `${IMAGES.server}:${tag}`], { env });
  }
  // infrastructure stand-in: busybox answering TCP on $PORT (redis, postgres by name only)
  const bb = join(DIR, 'busybox');
  rmSync(bb, { recursive: true, force: true });
  mkdirSync(join(bb, 'bin'), { recursive: true });
  mkdirSync(join(bb, 'www'), { recursive: true });
  cpSync('/bin/busybox', join(bb, 'bin/busybox'));
  run('tar', ['-C', bb, '-cf', join(DIR, 'busybox.tar'), '.']);
  run('podman', ['import', '--change', 'CMD ["/bin/busybox","sh","-c","exec /bin/busybox httpd -f -p ${PORT:-6379} -h /www"]', join(DIR, 'busybox.tar'), IMAGES.infra], { env });
  rmSync(tarball, { force: true });
  writeFileSync(stamp, digest);
}
// a container started through the API: a reused service has passed the network probe and then failed every
// container start with "write child: broken pipe" (CI after CI on one machine); restarted once, then loud
const starts = () => ok('docker', ['run', '--rm', IMAGES.infra, '/bin/busybox', 'true'], env);
if (!starts()) {
  restartService();
  if (!starts()) die(`the podman service on ${socket} cannot start a container (docker run --rm ${IMAGES.infra} /bin/busybox true; see ${join(DIR, 'service.log')})`);
}
writeFileSync(join(DIR, 'env.json'), JSON.stringify({ DOCKER_HOST: env.DOCKER_HOST, DOCKER_CONFIG: dockerConfig, CONTAINERS_CONF: conf }, null, 2) + '\n');
const v = execFileSync('docker', ['version', '--format', '{{.Server.Version}}'], { env, encoding: 'utf8' }).trim();
say(`ready: podman ${v} on ${socket}; images ${IMAGES.server}:{4.2,5.0}, ${IMAGES.infra}`);
