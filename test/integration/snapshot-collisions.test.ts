import { afterAll, describe, expect, it } from 'vitest';
import { TestProject } from './helpers.js';

const snap = (extra: string) => `{{config strategy="check" unique_key="id" check_cols="all" ${extra}}}\nselect 1 as id, 'a' as v\n`;

// A snapshot's history table is a relation like a model's: two nodes resolving to one schema +
// identifier (case-insensitively) are a compile-time error naming both files.
describe('snapshots in the relation-collision check', () => {
  const made: TestProject[] = [];
  const project = (name: string, files: Record<string, string>) => {
    const p = new TestProject(name, files);
    made.push(p);
    return p;
  };
  afterAll(() => made.forEach((p) => p.cleanup()));

  it('a snapshot aliased like a model is exit 2 naming both files, before anything runs', async () => {
    const p = project('sc1', { 'models/dim.sql': '{{config materialized="table"}}\nselect 1 as x', 'snapshots/hist.sql': snap('alias="DIM"') });
    const r = await p.run('build');
    expect(r.code, r.output).toBe(2);
    expect(r.output).toMatch(/model dim \(models\/dim\.sql\) and snapshot hist \(snapshots\/hist\.sql\) both build main\.DIM/);
    expect(r.output).toContain('snapshots/hist.sql:1');
    expect(p.exists('sc1.duckdb')).toBe(false);
  });

  it('a snapshot and a seed in the same schema and identifier collide', async () => {
    const p = project('sc2', { 'seeds/codes.csv': 'id\n1\n', 'snapshots/hist.sql': snap('schema="main" alias="codes"') });
    const r = await p.run('compile');
    expect(r.code, r.output).toBe(2);
    expect(r.output).toMatch(/seed codes \(seeds\/codes\.csv\) and snapshot hist \(snapshots\/hist\.sql\) both build main\.codes/);
  });

  it('two snapshots with one alias collide; a different schema does not', async () => {
    const p = project('sc3', { 'snapshots/a.sql': snap('alias="h"'), 'snapshots/b.sql': snap('alias="H"') });
    const r = await p.run('snapshot');
    expect(r.code, r.output).toBe(2);
    expect(r.output).toMatch(/snapshot a \(snapshots\/a\.sql\) and snapshot b \(snapshots\/b\.sql\) both build main\.H/);
    p.write({ 'snapshots/b.sql': snap('alias="H" schema="history"') });
    const ok = await p.run('snapshot');
    expect(ok.code, ok.output).toBe(0);
    expect(await p.query('select count(*) as n from main.h')).toEqual([{ n: 1 }]);
    expect(await p.query('select count(*) as n from history.H')).toEqual([{ n: 1 }]);
  });

  it('a snapshot in a schema etlx reserves is exit 2', async () => {
    const p = project('sc4', { 'snapshots/hist.sql': snap('schema="etlx_meta"') });
    const r = await p.run('snapshot');
    expect(r.code, r.output).toBe(2);
    expect(r.output).toContain('snapshot hist would be built in schema "etlx_meta"');
    expect(r.output).toContain('snapshots/hist.sql:1');
  });

  it('a disabled snapshot collides with nothing', async () => {
    const p = project('sc5', { 'models/dim.sql': '{{config materialized="table"}}\nselect 1 as x', 'snapshots/hist.sql': snap('alias="dim" enabled=false') });
    const r = await p.run('build');
    expect(r.code, r.output).toBe(0);
  });
});
