/**
 * Fault injection for tests: `ETLX_FAULT=<point>` makes etlx kill itself with SIGKILL at that
 * point, as a power cut or an OOM kill would. Points:
 *
 * - `during-create`: while a CREATE OR REPLACE TABLE/VIEW statement is running
 *   (after `ETLX_FAULT_DELAY_MS`, default 200 ms);
 * - `after-create`, `after-insert`, `after-merge`: right after such a statement;
 * - `before-commit`: inside a node's transaction (an incremental merge), before COMMIT;
 * - `after-copy`: an export is written to its staging sibling, before its move journal;
 * - `file-move`: the move journal is written, nothing renamed yet;
 * - `file-move-between`: the old dataset is moved aside, the new one not yet in place;
 * - `history`: inside the run-history transaction, between the invocation row and the node rows;
 * - `atomic-commit`: under --atomic, all work done, before the final COMMIT.
 *
 * Two points fail instead of killing: `fail-first-attempt` makes the first attempt of the node
 * named by `ETLX_FAULT_NODE` fail with an I/O error (a transient failure that a retry passes),
 * `fail-every-attempt` makes every attempt fail so.
 * Points that do not kill:
 * - `history-error`: the run-history write throws, as it would on a full disk;
 * - `sigterm-at-start`: the CLI sends itself SIGTERM as soon as its signal handlers are
 *   installed, before the project is loaded (see `startupFault`);
 * - `sigterm-in-launcher`: bin/etlx.js sends itself SIGTERM before it has loaded the CLI.
 *
 * Nothing happens unless the variable names the point. The environment comes from the runtime
 * (never read from process.env here), so tests can build one with any point set.
 */
export class Faults {
  private readonly point: string | undefined;
  private readonly delayMs: number;
  private readonly node: string | undefined;

  constructor(env: Readonly<Record<string, string | undefined>>) {
    this.point = env.ETLX_FAULT;
    this.delayMs = Number(env.ETLX_FAULT_DELAY_MS ?? 200);
    this.node = env.ETLX_FAULT_NODE;
  }

  /** Throws an injected I/O error when a fail-*-attempt point names this node and attempt. */
  failAttempt(node: string | undefined, attempt: number | undefined): void {
    if (node === undefined || node !== this.node) return;
    if (this.point === 'fail-every-attempt' || (this.point === 'fail-first-attempt' && attempt === 1)) {
      throw new Error(`IO Error: injected fault ${this.point} (attempt ${attempt ?? 1})`);
    }
  }

  /** Kills the process now when `name` is the configured point. */
  at(name: string): void {
    if (this.point === name) process.kill(process.pid, 'SIGKILL');
  }

  /** Throws an I/O-like error now when `name` is the configured point. */
  fail(name: string): void {
    if (this.point === name) throw new Error(`IO Error: injected fault ${name} (ETLX_FAULT)`);
  }

  /** For `during-*` points: kill after a delay, while the awaited work is in progress. */
  during(name: string): void {
    if (this.point !== name) return;
    setTimeout(() => process.kill(process.pid, 'SIGKILL'), this.delayMs).unref();
  }
}

/** The CLI's start-up point: a signal that arrives before anything is loaded. */
export function startupFault(env: Readonly<Record<string, string | undefined>>): void {
  if (env.ETLX_FAULT === 'sigterm-at-start') process.kill(process.pid, 'SIGTERM');
}
