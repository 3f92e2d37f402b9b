/**
 * etlx docs serve, spawned from the built CLI: generates the site when missing, serves it on
 * 127.0.0.1, refuses paths outside the site (plain and encoded traversal), and exits 0 on SIGINT.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, copyDemo, ensureBuilt, etlx, removeTempDirs } from './helpers.js';

/** A raw GET: the path is sent exactly as given (no client-side normalisation of `..`). */
function get(port: number, rawPath: string): Promise<{ status: number; body: string; type: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, path: rawPath, method: 'GET' }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, type: String(res.headers['content-type'] ?? '') }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('etlx docs serve', () => {
  let dir: string;
  let child: ChildProcess;
  let port = 0;
  let output = '';
  const exited = new Promise<number | null>((resolve) => {
    const wait = setInterval(() => {
      if (child) {
        clearInterval(wait);
        child.on('exit', (code) => resolve(code));
      }
    }, 10);
  });

  beforeAll(async () => {
    ensureBuilt();
    dir = copyDemo();
    const b = etlx(['build'], dir);
    expect(b.code, b.stdout + b.stderr).toBe(0);
    expect(fs.existsSync(path.join(dir, 'target', 'docs', 'index.html'))).toBe(false);
    fs.writeFileSync(path.join(dir, 'target', 'secret.txt'), 'outside the site');
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'etlx-serve-home-'));
    child = spawn(process.execPath, [BIN, 'docs', 'serve', '--port', '0'], { cwd: dir, env: { ...process.env, HOME: home, NO_COLOR: '1' } });
    child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    // Wait for the "Serving ... at http://127.0.0.1:<port>/" line, however long it takes.
    for (let i = 0; i < 1200 && !/Serving .* at http:\/\/127\.0\.0\.1:(\d+)\//.test(output); i++) await new Promise((r) => setTimeout(r, 50));
    port = Number(/at http:\/\/127\.0\.0\.1:(\d+)\//.exec(output)?.[1]);
    expect(port, output).toBeGreaterThan(0);
  });

  afterAll(() => {
    if (child && child.exitCode === null) child.kill('SIGKILL');
    removeTempDirs();
  });

  it('generated the missing site first, and serves it', async () => {
    expect(output).toMatch(/Generated the docs site/);
    const r = await get(port, '/');
    expect(r.status).toBe(200);
    expect(r.type).toMatch(/text\/html/);
    expect(r.body).toContain('id="etlx-data"');
    expect((await get(port, '/index.html')).status).toBe(200);
    expect((await get(port, '/nope.html')).status).toBe(404);
  });

  it.each(['/../secret.txt', '/%2e%2e/secret.txt', '/..%2fsecret.txt', '/%2E%2E%2Fsecret.txt', '/docs/../../secret.txt', '/..%5csecret.txt', '/%2e%2e%2f%2e%2e%2fetlx.yml', '/a%00.html', '/%E0%A4%A'])('refuses %s', async (p) => {
    const r = await get(port, p);
    expect(r.status).toBe(403);
    expect(r.body).not.toContain('outside the site');
  });

  it('exits 0 on SIGINT', async () => {
    child.kill('SIGINT');
    expect(await exited).toBe(0);
  });
});
