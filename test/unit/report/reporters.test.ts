import { describe, expect, it } from 'vitest';
import { createReporter, formatTable } from '../../../src/report/reporters.js';

function sinks(isTTY: boolean) {
  const out: string[] = [];
  const err: string[] = [];
  return { out, err, o: { write: (s: string) => void out.push(s), isTTY }, e: { write: (s: string) => void err.push(s), isTTY } };
}

const now = () => new Date('2026-11-27T22:00:00Z');

describe('reporters', () => {
  it('text: a line per node with rows and seconds, a summary, secrets hidden', () => {
    const s = sinks(false);
    const r = createReporter({ format: 'text', color: false, out: s.o, err: s.e, secrets: () => ['hunter2'], now, invocationId: 'x' });
    r.emit({ type: 'node_start', index: 12, total: 40, unique_id: 'model.p.orders', description: 'table model marts.orders' });
    r.emit({ type: 'node_end', index: 12, total: 40, unique_id: 'model.p.orders', resource_type: 'model', status: 'success', description: 'created table model marts.orders', rows: 120345, elapsed: 0.84 });
    r.emit({ type: 'node_end', index: 13, total: 40, unique_id: 'model.p.x', resource_type: 'model', status: 'error', description: 'table model main.x', elapsed: 0.1, message: 'cannot open hunter2' });
    r.emit({ type: 'run_end', command: 'run', elapsed: 1.5, counts: { success: 1, error: 1 }, exit_code: 1 });
    const text = s.out.join('');
    // Not a terminal (a cron log): every line carries the full ISO date-time.
    expect(text).toContain('2026-11-27T22:00:00Z  12 of 40 START table model marts.orders ...');
    expect(text).toContain('12 of 40 OK created table model marts.orders [120,345 rows in 0.84s]');
    expect(text).toContain('13 of 40 ERROR table model main.x [0.10s]');
    // Failure text goes to stderr, with every other error.
    expect(s.err.join('')).toContain('cannot open ****');
    expect(text + s.err.join('')).not.toContain('hunter2');
    expect(text).toContain('Completed with errors in 1.50s. SUCCESS=1 ERROR=1');
  });

  it('text: "1 row", "1 node" in the singular', () => {
    const s = sinks(false);
    const r = createReporter({ format: 'text', color: false, out: s.o, err: s.e, secrets: () => [], now, invocationId: 'x' });
    r.emit({ type: 'run_start', command: 'run', total: 1, target: 'dev', warehouse: 'w.duckdb' });
    r.emit({ type: 'node_end', index: 1, total: 1, unique_id: 'model.p.one', resource_type: 'model', status: 'success', description: 'created table model main.one', rows: 1, elapsed: 0.01 });
    const text = s.out.join('');
    expect(text).toContain('w.duckdb: 1 node\n');
    expect(text).toContain('[1 row in 0.01s]');
  });

  it('text: a failed run ends with a recap of each failure (node, file:line, message) after the summary', () => {
    const s = sinks(false);
    const r = createReporter({ format: 'text', color: false, out: s.o, err: s.e, secrets: () => [], now, invocationId: 'x' });
    r.emit({ type: 'run_start', command: 'build', total: 3, target: 'dev', warehouse: 'w.duckdb' });
    r.emit({
      type: 'node_end', index: 1, total: 3, unique_id: 'model.p.bad', resource_type: 'model', status: 'error', description: 'table model main.bad', elapsed: 0.1,
      message: 'Binder Error: column x not found\n  in models/bad.sql:3', diagnostic: { code: 'E_RUNTIME_SQL', message: 'Binder Error: column x not found', file: 'models/bad.sql', line: 3 }, file: 'models/bad.sql',
    });
    r.emit({ type: 'node_end', index: 2, total: 3, unique_id: 'test.p.t', resource_type: 'test', status: 'fail', description: 'test t', elapsed: 0.1, failures: 2, message: '2 failing rows', file: 'models/schema.yml' });
    r.emit({ type: 'node_end', index: 3, total: 3, unique_id: 'model.p.after', resource_type: 'model', status: 'skipped', description: 'table model main.after', elapsed: 0, message: 'skipped because model bad failed' });
    r.emit({ type: 'run_end', command: 'build', elapsed: 1, counts: { error: 1, fail: 1, skipped: 1 }, exit_code: 1 });
    const err = s.err.join('');
    const recap = err.slice(err.indexOf('2 failures:'));
    expect(recap).toBe('2 failures:\n  model.p.bad (models/bad.sql:3): Binder Error: column x not found\n  test.p.t (models/schema.yml): 2 failing rows\n');
    expect(s.out.join('')).toContain('Completed with errors');
  });

  it('text: on a TTY a live status line (done/total, elapsed, what is running) is redrawn under every log line', () => {
    const tty = sinks(true);
    let t = Date.parse('2026-11-27T22:00:00Z');
    const r = createReporter({ format: 'text', color: false, out: tty.o, err: tty.e, secrets: () => [], now: () => new Date(t), invocationId: 'x' });
    r.emit({ type: 'run_start', command: 'run', total: 40, target: 'dev', warehouse: 'w.duckdb' });
    r.emit({ type: 'node_start', index: 1, total: 40, unique_id: 'model.p.orders', description: 'table model main.orders' });
    r.emit({ type: 'node_start', index: 2, total: 40, unique_id: 'model.p.customers', description: 'table model main.customers' });
    t += 3000;
    r.emit({ type: 'node_end', index: 1, total: 40, unique_id: 'model.p.orders', resource_type: 'model', status: 'success', description: 'created table model main.orders', elapsed: 3 });
    const err = tty.err.join('');
    // Cleared before each log line and drawn again after it: the last thing on screen is the status.
    expect(err.endsWith('\r\x1b[2K[1/40] 3s running customers')).toBe(true);
    expect(err).toContain('[0/40] 0s running orders, customers');
    // Terminal lines keep the short time.
    expect(tty.out.join('')).toContain('22:00:03   1 of 40 OK created table model main.orders');
    r.close();
    expect(tty.err.join('').endsWith('\r\x1b[2K')).toBe(true);
    const pipe = sinks(false);
    const p = createReporter({ format: 'text', color: false, out: pipe.o, err: pipe.e, secrets: () => [], now, invocationId: 'x' });
    p.emit({ type: 'run_start', command: 'run', total: 40, target: 'dev', warehouse: 'w.duckdb' });
    p.progress('[3/40] running orders');
    expect(pipe.err).toEqual([]);
  });

  it('json: one object per line with time and invocation id', () => {
    const s = sinks(false);
    const r = createReporter({ format: 'json', color: false, out: s.o, err: s.e, secrets: () => ['hunter2'], now, invocationId: 'inv-1' });
    r.emit({ type: 'info', message: 'using hunter2' });
    const lines = s.out.join('').trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toEqual({ ts: '2026-11-27T22:00:00.000Z', invocation_id: 'inv-1', type: 'info', message: 'using ****' });
  });

  it('formats a table', () => {
    expect(formatTable(['id', 'name'], [['1', 'Ada'], ['22', 'Grace']])).toBe('id | name \n---+------\n1  | Ada  \n22 | Grace');
  });
});
