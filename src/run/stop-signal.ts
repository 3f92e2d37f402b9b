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
  stop(): void {
    this.requested = true;
    for (const c of this.active) c.interrupt();
  }
}
