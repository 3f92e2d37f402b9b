/**
 * What a ClickHouse target cannot do is refused before anything runs (exit 2, a clear message
 * with the file): no server is needed, since the refusal comes before the warehouse is opened
 * (the target's URL points at a port nothing listens on).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { TestProject } from './helpers.js';

const ENV = { CH_PW: 'pw-never-shown' };
const PROFILE = `proj:
  target: ch
  outputs:
    ch:
      type: clickhouse
      url: http://127.0.0.1:9
      password: '{{env "CH_PW"}}'
`;

let p: TestProject | undefined;
afterEach(() => p?.cleanup());

function project(files: Record<string, string>): TestProject {
  p = new TestProject('proj', { 'profiles.yml': PROFILE, 'models/base.sql': 'select 1 as id\n', ...files });
  return p;
}

describe('refused on ClickHouse targets, up front', () => {
  it('unit tests and snapshots (they run DuckDB SQL)', async () => {
    const t = project({
      'models/m.sql': 'select id from {{ref "base"}}\n',
      'models/unit.yml': 'unit_tests:\n  - name: ut\n    model: m\n    given:\n      - input: ref(\'base\')\n        rows: [{id: 1}]\n    expect:\n      rows: [{id: 1}]\n',
      'snapshots/snap.sql': '{{config materialized="snapshot" strategy="check" unique_key="id" check_cols="all"}}\nselect * from {{ref "base"}}\n',
    });
    const r = await t.runWithEnv(ENV, 'build');
    expect(r.code).toBe(2);
    expect(r.output).toMatch(/unit test ut cannot run on the ClickHouse target "ch": unit tests run DuckDB SQL/);
    expect(r.output).toMatch(/snapshot snap cannot run on the ClickHouse target "ch"/);
    expect(r.output).toContain('snapshots/snap.sql');
    expect(r.output).not.toContain('pw-never-shown');
    // Nothing ran: the server was never contacted.
    expect(r.output).not.toContain('cannot reach');
  });

  it('file models, file sources and merge', async () => {
    const t = project({
      'models/exp.sql': '{{config materialized="file" format="csv"}}\nselect * from {{ref "base"}}\n',
      'models/inc.sql': '{{config materialized="incremental" unique_key="id" incremental_strategy="merge"}}\nselect * from {{ref "base"}}\n',
      'models/sources.yml': 'sources:\n  - name: raw\n    tables:\n      - name: orders\n        location: staging/orders.csv\n',
      'models/from_files.sql': 'select * from {{source "raw" "orders"}}\n',
    });
    const r = await t.runWithEnv(ENV, 'run');
    expect(r.code).toBe(2);
    expect(r.output).toMatch(/model exp is a file model, which cannot be written on the ClickHouse target/);
    expect(r.output).toMatch(/model inc uses incremental_strategy "merge", which ClickHouse cannot do/);
    expect(r.output).toContain('delete+insert');
    expect(r.output).toMatch(/source raw\.orders reads files \(staging\/orders\.csv\)/);
  });

  it('--atomic', async () => {
    const r = await project({}).runWithEnv(ENV, 'run', '--atomic');
    expect(r.code).toBe(2);
    expect(r.output).toMatch(/--atomic is not possible on the ClickHouse target "ch"/);
  });

  it('a unique_key without a strategy is append on ClickHouse (not refused as merge)', async () => {
    const t = project({ 'models/inc.sql': '{{config materialized="incremental" unique_key="id"}}\nselect * from {{ref "base"}}\n' });
    const r = await t.runWithEnv(ENV, 'run');
    // Past the refusals: the run goes on to the server, which is not there.
    expect(r.output).not.toContain('cannot run on the ClickHouse target');
    expect(r.output).toContain('cannot reach the ClickHouse server http://127.0.0.1:9');
    expect(r.output).toMatch(/compile-time SQL check is skipped on clickhouse targets/);
    expect(r.code).toBe(2);
  });

  it('a DuckDB target of the same project runs them all', async () => {
    const t = project({ 'models/inc.sql': '{{config materialized="incremental" unique_key="id" incremental_strategy="merge"}}\nselect * from {{ref "base"}}\n' });
    t.write({ 'profiles.yml': 'proj:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n' });
    expect((await t.runWithEnv(ENV, 'run')).code).toBe(0);
  });
});
