import type { Diagnostic } from '../errors/diagnostic.js';
import { closest } from '../errors/did-you-mean.js';
import { Dag } from '../graph/dag.js';
import type { TemplateIR } from '../template/ir.js';
import type { Macro } from './macros.js';
import type { ModelNode, Node, SeedNode, SnapshotNode, SourceNode, TestNode, UnitTestNode } from './nodes.js';

/** What a ref-like argument names: a model or seed, or a source table. */
export type RefTarget = { readonly model: string } | { readonly source: string; readonly table: string };

/** The nodes refs and sources resolve against. */
export interface DependencyScope {
  readonly models: ReadonlyMap<string, ModelNode>;
  readonly seeds: ReadonlyMap<string, SeedNode>;
  readonly sources: ReadonlyMap<string, SourceNode>;
  readonly macros: ReadonlyMap<string, Macro>;
  readonly snapshots: ReadonlyMap<string, SnapshotNode>;
}

/**
 * Resolves the refs, sources and macros that templates use against the project, reporting each
 * one that does not resolve with a did-you-mean, and records every node's parents for the DAG.
 */
export class Dependencies {
  /** ref() name -> node id: models (disabled ones too, to say so) and seeds. */
  private readonly refTargets = new Map<string, string>();
  private readonly parents = new Map<string, readonly string[]>();

  constructor(
    private readonly scope: DependencyScope,
    private readonly diagnostics: Diagnostic[],
  ) {
    for (const m of scope.models.values()) this.refTargets.set(m.name, m.id);
    for (const s of scope.seeds.values()) this.refTargets.set(s.name, s.id);
    for (const s of scope.snapshots.values()) this.refTargets.set(s.name, s.id);
  }

  /** Checks every enabled model's refs and sources, then every model's macros. */
  checkModels(macroPaths: readonly string[]): void {
    for (const m of this.scope.models.values()) {
      if (m.config.enabled) this.checkTemplate(m.id, m.path, m.ir, m.macros);
    }
    for (const m of this.scope.snapshots.values()) {
      if (m.config.enabled) this.checkTemplate(m.id, m.path, m.ir, m.macros);
    }
    const folder = macroPaths[0] ?? 'macros';
    for (const m of [...this.scope.models.values(), ...this.scope.snapshots.values()]) {
      for (const name of m.macros) {
        if (this.scope.macros.has(name)) continue;
        const use = m.ir.partials.find((p) => p.name === name);
        this.diagnostics.push({
          code: 'E_MACRO_NOT_FOUND',
          message: `macro "${name}" not found${didYouMeanSuffix(name, this.scope.macros.keys())}`,
          file: m.path,
          line: use?.line,
          column: use?.col,
          hint: `macros are files in ${folder}/: {{> ${name}}} reads ${folder}/${name}.sql`,
        });
      }
    }
  }

  /**
   * Resolves the refs and sources of a template and of the macros it uses; the ones that resolve
   * become the parents of `ownerId`. A ref inside a macro has no line in the owner's file.
   */
  checkTemplate(ownerId: string, file: string, ir: TemplateIR, usedMacros: readonly string[]): void {
    const { models, sources, macros } = this.scope;
    const out: string[] = [];
    const all = [ir, ...usedMacros.map((m) => macros.get(m)?.ir).filter((x): x is TemplateIR => x !== undefined)];
    for (const t of all) {
      const fromMacro = t !== ir;
      for (const r of t.refs) {
        const target = this.refTargets.get(r.name);
        const model = models.get(r.name);
        if (!target) {
          const guess = closest(r.name, this.refTargets.keys());
          this.diagnostics.push({
            code: 'E_REF_NOT_FOUND',
            message: `ref "${r.name}" not found${guess ? `; did you mean "${guess}"?` : ''}${fromMacro ? ' (used in a macro)' : ''}`,
            file,
            line: fromMacro ? undefined : r.line,
            column: fromMacro ? undefined : r.col,
            hint: guess
              ? `change it to {{ref "${guess}"}}`
              : this.scope.snapshots.size > 0
                ? 'a ref names a model (models/**/<name>.sql), a seed (seeds/<name>.csv) or a snapshot (snapshots/<name>.sql)'
                : 'a ref names a model (models/**/<name>.sql) or a seed (seeds/<name>.csv)',
          });
        } else if (model && !model.config.enabled) {
          this.diagnostics.push({ code: 'E_REF_DISABLED', message: `ref "${r.name}" points at a disabled model`, file, line: r.line, column: r.col, hint: `enable ${r.name} or remove the ref` });
        } else if (target === ownerId) {
          this.diagnostics.push({ code: 'E_CYCLE', message: `model refs itself: ${r.name} -> ${r.name}`, file, line: r.line, column: r.col, hint: 'use {{self}} for the model\'s own relation (in incremental models)' });
        } else out.push(target);
      }
      for (const s of t.sources) {
        const node = sources.get(`${s.source}.${s.table}`);
        if (!node) {
          const guess = closest(`${s.source}.${s.table}`, [...sources.keys()]);
          const knownSource = [...sources.values()].some((x) => x.sourceName === s.source);
          this.diagnostics.push({
            code: 'E_SOURCE_NOT_FOUND',
            message: `source "${s.source}" "${s.table}" not found${guess ? `; did you mean "${guess.replace('.', '" "')}"?` : ''}`,
            file,
            line: s.line,
            column: s.col,
            hint: knownSource
              ? `declare table ${s.table} under source ${s.source} in a models/*.yml file`
              : `declare it in a models/*.yml file: sources: [{name: ${s.source}, tables: [{name: ${s.table}, location: ...}]}]`,
          });
        } else out.push(node.id);
      }
    }
    this.parents.set(ownerId, [...new Set(out)].sort());
  }

  /** The parents recorded for a node by checkTemplate. */
  parentsOf(id: string): readonly string[] {
    return this.parents.get(id) ?? [];
  }

  /** The node a test argument names (relationships `to:`, row_count_matches `model:`). */
  resolve(target: RefTarget): { readonly id: string } | { readonly shown: string; readonly didYouMean: string } {
    if ('source' in target) {
      const shown = `${target.source}.${target.table}`;
      const id = this.scope.sources.get(shown)?.id;
      return id ? { id } : { shown, didYouMean: didYouMeanSuffix(shown, this.scope.sources.keys()) };
    }
    const id = this.refTargets.get(target.model);
    return id ? { id } : { shown: target.model, didYouMean: didYouMeanSuffix(target.model, this.refTargets.keys()) };
  }

  /**
   * Every enabled node and the DAG over them: a model's or singular test's parents are what its
   * template uses, a generic test's are the node it is declared on and the nodes it also reads.
   * A cycle is reported at the ref that closes it.
   */
  graph(tests: ReadonlyMap<string, TestNode>, unitTests: ReadonlyMap<string, UnitTestNode> = new Map()): { nodes: Map<string, Node>; dag: Dag } {
    const nodes = new Map<string, Node>();
    for (const m of this.scope.models.values()) if (m.config.enabled) nodes.set(m.id, m);
    for (const s of this.scope.seeds.values()) if (s.config.enabled) nodes.set(s.id, s);
    for (const s of this.scope.snapshots.values()) if (s.config.enabled) nodes.set(s.id, s);
    // A unit test hangs off its model like a data test: selected with it, listed under it.
    for (const u of unitTests.values()) {
      if (!u.config.enabled || !nodes.has(u.model)) continue;
      nodes.set(u.id, u);
      this.parents.set(u.id, [u.model]);
    }
    for (const s of this.scope.sources.values()) nodes.set(s.id, s);
    for (const t of tests.values()) {
      if (!t.config.enabled) continue;
      nodes.set(t.id, t);
      if (t.testType === 'generic') this.parents.set(t.id, [...new Set([t.attachedTo!, ...t.alsoReads])].sort());
    }
    const dag = Dag.build([...nodes.keys()].map((id) => ({ id, deps: this.parents.get(id) ?? [] })));
    const cycle = dag.findCycle();
    if (cycle) {
      const first = nodes.get(cycle[0]!);
      // Point at the ref in the first file that closes the cycle (it names the node before it).
      const previous = nodes.get(cycle[cycle.length - 2] ?? '');
      const ref = (first?.resourceType === 'model' || first?.resourceType === 'snapshot') && previous ? first.ir.refs.find((r) => r.name === previous.name) : undefined;
      this.diagnostics.push({
        code: 'E_CYCLE',
        message: `dependency cycle: ${cycle.map((id) => nodes.get(id)?.name ?? id).join(' -> ')}`,
        ...(first ? { file: first.path } : {}),
        ...(ref ? { line: ref.line, column: ref.col } : {}),
        hint: `files in the cycle: ${[...new Set(cycle.map((id) => nodes.get(id)?.path ?? id))].join(', ')}; break it by removing one ref`,
      });
    }
    return { nodes, dag };
  }
}

/** `; did you mean "x"?` when a candidate is close enough, else nothing. */
export function didYouMeanSuffix(word: string, candidates: Iterable<string>): string {
  const g = closest(word, candidates);
  return g ? `; did you mean "${g}"?` : '';
}
