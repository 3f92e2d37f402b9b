import { ChecksumCache } from '../project/checksum-cache.js';
import { sha1 } from '../project/files.js';
import { compileProject, renderProjectHooks, type CompiledProject } from './compile.js';
import type { Node } from '../parse/nodes.js';
import { sourcePosition, type Rendered } from '../template/render.js';
import type { SqlChecker } from '../engine/engine.js';
import { capabilitiesOf } from '../engine/capabilities.js';
import { EtlxError, throwIfErrors, type Diagnostic } from '../errors/diagnostic.js';
import type { Session } from '../session.js';
import { unitTestChecks, type UnitTestCheck } from './unit-test-check.js';

/**
 * Renders every model and test, checks all the SQL with the engine's parser (every syntax error
 * of the project at once), and returns the compiled project. Throws EtlxError (exit 2) on errors.
 * `whileChecking` runs after the check is submitted, so files can be written while the parser
 * works (they are written also when the check then fails, so the rendered SQL can be inspected).
 * `checker` was started early by the caller, so it is ready by the time the project is
 * rendered; this closes it.
 */
export async function compileAndCheck(s: Session, checker: SqlChecker, whileChecking?: (compiled: CompiledProject) => void): Promise<CompiledProject> {
  try {
    // SQL that passed the check before need not be parsed again. Without that record every
    // statement will be parsed: the parser opens while the project renders.
    const passed = ChecksumCache.forTarget(s.targetDir, 'checked-sql');
    if (passed.isEmpty()) checker.warmUp?.();
    const compiled = compileProject(s.project, s.ctx);
    throwIfErrors(compiled.diagnostics);
    if (!capabilitiesOf(s.target).parseCheck) {
      // The check is DuckDB's parser; other engines' SQL is checked by their server when it runs.
      s.runtime.reporter.emit({ type: 'info', message: `the compile-time SQL check is skipped on ${s.target.type} targets (it is DuckDB's parser); SQL errors come from the server, with the model's file` });
      whileChecking?.(compiled);
      return compiled;
    }
    await checker.whenReady();
    const checking = checkCompiled(s, compiled, checker, passed);
    whileChecking?.(compiled);
    await checking;
    return compiled;
  } finally {
    checker.close();
  }
}

async function checkCompiled(s: Session, compiled: CompiledProject, checker: SqlChecker, passed: ChecksumCache): Promise<void> {
  const items: { node: Node | undefined; sql: string; rendered: Rendered | undefined; hook?: string; file?: string; unitTest?: UnitTestCheck }[] = [];
  for (const [id, c] of compiled.nodes) {
    const node = s.project.nodes.get(id)!;
    if (node.resourceType === 'model' || node.resourceType === 'snapshot' || (node.resourceType === 'test' && node.testType === 'singular')) {
      items.push({ node, sql: c.rendered ? c.rendered.text : c.sql, rendered: c.rendered });
      // The is_incremental branch is checked too, so its syntax errors show before the second night.
      if (c.incremental) items.push({ node, sql: c.incremental.rendered.text, rendered: c.incremental.rendered });
    }
    // Hooks are statements of any kind (not one SELECT): only their syntax is checked.
    for (const sql of c.preHooks ?? []) items.push({ node, sql, rendered: undefined, hook: 'pre_hook' });
    for (const sql of c.postHooks ?? []) items.push({ node, sql, rendered: undefined, hook: 'post_hook' });
  }
  // on-run-start renders from the project alone; on-run-end needs the run's results and is checked when rendered.
  for (const sql of renderProjectHooks(s.project, s.ctx, s.project.files.config.onRunStart)) items.push({ node: undefined, sql, rendered: undefined, hook: 'on-run-start', file: 'etlx.yml' });
  // Unit tests run their model's SQL over fixtures, and their sql-format rows: checked now too.
  const unitTests = unitTestChecks(s.project, s.ctx);
  for (const unitTest of unitTests.checks) items.push({ node: undefined, sql: unitTest.sql, rendered: undefined, unitTest });
  const sums = items.map((i) => sha1(i.sql));
  const todo = items.map((_, i) => i).filter((i) => !passed.same(sums[i]!, 'ok'));
  const problems = (await checker.check(todo.map((i) => items[i]!.sql))).filter((p) => !(items[todo[p.index]!]!.hook && /^expected one SELECT/.test(p.message)));
  for (const p of problems) passed.forget(sums[todo[p.index]!]!);
  passed.save();
  // A model's own syntax error is reported once, not again for each of its unit tests.
  const failedNodes = new Set(problems.map((p) => items[todo[p.index]!]!.node?.id));
  const shown = problems.filter((p) => {
    const model = items[todo[p.index]!]!.unitTest?.model;
    return model === undefined || !failedNodes.has(model);
  });
  const diagnostics: Diagnostic[] = shown.map((p) => {
    const item = items[todo[p.index]!]!;
    if (item.unitTest) return item.unitTest.report(p);
    if (item.hook || !item.node) {
      const owner = item.node ? `${item.node.resourceType} ${item.node.name}` : 'the project';
      return {
        code: 'E_SQL_SYNTAX',
        message: `SQL syntax error in ${item.hook} of ${owner}: ${p.message}`,
        file: item.node?.path ?? item.file ?? 'etlx.yml',
        hint: `fix the ${item.hook} statement; hooks run as written (after rendering) before or after the ${item.node ? 'node' : 'run'}`,
      } satisfies Diagnostic;
    }
    const r = item.rendered;
    // "syntax error at end of input" points past the text; show the last line that has SQL on it.
    const offset = p.position !== undefined && r ? Math.min(p.position, Math.max(0, r.text.trimEnd().length - 1)) : undefined;
    const pos = offset !== undefined && r ? sourcePosition(r, offset) : undefined;
    return {
      code: 'E_SQL_SYNTAX',
      message: `SQL syntax error in ${item.node.resourceType} ${item.node.name}: ${p.message}`,
      file: item.node.path,
      ...(pos ? { line: pos.line, column: pos.col } : {}),
      hint: /one SELECT/.test(p.message)
        ? 'a model holds exactly one SELECT; move other statements to pre_hook/post_hook'
        : `check the SQL near this position; the rendered SQL is what DuckDB parsed (etlx compile --select ${item.node.name} writes it to target/compiled)`,
    };
  });
  diagnostics.push(...unitTests.diagnostics);
  if (diagnostics.length > 0) throw new EtlxError(diagnostics);
}

