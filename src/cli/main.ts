import { Command, CommanderError } from 'commander';
import { EtlxError, ETLX_VERSION, formatDiagnostic, startupFault, type Diagnostic } from '../index.js';
import { registerCommands } from './commands.js';
import { Invocation, type CliIO } from './invocation.js';

export type { CliIO } from './invocation.js';

export function buildProgram(inv: Invocation): Command {
  const program = new Command('etlx')
    .description('SQL-first ETL on DuckDB')
    .version(ETLX_VERSION, '-v, --version')
    .exitOverride()
    .configureOutput({ writeOut: (s) => inv.io.stdout.write(s), writeErr: (s) => inv.io.stderr.write(s) })
    .showHelpAfterError('(run etlx --help for usage)');

  registerCommands(program, inv);
  return program;
}

export interface MainOptions {
  /** A signal the launcher caught before this module was loaded (bin/etlx.js). */
  readonly earlySignal?: () => string | undefined;
  /** Removes the launcher's own handlers once these are installed. */
  readonly releaseEarly?: () => void;
}

/** Runs the CLI; returns the exit code. Errors are printed without a stack unless --debug. */
export async function main(argv: readonly string[], io: CliIO = processIO(), o: MainOptions = {}): Promise<number> {
  const inv = new Invocation(io);
  // Installed before the project is loaded: a signal at any moment stops the run cleanly
  // (exit 130, run_results written) instead of killing the process.
  const onSignal = () => inv.stop.stop();
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  o.releaseEarly?.();
  if (o.earlySignal?.() !== undefined) inv.stop.stop();
  startupFault(io.env);
  const program = buildProgram(inv);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    // A command that finished despite a signal (ls, compile) still reports the interruption.
    return inv.stop.requested && inv.exitCode === 0 && !inv.signalEndsNormally ? 130 : inv.exitCode;
  } catch (e) {
    return reportError(e, inv, argv.includes('--debug'), jsonLogFormat(argv));
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    inv.close();
  }
}

/**
 * The process's streams, guarded: output that cannot be written (a reader that went away, as in
 * `etlx build | head -1`, or a full disk) is dropped, and the run goes on to write its results
 * and history with the right exit code. The log file under target/ still gets every event.
 */
function processIO(): CliIO {
  return { stdout: guarded(process.stdout), stderr: guarded(process.stderr), env: process.env };
}

function guarded(stream: NodeJS.WriteStream): CliIO['stdout'] {
  let broken = false;
  stream.on('error', () => {
    broken = true;
  });
  return {
    isTTY: stream.isTTY,
    write(s: string) {
      if (broken) return;
      try {
        stream.write(s);
      } catch {
        broken = true;
      }
    },
  };
}

/** Whether the command line asked for --log-format json (read from argv: parsing may have failed). */
function jsonLogFormat(argv: readonly string[]): boolean {
  return argv.some((a, i) => a === '--log-format=json' || (a === '--log-format' && argv[i + 1] === 'json'));
}

function reportError(e: unknown, inv: Invocation, debug: boolean, json: boolean): number {
  if (e instanceof CommanderError) {
    if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') return 0;
    return 2;
  }
  // With --log-format json, errors are JSON events like every other line of output.
  const report = (d: Diagnostic) => {
    if (json) {
      const event = { ts: new Date().toISOString(), invocation_id: inv.invocationId, type: 'diagnostic', diagnostic: { severity: 'error', ...d } };
      inv.io.stdout.write(`${inv.secrets.redactJson(JSON.stringify(event))}\n`);
    } else inv.io.stderr.write(`error ${inv.secrets.redact(formatDiagnostic(d))}\n`);
  };
  if (e instanceof EtlxError) {
    for (const d of e.diagnostics) report(d);
    if (debug || inv.debug) inv.io.stderr.write(`${inv.secrets.redact(e.stack ?? '')}\n`);
    return e.exitCode;
  }
  const err = e instanceof Error ? e : new Error(String(e));
  report({ code: 'E_INTERNAL', message: `internal: ${err.message}`, hint: 'this is a bug in etlx; run again with --debug and report the stack trace' });
  if (debug || inv.debug) inv.io.stderr.write(`${inv.secrets.redact(err.stack ?? '')}\n`);
  return 2;
}
