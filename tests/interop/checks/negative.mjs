// Tokens the db server must refuse, presented by a real client (the TypeScript SDK with a fixed
// bearer header): one from another issuer (a second oidc-provider signing with the same trusted key,
// so only `iss` is wrong), one for another audience (the real issuer, another resource indicator),
// and an expired one (signed with the real issuer's key, `exp` ten minutes ago, beyond any leeway).
// Each must get 401 with `error="invalid_token"`. A control token minted the same way as the
// expired one but still valid must be accepted, so the refusals are about the claim under test.
//
// Usage: node negative.mjs --mcp URL --issuer URL --other-issuer URL --other-resource URL --key-dir DIR

import { createPrivateKey, createSign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

import { obtainToken } from '../lib/oauth-flow.mjs';
import { bearerParams, check, crashed, exitCode, jwtPayload } from '../lib/report.mjs';

const { values: opts } = parseArgs({
  options: {
    mcp: { type: 'string' },
    issuer: { type: 'string' },
    'other-issuer': { type: 'string' },
    'other-resource': { type: 'string' },
    'key-dir': { type: 'string' },
  },
});

/** A JWT access token signed with the authorization server's own key (as oidc-provider shapes them). */
function mintWithIssuerKey(claims) {
  const jwk = JSON.parse(readFileSync(join(opts['key-dir'], 'as-signing-key.json'), 'utf8'));
  const key = createPrivateKey({ key: jwk, format: 'jwk' });
  const header = { alg: 'RS256', typ: 'at+jwt', kid: jwk.kid };
  const encode = (v) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const input = `${encode(header)}.${encode(claims)}`;
  const signature = createSign('RSA-SHA256').update(input).sign(key).toString('base64url');
  return `${input}.${signature}`;
}

/** Connects and lists tools with `token`; returns the first MCP response seen and the outcome. */
async function present(token) {
  const seen = [];
  const transport = new StreamableHTTPClientTransport(new URL(opts.mcp), {
    requestInit: { headers: { Authorization: `Bearer ${token}` } },
    fetch: async (input, init) => {
      const response = await fetch(input, init);
      seen.push({ status: response.status, wwwAuthenticate: response.headers.get('www-authenticate') });
      return response;
    },
  });
  const client = new Client({ name: 'interop-negative', version: '1.0.0' });
  let outcome;
  try {
    await client.connect(transport);
    const { tools } = await client.listTools();
    outcome = `connected, ${tools.length} tools`;
  } catch (err) {
    outcome = `refused: ${err.message}`;
  } finally {
    await client.close().catch(() => {});
  }
  return { first: seen[0], outcome };
}

/** Expects a 401 invalid_token whose `error_description` names the claim under test. */
async function expectInvalidToken(name, token, description) {
  const { first, outcome } = await present(token);
  const challenge = bearerParams(first?.wwwAuthenticate);
  const prm = `${new URL(opts.mcp).origin}/.well-known/oauth-protected-resource${new URL(opts.mcp).pathname}`;
  check(`negative: ${name} gets 401 error="invalid_token" with the PRM URL`,
    first?.status === 401 && challenge.error === 'invalid_token' && challenge.resource_metadata === prm,
    `status ${first?.status}, WWW-Authenticate: ${first?.wwwAuthenticate}; client: ${outcome}; claims ${JSON.stringify(jwtPayload(token))}`);
  check(`negative: ${name} is refused because ${description}`, challenge.error_description === description,
    `WWW-Authenticate: ${first?.wwwAuthenticate}`);
  check(`negative: the client could not use the ${name}`, outcome.startsWith('refused'), outcome);
}

try {
  const now = Math.floor(Date.now() / 1000);
  const base = { sub: 'interop-user', scope: 'db:query', client_id: 'harness', iss: opts.issuer, aud: opts.mcp };

  const control = mintWithIssuerKey({ ...base, jti: 'control', iat: now, exp: now + 300 });
  const accepted = await present(control);
  check('negative: control token (issuer key, valid claims) is accepted', accepted.first?.status === 200 && accepted.outcome.startsWith('connected'),
    `status ${accepted.first?.status}, ${accepted.outcome}`);

  const foreign = await obtainToken({ issuer: opts['other-issuer'], resource: opts.mcp, scope: 'db:query' });
  const foreignClaims = jwtPayload(foreign);
  check('negative: other issuer\'s token differs from ours only in iss',
    foreignClaims?.iss === opts['other-issuer'] && foreignClaims?.aud === opts.mcp, JSON.stringify(foreignClaims));
  await expectInvalidToken('token from another issuer', foreign, 'the token was issued by another issuer');

  const otherAudience = await obtainToken({ issuer: opts.issuer, resource: opts['other-resource'], scope: 'db:query' });
  const otherClaims = jwtPayload(otherAudience);
  check('negative: other-audience token comes from our issuer for the other resource',
    otherClaims?.iss === opts.issuer && otherClaims?.aud === opts['other-resource'], JSON.stringify(otherClaims));
  await expectInvalidToken('token for another audience', otherAudience, 'the token was issued for another audience');

  await expectInvalidToken('expired token', mintWithIssuerKey({ ...base, jti: 'expired', iat: now - 1200, exp: now - 600 }),
    'the token has expired');
} catch (err) {
  crashed('negative: checks', err);
}

process.exit(exitCode());
