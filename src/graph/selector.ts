import { didYouMean } from '../errors/did-you-mean.js';
import {
  compareIds,
  nameMatcher,
  isGlob,
  selectorError,
  globSource,
  parseSelector,
  type SelectorExpr,
  type SelectionContext,
  type SelectorSpec,
  type SelectorAtom,
  type SelectorTerm,
  type SelectableNode,
} from './selector-syntax.js';

export * from './selector-syntax.js';

/**
 * Evaluates a parsed selector: the union of its terms, each the intersection of its atoms.
 * Throws E_SELECTOR when a bare name, a path or a `source:` value (without a glob) matches no
 * node, or when `state:` / `result:` is used without the data it compares against.
 */
export function evaluateSelector(expr: SelectorExpr, ctx: SelectionContext, o: { requireMatch?: boolean } = {}): Set<string> {
  const out = new Set<string>();
  for (const term of expr.terms) {
    let acc: Set<string> | undefined;
    for (const atom of term.atoms) {
      const set = evaluateAtom(atom, ctx);
      acc = acc === undefined ? set : new Set([...acc].filter((id) => set.has(id)));
    }
    if (o.requireMatch && (acc?.size ?? 0) === 0) emptyTerm(term, ctx);
    for (const id of acc ?? []) out.add(id);
  }
  return out;
}

/**
 * For commands: throws E_SELECTOR when a term of --select matches no node (see emptyTerm).
 * Selection itself (selectNodes) lets a term select nothing; a command line may not.
 */
export function requireEveryTermMatches(select: readonly string[], ctx: SelectionContext): void {
  evaluateSelector(parseSelector(select), ctx, { requireMatch: true });
}

/**
 * A --select term that matches nothing is a typo until proven otherwise (`tag:nightlyy` would
 * run nothing and succeed): an error with a did-you-mean. `state:` and `result:` terms may
 * rightly match nothing (nothing changed, nothing failed), so they pass.
 */
function emptyTerm(term: SelectorTerm, ctx: SelectionContext): void {
  if (term.atoms.some((a) => a.method === 'state' || a.method === 'result')) return;
  if (term.atoms.length > 1) {
    throw selectorError(
      `selector "${term.raw}" matches no node: no node matches all of its comma-separated parts`,
      'a comma means "and"; separate selectors with a space to select nodes matching any of them',
    );
  }
  const atom = term.atoms[0]!;
  const known = new Set<string>();
  for (const n of ctx.nodes.values()) {
    if (atom.method === 'tag') n.tags.forEach((t) => known.add(t));
    else if (atom.method === 'config') {
      const v = configValue(n.config, atom.configKey!);
      for (const x of Array.isArray(v) ? v : [v]) {
        const t = scalarText(x);
        if (t !== undefined) known.add(t);
      }
    } else if (atom.method === 'resource_type') known.add(n.resourceType);
    else if (atom.method === 'test_name' && n.resourceType === 'test') known.add(n.name);
    else if (atom.method === 'name') known.add(n.name);
    else if (atom.method === 'path') known.add(n.path);
  }
  const what = atom.method === 'tag' ? 'tag' : atom.method === 'config' ? `value of ${atom.configKey}` : 'node';
  throw selectorError(
    `selector "${term.raw}" matches no node${didYouMean(atom.value, sorted(known))}`,
    known.size > 0 && atom.method !== 'name' && atom.method !== 'path'
      ? `the ${what}s in this project: ${sorted(known).slice(0, 10).join(', ')}${known.size > 10 ? ', ...' : ''}`
      : 'run "etlx ls" to list the nodes',
  );
}

/**
 * The selected ids, sorted. An empty `select` selects every node; what `exclude` selects is
 * removed afterwards. Both are parsed before either is evaluated, so a syntax error anywhere
 * is reported before a node-level one.
 */
export function selectNodes(spec: SelectorSpec, ctx: SelectionContext): string[] {
  const select = parseSelector(spec.select);
  const exclude = parseSelector(spec.exclude);
  const chosen = select.terms.length === 0 ? new Set(ctx.nodes.keys()) : evaluateSelector(select, ctx);
  const excluded = exclude.terms.length === 0 ? new Set<string>() : evaluateSelector(exclude, ctx);
  return [...chosen].filter((id) => ctx.nodes.has(id) && !excluded.has(id)).sort(compareIds);
}

function evaluateAtom(atom: SelectorAtom, ctx: SelectionContext): Set<string> {
  const base = matchBase(atom, ctx);
  if (!atom.parents && !atom.children && !atom.childrensParents) return base;
  const result = new Set(base);
  if (atom.childrensParents) {
    for (const id of ctx.dag.ancestorsOfAll(ctx.dag.descendantsOfAll(base))) result.add(id);
  }
  if (atom.parents) {
    for (const id of ctx.dag.ancestorsOfAll(base, atom.parentsDepth)) result.add(id);
  }
  if (atom.children) {
    for (const id of ctx.dag.descendantsOfAll(base, atom.childrenDepth)) result.add(id);
  }
  return result;
}

function filterNodes(ctx: SelectionContext, keep: (n: SelectableNode) => boolean): Set<string> {
  const out = new Set<string>();
  for (const [id, node] of ctx.nodes) if (keep(node)) out.add(id);
  return out;
}

function matchBase(atom: SelectorAtom, ctx: SelectionContext): Set<string> {
  const { value } = atom;
  switch (atom.method) {
    case 'name': {
      const matches = nameMatcher(value);
      const found = filterNodes(
        ctx,
        (n) => matches(n.name) || (n.sourceName !== undefined && matches(`${n.sourceName}.${n.name}`)),
      );
      if (found.size === 0 && !isGlob(value)) {
        const names = new Set<string>();
        for (const n of ctx.nodes.values()) {
          names.add(n.name);
          if (n.sourceName !== undefined) names.add(`${n.sourceName}.${n.name}`);
        }
        throw selectorError(
          `selector "${atom.raw}" matches no node${didYouMean(value, sorted(names))}`,
          'run "etlx ls" to list the nodes',
        );
      }
      return found;
    }
    case 'path': {
      const found = filterNodes(ctx, pathMatcher(value));
      if (found.size === 0 && !isGlob(value)) {
        const paths = new Set<string>();
        for (const n of ctx.nodes.values()) {
          const segments = n.path.split('/');
          for (let i = 1; i <= segments.length; i++) paths.add(segments.slice(0, i).join('/'));
        }
        throw selectorError(
          `selector "${atom.raw}" matches no file or folder${didYouMean(value, sorted(paths))}`,
          'paths are relative to the project root, e.g. "path:models/marts" or "models/marts/orders.sql"',
        );
      }
      return found;
    }
    case 'tag': {
      const matches = nameMatcher(value);
      return filterNodes(ctx, (n) => n.tags.some(matches));
    }
    case 'config': {
      const key = atom.configKey!;
      return filterNodes(ctx, (n) => configMatches(configValue(n.config, key), value));
    }
    case 'source':
      return matchSource(atom, ctx);
    case 'resource_type':
      return filterNodes(ctx, (n) => n.resourceType === value);
    case 'state': {
      const isModified = ctx.isModified;
      if (isModified === undefined) {
        throw selectorError(
          `selector "${atom.raw}" needs a previous manifest to compare with`,
          'pass --state <dir> pointing at the target/ folder of the run to compare against',
        );
      }
      return filterNodes(ctx, (n) => {
        const s = isModified(n.id);
        return value === 'new' ? s === 'new' : s === 'new' || s === 'modified';
      });
    }
    case 'result': {
      const resultStatus = ctx.resultStatus;
      if (resultStatus === undefined) {
        throw selectorError(
          `selector "${atom.raw}" needs the results of a previous run`,
          'run something first so target/run_results.json exists',
        );
      }
      return filterNodes(ctx, (n) => resultStatus(n.id) === value);
    }
    case 'test_name': {
      // Test names are `<test>_<model>_<column>`: a plain value selects by its leading test kind.
      const matches = nameMatcher(value);
      return filterNodes(
        ctx,
        (n) => n.resourceType === 'test' && (matches(n.name) || (!isGlob(value) && n.name.startsWith(`${value}_`))),
      );
    }
    case 'test_type':
      return filterNodes(ctx, (n) => n.testType !== undefined && (value === 'data' ? n.testType !== 'unit' : n.testType === value));
    default: {
      const unreachable: never = atom.method;
      throw new Error(`unhandled selector method ${String(unreachable)}`);
    }
  }
}

function pathMatcher(value: string): (n: SelectableNode) => boolean {
  if (value === '') return () => true;
  if (!isGlob(value)) return (n) => n.path === value || n.path.startsWith(`${value}/`);
  // A glob matches a whole file or a folder prefix, like a plain path does.
  const re = new RegExp(`^${globSource(value, true)}(?:/.*)?$`, 's');
  return (n) => re.test(n.path);
}

/** `source:<source>`, `source:<source>.<table>` or `source:<package>.<source>.<table>`; globs allowed. */
function matchSource(atom: SelectorAtom, ctx: SelectionContext): Set<string> {
  const parts = atom.value.split('.').map(nameMatcher);
  const [a, b, c] = parts;
  const found = filterNodes(ctx, (n) => {
    if (n.resourceType !== 'source' || n.sourceName === undefined) return false;
    if (parts.length === 1) return a!(n.sourceName);
    if (parts.length === 2) return a!(n.sourceName) && b!(n.name);
    if (parts.length === 3) return a!(n.packageName) && b!(n.sourceName) && c!(n.name);
    return false;
  });
  if (found.size === 0 && !isGlob(atom.value)) {
    const names = new Set<string>();
    for (const n of ctx.nodes.values()) {
      if (n.resourceType !== 'source' || n.sourceName === undefined) continue;
      names.add(n.sourceName);
      names.add(`${n.sourceName}.${n.name}`);
    }
    throw selectorError(
      `selector "${atom.raw}" matches no source${didYouMean(atom.value, sorted(names))}`,
      names.size === 0
        ? 'the project defines no sources'
        : 'select sources as source:<source> or source:<source>.<table>',
    );
  }
  return found;
}

/** Looks `key` up as given, then as a dotted path into nested objects (`meta.owner`). */
function configValue(config: Readonly<Record<string, unknown>>, key: string): unknown {
  if (Object.hasOwn(config, key)) return config[key];
  let current: unknown = config;
  for (const part of key.split('.')) {
    if (current === null || typeof current !== 'object' || Array.isArray(current)) return undefined;
    if (!Object.hasOwn(current, part)) return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

function scalarText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'bigint') return String(v);
  if (typeof v === 'boolean') return v ? 'true' : 'false';
  return undefined;
}

function configMatches(actual: unknown, expected: string): boolean {
  if (Array.isArray(actual)) return actual.some((v) => scalarText(v) === expected);
  return scalarText(actual) === expected;
}

function sorted(values: Iterable<string>): string[] {
  return [...values].sort(compareIds);
}
