import type { Diagnostic } from '../errors/diagnostic.js';
import type { TextFile } from '../project/files.js';
import type { TemplateCache } from '../template/cache.js';
import { type TemplateIR } from '../template/ir.js';
import { parseTemplate } from '../template/parse.js';

/**
 * Parses a model, test or macro file, reporting its template problems. Only clean templates are
 * cached, so a file with problems is parsed (and its problems reported) again next time.
 */
export function parseTemplateFile(file: TextFile, cache: TemplateCache | undefined, diagnostics: Diagnostic[]): TemplateIR {
  const hit = cache?.get(file.checksum);
  if (hit) return hit;
  const ir = parseTemplate(file.text);
  if (ir.problems.length === 0) cache?.set(file.checksum, ir);
  for (const p of ir.problems) diagnostics.push({ code: p.code, message: p.message, file: file.path, line: p.line, column: p.col, hint: p.hint });
  return ir;
}
