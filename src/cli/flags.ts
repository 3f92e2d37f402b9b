import path from 'node:path';
import { Option, type Command } from 'commander';
import { EtlxError, MAX_THREADS, type GlobalOptions } from '../index.js';

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
  projectDir?: string;
  profilesDir?: string;
  logFormat?: string;
  color?: boolean;
  state?: string;
  defer?: boolean;
  debug?: boolean;
}

/** Adds the global flags to a command. */
export function withGlobalFlags(cmd: Command): Command {
  return cmd
    .option('-s, --select <selector...>', 'select nodes (dbt selector grammar)')
    .option('-m, --models <selector...>', 'alias of --select (dbt\'s -m)')
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
    .option('--defer', 'with --state: refs to unselected nodes not built in this target read the state\'s warehouse (attached read only)')
    .option('--debug', 'print stack traces');
}

/** The checked global options: a bad value is exit 2 before anything runs. */
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
    ...(f.defer ? { defer: true } : {}),
    ...(f.atomic !== undefined ? { atomic: f.atomic } : {}),
    select: split([...(f.select ?? []), ...(f.models ?? [])]),
    exclude: split(f.exclude),
    fullRefresh: f.fullRefresh ?? false,
    failFast: f.failFast ?? false,
    debug: f.debug ?? false,
  };
}
