import type { Diagnostic } from '../errors/diagnostic.js';
import type { ModelNode, UnitTestNode } from '../parse/nodes.js';
import type { ParsedProject } from '../parse/parse-project.js';
import { RenderError, sourcePosition, type Rendered } from '../template/render.js';
import { quoteIdent } from '../util/sql.js';
import { renderModelTemplate, type CompileContext } from './compile.js';

/** What a unit test changes in its model's render: vars, env, is_incremental and the relations read. */
export interface UnitTestRender {
  readonly isIncremental: boolean;
  readonly vars: Readonly<Record<string, unknown>>;
  readonly env: Readonly<Record<string, string>>;
}

/** The context a unit test renders its model with: the run's and compile's check share it. */
export function unitTestContext(ctx: CompileContext, o: UnitTestRender, relationFor: (id: string) => string | undefined): CompileContext {
  return { ...ctx, vars: { ...ctx.vars, ...o.vars }, env: { ...ctx.env, ...o.env }, isIncremental: () => o.isIncremental, relationFor };
}

/** One piece of a unit test's SQL for the compile-time parse check, and how a problem in it is reported. */
export interface UnitTestCheck {
  readonly sql: string;
  /** The model rendered for the test: a problem the model's own SQL has is reported there, once. */
  readonly model?: string;
  report(problem: { readonly message: string; readonly position?: number }): Diagnostic;
}

/**
 * Every enabled unit test's SQL as it will run: its model rendered with the test's vars, env
 * and is_incremental and a fixture table for each input (named like the run's, so the parser
 * sees the same SQL shape), and each `format: sql` given or expect. A render error is a
 * diagnostic now, like a model's.
 */
export function unitTestChecks(p: ParsedProject, ctx: CompileContext): { checks: UnitTestCheck[]; diagnostics: Diagnostic[] } {
  const checks: UnitTestCheck[] = [];
  const diagnostics: Diagnostic[] = [];
  for (const u of p.nodes.values()) {
    if (u.resourceType !== 'unit_test' || !u.config.enabled) continue;
    const model = p.nodes.get(u.model);
    if (model?.resourceType !== 'model') continue;
    try {
      const rendered = renderModelTemplate(p, unitTestContext(ctx, renderOf(u), placeholders(p, u, model)), model);
      checks.push(modelCheck(u, model, rendered));
    } catch (e) {
      if (!(e instanceof RenderError)) throw e;
      diagnostics.push({ code: e.code, message: `unit test ${u.name}: ${e.message}`, file: model.path, line: e.line, column: e.col, hint: `${e.hint} (rendering ${model.name} with the vars and inputs of unit test ${u.name}, ${where(u, u.line)})` });
    }
    u.given.forEach((g, i) => {
      if (g.format === 'sql') checks.push(fixtureCheck(u, String(g.rows), u.rowsLine?.(i), `given ${g.input}`));
    });
    if (u.expect.format === 'sql') checks.push(fixtureCheck(u, String(u.expect.rows), u.rowsLine?.('expect'), 'expect'));
  }
  return { checks, diagnostics };
}

function renderOf(u: UnitTestNode): UnitTestRender {
  return { isIncremental: u.overrides.isIncremental ?? false, vars: u.overrides.vars, env: u.overrides.env };
}

/** Each input the run gives a fixture table (and `this` when the test reads it): a table name like the run's. */
function placeholders(p: ParsedProject, u: UnitTestNode, model: ModelNode): (id: string) => string | undefined {
  const names = new Map<string, string>();
  for (const id of p.dag.parents(model.id)) names.set(id, quoteIdent(`etlx_fixture_${names.size}`));
  if ((u.overrides.isIncremental ?? false) || u.given.some((g) => 'this' in g.target)) names.set(model.id, quoteIdent(`etlx_fixture_${names.size}`));
  return (id) => names.get(id);
}

function where(u: UnitTestNode, line: number | undefined): string {
  return `${u.path}${line !== undefined ? `:${line}` : ''}`;
}

function modelCheck(u: UnitTestNode, model: ModelNode, rendered: Rendered): UnitTestCheck {
  return {
    sql: rendered.text,
    model: model.id,
    report: (problem) => {
      // "syntax error at end of input" points past the text; show the last line that has SQL.
      const offset = problem.position !== undefined ? Math.min(problem.position, Math.max(0, rendered.text.trimEnd().length - 1)) : undefined;
      const pos = offset !== undefined ? sourcePosition(rendered, offset) : undefined;
      return {
        code: 'E_SQL_SYNTAX',
        message: `SQL syntax error in model ${model.name} as unit test ${u.name} renders it (its vars, is_incremental and inputs): ${problem.message}`,
        file: model.path,
        ...(pos ? { line: pos.line, column: pos.col } : {}),
        hint: `the unit test is at ${where(u, u.line)}; check the branch of ${model.name} its overrides select`,
      };
    },
  };
}

/**
 * A `format: sql` given or expect: the SELECT the run wraps in CREATE TABLE. Its lines are
 * counted from its `rows:` line (a block scalar, `rows: |`, starts on the next line).
 */
function fixtureCheck(u: UnitTestNode, raw: string, rowsLine: number | undefined, what: string): UnitTestCheck {
  const lead = raw.length - raw.trimStart().length;
  const sql = raw.trim().replace(/;\s*$/, '');
  const block = raw.endsWith('\n');
  return {
    sql,
    report: (problem) => {
      const offset = problem.position !== undefined ? Math.min(problem.position, Math.max(0, sql.length - 1)) : undefined;
      const inRaw = offset !== undefined ? raw.slice(0, lead + offset).split('\n').length - 1 : 0;
      const line = rowsLine !== undefined ? rowsLine + (block ? 1 : 0) + inRaw : undefined;
      return {
        code: 'E_SQL_SYNTAX',
        message: `SQL syntax error in unit test ${u.name}, ${what} (format: sql): ${problem.message}`,
        file: u.path,
        ...(line !== undefined ? { line } : u.line !== undefined ? { line: u.line } : {}),
        hint: 'rows of format sql are one SELECT returning the rows',
      };
    },
  };
}
