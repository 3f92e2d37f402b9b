import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * Fault injection: etlx is killed with SIGKILL (ETLX_FAULT, see src/run/faults.ts) at a named
 * point of a run. Afterwards every relation must be its old or its new version, no temporary
 * table may be visible, exports must be readable, and the next build must match a clean run.
 */
const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const bin = path.join(repo, 'bin', 'etlx.js');
const tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'etlx-faults-')));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
beforeAll(() => {
  if (!fs.existsSync(path.join(repo, 'dist', 'cli', 'main.js'))) spawnSync('npm', ['run', 'build'], { cwd: repo, stdio: 'inherit' });
});

const SEED_V1 = 'id,status,amount\n1,paid,10\n2,paid,20\n3,open,5\n';
const SEED_V2 = 'id,status,amount\n1,paid,10\n2,paid,25\n3,open,5\n4,refunded,7\n';

function project(name: string): string {
  const dir = path.join(tmp, name);
  const files: Record<string, string> = {
    'etlx.yml': 'name: faults\nmodels:\n  materialized: table\n',
    'seeds/orders.csv': SEED_V1,
    'models/big.sql': 'select i as id, i * {{var "v" 1}} as v from range({{var "rows" 1000}}) t(i)\n',
    'models/totals.sql': 'select status, sum(amount) * {{var "v" 1}} as amount from {{ref "orders"}} group by all\n',
    'models/events.sql': '{{config materialized="incremental" unique_key="id"}}\nselect id, amount * {{var "v" 1}} as amount from {{ref "orders"}}\n',
    'models/export_totals.sql': '{{config materialized="file" location="exports/totals" partition_by="status"}}\nselect * from {{ref "totals"}}\n',
  };
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}

function etlx(dir: string, args: string[], env: Record<string, string> = {}) {
  return spawnSync(process.execPath, [bin, ...args, '--project-dir', dir], { encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', ...env } });
}

/** A fingerprint per relation (row count and a hash of all rows) and per export's contents. */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const inst = await DuckDBInstance.create(path.join(dir, 'faults.duckdb'));
  const c = await inst.connect();
  const out: Record<string, string> = {};
  try {
    const rels = (await c.runAndReadAll(
      "select table_schema as s, table_name as n from information_schema.tables where table_catalog = current_database() and table_schema <> 'etlx_meta' order by 1, 2",
    )).getRowObjectsJS();
    for (const r of rels) {
      const q = `select count(*)::varchar || ':' || coalesce(sum(hash(t)), 0)::varchar as f from "${String(r.s)}"."${String(r.n)}" as t`;
      out[`${String(r.s)}.${String(r.n)}`] = String((await c.runAndReadAll(q)).getRowObjectsJS()[0]!.f);
    }
    if (fs.existsSync(path.join(dir, 'exports', 'totals'))) {
      const q = `select count(*)::varchar || ':' || coalesce(sum(hash(status, amount)), 0)::varchar as f from read_parquet('${path.join(dir, 'exports', 'totals')}/**/*.parquet', hive_partitioning=true)`;
      out.export = String((await c.runAndReadAll(q)).getRowObjectsJS()[0]!.f);
    }
    const temp = (await c.runAndReadAll("select count(*)::integer as n from duckdb_tables() where table_name like 'etlx_new_%'")).getRowObjectsJS();
    out.temp_tables = String(temp[0]!.n);
  } finally {
    c.closeSync();
    inst.closeSync();
  }
  return out;
}

/** The old state, and the state a clean second run produces, for comparison. */
async function reference(args2: string[]): Promise<{ before: Record<string, string>; after: Record<string, string> }> {
  const dir = project(`clean-${Math.random().toString(36).slice(2, 8)}`);
  expect(etlx(dir, ['build']).status).toBe(0);
  const before = await snapshot(dir);
  fs.writeFileSync(path.join(dir, 'seeds', 'orders.csv'), SEED_V2);
  expect(etlx(dir, ['build', ...args2]).status).toBe(0);
  const after = await snapshot(dir);
  return { before, after };
}

const CASES: { point: string; args: string[] }[] = [
  { point: 'during-create', args: ['--vars', '{v: 2, rows: 60000000}', '--select', 'big'] },
  { point: 'before-commit', args: ['--vars', '{v: 2}'] },
  { point: 'after-copy', args: ['--vars', '{v: 2}'] },
  { point: 'file-move-between', args: ['--vars', '{v: 2}'] },
  { point: 'history', args: ['--vars', '{v: 2}'] },
  { point: 'atomic-commit', args: ['--vars', '{v: 2}', '--atomic'] },
];

describe('killed at a fault point', () => {
  it.each(CASES)('$point: every relation is old or new, nothing temporary is visible, the next build matches a clean run', async ({ point, args }) => {
    const ref = await reference(args);
    const dir = project(point);
    expect(etlx(dir, ['build']).status).toBe(0);
    fs.writeFileSync(path.join(dir, 'seeds', 'orders.csv'), SEED_V2);
    const killed = etlx(dir, ['build', ...args], { ETLX_FAULT: point });
    expect(killed.signal).toBe('SIGKILL');

    const crashed = await snapshot(dir);
    expect(crashed.temp_tables).toBe('0');
    for (const [rel, fingerprint] of Object.entries(crashed)) {
      expect([ref.before[rel], ref.after[rel]], `${rel} after a kill at ${point}`).toContain(fingerprint);
    }
    if (crashed.export === undefined) {
      // Only inside a journaled move (between its two renames) may the export be absent: the
      // journal says how the next run finishes it.
      expect(point).toBe('file-move-between');
      expect(fs.existsSync(path.join(dir, 'exports', '.totals.etlx-move.json'))).toBe(true);
    }
    expect(Object.keys(crashed).filter((k) => k !== 'export').sort()).toEqual(Object.keys(ref.before).filter((k) => k !== 'export').sort());

    const next = etlx(dir, ['build', ...args]);
    expect(next.status, next.stdout + next.stderr).toBe(0);
    expect(await snapshot(dir)).toEqual(ref.after);
    expect(fs.readdirSync(path.join(dir, 'exports')).filter((n) => n.includes('.etlx-'))).toEqual([]);
  }, 120_000);
});
