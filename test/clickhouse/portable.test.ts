/**
 * One portable project (test/fixtures/portable), three warehouses: the embedded DuckDB, one
 * ClickHouse server and a two-shard ClickHouse cluster. Every relation must hold the same rows
 * on all three, after a first night and after an incremental second night. The ClickHouse
 * profiles are the README's own example ("Past one machine"), with the harness's ports.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDBInstance } from '@duckdb/node-api';
import { runCli, type CliResult } from '../integration/helpers.js';
import { chQuery, PASSWORD_USER_SECRET, startClickHouse, startClickHouseCluster, type ClickHouseCluster, type ClickHouseServer } from '../support/clickhouse.js';

const FIXTURE = path.resolve(__dirname, '../fixtures/portable');
const README = path.resolve(__dirname, '../../README.md');
const DATABASE = 'analytics';
/** Every relation the project builds (the ephemeral is inlined, so it has none). */
const RELATIONS = [
  'customers', 'country_codes', 'product_catalog', 'raw_orders', 'raw_payments',
  'stg_customers', 'stg_orders', 'stg_payments', 'stg_products',
  'fct_orders', 'customer_orders', 'dim_customers', 'customers_by_region', 'daily_revenue', 'category_sales',
  'payments_log', 'order_status',
];
/** Relations stored as tables (sharded on a cluster): seeds, tables and incrementals. */
const TABLES = RELATIONS.filter((r) => !r.startsWith('stg_'));
/** Night one sees orders and payments before this day; night two sees all of them. */
const NIGHT_TWO = '2024-03-01';

/** The README's profiles example for ClickHouse, between its markers. */
export function readmeProfiles(): string {
  const text = fs.readFileSync(README, 'utf8');
  const m = /<!-- clickhouse-profiles -->\s*```yaml\n([\s\S]*?)```\s*<!-- \/clickhouse-profiles -->/.exec(text);
  if (!m) throw new Error('README.md has no ```yaml block between <!-- clickhouse-profiles --> markers');
  return m[1]!;
}

type Engine = 'duckdb' | 'server' | 'cluster';

describe('a portable project builds the same warehouse on DuckDB, a ClickHouse server and a two-shard cluster', () => {
  let server: ClickHouseServer;
  let cluster: ClickHouseCluster;
  const dirs = {} as Record<Engine, string>;
  const env = { CLICKHOUSE_PASSWORD: PASSWORD_USER_SECRET };

  const build = (engine: Engine): Promise<CliResult> => runCli(dirs[engine], ['build', '--target', engine], env);

  beforeAll(async () => {
    [server, cluster] = await Promise.all([startClickHouse(), startClickHouseCluster(2, 'two')]);
    const profiles = readmeProfiles()
      .replaceAll('http://127.0.0.1:8123', server.url)
      .replaceAll('http://10.0.0.1:8123', cluster.shards[0]!.url)
      .replaceAll('http://10.0.0.2:8123', cluster.shards[1]!.url);
    for (const engine of ['duckdb', 'server', 'cluster'] as const) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), `etlx-portable-${engine}-`));
      fs.cpSync(FIXTURE, dir, { recursive: true });
      fs.writeFileSync(path.join(dir, 'profiles.yml'), profiles);
      await keepBefore(dir, NIGHT_TWO);
      dirs[engine] = dir;
    }
  }, 180_000);

  afterAll(async () => {
    await Promise.all([server?.stop(), cluster?.stop()]);
    for (const d of Object.values(dirs)) fs.rmSync(d, { recursive: true, force: true });
  });

  it('night one: builds and tests on all three, with identical relations', async () => {
    for (const engine of ['duckdb', 'server', 'cluster'] as const) {
      const r = await build(engine);
      expect(r.code, `${engine}:\n${r.output}`).toBe(0);
      expect(r.output).toMatch(/PASS=8\b/);
    }
    await expectSameEverywhere();
  });

  it('on the cluster, each shard holds part of every table and the Distributed totals equal DuckDB', async () => {
    for (const t of TABLES) {
      const perShard = await Promise.all(cluster.shards.map(async (s) => count(await chQuery(s.url, `select count(*) as n from ${DATABASE}.${t}_local`))));
      const [duck] = await duckRows(`select count(*) as n from main.${t}`);
      expect(perShard.every((n) => n > 0), `${t} per shard: ${perShard.join(', ')}`).toBe(true);
      expect(perShard.reduce((a, b) => a + b, 0), t).toBe(Number(duck!.n));
      expect(count(await chQuery(cluster.shards[1]!.url, `select count(*) as n from ${DATABASE}.${t}`)), `${t} through shard 2`).toBe(Number(duck!.n));
    }
  });

  it('night two: the incremental models add and replace the same rows on all three', async () => {
    for (const engine of ['duckdb', 'server', 'cluster'] as const) {
      fs.copyFileSync(path.join(FIXTURE, 'seeds/raw_orders.csv'), path.join(dirs[engine], 'seeds/raw_orders.csv'));
      fs.copyFileSync(path.join(FIXTURE, 'seeds/raw_payments.csv'), path.join(dirs[engine], 'seeds/raw_payments.csv'));
      const r = await build(engine);
      expect(r.code, `${engine}:\n${r.output}`).toBe(0);
    }
    const [all] = await duckRows('select count(*) as n from main.payments_log');
    expect(Number(all!.n)).toBe(await csvRows(path.join(FIXTURE, 'seeds/raw_payments.csv')));
    await expectSameEverywhere();
  });

  it('the password read with {{env}} is never written into target/ or etlx_meta', async () => {
    for (const f of listFiles(path.join(dirs.cluster, 'target'))) {
      expect(fs.readFileSync(f, 'utf8').includes(PASSWORD_USER_SECRET), f).toBe(false);
    }
    const tables = await chQuery(cluster.shards[0]!.url, "select name from system.tables where database = 'etlx_meta'");
    expect(tables.length).toBeGreaterThan(0);
    for (const { name } of tables) {
      const rows = await chQuery(cluster.shards[0]!.url, `select * from etlx_meta.${String(name)}`);
      expect(JSON.stringify(rows).includes(PASSWORD_USER_SECRET), `etlx_meta.${String(name)}`).toBe(false);
    }
  });

  async function expectSameEverywhere(): Promise<void> {
    for (const t of RELATIONS) {
      const duck = canonical(await duckRows(`select * from main.${t}`));
      const one = canonical(await chQuery(server.url, `select * from ${DATABASE}.${t}`));
      const two = canonical(await chQuery(cluster.shards[0]!.url, `select * from ${DATABASE}.${t}`));
      expect(duck.length, t).toBeGreaterThan(0);
      expect(one, `${t}: server vs DuckDB`).toEqual(duck);
      expect(two, `${t}: cluster vs DuckDB`).toEqual(duck);
    }
  }

  async function duckRows(sql: string): Promise<Record<string, unknown>[]> {
    const instance = await DuckDBInstance.create(path.join(dirs.duckdb, 'portable_shop.duckdb'), { access_mode: 'READ_ONLY' });
    try {
      const c = await instance.connect();
      const rows = (await c.runAndReadAll(sql)).getRowObjectsJson() as Record<string, unknown>[];
      c.closeSync();
      return rows;
    } finally {
      instance.closeSync();
    }
  }
});

/**
 * Rows as comparable text, in a stable order: numbers (ClickHouse sends 64-bit integers as
 * strings) to 12 significant digits, booleans as 0/1 (ClickHouse 18.16 has no Bool), the rest
 * as text. Column names are compared too.
 */
function canonical(rows: readonly Record<string, unknown>[]): string[] {
  const value = (v: unknown): unknown => {
    if (v === null || v === undefined) return null;
    if (typeof v === 'boolean') return v ? 1 : 0;
    if (typeof v === 'number' || (typeof v === 'string' && /^-?\d+(\.\d+)?(e[+-]?\d+)?$/i.test(v))) return Number(Number(v).toPrecision(12));
    return String(v);
  };
  return rows.map((r) => JSON.stringify(Object.entries(r).map(([k, v]) => [k, value(v)]))).sort();
}

function count(rows: readonly Record<string, unknown>[]): number {
  return Number(rows[0]!.n);
}

/** Data rows of a CSV file, counted by DuckDB. */
async function csvRows(file: string): Promise<number> {
  const instance = await DuckDBInstance.create(':memory:');
  try {
    const c = await instance.connect();
    const [row] = (await c.runAndReadAll(`select count(*)::int as n from read_csv('${file.replaceAll("'", "''")}', header = true)`)).getRowObjectsJson();
    c.closeSync();
    return Number(row!.n);
  } finally {
    instance.closeSync();
  }
}

/** Night one: the raw orders and payments seeds keep only what happened before `day` (DuckDB rewrites them). */
async function keepBefore(dir: string, day: string): Promise<void> {
  const instance = await DuckDBInstance.create(':memory:');
  try {
    const c = await instance.connect();
    for (const [file, col] of [['seeds/raw_orders.csv', 'ordered_at'], ['seeds/raw_payments.csv', 'paid_at']] as const) {
      const from = path.join(FIXTURE, file).replaceAll("'", "''");
      const to = path.join(dir, file).replaceAll("'", "''");
      await c.run(`copy (select * from read_csv('${from}', header = true, all_varchar = true) where ${col} < '${day}') to '${to}' (header, quote '"')`);
      const kept = await csvRows(path.join(dir, file));
      expect(kept).toBeGreaterThan(0);
      expect(kept).toBeLessThan(await csvRows(path.join(FIXTURE, file)));
    }
    c.closeSync();
  } finally {
    instance.closeSync();
  }
}

function listFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true, recursive: true }).filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}
