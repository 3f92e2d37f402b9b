import type { Diagnostic, DiagnosticCode } from '../errors/diagnostic.js';
import { closest } from '../errors/did-you-mean.js';
import type { YamlFile, YamlPath } from '../config/yaml-file.js';
import type { Expr, Stmt, TemplateIR } from '../template/ir.js';
import { parseTemplate } from '../template/parse.js';
import { render, RenderError, type Helper } from '../template/render.js';

/** What a templated properties value may read: `{{var}}`, `{{env}}` and `{{target.*}}`. */
export interface PropertyValueContext {
  readonly target: { readonly name: string; readonly schema: string; readonly type: string; readonly profile_name: string; readonly threads: number };
  readonly vars: Readonly<Record<string, unknown>>;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/**
 * Top-level sections whose string values are rendered. Prose and names are used as written, and
 * hooks are SQL templates of their own, rendered with the node at compile time (`{{self}}`).
 */
const SECTIONS = new Set(['models', 'seeds', 'sources']);
const PROSE = new Set(['description', 'meta', 'docs', 'name', 'pre_hook', 'post_hook', 'pre-hook', 'post-hook']);
const ALLOWED_HELPERS = new Set(['var', 'env', 'quote', 'eq', 'ne', 'and', 'or', 'not', 'lookup']);

/**
 * Renders the templated string values of a properties file (a source's schema, identifier and
 * location, a model's config, a test's arguments) before they are validated, so a value means
 * the same as it would in SQL and `{{...}}` never reaches a relation name or a path. Returns
 * the data with each templated value replaced, and the raw text of each (for state:modified,
 * which compares what was written). An unknown name is an error at the value's line.
 */
export function renderPropertyValues(
  yaml: YamlFile,
  data: unknown,
  ctx: PropertyValueContext,
  diagnostics: Diagnostic[],
): { data: unknown; templated: ReadonlyMap<string, string> } {
  const templated = new Map<string, string>();
  const visit = (v: unknown, at: YamlPath): unknown => {
    if (typeof v === 'string') {
      if (!v.includes('{{')) return v;
      const out = renderValue(v, ctx, (code, message, hint, line) => {
        const loc = yaml.locate(at);
        diagnostics.push({ code, message: `${at.join('.')}: ${message}`, file: yaml.file, line: (loc?.line ?? 1) + (line > 1 ? line - 1 : 0), ...(loc ? { column: loc.column } : {}), hint });
      });
      templated.set(at.join('.'), v);
      return out ?? v;
    }
    if (Array.isArray(v)) return v.map((x, i) => visit(x, [...at, i]));
    if (v && typeof v === 'object') {
      return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, at.length === 0 ? (SECTIONS.has(k) ? visit(x, [k]) : x) : PROSE.has(k) ? x : visit(x, [...at, k])]));
    }
    return v;
  };
  return { data: visit(data, []), templated };
}

type Report = (code: DiagnosticCode, message: string, hint: string, line: number) => void;

function renderValue(text: string, ctx: PropertyValueContext, report: Report): string | undefined {
  const ir = parseTemplate(text);
  if (ir.problems.length > 0) {
    for (const p of ir.problems) report(p.code, p.message, p.hint, p.line);
    return undefined;
  }
  const unknown = unknownNames(ir);
  if (unknown.length > 0) {
    for (const u of unknown) report('E_TEMPLATE_RENDER', u.message, u.hint, u.line);
    return undefined;
  }
  const helpers: Record<string, Helper> = {
    var: (args, _h, at) => {
      const name = String(args[0]);
      if (Object.prototype.hasOwnProperty.call(ctx.vars, name)) return ctx.vars[name];
      if (args.length > 1) return args[1];
      const g = closest(name, Object.keys(ctx.vars));
      throw new RenderError(`var "${name}" has no value${g ? `; did you mean "${g}"?` : ''}`, `set it under vars: in etlx.yml, pass --vars '{${name}: ...}', or give a default: {{var "${name}" "default"}}`, at.line, at.col, 'E_VAR_MISSING');
    },
    env: (args, _h, at) => {
      const name = String(args[0]);
      const v = ctx.env[name] ?? (args.length > 1 ? String(args[1]) : undefined);
      if (v === undefined) throw new RenderError(`environment variable ${name} is not set`, `set ${name}, or give a default: {{env "${name}" "default"}}`, at.line, at.col, 'E_ENV_MISSING');
      return v;
    },
    quote: (args) => `'${String(args[0] ?? '').replace(/'/g, "''")}'`,
    eq: (args) => args[0] === args[1],
    ne: (args) => args[0] !== args[1],
    and: (args) => args.every(Boolean),
    or: (args) => args.some(Boolean),
    not: (args) => !args[0],
    lookup: (args) => (args[0] && typeof args[0] === 'object' ? (args[0] as Record<string, unknown>)[String(args[1])] : undefined),
  };
  try {
    return render(ir, { target: ctx.target }, { helpers, partials: new Map() }).text;
  } catch (e) {
    if (e instanceof RenderError) {
      report(e.code, e.message, e.hint, e.line);
      return undefined;
    }
    throw e;
  }
}

/**
 * Names a properties value may not use: anything but `target.<name|schema|type|profile_name|threads>`
 * and the value helpers. (Rendering would print an unknown name as an empty string.)
 */
function unknownNames(ir: TemplateIR): { message: string; hint: string; line: number }[] {
  const out: { message: string; hint: string; line: number }[] = [];
  const targetKeys = ['name', 'schema', 'type', 'profile_name', 'threads'];
  const hint = 'a properties value may use {{var "name"}}, {{env "NAME"}} and {{target.name}} / {{target.schema}}';
  const expr = (e: Expr, inBlock: boolean) => {
    if (e.k === 'path') {
      if (e.data || e.depth > 0 || (inBlock && (e.orig === 'this' || e.orig === '.' || e.orig.startsWith('this.')))) return;
      if (e.parts[0] === 'target' && e.parts.length === 2 && targetKeys.includes(e.parts[1]!)) return;
      const g = e.parts[0] === 'target' ? closest(e.parts[1] ?? '', targetKeys) : undefined;
      out.push({ message: `unknown name {{${e.orig}}}${g ? `; did you mean {{target.${g}}}?` : ''}`, hint, line: e.line });
    } else if (e.k === 'call') {
      if (!ALLOWED_HELPERS.has(e.name)) out.push({ message: `{{${e.name}}} cannot be used in a properties value`, hint, line: e.line });
      for (const a of e.args) expr(a, inBlock);
      for (const [, a] of e.hash) expr(a, inBlock);
    }
  };
  const stmts = (body: readonly Stmt[], inBlock: boolean) => {
    for (const s of body) {
      if (s.k === 'out') expr(s.e, inBlock);
      else if (s.k === 'block') {
        for (const a of s.args) expr(a, inBlock);
        const changes = s.name !== 'if' && s.name !== 'unless';
        stmts(s.body, inBlock || changes);
        if (s.inverse) stmts(s.inverse, inBlock);
      } else if (s.k === 'partial') out.push({ message: `{{> ${s.name}}} cannot be used in a properties value`, hint, line: s.line });
    }
  };
  stmts(ir.body, false);
  return out;
}
