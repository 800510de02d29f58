// `mcp migration convert` (Compose or platform config → Kubernetes manifests, offline validation) and
// `mcp deploy` (apply + rollout with automatic undo, or docker compose up). Handlers load lazily.
import type { Register } from '../../cli/program.js';
import { group, handle, leaf, collect } from '../../cli/program.js';


export const registerK8s: Register = (program, app) => {
  const migration = group(program, 'migration', 'plan, execute, verify and roll back migrations', ['mcp migration convert --compose docker-compose.yml --out k8s-manifests/']);
  const convert = leaf(migration, {
    name: 'convert',
    description: 'convert Docker Compose files (or the platform config) into Kubernetes manifests that validate offline, with a report of every key',
    examples: [
      'mcp migration convert --compose docker-compose.yml --out k8s-manifests/',
      'mcp migration convert --compose docker-compose.yml --compose docker-compose.prod.yml --stdout > k8s.yaml',
      'mcp migration convert --config config-staging.json --namespace mcp-staging --out k8s/',
      'mcp migration convert --compose docker-compose.yml --json',
      'mcp migration convert --validate k8s-manifests/ other.yaml',
    ],
  })
    .option('--compose <file>', 'compose file; repeat to merge overrides in order', collect)
    .option('--config <file>', 'a v5/v6 platform config to convert (default: the home\'s config when --compose is not given)')
    .option('--namespace <name>', 'namespace of every object (default: runtime.namespace of the config, else mcp-platform)')
    .option('--out <dir>', 'write one manifest per object into DIR (Secrets with mode 0600)')
    .option('--stdout', 'print the manifests as one YAML stream (Secret values withheld)')
    .option('--validate <file>', 'validate manifest files or directories against the Kubernetes schemas instead of converting; repeatable', collect)
    .option('--volume-size <size>', 'size of PVCs whose volume does not say', '1Gi')
    .option('--wait-image <image>', 'image of the init containers that wait for depends_on', 'busybox:1.36')
    .option('--no-interpolate', 'keep ${VAR} as written in the compose files')
    .option('--all', 'list every key in the report, not only what needs attention');
  handle(convert, app, async () => (await import('../migration/convert.js')).convertHandler);

  const deploy = leaf(program, {
    name: 'deploy',
    description: 'deploy a config to its runtime: kubernetes (apply, wait for rollouts, undo on failure) or docker (compose up)',
    examples: [
      'mcp deploy --env staging --config config-staging.json',
      'mcp deploy --env production --dry-run',
      'mcp deploy --env production --config prod.json --canary 20 --canary-duration 2h --canary-services filesystem-mcp,git-mcp',
      'mcp deploy --env staging --compose docker-compose.yml --runtime kubernetes --move-data',
    ],
  })
    .requiredOption('--env <name>', 'target environment; must match the config\'s environment field')
    .option('--config <file>', 'platform config to deploy (default: the home\'s config)')
    .option('--compose <file>', 'deploy compose files instead of a config; repeatable', collect)
    .option('--runtime <type>', 'docker or kubernetes (default: runtime.type of the config; kubernetes for v6, docker for v4/v5)')
    .option('--namespace <name>', 'Kubernetes namespace (default: runtime.namespace, else mcp-platform)')
    .option('--timeout <duration>', 'how long each rollout may take before it is undone (300, 90s, 5m)', '5m')
    .option('--canary <percent>', 'roll the new version out to this share of pods first (Argo Rollouts when installed, else a canary Deployment)')
    .option('--canary-duration <duration>', 'how long the canary runs before promotion (1h, 30m)', '1h')
    .option('--canary-services <names>', 'comma-separated Deployments to canary (default: all)')
    .option('--move-data', 'copy bind-mount and volume data into the new PVCs before the workloads start (run on the docker host)')
    .option('--overwrite-data', 'with --move-data: copy even into PVCs that already hold files')
    .option('--compose-project <name>', 'docker compose project name (to find named volumes for --move-data)')
    .option('--volume-size <size>', 'size of PVCs whose volume does not say', '1Gi')
    .option('--dry-run', 'print the plan without running anything');
  handle(deploy, app, async () => (await import('./deploy.js')).deployHandler);
};
