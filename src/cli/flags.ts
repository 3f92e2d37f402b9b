import path from 'node:path';
import { Option, type Command } from 'commander';
import { DURATION_HINT, EtlxError, MAX_THREADS, parseDuration, type GlobalOptions } from '../index.js';

/** The flags commander hands a command's action, before they are checked. */
export interface RawFlags {
  select?: string[];
  /** -m/--models: dbt's older name for --select; merged into it. */
  models?: string[];
  exclude?: string[];
  profile?: string;
  target?: string;
  vars?: string;
  threads?: string;
  fullRefresh?: boolean;
  failFast?: boolean;
  atomic?: boolean;
  retries?: string;
  projectDir?: string;
  profilesDir?: string;
  logFormat?: string;
  color?: boolean;
  state?: string;
  defer?: boolean;
  debug?: boolean;
  waitForSources?: string;
  lockTimeout?: string;
}

/*
 * Commands take only the flags that mean something to them (the contract), in three groups:
 * where the project and its warehouse are (every command that loads a project), what is
 * selected (commands that pick nodes), and how a run behaves (commands that run nodes).
 */

/** Project, profile and output: which project, which warehouse, how to print. */
export function withProjectFlags(cmd: Command): Command {
  return cmd
    .option('--project-dir <dir>', 'the project folder', '.')
    .option('--profiles-dir <dir>', 'folder holding profiles.yml')
    .option('--profile <name>', 'profile to use (default: the project name)')
    .option('-t, --target <name>', 'target within the profile')
    .option('--vars <yaml>', 'variables as a YAML mapping')
    .addOption(new Option('--log-format <format>', 'output format').choices(['text', 'json']).default('text'))
    .option('--no-color', 'plain output')
    .option('--debug', 'print stack traces');
}

/** Which nodes: --select/-m, --exclude and the --state they may compare against. */
export function withSelectionFlags(cmd: Command): Command {
  return cmd
    .option('-s, --select <selector...>', 'select nodes (dbt selector grammar)')
    .addOption(new Option('-m, --models <selector...>', 'alias of --select').hideHelp())
    .option('--exclude <selector...>', 'exclude nodes')
    .option('--state <dir>', 'folder with a manifest.json to compare with (state:modified)')
    .option('--defer', 'with --state: refs to unselected nodes not built in this target read the state\'s warehouse (attached read only)');
}

/** Waiting for the warehouse lock: every command that opens the warehouse. */
export function withLockFlags(cmd: Command): Command {
  return cmd.option('--lock-timeout <duration>', 'wait this long for a warehouse held by another process (e.g. 10m) instead of failing at once');
}

/** How a run behaves. */
export function withRunFlags(cmd: Command): Command {
  return withLockFlags(cmd)
    .option('--threads <n>', 'models to run at once')
    .option('--full-refresh', 'rebuild incremental models from scratch')
    .option('--fail-fast', 'stop at the first failure')
    .option('--wait-for-sources <duration>', 'hold the readers of missing staging files this long (e.g. 2h) while the rest runs');
}

/** Every group: the commands that select and run nodes (seed, run, test, build). */
export function withGlobalFlags(cmd: Command): Command {
  return withRunFlags(withSelectionFlags(withProjectFlags(cmd)));
}

/** The checked global options: a bad value is exit 2 before anything runs. */
export function globalOptions(f: RawFlags & { models?: string[] }): GlobalOptions {
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
  let retries: number | undefined;
  if (f.retries !== undefined) {
    retries = Number(f.retries);
    if (!Number.isInteger(retries) || retries < 0 || retries > 10) {
      throw new EtlxError({ code: 'E_ARGS', message: `--retries must be a whole number from 0 to 10, not "${f.retries}"`, hint: 'e.g. --retries 2' });
    }
  }
  const waitForSources = durationFlag('--wait-for-sources', f.waitForSources);
  const lockTimeout = durationFlag('--lock-timeout', f.lockTimeout);
  return {
    projectDir: path.resolve(f.projectDir ?? '.'),
    ...(f.profilesDir !== undefined ? { profilesDir: f.profilesDir } : {}),
    ...(f.profile !== undefined ? { profile: f.profile } : {}),
    ...(f.target !== undefined ? { target: f.target } : {}),
    ...(f.vars !== undefined ? { vars: f.vars } : {}),
    ...(threads !== undefined ? { threads } : {}),
    ...(f.state !== undefined ? { state: f.state } : {}),
    ...(f.defer ? { defer: true } : {}),
    ...(f.atomic !== undefined ? { atomic: f.atomic } : {}),
    ...(retries !== undefined ? { retries } : {}),
    ...(waitForSources !== undefined ? { waitForSources } : {}),
    ...(lockTimeout !== undefined ? { lockTimeout } : {}),
    select: [...split(f.select), ...split(f.models)],
    exclude: split(f.exclude),
    fullRefresh: f.fullRefresh ?? false,
    failFast: f.failFast ?? false,
    debug: f.debug ?? false,
  };
}

/** A duration flag in milliseconds. */
function durationFlag(flag: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const ms = parseDuration(v);
  if (ms === undefined) throw new EtlxError({ code: 'E_ARGS', message: `${flag} must be a duration, not "${v}"`, hint: DURATION_HINT });
  return ms;
}
