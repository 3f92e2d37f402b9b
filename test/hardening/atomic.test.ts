import fs from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { listFilesRec, TestProject } from '../integration/helpers.js';

const projects: TestProject[] = [];
afterAll(() => projects.forEach((p) => p.cleanup()));

/** Every user table and view with its rows (as text, ordered), and every file under exports/ with its bytes. */
async function snapshot(p: TestProject): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  const rels = await p.query(
    "select table_schema as s, table_name as n, table_type as t from information_schema.tables where table_catalog = current_database() and table_schema <> 'etlx_meta' order by 1, 2",
  );
  for (const r of rels) {
    out[`${String(r.s)}.${String(r.n)} (${String(r.t)})`] = await p.query(`select columns(*)::varchar from "${String(r.s)}"."${String(r.n)}" order by all`);
  }
  if (p.exists('exports')) for (const f of listFilesRec(p.path('exports'))) out[`exports/${f}`] = fs.readFileSync(p.path(`exports/${f}`)).toString('base64');
  return out;
}

describe('--atomic', () => {
  it('a failing test leaves the warehouse and the file outputs exactly as they were', async () => {
    const p = new TestProject('atom', {
      'seeds/orders.csv': 'id,status,amount\n1,paid,10\n2,paid,20\n',
      'models/stg_orders.sql': '{{config materialized="view"}}\nselect * from {{ref "orders"}}\n',
      'models/totals.sql': 'select status, sum(amount) as amount from {{ref "stg_orders"}} group by all\n',
      'models/events.sql': '{{config materialized="incremental" unique_key="id"}}\nselect id, amount from {{ref "stg_orders"}}\n',
      'models/export_totals.sql': '{{config materialized="file" location="exports/totals" partition_by="status"}}\nselect * from {{ref "totals"}}\n',
      'models/props.yml': 'models:\n  - name: stg_orders\n    columns:\n      - name: status\n        tests:\n          - accepted_values: {values: [paid, refunded]}\n',
    }, 'name: atom\nmodels:\n  materialized: table\n');
    projects.push(p);
    const first = await p.run('build');
    expect(first.code, first.output).toBe(0);
    const before = await snapshot(p);
    expect(Object.keys(before).some((k) => k.startsWith('exports/totals/status=paid/'))).toBe(true);

    // New data: more rows everywhere, and one status the test rejects.
    p.write({ 'seeds/orders.csv': 'id,status,amount\n1,paid,10\n2,paid,25\n3,lost,5\n4,refunded,7\n' });
    const second = await p.run('build', '--atomic');
    expect(second.code, second.output).toBe(1);
    expect(second.output).toMatch(/FAIL test accepted_values_stg_orders_status/);
    expect(second.output).toMatch(/rolled back/);
    expect(await snapshot(p)).toEqual(before);
    expect(fs.readdirSync(p.path('exports')).filter((n) => n.includes('.etlx-'))).toEqual([]);

    // The run is still recorded in the history, and a fixed run then commits everything.
    p.write({ 'seeds/orders.csv': 'id,status,amount\n1,paid,10\n2,paid,25\n4,refunded,7\n' });
    const third = await p.run('build', '--atomic');
    expect(third.code, third.output).toBe(0);
    const after = await snapshot(p);
    expect(after).not.toEqual(before);
    expect(Object.keys(after).some((k) => k.startsWith('exports/totals/status=refunded/'))).toBe(true);
    const runs = await p.query('select exit_code from etlx_meta.invocations order by started_at');
    expect(runs.map((r) => r.exit_code)).toEqual([0, 1, 0]);
  });

  it('can be set in the profile', async () => {
    const p = new TestProject('atom', {
      'profiles.yml': 'atom:\n  target: dev\n  outputs:\n    dev: {type: duckdb, path: atom.duckdb, atomic: true}\n',
      'models/a.sql': "select {{var 'v' 1}} as v\n",
      'models/b.sql': "select v, {{#if (eq (var 'v' 1) 2)}}'x'::integer{{else}}1{{/if}} as w from {{ref 'a'}}\n",
    }, 'name: atom\nmodels:\n  materialized: table\n');
    projects.push(p);
    expect((await p.run('run')).code).toBe(0);
    const before = await snapshot(p);
    const r = await p.run('run', '--vars', '{v: 2}');
    expect(r.code).toBe(1);
    expect(await snapshot(p)).toEqual(before);
  });
});
