import fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestProject } from './helpers.js';

// state:modified compares what the user wrote: the file, the merged config (folder defaults,
// properties files, {{config}}), the macros a model uses, the vars it reads, a test's arguments.
describe('state:modified: every input the user wrote counts', () => {
  let p: TestProject;
  const modified = async (...extra: string[]) => {
    const r = await p.run('ls', '--select', 'state:modified', '--state', 'base', ...extra);
    expect(r.code, r.output).toBe(0);
    return r.stdout.trim().split('\n').filter((l) => l !== '').sort();
  };
  beforeAll(async () => {
    p = new TestProject('smi', {
      'etlx.yml': 'name: smi\nvars:\n  cutoff: 3\nmodels:\n  marts:\n    materialized: table\n',
      'macros/money.sql': '{{amount}} / 100.0',
      'models/uses_macro.sql': 'select {{> money amount="7"}} as dollars',
      'models/reads_var.sql': 'select {{var "cutoff"}} as c',
      'models/marts/folder_default.sql': 'select 1 as x',
      'models/in_props.sql': 'select 1 as v',
      'models/plain.sql': 'select 1 as y',
      'snapshots/snap.sql': '{{config strategy="check" unique_key="id" check_cols="all"}}\nselect 1 as id, {{> money amount="5"}} as v',
      'models/props.yml': 'models:\n  - name: in_props\n    config:\n      tags: [a]\n    columns:\n      - name: v\n        tests:\n          - accepted_values: {values: [1]}\n',
    });
    expect((await p.run('compile')).code).toBe(0);
    fs.cpSync(p.path('target'), p.path('base'), { recursive: true });
  });
  afterAll(() => p.cleanup());

  it('nothing changed: nothing is modified', async () => {
    expect(await modified()).toEqual([]);
  });

  it('a macro body change modifies the model and the snapshot that use it, and nothing else', async () => {
    p.write({ 'macros/money.sql': '{{amount}} / 100.00' });
    expect(await modified()).toEqual(['snap', 'uses_macro']);
    p.write({ 'macros/money.sql': '{{amount}} / 100.0' });
  });

  it('a var a model reads: another value (in etlx.yml or by --vars) modifies it; the same value does not', async () => {
    expect(await modified('--vars', '{cutoff: 4}')).toEqual(['reads_var']);
    expect(await modified('--vars', '{cutoff: 3}')).toEqual([]);
    p.write({ 'etlx.yml': 'name: smi\nvars:\n  cutoff: 5\nmodels:\n  marts:\n    materialized: table\n' });
    expect(await modified()).toEqual(['reads_var']);
  });

  it('a folder default in etlx.yml and a config in a properties file count as config', async () => {
    p.write({ 'etlx.yml': 'name: smi\nvars:\n  cutoff: 3\nmodels:\n  marts:\n    materialized: view\n' });
    expect(await modified()).toEqual(['folder_default']);
    p.write({ 'etlx.yml': 'name: smi\nvars:\n  cutoff: 3\nmodels:\n  marts:\n    materialized: table\n' });
    p.write({ 'models/props.yml': 'models:\n  - name: in_props\n    config:\n      tags: [a]\n      materialized: table\n    columns:\n      - name: v\n        tests:\n          - accepted_values: {values: [1]}\n' });
    // Its tests come with it (indirect selection, as in dbt).
    expect(await modified()).toEqual(['accepted_values_in_props_v', 'in_props']);
  });

  it("a test's changed arguments modify the test (its name stays)", async () => {
    p.write({ 'models/props.yml': 'models:\n  - name: in_props\n    config:\n      tags: [a]\n    columns:\n      - name: v\n        tests:\n          - accepted_values: {values: [1, 2]}\n' });
    expect(await modified()).toEqual(['accepted_values_in_props_v']);
  });
});
