import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';

const tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'etlx-hooks-')));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('hooks are templates', () => {
  it('{{self}}, {{ref}}, {{var}} and {{target}} render in pre/post hooks and on-run hooks', async () => {
    const dir = path.join(tmp, 'p');
    const files: Record<string, string> = {
      'etlx.yml': [
        'name: hooks',
        'vars: {label: nightly}',
        'on-run-start: "create table if not exists audit (what varchar, target varchar)"',
        'on-run-end: "insert into audit values (\'end {{var \\"label\\"}}\', \'{{target.name}}\')"',
        'models:',
        '  materialized: table',
        '',
      ].join('\n'),
      'seeds/codes.csv': 'code\na\nb\n',
      'models/base.sql': '{{config post_hook="insert into audit select \'built \' || count(*), \'{{target.schema}}\' from {{self}}"}}\nselect * from {{ref "codes"}}\n',
      'models/props.yml': 'models:\n  - name: base\n    config:\n      pre_hook: "insert into audit select \'before \' || count(*), null from {{ref \\"codes\\"}}"\n',
    };
    for (const [rel, text] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
      fs.writeFileSync(path.join(dir, rel), text);
    }
    let out = '';
    const sink = { write: (s: string) => void (out += s), isTTY: false };
    const code = await main(['build', '--project-dir', dir], { stdout: sink, stderr: sink, env: { HOME: tmp, PATH: process.env.PATH, NO_COLOR: '1' } });
    expect(code, out).toBe(0);
    const inst = await DuckDBInstance.create(path.join(dir, 'hooks.duckdb'));
    const c = await inst.connect();
    const rows = (await c.runAndReadAll('select what, target from audit order by rowid')).getRowObjectsJS();
    c.closeSync();
    inst.closeSync();
    expect(rows).toEqual([
      { what: 'before 2', target: null },
      { what: 'built 2', target: 'main' },
      { what: 'end nightly', target: 'default' },
    ]);
    expect(fs.readFileSync(path.join(dir, 'target', 'run', 'models', 'base.sql'), 'utf8')).toContain(`insert into audit select 'built ' || count(*), 'main' from "main"."base"`);
  });
});
