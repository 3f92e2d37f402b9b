import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestProject } from './helpers.js';

describe('-m / --models is an alias of --select', () => {
  let p: TestProject;
  beforeAll(() => {
    p = new TestProject('mflag', {
      'models/a.sql': 'select 1 as id',
      'models/b.sql': 'select * from {{ref "a"}}',
      'models/c.sql': 'select 3 as id',
      'models/props.yml': 'models:\n  - name: a\n    columns:\n      - name: id\n        tests: [not_null]\n',
    });
  });
  afterAll(() => p.cleanup());

  it('ls -m selects like --select, and merges with it', async () => {
    expect((await p.run('ls', '-m', 'a+', '--resource-type', 'model')).stdout.trim().split('\n')).toEqual(['a', 'b']);
    expect((await p.run('ls', '--models', 'c', '--resource-type', 'model')).stdout.trim()).toBe('c');
    expect((await p.run('ls', '-s', 'a', '-m', 'c', '--resource-type', 'model')).stdout.trim().split('\n')).toEqual(['a', 'c']);
  });

  it('run, build and test take -m', async () => {
    expect((await p.run('run', '-m', 'a')).code).toBe(0);
    expect(p.statuses()).toEqual({ a: 'success' });
    expect((await p.run('test', '-m', 'a')).code).toBe(0);
    expect(Object.keys(p.statuses())).toEqual(['not_null_a_id']);
    expect((await p.run('build', '-m', 'c')).code).toBe(0);
    expect(p.statuses()).toEqual({ c: 'success' });
  });
});
