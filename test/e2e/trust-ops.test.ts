/**
 * Trust (issue 16), for nightly runs: retry after --atomic and retry's flags, a signal at start,
 * a warehouse deleted under a run, and a history write that fails.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryFile } from '../integration/helpers.js';
import { ensureBuilt, etlx, removeTempDirs, tempDir } from './helpers.js';
import { runResults, startEtlx, writeFiles } from './nightly-helpers.js';

beforeAll(() => ensureBuilt());
afterAll(() => removeTempDirs());

const results = runResults;
const byId = (dir: string) => Object.fromEntries(results(dir).results.map((r) => [r.unique_id, r]));

describe('etlx retry after --atomic', () => {
  it('records the nodes it rolled back as skipped "rolled back", so retry runs them again', async () => {
    const d = tempDir('etlx-e2e-atomic-retry-');
    writeFiles(d, {
      'etlx.yml': 'name: ar\n',
      // good runs first (bad reads it), then bad fails and --atomic rolls good back.
      'models/good.sql': '{{config materialized="table"}}\nselect 1 as x\n',
      'models/bad.sql': '{{config materialized="table"}}\nselect error(\'boom\') as y from {{ref "good"}}\n',
    });
    const first = etlx(['build', '--atomic'], d);
    expect(first.code).toBe(1);
    const r1 = byId(d);
    expect(r1['model.ar.bad']!.status).toBe('error');
    expect(r1['model.ar.good']).toMatchObject({ status: 'skipped' });
    expect(r1['model.ar.good']!.message).toMatch(/^rolled back/);
    expect(await queryFile(path.join(d, 'ar.duckdb'), "select count(*) as n from information_schema.tables where table_name = 'good'")).toEqual([{ n: 0 }]);
    writeFiles(d, { 'models/bad.sql': '{{config materialized="table"}}\nselect x as y from {{ref "good"}}\n' });
    const retry = etlx(['retry'], d);
    expect(retry.code, retry.stdout + retry.stderr).toBe(0);
    const r2 = byId(d);
    expect(Object.keys(r2).sort()).toEqual(['model.ar.bad', 'model.ar.good']);
    expect(r2['model.ar.good']!.status).toBe('success');
    expect(await queryFile(path.join(d, 'ar.duckdb'), 'select x from main.good')).toEqual([{ x: 1 }]);
  });
});

describe('etlx retry reuses every flag that decides where and what it writes', () => {
  /** A project whose `bad` model fails until `models/bad.sql` is fixed; `after` depends on it. */
  function failing(name: string, extra: Record<string, string> = {}): string {
    const d = tempDir(`etlx-e2e-retry-${name}-`);
    writeFiles(d, {
      'etlx.yml': `name: ${name}\n`,
      'models/bad.sql': '{{config materialized="table"}}\nselect error(\'boom\') as y\n',
      'models/after.sql': `{{config materialized="table"}}\nselect '{{var "tag" "none"}}' as tag, * from {{ref "bad"}}\n`,
      ...extra,
    });
    return d;
  }
  const fix = (d: string) => writeFiles(d, { 'models/bad.sql': '{{config materialized="table"}}\nselect 1 as y\n' });

  it('--profiles-dir: retry builds into the same warehouse, not the embedded default', async () => {
    const d = failing('pd');
    const profiles = tempDir('etlx-e2e-profiles-');
    writeFiles(profiles, { 'profiles.yml': `pd:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: ${path.join(profiles, 'elsewhere.duckdb')}\n` });
    expect(etlx(['build', '--profiles-dir', profiles], d).code).toBe(1);
    expect(results(d).args.profiles_dir).toBe(profiles);
    fix(d);
    const r = etlx(['retry'], d);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(fs.existsSync(path.join(d, 'pd.duckdb'))).toBe(false);
    expect(await queryFile(path.join(profiles, 'elsewhere.duckdb'), 'select y from main.after')).toEqual([{ y: 1 }]);
  });

  it('--profile and --target: retry writes to the same profile and target', async () => {
    const d = failing('pt', {
      'profiles.yml':
        'pt:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: dev.duckdb\n' +
        'other:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: other_dev.duckdb\n    prod:\n      type: duckdb\n      path: other_prod.duckdb\n',
    });
    expect(etlx(['build', '--profile', 'other', '--target', 'prod'], d).code).toBe(1);
    fix(d);
    expect(etlx(['retry'], d).code).toBe(0);
    expect(fs.existsSync(path.join(d, 'dev.duckdb'))).toBe(false);
    expect(fs.existsSync(path.join(d, 'other_dev.duckdb'))).toBe(false);
    expect(await queryFile(path.join(d, 'other_prod.duckdb'), 'select y from main.after')).toEqual([{ y: 1 }]);
  });

  it('--vars: retry renders with the same vars', async () => {
    const d = failing('rv');
    expect(etlx(['build', '--vars', '{tag: nightly}'], d).code).toBe(1);
    fix(d);
    expect(etlx(['retry'], d).code).toBe(0);
    expect(await queryFile(path.join(d, 'rv.duckdb'), 'select tag from main.after')).toEqual([{ tag: 'nightly' }]);
  });

  it('--project-dir: retry from another folder finds and writes the same project', async () => {
    const d = failing('rp');
    const elsewhere = tempDir('etlx-e2e-cwd-');
    expect(etlx(['build', '--project-dir', d], elsewhere).code).toBe(1);
    expect(results(d).args.project_dir).toBe(d);
    fix(d);
    expect(etlx(['retry', '--project-dir', d], elsewhere).code).toBe(0);
    expect(fs.readdirSync(elsewhere)).toEqual([]);
    expect(await queryFile(path.join(d, 'rp.duckdb'), 'select y from main.after')).toEqual([{ y: 1 }]);
  });

  it('--state: retry keeps comparing with the same manifest', () => {
    const d = failing('rs');
    fs.writeFileSync(path.join(d, 'models/bad.sql'), '{{config materialized="table"}}\nselect 1 as y\n');
    expect(etlx(['build'], d).code).toBe(0);
    const state = tempDir('etlx-e2e-state-');
    fs.copyFileSync(path.join(d, 'target', 'manifest.json'), path.join(state, 'manifest.json'));
    writeFiles(d, { 'models/bad.sql': "{{config materialized=\"table\"}}\nselect error('boom') as y\n" });
    expect(etlx(['build', '--select', 'state:modified+', '--state', state], d).code).toBe(1);
    expect(results(d).args.state).toBe(state);
    fix(d);
    const r = etlx(['retry'], d);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(results(d).args.state).toBe(state);
  });
});

describe('signals and faults around a run', () => {
  it('a SIGTERM before the project is even loaded exits 130 cleanly: nothing runs, run_results says interrupted', () => {
    const d = tempDir('etlx-e2e-sigterm-');
    writeFiles(d, { 'etlx.yml': 'name: sig\non-run-start: ["create table main.hook_ran as select 1 as x"]\n', 'models/a.sql': '{{config materialized="table"}}\nselect 1 as x\n' });
    const r = etlx(['build'], d, { ETLX_FAULT: 'sigterm-at-start' });
    expect(r.code).toBe(130);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    const rr = results(d);
    expect(rr.status).toBe('interrupted');
    expect(rr.results.map((x) => x.status)).toEqual(['skipped']);
  });

  it('a SIGTERM while the launcher is still loading the CLI is kept and handled: exit 130, run_results written', () => {
    const d = tempDir('etlx-e2e-sigterm2-');
    writeFiles(d, { 'etlx.yml': 'name: sig2\n', 'models/a.sql': 'select 1 as x\n' });
    const r = etlx(['build'], d, { ETLX_FAULT: 'sigterm-in-launcher' });
    expect(r.code).toBe(130);
    expect(results(d).status).toBe('interrupted');
  });

  it('a warehouse deleted while the run goes on fails the run (exit 1) instead of reporting success', async () => {
    const d = tempDir('etlx-e2e-gone-');
    writeFiles(d, {
      'etlx.yml': 'name: gone\n',
      'models/a.sql': '{{config materialized="table"}}\nselect 1 as x\n',
      'models/late.sql': '{{config materialized="table"}}\nselect * from {{source "stage" "late"}}\n',
      'models/sources.yml': 'sources:\n  - name: stage\n    tables:\n      - name: late\n        location: staging/late.csv\n        wait: {timeout: 10m, poll: 100ms}\n',
    });
    const run = startEtlx(['run'], d);
    await run.waitForLine(/WAIT model late/);
    fs.rmSync(path.join(d, 'gone.duckdb'));
    fs.rmSync(path.join(d, 'gone.duckdb.wal'), { force: true });
    writeFiles(d, { 'staging/late.csv': 'id\n1\n' });
    const r = await run.done;
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('the warehouse gone.duckdb was deleted or moved while the run was going on');
    expect(results(d).status).toBe('error');
  });

  it('a history write that fails (a full disk) is a warning: the run keeps its exit code and writes run_results', () => {
    const d = tempDir('etlx-e2e-history-');
    writeFiles(d, { 'etlx.yml': 'name: hist\n', 'models/a.sql': '{{config materialized="table"}}\nselect 1 as x\n', 'models/bad.sql': "{{config materialized=\"table\"}}\nselect error('x') as y\n" });
    const failed = etlx(['build'], d, { ETLX_FAULT: 'history-error' });
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/WARN could not record this run in the warehouse's history \(etlx_meta\): IO Error: injected fault/);
    expect(results(d).exit_code).toBe(1);
    expect(byId(d)['model.hist.bad']!.status).toBe('error');
    const retry = etlx(['retry'], d, { ETLX_FAULT: 'history-error' });
    expect(retry.code).toBe(1);
    expect(retry.stderr).not.toMatch(/internal|TransactionContext/);
    expect(results(d).args.retry_of).toBeDefined();
    fs.writeFileSync(path.join(d, 'models/bad.sql'), 'select 1 as y\n');
    const ok = etlx(['build'], d, { ETLX_FAULT: 'history-error' });
    expect(ok.code).toBe(0);
    expect(ok.stderr).toContain('could not record this run');
    expect(results(d).status).toBe('success');
  });
});
