/**
 * Column-level lineage from DuckDB's parse tree (`json_serialize_sql`). Pure: the tree and a
 * resolver for the relations it reads go in, each output column's upstream columns come out.
 *
 * Every column carries the columns it is computed from. `direct` means the value is copied
 * unchanged through every step (a bare column reference, renamed or not); anything else is
 * computed. Where the analysis can't tell (an unknown column, `COLUMNS(...)`, `select *` over
 * a relation whose columns aren't known, a recursive CTE, PIVOT), the column's lineage is empty
 * and carries a note: a wrong answer would be worse than none.
 */
import { childrenOf, type Json } from './parse-tree.js';

export interface LineageRef {
  readonly node: string;
  readonly column: string;
  readonly direct: boolean;
}

export interface ColumnLineage {
  readonly lineage: readonly LineageRef[];
  readonly note?: string;
}

/** A relation a query reads: a project node, with its columns when the catalog knows them. */
export interface ResolvedRelation {
  readonly node: string;
  readonly columns?: readonly string[];
}

export interface RelationResolver {
  /** A table or view name as written (schema may be absent); CTE names are tried first. */
  table(schema: string | undefined, name: string): ResolvedRelation | undefined;
  /** A reader such as read_parquet('/abs/path'): its function name and first argument. */
  tableFunction(fn: string, firstArg: string | undefined): ResolvedRelation | undefined;
  /** A CTE that stands for a node (an ephemeral model inlined by etlx), not analyzed again. */
  cte?(name: string): ResolvedRelation | undefined;
}

export interface ModelLineage {
  readonly columns: ReadonlyMap<string, ColumnLineage>;
  /** Why the whole model could not be followed, when it couldn't. */
  readonly note?: string;
}

/** A structural problem that stops the analysis of a whole query. */
class Unfollowable extends Error {}

interface Col {
  readonly name: string;
  readonly refs: readonly LineageRef[];
  readonly note?: string;
}

interface Rel {
  /** The name the query uses for it (alias or table name), lower case. */
  readonly name: string;
  /** Known columns, or undefined when unknown (then `node` or `external` tells what it is). */
  readonly columns?: readonly Col[];
  readonly node?: string;
  readonly external?: string;
  /** Columns a USING / NATURAL join merged into the left side's. */
  readonly merged?: ReadonlySet<string>;
}

interface Scope {
  readonly rels: readonly Rel[];
  readonly parent?: Scope;
  /** Select-list aliases defined so far (DuckDB lets later items reuse them). */
  aliases: Col[];
}

/** CTEs in scope: analyzed columns, or a node (possibly with unknown columns). */
type Ctes = ReadonlyMap<string, { readonly cols?: readonly Col[]; readonly node?: ResolvedRelation }>;

/** SQL's functions written without parentheses: the parser gives them as column references. */
const NILADIC = new Set(['current_date', 'current_time', 'current_timestamp', 'localtime', 'localtimestamp', 'current_user', 'session_user', 'user', 'current_role', 'current_catalog', 'current_schema']);

const lower = (s: string) => s.toLowerCase();

/**
 * Lineage of a model's SELECT. `outputColumns` (from the catalog) names the columns when known:
 * they are matched to the select list by position, which also names unaliased expressions.
 */
export function analyzeLineage(tree: Json, resolver: RelationResolver, outputColumns?: readonly string[]): ModelLineage {
  let cols: Col[];
  try {
    cols = analyzeStatement(tree, resolver);
  } catch (e) {
    if (!(e instanceof Unfollowable)) throw e;
    return whole(e.message, outputColumns);
  }
  if (outputColumns && outputColumns.length > 0) {
    if (outputColumns.length !== cols.length) {
      return whole(`the analysis found ${cols.length} columns where the relation has ${outputColumns.length}`, outputColumns);
    }
    return { columns: new Map(outputColumns.map((name, i) => [name, toLineage(cols[i]!)])) };
  }
  return { columns: new Map(cols.map((c) => [c.name, toLineage(c)])) };
}

function whole(note: string, outputColumns: readonly string[] | undefined): ModelLineage {
  return { columns: new Map((outputColumns ?? []).map((name) => [name, { lineage: [], note }])), note };
}

function toLineage(c: Col): ColumnLineage {
  return c.note !== undefined ? { lineage: [], note: c.note } : { lineage: c.refs };
}

function analyzeStatement(tree: Json, resolver: RelationResolver): Col[] {
  const t = tree as { error?: boolean; error_message?: string; statements?: { node: Json }[] };
  if (t.error) throw new Unfollowable(`DuckDB could not parse the SQL: ${t.error_message ?? 'unknown error'}`);
  if (!t.statements || t.statements.length !== 1) throw new Unfollowable('expected one SELECT statement');
  return new Analyzer(resolver).query(t.statements[0]!.node, new Map(), undefined);
}

class Analyzer {
  constructor(private readonly resolver: RelationResolver) {}

  query(node: Json, ctes: Ctes, outer: Scope | undefined): Col[] {
    const n = node as Record<string, Json>;
    const env = this.withCtes(n.cte_map, ctes, outer);
    switch (n.type) {
      case 'SELECT_NODE':
        return this.select(n, env, outer);
      case 'SET_OPERATION_NODE':
        return this.setOperation(n, env, outer);
      case 'RECURSIVE_CTE_NODE':
        throw new Unfollowable('a recursive CTE is not followed');
      default:
        throw new Unfollowable(`${String(n.type)} is not followed`);
    }
  }

  private withCtes(cteMap: Json, ctes: Ctes, outer: Scope | undefined): Ctes {
    const entries = ((cteMap as { map?: { key: string; value: { query: { node: Json } } }[] } | undefined)?.map ?? []);
    if (entries.length === 0) return ctes;
    const env = new Map(ctes);
    for (const e of entries) {
      const asNode = this.resolver.cte?.(e.key);
      if (asNode) {
        env.set(lower(e.key), { node: asNode });
        continue;
      }
      const q = e.value.query.node as Record<string, Json>;
      if (q.type === 'RECURSIVE_CTE_NODE') throw new Unfollowable(`the recursive CTE "${e.key}" is not followed`);
      const cols = this.query(q, env, outer);
      const aliases = ((e.value as Record<string, Json>).aliases as string[] | undefined) ?? [];
      env.set(lower(e.key), { cols: renamed(cols, aliases) });
    }
    return env;
  }

  private setOperation(n: Record<string, Json>, ctes: Ctes, outer: Scope | undefined): Col[] {
    const left = this.query(n.left!, ctes, outer);
    const right = this.query(n.right!, ctes, outer);
    const kind = String(n.setop_type);
    if (kind === 'EXCEPT' || kind === 'INTERSECT') return left;
    if (kind === 'UNION_BY_NAME') {
      const out = left.map((l) => merge(l.name, [l, ...right.filter((r) => lower(r.name) === lower(l.name))]));
      for (const r of right) if (!left.some((l) => lower(l.name) === lower(r.name))) out.push(r);
      return out;
    }
    if (left.length !== right.length) throw new Unfollowable(`the two sides of ${kind} have ${left.length} and ${right.length} columns`);
    return left.map((l, i) => merge(l.name, [l, right[i]!]));
  }

  private select(n: Record<string, Json>, ctes: Ctes, outer: Scope | undefined): Col[] {
    const rels = this.from(n.from_table, ctes, outer);
    const scope: Scope = { rels, aliases: [], ...(outer ? { parent: outer } : {}) };
    const out: Col[] = [];
    for (const item of (n.select_list as Json[] | undefined) ?? []) {
      const e = item as Record<string, Json>;
      if (e.class === 'STAR') {
        out.push(...this.star(e, scope, ctes));
        continue;
      }
      const col = this.expression(e, scope, ctes);
      const named = { ...col, name: outputName(e) };
      out.push(named);
      if (typeof e.alias === 'string' && e.alias !== '') scope.aliases.push(named);
    }
    return out;
  }

  private from(ref: Json, ctes: Ctes, outer: Scope | undefined): Rel[] {
    if (!ref) return [];
    const r = ref as Record<string, Json>;
    const alias = typeof r.alias === 'string' && r.alias !== '' ? r.alias : undefined;
    const columnAliases = (r.column_name_alias as string[] | undefined) ?? [];
    switch (r.type) {
      case 'EMPTY':
        return [];
      case 'BASE_TABLE': {
        const name = String(r.table_name);
        const schema = typeof r.schema_name === 'string' && r.schema_name !== '' ? r.schema_name : undefined;
        const relName = lower(alias ?? name);
        const cte = schema === undefined ? ctes.get(lower(name)) : undefined;
        if (cte?.node) return [nodeRel(relName, cte.node, columnAliases)];
        if (cte?.cols) return [{ name: relName, columns: renamed(cte.cols, columnAliases) }];
        const node = this.resolver.table(schema, name);
        if (node) return [nodeRel(relName, node, columnAliases)];
        return [{ name: relName, external: schema ? `${schema}.${name}` : name }];
      }
      case 'TABLE_FUNCTION': {
        const f = r.function as Record<string, Json>;
        const fn = String(f.function_name);
        const first = ((f.children as Record<string, Json>[] | undefined) ?? [])[0];
        const arg = first && first.class === 'CONSTANT' ? (first.value as { value?: unknown }).value : undefined;
        const node = this.resolver.tableFunction(fn, typeof arg === 'string' ? arg : undefined);
        const relName = lower(alias ?? fn);
        if (node) return [nodeRel(relName, node, columnAliases)];
        return [{ name: relName, external: `${fn}(...)` }];
      }
      case 'SUBQUERY': {
        const cols = this.query((r.subquery as { node: Json }).node, ctes, outer);
        return [{ name: lower(alias ?? 'unnamed_subquery'), columns: renamed(cols, columnAliases) }];
      }
      case 'EXPRESSION_LIST': {
        const first = ((r.values as Json[][] | undefined) ?? [])[0] ?? [];
        const cols = first.map((_, i) => ({ name: columnAliases[i] ?? `col${i}`, refs: [] }));
        return [{ name: lower(alias ?? 'valueslist'), columns: cols }];
      }
      case 'JOIN': {
        const left = this.from(r.left, ctes, outer);
        // LATERAL: the right side may read the left side's columns.
        const right = this.from(r.right, ctes, { rels: left, aliases: [], ...(outer ? { parent: outer } : {}) });
        const using = new Set(((r.using_columns as string[] | undefined) ?? []).map(lower));
        if (r.ref_type === 'NATURAL') {
          const names = (rels: Rel[]) => rels.flatMap((x) => (x.columns ?? []).map((c) => lower(c.name)));
          if ([...left, ...right].some((x) => !x.columns)) throw new Unfollowable('a NATURAL join over a relation whose columns are not known is not followed');
          const l = new Set(names(left));
          for (const c of names(right)) if (l.has(c)) using.add(c);
        }
        if (using.size === 0) return [...left, ...right];
        return [...left, ...right.map((x) => ({ ...x, merged: new Set([...(x.merged ?? []), ...using]) }))];
      }
      default:
        throw new Unfollowable(`${String(r.type)} in FROM is not followed`);
    }
  }

  private star(e: Record<string, Json>, scope: Scope, ctes: Ctes): Col[] {
    if (e.columns) throw new Unfollowable('COLUMNS(...) is not followed');
    const relName = typeof e.relation_name === 'string' && e.relation_name !== '' ? lower(e.relation_name) : undefined;
    const rels = relName ? scope.rels.filter((r) => r.name === relName) : scope.rels;
    if (relName && rels.length === 0) throw new Unfollowable(`${relName}.* names no relation in FROM`);
    if (rels.length === 0) throw new Unfollowable('select * without FROM');
    const excluded = new Set(((e.exclude_list as Json[] | undefined) ?? []).map((x) => lower(Array.isArray(x) ? String(x[x.length - 1]) : typeof x === 'object' && x !== null ? String((x as { column_names?: string[] }).column_names?.at(-1)) : String(x))));
    const replace = new Map(((e.replace_list as { key: string; value: Json }[] | undefined) ?? []).map((x) => [lower(x.key), x.value]));
    const out: Col[] = [];
    for (const rel of rels) {
      if (!rel.columns) {
        throw new Unfollowable(rel.node ? `the columns of ${rel.node} are not in the catalog (build it, then run etlx docs generate)` : `select * reads ${rel.external}, which is not a node of this project`);
      }
      for (const c of rel.columns) {
        const key = lower(c.name);
        if (excluded.has(key) || (!relName && rel.merged?.has(key))) continue;
        const rep = replace.get(key);
        out.push(rep !== undefined ? { ...this.expression(rep as Record<string, Json>, scope, ctes), name: c.name } : c);
      }
    }
    return out;
  }

  /** The lineage of one expression: a bare column keeps its `direct`, anything else is computed. */
  private expression(e: Record<string, Json>, scope: Scope, ctes: Ctes): Col {
    if (e.class === 'COLUMN_REF') return this.column(e.column_names as string[], scope);
    const parts: Col[] = [];
    this.collect(e, scope, ctes, new Set(), parts, true);
    const noted = parts.find((p) => p.note !== undefined);
    if (noted) return { name: '', refs: [], note: noted.note! };
    return { name: '', refs: dedupe(parts.flatMap((p) => p.refs.map((r) => ({ ...r, direct: false })))) };
  }

  private collect(v: Json, scope: Scope, ctes: Ctes, bound: ReadonlySet<string>, out: Col[], top = false): void {
    if (Array.isArray(v)) {
      for (const x of v) this.collect(x, scope, ctes, bound, out);
      return;
    }
    if (v === null || typeof v !== 'object') return;
    const o = v as Record<string, Json>;
    if (!top && o.class === 'COLUMN_REF') {
      const names = o.column_names as string[];
      if (names.length === 1 && bound.has(lower(names[0]!))) return;
      out.push(this.column(names, scope));
      return;
    }
    if (o.class === 'SUBQUERY') {
      // EXISTS only filters: no value of the subquery reaches the column.
      if (String(o.subquery_type).endsWith('EXISTS')) return;
      try {
        const cols = this.query((o.subquery as { node: Json }).node, ctes, scope);
        out.push(...cols);
      } catch (err) {
        if (!(err instanceof Unfollowable)) throw err;
        out.push({ name: '', refs: [], note: err.message });
      }
      if (o.child) this.collect(o.child, scope, ctes, bound, out);
      return;
    }
    if (o.class === 'STAR') {
      out.push({ name: '', refs: [], note: 'a * or COLUMNS(...) inside an expression is not followed' });
      return;
    }
    if (o.class === 'LAMBDA') {
      const params = new Set(bound);
      for (const p of childrenOf(o.lhs)) if (p.class === 'COLUMN_REF') params.add(lower((p.column_names as string[]).at(-1)!));
      this.collect(o.expr, scope, ctes, params, out);
      return;
    }
    for (const [k, x] of Object.entries(o)) if (k !== 'query_location' && k !== 'alias') this.collect(x, scope, ctes, bound, out);
  }

  /** A column reference, resolved from the innermost scope outwards. */
  private column(names: readonly string[], scope: Scope): Col {
    const shown = names.join('.');
    if (names.length === 1 && NILADIC.has(lower(names[0]!)) && !this.defined(lower(names[0]!), scope)) return { name: names[0]!, refs: [] };
    for (let s: Scope | undefined = scope; s; s = s.parent) {
      const found = this.inScope(names, s);
      if (found) return found;
    }
    // `a.b` where `a` is a struct column: the field is computed from the column.
    if (names.length >= 2) {
      const base = this.column(names.slice(0, names.length - 1), scope);
      if (base.note === undefined) return { name: names.at(-1)!, refs: base.refs.map((r) => ({ ...r, direct: false })) };
    }
    return { name: names.at(-1)!, refs: [], note: `column "${shown}" could not be traced to a relation` };
  }

  private defined(col: string, scope: Scope): boolean {
    for (let s: Scope | undefined = scope; s; s = s.parent) if (s.rels.some((r) => r.columns?.some((c) => lower(c.name) === col))) return true;
    return false;
  }

  private inScope(names: readonly string[], s: Scope): Col | undefined {
    const col = lower(names.at(-1)!);
    if (names.length >= 2) {
      const rel = s.rels.find((r) => r.name === lower(names[names.length - 2]!));
      return rel ? fromRel(rel, names.at(-1)!) : undefined;
    }
    const known = s.rels.filter((r) => r.columns?.some((c) => lower(c.name) === col) && !r.merged?.has(col));
    if (known.length === 1) return fromRel(known[0]!, names[0]!);
    if (known.length > 1) return { name: names[0]!, refs: [], note: `column "${names[0]}" is ambiguous` };
    const open = s.rels.filter((r) => !r.columns);
    if (open.length === 1) return fromRel(open[0]!, names[0]!);
    if (open.length > 1) return { name: names[0]!, refs: [], note: `column "${names[0]}" could come from ${open.map((r) => r.node ?? r.external).join(' or ')}` };
    const alias = s.aliases.find((a) => lower(a.name) === col);
    if (alias) return { ...alias, refs: alias.refs };
    return undefined;
  }
}

function fromRel(rel: Rel, column: string): Col {
  if (rel.columns) {
    const c = rel.columns.find((x) => lower(x.name) === lower(column));
    return c ?? { name: column, refs: [], note: `${rel.node ?? rel.name} has no column "${column}"` };
  }
  if (rel.node) return { name: column, refs: [{ node: rel.node, column, direct: true }] };
  return { name: column, refs: [], note: `reads ${rel.external}, which is not a node of this project` };
}

function nodeRel(name: string, r: ResolvedRelation, columnAliases: readonly string[]): Rel {
  if (!r.columns) return { name, node: r.node };
  const cols = r.columns.map((c) => ({ name: c, refs: [{ node: r.node, column: c, direct: true }] }));
  return { name, node: r.node, columns: renamed(cols, columnAliases) };
}

/** `t(a, b)`: the first columns take the new names. */
function renamed(cols: readonly Col[], aliases: readonly string[]): Col[] {
  return cols.map((c, i) => (aliases[i] ? { ...c, name: aliases[i]! } : c));
}

function merge(name: string, cols: readonly Col[]): Col {
  const noted = cols.find((c) => c.note !== undefined);
  if (noted) return { name, refs: [], note: noted.note! };
  return { name, refs: dedupe(cols.flatMap((c) => c.refs)) };
}

function dedupe(refs: readonly LineageRef[]): LineageRef[] {
  const seen = new Map<string, LineageRef>();
  for (const r of refs) {
    const key = `${r.node}\u0000${r.column}\u0000${r.direct}`;
    if (!seen.has(key)) seen.set(key, r);
  }
  return [...seen.values()].sort((a, b) => (a.node === b.node ? (a.column === b.column ? Number(b.direct) - Number(a.direct) : a.column < b.column ? -1 : 1) : a.node < b.node ? -1 : 1));
}

/** The name DuckDB gives a select item: its alias, a column's own name, else the function's. */
function outputName(e: Record<string, Json>): string {
  if (typeof e.alias === 'string' && e.alias !== '') return e.alias;
  if (e.class === 'COLUMN_REF') return (e.column_names as string[]).at(-1)!;
  if (typeof e.function_name === 'string') return e.function_name;
  return String(e.type).toLowerCase();
}
