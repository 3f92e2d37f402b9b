import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import path from 'node:path';
import { Chalk } from 'chalk';
import { formatDiagnostic } from '../errors/diagnostic.js';
import { Secrets } from '../util/redact.js';
import { groupThousands } from '../util/numbers.js';
import type { EtlxEvent, Reporter } from './events.js';

export interface Sink {
  write(text: string): void;
  readonly isTTY?: boolean;
}

export interface ReporterOptions {
  readonly format: 'text' | 'json';
  readonly color: boolean;
  readonly out: Sink;
  /** Where progress lines go (stderr on a TTY). */
  readonly err: Sink;
  /** What must never be shown (a getter: the profile is read after the reporter is made). */
  readonly secrets: () => Secrets | readonly string[];
  readonly now: () => Date;
  readonly invocationId: string;
}

/**
 * A stream that redacts everything written to it: the CLI's stdout and stderr, the last place
 * text leaves the process. A line that is a JSON document stays valid JSON.
 */
export function redactingSink(sink: Sink, secrets: () => Secrets): Sink {
  return {
    write: (text: string) => sink.write(secrets().redactOutput(text)),
    ...(sink.isTTY !== undefined ? { isTTY: sink.isTTY } : {}),
  };
}

/** Builds the reporter for --log-format. */
export function createReporter(o: ReporterOptions): Reporter {
  return o.format === 'json' ? new JsonReporter(o) : new TextReporter(o);
}

/** One JSON line per event, redacted after serialization: a secret JSON escaped is hidden too. */
function jsonLine(o: Pick<ReporterOptions, 'now' | 'invocationId' | 'secrets'>, event: EtlxEvent): string {
  return `${Secrets.from(o.secrets()).redactJson(JSON.stringify({ ts: o.now().toISOString(), invocation_id: o.invocationId, ...event }))}\n`;
}

class JsonReporter implements Reporter {
  constructor(private readonly o: ReporterOptions) {}
  emit(event: EtlxEvent): void {
    this.o.out.write(jsonLine(this.o, event));
  }
  progress(): void {}
  close(): void {}
}

const STATUS_WORD: Record<string, string> = {
  success: 'OK',
  pass: 'PASS',
  warn: 'WARN',
  fail: 'FAIL',
  error: 'ERROR',
  skipped: 'SKIP',
};

/** A failure as the recap at the end of a run lists it. */
interface Failure {
  readonly node: string;
  readonly where: string;
  readonly message: string;
}

/**
 * People's output. stdout carries the log of what happened (one line per node as it starts and
 * ends, with its status word, and the summary); stderr carries every failure and warning text
 * (compile errors, a node's error message, the recap of failures) and, on a terminal, the live
 * status line, which is redrawn under the log after every line.
 */
class TextReporter implements Reporter {
  private readonly c: InstanceType<typeof Chalk>;
  private statusShown = false;
  private run: { total: number; done: number; started: number; running: Map<string, string>; timer?: NodeJS.Timeout } | undefined;
  private failures: Failure[] = [];
  constructor(private readonly o: ReporterOptions) {
    this.c = new Chalk({ level: o.color ? 1 : 0 });
  }

  private secrets(): Secrets {
    return Secrets.from(this.o.secrets());
  }

  private line(text: string, stream: 'out' | 'err' = 'out'): void {
    this.clearStatus();
    (stream === 'out' ? this.o.out : this.o.err).write(`${this.secrets().redact(text)}\n`);
    this.drawStatus();
  }

  private clearStatus(): void {
    if (this.statusShown) {
      this.o.err.write('\r\x1b[2K');
      this.statusShown = false;
    }
  }

  /** The live line on a terminal: done/total, elapsed, what is running now. */
  private drawStatus(): void {
    const r = this.run;
    if (!this.o.err.isTTY || !r) return;
    const elapsed = (this.o.now().getTime() - r.started) / 1000;
    const names = [...r.running.values()];
    // Redacted before it is cut short: a secret cut in half would no longer match.
    const text = this.secrets().redact(`[${r.done}/${r.total}] ${elapsed.toFixed(0)}s${names.length ? ` running ${names.join(', ')}` : ''}`);
    const width = 100;
    this.o.err.write(`\r\x1b[2K${this.c.dim(text.length > width ? `${text.slice(0, width - 1)}…` : text)}`);
    this.statusShown = true;
  }

  /** The status line is the reporter's own (drawn from events); this redraws it. */
  progress(): void {
    this.clearStatus();
    this.drawStatus();
  }

  /** HH:MM:SS on a terminal; a full ISO date-time (UTC) where lines end up in a cron log. */
  private time(): string {
    const iso = this.o.now().toISOString();
    return this.o.out.isTTY ? iso.slice(11, 19) : `${iso.slice(0, 19)}Z`;
  }

  emit(event: EtlxEvent): void {
    // Every field redacted before formatting, which may cut a value short (table cells, progress).
    const e = this.secrets().redactValue(event);
    const c = this.c;
    const raw = this.time();
    const time = c.dim(raw);
    const indent = ' '.repeat(raw.length + 3);
    switch (e.type) {
      case 'info':
        this.line(`${time}  ${e.message}`);
        return;
      case 'wait':
        this.line(`${time}  ${c.yellow('WAIT')} ${e.message}`, 'err');
        return;
      case 'warn':
        this.line(`${time}  ${c.yellow('WARN')} ${e.file ? `${e.file}${e.line ? `:${e.line}` : ''} ` : ''}${e.message}${e.hint ? `\n  hint: ${e.hint}` : ''}`, 'err');
        return;
      case 'diagnostic': {
        const d = e.diagnostic;
        const label = d.severity === 'warn' ? c.yellow('warning') : c.red('error');
        if (d.severity !== 'warn' && this.run) this.failures.push({ node: d.code, where: d.file ? `${d.file}${d.line !== undefined ? `:${d.line}` : ''}` : '', message: firstLine(d.message) });
        this.line(`${label} ${formatDiagnostic(d)}`, 'err');
        return;
      }
      case 'run_start':
        this.failures = [];
        this.run = { total: e.total, done: 0, started: this.o.now().getTime(), running: new Map() };
        if (this.o.err.isTTY) {
          // Elapsed time keeps moving while a long model runs.
          this.run.timer = setInterval(() => this.progress(), 1000);
          this.run.timer.unref();
        }
        this.line(`${time}  Running ${e.command} with target ${e.target} on ${e.warehouse}: ${plural(e.total, 'node')}`);
        return;
      case 'node_start':
        this.run?.running.set(e.unique_id, nameOf(e.unique_id));
        this.line(`${time}  ${counter(e.index, e.total)} START ${e.description} ${c.dim('...')}`);
        return;
      case 'node_end': {
        if (this.run) {
          this.run.running.delete(e.unique_id);
          this.run.done++;
        }
        const word = STATUS_WORD[e.status] ?? e.status.toUpperCase();
        const colored = e.status === 'success' || e.status === 'pass' ? c.green(word) : e.status === 'warn' || e.status === 'skipped' ? c.yellow(word) : c.red(word);
        const detail: string[] = [];
        if (e.rows !== undefined) detail.push(plural(e.rows, 'row'));
        if (e.failures !== undefined && e.failures > 0) detail.push(`${groupThousands(e.failures)} failing`);
        const timing = e.status === 'skipped' ? '' : ` [${detail.length ? `${detail.join(', ')} in ` : ''}${e.elapsed.toFixed(2)}s]`;
        this.line(`${time}  ${counter(e.index, e.total)} ${colored} ${e.description}${timing}`);
        const failed = e.status === 'error' || e.status === 'fail';
        if (failed && e.message) {
          const d = e.diagnostic;
          const where = d?.file ? `${d.file}${d.line !== undefined ? `:${d.line}` : ''}` : (e.file ?? '');
          this.failures.push({ node: e.unique_id, where, message: firstLine(e.message) });
        }
        // A failure's text goes where every error goes (stderr); a warning or a skip reason stays with its line.
        if (e.message && e.status !== 'success' && e.status !== 'pass') this.line(`${indent}${e.message.split('\n').join(`\n${indent}`)}`, failed ? 'err' : 'out');
        if (e.sample) this.line(formatTable(e.sample.columns, e.sample.rows).split('\n').map((l) => `${indent}${l}`).join('\n'), failed ? 'err' : 'out');
        return;
      }
      case 'run_end': {
        if (this.run?.timer) clearInterval(this.run.timer);
        this.run = undefined;
        const parts = Object.entries(e.counts)
          .filter(([, n]) => n > 0)
          .map(([k, n]) => `${k.toUpperCase()}=${n}`);
        const head = e.exit_code === 0 ? c.green('Completed successfully') : e.exit_code === 130 ? c.yellow('Interrupted') : c.red('Completed with errors');
        this.line(`\n${head} in ${e.elapsed.toFixed(2)}s. ${parts.join(' ')}`);
        if (this.failures.length > 0) {
          const recap = this.failures.map((f) => `  ${f.node}${f.where ? ` (${f.where})` : ''}: ${f.message}`);
          this.line(`${c.red(`${plural(this.failures.length, 'failure')}:`)}\n${recap.join('\n')}`, 'err');
        }
        this.failures = [];
        return;
      }
      case 'table':
        this.line(formatTable(e.columns, e.rows));
        return;
      default: {
        const never: never = e;
        void never;
      }
    }
  }

  close(): void {
    if (this.run?.timer) clearInterval(this.run.timer);
    this.run = undefined;
    this.clearStatus();
  }
}

/** `1 row`, `2 rows`, `1,200 rows`. */
export function plural(n: number, noun: string): string {
  return `${groupThousands(n)} ${noun}${n === 1 ? '' : 's'}`;
}

function nameOf(id: string): string {
  return id.split('.').pop() ?? id;
}

function firstLine(s: string): string {
  return s.split('\n')[0]!;
}

function counter(i: number, total: number): string {
  const w = String(total).length;
  return `${String(i).padStart(w)} of ${total}`;
}

/** A plain text table: header, rule, rows. */
export function formatTable(columns: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = columns.map((c, i) => Math.min(40, Math.max(c.length, ...rows.map((r) => (r[i] ?? '').length))));
  const cell = (s: string, w: number) => (s.length > w ? `${s.slice(0, w - 1)}…` : s.padEnd(w));
  const out = [columns.map((c, i) => cell(c, widths[i]!)).join(' | '), widths.map((w) => '-'.repeat(w)).join('-+-')];
  for (const r of rows) out.push(r.map((v, i) => cell(v, widths[i]!)).join(' | '));
  return out.join('\n');
}

/**
 * Appends every event as a JSON line to target/logs/etlx.log. The file is opened once per
 * invocation: an appendFileSync per event (open, write, close) cost about 0.15 ms, a third of
 * etlx's per-model overhead on a 500-model run.
 */
export class LogFileReporter implements Reporter {
  private fd: number | undefined;
  private failed = false;
  constructor(
    private readonly file: string,
    private readonly inner: Reporter,
    private readonly o: Pick<ReporterOptions, 'now' | 'invocationId' | 'secrets'>,
  ) {}

  emit(event: EtlxEvent): void {
    if (!this.failed) {
      try {
        if (this.fd === undefined) {
          mkdirSync(path.dirname(this.file), { recursive: true });
          this.fd = openSync(this.file, 'a');
        }
        writeSync(this.fd, jsonLine(this.o, event));
      } catch {
        // The log is a convenience; an unwritable target/ is reported elsewhere.
        this.failed = true;
      }
    }
    this.inner.emit(event);
  }
  progress(text: string): void {
    this.inner.progress(text);
  }
  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
    this.inner.close();
  }
}
