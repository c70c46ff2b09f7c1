// A loopback reverse proxy that adds `Authorization: Bearer <token>` to every request, for peers
// that cannot send one (the conformance suite). Everything else passes through untouched, the Host
// and Origin headers included, so the server's DNS-rebinding checks see what the peer sent; replies
// (SSE streams too) are piped as they arrive.
//
// Usage: node bearer-proxy.mjs --port N --target http://127.0.0.1:M --token-file FILE [--ready-file FILE]

import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, request } from 'node:http';
import { parseArgs } from 'node:util';

const { values: opts } = parseArgs({
  options: {
    port: { type: 'string' },
    target: { type: 'string' },
    'token-file': { type: 'string' },
    'ready-file': { type: 'string' },
  },
});
const target = new URL(opts.target);
const token = readFileSync(opts['token-file'], 'utf8').trim();

const server = createServer((req, res) => {
  const headers = { ...req.headers, authorization: `Bearer ${token}` };
  const upstream = request(
    { host: target.hostname, port: target.port, method: req.method, path: req.url, headers },
    (reply) => {
      res.writeHead(reply.statusCode ?? 502, reply.rawHeaders);
      reply.pipe(res);
    },
  );
  upstream.on('error', (err) => {
    if (!res.headersSent) {
      res.writeHead(502, { 'content-type': 'text/plain' });
    }
    res.end(`proxy: ${err.message}`);
  });
  res.on('close', () => upstream.destroy());
  req.pipe(upstream);
});

server.listen(Number(opts.port), '127.0.0.1', () => {
  if (opts['ready-file']) {
    writeFileSync(opts['ready-file'], `http://127.0.0.1:${server.address().port}`);
  }
});

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => process.exit(0));
}
