import { Option, type Command } from 'commander';
import type { RunCommand, StopSignal } from '../run/runner.js';
import type { SqlChecker } from '../engine/duckdb/sql-check.js';
import { withGlobalFlags, type Invocation } from './main.js';

// The runner and show open DuckDB through @duckdb/node-api (about 140 ms to import), so they
// are loaded when one of these commands runs, not when the CLI starts.
const runner = () => import('../run/runner.js');

/** seed, run, test, build, show and retry: the commands that open the warehouse. */
export function registerRunCommands(program: Command, inv: Invocation): void {
  const descriptions: Record<RunCommand, string> = {
    seed: 'load seeds',
    run: 'build models in DAG order',
    test: 'run data tests (and source freshness)',
    build: 'seeds, models and tests in DAG order; a failing error-severity test skips everything downstream of its model',
  };
  for (const command of ['seed', 'run', 'test', 'build'] as const) {
    withGlobalFlags(program.command(command).description(descriptions[command]))
      .option('--atomic', 'all or nothing: if anything fails, leave the warehouse and file outputs as they were')
      .action(async (f) => {
        const { runCommand } = await runner();
        const checker = await startChecker();
        inv.exitCode = await withSignals((stop) => runCommand(sessionOrClose(inv, f, checker), command, stop, {}, checker));
      });
  }

  withGlobalFlags(program.command('show <model>').description('preview rows of a model'))
    .option('--limit <n>', 'rows to show', '10')
    .action(async (model: string, f) => {
      const limit = Number(f.limit);
      const { showRows } = await import('../commands/show.js');
      inv.exitCode = await showRows(inv.session(f), model, Number.isInteger(limit) && limit > 0 ? limit : 10);
    });

  withGlobalFlags(program.command('retry').description('re-run what failed or was skipped in the last run, with its command and flags'))
    .addOption(new Option('--atomic', 'all or nothing').hideHelp())
    .action(async (f) => {
      const { retryArgs } = await import('../commands/retry.js');
      const { runCommand } = await runner();
      const first = inv.session(f);
      const r = retryArgs(first);
      if (r.nothing) {
        first.runtime.reporter.emit({ type: 'info', message: r.nothing });
        inv.exitCode = 0;
        return;
      }
      inv.exitCode = await withSignals((stop) => runCommand(inv.session({ ...f, ...r.flags }), r.command, stop, { retry_of: r.retryOf }));
    });
}

/** DuckDB's parser database for the compile check, opened before the project is read. */
async function startChecker(): Promise<SqlChecker> {
  const { SqlChecker } = await import('../engine/duckdb/sql-check.js');
  return SqlChecker.start();
}

function sessionOrClose(inv: Invocation, f: Parameters<Invocation['session']>[0], checker: SqlChecker): ReturnType<Invocation['session']> {
  try {
    return inv.session(f);
  } catch (e) {
    checker.close();
    throw e;
  }
}

/** SIGINT/SIGTERM: start nothing new, interrupt running queries, then finish and exit 130. */
async function withSignals(fn: (stop: StopSignal) => Promise<{ exitCode: number }>): Promise<number> {
  const { StopSignal } = await runner();
  const stop = new StopSignal();
  const handler = () => stop.stop();
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  try {
    return (await fn(stop)).exitCode;
  } finally {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
  }
}
