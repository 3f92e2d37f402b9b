import { EtlxError } from '../errors/diagnostic.js';
import { didYouMean } from '../errors/did-you-mean.js';
import type { Dag } from './dag.js';

export type ResourceType = 'model' | 'seed' | 'test' | 'source';

/** What a selector can see of a node. */
export interface SelectableNode {
  /** e.g. `model.shop.orders`, `source.shop.raw.orders`, `test.shop.not_null_orders_id`. */
  readonly id: string;
  /** `orders`; for a source table, the table name. */
  readonly name: string;
  readonly resourceType: ResourceType;
  /** Project-relative posix path, e.g. `models/marts/orders.sql`, `models/sources.yml`. */
  readonly path: string;
  readonly tags: readonly string[];
  /** Resolved config (materialized, schema, tags, ...). */
  readonly config: Readonly<Record<string, unknown>>;
  /** Sources only: the source's name, e.g. `raw`. */
  readonly sourceName?: string;
  /** The project name. */
  readonly packageName: string;
}

export interface SelectionContext {
  readonly nodes: ReadonlyMap<string, SelectableNode>;
  /** Edges include source -> model, seed -> model, model -> test. */
  readonly dag: Dag;
  /** Absent when no --state was given. */
  readonly isModified?: (id: string) => 'new' | 'modified' | 'unchanged';
  /** Status in the previous run_results; absent when there are none. */
  readonly resultStatus?: (id: string) => string | undefined;
}

export interface SelectorSpec {
  readonly select: readonly string[];
  readonly exclude: readonly string[];
}

/** `name` is a bare value (`orders`, `stg_*`); the others are written `method:value`. */
export type SelectorMethod =
  | 'name'
  | 'path'
  | 'tag'
  | 'config'
  | 'source'
  | 'resource_type'
  | 'state'
  | 'result'
  | 'test_name';

/** One `[@][N+]<method:value>[+N]`. */
export interface SelectorAtom {
  /** The atom as written, for messages. */
  readonly raw: string;
  readonly method: SelectorMethod;
  /** For `config.<key>:<value>`: the key, possibly dotted (`meta.owner`). */
  readonly configKey?: string;
  /** The value; for paths normalized (posix, no leading `./`, no trailing `/`). */
  readonly value: string;
  /** Leading `+`: add ancestors, up to `parentsDepth` hops (undefined = all). */
  readonly parents: boolean;
  readonly parentsDepth?: number;
  /** Trailing `+`: add descendants, up to `childrenDepth` hops (undefined = all). */
  readonly children: boolean;
  readonly childrenDepth?: number;
  /** Leading `@`: add descendants and every ancestor of those descendants. */
  readonly childrensParents: boolean;
}

/** Comma-separated atoms: their intersection. */
export interface SelectorTerm {
  readonly raw: string;
  readonly atoms: readonly SelectorAtom[];
}

/** Space-separated terms, across all arguments: their union. No terms = nothing was given. */
export interface SelectorExpr {
  readonly terms: readonly SelectorTerm[];
}

export const RESOURCE_TYPES: readonly ResourceType[] = ['model', 'seed', 'test', 'source'];
export const STATE_VALUES: readonly string[] = ['modified', 'new'];
export const RESULT_VALUES: readonly string[] = ['error', 'fail', 'pass', 'skipped', 'success', 'warn'];

/** Methods written `method:value`; `config` is written `config.<key>:<value>`. */
const NAMED_METHODS: readonly Exclude<SelectorMethod, 'name'>[] = [
  'tag',
  'path',
  'config',
  'source',
  'resource_type',
  'state',
  'result',
  'test_name',
];
const METHODS_HINT =
  'valid methods: tag:, path:, config.<key>:, source:, resource_type:, state:, result:, test_name:, ' +
  'or a bare node name, glob (stg_*) or path (models/marts)';
const GRAPH_HINT =
  'use "+name" (with ancestors), "2+name" (2 hops up), "name+" (with descendants), "name+1" ' +
  'or "@name" (descendants and their ancestors)';

function selectorError(message: string, hint: string): EtlxError {
  return new EtlxError({ code: 'E_SELECTOR', message, hint });
}

function compareIds(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * Parses and checks selector arguments (`--select` / `--exclude` values) without evaluating
 * them. Throws an EtlxError (exit 2, code `E_SELECTOR`) for a syntax error, an unknown method
 * or an unknown `state:` / `result:` / `resource_type:` value.
 */
export function parseSelector(args: readonly string[]): SelectorExpr {
  const terms: SelectorTerm[] = [];
  for (const arg of args) {
    for (const raw of arg.split(/\s+/)) {
      if (raw === '') continue;
      const parts = raw.split(',');
      if (parts.some((p) => p === '')) {
        throw selectorError(
          `selector "${raw}" has an empty part between commas`,
          'a comma joins selectors that must all match, e.g. "tag:nightly,path:models/marts"',
        );
      }
      terms.push({ raw, atoms: parts.map(parseAtom) });
    }
  }
  return { terms };
}

function parseAtom(raw: string): SelectorAtom {
  let rest = raw;
  const childrensParents = rest.startsWith('@');
  if (childrensParents) rest = rest.slice(1);

  let parents = false;
  let parentsDepth: number | undefined;
  const lead = /^(\d*)\+/.exec(rest);
  if (lead) {
    parents = true;
    parentsDepth = lead[1] ? Number(lead[1]) : undefined;
    rest = rest.slice(lead[0].length);
  }
  let children = false;
  let childrenDepth: number | undefined;
  const trail = /\+(\d*)$/.exec(rest);
  if (trail) {
    children = true;
    childrenDepth = trail[1] ? Number(trail[1]) : undefined;
    rest = rest.slice(0, trail.index);
  }
  if (rest.startsWith('+') || rest.endsWith('+') || rest.startsWith('@')) {
    throw selectorError(`bad graph operator in selector "${raw}"`, GRAPH_HINT);
  }
  if (childrensParents && parents) {
    throw selectorError(
      `selector "${raw}" combines "@" with a leading "+"`,
      '"@name" already includes the ancestors of everything downstream; drop the leading "+"',
    );
  }
  if (rest === '') {
    throw selectorError(`selector "${raw}" has no name or method`, GRAPH_HINT);
  }

  const graph = { raw, parents, parentsDepth, children, childrenDepth, childrensParents };
  const colon = /^([\w.-]+):/.exec(rest);
  if (!colon) {
    const isPath = rest.includes('/') || rest.includes('\\') || /\.(sql|csv)$/.test(rest);
    return isPath
      ? { ...graph, method: 'path', value: normalizePath(rest) }
      : { ...graph, method: 'name', value: rest };
  }

  const methodText = colon[1]!;
  const value = rest.slice(colon[0].length);
  let method: Exclude<SelectorMethod, 'name'>;
  let configKey: string | undefined;
  if (methodText.startsWith('config.')) {
    configKey = methodText.slice('config.'.length);
    if (configKey.split('.').some((s) => s === '')) {
      throw selectorError(
        `selector "${raw}" has an empty config key`,
        'write config.<key>:<value>, e.g. config.materialized:table',
      );
    }
    method = 'config';
  } else if (methodText === 'config') {
    throw selectorError(
      `selector "${raw}" names no config key`,
      'write config.<key>:<value>, e.g. config.materialized:table',
    );
  } else if ((NAMED_METHODS as readonly string[]).includes(methodText)) {
    method = methodText as Exclude<SelectorMethod, 'name'>;
  } else {
    // `confg.materialized` should suggest `config.materialized`: compare the head only.
    const dot = methodText.indexOf('.');
    const head = dot < 0 ? methodText : methodText.slice(0, dot);
    const tail = dot < 0 ? '' : methodText.slice(dot);
    const suggestion = didYouMean(head, NAMED_METHODS).replace(/"([^"]*)"/, `"$1${tail}"`);
    throw selectorError(`unknown selector method "${methodText}" in "${raw}"${suggestion}`, METHODS_HINT);
  }

  if (value === '') {
    const example = method === 'config' ? `config.${configKey}:table` : `${method}:${exampleValue(method)}`;
    throw selectorError(`selector "${raw}" has an empty value`, `write a value after the colon, e.g. "${example}"`);
  }
  checkEnumValue(raw, method, value);
  const atom = { ...graph, method, value: method === 'path' ? normalizePath(value) : value };
  return configKey === undefined ? atom : { ...atom, configKey };
}

function exampleValue(method: Exclude<SelectorMethod, 'name' | 'config'>): string {
  switch (method) {
    case 'tag':
      return 'nightly';
    case 'path':
      return 'models/marts';
    case 'source':
      return 'raw.orders';
    case 'resource_type':
      return 'model';
    case 'state':
      return 'modified';
    case 'result':
      return 'error';
    case 'test_name':
      return 'not_null';
    default: {
      const unreachable: never = method;
      return unreachable;
    }
  }
}

function checkEnumValue(raw: string, method: SelectorMethod, value: string): void {
  const allowed =
    method === 'state'
      ? STATE_VALUES
      : method === 'result'
        ? RESULT_VALUES
        : method === 'resource_type'
          ? RESOURCE_TYPES
          : undefined;
  if (allowed === undefined || allowed.includes(value)) return;
  throw selectorError(
    `unknown ${method} "${value}" in selector "${raw}"${didYouMean(value, allowed)}`,
    `${method}: takes one of ${allowed.join(', ')}`,
  );
}

function normalizePath(value: string): string {
  let p = value.replace(/\\/g, '/');
  while (p.startsWith('./')) p = p.slice(2);
  p = p.replace(/\/+$/, '');
  return p === '.' ? '' : p;
}

function isGlob(value: string): boolean {
  return value.includes('*') || value.includes('?');
}

/** Shell-style `*` and `?`; in paths they stop at `/` and `**` crosses folders. */
function globSource(pattern: string, inPath: boolean): string {
  let out = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*') {
      if (inPath && pattern[i + 1] === '*') {
        out += '.*';
        i++;
      } else {
        out += inPath ? '[^/]*' : '.*';
      }
    } else if (c === '?') {
      out += inPath ? '[^/]' : '.';
    } else {
      out += c.replace(/[.+^${}()|[\]\\/-]/g, '\\$&');
    }
  }
  return out;
}

function nameMatcher(pattern: string): (s: string) => boolean {
  if (!isGlob(pattern)) return (s) => s === pattern;
  const re = new RegExp(`^${globSource(pattern, false)}$`, 's');
  return (s) => re.test(s);
}

/**
 * Evaluates a parsed selector: the union of its terms, each the intersection of its atoms.
 * Throws E_SELECTOR when a bare name, a path or a `source:` value (without a glob) matches no
 * node, or when `state:` / `result:` is used without the data it compares against.
 */
export function evaluateSelector(expr: SelectorExpr, ctx: SelectionContext): Set<string> {
  const out = new Set<string>();
  for (const term of expr.terms) {
    let acc: Set<string> | undefined;
    for (const atom of term.atoms) {
      const set = evaluateAtom(atom, ctx);
      acc = acc === undefined ? set : new Set([...acc].filter((id) => set.has(id)));
    }
    for (const id of acc ?? []) out.add(id);
  }
  return out;
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
          `run "etlx ls" to list the nodes; a glob such as "${value}*" may select nothing without an error`,
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
