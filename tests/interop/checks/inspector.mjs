// The MCP Inspector CLI against the db server in production mode, with a bearer header holding a
// db:query token from the real authorization server: `tools/list`, then one `tools/call`. It talks
// through a recording proxy, so what went over the wire is asserted, not only what it printed.
// The Inspector keeps state under ~/.mcp-inspector, so it runs with a fresh HOME each time.
//
// Usage: node inspector.mjs --mcp URL --issuer URL --work DIR

import { spawn } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { obtainToken } from '../lib/oauth-flow.mjs';
import { startRecordingProxy } from '../lib/recording-proxy.mjs';
import { check, crashed, exitCode } from '../lib/report.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const { values: opts } = parseArgs({
  options: { mcp: { type: 'string' }, issuer: { type: 'string' }, work: { type: 'string' } },
});
const launcher = join(here, '..', 'node_modules', '@modelcontextprotocol', 'inspector', 'clients', 'launcher', 'build', 'index.js');

/** Runs a command to its end (or 60 s) without blocking this process, whose proxy must keep serving. */
function run(command, args, options) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => { stdout += chunk; });
    child.stderr.setEncoding('utf8').on('data', (chunk) => { stderr += chunk; });
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

/** Runs the Inspector CLI against `url`; the token goes in a header argument and is never printed. */
async function inspector(url, token, args) {
  const home = join(opts.work, `home-${Date.now()}`);
  mkdirSync(home, { recursive: true });
  const result = await run(process.execPath, [
    launcher, '--cli', url, '--transport', 'http',
    '--header', `Authorization: Bearer ${token}`, ...args,
  ], {
    env: { ...process.env, HOME: home, MCP_CATALOG_PATH: join(home, 'mcp.json'), BROWSER: 'false', CI: '1' },
  });
  const scrub = (s) => (s ?? '').split(token).join('<token>');
  let json;
  try {
    json = JSON.parse(result.stdout);
  } catch {
    json = undefined;
  }
  return { status: result.status, json, stdout: scrub(result.stdout), stderr: scrub(result.stderr) };
}

let proxy;
try {
  const token = await obtainToken({ issuer: opts.issuer, resource: opts.mcp, scope: 'db:query' });
  const mcp = new URL(opts.mcp);
  proxy = await startRecordingProxy(mcp.origin);
  const url = `${proxy.url}${mcp.pathname}`;
  /** The MCP POSTs the proxy saw for one JSON-RPC method. */
  const posts = (rpcMethod) => proxy.exchanges.filter((e) => e.method === 'POST' && e.path === mcp.pathname && e.rpcMethod === rpcMethod);
  const wire = () => proxy.exchanges.map((e) => `${e.method} ${e.path} ${e.rpcMethod ?? '-'} ${e.authorization ?? 'no-auth'} -> ${e.status}`).join('; ');

  const list = await inspector(url, token, ['--method', 'tools/list']);
  const names = (list.json?.tools ?? []).map((t) => t.name);
  check('inspector: tools/list with a bearer header exits 0', list.status === 0,
    `exit ${list.status}: ${list.stderr.slice(-800)}`);
  check('inspector: tools/list shows the db tools',
    ['list_tables', 'describe_table', 'query', 'execute'].every((n) => names.includes(n)),
    `tools: ${names.join(', ')}; stdout: ${list.stdout.slice(0, 400)}`);
  const listed = posts('tools/list');
  check('inspector: its tools/list went over the wire with the bearer token and got 200',
    listed.length >= 1 && listed.every((e) => e.authorization === 'Bearer' && e.status === 200), wire());

  const call = await inspector(url, token, ['--method', 'tools/call', '--tool-name', 'query',
    '--tool-arg', 'sql=SELECT name FROM products ORDER BY id LIMIT 1']);
  check('inspector: tools/call query exits 0', call.status === 0, `exit ${call.status}: ${call.stderr.slice(-800)}`);
  check('inspector: tools/call query returns the first product, not an error',
    call.json?.isError !== true && JSON.stringify(call.json?.structuredContent?.rows) === JSON.stringify([['Mechanical keyboard']]),
    call.stdout.slice(0, 600));
  const called = posts('tools/call');
  check('inspector: its tools/call went over the wire once with the bearer token and got 200',
    called.length === 1 && called[0].authorization === 'Bearer' && called[0].status === 200, wire());
  // A GET for a standalone SSE stream gets 405 from a stateless server, as the transport allows.
  check('inspector: every request it sent carried the bearer token and none was refused',
    proxy.exchanges.length > 0 && proxy.exchanges.every((e) => e.authorization === 'Bearer'
      && (e.status < 400 || (e.method === 'GET' && e.status === 405))), wire());
} catch (err) {
  crashed('inspector: checks', err);
} finally {
  await proxy?.close();
}

process.exit(exitCode());
