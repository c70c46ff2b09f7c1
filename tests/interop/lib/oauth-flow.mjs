// Gets an access token from an authorization server the way an MCP client would, for checks that
// need a token but do not test a client's own OAuth code (the Inspector CLI with a bearer header, the
// negative checks): discovery, dynamic registration, authorization code + PKCE with a resource
// indicator, token request.

import { createHash, randomBytes } from 'node:crypto';

import { followAuthorization } from './browser.mjs';

const REDIRECT = 'http://127.0.0.1:9/harness-callback';

async function json(response, what) {
  const text = await response.text();
  if (!response.ok) {
    throw new Error(`${what}: HTTP ${response.status}: ${text.slice(0, 300)}`);
  }
  return JSON.parse(text);
}

/** An access token from `issuer` for `resource` with `scope` (space-separated). */
export async function obtainToken({ issuer, resource, scope }) {
  const metadata = await json(
    await fetch(`${issuer}/.well-known/oauth-authorization-server`),
    'authorization server metadata',
  );
  const client = await json(
    await fetch(metadata.registration_endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        client_name: 'mcp-scopes interop harness',
        redirect_uris: [REDIRECT],
        grant_types: ['authorization_code'],
        response_types: ['code'],
        token_endpoint_auth_method: 'none',
      }),
    }),
    'registration',
  );
  const verifier = randomBytes(32).toString('base64url');
  const authorize = new URL(metadata.authorization_endpoint);
  for (const [k, v] of Object.entries({
    response_type: 'code',
    client_id: client.client_id,
    redirect_uri: REDIRECT,
    scope,
    resource,
    state: randomBytes(8).toString('hex'),
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  })) {
    authorize.searchParams.set(k, v);
  }
  const result = await followAuthorization(authorize.href, REDIRECT);
  if (!result.code) {
    throw new Error(`authorization failed: ${result.error} ${result.error_description ?? ''}`);
  }
  const tokens = await json(
    await fetch(metadata.token_endpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: result.code,
        redirect_uri: REDIRECT,
        client_id: client.client_id,
        code_verifier: verifier,
        resource,
      }),
    }),
    'token request',
  );
  return tokens.access_token;
}
