import { afterAll, describe, expect, it } from 'vitest';
import { TestProject } from './helpers.js';

// An {{env}} in a properties value that is not set (and has no default) is a compile-time error
// at the value's file:line, never a literal `{{...}}` in a name or a path.
describe('an unset env in a properties value', () => {
  const made: TestProject[] = [];
  afterAll(() => made.forEach((p) => p.cleanup()));

  it('in a config value and in a source location: exit 2 at each, with the hint to set it or give a default', async () => {
    const p = new TestProject('tpe', {
      'models/m.sql': 'select 1 as c',
      'models/props.yml': 'models:\n  - name: m\n    config:\n      alias: "m_{{env \\"ETLX_TEST_UNSET_SUFFIX\\"}}"\n',
      'models/src.yml': 'sources:\n  - name: s\n    tables:\n      - name: t\n        location: "staging/{{env \\"ETLX_TEST_UNSET_DIR\\"}}/t.csv"\n',
    });
    made.push(p);
    const r = await p.run('build');
    expect(r.code, r.output).toBe(2);
    expect(r.output).toMatch(/models\/props\.yml:4:\d+ .*environment variable ETLX_TEST_UNSET_SUFFIX is not set/);
    expect(r.output).toMatch(/models\/src\.yml:5:\d+ .*environment variable ETLX_TEST_UNSET_DIR is not set/);
    expect(r.output).toContain('{{env "ETLX_TEST_UNSET_DIR" "default"}}');
    expect(p.exists('tpe.duckdb')).toBe(false);
    const set = await p.runWithEnv({ ETLX_TEST_UNSET_SUFFIX: 'v2', ETLX_TEST_UNSET_DIR: 'd' }, 'run');
    expect(set.code, set.output).toBe(0);
    expect(p.result('m')!.relation_name).toBe('"main"."m_v2"');
  });
});
