import type { Target } from '../config/profiles.js';
import type { Diagnostic, DiagnosticCode } from '../errors/diagnostic.js';
import { closest } from '../errors/did-you-mean.js';
import { type TemplateIR } from '../template/ir.js';
import { parseTemplate } from '../template/parse.js';
import { topLevelThis } from '../template/jinja.js';
import type { HelperName } from '../template/helper-names.js';
import { render, RenderError, truthy, type Helper, type Rendered } from '../template/render.js';
import { lookupProperty } from '../template/scope.js';
import type { ModelNode, Node, SnapshotNode, TestNode } from '../parse/nodes.js';
import type { ParsedProject } from '../parse/parse-project.js';
import { collectEphemerals, EphemeralLimitError, withCtes } from './ephemerals.js';
import { modelRelation, seedRelation, selfValue, snapshotRelation, sourceRelation, type FileColumn } from './relations.js';
import { quoteIdent, quoteLiteral } from '../util/sql.js';
import { failureCountSql, genericTestSql } from './test-sql.js';
import { clickhouseGenericTestSql } from './test-sql-clickhouse.js';

/** What rendering depends on besides the project. */
export { EPHEMERAL_LIMIT } from './ephemerals.js';

export interface CompileContext {
  readonly target: Pick<Target, 'name' | 'schema' | 'profile' | 'threads'> & Partial<Pick<Target, 'path' | 'attach' | 'type'>>;
  /** Project vars overridden by --vars. */
  readonly vars: Readonly<Record<string, unknown>>;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** True when this incremental model's table exists and this is no full refresh. */
  readonly isIncremental?: (model: ModelNode) => boolean;
  /** More template values for one render: on-run-end's `run` and `results`, known only at the end. */
  readonly extra?: Readonly<Record<string, unknown>>;
  /**
   * Unit tests: the relation a `ref`, `source` or `{{self}}` (the model's own id) renders
   * instead of the warehouse's, so the model reads fixtures. Undefined: the usual relation.
   */
  readonly relationFor?: (id: string) => string | undefined;
  /** --defer: node id -> the --state warehouse's relation, read instead of this target's. */
  readonly deferred?: ReadonlyMap<string, string>;
  /** Empty JSON file models: their columns, as recorded in etlx_meta.json_output_columns. */
  readonly fileColumns?: ReadonlyMap<string, readonly FileColumn[]>;
  /** Ephemeral models as subqueries, not CTEs (ClickHouse 18.16 has no subquery CTEs). */
  readonly inlineEphemerals?: boolean;
}

export interface CompiledNode {
  readonly id: string;
  /**
   * Models: the SELECT to materialize, ephemeral CTEs included. Tests: the failing-rows query.
   */
  readonly sql: string;
  /** What target/compiled shows: the model SELECT, or a test's failure count query. */
  readonly display: string;
  /** The node's own rendered template (no CTE wrapper), with its source map. */
  readonly rendered?: Rendered;
  /** Vars read while rendering, with the values used (for state:modified). */
  readonly varsRead: Readonly<Record<string, unknown>>;
  readonly ephemerals: readonly string[];
  /** pre_hook / post_hook statements, rendered like the model (so {{self}} and {{ref}} work). */
  readonly preHooks: readonly string[];
  readonly postHooks: readonly string[];
  /**
   * Incremental models (and incremental file models): the SQL rendered with `is_incremental`
   * true, for runs that add to an existing table. Rendered up front, so the run never calls the
   * compiler.
   */
  readonly incremental?: { readonly sql: string; readonly rendered: Rendered };
}

export interface CompiledProject {
  readonly nodes: ReadonlyMap<string, CompiledNode>;
  readonly diagnostics: readonly Diagnostic[];
}

/**
 * Renders models and tests to SQL. Pure: the same project and context give the same SQL.
 * `only` limits the work to some node ids (ephemeral ancestors are rendered as needed).
 */
export function compileProject(p: ParsedProject, ctx: CompileContext, only?: ReadonlySet<string>): CompiledProject {
  const out = new Map<string, CompiledNode>();
  const diagnostics: Diagnostic[] = [];
  const shared = sharedRenderData(p);
  const ephemeralSql = new Map<string, { sql: string; ephemerals: string[] }>();
  const order = p.dag.topoOrder();
  const wanted = only ? withEphemeralAncestors(p, only) : undefined;
  for (const id of order) {
    if (wanted && !wanted.has(id)) continue;
    const node = p.nodes.get(id);
    if (!node) continue;
    try {
      if (node.resourceType === 'model') {
        const r = renderNode(p, ctx, shared, node, node.ir);
        const own = trimSql(r.rendered.text);
        const ephemerals = collectEphemerals(r.ephemerals, ephemeralSql);
        if (node.mat.kind === 'ephemeral') ephemeralSql.set(node.name, { sql: own, ephemerals });
        const sql = withCtes(own, ephemerals, ephemeralSql, ctx.inlineEphemerals);
        const preHooks = renderHooks(p, ctx, shared, node, node.config.pre_hook);
        const postHooks = renderHooks(p, ctx, shared, node, node.config.post_hook);
        const incremental = hasIncrementalVariant(node) ? renderIncremental(p, ctx, shared, node, ephemeralSql) : undefined;
        out.set(id, { id, sql, display: sql, rendered: r.rendered, varsRead: r.varsRead, ephemerals, preHooks, postHooks, ...(incremental ? { incremental } : {}) });
      } else if (node.resourceType === 'snapshot') {
        const r = renderNode(p, ctx, shared, node, node.ir);
        const ephemerals = collectEphemerals(r.ephemerals, ephemeralSql);
        const sql = withCtes(trimSql(r.rendered.text), ephemerals, ephemeralSql, ctx.inlineEphemerals);
        const preHooks = renderHooks(p, ctx, shared, node, node.config.pre_hook);
        const postHooks = renderHooks(p, ctx, shared, node, node.config.post_hook);
        out.set(id, { id, sql, display: sql, rendered: r.rendered, varsRead: r.varsRead, ephemerals, preHooks, postHooks });
      } else if (node.resourceType === 'seed') {
        if (node.config.pre_hook.length + node.config.post_hook.length > 0) {
          const preHooks = renderHooks(p, ctx, shared, node, node.config.pre_hook);
          const postHooks = renderHooks(p, ctx, shared, node, node.config.post_hook);
          out.set(id, { id, sql: '', display: '', varsRead: {}, ephemerals: [], preHooks, postHooks });
        }
      } else if (node.resourceType === 'test') {
        const c = compileTest(p, ctx, shared, node, ephemeralSql);
        if (c) out.set(id, c);
      }
    } catch (e) {
      if (e instanceof RenderError) {
        const file = node.resourceType === 'test' && node.custom ? node.custom.path : node.path;
        diagnostics.push({ code: e.code, message: e.message, file, line: e.line, column: e.col, hint: e.hint });
      } else if (e instanceof EphemeralLimitError) {
        diagnostics.push(e.diagnostic(node));
      } else throw e;
    }
  }
  return { nodes: out, diagnostics };
}

function hasIncrementalVariant(m: ModelNode): boolean {
  return m.mat.kind === 'incremental' || (m.mat.kind === 'file' && m.mat.incremental);
}

/** The model rendered with is_incremental true, ephemeral CTEs included. */
function renderIncremental(
  p: ParsedProject,
  ctx: CompileContext,
  shared: SharedRenderData,
  m: ModelNode,
  ephemeralSql: ReadonlyMap<string, { sql: string; ephemerals: string[] }>,
): { sql: string; rendered: Rendered } {
  const r = renderNode(p, { ...ctx, isIncremental: () => true }, shared, m, m.ir);
  return { sql: withCtes(trimSql(r.rendered.text), collectEphemerals(r.ephemerals, ephemeralSql), ephemeralSql, ctx.inlineEphemerals), rendered: r.rendered };
}

function withEphemeralAncestors(p: ParsedProject, only: ReadonlySet<string>): Set<string> {
  const keep = new Set(only);
  const stack = [...only];
  while (stack.length > 0) {
    const id = stack.pop()!;
    for (const parent of p.dag.parents(id)) {
      const n = p.nodes.get(parent);
      if (n?.resourceType === 'model' && n.mat.kind === 'ephemeral' && !keep.has(parent)) {
        keep.add(parent);
        stack.push(parent);
      }
    }
  }
  return keep;
}

function compileTest(
  p: ParsedProject,
  ctx: CompileContext,
  shared: SharedRenderData,
  t: TestNode,
  ephemeralSql: ReadonlyMap<string, { sql: string; ephemerals: string[] }>,
): CompiledNode | undefined {
  if (t.testType === 'singular') {
    const r = renderNode(p, ctx, shared, t, t.ir!);
    const ephemerals = collectEphemerals(r.ephemerals, ephemeralSql);
    const sql = withCtes(trimSql(r.rendered.text), ephemerals, ephemeralSql, ctx.inlineEphemerals);
    return { id: t.id, sql, display: failureCountSql(sql), rendered: r.rendered, varsRead: r.varsRead, ephemerals, preHooks: [], postHooks: [] };
  }
  const eph: string[] = [];
  const rel = (id: string | undefined) => (id ? relationOf(p, ctx, id, eph) : undefined);
  if (t.kind === 'custom') {
    // tests/generic/<name>.sql sees the tested relation as `model` (with `where` applied), the
    // column as `column_name` and its arguments by name, like dbt's generic tests.
    const tested = rel(t.attachedTo)!;
    const model = t.config.where ? `(select * from ${tested} where ${t.config.where})` : tested;
    const r = renderNode(p, ctx, shared, t, t.ir!, { ...t.args, model, ...(t.column !== undefined ? { column_name: t.column } : {}) });
    const ephemerals = collectEphemerals([...eph, ...r.ephemerals], ephemeralSql);
    const sql = withCtes(trimSql(r.rendered.text), ephemerals, ephemeralSql, ctx.inlineEphemerals);
    return { id: t.id, sql, display: failureCountSql(sql), rendered: r.rendered, varsRead: r.varsRead, ephemerals, preHooks: [], postHooks: [] };
  }
  const failing = (ctx.target.type === 'clickhouse' ? clickhouseGenericTestSql : genericTestSql)(t, rel(t.attachedTo)!, rel(t.alsoReads[0]));
  const ephemerals = collectEphemerals(eph, ephemeralSql);
  const sql = withCtes(failing, ephemerals, ephemeralSql, ctx.inlineEphemerals);
  return { id: t.id, sql, display: failureCountSql(sql), varsRead: {}, ephemerals, preHooks: [], postHooks: [] };
}

/** The relation text for any node id, noting ephemeral models that need a CTE. */
export function relationOf(p: ParsedProject, ctx: Pick<CompileContext, 'target' | 'deferred' | 'fileColumns'>, id: string, ephemerals?: string[]): string {
  const n = p.nodes.get(id);
  if (!n) throw new Error(`unknown node ${id}`);
  const deferred = ctx.deferred?.get(id);
  if (deferred !== undefined) return deferred;
  switch (n.resourceType) {
    case 'model':
      if (n.mat.kind === 'ephemeral') ephemerals?.push(n.name);
      return modelRelation(n, ctx.target, ctx.fileColumns?.get(n.id));
    case 'seed':
      return seedRelation(n, ctx.target);
    case 'source':
      return sourceRelation(n, ctx.target);
    case 'snapshot':
      return snapshotRelation(n, ctx.target);
    case 'test':
    case 'unit_test':
      throw new Error('a test has no relation');
    default: {
      const never: never = n;
      throw new Error(`unknown node ${JSON.stringify(never)}`);
    }
  }
}

interface RenderResult {
  readonly rendered: Rendered;
  readonly varsRead: Record<string, unknown>;
  readonly ephemerals: string[];
}

/** Lookups every render needs, built once per compile (not once per model). */
interface SharedRenderData {
  readonly refIds: ReadonlyMap<string, string>;
  readonly partials: ReadonlyMap<string, TemplateIR>;
}

function sharedRenderData(p: ParsedProject): SharedRenderData {
  const refIds = new Map<string, string>();
  for (const m of p.models.values()) refIds.set(m.name, m.id);
  for (const s of p.seeds.values()) refIds.set(s.name, s.id);
  for (const s of p.snapshots.values()) refIds.set(s.name, s.id);
  const partials = new Map<string, TemplateIR>();
  for (const [name, m] of p.macros) partials.set(name, m.ir);
  return { refIds, partials };
}

/**
 * The helpers that read nothing but their arguments. With the ones in renderNode they make the
 * helper table, typed `Record<HelperName, Helper>`: every name the parser calls is implemented.
 */
export const valueHelpers = {
  config: () => '',
  log: () => '',
  // Handlebars' own `lookup`: a falsy value comes back as it is; only own properties are read.
  lookup: (args) => (args[0] ? lookupProperty(args[0], String(args[1])) : args[0]),
  quote: (args) => {
    const v = args[0];
    return Array.isArray(v) ? v.map((x) => quoteLiteral(String(x))).join(', ') : quoteLiteral(String(v ?? ''));
  },
  ident: (args) => quoteIdent(String(args[0] ?? '')),
  eq: (args) => args[0] === args[1],
  ne: (args) => args[0] !== args[1],
  and: (args) => args.every(truthy),
  or: (args) => args.some(truthy),
  not: (args) => !truthy(args[0]),
} satisfies Partial<Record<HelperName, Helper>>;

/** Renders a template for a node (or, without one, for the project: on-run-start/end). */
function renderNode(p: ParsedProject, ctx: CompileContext, shared: SharedRenderData, node: Node | undefined, ir: TemplateIR, extra: Record<string, unknown> = {}): RenderResult {
  const varsRead: Record<string, unknown> = {};
  const ephemerals: string[] = [];
  const model = node?.resourceType === 'model' ? node : undefined;
  const isIncremental = model ? (ctx.isIncremental?.(model) ?? false) : false;
  const self = model
    ? (ctx.relationFor?.(model.id) ?? selfValue(model, ctx.target))
    : node?.resourceType === 'seed'
      ? selfValue(node, ctx.target)
      : node?.resourceType === 'snapshot'
        ? snapshotRelation(node, ctx.target)
        : undefined;
  const refIds = shared.refIds;
  const fail = (message: string, hint: string, at: { line: number; col: number }, code: DiagnosticCode = 'E_TEMPLATE_RENDER'): never => {
    throw new RenderError(message, hint, at.line, at.col, code);
  };
  const helpers: Record<HelperName, Helper> = {
    ref: (args, _h, at) => {
      const name = String(args.length === 2 ? args[1] : args[0]);
      const id = refIds.get(name);
      if (!id || !p.nodes.has(id)) fail(`ref "${name}" not found${suffix(name, refIds.keys())}`, 'a ref names a model, a seed or a snapshot', at, 'E_REF_NOT_FOUND');
      return ctx.relationFor?.(id!) ?? relationOf(p, ctx, id!, ephemerals);
    },
    source: (args, _h, at) => {
      const s = p.sources.get(`${String(args[0])}.${String(args[1])}`);
      if (!s) fail(`source "${String(args[0])}" "${String(args[1])}" not found`, 'declare it under sources: in a models/*.yml file', at, 'E_SOURCE_NOT_FOUND');
      return ctx.relationFor?.(s!.id) ?? sourceRelation(s!, ctx.target);
    },
    var: (args, _h, at) => {
      const name = String(args[0]);
      if (Object.prototype.hasOwnProperty.call(ctx.vars, name)) {
        varsRead[name] = ctx.vars[name];
        return ctx.vars[name];
      }
      if (args.length > 1) {
        varsRead[name] = args[1];
        return args[1];
      }
      return fail(
        `var "${name}" has no value${suffix(name, Object.keys(ctx.vars))}`,
        `set it under vars: in etlx.yml, pass --vars '{${name}: ...}', or give a default: {{var "${name}" "default"}}`,
        at,
        'E_VAR_MISSING',
      );
    },
    env: (args, _h, at) => {
      const name = String(args[0]);
      const v = ctx.env[name] ?? (args.length > 1 ? String(args[1]) : undefined);
      if (v === undefined) fail(`environment variable ${name} is not set`, `set ${name}, or give a default: {{env "${name}" "default"}}`, at, 'E_ENV_MISSING');
      return v;
    },
    ...valueHelpers,
  };
  const context = {
    target: { name: ctx.target.name, schema: ctx.target.schema, type: ctx.target.type ?? 'duckdb', profile_name: ctx.target.profile, threads: ctx.target.threads },
    is_incremental: isIncremental,
    self,
    model: model ? { name: model.name, schema: model.config.schema ?? ctx.target.schema, materialized: model.config.materialized } : undefined,
    project_name: p.name,
    ...ctx.extra,
    ...extra,
  };
  const rendered = render(ir, context, { helpers, partials: shared.partials });
  return { rendered, varsRead, ephemerals };
}

/**
 * One model's SELECT rendered with a context of its own (a unit test's vars, is_incremental and
 * fixture relations). Throws RenderError like compileProject reports it.
 */
export function renderModelSql(p: ParsedProject, ctx: CompileContext, model: ModelNode | SnapshotNode): string {
  return trimSql(renderModelTemplate(p, ctx, model).text);
}

/** The same render with its source map, for the compile-time check of unit tests. */
export function renderModelTemplate(p: ParsedProject, ctx: CompileContext, model: ModelNode | SnapshotNode): Rendered {
  return renderNode(p, ctx, sharedRenderData(p), model, model.ir).rendered;
}

/**
 * Hooks are templates too: rendered with the node's context, so `{{self}}` and `{{ref}}` work
 * (dbt's `{{ this }}`). A hook without `{{` is used as written.
 */
function renderHooks(p: ParsedProject, ctx: CompileContext, shared: SharedRenderData, node: Node | undefined, hooks: readonly string[]): string[] {
  return hooks.map((hook) => {
    if (!hook.includes('{{')) return hook;
    const ir = parseTemplate(hook);
    const problem = ir.problems[0];
    if (problem) throw new RenderError(`in a hook: ${problem.message}`, problem.hint, 1, 1, problem.code);
    if (topLevelThis(ir).length > 0) throw new RenderError('in a hook: {{this}} is not this model', 'write {{self}} for the relation (dbt\'s this)', 1, 1, 'E_TEMPLATE_THIS');
    return trimSql(renderNode(p, ctx, shared, node, ir).rendered.text);
  });
}

/** on-run-start / on-run-end, rendered with the project's context (target, vars, refs). */
export function renderProjectHooks(p: ParsedProject, ctx: CompileContext, hooks: readonly string[]): string[] {
  const shared = sharedRenderData(p);
  return renderHooks(p, ctx, shared, undefined, hooks);
}

/** Drops trailing semicolons and white space so the SELECT can be wrapped. */
export function trimSql(sql: string): string {
  return sql.replace(/[\s;]+$/, '');
}

function suffix(word: string, candidates: Iterable<string>): string {
  const g = closest(word, candidates);
  return g ? `; did you mean "${g}"?` : '';
}
