// The MCP Inspector CLI doing the OAuth flow itself against db-server in development mode, with no
// other authorization server: it finds the built-in one, registers, opens the consent page in a
// "browser" (BROWSER = lib/consent-opener.mjs, which approves the boxes as they start and delivers
// the answer to the Inspector's loopback callback), gets a token and calls `list_tables`. The
// Inspector asks for every scope the server lists, so the page starts with only the baseline
// `db:query` ticked. A fresh HOME per run (the Inspector keeps state there).
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

try {
  const home = join(opts.work, `home-${Date.now()}`);
  mkdirSync(home, { recursive: true });
  const browser = join(opts.work, 'browser.sh');
  writeFileSync(browser, `#!/bin/sh\nexec "${process.execPath}" "${join(here, '..', 'lib', 'consent-opener.mjs')}" "$@"\n`);
  chmodSync(browser, 0o755);
  const consentLog = join(opts.work, 'consent.jsonl');
  const result = await new Promise((resolve) => {
    const child = spawn(process.execPath, [launcher, '--cli', opts.mcp, '--transport', 'http',
      '--method', 'tools/call', '--tool-name', 'list_tables'], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, HOME: home, MCP_CATALOG_PATH: join(home, 'mcp.json'), BROWSER: browser,
        MCP_AUTO_OPEN_ENABLED: 'true', MCP_INSPECTOR_SECRET_STORE: 'memory', CI: '1', CONSENT_OPENER_LOG: consentLog },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk) => { stdout += chunk; });
    child.stderr.setEncoding('utf8').on('data', (chunk) => { stderr += chunk; });
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('close', (status) => { clearTimeout(timer); resolve({ status, stdout, stderr }); });
  });
  const answered = existsSync(consentLog)
    ? readFileSync(consentLog, 'utf8').trim().split('\n').map((line) => JSON.parse(line))
    : [];
  const page = answered[0] ?? {};
  check('inspector-oauth: the Inspector opened the authorization URL of the built-in server once',
    answered.length === 1 && (page.url ?? '').startsWith(`${new URL(opts.mcp).origin}/oauth/authorize?`), JSON.stringify(answered));
  check('inspector-oauth: the consent page offered every scope, only the baseline db:query ticked',
    JSON.stringify(page.scopes) === '[{"name":"db:admin","checked":false},{"name":"db:modify","checked":false},{"name":"db:query","checked":true}]',
    JSON.stringify(page));
  check('inspector-oauth: Approve sent a code, the state and the issuer back to the Inspector',
    JSON.stringify(page.params) === '["code","state","iss"]', JSON.stringify(page));
  let output;
  try {
    output = JSON.parse(result.stdout);
  } catch {
    output = undefined;
  }
  const tables = output?.structuredContent?.tables?.map((t) => t.name) ?? [];
  check('inspector-oauth: the Inspector CLI exited 0 and list_tables returned the shop tables',
    result.status === 0 && tables.includes('customers') && tables.includes('orders'),
    `status ${result.status}; stdout ${result.stdout.slice(0, 300)}; stderr ${result.stderr.slice(-600)}`);
} catch (err) {
  crashed('inspector-oauth', err);
}

process.exit(exitCode());
