import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryFile } from '../integration/helpers.js';
import { etlxAsync, writeProject } from './async-cli.js';
import { ensureBuilt, lines, removeTempDirs, STACK_LINE } from './helpers.js';

beforeAll(() => ensureBuilt());
afterAll(() => removeTempDirs());

function project(): string {
  return writeProject({
    'etlx.yml': 'name: hist\nmodels:\n  materialized: table\n',
    'seeds/codes.csv': 'code\na\nb\n',
    'models/total.sql': 'select * from {{ref "codes"}}\n',
  });
}

interface JsonRuns {
  runs: { invocation_id: string; command: string; status: string; exit_code: number; started_at: string; elapsed: number; counts: Record<string, number>; failures: { name: string; status: string; message: string }[] }[];
}
interface JsonNodes {
  nodes: { unique_id: string; name: string; trend: string; runs: { status: string; rows: number | null; elapsed: number; started_at: string }[] }[];
}

describe('etlx history (spawned CLI)', () => {
  it('says "no runs recorded yet" (exit 0) without a warehouse, and does not create one', async () => {
    const d = project();
    const r = await etlxAsync(['history'], d);
    expect(r.stdout + r.stderr).not.toMatch(STACK_LINE);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^no runs recorded yet/);
    expect(fs.existsSync(path.join(d, 'hist.duckdb'))).toBe(false);
    const j = await etlxAsync(['history', '--output', 'json'], d);
    expect(JSON.parse(j.stdout)).toEqual({ runs: [], message: 'no runs recorded yet' });
  });

  it('says "no runs recorded yet" on a warehouse that has no etlx_meta', async () => {
    const d = project();
    await queryFile(path.join(d, 'hist.duckdb'), 'create table t as select 1 as x');
    const r = await etlxAsync(['history'], d);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^no runs recorded yet/);
  });

  it('lists the last runs newest first with command, status, start, duration, node counts and failures; --last and --output json', async () => {
    const d = project();
    expect((await etlxAsync(['seed'], d)).code).toBe(0);
    expect((await etlxAsync(['build'], d)).code).toBe(0);
    fs.writeFileSync(path.join(d, 'models/total.sql'), 'select nope from {{ref "codes"}}\n');
    expect((await etlxAsync(['run'], d)).code).toBe(1);

    const r = await etlxAsync(['history'], d);
    expect(r.code).toBe(0);
    const out = lines(r.stdout);
    expect(out[0]).toBe('Last 3 runs, newest first (times in UTC):');
    expect(out[1]).toMatch(/^started\s+command\s+status\s+duration\s+nodes$/);
    expect(out[2]).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\s+run\s+error\s+\d+\.\d+s\s+1 error$/);
    expect(out[3]).toMatch(/^ {4}error total: Binder Error: Referenced column "nope" not found/);
    expect(out[4]).toMatch(/\s+build\s+success\s+\d+\.\d+s\s+2 success$/);
    expect(out[5]).toMatch(/\s+seed\s+success\s+\d+\.\d+s\s+1 success$/);
    expect(out).toHaveLength(6);

    const j = await etlxAsync(['history', '--last', '2', '--output', 'json'], d);
    expect(j.code).toBe(0);
    const runs = (JSON.parse(j.stdout) as JsonRuns).runs;
    expect(runs.map((x) => [x.command, x.status, x.exit_code, x.counts])).toEqual([
      ['run', 'error', 1, { error: 1 }],
      ['build', 'success', 0, { success: 2 }],
    ]);
    expect(runs[0]!.failures).toEqual([expect.objectContaining({ name: 'total', status: 'error' })]);
    expect(Date.parse(runs[0]!.started_at)).toBeGreaterThanOrEqual(Date.parse(runs[1]!.started_at));
    expect(runs[0]!.invocation_id).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('with --select: per node per run, status, rows and time, with a sparkline trend of rows', async () => {
    const d = project();
    for (const csv of ['code\na\nb\n', 'code\na\nb\nc\nd\n', 'code\na\n']) {
      fs.writeFileSync(path.join(d, 'seeds/codes.csv'), csv);
      expect((await etlxAsync(['build'], d)).code).toBe(0);
    }
    const r = await etlxAsync(['history', '--select', 'total'], d);
    expect(r.code, r.stderr).toBe(0);
    const out = lines(r.stdout);
    expect(out[0]).toBe('total (model.hist.total)  rows trend, oldest to newest: ▃█▁');
    expect(out.slice(1).map((l) => l.replace(/^ {2}\S+ \S+\s+/, '').replace(/\d+\.\d+s$/, 'T'))).toEqual(['success   1 row  T', 'success  4 rows  T', 'success  2 rows  T']);

    const j = await etlxAsync(['history', '--select', 'total', 'codes', '--last', '2', '--output', 'json'], d);
    const nodes = (JSON.parse(j.stdout) as JsonNodes).nodes;
    expect(nodes.map((n) => [n.unique_id, n.trend, n.runs.map((x) => x.rows)])).toEqual([
      ['model.hist.total', '█▁', [1, 4]],
      ['seed.hist.codes', '█▁', [1, 4]],
    ]);
  });

  it('a bad --last is exit 2', async () => {
    const r = await etlxAsync(['history', '--last', '0'], project());
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--last must be a whole number of 1 or more/);
  });
});
