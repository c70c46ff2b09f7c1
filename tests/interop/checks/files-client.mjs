// The MCP TypeScript SDK's client against the files server (examples/files-server) in production
// mode, with tokens from the real authorization server: the metadata lists the guide's three
// scopes, a files:list token lists and searches, reading with it gets 403 insufficient_scope
// naming files:read, and a token with all three writes, reads back, refuses an escape and deletes.
//
// Usage: node files-client.mjs --mcp URL --issuer URL

import { parseArgs } from 'node:util';

import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';

import { obtainToken } from '../lib/oauth-flow.mjs';
import { bearerParams, check, crashed, exitCode } from '../lib/report.mjs';

const { values: opts } = parseArgs({
  options: { mcp: { type: 'string' }, issuer: { type: 'string' } },
});
const mcpUrl = new URL(opts.mcp);

async function connect(token) {
  const client = new Client({ name: 'mcp-scopes interop (files)', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(mcpUrl, {
    requestInit: { headers: { Authorization: `Bearer ${token}` } },
  });
  await client.connect(transport);
  return client;
}

try {
  const prm = await (await fetch(new URL('/.well-known/oauth-protected-resource/mcp', mcpUrl))).json();
  check('files: metadata lists files:list, files:read, files:write',
    ['files:list', 'files:read', 'files:write'].every((s) => (prm.scopes_supported ?? []).includes(s)),
    JSON.stringify(prm.scopes_supported));
  const unauthenticated = await fetch(mcpUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
  });
  const hint = bearerParams(unauthenticated.headers.get('www-authenticate'));
  check('files: 401 hints the baseline scope files:list',
    unauthenticated.status === 401 && hint.scope === 'files:list', `${unauthenticated.status} ${JSON.stringify(hint)}`);

  const lister = await obtainToken({ issuer: opts.issuer, resource: opts.mcp, scope: 'files:list' });
  const client = await connect(lister);
  const { tools } = await client.listTools();
  const names = tools.map((t) => t.name).sort();
  check('files: tools/list shows the eight tools',
    names.join(',') === 'create_directory,delete_path,list_directory,move_path,read_file,search_files,stat_path,write_file',
    names.join(','));
  const listing = await client.callTool({ name: 'list_directory', arguments: {} });
  check('files: list_directory with files:list returns the sample files (structuredContent)',
    listing.isError !== true && (listing.structuredContent?.entries ?? []).some((e) => e.name === 'README.md'),
    JSON.stringify(listing).slice(0, 400));
  const found = await client.callTool({ name: 'search_files', arguments: { pattern: '*.csv' } });
  check('files: search_files finds reports/2025-q3.csv',
    (found.structuredContent?.matches ?? []).some((m) => m.path === 'reports/2025-q3.csv'),
    JSON.stringify(found).slice(0, 400));
  await client.close();

  const forbidden = await fetch(mcpUrl, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${lister}`,
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': '2025-11-25',
    },
    body: JSON.stringify({
      jsonrpc: '2.0', id: 2, method: 'tools/call',
      params: { name: 'read_file', arguments: { path: 'README.md' } },
    }),
  });
  const stepUp = bearerParams(forbidden.headers.get('www-authenticate'));
  check('files: read_file with a files:list token gets 403 insufficient_scope naming files:read',
    forbidden.status === 403 && stepUp.error === 'insufficient_scope'
      && (stepUp.scope ?? '').split(' ').includes('files:read'),
    `${forbidden.status} ${JSON.stringify(stepUp)}`);

  const all = await obtainToken({ issuer: opts.issuer, resource: opts.mcp, scope: 'files:list files:read files:write' });
  const writer = await connect(all);
  const written = await writer.callTool({
    name: 'write_file', arguments: { path: 'notes/interop.txt', content: 'written by the TypeScript SDK\n' },
  });
  check('files: write_file with files:write creates the file', written.structuredContent?.created === true,
    JSON.stringify(written).slice(0, 400));
  const read = await writer.callTool({ name: 'read_file', arguments: { path: 'notes/interop.txt' } });
  check('files: read_file reads it back as text',
    read.structuredContent?.content === 'written by the TypeScript SDK\n' && read.structuredContent?.encoding === 'utf8',
    JSON.stringify(read).slice(0, 400));
  const escape = await writer.callTool({ name: 'read_file', arguments: { path: '../dev-signing-key.pem' } });
  check('files: a `..` path is refused as a tool error', escape.isError === true,
    JSON.stringify(escape).slice(0, 400));
  const deleted = await writer.callTool({ name: 'delete_path', arguments: { path: 'notes/interop.txt' } });
  check('files: delete_path removes it', deleted.isError !== true, JSON.stringify(deleted).slice(0, 400));
  await writer.close();
} catch (err) {
  crashed('files: checks', err);
}

process.exit(exitCode());
