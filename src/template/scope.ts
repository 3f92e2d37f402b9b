import type { Expr } from './ir.js';

/**
 * Name lookup with Handlebars' semantics (compiled with `compat: true`), written after its
 * runtime (runtime.js, javascript-compiler.js, helpers/*.js in handlebars 4.7) so that the
 * renderer gives the same output. The differential test (test/property) pins it.
 */

/**
 * Handlebars' `depths`: the contexts of the enclosing blocks, innermost first. `../` steps to the
 * next one and a plain name is looked up through all of them (compat). A block only adds one
 * when its context differs from the innermost, so `{{#if}}` adds none.
 */
export interface Depths {
  readonly head: unknown;
  readonly tail: Depths | undefined;
}

/** Handlebars' data frame (`@index`, `@key`, `@first`, `@last`, `@root`); `_parent` is `@../`. */
export type DataFrame = { [key: string]: unknown; _parent?: DataFrame };

/** Block params in scope (`as |x i|`), innermost first; a macro starts with none. */
export interface BlockParams {
  readonly names: readonly string[];
  readonly values: readonly unknown[];
  readonly outer: BlockParams | undefined;
}

export interface Scope {
  /** Handlebars' `depth0`: what `{{this}}` prints. */
  readonly ctx: unknown;
  readonly depths: Depths;
  readonly data: DataFrame;
  readonly params: BlockParams | undefined;
}

/**
 * What Handlebars passes as `this` to a block helper when the context is null or undefined (its
 * `container.nullContext`): a block inside `{{#each}}` over a null item sees an empty object.
 */
export const NULL_CONTEXT: Readonly<Record<string, never>> = Object.seal({});

/** The context a block helper renders its block or `{{else}}` with when it keeps the current one. */
export function thisOf(scope: Scope): unknown {
  return scope.ctx != null ? scope.ctx : NULL_CONTEXT;
}

/**
 * The scope a block renders in (Handlebars' `wrapProgram`). The comparison is loose on purpose,
 * as in Handlebars: a context `==` the innermost one adds no depth, which decides what `../` and
 * a plain name find.
 */
export function enter(scope: Scope, context: unknown, data: DataFrame, params: BlockParams | undefined): Scope {
  const head = scope.depths.head;
  const same = context == head || (context === NULL_CONTEXT && head === null);
  return { ctx: context, depths: same ? scope.depths : { head: context, tail: scope.depths }, data, params };
}

/** The scope a macro renders in: its context, the caller's depths and data, no block params. */
export function enterPartial(scope: Scope, context: unknown): Scope {
  const depths = context != scope.depths.head ? { head: context, tail: scope.depths } : scope.depths;
  return { ctx: context, depths, data: scope.data, params: undefined };
}

/** Handlebars' `createFrame`: a copy of the data with a link to it. */
export function createFrame(data: DataFrame): DataFrame {
  return { ...data, _parent: data };
}

/**
 * Handlebars' `lookupProperty`: own properties only (`'abc'.length` and `xs.length` are own), so
 * nothing is read from a prototype (`constructor`, `__proto__`, methods).
 */
export function lookupProperty(parent: unknown, name: string): unknown {
  const result = (parent as Record<string, unknown>)[name];
  if (result == null) return result;
  return Object.prototype.hasOwnProperty.call(parent, name) ? result : undefined;
}

export function lookupPath(e: Extract<Expr, { k: 'path' }>, scope: Scope): unknown {
  const first = e.parts[0];
  const scoped = /^\.|this\b/.test(e.orig);
  // A block param is resolved by name before anything else (Handlebars does so even for `@name`).
  if (first !== undefined && e.depth === 0 && !scoped) {
    for (let p = scope.params; p; p = p.outer) {
      const i = p.names.indexOf(first);
      if (i >= 0) return rest(p.values[i], e.parts, 1);
    }
  }
  if (first === undefined) return e.depth === 0 ? scope.ctx : depthAt(scope.depths, e.depth);
  if (e.data) {
    // `@../index`: the data of an enclosing block. Data paths stop at any falsy value (`&&`), so
    // `{{@first.x}}` prints `false` where `{{first.x}}` would print nothing.
    let v: unknown = scope.data;
    for (let d = e.depth; v && d > 0; d--) v = (v as DataFrame)._parent;
    for (const part of e.parts) v = v && lookupProperty(v, part);
    return v;
  }
  if (e.depth === 0 && !scoped) {
    // compat: the first enclosing context where the name is neither null nor undefined. As in
    // Handlebars (`depths[i] && lookupProperty(...)`), a context that is 0, '' or false is itself
    // that first value: `{{name}}` inside `{{#with 0}}` prints 0.
    for (let d: Depths | undefined = scope.depths; d; d = d.tail) {
      const v = d.head && lookupProperty(d.head, first);
      if (v != null) return rest(v, e.parts, 1);
    }
    return undefined;
  }
  return rest(e.depth === 0 ? scope.ctx : depthAt(scope.depths, e.depth), e.parts, 0);
}

function depthAt(depths: Depths, depth: number): unknown {
  let d: Depths | undefined = depths;
  for (let i = 0; d && i < depth; i++) d = d.tail;
  return d?.head;
}

function rest(v: unknown, parts: readonly string[], from: number): unknown {
  for (let i = from; i < parts.length; i++) v = v != null ? lookupProperty(v, parts[i]!) : v;
  return v;
}

/** Handlebars' `isEmpty`: what `{{#with}}` skips and `includeZero` still counts as false. */
export function isEmpty(v: unknown): boolean {
  return (!v && v !== 0) || (Array.isArray(v) && v.length === 0);
}
