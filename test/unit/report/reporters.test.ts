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
    expect(text).toContain('22:00:00  12 of 40 START table model marts.orders ...');
    expect(text).toContain('12 of 40 OK created table model marts.orders [120,345 rows in 0.84s]');
    expect(text).toContain('13 of 40 ERROR table model main.x [0.10s]');
    expect(text).toContain('cannot open ****');
    expect(text).not.toContain('hunter2');
    expect(text).toContain('Completed with errors in 1.50s. SUCCESS=1 ERROR=1');
  });

  it('text: a live progress line on a TTY only, cleared before the next line', () => {
    const tty = sinks(true);
    const r = createReporter({ format: 'text', color: false, out: tty.o, err: tty.e, secrets: () => [], now, invocationId: 'x' });
    r.progress('[3/40] running orders');
    r.emit({ type: 'info', message: 'hello' });
    expect(tty.err.join('')).toBe('\r\x1b[2K[3/40] running orders\r\x1b[2K');
    const pipe = sinks(false);
    createReporter({ format: 'text', color: false, out: pipe.o, err: pipe.e, secrets: () => [], now, invocationId: 'x' }).progress('[3/40] running orders');
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
