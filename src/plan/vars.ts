import jsYaml from 'js-yaml';
import { aliasExpansionProblem } from '../config/yaml-file.js';
import { EtlxError } from '../errors/diagnostic.js';

/** `--vars '<yaml>'`: a YAML (or JSON) mapping. */
export function parseVars(text: string | undefined): Record<string, unknown> {
  if (text === undefined || text.trim() === '') return {};
  let v: unknown;
  try {
    v = jsYaml.load(text, { schema: jsYaml.CORE_SCHEMA });
  } catch (e) {
    throw new EtlxError({
      code: 'E_VARS',
      message: `--vars is not valid YAML: ${(e as Error).message.split('\n')[0]!.replace(/:\s*$/, '')}`,
      hint: `pass a mapping, e.g. --vars '{start_date: "2024-01-01", days: 7}'`,
    });
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) {
    throw new EtlxError({
      code: 'E_VARS',
      message: `--vars must be a mapping of names to values, got ${Array.isArray(v) ? 'a list' : JSON.stringify(v)}`,
      hint: `pass a mapping, e.g. --vars '{start_date: "2024-01-01"}'`,
    });
  }
  const aliasBomb = aliasExpansionProblem(v, text, '--vars');
  if (aliasBomb) throw new EtlxError(aliasBomb);
  return v as Record<string, unknown>;
}
