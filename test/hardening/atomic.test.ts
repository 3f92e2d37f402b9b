import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';

const tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'etlx-atomic-')));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function write(dir: string, files: Record<string, string>): void {
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
}

async function cli(argv: string[]) {
  let out = '';
  const sink = { write: (s: string) => void (out += s), isTTY: false };
  const code = await main(argv, { stdout: sink, stderr: sink, env: { HOME: tmp, PATH: process.env.PATH, NO_COLOR: '1' } });
  return { code, out };
}

/** Every user table and view with its rows (as text, ordered), and every file under exports/ with its bytes. */
async function snapshot(dir: string): Promise<Record<string, unknown>> {
  const inst = await DuckDBInstance.create(path.join(dir, 'atom.duckdb'));
  const c = await inst.connect();
  const out: Record<string, unknown> = {};
  try {
    const rels = (await c.runAndReadAll(
      "select table_schema as s, table_name as n, table_type as t from information_schema.tables where table_catalog = current_database() and table_schema <> 'etlx_meta' order by 1, 2",
    )).getRowObjectsJS();
    for (const r of rels) {
      const rows = (await c.runAndReadAll(`select columns(*)::varchar from "${String(r.s)}"."${String(r.n)}" order by all`)).getRowObjectsJS();
      out[`${String(r.s)}.${String(r.n)} (${String(r.t)})`] = rows;
    }
  } finally {
    c.closeSync();
    inst.closeSync();
  }
  const walk = (d: string): string[] => (fs.existsSync(d) ? fs.readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(d, e.name)) : [path.join(d, e.name)])) : []);
  for (const f of walk(path.join(dir, 'exports'))) out[path.relative(dir, f)] = fs.readFileSync(f).toString('base64');
  return out;
}

describe('--atomic', () => {
  it('a failing test leaves the warehouse and the file outputs exactly as they were', async () => {
    const dir = path.join(tmp, 'p');
    write(dir, {
      'etlx.yml': 'name: atom\nmodels:\n  materialized: table\n',
      'seeds/orders.csv': 'id,status,amount\n1,paid,10\n2,paid,20\n',
      'models/stg_orders.sql': '{{config materialized="view"}}\nselect * from {{ref "orders"}}\n',
      'models/totals.sql': 'select status, sum(amount) as amount from {{ref "stg_orders"}} group by all\n',
      'models/events.sql': '{{config materialized="incremental" unique_key="id"}}\nselect id, amount from {{ref "stg_orders"}}\n',
      'models/export_totals.sql': '{{config materialized="file" location="exports/totals" partition_by="status"}}\nselect * from {{ref "totals"}}\n',
      'models/props.yml': 'models:\n  - name: stg_orders\n    columns:\n      - name: status\n        tests:\n          - accepted_values: {values: [paid, refunded]}\n',
    });
    const first = await cli(['build', '--project-dir', dir]);
    expect(first.code, first.out).toBe(0);
    const before = await snapshot(dir);
    expect(Object.keys(before).some((k) => k.startsWith('exports/totals/status=paid/'))).toBe(true);

    // New data: more rows everywhere, and one status the test rejects.
    write(dir, { 'seeds/orders.csv': 'id,status,amount\n1,paid,10\n2,paid,25\n3,lost,5\n4,refunded,7\n' });
    const second = await cli(['build', '--atomic', '--project-dir', dir]);
    expect(second.code, second.out).toBe(1);
    expect(second.out).toMatch(/FAIL test accepted_values_stg_orders_status/);
    expect(second.out).toMatch(/rolled back/);
    expect(await snapshot(dir)).toEqual(before);
    expect(fs.readdirSync(path.join(dir, 'exports')).filter((n) => n.includes('.etlx-'))).toEqual([]);

    // The run is still recorded in the history, and a fixed run then commits everything.
    write(dir, { 'seeds/orders.csv': 'id,status,amount\n1,paid,10\n2,paid,25\n4,refunded,7\n' });
    const third = await cli(['build', '--atomic', '--project-dir', dir]);
    expect(third.code, third.out).toBe(0);
    const after = await snapshot(dir);
    expect(after).not.toEqual(before);
    expect(Object.keys(after).some((k) => k.startsWith('exports/totals/status=refunded/'))).toBe(true);
    const inst = await DuckDBInstance.create(path.join(dir, 'atom.duckdb'));
    const c = await inst.connect();
    const runs = (await c.runAndReadAll('select exit_code from etlx_meta.invocations order by started_at')).getRowObjectsJS();
    c.closeSync();
    inst.closeSync();
    expect(runs.map((r) => r.exit_code)).toEqual([0, 1, 0]);
  });

  it('can be set in the profile', async () => {
    const dir = path.join(tmp, 'q');
    write(dir, {
      'etlx.yml': 'name: atom\nmodels:\n  materialized: table\n',
      'profiles.yml': 'atom:\n  target: dev\n  outputs:\n    dev: {type: duckdb, path: atom.duckdb, atomic: true}\n',
      'models/a.sql': "select {{var 'v' 1}} as v\n",
      'models/b.sql': "select v, {{#if (eq (var 'v' 1) 2)}}'x'::integer{{else}}1{{/if}} as w from {{ref 'a'}}\n",
    });
    expect((await cli(['run', '--project-dir', dir])).code).toBe(0);
    const before = await snapshot(dir);
    const r = await cli(['run', '--vars', '{v: 2}', '--project-dir', dir]);
    expect(r.code).toBe(1);
    expect(await snapshot(dir)).toEqual(before);
  });
});
