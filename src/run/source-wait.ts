import type { Engine } from '../engine/engine.js';
import type { SourceNode } from '../parse/nodes.js';
import { DEFAULT_SOURCE_POLL_MS } from '../parse/sources.js';
import { runParents } from '../plan/execution.js';
import type { Session } from '../session.js';
import { formatDuration } from '../util/duration.js';
import { quoteLiteral } from '../util/sql.js';

/**
 * Late staging files: a node that reads a source whose files are missing is held (the executor's
 * `ready` gate) while the rest of the DAG runs, for the source's `wait.timeout` or
 * --wait-for-sources. Each missing source is polled once for all its readers; when its files
 * appear it leaves `missing` and its readers start; when the time is up they run and fail as
 * they would have without waiting.
 */
export class SourceWaiter {
  private readonly polls = new Map<string, Promise<void>>();

  constructor(
    private readonly s: Session,
    private readonly engine: Engine,
    /** Missing sources with their readers' failure message: shared with the NodeRunner. */
    private readonly missing: Map<string, string>,
    /** True when the run starts nothing new (a signal, or a failure under --fail-fast/--atomic): stop waiting. */
    private readonly giveUp: () => boolean,
  ) {}

  /** The executor's gate: undefined when the node may start now. */
  gate(id: string): Promise<void> | undefined {
    if (this.missing.size === 0) return undefined;
    const n = this.s.project.nodes.get(id);
    if (!n || n.resourceType === 'seed') return undefined;
    const waits: { src: SourceNode; timeoutMs: number; pollMs: number }[] = [];
    for (const p of runParents(this.s.project, id)) {
      const src = this.s.project.nodes.get(p);
      if (src?.resourceType !== 'source' || !this.missing.has(p)) continue;
      const timeoutMs = src.wait?.timeoutMs ?? this.s.options.waitForSources ?? 0;
      if (timeoutMs > 0) waits.push({ src, timeoutMs, pollMs: src.wait?.pollMs ?? DEFAULT_SOURCE_POLL_MS });
    }
    if (waits.length === 0) return undefined;
    const longest = Math.max(...waits.map((w) => w.timeoutMs));
    const names = waits.map((w) => `${w.src.sourceName}.${w.src.name} (${w.src.location})`).join(', ');
    this.s.runtime.reporter.emit({
      type: 'wait',
      reason: 'source',
      unique_id: id,
      timeout: longest / 1000,
      message: `${n.resourceType} ${n.name} waits up to ${formatDuration(longest)} for the staging files of source ${names}; the rest of the run goes on`,
    });
    return Promise.all(waits.map((w) => this.poll(w.src, w.timeoutMs, w.pollMs))).then(() => undefined);
  }

  private poll(src: SourceNode, timeoutMs: number, pollMs: number): Promise<void> {
    let p = this.polls.get(src.id);
    if (!p) {
      p = this.pollUntilFound(src, timeoutMs, pollMs).catch((e: unknown) => {
        // The readers then fail as they would without waiting, with this reason added.
        this.missing.set(src.id, `${this.missing.get(src.id) ?? ''}; checking for its files failed: ${e instanceof Error ? e.message : String(e)}`);
      });
      this.polls.set(src.id, p);
    }
    return p;
  }

  private async pollUntilFound(src: SourceNode, timeoutMs: number, pollMs: number): Promise<void> {
    const now = () => this.s.runtime.now().getTime();
    const started = now();
    const deadline = started + timeoutMs;
    const c = await this.engine.connect();
    try {
      for (;;) {
        const rows = await c.query(`select count(*) as n from glob(${quoteLiteral(src.absLocation!)})`);
        if (Number(rows[0]?.n ?? 0) > 0) {
          this.missing.delete(src.id);
          this.s.runtime.reporter.emit({ type: 'info', message: `source ${src.sourceName}.${src.name}: its staging files arrived after ${formatDuration(now() - started)}` });
          return;
        }
        if (now() >= deadline || this.giveUp()) break;
        await sleepUntil(Math.min(now() + pollMs, deadline), now, this.giveUp);
      }
    } finally {
      c.close();
    }
    if (!this.giveUp()) this.missing.set(src.id, `${this.missing.get(src.id)}, still after waiting ${formatDuration(timeoutMs)}`);
  }
}


/** Sleeps until `until`, waking early when `stopped` turns true (a signal ends the wait at once). */
async function sleepUntil(until: number, now: () => number, stopped: () => boolean): Promise<void> {
  while (!stopped()) {
    const left = until - now();
    if (left <= 0) return;
    await new Promise((r) => setTimeout(r, Math.min(left, 100)));
  }
}
