/**
 * etlx on a real ClickHouse server (Debian's clickhouse-server 18.16, started by the harness):
 * every kind, tests, history and docs; a failed table build leaves the old table; a password
 * read with {{env}} appears nowhere; the advisory lock. Runs in CI (.ci/run installs the server).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import http from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chQuery, PASSWORD_USER, PASSWORD_USER_SECRET, startClickHouse, type ClickHouseServer } from '../support/clickhouse.js';
import { count, leftovers, projectFiles, SEED_ROWS } from './clickhouse-project.js';
import { TestProject } from './helpers.js';

let server: ClickHouseServer;
let p: TestProject;
const ENV = { CH_PASSWORD: PASSWORD_USER_SECRET };

beforeAll(async () => {
  server = await startClickHouse();
  const profile = `chs:\n  target: ch\n  outputs:\n    ch:\n      type: clickhouse\n      url: ${server.url}\n      user: ${PASSWORD_USER}\n      password: '{{env "CH_PASSWORD"}}'\n      database: shop\n`;
  p = new TestProject('chs', projectFiles(profile));
}, 120_000);
afterAll(async () => {
  p?.cleanup();
  await server?.stop();
});

const q = (sql: string) => chQuery(server.url, sql);

describe('a ClickHouse server', () => {
  it('builds every kind, runs the tests, and leaves nothing in etlx_tmp', async () => {
    const r = await p.runWithEnv(ENV, 'build');
    expect(r.code, r.output).toBe(0);
    expect(r.output).toContain('the compile-time SQL check is skipped on clickhouse targets');
    expect(p.statuses()).toMatchObject({
      stg_orders: 'success', customers: 'success', big_orders: 'success', cust_totals: 'success', events_keyed: 'success', events_log: 'success',
      no_negative: 'pass', unique_cust_totals_id: 'pass', relationships_stg_orders_customer_id: 'pass', no_nulls_cust_totals_name: 'warn',
    });
    expect(await count(server.url, 'shop.stg_orders')).toBe(100);
    expect(await count(server.url, 'shop.customers')).toBe(SEED_ROWS);
    // The ephemeral model is inlined: big_orders is a view over stg_orders.
    expect((await q("select engine from system.tables where database = 'shop' and name = 'big_orders'"))[0]!.engine).toBe('View');
    expect(await count(server.url, 'shop.big_orders')).toBe(49);
    // Seed types come from DuckDB's reader; a column with empty fields is Nullable.
    const types = Object.fromEntries((await q("select name, type from system.columns where database = 'shop' and table = 'customers'")).map((c) => [c.name, c.type]));
    expect(types).toEqual({ id: 'Int64', name: 'Nullable(String)', signup: 'Date' });
    // Table config: ORDER BY and PARTITION BY from the model's config.
    const ddl = String((await q('show create table shop.stg_orders'))[0]!.statement);
    expect(ddl).toMatch(/ORDER BY id/);
    expect(ddl).toMatch(/PARTITION BY customer_id % 2/);
    // A left join with join_use_nulls: customers without orders count 0 orders.
    const totals = await q('select id, n, total from shop.cust_totals where id in (1, 5, 40) order by id');
    expect(totals).toEqual([{ id: 1, n: 25, total: 12000 }, { id: 5, n: 0, total: 0 }, { id: 40, n: 0, total: 0 }].map((x) => ({ ...x, id: String(x.id), n: String(x.n) })));
    // store_failures keeps the failing rows.
    expect(await count(server.url, 'etlx_test_failures.no_nulls_cust_totals_name')).toBe(SEED_ROWS / 4);
    expect(await leftovers(server.url)).toEqual([]);
    expect(await q("select name from system.tables where database = 'etlx_meta' and name = 'etlx_lock'")).toEqual([]);
  });

  it('a second night: delete+insert replaces the keyed rows, append adds, history and docs read the server', async () => {
    const r = await p.runWithEnv(ENV, 'run', '--vars', '{night: 2}');
    expect(r.code, r.output).toBe(0);
    expect(await count(server.url, 'shop.events_keyed')).toBe(50);
    expect(await q("select count() as n from shop.events_keyed where id > 0 and v = toString(id * 2)")).toEqual([{ n: '20' }]);
    // unique_key without incremental_strategy is append on ClickHouse (no merge).
    expect(await count(server.url, 'shop.events_log')).toBe(40);
    const h = await p.runWithEnv(ENV, 'history');
    expect(h.code, h.output).toBe(0);
    expect(h.stdout).toMatch(/run\s+success/);
    expect(h.stdout).toMatch(/build\s+success/);
    const shown = await p.runWithEnv(ENV, 'show', 'cust_totals', '--limit', '3');
    expect(shown.code, shown.output).toBe(0);
    expect(shown.stdout).toMatch(/id \| name \| n \| total/);
    const d = await p.runWithEnv(ENV, 'docs', 'generate');
    expect(d.code, d.output).toBe(0);
    const catalog = JSON.parse(p.read('target/catalog.json')) as { nodes: Record<string, { columns: Record<string, { index: number; type: string }> }> };
    expect(catalog.nodes['model.chs.cust_totals']!.columns).toMatchObject({ id: { index: 1, type: 'Int64' }, name: { index: 2 }, n: { index: 3 }, total: { index: 4 } });
  });

  it('a failed table build leaves the old table as it was, and nothing in etlx_tmp', async () => {
    const model = p.read('models/stg_orders.sql');
    p.write({ 'models/stg_orders.sql': model.replace('from numbers', ', throwIf(number = 77) as boom from numbers') });
    const r = await p.runWithEnv(ENV, 'run', '-s', 'stg_orders');
    expect(r.code).toBe(1);
    expect(r.output).toMatch(/models\/stg_orders\.sql/);
    expect(r.output).toMatch(/throwIf|Value passed to 'throwIf'/);
    expect(await count(server.url, 'shop.stg_orders')).toBe(100);
    expect((await q("select name from system.columns where database = 'shop' and table = 'stg_orders'")).map((c) => c.name)).toEqual(['id', 'customer_id', 'amount']);
    expect(await leftovers(server.url)).toEqual([]);
    p.write({ 'models/stg_orders.sql': model });
  });

  it('the password read with {{env}} is nowhere: not in target/, the output or etlx_meta', async () => {
    const r = await p.runWithEnv(ENV, 'build', '--log-format', 'json');
    expect(r.code, r.output).toBe(0);
    expect(r.output).not.toContain(PASSWORD_USER_SECRET);
    const files = fs.readdirSync(p.path('target'), { recursive: true }).map(String).filter((f) => fs.statSync(p.path(path.join('target', f))).isFile());
    expect(files.length).toBeGreaterThan(5);
    for (const f of files) expect(fs.readFileSync(p.path(path.join('target', f)), 'utf8'), f).not.toContain(PASSWORD_USER_SECRET);
    const meta = JSON.stringify([...(await q('select * from etlx_meta.invocations')), ...(await q('select * from etlx_meta.node_results'))]);
    expect(meta.length).toBeGreaterThan(100);
    expect(meta).not.toContain(PASSWORD_USER_SECRET);
  });
});

describe('notifications on a ClickHouse target', () => {
  it('are recorded in etlx_meta.notifications', async () => {
    const yml = p.read('etlx.yml');
    p.write({ 'etlx.yml': `${yml}notify:\n  - name: ops\n    on: [success]\n    command: [${process.execPath}, -e, '0']\n` });
    try {
      const r = await p.runWithEnv(ENV, 'run', '-s', 'stg_orders');
      expect(r.code, r.output).toBe(0);
      expect(r.output).not.toContain('could not record notifications');
      const rows = await q("select notification, status, attempts from etlx_meta.notifications where notification = 'ops'");
      expect(rows).toHaveLength(1);
      expect(rows[0]!.attempts).toBe(1);
    } finally {
      p.write({ 'etlx.yml': yml });
    }
  });
});

describe('sources that are ClickHouse tables', () => {
  it('a model reads one, and its freshness is checked', async () => {
    await q('create database if not exists raw');
    await q('create table raw.events engine = MergeTree order by tuple() as select toInt64(number) as id, now() as loaded_at from numbers(7)');
    p.write({
      'models/sources.yml': 'sources:\n  - name: raw\n    tables:\n      - name: events\n        freshness: {loaded_at_field: loaded_at, warn_after: {count: 1, period: hour}}\n',
      'models/from_events.sql': '{{config materialized="table"}}\nselect id * 2 as id2 from {{source "raw" "events"}}\n',
    });
    try {
      const r = await p.runWithEnv(ENV, 'build', '-s', 'source:raw+');
      expect(r.code, r.output).toBe(0);
      expect(p.statuses()).toMatchObject({ from_events: 'success' });
      expect(r.output).toMatch(/PASS freshness of source raw\.events/);
      expect(await q('select sum(id2) as s from shop.from_events')).toEqual([{ s: '42' }]);
    } finally {
      p.remove('models/sources.yml', 'models/from_events.sql');
    }
  });
});

describe('the ClickHouse lock', () => {
  const hold = (host: string, pid: number, leaseSql: string) =>
    q(`create table etlx_meta.etlx_lock engine = Log as select 'held-by-test' as token, '${host}' as host, toUInt32(${pid}) as pid, ${leaseSql} as lease_until`);

  it('a live holder elsewhere: E_LOCKED naming the holder; nothing ran', async () => {
    await hold('build-host-7', 4242, 'now() + 3600');
    try {
      const r = await p.runWithEnv(ENV, 'run', '-s', 'stg_orders');
      expect(r.code).toBe(2);
      expect(r.output).toContain(`the ClickHouse target ${server.url} is locked by build-host-7 (PID 4242)`);
      expect(r.output).toContain('--lock-timeout');
    } finally {
      await q('drop table if exists etlx_meta.etlx_lock');
    }
  });

  it('an expired lease, or a holder on this machine whose process is gone, is taken over', async () => {
    await hold('build-host-7', 4242, 'now() - 10');
    expect((await p.runWithEnv(ENV, 'run', '-s', 'stg_orders')).code).toBe(0);
    const gone = spawnSync(process.execPath, ['-e', '0']).pid!;
    await hold(os.hostname(), gone, 'now() + 3600');
    const r = await p.runWithEnv(ENV, 'run', '-s', 'stg_orders');
    expect(r.code, r.output).toBe(0);
    expect(await q("select name from system.tables where database = 'etlx_meta' and name like 'etlx_lock%'")).toEqual([]);
  });

  it('two etlx runs do not interleave: the second fails naming the first, which is provably busy', async () => {
    // The first run's model reads a URL this test answers only when told: until then that run
    // holds the lock, however slow the machine.
    let release: () => void = () => undefined;
    let asked: () => void = () => undefined;
    const requested = new Promise<void>((r) => (asked = r));
    const web = http.createServer((_req, res) => {
      asked();
      release = () => res.end('1\n2\n');
    });
    await new Promise<void>((r) => web.listen(0, '127.0.0.1', () => r()));
    const port = (web.address() as { port: number }).port;
    p.write({ 'models/remote.sql': `{{config materialized="table"}}\nselect sum(x) as total from url('http://127.0.0.1:${port}/', CSV, 'x UInt8')\n` });
    try {
      const first = cliProcess(['run', '-s', 'remote']);
      await requested;
      const second = await p.runWithEnv(ENV, 'run', '-s', 'stg_orders');
      expect(second.code).toBe(2);
      expect(second.output).toContain(`is locked by ${os.hostname()} (PID ${first.child.pid})`);
      release();
      expect(await first.exit, first.output()).toBe(0);
      expect(await q('select total from shop.remote')).toEqual([{ total: '3' }]);
    } finally {
      release();
      web.close();
      p.remove('models/remote.sql');
    }
  }, 180_000);

  it('SIGINT while a model runs: exit 130, the lock freed, and the next run finds nothing left behind', async () => {
    let asked: () => void = () => undefined;
    const requested = new Promise<void>((r) => (asked = r));
    const pending: http.ServerResponse[] = [];
    let answer = false;
    const web = http.createServer((_req, res) => {
      if (answer) return void res.end('1\n');
      pending.push(res);
      asked();
    });
    await new Promise<void>((r) => web.listen(0, '127.0.0.1', () => r()));
    const port = (web.address() as { port: number }).port;
    p.write({ 'models/remote.sql': `{{config materialized="table"}}\nselect sum(x) as total from url('http://127.0.0.1:${port}/', CSV, 'x UInt8')\n` });
    try {
      const run = cliProcess(['run', '-s', 'remote']);
      await requested;
      run.child.kill('SIGINT');
      expect(await run.exit, run.output()).toBe(130);
      expect(JSON.parse(p.read('target/run_results.json')).results[0]).toMatchObject({ status: 'error', message: 'interrupted' });
      expect(await q("select name from system.tables where database = 'etlx_meta' and name like 'etlx_lock%'")).toEqual([]);
      // etlx asked the server to kill the query; it ends once its read of the URL returns.
      answer = true;
      for (const res of pending) res.end('1\n');
      const deadline = Date.now() + 120_000;
      while ((await q("select count() as n from system.processes where query like '%url(%' and query not like '%system.processes%'"))[0]!.n !== '0') {
        if (Date.now() > deadline) throw new Error('the interrupted query is still running');
        await new Promise((r) => setTimeout(r, 50));
      }
      const next = await p.runWithEnv(ENV, 'run', '-s', 'remote');
      expect(next.code, next.output).toBe(0);
      expect(await leftovers(server.url)).toEqual([]);
    } finally {
      for (const res of pending) if (!res.writableEnded) res.end('1\n');
      web.close();
      p.remove('models/remote.sql');
    }
  }, 180_000);

  it('--lock-timeout waits for the holder to finish, then runs', async () => {
    await hold('build-host-7', 4242, 'now() + 3600');
    const waiter = cliProcess(['run', '-s', 'stg_orders', '--lock-timeout', '10m']);
    // The run is provably waiting (it said so) before the holder lets go.
    const deadline = Date.now() + 120_000;
    while (!/waiting up to 10m/.test(waiter.output())) {
      if (Date.now() > deadline) throw new Error(`no wait message: ${waiter.output()}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(waiter.output()).toContain('locked by build-host-7 (PID 4242)');
    await q('drop table etlx_meta.etlx_lock');
    expect(await waiter.exit, waiter.output()).toBe(0);
    expect(waiter.output()).toMatch(/OK created table model shop\.stg_orders/);
  }, 180_000);
});

/** etlx from source in its own process (its own PID), with the output as it comes. */
function cliProcess(args: readonly string[]): { child: ChildProcess; exit: Promise<number | null>; output: () => string } {
  const repo = path.resolve(import.meta.dirname, '../..');
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '-e', `import { main } from ${JSON.stringify(path.join(repo, 'src/cli/main.ts'))}; process.exitCode = await main(process.argv.slice(1));`, ...args, '--project-dir', p.dir],
    { cwd: repo, env: { ...process.env, ...ENV, HOME: p.dir, NO_COLOR: '1' } },
  );
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exit, output: () => out };
}
