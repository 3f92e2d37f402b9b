import { EtlxError } from '../errors/diagnostic.js';
import { didYouMean } from '../errors/did-you-mean.js';
import type { Dag } from './dag.js';

export type ResourceType = 'model' | 'seed' | 'test' | 'source' | 'snapshot' | 'unit_test';

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
  /** Tests only: `generic` or `singular` (data tests), `unit` (unit tests). */
  readonly testType?: 'generic' | 'singular' | 'unit';
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
  | 'test_name'
  | 'test_type';

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

export const RESOURCE_TYPES: readonly ResourceType[] = ['model', 'seed', 'test', 'source', 'snapshot', 'unit_test'];
/** dbt's test types: `data` is every data test (generic and singular), `unit` every unit test. */
export const TEST_TYPE_VALUES: readonly string[] = ['data', 'generic', 'singular', 'unit'];
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
  'test_type',
];
const METHODS_HINT =
  'valid methods: tag:, path:, config.<key>:, source:, resource_type:, state:, result:, test_name:, test_type:, ' +
  'or a bare node name, glob (stg_*) or path (models/marts)';
const GRAPH_HINT =
  'use "+name" (with ancestors), "2+name" (2 hops up), "name+" (with descendants), "name+1" ' +
  'or "@name" (descendants and their ancestors)';

export function selectorError(message: string, hint: string): EtlxError {
  return new EtlxError({ code: 'E_SELECTOR', message, hint });
}

export function compareIds(a: string, b: string): number {
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
    case 'test_type':
      return 'unit';
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
          : method === 'test_type'
            ? TEST_TYPE_VALUES
            : undefined;
  if (allowed === undefined || allowed.includes(value)) return;
  throw selectorError(
    `unknown ${method} "${value}" in selector "${raw}"${didYouMean(value, allowed)}`,
    `${method}: takes one of ${allowed.join(', ')}`,
  );
}

export function normalizePath(value: string): string {
  let p = value.replace(/\\/g, '/');
  while (p.startsWith('./')) p = p.slice(2);
  p = p.replace(/\/+$/, '');
  return p === '.' ? '' : p;
}

export function isGlob(value: string): boolean {
  return value.includes('*') || value.includes('?');
}

/** Shell-style `*` and `?`; in paths they stop at `/` and `**` crosses folders. */
export function globSource(pattern: string, inPath: boolean): string {
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

export function nameMatcher(pattern: string): (s: string) => boolean {
  if (!isGlob(pattern)) return (s) => s === pattern;
  const re = new RegExp(`^${globSource(pattern, false)}$`, 's');
  return (s) => re.test(s);
}

