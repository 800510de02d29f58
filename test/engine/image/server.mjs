// The MCP server of the engine lane's test image: node's standard library only (the image holds node and this
// file). GET /health, POST /mcp (MCP over Streamable HTTP, JSON responses: initialize, tools/list, tools/call,
// ping), GET /metrics (Prometheus text of the requests it served). MCP_SERVER_VERSION is the image's tag.
// MCP_FAIL_AFTER_MS=N: N ms after it started, /mcp and /health answer 500 (a release that starts failing).
import { createServer } from 'node:http';

const version = process.env.MCP_SERVER_VERSION ?? '0.0';
const port = Number(process.env.PORT ?? 3000);
const failAt = process.env.MCP_FAIL_AFTER_MS ? Date.now() + Number(process.env.MCP_FAIL_AFTER_MS) : Infinity;
const tools = (process.env.MCP_TOOLS ?? 'read_file,write_file,list_directory').split(',').filter(Boolean);
const counts = { ok: 0, failed: 0 };
let latencySum = 0;

const send = (res, status, type, body) => {
  res.writeHead(status, { 'content-type': type }).end(body);
};

function answer(msg) {
  if (msg.method === 'initialize') {
    return { protocolVersion: msg.params?.protocolVersion ?? '2025-03-26', capabilities: { tools: {} }, serverInfo: { name: 'engine-test-server', version } };
  }
  if (msg.method === 'tools/list') return { tools: tools.map((name) => ({ name, description: `test tool ${name}`, inputSchema: { type: 'object' } })) };
  if (msg.method === 'tools/call') return { content: [{ type: 'text', text: `${msg.params?.name} ok` }] };
  if (msg.method === 'ping') return {};
  return undefined;
}

createServer((req, res) => {
  const t0 = process.hrtime.bigint();
  const done = (status) => {
    // one line per request on stdout: the container's log (mcp logs --service, --follow)
    process.stdout.write(`${req.method} ${req.url} ${status}\n`);
    if (status >= 500) counts.failed++;
    else counts.ok++;
    latencySum += Number(process.hrtime.bigint() - t0) / 1e6;
  };
  if (req.url === '/metrics') {
    const n = counts.ok + counts.failed;
    // the error rate as a gauge too: 0 before the first request (an idle server is not failing)
    return send(res, 200, 'text/plain; version=0.0.4', `http_requests_total{status="200"} ${counts.ok}\nhttp_requests_total{status="500"} ${counts.failed}\nmcp_error_rate ${n ? (counts.failed / n).toFixed(4) : 0}\nmcp_latency_ms ${n ? (latencySum / n).toFixed(2) : 0}\n`);
  }
  const failing = Date.now() >= failAt;
  if (req.url === '/health' && req.method === 'GET') {
    const s = failing ? 500 : 200;
    done(s);
    return send(res, s, 'application/json', JSON.stringify({ status: failing ? 'failing' : 'ok', version }));
  }
  if (req.url !== '/mcp') {
    done(404);
    return send(res, 404, 'text/plain', 'not found');
  }
  if (req.method !== 'POST') {
    done(405);
    return send(res, 405, 'text/plain', 'POST only');
  }
  let body = '';
  req.on('data', (c) => (body += c));
  req.on('end', () => {
    if (failing) {
      done(500);
      return send(res, 500, 'application/json', JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32603, message: 'failing' } }));
    }
    let msgs;
    try {
      msgs = JSON.parse(body);
    } catch {
      done(400);
      return send(res, 400, 'application/json', JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32700, message: 'parse error' } }));
    }
    const batch = Array.isArray(msgs) ? msgs : [msgs];
    const out = batch.filter((m) => m.id !== undefined).map((m) => {
      const result = answer(m);
      return result ? { jsonrpc: '2.0', id: m.id, result } : { jsonrpc: '2.0', id: m.id, error: { code: -32601, message: `no method ${m.method}` } };
    });
    done(200);
    if (!out.length) {
      res.writeHead(202).end();
      return;
    }
    send(res, 200, 'application/json', JSON.stringify(Array.isArray(msgs) ? out : out[0]));
  });
}).listen(port, '0.0.0.0', () => process.stdout.write(`engine-test-server ${version} listening ${port}\n`));

process.on('SIGTERM', () => process.exit(0));
