// The development authorization server's consent page (db-server with no --issuer) in a real
// headless Chromium (Debian's /usr/bin/chromium, driven by playwright-core, which never downloads a
// browser): the page renders each requested scope with the tools it opens and the client's name
// escaped; unticking a scope removes it from the token; Deny sends `access_denied` with the state
// back to the client. A phone-sized screenshot of the page is kept as `consent.png` in --artifacts.
//
// Usage: node consent-browser.mjs --mcp URL --artifacts DIR [--chromium PATH]

import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { chromium } from 'playwright-core';

import { check, crashed, exitCode, jwtPayload } from '../lib/report.mjs';

const { values: opts } = parseArgs({
  options: {
    mcp: { type: 'string' },
    artifacts: { type: 'string' },
    chromium: { type: 'string', default: '/usr/bin/chromium' },
  },
});
const mcpUrl = new URL(opts.mcp);
const origin = mcpUrl.origin;
// The client's redirect URI: a loopback listener, as a native client's (the browser's arrival there
// is the answer; routes cannot stand in for it, since they do not see a redirect's next hop).
const callback = createServer((_, res) => res.end('back at the client'));
await new Promise((resolve) => callback.listen(0, '127.0.0.1', resolve));
const redirectUri = `http://127.0.0.1:${callback.address().port}/browser-callback`;
const clientName = 'Browser check <b>bold?</b> <script>alert(1)</script>';

async function json(response) {
  const text = await response.text();
  try {
    return JSON.parse(text);
  } catch {
    throw new Error(`HTTP ${response.status}: ${text.slice(0, 300)}`);
  }
}

const client = await json(await fetch(`${origin}/oauth/register`, {
  method: 'POST',
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify({ client_name: clientName, redirect_uris: [redirectUri], token_endpoint_auth_method: 'none' }),
}));

/** An authorization URL for `scope`, with a fresh PKCE pair and state. */
function authorization(scope) {
  const verifier = randomBytes(32).toString('base64url');
  const state = randomBytes(8).toString('hex');
  const url = new URL(`${origin}/oauth/authorize`);
  for (const [k, v] of Object.entries({
    response_type: 'code', client_id: client.client_id, redirect_uri: redirectUri, scope, state,
    code_challenge: createHash('sha256').update(verifier).digest('base64url'), code_challenge_method: 'S256',
    resource: mcpUrl.href,
  })) url.searchParams.set(k, v);
  return { url: url.href, verifier, state };
}

const profile = mkdtempSync(join(tmpdir(), 'consent-chromium-'));
let context;
try {
  context = await chromium.launchPersistentContext(profile, {
    executablePath: opts.chromium,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
    viewport: { width: 390, height: 844 },
    deviceScaleFactor: 2,
  });
  const page = context.pages()[0] ?? await context.newPage();

  // 1. The page, then Approve with db:modify unticked.
  const first = authorization('db:query db:modify');
  await page.goto(first.url);
  const boxes = await page.$$eval('input[type=checkbox][name=scope]', (els) => els.map((e) => ({ name: e.value, checked: e.checked })));
  check('browser: the page offers the requested scopes, both ticked',
    JSON.stringify(boxes) === '[{"name":"db:query","checked":true},{"name":"db:modify","checked":true}]', JSON.stringify(boxes));
  const text = await page.innerText('body');
  check('browser: each scope shows its display name and the tools, resources and prompts it opens',
    ['Read the database', 'Change rows', 'list_tables', 'describe_table', 'execute', 'db://schema', 'explain_query_plan']
      .every((t) => text.includes(t)), text.slice(0, 600));
  check('browser: the client name is shown as text, its markup not rendered',
    text.includes(clientName) && (await page.$$('b, body script')).length === 0, text.slice(0, 300));
  check('browser: the page needs no script and fits a phone screen',
    await page.evaluate(() => document.scripts.length === 0 && document.documentElement.scrollWidth <= window.innerWidth),
    'scripts or horizontal scrolling');
  mkdirSync(opts.artifacts, { recursive: true });
  const screenshot = join(opts.artifacts, 'consent.png');
  await page.screenshot({ path: screenshot, fullPage: true });
  console.log(`INFO browser: screenshot at ${screenshot}`);
  await page.uncheck('input[name=scope][value="db:modify"]');
  await Promise.all([page.waitForURL(`${redirectUri}**`), page.click('button[value=approve]')]);
  const approved = new URL(page.url()).searchParams;
  check('browser: Approve goes back to the client with a code and the state',
    approved.get('code') !== null && approved.get('state') === first.state && approved.get('iss') === origin, page.url());
  const tokens = await json(await fetch(`${origin}/oauth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', client_id: client.client_id, code: approved.get('code') ?? '',
      redirect_uri: redirectUri, code_verifier: first.verifier, resource: mcpUrl.href }),
  }));
  check('browser: the unticked scope is not in the token',
    tokens.scope === 'db:query' && jwtPayload(tokens.access_token ?? '')?.scope === 'db:query', JSON.stringify(tokens).slice(0, 300));

  // 2. Deny.
  const second = authorization('db:query');
  await page.goto(second.url);
  await Promise.all([page.waitForURL(`${redirectUri}**`), page.click('button[value=deny]')]);
  const denied = new URL(page.url()).searchParams;
  check('browser: Deny goes back to the client with access_denied and the state',
    denied.get('error') === 'access_denied' && denied.get('state') === second.state && denied.get('code') === null, page.url());
} catch (err) {
  crashed('browser: consent page', err);
} finally {
  await context?.close();
  callback.close();
  rmSync(profile, { recursive: true, force: true });
}

process.exit(exitCode());
