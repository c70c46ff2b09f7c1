// A stand-in authorization server for the benchmark, on loopback only: an RSA-2048 key made at
// start, its JWK set at /jwks, RFC 8414 / OIDC metadata naming it, and GET /token?aud=…&scope=…
// minting an RS256 access token (`typ: at+jwt`, two hours) for the given audience and scopes.
// Both the mcp-scopes servers and the TypeScript SDK peer fetch /jwks, as they would from a real
// issuer. It writes its URL to the file named by its first argument once it listens.
//
//   node bench/issuer.mjs URL_FILE
import { createSign, generateKeyPairSync, randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import http from 'node:http';

const urlFile = process.argv[2];
if (!urlFile) {
  console.error('usage: node bench/issuer.mjs URL_FILE');
  process.exit(2);
}
const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const kid = 'bench-rs256';
const jwks = JSON.stringify({
  keys: [{ ...publicKey.export({ format: 'jwk' }), kid, alg: 'RS256', use: 'sig' }],
});
const b64url = (value) => Buffer.from(value).toString('base64url');

function mint(issuer, audience, scope) {
  const now = Math.floor(Date.now() / 1000);
  const header = b64url(JSON.stringify({ alg: 'RS256', typ: 'at+jwt', kid }));
  const payload = b64url(JSON.stringify({
    iss: issuer, sub: 'bench-user', aud: audience, azp: 'bench-client', client_id: 'bench-client',
    scope, iat: now, nbf: now, exp: now + 7200, jti: randomUUID(),
  }));
  const signer = createSign('RSA-SHA256');
  signer.update(`${header}.${payload}`);
  return `${header}.${payload}.${signer.sign(privateKey).toString('base64url')}`;
}

const server = http.createServer((req, res) => {
  const issuer = `http://127.0.0.1:${server.address().port}`;
  const url = new URL(req.url, issuer);
  const json = (status, body) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(typeof body === 'string' ? body : JSON.stringify(body));
  };
  switch (url.pathname) {
    case '/jwks':
      return json(200, jwks);
    case '/.well-known/oauth-authorization-server':
    case '/.well-known/openid-configuration':
      return json(200, { issuer, jwks_uri: `${issuer}/jwks`, token_endpoint: `${issuer}/token` });
    case '/token': {
      const audience = url.searchParams.get('aud');
      const scope = url.searchParams.get('scope') ?? '';
      if (!audience) return json(400, { error: 'invalid_request', error_description: 'aud is required' });
      res.writeHead(200, { 'content-type': 'text/plain' });
      return res.end(mint(issuer, audience, scope));
    }
    default:
      return json(404, { error: 'not_found' });
  }
});
server.listen(0, '127.0.0.1', () => {
  writeFileSync(urlFile, `http://127.0.0.1:${server.address().port}\n`);
});
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => server.close(() => process.exit(0)));
