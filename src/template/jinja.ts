import type { Located, Stmt, TemplateIR, TemplateProblem } from './ir.js';
import { advance } from './syntax-error.js';

/**
 * dbt users write Jinja; Handlebars either refuses it with an unhelpful "unexpected 'INVALID'"
 * (`{{ ref('a') }}`) or passes it through as SQL text (`{% if is_incremental() %}`). Both are
 * found here, with a hint in the Handlebars form.
 */
const CALL = /\{\{-?\s*(ref|source|var|env_var|config|is_incremental|this)\(([^)]*)\)?[^}]*\}\}?/g;
const STATEMENT = /\{%-?\s*(if|elif|else|endif|for|endfor|set|macro|endmacro|call|endcall|filter|endfilter|block|endblock|raw|endraw|do|include|import|from|snapshot|endsnapshot|test|endtest|materialization)\b/g;
const COMMENT = /\{#[\s\S]*?#\}/g;

export function jinjaProblems(text: string): TemplateProblem[] {
  const out: TemplateProblem[] = [];
  const at = (index: number): Located => advance({ line: 1, col: 1 }, text.slice(0, index));
  for (const m of text.matchAll(CALL)) {
    out.push({ code: 'E_TEMPLATE_JINJA', message: `Jinja syntax: ${m[0]}`, hint: `etlx templates are Handlebars: write ${handlebarsCall(m[1]!, m[2] ?? '')}`, ...at(m.index) });
  }
  // Most templates have no `{%` and no `#}` (`{#` is in every `{{#if`): skip those scans.
  const statements = text.includes('{%') ? text.matchAll(STATEMENT) : [];
  for (const m of statements) {
    out.push({ code: 'E_TEMPLATE_JINJA', message: `Jinja statement {% ${m[1]} %}`, hint: statementHint(m[1]!), ...at(m.index) });
  }
  const comments = text.includes('#}') ? text.matchAll(COMMENT) : [];
  for (const m of comments) {
    out.push({ code: 'E_TEMPLATE_JINJA', message: 'Jinja comment {# ... #}', hint: 'write a Handlebars comment: {{!-- ... --}}', ...at(m.index) });
  }
  return out.sort((a, b) => a.line - b.line || a.col - b.col);
}

/** `ref('a')` → `{{ref "a"}}`, `config(materialized='table')` → `{{config materialized="table"}}`. */
function handlebarsCall(name: string, args: string): string {
  const parts = args
    .split(',')
    .map((a) => a.trim())
    .filter((a) => a.length > 0)
    .map((a) => a.replace(/^(\w+)\s*=\s*/, '$1=').replace(/'([^']*)'/g, '"$1"'));
  switch (name) {
    case 'this':
      return '{{self}}';
    case 'is_incremental':
      return '{{#if is_incremental}} ... {{/if}}';
    case 'env_var':
      return `{{env ${parts.join(' ')}}}`;
    default:
      return `{{${name}${parts.length > 0 ? ` ${parts.join(' ')}` : ''}}}`;
  }
}

function statementHint(keyword: string): string {
  switch (keyword) {
    case 'if':
    case 'elif':
    case 'else':
    case 'endif':
      return 'etlx templates are Handlebars: write {{#if cond}} ... {{else}} ... {{/if}} (incremental: {{#if is_incremental}} ... {{/if}})';
    case 'for':
    case 'endfor':
      return 'etlx templates are Handlebars: write {{#each (var "list")}} ... {{this}} ... {{/each}}';
    case 'set':
      return 'etlx templates have no variables of their own: use {{var "name"}} (vars: in etlx.yml or --vars)';
    case 'macro':
    case 'endmacro':
    case 'call':
    case 'endcall':
      return 'macros are Handlebars partials: put the body in macros/<name>.sql and include it with {{> name arg="x"}}';
    default:
      return 'etlx templates are Handlebars ({{ref "a"}}, {{#if ...}}, {{> macro}}); see "Coming from dbt" in the README';
  }
}

/**
 * `{{this}}` (or `{{this.x}}`) outside any block that changes the context: in a model that is the
 * render context, which cannot be printed; dbt's `this` is etlx's `{{self}}`.
 */
export function topLevelThis(ir: TemplateIR): Located[] {
  const out: Located[] = [];
  const visit = (body: readonly Stmt[]) => {
    for (const s of body) {
      if (s.k === 'out' && s.e.k === 'path' && !s.e.data && s.e.depth === 0 && (s.e.orig === 'this' || s.e.orig.startsWith('this.') || s.e.orig === '.')) {
        out.push({ line: s.line, col: s.col });
      } else if (s.k === 'block' && (s.name === 'if' || s.name === 'unless')) {
        visit(s.body);
        if (s.inverse) visit(s.inverse);
      }
    }
  };
  visit(ir.body);
  return out;
}
