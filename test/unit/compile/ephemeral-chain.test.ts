import { describe, expect, it } from 'vitest';
import { compileProject, EPHEMERAL_LIMIT } from '../../../src/compile/compile.js';
import { context, parse } from './memory-project.js';

/**
 * A project whose models m0 -> m1 -> ... -> m<depth-1> are ephemeral, read by one table `final`.
 * Generated in memory: thousands of fixture files are not worth committing.
 */
function chainProject(depth: number): Record<string, string> {
  const files: Record<string, string> = { 'etlx.yml': 'name: proj\nmodels:\n  materialized: ephemeral\n', 'models/m0.sql': 'select 1 as id\n' };
  for (let i = 1; i < depth; i++) files[`models/m${i}.sql`] = `select id from {{ref "m${i - 1}"}}\n`;
  files['models/final.sql'] = `{{config materialized="table"}}\nselect id from {{ref "m${depth - 1}"}}\n`;
  return files;
}

describe('ephemeral ref chains compile in time linear in their depth, with a bound', () => {
  it(`a chain ${EPHEMERAL_LIMIT} deep compiles, every CTE once and dependencies first`, () => {
    const p = parse(chainProject(EPHEMERAL_LIMIT));
    const c = compileProject(p, context());
    expect(c.diagnostics).toEqual([]);
    const final = c.nodes.get('model.proj.final')!;
    expect(final.ephemerals).toEqual(Array.from({ length: EPHEMERAL_LIMIT }, (_, i) => `m${i}`));
    expect(final.sql.match(/"__etlx_cte__m\d+" as \(/g)).toHaveLength(EPHEMERAL_LIMIT);
  });

  // Before: 800 deep took 48 s and 5,000 deep never finished (the merge of ephemeral lists was
  // polynomial in the depth). The generous timeout only guards against that coming back.
  it('a chain 5,000 deep is a clear compile-time error naming the first model past the bound', { timeout: 60_000 }, () => {
    const p = parse(chainProject(5000));
    const c = compileProject(p, context());
    const first = c.diagnostics[0]!;
    expect(first.code).toBe('E_EPHEMERAL_LIMIT');
    expect(first.file).toBe(`models/m${EPHEMERAL_LIMIT + 1}.sql`);
    expect(first.message).toContain(`inlines ${EPHEMERAL_LIMIT + 1} ephemeral models, more than the limit of ${EPHEMERAL_LIMIT}`);
    expect(first.hint).toContain('{{config materialized="table"}}');
    expect(c.diagnostics.every((d) => d.code === 'E_EPHEMERAL_LIMIT')).toBe(true);
  });

  it('a model reading many separate ephemerals shares their common ancestors once', () => {
    const files: Record<string, string> = { 'etlx.yml': 'name: proj\nmodels:\n  materialized: ephemeral\n', 'models/base.sql': 'select 1 as id\n' };
    const refs: string[] = [];
    for (let i = 0; i < 200; i++) {
      files[`models/e${i}.sql`] = 'select id from {{ref "base"}}\n';
      refs.push(`select id from {{ref "e${i}"}}`);
    }
    files['models/all.sql'] = `{{config materialized="table"}}\n${refs.join('\nunion all\n')}\n`;
    const c = compileProject(parse(files), context());
    expect(c.diagnostics).toEqual([]);
    const all = c.nodes.get('model.proj.all')!;
    expect(all.ephemerals[0]).toBe('base');
    expect(all.ephemerals).toHaveLength(201);
    expect(new Set(all.ephemerals).size).toBe(201);
  });
});
