import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { historyInserts } from '../../../src/artifacts/history.js';
import type { RunSummary } from '../../../src/artifacts/run-results.js';
import { resolveTarget, shownWarehousePath } from '../../../src/config/profiles.js';
import { createReporter, LogFileReporter, redactingSink } from '../../../src/report/reporters.js';
import { Secrets } from '../../../src/util/redact.js';
import { displayRelation } from '../../../src/util/sql.js';

const ROOT = '/work/proj';

describe('Secrets', () => {
  it('hides a path in every form it is shown in, the whole path at once', () => {
    const s = Secrets.of(['./vault/w.duckdb'], { bases: [ROOT] });
    expect(s.redact('warehouse vault/w.duckdb')).toBe('warehouse ****');
    expect(s.redact('cannot open /work/proj/vault/w.duckdb: locked')).toBe('cannot open ****: locked');
    expect(s.redact('file:///work/proj/vault/w.duckdb')).toBe('****');
  });

  it('values shorter than 3 characters are not secrets: they would blank out ordinary text', () => {
    const s = Secrets.of(['ab', '.', '7'], { bases: [ROOT] });
    expect(s.isEmpty).toBe(true);
    expect(s.redact('threads 7 in /work/proj/ab.duckdb')).toBe('threads 7 in /work/proj/ab.duckdb');
  });

  it('with() adds more values (notify headers) to the same bases', () => {
    const s = Secrets.of(['sch_one'], { bases: [ROOT] }).with(['Bearer tok-123']);
    expect([...s].sort()).toEqual(['Bearer tok-123', 'sch_one']);
    expect(s.redact('{"Authorization":"Bearer tok-123"} in sch_one')).toBe('{"Authorization":"****"} in ****');
  });

  it('redactValue hides strings and keys in nested data, and leaves other values alone', () => {
    const s = Secrets.of(['hunter22']);
    expect(s.redactValue({ a: ['x hunter22'], hunter22: 3, ok: true, n: null })).toEqual({ a: ['x ****'], '****': 3, ok: true, n: null });
  });

  it('a relation shown to people unquotes each identifier exactly, so its schema stays a known form', () => {
    expect(displayRelation('"my""sch"."orders"')).toBe('my"sch.orders');
    expect(Secrets.of(['my"sch']).redact(`table model ${displayRelation('"my""sch"."orders"')}`)).toBe('table model ****.orders');
  });
});

describe('sinks take the secrets', () => {
  const run: RunSummary = {
    invocationId: 'i',
    command: 'build',
    target: 'dev',
    startedAt: '2026-01-01T00:00:00Z',
    completedAt: '2026-01-01T00:00:01Z',
    elapsed: 1,
    status: 'error',
    exitCode: 1,
    etlxVersion: '0',
    args: { vars: '{"k": "it\'s sch\'x"}' },
  };

  it("history inserts redact each value before quoting it, so the SQL stays valid", () => {
    const secrets = Secrets.of(["sch'x"]);
    const [inv, rows] = historyInserts(run, [{ unique_id: 'model.p.a', resource_type: 'model', name: 'a', status: 'error', timing: { elapsed: 0 }, relation_name: `"sch'x"."a"`, message: "Catalog Error: schema sch'x" }], secrets);
    expect(rows).toContain(`'"****"."a"'`);
    expect(rows).toContain("'Catalog Error: schema ****'");
    expect(inv).toContain(`'{"vars":"{\\"k\\": \\"it''s ****\\"}"}'::json`);
    expect(`${inv}${rows}`).not.toMatch(/sch'+x/);
  });

  it('text progress is redacted before it is cut to the terminal width', () => {
    const err: string[] = [];
    const secret = `/data/${'x'.repeat(120)}.duckdb`;
    const r = createReporter({ format: 'text', color: false, out: { write: () => undefined }, err: { write: (t) => void err.push(t), isTTY: true }, secrets: () => Secrets.of([secret]), now: () => new Date(0), invocationId: 'i' });
    // The live status line names what is running; here a node whose name is the secret.
    r.emit({ type: 'run_start', command: 'run', total: 2, target: 'dev', warehouse: 'w.duckdb' });
    r.emit({ type: 'node_start', index: 1, total: 2, unique_id: `model.p.${secret}`, description: 'x' });
    expect(err.join('')).toContain('running ****');
    expect(err.join('')).not.toContain('/data/xxx');
  });

  it('a table cell is redacted before it is cut to 40 characters', () => {
    const out: string[] = [];
    const secret = `tok-${'y'.repeat(60)}`;
    const r = createReporter({ format: 'text', color: false, out: { write: (t) => void out.push(t) }, err: { write: () => undefined }, secrets: () => Secrets.of([secret]), now: () => new Date(0), invocationId: 'i' });
    r.emit({ type: 'table', columns: ['v'], rows: [[secret]] });
    expect(out.join('')).not.toContain('tok-yyy');
  });

  it('the log file holds valid JSON lines with a secret JSON-escaped hidden', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'etlx-secrets-'));
    try {
      const file = path.join(dir, 'logs', 'etlx.log');
      const inner = createReporter({ format: 'text', color: false, out: { write: () => undefined }, err: { write: () => undefined }, secrets: () => [], now: () => new Date(0), invocationId: 'i' });
      const r = new LogFileReporter(file, inner, { now: () => new Date(0), invocationId: 'i', secrets: () => Secrets.of(['q"uo\\te']) });
      r.emit({ type: 'info', message: 'schema q"uo\\te' });
      r.close();
      const text = fs.readFileSync(file, 'utf8');
      expect(JSON.parse(text)).toMatchObject({ message: 'schema ****' });
      expect(text).not.toContain('uo');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('stdout and stderr redact every write; JSON lines stay valid JSON', () => {
    let written = '';
    const sink = redactingSink({ write: (t) => void (written += t), isTTY: true }, () => Secrets.of(['true-secret', 'abc"d']));
    sink.write('a true-secret b\n{"k":"abc\\"d","ok":true}\n');
    expect(written).toBe('a **** b\n{"k":"****","ok":true}\n');
    expect(sink.isTTY).toBe(true);
  });
});

describe('profiles', () => {
  it('shows a warehouse path from {{env}} as a placeholder even when written ./relative', () => {
    const target = { path: path.join(ROOT, 'vault', 'w.duckdb'), secrets: ['./vault/w.duckdb'] };
    expect(shownWarehousePath(target, ROOT)).toBe('**** (path from the environment)');
    expect(shownWarehousePath({ path: path.join(ROOT, 'w.duckdb'), secrets: [] }, ROOT)).toBe('w.duckdb');
  });

  it('a value that becomes a number or boolean (threads, atomic, read_only) is a setting, not a secret', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'etlx-secrets-'));
    try {
      fs.writeFileSync(path.join(dir, 'profiles.yml'), 'p:\n  outputs:\n    dev:\n      type: duckdb\n      threads: \'{{env "T"}}\'\n      atomic: \'{{env "A"}}\'\n      schema: \'{{env "S"}}\'\n');
      const t = resolveTarget({ projectDir: dir, projectName: 'p', profileName: 'p', explicitProfile: false, env: { HOME: dir, T: '1000', A: 'true', S: 'sch_secret' } });
      expect(t.threads).toBe(1000);
      expect(t.atomic).toBe(true);
      expect(t.secrets).toEqual(['sch_secret']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
