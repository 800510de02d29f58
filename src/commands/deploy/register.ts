// `mcp deploy` (apply + rollout with automatic undo, or docker compose up). Handlers load lazily.
import type { Register } from '../../cli/program.js';
import { handle, leaf, collect } from '../../cli/program.js';


export const registerDeploy: Register = (program, app) => {
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
    .requiredOption('--env <name>', 'target environment: this home\'s, or a registered one whose home gets the config with its own secrets; must match the config\'s environment field')
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
