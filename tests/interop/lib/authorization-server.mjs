// A real OAuth 2.1 authorization server for the interop harness: oidc-provider on loopback with
// dynamic client registration, authorization code + PKCE, RFC 8707 resource indicators giving
// RS256 JWT access tokens whose `aud` is the MCP resource, our custom scopes, and a login/consent
// that answers itself (no browser, no person): the clients follow the redirects with a cookie jar.
//
// Usage: node authorization-server.mjs --port N --resource URL --key-dir DIR [--ready-file FILE]
//        [--extra-resource URL] [--scopes "db:query db:modify db:admin"] [--default-scope db:query]
// --extra-resource names a second resource it issues tokens for (tokens with another audience, for
// negative checks). A second instance on another port with the same --key-dir issues tokens signed
// by the trusted key but from another issuer.
// The signing key is generated into --key-dir on first start and reused afterwards, so a restart
// never publishes a new key under an old `kid`.

import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { parseArgs } from 'node:util';

import Provider, { errors } from 'oidc-provider';

const { values: opts } = parseArgs({
  options: {
    port: { type: 'string' },
    resource: { type: 'string' },
    'extra-resource': { type: 'string' },
    'key-dir': { type: 'string' },
    'ready-file': { type: 'string' },
    scopes: { type: 'string', default: 'db:query db:modify db:admin' },
    'default-scope': { type: 'string', default: 'db:query' },
    account: { type: 'string', default: 'interop-user' },
  },
});
for (const required of ['port', 'resource', 'key-dir']) {
  if (!opts[required]) {
    console.error(`authorization-server: missing --${required}`);
    process.exit(2);
  }
}

const port = Number(opts.port);
const issuer = `http://127.0.0.1:${port}`;
const resource = opts.resource;
const resources = new Set([resource, opts['extra-resource']].filter(Boolean));
const resourceScopes = opts.scopes.split(' ').filter(Boolean);

/** The RS256 signing key as a private JWK, created once per key directory. */
function signingKey(dir) {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'as-signing-key.json');
  if (existsSync(file)) {
    return JSON.parse(readFileSync(file, 'utf8'));
  }
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...privateKey.export({ format: 'jwk' }), kid: randomUUID(), alg: 'RS256', use: 'sig' };
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(jwk), { mode: 0o600 });
  renameSync(tmp, file);
  return jwk;
}

const provider = new Provider(issuer, {
  jwks: { keys: [signingKey(opts['key-dir'])] },
  // The resource scopes must be known at the top level too, or a registration naming them fails
  // with invalid_client_metadata.
  scopes: ['openid', ...resourceScopes],
  findAccount: (_ctx, id) => ({ accountId: id, claims: () => ({ sub: id }) }),
  // No refresh tokens: a client holding one refreshes with its old scope on a 403 instead of
  // stepping up (see shared/docs/interop.md), which would test the client, not our server.
  issueRefreshToken: () => false,
  pkce: { required: () => true },
  // A client's registered `scope` limits what it may ask for later; MCP clients register with the
  // scopes of the first challenge and step up to others afterwards, so registration scope is
  // dropped (the `scope` "extra" metadata validator removes it) and every resource scope stays allowed.
  extraClientMetadata: {
    properties: ['scope'],
    validator: (_ctx, key, _value, metadata) => {
      if (key === 'scope') {
        delete metadata.scope;
      }
    },
  },
  features: {
    devInteractions: { enabled: false },
    registration: { enabled: true },
    resourceIndicators: {
      enabled: true,
      defaultResource: () => resource,
      useGrantedResource: () => true,
      getResourceServerInfo: (_ctx, indicator) => {
        if (!resources.has(indicator)) {
          throw new errors.InvalidTarget(`unknown resource ${indicator}`);
        }
        return {
          scope: resourceScopes.join(' '),
          audience: indicator,
          accessTokenTTL: 600,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg: 'RS256' } },
        };
      },
    },
  },
  interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
  ttl: { AccessToken: 600, AuthorizationCode: 60, Interaction: 300, Session: 3600, Grant: 3600 },
});
provider.proxy = false;

// A request that names no scope at all would end in access_denied: give it the default scope.
provider.use(async (ctx, next) => {
  if (ctx.path === '/auth' && ctx.method === 'GET' && !ctx.query.scope) {
    const query = new URLSearchParams(ctx.querystring);
    query.set('scope', opts['default-scope']);
    ctx.querystring = query.toString();
  }
  await next();
});

/** Headless login and consent: the account logs in at once and grants everything requested. */
async function interaction(req, res) {
  const details = await provider.interactionDetails(req, res);
  const { prompt, params, session } = details;
  if (prompt.name === 'login') {
    await provider.interactionFinished(req, res, { login: { accountId: opts.account } }, {
      mergeWithLastSubmission: false,
    });
    return;
  }
  if (prompt.name === 'consent') {
    const grant = details.grantId
      ? await provider.Grant.find(details.grantId)
      : new provider.Grant({ accountId: session.accountId, clientId: params.client_id });
    const missing = prompt.details;
    if (missing.missingOIDCScope) {
      grant.addOIDCScope(missing.missingOIDCScope.join(' '));
    }
    if (missing.missingOIDCClaims) {
      grant.addOIDCClaims(missing.missingOIDCClaims);
    }
    for (const [indicator, scopes] of Object.entries(missing.missingResourceScopes ?? {})) {
      grant.addResourceScope(indicator, scopes.join(' '));
    }
    const grantId = await grant.save();
    await provider.interactionFinished(req, res, { consent: { grantId } }, {
      mergeWithLastSubmission: true,
    });
    return;
  }
  res.statusCode = 400;
  res.end(`unexpected prompt ${prompt.name}`);
}

const callback = provider.callback();
const server = createServer((req, res) => {
  if (req.url.startsWith('/interaction/')) {
    interaction(req, res).catch((err) => {
      console.error('authorization-server: interaction failed:', err.message);
      if (!res.headersSent) {
        res.statusCode = 500;
        res.end('interaction failed');
      }
    });
    return;
  }
  callback(req, res);
});

provider.on('server_error', (_ctx, err) => console.error('authorization-server: server_error', err));

server.listen(port, '127.0.0.1', () => {
  console.error(`authorization-server: ${issuer} (resource ${resource})`);
  if (opts['ready-file']) {
    writeFileSync(opts['ready-file'], issuer);
  }
});

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => server.close(() => process.exit(0)));
}
