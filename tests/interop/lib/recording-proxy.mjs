// A loopback reverse proxy that records every exchange passing through it, for peers whose HTTP the
// harness cannot hook (the Inspector CLI runs as its own process). Requests and replies pass
// untouched, Host and Origin included, so the server's checks see what the peer sent; bodies are
// buffered (MCP POSTs and their JSON or SSE replies are small).
//
// Use: const proxy = await startRecordingProxy(targetUrl); … proxy.exchanges …; await proxy.close();

import { createServer, request } from 'node:http';

/**
 * Starts the proxy on 127.0.0.1 and a free port, forwarding to `target` (an origin).
 * Each exchange: { method, path, rpcMethod, authorization ('Bearer' | other scheme | null), status,
 * wwwAuthenticate, contentType }.
 */
export function startRecordingProxy(target) {
  const upstreamUrl = new URL(target);
  const exchanges = [];
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (chunk) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      let rpcMethod = null;
      try {
        rpcMethod = JSON.parse(body.toString('utf8'))?.method ?? null;
      } catch {
        rpcMethod = null;
      }
      const exchange = {
        method: req.method,
        path: req.url,
        rpcMethod,
        authorization: req.headers.authorization?.split(' ')[0] ?? null,
        status: null,
        wwwAuthenticate: null,
        contentType: null,
      };
      exchanges.push(exchange);
      const upstream = request(
        { host: upstreamUrl.hostname, port: upstreamUrl.port, method: req.method, path: req.url, headers: req.headers },
        (reply) => {
          exchange.status = reply.statusCode ?? null;
          exchange.wwwAuthenticate = reply.headers['www-authenticate'] ?? null;
          exchange.contentType = reply.headers['content-type'] ?? null;
          res.writeHead(reply.statusCode ?? 502, reply.rawHeaders);
          reply.pipe(res);
        },
      );
      upstream.on('error', (err) => {
        exchange.status = 502;
        if (!res.headersSent) {
          res.writeHead(502, { 'content-type': 'text/plain' });
        }
        res.end(`proxy: ${err.message}`);
      });
      upstream.end(body);
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      resolve({
        url: `http://127.0.0.1:${server.address().port}`,
        exchanges,
        close: () => new Promise((done) => {
          server.closeAllConnections?.();
          server.close(() => done());
        }),
      });
    });
  });
}
