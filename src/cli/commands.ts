import path from 'node:path';
import { Option, type Command } from 'commander';
import * as etlx from '../index.js';
import type { LsOutput, RunCommand, Session, SqlChecker } from '../index.js';
import { withGlobalFlags, withLockFlags, withProjectFlags, withRunFlags, withSelectionFlags, type RawFlags } from './flags.js';
import type { Invocation } from './invocation.js';

/** Every command: each a thin client of src/index.ts that sets the exit code. */
export function registerCommands(program: Command, inv: Invocation): void {
  withSelectionFlags(withProjectFlags(program.command('compile').description('render SQL into target/compiled and write the manifest; touches no data'))).action(async (f: RawFlags) => {
    const compiledInfo = (root: string, targetDir: string, models: number, tests: number) => ({
      type: 'info' as const,
      message: `Compiled ${etlx.plural(models, 'model')} and ${etlx.plural(tests, 'test')} into ${path.relative(root, path.join(targetDir, 'compiled')) || 'target/compiled'}`,
    });
    // An unchanged project reuses its manifest (compile/unchanged.ts).
    const same = inv.compileUnchanged(f);
    if (same) return void inv.reporter(f).emit(compiledInfo(same.root, same.targetDir, same.models, same.tests));
    // Started first, so DuckDB's in-memory parser is ready when the project is rendered.
    const checker = await etlx.startSqlChecker();
    const s = sessionOrClose(inv, f, checker);
    const r = await etlx.compile(s, checker);
    s.runtime.reporter.emit(compiledInfo(s.project.root, s.targetDir, r.models, r.tests));
  });

  withSelectionFlags(withProjectFlags(program.command('ls').alias('list').description('list selected resources')))
    .addOption(new Option('--output <format>', 'name, path or json').choices(['name', 'path', 'json']).default('name'))
    .option('--resource-type <type...>', 'only these resource types (model, seed, test, source, snapshot, unit_test)')
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
      inv.io.stdout.write(etlx.initReport(etlx.initProject(dir ?? '.'), process.cwd(), inv.io.env));
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

  withProjectFlags(program.command('debug').description('check project, profile and connection')).action(async (f: RawFlags) => {
    const { debugCommand } = await import('./debug.js');
    inv.exitCode = await debugCommand(inv, f);
  });

  const descriptions: Record<RunCommand, string> = {
    seed: 'load seeds',
    run: 'build models in DAG order',
    test: 'run data tests and unit tests (and source freshness)',
    build: 'seeds, models, snapshots and tests in DAG order; a failing error-severity test skips everything downstream of its model',
    snapshot: 'apply snapshots (SCD type 2 history)',
  };
  for (const command of ['seed', 'run', 'test', 'build', 'snapshot'] as const) {
    withGlobalFlags(program.command(command).description(descriptions[command]))
      .option('--atomic', 'all or nothing: if anything fails, leave the warehouse and file outputs as they were')
      .option('--retries <n>', 'retry a node whose failure is transient (I/O error, out of memory, write conflict) up to n times')
      .action(async (f: RawFlags) => {
        const checker = await etlx.startSqlChecker();
        const s = sessionOrClose(inv, f, checker);
        inv.exitCode = (await etlx.run(s, command, inv.stop, { checker })).exitCode;
      });
  }

  withLockFlags(withSelectionFlags(withProjectFlags(program.command('history').description('the last runs from the warehouse (with --select: each node per run, with a trend)'))))
    .option('--last <n>', 'how many runs', '10')
    .addOption(new Option('--output <format>', 'text or json').choices(['text', 'json']).default('text'))
    .action(async (f: RawFlags & { last: string; output: 'text' | 'json' }) => {
      const last = Number(f.last);
      if (!Number.isInteger(last) || last < 1) throw new etlx.EtlxError({ code: 'E_ARGS', message: `--last must be a whole number of 1 or more, not "${f.last}"`, hint: 'e.g. --last 30' });
      const s = inv.session(f);
      for (const line of await etlx.history(s, { last, output: f.output })) inv.io.stdout.write(`${line}\n`);
    });

  withLockFlags(withProjectFlags(program.command('show <model>').description('preview rows of a model')))
    .option('--limit <n>', 'rows to show', '10')
    .action(async (model: string, f: RawFlags & { limit: string }) => {
      const limit = Number(f.limit);
      const checker = await etlx.startSqlChecker();
      const s = sessionOrClose(inv, f, checker);
      const table = await etlx.show(s, model, Number.isInteger(limit) && limit > 0 ? limit : 10, checker);
      s.runtime.reporter.emit({ type: 'table', columns: table.columns, rows: table.rows });
    });

  withRunFlags(withProjectFlags(program.command('retry').description('re-run what failed or was skipped in the last run, with its command and flags')))
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
      inv.exitCode = (await etlx.run(s, r.command, inv.stop, { checker, extraArgs: { retry_of: r.retryOf } })).exitCode;
    });

  registerDocs(program, inv);
}

/** `etlx docs generate` and `etlx docs serve`. */
function registerDocs(program: Command, inv: Invocation): void {
  const docs = program.command('docs').description('docs site, catalog.json and column lineage');
  withGlobalFlags(docs.command('generate').description('write target/catalog.json, column lineage into manifest.json, and the site target/docs/ (touches no data)')).action(async (f: RawFlags) => {
    const checker = await etlx.startSqlChecker();
    const s = sessionOrClose(inv, f, checker);
    const r = await etlx.docsGenerate(s, checker);
    const rel = (p: string) => path.relative(s.project.root, p);
    for (const e of r.catalogErrors) s.runtime.reporter.emit({ type: 'info', message: `Not in the catalog: ${e}` });
    s.runtime.reporter.emit({ type: 'info', message: `Wrote ${rel(r.catalogFile)}, ${rel(r.manifestFile)} (lineage for ${r.lineageColumns} columns, ${r.notedColumns} left with a note) and ${rel(r.siteFile)}` });
  });
  withGlobalFlags(docs.command('serve').description('serve the docs site on 127.0.0.1 until Ctrl-C (which exits 0); generates it first when missing'))
    .option('--port <n>', 'port to listen on', '8080')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .action(async (f: RawFlags & { port: string; host: string }) => {
      const port = Number(f.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) {
        throw new etlx.EtlxError({ code: 'E_ARGS', message: `--port must be a whole number from 0 to 65535, not "${f.port}"`, hint: 'e.g. --port 8080' });
      }
      const checker = await etlx.startSqlChecker();
      const s = sessionOrClose(inv, f, checker);
      const server = await etlx.docsServe(s, checker, { port, host: f.host });
      s.runtime.reporter.emit({ type: 'info', message: `${server.generated ? 'Generated the docs site. ' : ''}Serving ${path.relative(s.project.root, path.join(s.targetDir, 'docs'))} at ${server.url} (Ctrl-C to stop)` });
      // Ctrl-C (or SIGTERM) is how a server is meant to stop: a clean exit, code 0.
      inv.signalEndsNormally = true;
      await inv.stop.whenStopped();
      await server.close();
      inv.exitCode = 0;
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
