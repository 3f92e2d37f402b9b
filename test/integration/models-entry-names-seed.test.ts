import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestProject } from './helpers.js';

// dbt projects describe seeds under models:; dbt warns and attaches the tests to the seed.
describe('a models: entry that names a seed', () => {
  let p: TestProject;
  beforeAll(() => {
    p = new TestProject('ms', {
      'seeds/codes.csv': 'id,code\n1,a\n2,b\n2,c\n',
      'models/m.sql': 'select * from {{ref "codes"}}',
      'models/props.yml': 'models:\n  - name: codes\n    description: the codes seed\n    columns:\n      - name: id\n        description: the id\n        tests: [not_null, unique]\n',
    });
  });
  afterAll(() => p.cleanup());

  it('attaches its tests and descriptions to the seed, with a warning naming the file and line', async () => {
    const r = await p.run('build');
    expect(r.output).toMatch(/models\/props\.yml:2/);
    expect(r.output).toMatch(/"codes" under models: is a seed/);
    expect(r.code).toBe(1);
    expect(p.statuses()).toMatchObject({ codes: 'success', not_null_codes_id: 'pass', unique_codes_id: 'fail' });
    const manifest = JSON.parse(p.read('target/manifest.json')) as { nodes: Record<string, { description: string; columns: Record<string, { description?: string }> }> };
    expect(manifest.nodes['seed.ms.codes']!.description).toBe('the codes seed');
    expect(manifest.nodes['seed.ms.codes']!.columns.id!.description).toBe('the id');
  });

  it('a seed described both under models: and seeds: is exit 2', async () => {
    p.write({ 'seeds/props.yml': 'seeds:\n  - name: codes\n    description: again\n' });
    const r = await p.run('compile');
    expect(r.code).toBe(2);
    expect(r.output).toMatch(/seed "codes" is described twice/);
  });
});
