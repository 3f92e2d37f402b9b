/**
 * Nightly operations, end to end (issue 11): late staging files, a stdout that goes away, exit
 * codes and selectors that never lie to cron, and output people can read in a log.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryFile } from '../integration/helpers.js';
import { ensureBuilt, etlx, removeTempDirs, tempDir } from './helpers.js';
import { runResults, logEvents, startEtlx, until, writeFiles } from './nightly-helpers.js';

beforeAll(() => ensureBuilt());
afterAll(() => removeTempDirs());

const results = runResults;
const statusOf = (dir: string, id: string) => results(dir).results.find((r) => r.unique_id === id)?.status;

/** A project where `late_reader` reads staging/late/*.csv, which is missing, and `early` reads nothing. */
function lateProject(sourcesYml: string): string {
  const d = tempDir('etlx-e2e-late-');
  writeFiles(d, {
    'etlx.yml': 'name: nightly\n',
    'models/early.sql': '{{config materialized="table"}}\nselect 1 as x\n',
    'models/late_reader.sql': '{{config materialized="table"}}\nselect * from {{source "stage" "late"}}\n',
    'models/after_late.sql': '{{config materialized="table"}}\nselect count(*) as n from {{ref "late_reader"}}\n',
    'models/sources.yml': sourcesYml,
  });
  return d;
}

const LATE_SOURCE = 'sources:\n  - name: stage\n    tables:\n      - name: late\n        location: staging/late/*.csv\n';

describe('late staging files', () => {
  it('--wait-for-sources holds the reader of a missing file while the rest runs, and starts it when the file appears', async () => {
    const d = lateProject(LATE_SOURCE);
    const run = startEtlx(['build', '--wait-for-sources', '10m', '--log-format', 'json'], d);
    const waiting = JSON.parse(await run.waitForLine(/"type":"wait"/)) as Record<string, unknown>;
    expect(waiting).toMatchObject({ type: 'wait', reason: 'source', unique_id: 'model.nightly.late_reader', timeout: 600 });
    // The rest of the DAG went on while the reader waits: early is done before the file exists.
    await until(() => logEvents(d).some((e) => e.type === 'node_end' && e.unique_id === 'model.nightly.early' && e.status === 'success'), 'early to finish');
    writeFiles(d, { 'staging/late/part1.csv': 'id,amount\n1,10\n2,20\n' });
    const r = await run.done;
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(statusOf(d, 'model.nightly.late_reader')).toBe('success');
    expect(statusOf(d, 'model.nightly.after_late')).toBe('success');
    expect(await queryFile(path.join(d, 'nightly.duckdb'), 'select n from main.after_late')).toEqual([{ n: 2 }]);
  });

  it('wait: {timeout, poll} on a source in YAML holds its readers the same way', async () => {
    const d = lateProject(`${LATE_SOURCE}        wait: {timeout: 10m, poll: 100ms}\n`);
    const run = startEtlx(['run'], d);
    const line = await run.waitForLine(/WAIT model late_reader/);
    expect(line).toContain('waits up to 10m for the staging files of source stage.late (staging/late/*.csv)');
    writeFiles(d, { 'staging/late/part1.csv': 'id\n1\n' });
    const r = await run.done;
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/source stage\.late: its staging files arrived after/);
    expect(statusOf(d, 'model.nightly.late_reader')).toBe('success');
  });

  it('when the wait times out, the reader fails as it would have without waiting (exit 1), the rest succeeded', () => {
    const d = lateProject(`${LATE_SOURCE}        wait: {timeout: 300ms, poll: 100ms}\n`);
    const r = etlx(['run'], d);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/source stage\.late: no files match staging\/late\/\*\.csv .*still after waiting 300ms/);
    expect(statusOf(d, 'model.nightly.early')).toBe('success');
    expect(statusOf(d, 'model.nightly.late_reader')).toBe('error');
    expect(statusOf(d, 'model.nightly.after_late')).toBe('skipped');
  });

  it('a bad wait duration is a project error (exit 2) at its line', () => {
    const d = lateProject(`${LATE_SOURCE}        wait: {timeout: soon}\n`);
    const r = etlx(['run'], d);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/models\/sources\.yml:6.*wait\.timeout must be a duration, not "soon"/);
    expect(etlx(['run', '--wait-for-sources', 'tomorrow'], d).stderr).toMatch(/--wait-for-sources must be a duration, not "tomorrow"/);
  });
});

describe('a stdout that goes away never stops the run', () => {
  it('etlx build | head -1: the run finishes, exit code right, run_results complete, history row written', async () => {
    const d = lateProject(`${LATE_SOURCE}        wait: {timeout: 10m, poll: 100ms}\n`);
    const run = startEtlx(['build'], d);
    // The reader of stdout reads one line and goes away, as `head -1` does.
    await run.waitForLine(/Running build/);
    run.child.stdout!.destroy();
    // Everything after this point is written to a closed pipe: the held model waits until the
    // test sees (in the log file, which is still written) that it is waiting.
    await until(() => logEvents(d).some((e) => e.type === 'wait'), 'the wait event in target/logs/etlx.log');
    writeFiles(d, { 'staging/late/part1.csv': 'id\n1\n' });
    const r = await run.done;
    expect(r.code).toBe(0);
    const rr = results(d);
    expect(rr.exit_code).toBe(0);
    expect(rr.results.map((x) => [x.unique_id, x.status]).sort()).toEqual([
      ['model.nightly.after_late', 'success'],
      ['model.nightly.early', 'success'],
      ['model.nightly.late_reader', 'success'],
    ]);
    const history = await queryFile(path.join(d, 'nightly.duckdb'), `select status, exit_code from etlx_meta.invocations where invocation_id = '${rr.metadata.invocation_id}'`);
    expect(history).toEqual([{ status: 'success', exit_code: 0 }]);
    // The log file has the whole run, to its end.
    expect(logEvents(d).some((e) => e.type === 'run_end' && e.invocation_id === rr.metadata.invocation_id)).toBe(true);
    expect(fs.existsSync(path.join(d, 'nightly.duckdb.wal'))).toBe(false);
  });
});

describe('selectors that match nothing', () => {
  const project = () => {
    const d = tempDir('etlx-e2e-sel-');
    writeFiles(d, {
      'etlx.yml': 'name: sel\non-run-start:\n  - "create table if not exists main.hook_marker (x int)"\n  - "insert into main.hook_marker values (1)"\n',
      'models/a.sql': '{{config materialized="table" tags="nightly"}}\nselect 1 as x\n',
      'models/b.sql': '{{config materialized="view"}}\nselect * from {{ref "a"}}\n',
    });
    return d;
  };

  it('a tag typo is exit 2 with a did-you-mean, and runs nothing', () => {
    const d = project();
    const r = etlx(['build', '-s', 'tag:nightlyy'], d);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('selector "tag:nightlyy" matches no node; did you mean "nightly"?');
    expect(fs.existsSync(path.join(d, 'target', 'run_results.json'))).toBe(false);
    expect(etlx(['ls', '-s', 'config.materialized:tabel'], d).stderr).toContain('did you mean "table"?');
    expect(etlx(['run', '-s', 'a,config.materialized:view'], d).code).toBe(2);
  });

  it('a result: term that matches nothing is "nothing to do", exit 0: run_results kept, no hooks', async () => {
    const d = project();
    expect(etlx(['build'], d).code).toBe(0);
    const before = fs.readFileSync(path.join(d, 'target', 'run_results.json'), 'utf8');
    const r = etlx(['build', '-s', 'result:error'], d);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Nothing to do: the selection matches no node/);
    expect(fs.readFileSync(path.join(d, 'target', 'run_results.json'), 'utf8')).toBe(before);
    expect(await queryFile(path.join(d, 'sel.duckdb'), 'select count(*) as n from main.hook_marker')).toEqual([{ n: 1 }]);
    expect(await queryFile(path.join(d, 'sel.duckdb'), 'select count(*) as n from etlx_meta.invocations')).toEqual([{ n: 1 }]);
  });
});

describe('commands take only their flags', () => {
  it('show --threads is an unknown option (exit 2); ls --full-refresh too; run keeps them', () => {
    const d = tempDir('etlx-e2e-flags-');
    writeFiles(d, { 'etlx.yml': 'name: flags\n', 'models/a.sql': 'select 1 as x\n' });
    const show = etlx(['show', 'a', '--threads', '4'], d);
    expect(show.code).toBe(2);
    expect(show.stderr).toContain("unknown option '--threads'");
    expect(etlx(['ls', '--full-refresh'], d).code).toBe(2);
    expect(etlx(['compile', '--lock-timeout', '1m'], d).code).toBe(2);
    expect(etlx(['run', '--threads', '2', '--full-refresh', '--lock-timeout', '1m', '-m', 'a'], d).code).toBe(0);
  });
});

describe('a relation that was never built', () => {
  it('etlx test before any run names the missing relation and the command that builds it', () => {
    const d = tempDir('etlx-e2e-unbuilt-');
    writeFiles(d, {
      'etlx.yml': 'name: unbuilt\n',
      'models/stg_orders.sql': '{{config materialized="table"}}\nselect 1 as id\n',
      'models/schema.yml': 'models:\n  - name: stg_orders\n    columns:\n      - name: id\n        tests: [not_null]\n',
    });
    const r = etlx(['test'], d);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('model stg_orders has not been built in this warehouse yet: main.stg_orders does not exist');
    expect(r.stderr).toContain('build it first: etlx run --select stg_orders');
    expect(r.stdout + r.stderr).not.toMatch(/Catalog Error|pragma_database_list/);
    const show = etlx(['show', 'stg_orders'], d);
    expect(show.code).toBe(1);
    expect(show.stderr).toContain('model stg_orders has not been built in this warehouse yet');
    expect(show.stderr).toContain('etlx run --select stg_orders');
  });
});
