// Every kompose case, what we make of it, and each documented difference from kompose's output as a
// pattern over the fact diff (test/unit/k8s-facts.ts). docs/kompose-compat.md is written from this table.
export type CaseStatus = 'equivalent' | 'different' | 'not supported';
export interface CaseNote {
  status: CaseStatus;
  why: string;
  /** each pattern must match at least one difference, and every difference must match one */
  diffs: RegExp[];
}

/** Differences that hold for every case, by design (docs/kompose-compat.md "Always different"). */
export const GLOBAL_DIFFS: Array<{ pattern: RegExp; why: string }> = [
  { pattern: /^\+ workload \S+ request cpu=0\.1$/, why: 'every container gets requests (100m CPU, 128Mi memory), as the migration guide\'s target does' },
  { pattern: /^\+ workload \S+ request memory=134217728$/, why: 'same: default memory request 128Mi' },
  { pattern: /^\+ service \S+ type=headless$/, why: 'a service without ports still gets a (headless) Service, so its name resolves in the cluster as on the compose network' },
  { pattern: /^- service \S+ port 55555->0\/TCP$/, why: 'kompose gives headless Services a made-up port 55555; ours have none' },
  { pattern: /^\+ workload \S+ initContainer wait-for-\S+ image=busybox:1\.36$/, why: 'depends_on becomes an init container that waits until the dependency is ready' },
];

const SECRET_ENV = [/^- workload \S+ env \S*PASSWORD\S*=/, /^\+ workload \S+ env \S*PASSWORD\S* from-secret$/, /^\+ secret key \S*PASSWORD\S*$/];
const CONTAINER_PORTS = 'Service ports are the container ports (as the migration guide\'s target and the compose network have them); published host ports need NodePort/LoadBalancer/Ingress';

export const CASES: Record<number, CaseNote> = {
  1: {
    status: 'different',
    why: `${CONTAINER_PORTS}; one LoadBalancer Service with TCP and UDP ports instead of kompose's -tcp/-udp split (mixed protocols are GA since Kubernetes 1.26); restart "no" stays a Deployment (reported) instead of a bare Pod; the default memory request is lowered to the tiny 10000-byte limit so the pod is admitted`,
    diffs: [/^[-+] service foo port /, /^- service redis-(tcp|udp) /, /^\+ service redis (port|type)/, /^\+ workload foo replicas=1$/, /^\+ workload foo request memory=10000$/],
  },
  2: {
    status: 'different',
    why: 'the shell-form healthcheck is kept through sh -c (kompose makes one argv word "echo \\"hello world\\"" that cannot run) and becomes a readiness probe too',
    diffs: [/^- workload redis liveness exec/, /^\+ workload redis (liveness|readiness) exec \["sh","-c",/],
  },
  3: { status: 'equivalent', why: 'Windows drive-letter bind mount → PVC', diffs: [] },
  4: {
    status: 'different',
    why: 'node.hostname == machine becomes a nodeSelector (kompose: node affinity, same effect); the != and engine.labels constraints and spread preferences are reported, not converted',
    diffs: [/^\+ workload redis nodeSelector kubernetes\.io\/hostname=machine$/],
  },
  5: {
    status: 'different',
    why: 'kompose ran with --volumes=configMap; we convert a bind-mounted directory to a PVC filled by the data step unless the service asks for kompose.volume.type: configMap (case 6); single files still become ConfigMaps',
    diffs: [/^- configmap key a\.crt$/, /^[-+] workload web mount \/etc\/tls /, /^\+ pvc ReadWriteOnce$/],
  },
  6: { status: 'equivalent', why: 'kompose.volume.type: configMap turns the directory into a ConfigMap', diffs: [] },
  7: {
    status: 'different',
    why: 'environment: wins over env_file as in docker compose (kompose lets the env file win); restart "no" stays a Deployment instead of a Pod',
    diffs: [/^- configmap key ALLOW_EMPTY_PASSWORD$/, /^\+ workload redis env ALLOW_EMPTY_PASSWORD=no$/, /^\+ workload redis replicas=1$/],
  },
  8: {
    status: 'different',
    why: 'kompose ran with --volumes "" (no volume source); the named volume becomes a PVC with an explicit size',
    diffs: [/^- workload web mount \/code \?$/, /^\+ workload web mount \/code pvc$/, /^\+ pvc ReadWriteOnce$/],
  },
  9: {
    status: 'different',
    why: 'kompose ran with --emptyvols (data lost at every restart); the named volume becomes a PVC',
    diffs: [/^- workload web mount \/code \?$/, /^\+ workload web mount \/code pvc$/, /^\+ pvc ReadWriteOnce$/],
  },
  10: { status: 'equivalent', why: 'kompose.service.expose → Ingress with hosts, paths, TLS secret and class', diffs: [] },
  11: {
    status: 'not supported',
    why: 'kompose --service-group-mode (several services in one pod) is not supported: each service keeps its own Deployment; they share the bind-mount PVC (reported: ReadWriteOnce)',
    diffs: [/^- workload librenms-dispatcher /, /^\+ workload (librenms|dispatcher) /],
  },
  12: { status: 'equivalent', why: 'several compose files merged in order (replicas 99 from the second file)', diffs: [] },
  13: {
    status: 'different',
    why: 'shell-form tests run through sh -c (kompose splits the readiness label into words and makes the liveness one argv word); http/tcp label probes are equivalent',
    diffs: [/^[-+] workload redis (liveness|readiness) exec/],
  },
  14: {
    status: 'different',
    why: 'kompose ran with --controller statefulset; we make Deployments with ClusterIP Services and PVCs; passwords move to Secrets; the Service keeps the container port',
    diffs: [/^- service (db|wordpress) type=headless$/, /^\+ service (db|wordpress) type=ClusterIP$/, /^[-+] service wordpress port /, ...SECRET_ENV, /^[-+] workload \S+ mount \S+ (\?|pvc)$/, /^\+ pvc ReadWriteOnce$/],
  },
  15: { status: 'equivalent', why: 'kompose.cronjob.* labels → CronJob', diffs: [] },
  16: { status: 'equivalent', why: 'per-service kompose.volume.type', diffs: [] },
  17: { status: 'equivalent', why: '$VAR in command is interpolated from the shell, as docker compose does (unset → empty, reported)', diffs: [] },
  18: {
    status: 'different',
    why: 'secret-looking variables (from environment and from .env) go to a Secret, not into the Deployment or a ConfigMap',
    diffs: [/^- configmap key MINIO_PASSWORD$/, ...SECRET_ENV, /^\+ workload minio envFrom secret$/],
  },
  19: {
    status: 'different',
    why: 'front_end is renamed front-end: kompose writes a Service named front_end, which the API server rejects',
    diffs: [/^[-+] service front[-_]end /],
  },
  20: { status: 'equivalent', why: 'long-syntax port with mode: host (reported: no hostPort)', diffs: [] },
  21: {
    status: 'different',
    why: 'one LoadBalancer Service (kompose names it front-end-tcp); the Ingress asked for by kompose.service.expose is created too (kompose skips it for LoadBalancer Services)',
    diffs: [/^- service front-end-tcp /, /^\+ service front-end /, /^\+ ingress front-end /],
  },
  22: { status: 'equivalent', why: 'headless Service: the external traffic policy is reported as not applicable', diffs: [] },
  23: { status: 'different', why: 'the password moves to a Secret; fsGroup equivalent', diffs: SECRET_ENV },
  24: { status: 'equivalent', why: 'plain service', diffs: [] },
  25: { status: 'equivalent', why: '${VAR:-default} interpolation; build without image reported', diffs: [] },
  26: { status: 'equivalent', why: 'no interpolation when asked (kompose --no-interpolate; our loader option)', diffs: [] },
  27: {
    status: 'different',
    why: 'environment: values stay in the Deployment (kompose moves them into the env_file ConfigMap); restart on-failure stays a Deployment instead of a Pod',
    diffs: [/^- configmap key DOC_ENGINE$/, /^\+ workload minio env DOC_ENGINE=test-env$/, /^\+ workload minio replicas=1$/],
  },
  28: { status: 'different', why: 'the password moves to a Secret; kompose.volume.subpath equivalent', diffs: SECRET_ENV },
  29: {
    status: 'not supported',
    why: 'kompose --generate-network-policies is not supported: networks are reported (one flat pod network), no NetworkPolicy is made',
    diffs: [/^- networkpolicy /],
  },
  30: { status: 'equivalent', why: 'namespace comes from --namespace', diffs: [] },
  31: { status: 'equivalent', why: 'read_only → readOnlyRootFilesystem', diffs: [] },
  32: { status: 'equivalent', why: 'env_file → ConfigMap + envFrom', diffs: [] },
  33: { status: 'equivalent', why: 'same input as case 32 (kompose ran it twice)', diffs: [] },
  34: { status: 'equivalent', why: 'upper-case service name lower-cased', diffs: [] },
  35: { status: 'equivalent', why: 'kompose.init.containers.* labels → init container', diffs: [] },
  36: { status: 'equivalent', why: 'kompose.hpa.* labels → HorizontalPodAutoscaler', diffs: [] },
  37: {
    status: 'different',
    why: `the bind-mounted directory ./certs becomes a PVC filled by the data step (kompose: a ConfigMap); single files become ConfigMaps as in kompose; ${CONTAINER_PORTS}`,
    diffs: [/^- configmap key cert1\.pem$/, /^[-+] workload busy mount \/certs /, /^\+ pvc ReadWriteOnce$/, /^[-+] service busy port /],
  },
  38: {
    status: 'different',
    why: 'as case 37, plus a file mounted inside the directory (a ConfigMap with subPath)',
    diffs: [/^- configmap key cert1\.pem$/, /^[-+] workload busy mount \/certs /, /^\+ pvc ReadWriteOnce$/, /^[-+] service busy port /],
  },
  39: {
    status: 'different',
    why: `/tmp:/tmp:ro is converted to a PVC and reported (kompose drops it silently); ${CONTAINER_PORTS}`,
    diffs: [/^[-+] service busy port /, /^\+ pvc ReadWriteOnce$/, /^\+ workload busy mount \/tmp pvc ro$/],
  },
  40: {
    status: 'not supported',
    why: 'network_mode: service:client (kompose puts both containers in one pod) is reported, not converted: server gets its own Deployment',
    diffs: [/^\+ workload server /],
  },
  41: { status: 'equivalent', why: 'values with colons kept as strings', diffs: [] },
  42: { status: 'equivalent', why: 'labels → annotations on Deployment, pod and Service', diffs: [] },
  43: { status: 'equivalent', why: 'kompose.ephemeral-storage.* deploy labels → ephemeral-storage request and limit', diffs: [] },
  44: {
    status: 'not supported',
    why: 'kompose --service-group-mode is not supported: dind and cup stay two Deployments (cup waits for dind); privileged kept',
    diffs: [/^- workload cup /, /^\+ workload (cup|dind) /],
  },
};
