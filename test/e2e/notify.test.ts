import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listFilesRec, queryFile } from '../integration/helpers.js';
import { etlxAsync, writeProject } from './async-cli.js';
import { ensureBuilt, readJson, removeTempDirs, STACK_LINE } from './helpers.js';

interface Received {
  readonly path: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

/** A real HTTP server on 127.0.0.1: /ok answers 200, /flaky 500 then 200, /hang never answers. */
class HookServer {
  readonly received: Received[] = [];
  private readonly server: http.Server;
  private flakyCalls = 0;
  port = 0;
  constructor() {
    this.server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        this.received.push({ path: req.url ?? '', headers: req.headers, body });
        if ((req.url ?? '').startsWith('/hang')) return;
        if (req.url === '/flaky' && this.flakyCalls++ === 0) {
          res.writeHead(500).end('try later');
          return;
        }
        res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      });
    });
  }
  start(): Promise<void> {
    return new Promise((resolve) => this.server.listen(0, '127.0.0.1', () => ((this.port = (this.server.address() as AddressInfo).port), resolve())));
  }
  url(p: string): string {
    return `http://127.0.0.1:${this.port}${p}`;
  }
  bodies(p: string): Record<string, unknown>[] {
    return this.received.filter((r) => r.path === p).map((r) => JSON.parse(r.body) as Record<string, unknown>);
  }
  stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** A port nothing listens on: bound, then released. */
async function closedPort(): Promise<number> {
  const s = http.createServer();
  await new Promise<void>((resolve) => s.listen(0, '127.0.0.1', () => resolve()));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

const server = new HookServer();
beforeAll(async () => {
  ensureBuilt();
  await server.start();
});
afterAll(async () => {
  await server.stop();
  removeTempDirs();
});

const SECRET = 'hook-token-5f3e9a1c7d';
const FAST = { ETLX_NOTIFY_TIMEOUT_MS: '300', ETLX_NOTIFY_BACKOFF_MS: '20' };

function project(notify: string, opts: { failing?: boolean } = {}): string {
  return writeProject({
    'etlx.yml': `name: alerts\nmodels:\n  materialized: table\nnotify:\n${notify}\n`,
    'seeds/codes.csv': 'code\na\nb\n',
    'models/good.sql': 'select * from {{ref "codes"}}\n',
    ...(opts.failing ? { 'models/bad.sql': 'select *\nfrom {{ref "codes"}}\nwhere no_such_column = 1\n' } : {}),
  });
}

async function deliveries(d: string): Promise<Record<string, unknown>[]> {
  return queryFile(path.join(d, 'alerts.duckdb'), 'select notification, target, status, attempts, error from etlx_meta.notifications order by notification');
}

describe('notify: webhooks and commands at the end of a run (spawned CLI, real HTTP server)', () => {
  it('a 500 then a 200: delivered on the 2nd try; the document has the contract shape; the secret header is sent but never shown or stored', async () => {
    const d = project(`  - name: team-hook\n    webhook: ${server.url('/flaky')}\n    headers: {Authorization: 'Bearer {{env "HOOK_TOKEN"}}'}`, { failing: true });
    const r = await etlxAsync(['build'], d, { HOOK_TOKEN: SECRET, ...FAST });
    expect(r.stdout + r.stderr).not.toMatch(STACK_LINE);
    expect(r.code).toBe(1);
    const calls = server.received.filter((x) => x.path === '/flaky');
    expect(calls).toHaveLength(2);
    expect(calls[1]!.headers.authorization).toBe(`Bearer ${SECRET}`);
    expect(calls[1]!.headers['content-type']).toBe('application/json');
    const doc = server.bodies('/flaky')[1]!;
    const rr = readJson<{ metadata: { invocation_id: string } }>(path.join(d, 'target', 'run_results.json'));
    expect(doc).toMatchObject({
      schema: 'etlx/notification/v1',
      project: 'alerts',
      target: 'default',
      command: 'build',
      status: 'error',
      invocation_id: rr.metadata.invocation_id,
      counts: { success: 2, error: 1 },
      warnings: [],
    });
    expect(Object.keys(doc).sort()).toEqual(['command', 'completed_at', 'counts', 'elapsed', 'failures', 'invocation_id', 'project', 'schema', 'started_at', 'status', 'target', 'warnings']);
    expect(typeof doc.elapsed).toBe('number');
    expect(Date.parse(String(doc.completed_at))).toBeGreaterThanOrEqual(Date.parse(String(doc.started_at)));
    const failures = doc.failures as Record<string, unknown>[];
    expect(failures).toHaveLength(1);
    expect(Object.keys(failures[0]!).sort()).toEqual(['file', 'line', 'message', 'name', 'resource_type', 'status', 'unique_id']);
    expect(failures[0]).toMatchObject({ unique_id: 'model.alerts.bad', name: 'bad', resource_type: 'model', status: 'error', file: 'models/bad.sql', line: 3 });
    expect(String(failures[0]!.message)).toMatch(/Binder Error/);
    expect(r.stdout + r.stderr).not.toMatch(/not delivered/);
    expect(await deliveries(d)).toEqual([{ notification: 'team-hook', target: server.url('/flaky'), status: 'delivered', attempts: 2, error: null }]);
    // The secret appears nowhere etlx writes: output, target/ (artifacts, logs) or etlx_meta.
    expect(r.stdout + r.stderr).not.toContain(SECRET);
    for (const f of listFilesRec(path.join(d, 'target'))) expect(fs.readFileSync(path.join(d, 'target', f), 'utf8'), f).not.toContain(SECRET);
    for (const t of ['invocations', 'node_results', 'notifications']) {
      expect(JSON.stringify(await queryFile(path.join(d, 'alerts.duckdb'), `select * from etlx_meta.${t}`), (_k, v: unknown) => (typeof v === 'bigint' ? Number(v) : v))).not.toContain(SECRET);
    }
  });

  it('a server that hangs past the timeout: 3 tries, a warning naming the notification and its URL (no credentials), exit code unchanged', async () => {
    const url = server.url('/hang').replace('http://', 'http://ops:pa55word@');
    const d = project(`  - name: slow-hook\n    on: [success]\n    webhook: ${url}?token=query-secret`);
    const r = await etlxAsync(['build'], d, FAST);
    expect(r.code).toBe(0);
    expect(server.received.filter((x) => x.path === '/hang?token=query-secret')).toHaveLength(3);
    expect(r.stderr).toContain(`notification slow-hook to ${server.url('/hang')} was not delivered after 3 tries: no answer within 0.3s`);
    expect(r.stdout + r.stderr).not.toMatch(/pa55word|query-secret/);
    expect(await deliveries(d)).toEqual([{ notification: 'slow-hook', target: server.url('/hang'), status: 'failed', attempts: 3, error: 'no answer within 0.3s' }]);
    expect(readJson<{ exit_code: number }>(path.join(d, 'target', 'run_results.json')).exit_code).toBe(0);
  });

  it('a refused connection: a warning, recorded as failed, exit code unchanged', async () => {
    const port = await closedPort();
    const d = project(`  - webhook: http://127.0.0.1:${port}/hook`, { failing: true });
    const r = await etlxAsync(['build'], d, FAST);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`notification notify[0] to http://127.0.0.1:${port}/hook was not delivered after 3 tries: connection refused`);
    expect(await deliveries(d)).toEqual([{ notification: 'notify[0]', target: `http://127.0.0.1:${port}/hook`, status: 'failed', attempts: 3, error: 'connection refused' }]);
  });

  it('a command gets the document on stdin; one that exits non-zero is a warning naming argv[0], not a failed run', async () => {
    const node = process.execPath;
    const d = project(
      [
        '  - name: archive',
        '    on: [success, error]',
        `    command: [${JSON.stringify(node)}, -e, "require('fs').writeFileSync('received.json', require('fs').readFileSync(0))"]`,
        '  - name: pager',
        '    on: [success]',
        `    command: [${JSON.stringify(node)}, -e, "process.stdin.resume(); process.stdin.on('end', () => { console.error('pager is down'); process.exit(3) })"]`,
        '  - name: missing',
        '    on: [success]',
        '    command: [./ops/no-such-script.sh]',
      ].join('\n'),
    );
    const r = await etlxAsync(['build'], d);
    expect(r.code).toBe(0);
    const doc = readJson<Record<string, unknown>>(path.join(d, 'received.json'));
    expect(doc).toMatchObject({ schema: 'etlx/notification/v1', status: 'success', failures: [], counts: { success: 2 } });
    expect(r.stderr).toContain(`notification pager to ${node} was not delivered: exit code 3: pager is down`);
    expect(r.stderr).toContain('notification missing to ./ops/no-such-script.sh was not delivered: ./ops/no-such-script.sh not found');
    expect(await deliveries(d)).toEqual([
      { notification: 'archive', target: node, status: 'delivered', attempts: 1, error: null },
      { notification: 'missing', target: './ops/no-such-script.sh', status: 'failed', attempts: 1, error: './ops/no-such-script.sh not found' },
      { notification: 'pager', target: node, status: 'failed', attempts: 1, error: 'exit code 3: pager is down' },
    ]);
  });

  it('on filters by the run status (default [error]); format: slack sends {"text": ...}', async () => {
    const notify = [
      `  - name: default-on\n    webhook: ${server.url('/default')}`,
      `  - name: on-success\n    on: success\n    webhook: ${server.url('/success')}\n    format: slack`,
      `  - name: on-warn\n    on: [warn]\n    webhook: ${server.url('/warn')}`,
    ].join('\n');
    const ok = project(notify);
    expect((await etlxAsync(['build'], ok)).code).toBe(0);
    expect(server.received.filter((x) => x.path === '/default')).toHaveLength(0);
    expect(server.received.filter((x) => x.path === '/warn')).toHaveLength(0);
    const slack = server.bodies('/success');
    expect(slack).toHaveLength(1);
    expect(Object.keys(slack[0]!)).toEqual(['text']);
    expect(String(slack[0]!.text)).toMatch(/^etlx build of alerts on default: success in \d+\.\ds \(2 success\)/);
    const bad = project(notify, { failing: true });
    expect((await etlxAsync(['build'], bad)).code).toBe(1);
    expect(server.bodies('/default').map((b) => b.status)).toEqual(['error']);
    expect(server.received.filter((x) => x.path === '/success')).toHaveLength(1);
    expect(server.received.filter((x) => x.path === '/warn')).toHaveLength(0);
  });

  it('a notification with both webhook and command, or a bad URL, is exit 2 with file and line before anything runs', async () => {
    const d = project(`  - webhook: ${server.url('/ok')}\n    command: [echo]\n  - webhook: hooks.example.com`);
    const r = await etlxAsync(['build'], d);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/etlx\.yml:5.*notify\[0\] in etlx\.yml: a notification has either webhook: or command:, and not both/);
    expect(r.stderr).toMatch(/notify\[1\] in etlx\.yml: webhook must be an http:\/\/ or https:\/\/ URL/);
    expect(fs.existsSync(path.join(d, 'alerts.duckdb'))).toBe(false);
  });
});
