import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';

const tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'etlx-ident-')));
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

async function query(db: string, sql: string): Promise<Record<string, unknown>[]> {
  const inst = await DuckDBInstance.create(db);
  const c = await inst.connect();
  try {
    return (await c.runAndReadAll(sql)).getRowObjectsJS() as Record<string, unknown>[];
  } finally {
    c.closeSync();
    inst.closeSync();
  }
}

describe('awkward identifiers work end to end', () => {
  it('model, schema, seed and column names with spaces, quotes, reserved words and non-ASCII', async () => {
    const dir = path.join(tmp, 'p');
    write(dir, {
      'etlx.yml': 'name: idents\nmodels:\n  materialized: table\n',
      'seeds/größen liste.csv': 'Größe,"select","it""s"\n1,a,x\n2,b,y\n',
      'models/order items.sql': '{{config schema="my schema"}}\nselect "Größe" as "Größe", "select" as "order", "it""s" as "qu""ote" from {{ref "größen liste"}}\n',
      'models/select.sql': 'select * from {{ref "order items"}} where "order" is not null\n',
      'models/ünïcødé_view.sql': '{{config materialized="view"}}\nselect count(*) as "group" from {{ref "select"}}\n',
      'models/props.yml': [
        'models:',
        '  - name: order items',
        '    columns:',
        '      - name: Größe',
        '        tests: [not_null, unique]',
        '      - name: order',
        '        tests:',
        '          - accepted_values: {values: [a, b]}',
        '      - name: qu"ote',
        '        tests: [not_null]',
        '  - name: select',
        '    tests:',
        '      - row_count: {equals: 2}',
        '',
      ].join('\n'),
    });
    const r = await cli(['build', '--project-dir', dir]);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toMatch(/PASS test not_null_order_items_Größe/);
    const rows = await query(path.join(dir, 'idents.duckdb'), `select "Größe"::integer as g, "order" as o, "qu""ote" as q from "my schema"."order items" order by 1`);
    expect(rows).toEqual([
      { g: 1, o: 'a', q: 'x' },
      { g: 2, o: 'b', q: 'y' },
    ]);
    const view = await query(path.join(dir, 'idents.duckdb'), 'select "group"::integer as n from main."ünïcødé_view"');
    expect(view).toEqual([{ n: 2 }]);
    const again = await cli(['build', '--project-dir', dir]);
    expect(again.code, again.out).toBe(0);
  });
});
