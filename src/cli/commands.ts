import path from 'node:path';
import { Option, type Command } from 'commander';
import * as etlx from '../index.js';
import type { LsOutput, RunCommand, Session, SqlChecker } from '../index.js';
import { withGlobalFlags, type RawFlags } from './flags.js';
import type { Invocation } from './invocation.js';

/** Every command: each a thin client of src/index.ts that sets the exit code. */
export function registerCommands(program: Command, inv: Invocation): void {
  withGlobalFlags(program.command('compile').description('render SQL into target/compiled and write the manifest; touches no data')).action(async (f: RawFlags) => {
    const compiledInfo = (root: string, targetDir: string, models: number, tests: number) => ({
      type: 'info' as const,
      message: `Compiled ${models} models and ${tests} tests into ${path.relative(root, path.join(targetDir, 'compiled')) || 'target/compiled'}`,
    });
    const same = inv.compileUnchanged(f);
    if (same) return void inv.reporter(f).emit(compiledInfo(same.root, same.targetDir, same.models, same.tests));
    // Started first, so DuckDB's in-memory parser is ready when the project is rendered.
    const checker = await etlx.startSqlChecker();
    const s = sessionOrClose(inv, f, checker);
    const r = await etlx.compile(s, checker);
    s.runtime.reporter.emit(compiledInfo(s.project.root, s.targetDir, r.models, r.tests));
  });

  withGlobalFlags(program.command('ls').alias('list').description('list selected resources'))
    .addOption(new Option('--output <format>', 'name, path or json').choices(['name', 'path', 'json']).default('name'))
    .option('--resource-type <type...>', 'only these resource types (model, seed, test, source)')
    .action((f: RawFlags & { output: LsOutput; resourceType?: string[] }) => {
      const s = inv.session(f);
      for (const line of etlx.list(s, f.output, f.resourceType ?? [])) inv.io.stdout.write(`${line}\n`);
    });

  program
    .command('init [dir]')
    .description('scaffold a new project')
    .option('--debug', 'print stack traces')
    .action((dir: string | undefined, f: { debug?: boolean }) => {
      inv.debug = Boolean(f.debug);
      const r = etlx.initProject(dir ?? '.');
      inv.io.stdout.write(`Created a project in ${r.root}:\n${r.files.map((x) => `  ${x}`).join('\n')}\nNext: cd ${path.relative(process.cwd(), r.root) || '.'} && etlx build\n`);
    });

  program
    .command('clean')
    .description('remove target/')
    .option('--project-dir <dir>', 'the project folder', '.')
    .option('--debug', 'print stack traces')
    .action((f: { projectDir: string; debug?: boolean }) => {
      inv.debug = Boolean(f.debug);
      for (const p of etlx.clean(f.projectDir)) inv.io.stdout.write(`Removed ${p}/\n`);
    });

  withGlobalFlags(program.command('debug').description('check project, profile and connection')).action(async (f: RawFlags) => {
    const { debugCommand } = await import('./debug.js');
    inv.exitCode = await debugCommand(inv, f);
  });

  const descriptions: Record<RunCommand, string> = {
    seed: 'load seeds',
    run: 'build models in DAG order',
    test: 'run data tests (and source freshness)',
    build: 'seeds, models and tests in DAG order; a failing error-severity test skips everything downstream of its model',
  };
  for (const command of ['seed', 'run', 'test', 'build'] as const) {
    withGlobalFlags(program.command(command).description(descriptions[command]))
      .option('--atomic', 'all or nothing: if anything fails, leave the warehouse and file outputs as they were')
      .action(async (f: RawFlags) => {
        const checker = await etlx.startSqlChecker();
        const s = sessionOrClose(inv, f, checker);
        inv.exitCode = await withSignals((stop) => etlx.run(s, command, stop, { checker }));
      });
  }

  withGlobalFlags(program.command('show <model>').description('preview rows of a model'))
    .option('--limit <n>', 'rows to show', '10')
    .action(async (model: string, f: RawFlags & { limit: string }) => {
      const limit = Number(f.limit);
      const checker = await etlx.startSqlChecker();
      const s = sessionOrClose(inv, f, checker);
      const table = await etlx.show(s, model, Number.isInteger(limit) && limit > 0 ? limit : 10, checker);
      s.runtime.reporter.emit({ type: 'table', columns: table.columns, rows: table.rows });
    });

  withGlobalFlags(program.command('retry').description('re-run what failed or was skipped in the last run, with its command and flags'))
    .addOption(new Option('--atomic', 'all or nothing').hideHelp())
    .action(async (f: RawFlags) => {
      const first = inv.session(f);
      const r = etlx.retryArgs(first);
      if (r.nothing) {
        first.runtime.reporter.emit({ type: 'info', message: r.nothing });
        inv.exitCode = 0;
        return;
      }
      const checker = await etlx.startSqlChecker();
      const s = sessionOrClose(inv, { ...f, ...r.flags }, checker);
      inv.exitCode = await withSignals((stop) => etlx.run(s, r.command, stop, { checker, extraArgs: { retry_of: r.retryOf } }));
    });
}

/** Loads the project; a project error closes the parser started for it. */
function sessionOrClose(inv: Invocation, f: RawFlags, checker: SqlChecker): Session {
  try {
    return inv.session(f);
  } catch (e) {
    checker.close();
    throw e;
  }
}

/** SIGINT/SIGTERM: start nothing new, interrupt running queries, then finish and exit 130. */
async function withSignals(fn: (stop: etlx.StopSignal) => Promise<{ exitCode: number }>): Promise<number> {
  const stop = new etlx.StopSignal();
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
