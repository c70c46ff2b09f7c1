// The MCP Inspector CLI against the db server in production mode, with a bearer header holding a
// db:query token from the real authorization server: `tools/list`, then one `tools/call`.
// The Inspector keeps state under ~/.mcp-inspector, so it runs with a fresh HOME each time.
//
// Usage: node inspector.mjs --mcp URL --issuer URL --work DIR

import { spawnSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { obtainToken } from '../lib/oauth-flow.mjs';
import { check, crashed, exitCode } from '../lib/report.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const { values: opts } = parseArgs({
  options: { mcp: { type: 'string' }, issuer: { type: 'string' }, work: { type: 'string' } },
});
const launcher = join(here, '..', 'node_modules', '@modelcontextprotocol', 'inspector', 'clients', 'launcher', 'build', 'index.js');

/** Runs the Inspector CLI; the token goes in a header argument and is never printed. */
function inspector(token, args) {
  const home = join(opts.work, `home-${Date.now()}`);
  mkdirSync(home, { recursive: true });
  const run = spawnSync(process.execPath, [
    launcher, '--cli', opts.mcp, '--transport', 'http',
    '--header', `Authorization: Bearer ${token}`, ...args,
  ], {
    encoding: 'utf8',
    timeout: 60_000,
    env: { ...process.env, HOME: home, MCP_CATALOG_PATH: join(home, 'mcp.json'), BROWSER: 'false', CI: '1' },
  });
  const scrub = (s) => (s ?? '').split(token).join('<token>');
  let json;
  try {
    json = JSON.parse(run.stdout);
  } catch {
    json = undefined;
  }
  return { status: run.status, json, stdout: scrub(run.stdout), stderr: scrub(run.stderr) };
}

try {
  const token = await obtainToken({ issuer: opts.issuer, resource: opts.mcp, scope: 'db:query' });

  const list = inspector(token, ['--method', 'tools/list']);
  const names = (list.json?.tools ?? []).map((t) => t.name);
  check('inspector: tools/list with a bearer header exits 0', list.status === 0,
    `exit ${list.status}: ${list.stderr.slice(-800)}`);
  check('inspector: tools/list shows the db tools',
    ['list_tables', 'describe_table', 'query', 'execute'].every((n) => names.includes(n)),
    `tools: ${names.join(', ')}; stdout: ${list.stdout.slice(0, 400)}`);

  const call = inspector(token, ['--method', 'tools/call', '--tool-name', 'query',
    '--tool-arg', 'sql=SELECT name FROM products ORDER BY id LIMIT 1']);
  check('inspector: tools/call query exits 0', call.status === 0, `exit ${call.status}: ${call.stderr.slice(-800)}`);
  check('inspector: tools/call query returns a row, not an error',
    call.json !== undefined && call.json.isError !== true && JSON.stringify(call.json).includes('name'),
    call.stdout.slice(0, 600));
} catch (err) {
  crashed('inspector: checks', err);
}

process.exit(exitCode());
