import type { Connection } from '../engine/engine.js';

/** Lets a signal handler stop a run: nothing new starts, running queries are interrupted. */
export class StopSignal {
  requested = false;
  private readonly active = new Set<Connection>();
  track(c: Connection): void {
    this.active.add(c);
  }
  untrack(c: Connection): void {
    this.active.delete(c);
  }
  private readonly waiters: (() => void)[] = [];
  stop(): void {
    this.requested = true;
    for (const c of this.active) c.interrupt();
    for (const w of this.waiters.splice(0)) w();
  }
  /** Resolves when a stop is requested (at once if it already was): for commands that run until told. */
  whenStopped(): Promise<void> {
    return this.requested ? Promise.resolve() : new Promise((resolve) => this.waiters.push(resolve));
  }
}
