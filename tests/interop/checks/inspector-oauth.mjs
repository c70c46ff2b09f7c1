// The MCP Inspector CLI doing the OAuth flow itself against db-server in development mode, with no
// other authorization server, in two CLI runs that share a HOME:
//   1. `list_tables`: it finds the built-in authorization server, registers, opens the consent page
//      in a "browser" (BROWSER = lib/consent-opener.mjs, which approves the boxes as they start and
//      delivers the answer to the Inspector's loopback callback), gets a token and calls the tool.
//      The Inspector asks for every scope the server lists, so the page starts with only the
//      baseline `db:query` ticked.
//   2. `execute` with the token of run 1 (kept in a file secret store: in a container without a
//      keychain the Inspector's default is an in-memory store, which dies with the run): 403
//      insufficient_scope → the CLI asks "Proceed with step-up authorization?" on stdin, the check
//      answers y → a second consent page offering db:modify → the call succeeds.
// Run 2 passes `--client-id` (run 1's registration): Inspector CLI 2.12.0 handles a 403 step-up
// itself only when the server has OAuth settings (a client id, scopes, …); without any it leaves the
// 403 to the SDK transport, whose re-authorization reaches the CLI as a plain "Unauthorized", and the
// CLI logs in again with the scope it already had (db:query) and exits with auth_required.
//
// Usage: node inspector-oauth.mjs --mcp URL --work DIR

import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { check, crashed, exitCode } from '../lib/report.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const { values: opts } = parseArgs({ options: { mcp: { type: 'string' }, work: { type: 'string' } } });
const launcher = join(here, '..', 'node_modules', '@modelcontextprotocol', 'inspector', 'clients', 'launcher', 'build', 'index.js');
const STEP_UP_PROMPT = 'Proceed with step-up authorization?';

try {
  const home = join(opts.work, `home-${Date.now()}`);
  mkdirSync(home, { recursive: true });
  const browser = join(opts.work, 'browser.sh');
  writeFileSync(browser, `#!/bin/sh\nexec "${process.execPath}" "${join(here, '..', 'lib', 'consent-opener.mjs')}" "$@"\n`);
  chmodSync(browser, 0o755);
  const consentLog = join(opts.work, 'consent.jsonl');
  const env = { ...process.env, HOME: home, MCP_CATALOG_PATH: join(home, 'mcp.json'), BROWSER: browser,
    MCP_AUTO_OPEN_ENABLED: 'true', MCP_INSPECTOR_SECRET_STORE: 'file', CI: '1', CONSENT_OPENER_LOG: consentLog };
  /** One CLI run; answers `y` when it asks to step up (and only then). */
  const run = (args) => new Promise((resolve) => {
    const child = spawn(process.execPath, [launcher, '--cli', opts.mcp, '--transport', 'http', ...args],
      { stdio: ['pipe', 'pipe', 'pipe'], env });
    let stdout = '';
    let stderr = '';
    let asked = false;
    child.stdout.setEncoding('utf8').on('data', (chunk) => { stdout += chunk; });
    child.stderr.setEncoding('utf8').on('data', (chunk) => {
      stderr += chunk;
      if (!asked && stderr.includes(STEP_UP_PROMPT)) {
        asked = true;
        child.stdin.end('y\n');
      }
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr, asked });
    });
  });
  const answeredPages = () => (existsSync(consentLog)
    ? readFileSync(consentLog, 'utf8').trim().split('\n').filter(Boolean).map((line) => JSON.parse(line))
    : []);
  const parse = (text) => {
    try {
      return JSON.parse(text);
    } catch {
      return undefined;
    }
  };

  // Run 1: log in, list the tables.
  const first = await run(['--method', 'tools/call', '--tool-name', 'list_tables']);
  const answered = answeredPages();
  const page = answered[0] ?? {};
  check('inspector-oauth: the Inspector opened the authorization URL of the built-in server once',
    answered.length === 1 && (page.url ?? '').startsWith(`${new URL(opts.mcp).origin}/oauth/authorize?`), JSON.stringify(answered));
  check('inspector-oauth: the consent page offered every scope, only the baseline db:query ticked',
    JSON.stringify(page.scopes) === '[{"name":"db:admin","checked":false},{"name":"db:modify","checked":false},{"name":"db:query","checked":true}]',
    JSON.stringify(page));
  check('inspector-oauth: Approve sent a code, the state and the issuer back to the Inspector',
    JSON.stringify(page.params) === '["code","state","iss"]', JSON.stringify(page));
  const tables = parse(first.stdout)?.structuredContent?.tables?.map((t) => t.name) ?? [];
  check('inspector-oauth: the Inspector CLI exited 0 and list_tables returned the shop tables',
    first.status === 0 && tables.includes('customers') && tables.includes('orders'),
    `status ${first.status}; stdout ${first.stdout.slice(0, 300)}; stderr ${first.stderr.slice(-600)}`);

  // Run 2: a db:modify call with run 1's db:query token, the step-up asked on stdin and approved.
  const clientId = page.url ? new URL(page.url).searchParams.get('client_id') : '';
  const email = `inspector-${Date.now()}@interop.example`;
  const second = await run(['--client-id', clientId, '--method', 'tools/call', '--tool-name', 'execute', '--tool-arg',
    `sql=INSERT INTO customers (name, email, country, created_at) VALUES ('Inspector Step-up', '${email}', 'FR', '2026-11-26') RETURNING name`]);
  const pages = answeredPages().slice(1);
  check('inspector-oauth: run 2 reused run 1\'s token: no new login, the 403 made the CLI ask to step up to db:modify',
    second.asked && second.stderr.includes('needs additional scope: db:modify') && pages.length === 1
      && (new URL(pages[0]?.url ?? 'http://x/').searchParams.get('scope') ?? '').split(' ').includes('db:modify'),
    `pages ${JSON.stringify(pages)}; stderr ${second.stderr.slice(-800)}`);
  check('inspector-oauth: the step-up consent page offered db:modify, ticked',
    (pages[0]?.scopes ?? []).some((s) => s.name === 'db:modify' && s.checked), JSON.stringify(pages[0]));
  const inserted = parse(second.stdout);
  check('inspector-oauth: after the step-up, execute inserted the row (CLI exited 0)',
    second.status === 0 && inserted?.isError !== true && JSON.stringify(inserted?.structuredContent ?? {}).includes('Inspector Step-up'),
    `status ${second.status}; stdout ${second.stdout.slice(0, 300)}; stderr ${second.stderr.slice(-600)}`);
} catch (err) {
  crashed('inspector-oauth', err);
}

process.exit(exitCode());
