import type { DiagnosticCode } from '../errors/codes.js';
import type { Expr, Stmt, TemplateIR } from './ir.js';

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
  /** Helpers by name: ref, source, var, env, config, ... (see helpers.ts). */
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

interface Frame {
  readonly ctx: unknown;
  readonly parent: Frame | undefined;
  readonly data: Readonly<Record<string, unknown>>;
  readonly blockParams: Readonly<Record<string, unknown>> | undefined;
}

/**
 * Renders a template IR with Handlebars semantics (noEscape), plus one deliberate difference:
 * a name not found in the current context is looked up in the enclosing ones, so `target` and
 * `is_incremental` stay visible inside `{{#each}}` (Handlebars' compat mode).
 */
export function render(ir: TemplateIR, context: Readonly<Record<string, unknown>>, env: RenderEnv): Rendered {
  const out: string[] = [];
  const map: number[] = [];
  const state = { length: 0 };
  const root: Frame = { ctx: context, parent: undefined, data: { root: context }, blockParams: undefined };
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
  constructor(
    private readonly env: RenderEnv,
    private readonly emit: (s: string, line: number, col: number, walk: boolean) => void,
  ) {}

  /** `partialAt`: the call site when rendering inside a macro; its output maps there. */
  stmts(body: readonly Stmt[], frame: Frame, partialAt: { line: number; col: number; name: string } | undefined): void {
    for (const s of body) this.stmt(s, frame, partialAt);
  }

  private stmt(s: Stmt, frame: Frame, partialAt: { line: number; col: number; name: string } | undefined): void {
    const at = partialAt ?? s;
    switch (s.k) {
      case 'text':
        this.emit(s.v, at.line, at.col, partialAt === undefined);
        return;
      case 'out': {
        const v = this.wrap(() => this.eval(s.e, frame), partialAt);
        this.emit(this.wrap(() => toText(v, s), partialAt), at.line, at.col, false);
        return;
      }
      case 'block':
        this.wrap(() => this.block(s, frame, partialAt), partialAt);
        return;
      case 'partial': {
        const ir = this.env.partials.get(s.name);
        if (!ir) {
          throw new RenderError(`macro "${s.name}" not found`, 'macros are files in macros/: macros/finance/cents.sql is {{> finance/cents}}', at.line, at.col, 'E_MACRO_NOT_FOUND');
        }
        let ctx: unknown = s.ctx ? this.wrap(() => this.eval(s.ctx!, frame), partialAt) : frame.ctx;
        if (s.hash.length > 0) {
          const extra: Record<string, unknown> = {};
          for (const [k, e] of s.hash) extra[k] = this.wrap(() => this.eval(e, frame), partialAt);
          ctx = { ...(typeof ctx === 'object' && ctx !== null ? ctx : {}), ...extra };
        }
        const inner: Frame = { ctx, parent: frame, data: frame.data, blockParams: undefined };
        this.stmts(ir.body, inner, partialAt ?? { line: s.line, col: s.col, name: s.name });
        return;
      }
      default:
        return exhaustive(s);
    }
  }

  /** Errors raised inside a macro are reported at the macro's call site in the model. */
  private wrap<T>(f: () => T, partialAt: { line: number; col: number; name: string } | undefined): T {
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

  private block(s: Extract<Stmt, { k: 'block' }>, frame: Frame, partialAt: { line: number; col: number; name: string } | undefined): void {
    const value = s.args[0] ? this.eval(s.args[0], frame) : undefined;
    const child = (ctx: unknown, data: Record<string, unknown>, params: Record<string, unknown> | undefined): Frame => ({
      ctx,
      parent: frame,
      data: { ...frame.data, ...data },
      blockParams: params,
    });
    const inverse = () => {
      if (s.inverse) this.stmts(s.inverse, frame, partialAt);
    };
    switch (s.name) {
      case 'if':
        if (truthy(value)) this.stmts(s.body, frame, partialAt);
        else inverse();
        return;
      case 'unless':
        if (!truthy(value)) this.stmts(s.body, frame, partialAt);
        else inverse();
        return;
      case 'with':
        if (truthy(value)) this.stmts(s.body, child(value, {}, s.params[0] ? { [s.params[0]]: value } : undefined), partialAt);
        else inverse();
        return;
      case 'each':
      case '': {
        if (s.name === '' && !Array.isArray(value)) {
          // `{{#name}}` on a plain value: render once with it as context when truthy.
          if (truthy(value)) this.stmts(s.body, child(value, {}, undefined), partialAt);
          else inverse();
          return;
        }
        const entries: [string | number, unknown][] = Array.isArray(value)
          ? value.map((v, i) => [i, v])
          : value !== null && typeof value === 'object'
            ? Object.entries(value)
            : [];
        if (entries.length === 0) return inverse();
        entries.forEach(([key, item], i) => {
          const params: Record<string, unknown> | undefined = s.params.length > 0 ? {} : undefined;
          if (params) {
            if (s.params[0]) params[s.params[0]] = item;
            if (s.params[1]) params[s.params[1]] = key;
          }
          const data = { index: i, key, first: i === 0, last: i === entries.length - 1 };
          this.stmts(s.body, child(item, data, params), partialAt);
        });
        return;
      }
      default:
        throw new RenderError(`unknown block helper #${s.name}`, 'use #if, #unless, #each or #with', s.line, s.col, 'E_TEMPLATE_HELPER');
    }
  }

  eval(e: Expr, frame: Frame): unknown {
    switch (e.k) {
      case 'lit':
        return e.v;
      case 'path':
        return lookupPath(e, frame);
      case 'call': {
        const helper = this.env.helpers[e.name];
        if (!helper) throw new RenderError(`unknown helper "${e.name}"`, 'see the README for the helpers etlx provides', e.line, e.col, 'E_TEMPLATE_HELPER');
        const args = e.args.map((a) => this.eval(a, frame));
        const hash: Record<string, unknown> = {};
        for (const [k, v] of e.hash) hash[k] = this.eval(v, frame);
        return helper(args, hash, e);
      }
      default:
        return exhaustive(e);
    }
  }
}

function lookupPath(e: Extract<Expr, { k: 'path' }>, frame: Frame): unknown {
  if (e.data) {
    let v: unknown = frame.data[e.parts[0] ?? ''];
    for (const p of e.parts.slice(1)) v = prop(v, p);
    return v;
  }
  let f: Frame = frame;
  for (let d = 0; d < e.depth && f.parent; d++) f = f.parent;
  if (e.parts.length === 0) return f.ctx;
  const first = e.parts[0]!;
  const explicit = e.orig.startsWith('this.') || e.orig.startsWith('./');
  let v: unknown;
  // Block params, then the context, then (unless `this.`-qualified) enclosing contexts.
  for (let cur: Frame | undefined = f; cur; cur = explicit ? undefined : cur.parent) {
    if (!explicit && cur.blockParams && first in cur.blockParams) {
      v = cur.blockParams[first];
      break;
    }
    const candidate = prop(cur.ctx, first);
    if (candidate !== undefined) {
      v = candidate;
      break;
    }
  }
  for (const p of e.parts.slice(1)) v = prop(v, p);
  return v;
}

function prop(v: unknown, key: string): unknown {
  if (v === null || v === undefined || typeof v !== 'object') return undefined;
  return Object.prototype.hasOwnProperty.call(v, key) ? (v as Record<string, unknown>)[key] : undefined;
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
