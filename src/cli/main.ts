import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { Command, CommanderError, Option } from 'commander';
import { EtlxError, formatDiagnostic, type Diagnostic } from '../errors/diagnostic.js';
import { redact } from '../config/profiles.js';
import { MAX_THREADS } from '../config/schemas.js';
import { createReporter, LogFileReporter } from '../report/reporters.js';
import type { Reporter } from '../report/events.js';
import { openSession, type GlobalOptions, type Runtime, type Session } from '../session.js';
import { ETLX_VERSION } from '../version.js';
import { compileAndCheck } from '../commands/compile.js';
import { listResources, type LsOutput } from '../commands/ls.js';
import { initProject, initReport } from '../commands/init.js';
import { clean } from '../commands/clean.js';
import { selectIds } from '../session.js';
import { readPreviousRunResults } from '../artifacts/run-results-reader.js';
import { registerRunCommands } from './run-commands.js';

interface RawFlags {
  select?: string[];
  exclude?: string[];
  profile?: string;
  target?: string;
  vars?: string;
  threads?: string;
  fullRefresh?: boolean;
  failFast?: boolean;
  atomic?: boolean;
  projectDir?: string;
  profilesDir?: string;
  logFormat?: string;
  color?: boolean;
  state?: string;
  debug?: boolean;
}

/** Adds the global flags to a command. */
export function withGlobalFlags(cmd: Command): Command {
  return cmd
    .option('-s, --select <selector...>', 'select nodes (dbt selector grammar)')
    .option('--exclude <selector...>', 'exclude nodes')
    .option('--profile <name>', 'profile to use (default: the project name)')
    .option('-t, --target <name>', 'target within the profile')
    .option('--vars <yaml>', 'variables as a YAML mapping')
    .option('--threads <n>', 'models to run at once')
    .option('--full-refresh', 'rebuild incremental models from scratch')
    .option('--fail-fast', 'stop at the first failure')
    .option('--project-dir <dir>', 'the project folder', '.')
    .option('--profiles-dir <dir>', 'folder holding profiles.yml')
    .addOption(new Option('--log-format <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('--no-color', 'plain output')
    .option('--state <dir>', 'folder with a manifest.json to compare with (state:modified)')
    .option('--debug', 'print stack traces');
}

export function globalOptions(f: RawFlags): GlobalOptions {
  const split = (v: string[] | undefined) => (v ?? []).flatMap((s) => s.split(/\s+/)).filter((s) => s.length > 0);
  let threads: number | undefined;
  if (f.threads !== undefined) {
    threads = Number(f.threads);
    if (!Number.isInteger(threads) || threads < 1) {
      throw new EtlxError({ code: 'E_ARGS', message: `--threads must be a whole number of 1 or more, not "${f.threads}"`, hint: 'e.g. --threads 4' });
    }
    // Checked here, before anything is opened: each thread is a DuckDB connection.
    if (threads > MAX_THREADS) {
      throw new EtlxError({ code: 'E_ARGS', message: `--threads must be at most ${MAX_THREADS}, not "${f.threads}"`, hint: 'models run at once; a few per CPU core is plenty, e.g. --threads 8' });
    }
  }
  return {
    projectDir: path.resolve(f.projectDir ?? '.'),
    ...(f.profilesDir !== undefined ? { profilesDir: f.profilesDir } : {}),
    ...(f.profile !== undefined ? { profile: f.profile } : {}),
    ...(f.target !== undefined ? { target: f.target } : {}),
    ...(f.vars !== undefined ? { vars: f.vars } : {}),
    ...(threads !== undefined ? { threads } : {}),
    ...(f.state !== undefined ? { state: f.state } : {}),
    ...(f.atomic !== undefined ? { atomic: f.atomic } : {}),
    select: split(f.select),
    exclude: split(f.exclude),
    fullRefresh: f.fullRefresh ?? false,
    failFast: f.failFast ?? false,
    debug: f.debug ?? false,
  };
}

export interface CliIO {
  readonly stdout: { write(s: string): void; isTTY?: boolean };
  readonly stderr: { write(s: string): void; isTTY?: boolean };
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** Per-invocation state the commands share: the runtime and whether --debug is on. */
export class Invocation {
  readonly invocationId = randomUUID();
  exitCode = 0;
  debug = false;
  private reporterCache: Reporter | undefined;
  private secrets: readonly string[] = [];
  /** Values read with {{env}} in the profile: hidden wherever etlx prints. */
  secretValues(): readonly string[] {
    return this.secrets;
  }
  constructor(readonly io: CliIO) {}

  reporter(f: RawFlags, logDir?: string): Reporter {
    if (this.reporterCache) return this.reporterCache;
    const color = f.color !== false && !this.io.env.NO_COLOR && Boolean(this.io.stdout.isTTY);
    const base = createReporter({
      format: f.logFormat === 'json' ? 'json' : 'text',
      color,
      out: this.io.stdout,
      err: this.io.stderr,
      secrets: () => this.secrets,
      now: () => new Date(),
      invocationId: this.invocationId,
    });
    this.reporterCache = logDir
      ? new LogFileReporter(path.join(logDir, 'logs', 'etlx.log'), base, { now: () => new Date(), invocationId: this.invocationId, secrets: () => this.secrets })
      : base;
    return this.reporterCache;
  }

  runtime(f: RawFlags): Runtime {
    return { env: this.io.env, now: () => new Date(), invocationId: this.invocationId, reporter: this.reporter(f), version: ETLX_VERSION };
  }

  /** Ends output: clears a progress line and closes the log file. */
  close(): void {
    this.reporterCache?.close();
    this.reporterCache = undefined;
  }

  /** Opens the session; then re-creates the reporter with the log file under target/. */
  session(f: RawFlags): Session {
    this.debug = Boolean(f.debug);
    const opts = globalOptions(f);
    const s = openSession(opts, this.runtime(f));
    this.secrets = s.target.secrets;
    this.reporterCache?.close();
    this.reporterCache = undefined;
    const reporter = this.reporter(f, s.targetDir);
    return { ...s, runtime: { ...s.runtime, reporter } };
  }
}

export function buildProgram(inv: Invocation): Command {
  const program = new Command('etlx')
    .description('SQL-first ETL on DuckDB')
    .version(ETLX_VERSION, '-v, --version')
    .exitOverride()
    .configureOutput({ writeOut: (s) => inv.io.stdout.write(s), writeErr: (s) => inv.io.stderr.write(s) })
    .showHelpAfterError('(run etlx --help for usage)');

  withGlobalFlags(program.command('compile').description('render SQL into target/compiled and write the manifest; touches no data')).action(async (f: RawFlags) => {
    // Opened first, so DuckDB's in-memory database is ready when the project is rendered.
    const { SqlChecker } = await import('../engine/sql-check.js');
    const checker = SqlChecker.start();
    let s: Session;
    let ids: Set<string>;
    try {
      s = inv.session(f);
      ids = selectIds(s, { runResults: readPreviousRunResults(s.targetDir) });
    } catch (e) {
      checker.close();
      throw e;
    }
    await compileAndCheck(s, { write: ids, manifest: true, checker });
    const models = [...ids].filter((id) => s.project.nodes.get(id)?.resourceType === 'model').length;
    const tests = [...ids].filter((id) => s.project.nodes.get(id)?.resourceType === 'test').length;
    s.runtime.reporter.emit({ type: 'info', message: `Compiled ${models} models and ${tests} tests into ${path.relative(s.project.root, path.join(s.targetDir, 'compiled')) || 'target/compiled'}` });
  });

  withGlobalFlags(program.command('ls').alias('list').description('list selected resources'))
    .addOption(new Option('--output <format>', 'name, path or json').choices(['name', 'path', 'json']).default('name'))
    .option('--resource-type <type...>', 'only these resource types (model, seed, test, source)')
    .action((f: RawFlags & { output: LsOutput; resourceType?: string[] }) => {
      const s = inv.session(f);
      for (const line of listResources(s, f.output, f.resourceType ?? [])) inv.io.stdout.write(`${line}\n`);
    });

  program
    .command('init [dir]')
    .description('scaffold a new project')
    .option('--debug', 'print stack traces')
    .action((dir: string | undefined, f: { debug?: boolean }) => {
      inv.debug = Boolean(f.debug);
      inv.io.stdout.write(initReport(initProject(dir ?? '.'), process.cwd(), inv.io.env));
    });

  program
    .command('clean')
    .description('remove target/')
    .option('--project-dir <dir>', 'the project folder', '.')
    .option('--debug', 'print stack traces')
    .action((f: { projectDir: string; debug?: boolean }) => {
      inv.debug = Boolean(f.debug);
      for (const p of clean(f.projectDir)) inv.io.stdout.write(`Removed ${p}/\n`);
    });

  withGlobalFlags(program.command('debug').description('check project, profile and connection')).action(async (f: RawFlags) => {
    // Loaded on use: it opens DuckDB, whose full API takes ~140 ms to import.
    const { debugCommand } = await import('../commands/debug.js');
    inv.exitCode = await debugCommand(inv, f);
  });

  registerRunCommands(program, inv);
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
      inv.io.stdout.write(`${redact(JSON.stringify(event), inv.secretValues())}\n`);
    } else inv.io.stderr.write(`error ${redact(formatDiagnostic(d), inv.secretValues())}\n`);
  };
  if (e instanceof EtlxError) {
    for (const d of e.diagnostics) report(d);
    if (debug || inv.debug) inv.io.stderr.write(`${redact(e.stack ?? '', inv.secretValues())}\n`);
    return e.exitCode;
  }
  const err = e instanceof Error ? e : new Error(String(e));
  report({ code: 'E_INTERNAL', message: `internal: ${err.message}`, hint: 'this is a bug in etlx; run again with --debug and report the stack trace' });
  if (debug || inv.debug) inv.io.stderr.write(`${redact(err.stack ?? '', inv.secretValues())}\n`);
  return 2;
}
