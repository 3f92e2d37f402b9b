import type { DiagnosticCode } from '../errors/codes.js';
import { Printable } from './printable.js';
import type { Expr, Stmt, TemplateIR } from './ir.js';
import { createFrame, enter, enterPartial, isEmpty, lookupPath, thisOf, type BlockParams, type DataFrame, type Scope } from './scope.js';

/** Raised while rendering; carries the template position of the failing expression. */
export class RenderError extends Error {
  constructor(
    message: string,
    readonly hint: string,
    readonly line: number,
    readonly col: number,
    readonly code: DiagnosticCode = 'E_TEMPLATE_RENDER',
    /** Set when the error happened inside a macro: the macro's name. */
    readonly partial?: string,
  ) {
    super(message);
  }
}

export interface HelperCall {
  readonly line: number;
  readonly col: number;
}
export type Helper = (args: readonly unknown[], hash: Readonly<Record<string, unknown>>, at: HelperCall) => unknown;

export interface RenderEnv {
  /** Helpers by name: ref, source, var, env, config, ... (names in helper-names.ts, implemented in compile/compile.ts). */
  readonly helpers: Readonly<Record<string, Helper>>;
  /** Partials by name (macros), already parsed. */
  readonly partials: ReadonlyMap<string, TemplateIR>;
}

export interface Rendered {
  readonly text: string;
  /**
   * Source map as flat triples (output offset, template line, template column): the template
   * position of the output that starts at each offset. Used to point SQL errors at the file.
   */
  readonly map: readonly number[];
}

/**
 * How deep macros may include one another. A macro that includes itself without a condition is
 * refused when the project is parsed (see partial-cycles.ts); this bound stops one whose
 * condition never turns false, where Handlebars would overflow the stack.
 */
export const MAX_MACRO_DEPTH = 64;

/** Where a macro was called from the template being rendered: its output and errors map there. */
interface CallSite {
  readonly line: number;
  readonly col: number;
  readonly name: string;
}

/**
 * Renders a template IR with Handlebars' semantics (`noEscape`, `compat`): a name not found in
 * the current context is looked up in the enclosing ones, so `target` and `is_incremental` stay
 * visible inside `{{#each}}`. Differences from Handlebars are listed in src/template/README.md.
 */
export function render(ir: TemplateIR, context: Readonly<Record<string, unknown>>, env: RenderEnv): Rendered {
  const out: string[] = [];
  const map: number[] = [];
  const state = { length: 0 };
  const root: Scope = { ctx: context, depths: { head: context, tail: undefined }, data: { root: context }, params: undefined };
  const emit = (s: string, line: number, col: number, walk: boolean) => {
    if (s.length === 0) return;
    // A negative column marks output that maps as a whole to one position (a helper's result).
    map.push(state.length, line, walk ? col : -col);
    out.push(s);
    state.length += s.length;
  };
  const r = new Renderer(env, emit);
  r.stmts(ir.body, root, undefined);
  return { text: out.join(''), map };
}

/** Maps an offset in rendered output back to the template line and column. */
export function sourcePosition(rendered: Rendered, offset: number): { line: number; col: number } | undefined {
  const m = rendered.map;
  let lo = 0;
  let hi = m.length / 3 - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (m[mid * 3]! <= offset) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  if (found < 0) return undefined;
  const start = m[found * 3]!;
  let line = m[found * 3 + 1]!;
  let col = m[found * 3 + 2]!;
  if (col < 0) return { line, col: -col };
  // Inside a text chunk, walk forward through its characters.
  const text = rendered.text;
  {
    for (let i = start; i < offset; i++) {
      if (text.charCodeAt(i) === 10) {
        line++;
        col = 1;
      } else col++;
    }
  }
  return { line, col };
}

class Renderer {
  /** Macros being rendered, outermost first: how deep they nest and, past the bound, the loop. */
  private readonly macroStack: string[] = [];

  constructor(
    private readonly env: RenderEnv,
    private emit: (s: string, line: number, col: number, walk: boolean) => void,
  ) {}

  /** `partialAt`: the call site when rendering inside a macro; its output maps there. */
  stmts(body: readonly Stmt[], scope: Scope, partialAt: CallSite | undefined): void {
    for (const s of body) this.stmt(s, scope, partialAt);
  }

  private stmt(s: Stmt, scope: Scope, partialAt: CallSite | undefined): void {
    const at = partialAt ?? s;
    switch (s.k) {
      case 'text':
        this.emit(s.v, at.line, at.col, partialAt === undefined);
        return;
      case 'out': {
        const v = this.wrap(() => this.eval(s.e, scope), partialAt);
        this.emit(this.wrap(() => toText(v, s), partialAt), at.line, at.col, false);
        return;
      }
      case 'block':
        this.wrap(() => this.block(s, scope, partialAt), partialAt);
        return;
      case 'partial':
        this.partial(s, scope, partialAt);
        return;
      default:
        return exhaustive(s);
    }
  }

  private partial(s: Extract<Stmt, { k: 'partial' }>, scope: Scope, partialAt: CallSite | undefined): void {
    const at = partialAt ?? s;
    const ir = this.env.partials.get(s.name);
    if (!ir) {
      throw new RenderError(`macro "${s.name}" not found`, 'macros are files in macros/: macros/finance/cents.sql is {{> finance/cents}}', at.line, at.col, 'E_MACRO_NOT_FOUND');
    }
    if (this.macroStack.length >= MAX_MACRO_DEPTH) {
      const from = Math.max(0, this.macroStack.indexOf(s.name));
      const loop = [...this.macroStack.slice(from, from + 8), s.name].join(' -> ');
      throw new RenderError(
        `macro "${s.name}" includes itself more than ${MAX_MACRO_DEPTH} levels deep (${loop} ...)`,
        'a macro may include itself only under a condition that ends ({{#if}} on a value that runs out); check that condition',
        at.line,
        at.col,
        'E_MACRO_RECURSION',
        partialAt?.name ?? s.name,
      );
    }
    let ctx: unknown = s.ctx ? this.wrap(() => this.eval(s.ctx!, scope), partialAt) : scope.ctx;
    if (s.hash.length > 0) {
      // Handlebars: `extend({}, context, hash)`, so a string context gives its characters too.
      // Its hash object has the keys in reverse order (they are assigned last to first) and
      // lacks those written as the literal `undefined`; that shows in `{{#each this}}`.
      const values = s.hash.map(([, e]) => this.wrap(() => this.eval(e, scope), partialAt));
      const extra: Record<string, unknown> = {};
      for (let i = s.hash.length - 1; i >= 0; i--) {
        const [k, e] = s.hash[i]!;
        if (!(e.k === 'lit' && e.v === undefined)) extra[k] = values[i];
      }
      ctx = { ...(ctx as object), ...extra };
    }
    const inner = enterPartial(scope, ctx);
    const site = partialAt ?? { line: s.line, col: s.col, name: s.name };
    this.macroStack.push(s.name);
    try {
      if (!s.indent) return this.stmts(ir.body, inner, site);
      // A standalone partial: Handlebars indents every line of its output, the nested macros'
      // output and multi-line values included, so indent the finished text.
      const saved = this.emit;
      const parts: string[] = [];
      this.emit = (text) => parts.push(text);
      try {
        this.stmts(ir.body, inner, site);
      } finally {
        this.emit = saved;
      }
      this.emit(indentLines(parts.join(''), s.indent), at.line, at.col, false);
    } finally {
      this.macroStack.pop();
    }
  }

  /** Errors raised inside a macro are reported at the macro's call site in the model. */
  private wrap<T>(f: () => T, partialAt: CallSite | undefined): T {
    if (!partialAt) return f();
    try {
      return f();
    } catch (e) {
      if (e instanceof RenderError && e.partial === undefined) {
        throw new RenderError(`in macro "${partialAt.name}" (its line ${e.line}): ${e.message}`, e.hint, partialAt.line, partialAt.col, e.code, partialAt.name);
      }
      throw e;
    }
  }

  /** The block helpers, each as Handlebars' helpers/*.js does it. */
  private block(s: Block, scope: Scope, partialAt: CallSite | undefined): void {
    const value = s.args[0] ? this.eval(s.args[0], scope) : undefined;
    const run: Run = (body, ctx, data = scope.data, params = scope.params) => {
      if (body) this.stmts(body, enter(scope, ctx, data, params), partialAt);
    };
    switch (s.name) {
      case 'if':
      case 'unless': {
        const zero = s.hash.find(([k]) => k === 'includeZero');
        const includeZero = zero ? Boolean(this.eval(zero[1], scope)) : false;
        const yes = !((!includeZero && !value) || isEmpty(value));
        run(yes === (s.name === 'if') ? s.body : s.inverse, thisOf(scope));
        return;
      }
      case 'with':
        if (!isEmpty(value)) run(s.body, value, scope.data, named(s, scope, [value]));
        else run(s.inverse, thisOf(scope));
        return;
      case 'each':
        if (!each(s, value, scope, run)) run(s.inverse, thisOf(scope));
        return;
      case '':
        // `{{#value}}`: Handlebars' blockHelperMissing. Its `this` is the context as it is.
        if (value === true) run(s.body, scope.ctx);
        else if (value === false || value == null || (Array.isArray(value) && value.length === 0)) run(s.inverse, scope.ctx);
        else if (Array.isArray(value)) each(s, value, scope, run);
        else run(s.body, value);
        return;
      default:
        throw new RenderError(`unknown block helper #${s.name}`, 'use #if, #unless, #each or #with', s.line, s.col, 'E_TEMPLATE_HELPER');
    }
  }

  eval(e: Expr, scope: Scope): unknown {
    switch (e.k) {
      case 'lit':
        return e.v;
      case 'path':
        return lookupPath(e, scope);
      case 'call': {
        const helper = this.env.helpers[e.name];
        if (!helper) throw new RenderError(`unknown helper "${e.name}"`, 'see the README for the helpers etlx provides', e.line, e.col, 'E_TEMPLATE_HELPER');
        const args = e.args.map((a) => this.eval(a, scope));
        const hash: Record<string, unknown> = {};
        for (const [k, v] of e.hash) hash[k] = this.eval(v, scope);
        return helper(args, hash, e);
      }
      default:
        return exhaustive(e);
    }
  }
}

type Block = Extract<Stmt, { k: 'block' }>;
type Run = (body: readonly Stmt[] | null, ctx: unknown, data?: DataFrame, params?: BlockParams) => void;

/** The block params a block's body sees: its own, named, in front of the enclosing ones. */
function named(s: Block, scope: Scope, values: readonly unknown[]): BlockParams | undefined {
  return s.params.length > 0 ? { names: s.params, values, outer: scope.params } : scope.params;
}

/** `{{#each}}` over an array or an object's own keys; false when there was nothing to render. */
function each(s: Block, value: unknown, scope: Scope, run: Run): boolean {
  if (!value || typeof value !== 'object') return false;
  // One frame for the whole loop, updated per item, as Handlebars does.
  const frame = createFrame(scope.data);
  const item = (key: string | number, index: number, last: boolean) => {
    frame.key = key;
    frame.index = index;
    frame.first = index === 0;
    frame.last = last;
    const v = (value as Record<string | number, unknown>)[key];
    run(s.body, v, frame, named(s, scope, [v, key]));
  };
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) if (i in value) item(i, i, i === value.length - 1);
    return value.length > 0;
  }
  const keys = Object.keys(value);
  keys.forEach((k, i) => item(k, i, i === keys.length - 1));
  return keys.length > 0;
}

/** Handlebars' partial indent: every line, but not the empty one after a final line break. */
function indentLines(text: string, indent: string): string {
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i] && i + 1 === lines.length) break;
    lines[i] = indent + lines[i];
  }
  return lines.join('\n');
}

/** Handlebars' truthiness: false, null, undefined, '', 0 and [] are false. */
export function truthy(v: unknown): boolean {
  if (Array.isArray(v)) return v.length > 0;
  return Boolean(v);
}

function toText(v: unknown, at: { line: number; col: number }): string {
  if (v === undefined || v === null) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  if (Array.isArray(v)) return v.map((x) => toText(x, at)).join(',');
  if (v instanceof Printable) return v.toString();
  throw new RenderError(
    'cannot print a mapping into SQL',
    'print one field ({{value.key}}), loop with {{#each}}, or use {{quote value}} for a list',
    at.line,
    at.col,
  );
}

function exhaustive(x: never): never {
  throw new Error(`unreachable: ${JSON.stringify(x)}`);
}
