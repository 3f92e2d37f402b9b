import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestProject } from './helpers.js';

describe('seeds', () => {
  let p: TestProject;
  beforeAll(() => {
    p = new TestProject(
      'seeds',
      {
        'seeds/people.csv': 'id,name,postal_code,joined,score,active\n1,Ann,02134,2024-01-05,1.5,true\n2,Bob,10115,2024-02-10,2.25,false\n3,"Cho, Li",01067,2024-03-15,3,true\n',
        'seeds/codes.csv': 'code,label\n007,bond\n042,answer\n',
        'seeds/props.yml': ['seeds:', '  - name: codes', '    config:', '      column_types: {code: varchar}', ''].join('\n'),
        'models/people_count.sql': `select count(*) as n, sum(score) as total from {{ref "people"}}`,
      },
      ['name: seeds', 'seeds:', '  people:', '    +column_types:', '      postal_code: varchar', ''].join('\n'),
    );
  });
  afterAll(() => p.cleanup());

  it('loads seeds with inferred types and column_types overrides', async () => {
    const r = await p.run('seed');
    expect(r.code, r.output).toBe(0);
    const types = await p.query(
      `select table_name as t, column_name as c, data_type as d from information_schema.columns where table_schema = 'main' order by table_name, ordinal_position`,
    );
    const typeOf = (t: string, c: string) => types.find((x) => x.t === t && x.c === c)?.d;
    expect(typeOf('people', 'id')).toBe('BIGINT');
    expect(typeOf('people', 'name')).toBe('VARCHAR');
    expect(typeOf('people', 'postal_code')).toBe('VARCHAR');
    expect(typeOf('people', 'joined')).toBe('DATE');
    expect(typeOf('people', 'score')).toBe('DOUBLE');
    expect(typeOf('people', 'active')).toBe('BOOLEAN');
    expect(typeOf('codes', 'code')).toBe('VARCHAR');

    // Leading zeros survive; a quoted field with the delimiter stays one field.
    expect(await p.query(`select id, name, postal_code from main.people order by id`)).toEqual([
      { id: 1, name: 'Ann', postal_code: '02134' },
      { id: 2, name: 'Bob', postal_code: '10115' },
      { id: 3, name: 'Cho, Li', postal_code: '01067' },
    ]);
    expect(await p.query(`select code from main.codes order by code`)).toEqual([{ code: '007' }, { code: '042' }]);
    expect(p.result('people')!.rows_affected).toBe(3);
    expect(p.result('people')!.resource_type).toBe('seed');
    expect(p.result('people')!.status).toBe('success');
    // `seed` does not build models.
    expect(p.result('people_count')).toBeUndefined();
  });

  it('a model reads a seed with ref', async () => {
    const r = await p.run('run');
    expect(r.code, r.output).toBe(0);
    expect(await p.query(`select n, total from main.people_count`)).toEqual([{ n: 3, total: 6.75 }]);
  });

  it('a malformed seed (a line with an extra field) fails with file:line and leaves the old table intact', async () => {
    p.write({ 'seeds/people.csv': 'id,name,postal_code,joined,score,active\n1,Ann,02134,2024-01-05,1.5,true\n2,Bob,10115,2024-02-10,2.25,false,EXTRA\n3,Cho,01067,2024-03-15,3,true\n' });
    const r = await p.run('seed');
    expect(r.code).toBe(1);
    expect(r.output).toMatch(/seeds\/people\.csv:3\b/);
    const res = p.result('people')!;
    expect(res.status).toBe('error');
    expect(res.message).toMatch(/seeds\/people\.csv:3\b/);
    // The other seed loaded; the previous people table is whole.
    expect(p.result('codes')!.status).toBe('success');
    expect(await p.query(`select id, name from main.people order by id`)).toEqual([
      { id: 1, name: 'Ann' },
      { id: 2, name: 'Bob' },
      { id: 3, name: 'Cho, Li' },
    ]);
  });

  it('a seed with a missing field fails with its line too', async () => {
    p.write({ 'seeds/people.csv': 'id,name,postal_code,joined,score,active\n1,Ann,02134,2024-01-05,1.5,true\n2,Bob,10115,2024-02-10,2.25,false\n3,Cho,01067,2024-03-15\n' });
    const r = await p.run('seed', '--select', 'people');
    expect(r.code).toBe(1);
    expect(p.result('people')!.message).toMatch(/seeds\/people\.csv:4\b/);
    expect(await p.query(`select count(*) as n from main.people`)).toEqual([{ n: 3 }]);
  });

  it('a fixed seed loads again', async () => {
    p.write({ 'seeds/people.csv': 'id,name,postal_code,joined,score,active\n1,Ann,02134,2024-01-05,1.5,true\n9,Zed,00001,2024-04-01,0.5,false\n' });
    const r = await p.run('seed');
    expect(r.code, r.output).toBe(0);
    expect(await p.query(`select id, postal_code from main.people order by id`)).toEqual([
      { id: 1, postal_code: '02134' },
      { id: 9, postal_code: '00001' },
    ]);
  });
});
