/**
 * `etlx docs serve`: a static file server for target/docs on 127.0.0.1. It serves only files
 * inside the site folder: a request whose decoded path resolves outside it (`..`, `%2e%2e`,
 * an encoded slash or backslash, a NUL byte) is refused with 403, never read.
 */
import { createReadStream, statSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { EtlxError } from '../errors/diagnostic.js';

const TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

export interface DocsServer {
  readonly url: string;
  close(): Promise<void>;
}

/** The file a request path names inside `root`, or undefined when it would leave `root`. */
export function resolveInside(root: string, urlPath: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath.split('?')[0]!.split('#')[0]!);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return undefined;
  const rel = decoded.replace(/^\/+/, '');
  if (rel.split('/').some((part) => part === '..')) return undefined;
  const file = path.resolve(root, rel === '' ? 'index.html' : rel);
  const base = path.resolve(root);
  return file === base || file.startsWith(`${base}${path.sep}`) ? file : undefined;
}

export function serveSite(root: string, o: { port: number; host: string }): Promise<DocsServer> {
  const server = http.createServer((req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    const file = resolveInside(root, req.url ?? '/');
    if (!file) {
      res.writeHead(403, { 'content-type': 'text/plain; charset=utf-8' }).end('forbidden: outside the docs site\n');
      return;
    }
    let target = file;
    try {
      if (statSync(target).isDirectory()) target = path.join(target, 'index.html');
      statSync(target);
    } catch {
      res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('not found\n');
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[path.extname(target)] ?? 'application/octet-stream', 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff' });
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    createReadStream(target).pipe(res);
  });
  return new Promise((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      reject(
        new EtlxError({
          code: 'E_DOCS_SERVE',
          message: `cannot serve the docs on ${o.host}:${o.port}: ${e.code === 'EADDRINUSE' ? 'the port is in use' : e.message}`,
          hint: 'pick another port with --port',
        }),
      );
    });
    server.listen(o.port, o.host, () => {
      const a = server.address();
      const port = typeof a === 'object' && a ? a.port : o.port;
      const host = o.host.includes(':') ? `[${o.host}]` : o.host;
      resolve({
        url: `http://${host}:${port}/`,
        close: () => new Promise<void>((done) => {
          server.close(() => done());
          server.closeAllConnections();
        }),
      });
    });
  });
}
