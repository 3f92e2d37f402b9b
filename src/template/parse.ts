import { createRequire } from 'node:module';
import { Builder } from './builder.js';
import { fastParse } from './fast-parse.js';
import { IR_VERSION, type TemplateIR, type TemplateProblem } from './ir.js';
import { jinjaProblems } from './jinja.js';
import { syntaxProblem } from './syntax-error.js';

/** Handlebars is loaded on first parse it is needed for: the fast parser handles most templates. */
const require = createRequire(import.meta.url);
let hbsLib: typeof import('handlebars') | undefined;
function handlebars(): typeof import('handlebars') {
  return (hbsLib ??= require('handlebars') as typeof import('handlebars'));
}

/**
 * Parses template text. A syntax error comes back as a single problem with its line. The fast
 * parser (fast-parse.ts) reads the subset etlx supports; anything else, syntax errors included,
 * goes to Handlebars' parser, and the same builder makes the IR from either.
 */
export function parseTemplate(text: string): TemplateIR {
  const program = fastParse(text);
  return program ? build(program, text) : parseWithHandlebars(text);
}

/** The reference path: Handlebars' parser for every text (the differential test compares the two). */
export function parseWithHandlebars(text: string): TemplateIR {
  let program: hbs.AST.Program;
  try {
    program = handlebars().parse(text);
  } catch (e) {
    // Jinja is the likely cause of a dbt user's syntax error; say so, with the Handlebars form.
    const jinja = jinjaProblems(text);
    return jinja.length > 0 ? { ...emptyWithProblem(jinja[0]!), problems: jinja } : emptyWithProblem(syntaxProblem(e, text));
  }
  return build(program, text);
}

function build(program: hbs.AST.Program, text: string): TemplateIR {
  const b = new Builder();
  const body = b.program(program);
  const problems = [...jinjaProblems(text), ...b.problems];
  return { version: IR_VERSION, body, refs: b.refs, sources: b.sources, config: b.config, vars: b.vars, partials: b.partials, problems };
}

function emptyWithProblem(p: TemplateProblem): TemplateIR {
  return { version: IR_VERSION, body: [], refs: [], sources: [], config: [], vars: [], partials: [], problems: [p] };
}
