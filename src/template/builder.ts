import type { DiagnosticCode } from '../errors/codes.js';
import { closest } from '../errors/did-you-mean.js';
import { BLOCK_HELPERS, HELPERS } from './helper-names.js';
import type { ConfigUse, Expr, PartialUse, RefUse, SourceUse, Stmt, TemplateProblem, VarUse } from './ir.js';
import { advance } from './syntax-error.js';

type HbsNode = hbs.AST.Node;

/**
 * Turns Handlebars' AST into the IR and collects the static facts. Whatever the renderer could
 * not render exactly as Handlebars does becomes a problem here, at its line and column, so an
 * unsupported construct is never a silent difference in the SQL.
 */
export class Builder {
  readonly refs: RefUse[] = [];
  readonly sources: SourceUse[] = [];
  readonly config: ConfigUse[] = [];
  readonly vars: VarUse[] = [];
  readonly partials: PartialUse[] = [];
  readonly problems: TemplateProblem[] = [];
  /**
   * Block params (`as |x i|`) of the enclosing blocks. Handlebars resolves these names at compile
   * time, before helpers: `{{quote}}` inside `{{#each xs as |quote|}}` is the item, not a call.
   */
  private readonly scopes: (readonly string[])[] = [];

  program(p: hbs.AST.Program | undefined | null): Stmt[] {
    if (!p) return [];
    const out: Stmt[] = [];
    for (const s of p.body) {
      const stmt = this.statement(s);
      if (stmt) out.push(stmt);
    }
    return out;
  }

  private problem(node: HbsNode, code: DiagnosticCode, message: string, hint: string): void {
    const { line, col } = loc(node);
    this.problems.push({ code, message, hint, line, col });
  }

  private isParam(name: string): boolean {
    return this.scopes.length > 0 && this.scopes.some((s) => s.includes(name));
  }

  /** The name of a helper call: a simple path that is not a block param. */
  private helperName(p: hbs.AST.PathExpression): string | undefined {
    const name = pathName(p);
    return name !== undefined && !this.isParam(name) ? name : undefined;
  }

  private statement(s: hbs.AST.Statement): Stmt | undefined {
    switch (s.type) {
      case 'ContentStatement': {
        const c = s as hbs.AST.ContentStatement;
        if (c.value.length === 0) return undefined;
        // Whitespace control may have trimmed the start; shift the location to the kept text.
        const original = c.original as unknown as string;
        const at = loc(c);
        const lead = original === c.value ? 0 : original.indexOf(c.value);
        if (lead <= 0) return { k: 'text', v: c.value, line: at.line, col: at.col };
        const { line, col } = advance(at, original.slice(0, lead));
        return { k: 'text', v: c.value, line, col };
      }
      case 'CommentStatement':
        return undefined;
      case 'MustacheStatement': {
        const m = s as hbs.AST.MustacheStatement;
        const e = this.callOrPath(asPath(m.path), m.params, m.hash, m, false);
        const at = loc(m);
        return { k: 'out', e, line: at.line, col: at.col };
      }
      case 'BlockStatement':
        return this.block(s as hbs.AST.BlockStatement);
      case 'PartialStatement': {
        const p = s as hbs.AST.PartialStatement;
        const pn = p.name as hbs.AST.Expression;
        const name = pn.type === 'PathExpression' ? (pn as hbs.AST.PathExpression).original : pn.type === 'StringLiteral' ? (pn as hbs.AST.StringLiteral).value : undefined;
        if (name === undefined) {
          this.problem(p, 'E_TEMPLATE_PARTIAL', 'dynamic partial names are not supported', 'name the macro literally: {{> macro_name}}');
          return undefined;
        }
        if (p.params.length > 1) {
          // Handlebars refuses this when it compiles the template.
          this.problem(p, 'E_TEMPLATE_PARTIAL', `macro "${name}" takes at most one context argument, got ${p.params.length}`, `pass values by name: {{> ${name} a=x b=y}}`);
        }
        this.partials.push({ name, ...loc(p) });
        const ctx = p.params[0] ? this.expr(p.params[0]) : null;
        // Set by Handlebars' parser on a partial alone on its line: every line it renders is indented so.
        const indent = (p as { indent?: string }).indent;
        return { k: 'partial', name, ctx, hash: this.hash(p.hash), ...(indent ? { indent } : {}), ...loc(p) };
      }
      case 'PartialBlockStatement':
        this.problem(s, 'E_TEMPLATE_PARTIAL', 'partial blocks ({{#> name}}) are not supported', 'call the macro as {{> name arg="value"}}');
        return undefined;
      case 'DecoratorBlock':
      case 'Decorator':
        this.problem(s, 'E_TEMPLATE_HELPER', 'decorators are not supported', 'remove the {{* ...}} decorator');
        return undefined;
      default:
        return undefined;
    }
  }

  private block(b: hbs.AST.BlockStatement): Stmt | undefined {
    const path = asPath(b.path);
    const name = this.helperName(path);
    const params = b.program?.blockParams ?? [];
    const pairs = b.hash?.pairs ?? [];
    const body = () => {
      this.scopes.push(params);
      try {
        return this.program(b.program);
      } finally {
        this.scopes.pop();
      }
    };
    if (name !== undefined && BLOCK_HELPERS.has(name)) {
      const args = b.params.map((p) => this.expr(p));
      if (args.length !== 1) {
        this.problem(b, 'E_TEMPLATE_HELPER', `{{#${name}}} takes exactly one argument`, `write {{#${name} value}}...{{/${name}}}`);
      }
      const conditional = name === 'if' || name === 'unless';
      for (const pair of pairs) {
        if (conditional && pair.key === 'includeZero') continue;
        // Handlebars ignores any other hash argument of its block helpers: an argument that does
        // nothing is a mistake to report, not to repeat.
        this.problem(
          b,
          'E_TEMPLATE_HELPER',
          `{{#${name}}} does not take the argument ${pair.key}=`,
          conditional ? `the only argument {{#${name}}} takes is includeZero=true (0 counts as true); remove ${pair.key}=` : `remove ${pair.key}=; {{#${name}}} takes one value only`,
        );
      }
      if (params.length > 0 && name !== 'each' && name !== 'with') {
        this.problem(b, 'E_TEMPLATE_HELPER', `{{#${name}}} takes no block params (as |${params.join(' ')}|)`, 'block params name the item of {{#each}} or the value of {{#with}}');
      }
      return { k: 'block', name, args, hash: this.hash(b.hash), params, body: body(), inverse: b.inverse ? this.program(b.inverse) : null, ...loc(b) };
    }
    if (b.params.length > 0 || (name !== undefined && HELPERS.has(name))) {
      this.problem(
        b,
        'E_TEMPLATE_HELPER',
        name !== undefined && HELPERS.has(name) && b.params.length === 0 ? `{{${name}}} is not a block helper` : `unknown block helper {{#${path.original}}}`,
        name !== undefined && HELPERS.has(name) ? `write {{${name} ...}} without #; the block helpers are #if, #unless, #each and #with` : 'etlx provides the block helpers #if, #unless, #each and #with',
      );
      return undefined;
    }
    // `{{#value}}...{{/value}}`: Handlebars' blockHelperMissing (a section over a value).
    if (pairs.length > 0) {
      this.problem(b, 'E_TEMPLATE_HELPER', `{{#${path.original}}} takes no arguments`, `{{#${path.original}}} renders its block for a value; remove ${pairs.map((p) => `${p.key}=`).join(' ')}`);
    }
    if (params.length > 0) {
      this.problem(b, 'E_TEMPLATE_HELPER', `{{#${path.original}}} takes no block params`, `write {{#each ${path.original} as |${params.join(' ')}|}}`);
    }
    return { k: 'block', name: '', args: [this.expr(path)], hash: [], params: [], body: body(), inverse: b.inverse ? this.program(b.inverse) : null, ...loc(b) };
  }

  private hash(h: hbs.AST.Hash | undefined): (readonly [string, Expr])[] {
    if (!h) return [];
    const seen = new Set<string>();
    for (const p of h.pairs) {
      // Handlebars keeps the first of two equal keys, which is never what the writer meant.
      if (seen.has(p.key)) this.problem(p, 'E_TEMPLATE_SYNTAX', `argument ${p.key}= is given twice`, `keep one ${p.key}=`);
      seen.add(p.key);
    }
    return h.pairs.map((p) => [p.key, this.expr(p.value)] as const);
  }

  /**
   * A mustache or a sub-expression. Like Handlebars, a simple name that is a helper is called;
   * in a sub-expression every name must be a helper (Handlebars would call a missing one and get
   * nothing), and a name with arguments must be one too.
   */
  private callOrPath(path: hbs.AST.PathExpression, params: hbs.AST.Expression[], hash: hbs.AST.Hash | undefined, node: HbsNode, sub: boolean): Expr {
    const simple = pathName(path);
    const name = simple !== undefined && !this.isParam(simple) ? simple : undefined;
    if (name !== undefined && BLOCK_HELPERS.has(name)) {
      this.problem(node, 'E_TEMPLATE_HELPER', `${name} is a block helper`, `write {{#${name} value}}...{{/${name}}}`);
      return { k: 'lit', v: '' };
    }
    if (name !== undefined && HELPERS.has(name)) return this.call(name, params, hash, node);
    const blockParam = simple !== undefined && name === undefined;
    if (params.length > 0 || (hash && hash.pairs.length > 0) || (sub && !blockParam)) {
      const guess = closest(path.original, HELPERS);
      this.problem(node, 'E_TEMPLATE_HELPER', `unknown helper "${path.original}"${guess ? `; did you mean "${guess}"?` : ''}`, `available helpers: ${[...HELPERS].sort().join(', ')}`);
      return { k: 'lit', v: '' };
    }
    return this.expr(path);
  }

  private call(name: string, params: hbs.AST.Expression[], hash: hbs.AST.Hash | undefined, node: HbsNode): Expr {
    const args = params.map((p) => this.expr(p));
    const h = this.hash(hash);
    const at = loc(node);
    const literal = (i: number): string | undefined => {
      const a = args[i];
      return a && a.k === 'lit' && typeof a.v === 'string' ? a.v : undefined;
    };
    switch (name) {
      case 'ref': {
        const target = args.length === 1 ? literal(0) : args.length === 2 ? literal(1) : undefined;
        if (args.length === 0 || args.length > 2) {
          this.problem(node, 'E_REF_ARGS', `ref takes one model name, got ${args.length} arguments`, 'write {{ref "model_name"}}');
        } else if (target === undefined) {
          this.problem(node, 'E_REF_NOT_LITERAL', 'ref needs a literal model name', 'dependencies are read before rendering, so write the name as a string: {{ref "orders"}}');
        } else this.refs.push({ name: target, line: at.line, col: at.col });
        break;
      }
      case 'source': {
        const s = literal(0);
        const t = literal(1);
        if (args.length !== 2) {
          this.problem(node, 'E_SOURCE_ARGS', `source takes a source name and a table name, got ${args.length} arguments`, 'write {{source "shop" "orders"}}');
        } else if (s === undefined || t === undefined) {
          this.problem(node, 'E_SOURCE_NOT_LITERAL', 'source needs literal names', 'write the names as strings: {{source "shop" "orders"}}');
        } else this.sources.push({ source: s, table: t, line: at.line, col: at.col });
        break;
      }
      case 'var': {
        const v = literal(0);
        if (args.length < 1 || args.length > 2) {
          this.problem(node, 'E_VAR_ARGS', `var takes a name and an optional default, got ${args.length} arguments`, 'write {{var "name"}} or {{var "name" "default"}}');
        } else if (v !== undefined) this.vars.push({ name: v, hasDefault: args.length === 2, line: at.line, col: at.col });
        break;
      }
      case 'config': {
        if (args.length > 0) this.problem(node, 'E_CONFIG_ARGS', 'config takes key=value pairs only', 'write {{config materialized="table" tags="a,b"}}');
        for (const [key, value] of h) {
          if (value.k !== 'lit') {
            this.problem(node, 'E_CONFIG_NOT_LITERAL', `config value for "${key}" must be a literal`, 'config is read before rendering; write a string, number or true/false');
          } else this.config.push({ key, value: value.v === undefined ? null : value.v, ...at });
        }
        break;
      }
      default:
        break;
    }
    return { k: 'call', name, args, hash: h, line: at.line, col: at.col };
  }

  /** A value: a literal, a sub-expression or a path (a helper's name here is a path, as in Handlebars). */
  private expr(e: hbs.AST.Expression): Expr {
    switch (e.type) {
      case 'StringLiteral':
      case 'NumberLiteral':
      case 'BooleanLiteral':
        return { k: 'lit', v: (e as hbs.AST.StringLiteral).value };
      case 'NullLiteral':
        return { k: 'lit', v: null };
      case 'UndefinedLiteral':
        return { k: 'lit', v: undefined };
      case 'SubExpression': {
        const s = e as hbs.AST.SubExpression;
        return this.callOrPath(asPath(s.path), s.params, s.hash, s, true);
      }
      case 'PathExpression': {
        const p = e as hbs.AST.PathExpression;
        const at = loc(p);
        return { k: 'path', data: p.data, depth: p.depth, parts: p.parts, orig: p.original, line: at.line, col: at.col };
      }
      default:
        this.problem(e, 'E_TEMPLATE_SYNTAX', `unsupported expression ${e.type}`, 'use a literal, a path or a helper call');
        return { k: 'lit', v: '' };
    }
  }
}

/**
 * Handlebars reads a literal in a helper's place (`{{"a b"}}`, `{{1}}`) as a path of that one
 * name: `{{"a b"}}` prints the context's "a b", not the text.
 */
function asPath(p: hbs.AST.PathExpression | hbs.AST.Expression): hbs.AST.PathExpression {
  if (p.type === 'PathExpression') return p as hbs.AST.PathExpression;
  const original = String((p as { original?: unknown }).original ?? (p as { value?: unknown }).value);
  return { type: 'PathExpression', data: false, depth: 0, parts: [original], original, loc: p.loc } as hbs.AST.PathExpression;
}

/** Handlebars' `scopedId`: `this.x`, `./x` and `this` address the current context only. */
export function isScoped(original: string): boolean {
  return /^\.|this\b/.test(original);
}

/** The helper name of a simple path (`ref`, not `this.ref`, `../ref` or `@ref`). */
function pathName(p: hbs.AST.Expression): string | undefined {
  if (p.type !== 'PathExpression') return undefined;
  const path = p as hbs.AST.PathExpression;
  if (path.data || path.depth > 0 || path.parts.length !== 1 || isScoped(path.original)) return undefined;
  return path.parts[0];
}

function loc(n: HbsNode): { line: number; col: number } {
  const start = n.loc?.start;
  return { line: start?.line ?? 1, col: (start?.column ?? 0) + 1 };
}
