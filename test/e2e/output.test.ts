/**
 * Output for people and for cron logs (issue 11): dates in logs, a recap of failures, the words
 * a run uses, and a live status line on a terminal.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, ensureBuilt, etlx, removeTempDirs, tempDir } from './helpers.js';
import { cliEnv, writeFiles } from './nightly-helpers.js';

beforeAll(() => ensureBuilt());
afterAll(() => removeTempDirs());

const ISO_LINE = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z {2}/;

describe('output for people and cron logs', () => {
  it('a failed run: ISO date-times on every log line, failure text on stderr, and a recap of each failure after the summary', () => {
    const d = tempDir('etlx-e2e-out-');
    writeFiles(d, {
      'etlx.yml': 'name: out\n',
      'models/one.sql': '{{config materialized="table"}}\nselect 1 as id\n',
      'models/bad.sql': '{{config materialized="table"}}\nselect\n  no_such_column\nfrom (select 1 as id)\n',
      'models/schema.yml': 'models:\n  - name: one\n    tests:\n      - row_count: {min: 5, max: 10}\n',
    });
    const r = etlx(['build'], d);
    expect(r.code).toBe(1);
    const log = r.stdout.split('\n').filter((l) => / \d+ of \d+ |Running build/.test(l));
    expect(log.length).toBeGreaterThan(3);
    for (const l of log) expect(l).toMatch(ISO_LINE);
    // "1 row", "1 node" in the singular.
    expect(r.stdout).toMatch(/OK created table model main\.one \[1 row in/);
    // The failure's text is on stderr, with compile errors and warnings; the status line stays in the log.
    expect(r.stdout).toMatch(/ERROR table model main\.bad/);
    expect(r.stderr).toMatch(/no_such_column/);
    expect(r.stdout).not.toMatch(/Binder Error/);
    // A failing row_count test says its bounds.
    expect(r.stderr).toContain('row count 1 is outside the expected bounds (min 5, max 10)');
    const recap = r.stderr.slice(r.stderr.indexOf('2 failures:'));
    expect(recap).toMatch(/^2 failures:\n {2}model\.out\.bad \(models\/bad\.sql:3\): Binder Error: .*no_such_column/m);
    expect(recap).toMatch(/\n {2}test\.out\.row_count_one \(models\/schema\.yml(:\d+)?\): 1 failing row: row count 1 is outside the expected bounds \(min 5, max 10\)/);
    const compile = etlx(['compile', '--select', 'one'], d);
    expect(compile.stdout).toMatch(/Compiled 1 model and 1 test into/);
  });

  it('an incremental merge says "merged into", an append "appended to"; --full-refresh on full_refresh: false prints a note', () => {
    const d = tempDir('etlx-e2e-verbs-');
    writeFiles(d, {
      'etlx.yml': 'name: verbs\n',
      'models/m.sql': '{{config materialized="incremental" unique_key="id" incremental_strategy="merge"}}\nselect 1 as id, 2 as v\n',
      'models/a.sql': '{{config materialized="incremental" incremental_strategy="append" full_refresh=false}}\nselect 1 as id\n',
    });
    const first = etlx(['run'], d);
    expect(first.stdout).toMatch(/OK created incremental model main\.m/);
    const second = etlx(['run'], d);
    expect(second.code).toBe(0);
    expect(second.stdout).toMatch(/OK merged into incremental model main\.m \[1 row in/);
    expect(second.stdout).toMatch(/OK appended to incremental model main\.a/);
    expect(second.stdout).not.toMatch(/OK created incremental/);
    const full = etlx(['run', '--full-refresh'], d);
    expect(full.stdout).toContain('note: --full-refresh does not rebuild a: its config says full_refresh: false (models/a.sql)');
    expect(full.stdout).toMatch(/OK created incremental model main\.m/);
  });

  it('a profiles.yml value that fell back to its {{env}} default is shown, not ****; one read from the environment stays hidden', () => {
    const d = tempDir('etlx-e2e-envdefault-');
    writeFiles(d, {
      'etlx.yml': 'name: envd\n',
      'profiles.yml': 'envd:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: \'{{env "ETLX_TEST_WH" "fallback_wh.duckdb"}}\'\n      schema: \'{{env "ETLX_TEST_SCHEMA" "analytics"}}\'\n',
      'models/a.sql': '{{config materialized="table"}}\nselect 1 as x\n',
    });
    const r = etlx(['run'], d);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('on fallback_wh.duckdb');
    expect(r.stdout).toContain('table model analytics.a');
    expect(r.stdout).not.toContain('****');
    const secret = etlx(['run'], d, { ETLX_TEST_SCHEMA: 'hidden_schema' });
    expect(secret.code).toBe(0);
    expect(secret.stdout).not.toContain('hidden_schema');
    expect(secret.stdout).toContain('****');
  });

  it('on a terminal, the live status line (done/total, elapsed, running) is redrawn under the log lines', () => {
    const d = tempDir('etlx-e2e-tty-');
    writeFiles(d, { 'etlx.yml': 'name: tty\n', 'models/a.sql': 'select 1 as x\n', 'models/b.sql': 'select * from {{ref "a"}}\n' });
    // `script` gives etlx a pseudo-terminal, as a person's shell would.
    const cmd = `${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} run`;
    const r = spawnSync('script', ['-qec', cmd, '/dev/null'], { cwd: d, encoding: 'utf8', env: cliEnv({ TERM: 'xterm' }) });
    if (r.error) throw r.error;
    expect(r.status).toBe(0);
    const out = r.stdout;
    // Drawn after a log line (clear-line, then the status), and showing what runs.
    expect(out).toMatch(/\r\x1b\[2K(\x1b\[2m)?\[0\/2\] \d+s running a/);
    expect(out).toMatch(/\r\x1b\[2K(\x1b\[2m)?\[1\/2\] \d+s running b/);
    // Terminal lines keep a short time.
    expect(out).toMatch(/\d{2}:\d{2}:\d{2} {2}Running run/);
    expect(fs.existsSync(path.join(d, 'tty.duckdb'))).toBe(true);
  });
});
