import type { Diagnostic } from '../errors/diagnostic.js';
import type { TextFile } from '../project/files.js';
import type { TemplateCache } from '../template/cache.js';
import { type TemplateIR } from '../template/ir.js';
import { parseTemplate } from '../template/parse.js';
import { topLevelThis } from '../template/jinja.js';

/**
 * Parses a model, test or macro file, reporting its template problems. Only clean templates are
 * cached, so a file with problems is parsed (and its problems reported) again next time.
 */
export function parseTemplateFile(file: TextFile, cache: TemplateCache | undefined, diagnostics: Diagnostic[], o: { noBareThis?: boolean } = {}): TemplateIR {
  const ir = cache?.get(file.checksum) ?? parseNew(file, cache, diagnostics);
  // A model's (or singular test's) top-level context is etlx's render context, not a relation.
  if (o.noBareThis) {
    for (const at of topLevelThis(ir)) {
      diagnostics.push({
        code: 'E_TEMPLATE_THIS',
        message: '{{this}} is not this model: Handlebars reserves `this` for the current context',
        file: file.path,
        line: at.line,
        column: at.col,
        hint: 'write {{self}} for the relation being built (dbt\'s this), or {{self.schema}} / {{self.name}} for its parts',
      });
    }
  }
  return ir;
}

function parseNew(file: TextFile, cache: TemplateCache | undefined, diagnostics: Diagnostic[]): TemplateIR {
  const ir = parseTemplate(file.text);
  if (ir.problems.length === 0) cache?.set(file.checksum, ir);
  for (const p of ir.problems) diagnostics.push({ code: p.code, message: p.message, file: file.path, line: p.line, column: p.col, hint: p.hint });
  return ir;
}
