import { Command, CommanderError } from 'commander';
import { EtlxError, ETLX_VERSION, formatDiagnostic, type Diagnostic } from '../index.js';
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

/** Runs the CLI; returns the exit code. Errors are printed without a stack unless --debug. */
export async function main(argv: readonly string[], io: CliIO = { stdout: process.stdout, stderr: process.stderr, env: process.env }): Promise<number> {
  // `etlx ls | head`: a reader that goes away early is not an error worth a stack trace.
  if (io.stdout === process.stdout && process.stdout.listenerCount('error') === 0) {
    process.stdout.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') process.exit(typeof process.exitCode === 'number' ? process.exitCode : 0);
      throw e;
    });
  }
  const inv = new Invocation(io);
  const program = buildProgram(inv);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return inv.exitCode;
  } catch (e) {
    return reportError(e, inv, argv.includes('--debug'), jsonLogFormat(argv));
  } finally {
    inv.close();
  }
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
