// The MCP TypeScript SDK's client against the db server in production mode, starting with no
// token: 401 → Protected Resource Metadata → authorization server metadata → dynamic registration
// → authorize (PKCE, resource indicator) → token → tools/list and a db:query call; then a db:modify
// call that gets 403 insufficient_scope, re-authorizes with the challenged scope and succeeds; then,
// from the db:query token again, a resources/read of the db:admin resource db://settings: 403, step-up,
// success.
// Every HTTP exchange the SDK makes is recorded, so the checks assert what went over the wire, not
// only that the calls ended well.
//
// With --consent, the authorization server is db-server's own development one: the check answers
// its consent page as a user clicking Approve would (lib/consent.mjs) and checks what the page showed.
//
// Usage: node ts-client.mjs --mcp URL --issuer URL [--consent --register-path P --token-path P]

import { parseArgs } from 'node:util';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { UnauthorizedError } from '@modelcontextprotocol/sdk/client/auth.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

import { followAuthorization } from '../lib/browser.mjs';
import { answerConsent } from '../lib/consent.mjs';
import { bearerParams, check, crashed, exitCode, jwtPayload } from '../lib/report.mjs';

const { values: opts } = parseArgs({
  options: {
    mcp: { type: 'string' },
    issuer: { type: 'string' },
    consent: { type: 'boolean', default: false },
    'register-path': { type: 'string', default: '/reg' },
    'token-path': { type: 'string', default: '/token' },
  },
});
const mcpUrl = new URL(opts.mcp);
const issuer = opts.issuer;
const redirectUrl = 'http://127.0.0.1:9/ts-callback';

/** Every request the SDK sent, with the response status and headers. */
const exchanges = [];
async function recordingFetch(input, init) {
  const url = new URL(input instanceof Request ? input.url : input);
  const method = init?.method ?? (input instanceof Request ? input.method : 'GET');
  const headers = new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined));
  const body = init?.body;
  const response = await fetch(input, init);
  exchanges.push({
    method,
    url,
    authorization: headers.get('authorization'),
    body: typeof body === 'string' ? body : body instanceof URLSearchParams ? body.toString() : undefined,
    status: response.status,
    wwwAuthenticate: response.headers.get('www-authenticate'),
    contentType: response.headers.get('content-type'),
  });
  return response;
}

/** An OAuth client that keeps everything in memory and "opens a browser" headlessly. */
class HeadlessProvider {
  client = undefined;
  tokenSet = undefined;
  verifier = undefined;
  pendingCode = undefined;
  authorizeUrls = [];
  consentPages = [];

  get redirectUrl() {
    return redirectUrl;
  }

  get clientMetadata() {
    return {
      client_name: 'mcp-scopes interop (TypeScript SDK)',
      redirect_uris: [redirectUrl],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    };
  }

  clientInformation() {
    return this.client;
  }

  saveClientInformation(info) {
    this.client = info;
  }

  tokens() {
    return this.tokenSet;
  }

  saveTokens(tokens) {
    this.tokenSet = tokens;
  }

  async redirectToAuthorization(url) {
    this.authorizeUrls.push(new URL(url));
    let result;
    if (opts.consent) {
      const answered = await answerConsent(url.href, redirectUrl);
      this.consentPages.push(answered.page);
      result = answered.params;
    } else {
      result = await followAuthorization(url.href, redirectUrl);
    }
    if (!result.code) {
      throw new Error(`authorization failed: ${result.error} ${result.error_description ?? ''}`);
    }
    this.pendingCode = result.code;
  }

  saveCodeVerifier(verifier) {
    this.verifier = verifier;
  }

  codeVerifier() {
    return this.verifier;
  }

  takeCode() {
    const code = this.pendingCode;
    this.pendingCode = undefined;
    return code;
  }
}

const provider = new HeadlessProvider();

function transport() {
  return new StreamableHTTPClientTransport(mcpUrl, { authProvider: provider, fetch: recordingFetch });
}

/**
 * Runs `action`; when the SDK stops for authorization, finishes it with the code `authProvider` got and
 * runs again.
 */
async function withAuthorization(t, action, authProvider = provider) {
  try {
    return await action();
  } catch (err) {
    if (!(err instanceof UnauthorizedError)) throw err;
    const code = authProvider.takeCode();
    if (!code) throw new Error(`UnauthorizedError without an authorization code: ${err.message}`);
    await t.finishAuth(code);
    return await action();
  }
}

const mcpPosts = () => exchanges.filter((e) => e.method === 'POST' && e.url.href === mcpUrl.href);

try {
  // 1. No token: connect runs the whole authorization flow.
  let t = transport();
  let client = new Client({ name: 'interop-ts', version: '1.0.0' });
  try {
    await client.connect(t);
  } catch (err) {
    if (!(err instanceof UnauthorizedError)) throw err;
    const code = provider.takeCode();
    if (!code) throw new Error(`connect stopped without an authorization code: ${err.message}`);
    await t.finishAuth(code);
    t = transport();
    client = new Client({ name: 'interop-ts', version: '1.0.0' });
    await client.connect(t);
  }

  const first = mcpPosts()[0];
  check('ts: first request carries no token', first && first.authorization === null, JSON.stringify(first));
  check('ts: first request gets 401', first?.status === 401, `status ${first?.status}`);
  const challenge = bearerParams(first?.wwwAuthenticate);
  const prmPath = `/.well-known/oauth-protected-resource${mcpUrl.pathname}`;
  check(
    'ts: 401 challenge names the path-inserted PRM URL',
    challenge.resource_metadata === `${mcpUrl.origin}${prmPath}`,
    `WWW-Authenticate: ${first?.wwwAuthenticate}`,
  );
  check('ts: 401 challenge has no error code (no credentials sent)', challenge.error === undefined,
    `WWW-Authenticate: ${first?.wwwAuthenticate}`);
  check('ts: 401 challenge hints the baseline scope db:query', challenge.scope === 'db:query',
    `WWW-Authenticate: ${first?.wwwAuthenticate}`);

  const prm = exchanges.find((e) => e.method === 'GET' && e.url.pathname.startsWith('/.well-known/oauth-protected-resource'));
  check('ts: client fetched PRM and got 200', prm?.status === 200, JSON.stringify(prm));
  const prmDoc = await (await fetch(`${mcpUrl.origin}${prmPath}`)).json();
  check('ts: PRM names this resource, our issuer and the db scopes',
    prmDoc.resource === mcpUrl.href && prmDoc.authorization_servers?.includes(issuer)
      && (prmDoc.scopes_supported ?? []).includes('db:query'),
    JSON.stringify(prmDoc));
  const asMeta = exchanges.find((e) => e.url.origin === new URL(issuer).origin && e.url.pathname.startsWith('/.well-known/'));
  check('ts: client fetched authorization server metadata', asMeta?.status === 200, JSON.stringify(asMeta));
  const reg = exchanges.find((e) => e.method === 'POST' && e.url.pathname === opts['register-path']);
  check('ts: client registered dynamically (201)', reg?.status === 201, JSON.stringify(reg));
  const auth1 = provider.authorizeUrls[0];
  check('ts: authorize request uses PKCE S256', auth1?.searchParams.get('code_challenge_method') === 'S256', auth1?.href);
  check('ts: authorize request names the resource', auth1?.searchParams.get('resource') === mcpUrl.href, auth1?.href);
  check('ts: authorize request asks the challenged scope', auth1?.searchParams.get('scope') === 'db:query', auth1?.href);
  const token1 = exchanges.find((e) => e.method === 'POST' && e.url.pathname === opts['token-path']);
  check('ts: token request succeeded', token1?.status === 200, JSON.stringify(token1));
  const claims = jwtPayload(provider.tokens()?.access_token ?? '');
  check('ts: access token is a JWT for our resource from our issuer',
    [claims?.aud].flat().includes(mcpUrl.href) && claims?.iss === issuer, JSON.stringify(claims));
  if (opts.consent) {
    const page = provider.consentPages[0];
    check('ts: consent page names the client and offers db:query, ticked, with its tools',
      page?.html.includes('mcp-scopes interop (TypeScript SDK)')
        && JSON.stringify(page?.scopes) === '[{"name":"db:query","checked":true}]'
        && ['list_tables', 'query', 'db://schema', 'explain_query_plan'].every((n) => page.html.includes(n)),
      JSON.stringify(page?.scopes));
  }

  // 2. tools/list and a db:query call.
  const { tools } = await client.listTools();
  const names = tools.map((tool) => tool.name).sort();
  check('ts: tools/list lists the db tools',
    ['describe_table', 'execute', 'list_tables', 'query'].every((n) => names.includes(n)), names.join(','));
  // The seeded database holds 12 products, and no check adds any.
  const count = await client.callTool({ name: 'query', arguments: { sql: 'SELECT count(*) AS n FROM products' } });
  check('ts: db:query call (query) counts the 12 seeded products',
    count.isError !== true && JSON.stringify(count.structuredContent?.columns) === '["n"]'
      && JSON.stringify(count.structuredContent?.rows) === '[[12]]',
    JSON.stringify(count).slice(0, 400));
  const retried = mcpPosts().filter((e) => e.authorization?.startsWith('Bearer ') && e.status === 200);
  check('ts: requests after authorization carry the bearer token and get 200', retried.length >= 2,
    `${retried.length} authorized 200 responses`);

  // 2b. The db:query resources and prompt with the same token.
  const schema = await client.readResource({ uri: 'db://schema' });
  check('ts: resources/read db://schema returns the tables as JSON',
    schema.contents?.[0]?.mimeType === 'application/json' && (schema.contents?.[0]?.text ?? '').includes('"products"'),
    JSON.stringify(schema).slice(0, 400));
  const table = await client.readResource({ uri: 'db://tables/orders' });
  check('ts: resources/read of the template db://tables/orders describes the table',
    (table.contents?.[0]?.text ?? '').includes('CREATE TABLE'), JSON.stringify(table).slice(0, 400));
  const plan = await client.getPrompt({ name: 'explain_query_plan', arguments: { sql: 'SELECT * FROM orders' } });
  check('ts: prompts/get explain_query_plan attaches the schema and names the query',
    plan.messages?.[0]?.content?.type === 'resource'
      && JSON.stringify(plan.messages).includes('EXPLAIN QUERY PLAN SELECT * FROM orders'),
    JSON.stringify(plan).slice(0, 400));

  // What step 4 starts from: this registration and its db:query token.
  const registered = provider.clientInformation();
  const queryTokens = provider.tokens();

  // 3. A db:modify call: 403 insufficient_scope, then step-up and success.
  const email = `ts-${Date.now()}@interop.example`;
  const insert = () => client.callTool({
    name: 'execute',
    arguments: {
      sql: "INSERT INTO customers (name, email, country, created_at) VALUES (?, ?, 'NL', '2026-11-26') RETURNING name",
      params: ['TS Interop', email],
    },
  });
  const before = exchanges.length;
  const inserted = await withAuthorization(t, insert);
  const forbidden = exchanges.slice(before).find((e) => e.status === 403);
  const stepUp = bearerParams(forbidden?.wwwAuthenticate);
  check('ts: db:modify call with a db:query token gets 403', forbidden !== undefined,
    exchanges.slice(before).map((e) => `${e.method} ${e.url.pathname} ${e.status}`).join('; '));
  check('ts: 403 challenge says insufficient_scope and names db:modify',
    stepUp.error === 'insufficient_scope' && (stepUp.scope ?? '').split(' ').includes('db:modify'),
    `WWW-Authenticate: ${forbidden?.wwwAuthenticate}`);
  check('ts: 403 challenge names the PRM URL', stepUp.resource_metadata === `${mcpUrl.origin}${prmPath}`,
    `WWW-Authenticate: ${forbidden?.wwwAuthenticate}`);
  const auth2 = provider.authorizeUrls[1];
  check('ts: client re-authorized asking for db:modify',
    (auth2?.searchParams.get('scope') ?? '').split(' ').includes('db:modify'), auth2?.href);
  check('ts: db:modify call succeeds after step-up and returns the inserted row',
    inserted?.isError !== true && JSON.stringify(inserted?.structuredContent ?? {}).includes('TS Interop'),
    JSON.stringify(inserted).slice(0, 400));
  if (opts.consent) {
    const page = provider.consentPages[1];
    check('ts: second consent page offers db:modify, ticked, with execute',
      (page?.scopes ?? []).some((sc) => sc.name === 'db:modify' && sc.checked) && page.html.includes('execute'),
      JSON.stringify(page?.scopes));
  }
  const claims2 = jwtPayload(provider.tokens()?.access_token ?? '');
  check('ts: new token carries db:modify', (claims2?.scope ?? '').split(' ').includes('db:modify'),
    JSON.stringify(claims2));

  // The stepped-up token may carry only db:modify: the server must honour db:modify ⊇ db:query.
  const readBack = await client.callTool({
    name: 'query',
    arguments: { sql: 'SELECT name FROM customers WHERE email = ?', params: [email] },
  });
  check('ts: inserted row reads back with the stepped-up token (scope implication)',
    readBack.isError !== true && JSON.stringify(readBack).includes('TS Interop'), JSON.stringify(readBack).slice(0, 400));

  // A change without RETURNING: the SDK validates structuredContent against the tool's outputSchema.
  try {
    const updated = await client.callTool({
      name: 'execute',
      arguments: { sql: "UPDATE customers SET country = 'BE' WHERE email = ?", params: [email] },
    });
    check('ts: execute without RETURNING succeeds (structuredContent matches outputSchema)',
      updated.isError !== true && updated.structuredContent?.rows_affected === 1, JSON.stringify(updated).slice(0, 400));
  } catch (err) {
    check('ts: execute without RETURNING succeeds (structuredContent matches outputSchema)', false, err.message);
  }
  await client.close();

  // 4. A db:admin resource with the db:query token, on a second connection of the same registered
  // client: resources/read gets 403 insufficient_scope naming db:admin, the client re-authorizes
  // (with --consent: a consent page offering db:admin), and the read succeeds.
  const adminProvider = new HeadlessProvider();
  adminProvider.saveClientInformation(registered);
  adminProvider.saveTokens(queryTokens);
  const adminTransport = new StreamableHTTPClientTransport(mcpUrl, { authProvider: adminProvider, fetch: recordingFetch });
  const admin = new Client({ name: 'interop-ts', version: '1.0.0' });
  await admin.connect(adminTransport);
  const beforeRead = exchanges.length;
  const settings = await withAuthorization(adminTransport, () => admin.readResource({ uri: 'db://settings' }),
    adminProvider);
  const readRefused = exchanges.slice(beforeRead).find((e) => e.status === 403);
  const readChallenge = bearerParams(readRefused?.wwwAuthenticate);
  check('ts: resources/read db://settings with the db:query token gets 403 insufficient_scope naming db:admin',
    readRefused?.authorization === `Bearer ${queryTokens?.access_token}`
      && (readRefused?.body ?? '').includes('"resources/read"')
      && readChallenge.error === 'insufficient_scope' && (readChallenge.scope ?? '').split(' ').includes('db:admin')
      && readChallenge.resource_metadata === `${mcpUrl.origin}${prmPath}`,
    exchanges.slice(beforeRead).map((e) => `${e.method} ${e.url.pathname} ${e.status} ${e.wwwAuthenticate ?? ''}`).join('; '));
  const auth3 = adminProvider.authorizeUrls[0];
  check('ts: client re-authorized asking for db:admin',
    (auth3?.searchParams.get('scope') ?? '').split(' ').includes('db:admin'), auth3?.href);
  if (opts.consent) {
    const page = adminProvider.consentPages[0];
    check('ts: the step-up consent page offers db:admin, ticked, with db://settings',
      (page?.scopes ?? []).some((sc) => sc.name === 'db:admin' && sc.checked) && page.html.includes('db://settings'),
      JSON.stringify(page?.scopes));
  }
  let stored = {};
  try {
    stored = JSON.parse(settings?.contents?.[0]?.text ?? '{}');
  } catch {
    stored = {};
  }
  check('ts: resources/read db://settings succeeds after the step-up (SQLite in WAL mode)',
    settings?.contents?.[0]?.mimeType === 'application/json' && stored.engine === 'sqlite' && stored.journal_mode === 'wal',
    JSON.stringify(settings).slice(0, 400));
  const claims3 = jwtPayload(adminProvider.tokens()?.access_token ?? '');
  check('ts: the stepped-up token carries db:admin', (claims3?.scope ?? '').split(' ').includes('db:admin'),
    JSON.stringify(claims3));
  await admin.close();
} catch (err) {
  crashed('ts: client flow', err);
  for (const e of exchanges) {
    console.log(`  ${e.method} ${e.url.href} -> ${e.status} ${e.wwwAuthenticate ?? ''}`);
  }
}

process.exit(exitCode());
