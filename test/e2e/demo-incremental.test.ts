import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const bin = path.join(repo, 'bin', 'etlx.js');
const dir = mkdtempSync(path.join(os.tmpdir(), 'etlx-demo-incr-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeAll(() => {
  if (!existsSync(path.join(repo, 'dist', 'cli', 'main.js'))) spawnSync('npm', ['run', 'build'], { cwd: repo, stdio: 'inherit' });
  for (const p of ['etlx.yml', 'models', 'seeds', 'staging', 'macros', 'tests']) cpSync(path.join(repo, p), path.join(dir, p), { recursive: true });
});

function build() {
  const r = spawnSync(process.execPath, [bin, 'build'], { cwd: dir, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
  expect(r.status, r.stdout + r.stderr).toBe(0);
  return r.stdout;
}

async function query(sql: string): Promise<Record<string, unknown>[]> {
  const inst = await DuckDBInstance.create(':memory:');
  const c = await inst.connect();
  try {
    return (await c.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[];
  } finally {
    c.closeSync();
    inst.closeSync();
  }
}

function exportFiles(): Map<string, number> {
  const root = path.join(dir, 'exports', 'purchase_events');
  const out = new Map<string, number>();
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, e.name);
      if (e.isDirectory()) walk(full);
      else out.set(path.relative(root, full), statSync(full).mtimeMs);
    }
  };
  walk(root);
  return out;
}

describe('the demo project on a second night with new staging data', () => {
  it('updates the incremental model and adds to the incremental export without rewriting it', async () => {
    build();
    const db = path.join(dir, 'shop_warehouse.duckdb');
    const count = async () => {
      const inst = await DuckDBInstance.create(db);
      const c = await inst.connect();
      const n = Number((await c.runAndReadAll('select count(*) as n from main.fct_events')).getRowObjectsJS()[0]!.n);
      c.closeSync();
      inst.closeSync();
      return n;
    };
    const eventsBefore = await count();
    const filesBefore = exportFiles();
    const exportGlob = `read_parquet('${path.join(dir, 'exports', 'purchase_events')}/**/*.parquet', hive_partitioning=true)`;
    const exportedBefore = Number((await query(`select count(*) as n from ${exportGlob}`))[0]!.n);
    expect(filesBefore.size).toBeGreaterThan(0);

    // A late file arrives: March events, copied from February's with new ids and a month later.
    const feb = path.join(dir, 'staging', 'events', 'events_2024_02.parquet');
    const mar = path.join(dir, 'staging', 'events', 'events_2024_03.parquet');
    await query(
      `copy (select * replace (event_id + 1000000 as event_id, event_at + interval 1 month as event_at) from read_parquet('${feb}') where event_at < timestamp '2024-02-28') to '${mar}' (format parquet)`,
    );
    const added = Number((await query(`select count(*) as n from read_parquet('${mar}')`))[0]!.n);
    const addedPurchases = Number((await query(`select count(*) as n from read_parquet('${mar}') where event_type = 'purchase'`))[0]!.n);
    expect(added).toBeGreaterThan(0);
    expect(addedPurchases).toBeGreaterThan(0);

    const out = build();
    expect(out).toMatch(/OK merged into incremental model main\.fct_events \[[\d,]+ rows/);
    expect(await count()).toBe(eventsBefore + added);
    const filesAfter = exportFiles();
    // Every file of the first night is still there, untouched; new files were added.
    for (const [f, mtime] of filesBefore) expect(filesAfter.get(f)).toBe(mtime);
    expect(filesAfter.size).toBeGreaterThan(filesBefore.size);
    expect([...filesAfter.keys()].some((f) => f.startsWith('event_month=2024-03'))).toBe(true);
    const exportedAfter = Number((await query(`select count(*) as n from ${exportGlob}`))[0]!.n);
    expect(exportedAfter).toBe(exportedBefore + addedPurchases);
  });
});
