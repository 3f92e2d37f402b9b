import { afterAll, describe, expect, it } from 'vitest';
import { TestProject } from '../integration/helpers.js';

const projects: TestProject[] = [];
afterAll(() => projects.forEach((p) => p.cleanup()));

describe('awkward identifiers work end to end', () => {
  it('model, schema, seed and column names with spaces, quotes, reserved words and non-ASCII', async () => {
    const p = new TestProject('idents', {
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
    }, 'name: idents\nmodels:\n  materialized: table\n');
    projects.push(p);
    const r = await p.run('build');
    expect(r.code, r.output).toBe(0);
    expect(r.output).toMatch(/PASS test not_null_order_items_Größe/);
    expect(await p.query(`select "Größe"::integer as g, "order" as o, "qu""ote" as q from "my schema"."order items" order by 1`)).toEqual([
      { g: 1, o: 'a', q: 'x' },
      { g: 2, o: 'b', q: 'y' },
    ]);
    expect(await p.query('select "group"::integer as n from main."ünïcødé_view"')).toEqual([{ n: 2 }]);
    const again = await p.run('build');
    expect(again.code, again.output).toBe(0);
  });
});
