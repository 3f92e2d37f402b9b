import jsYaml from 'js-yaml';
import { createRequire } from 'node:module';
import type { Document, LineCounter as LineCounterType, Node as YamlNode } from 'yaml';
import type { Diagnostic } from '../errors/diagnostic.js';

export type YamlPath = readonly (string | number)[];

/**
 * A parsed YAML file that can point back at the line of any value. The Document is kept only so
 * that diagnostics can be located; values are read from `data`.
 */
export interface YamlFile {
  readonly file: string;
  readonly data: unknown;
  /** Line and column (1-based) of the value at `path`, or of the key when `key` is true. */
  locate(path: YamlPath, key?: boolean): { line: number; column: number } | undefined;
}

/**
 * Parses YAML text. Syntax errors come back as diagnostics with line and column.
 *
 * Valid files are read with js-yaml (core schema, like `yaml`'s default): about four times
 * faster here, which matters for projects with thousands of properties entries. The `yaml`
 * package, which keeps node positions, parses the text again only when a diagnostic needs a
 * line, and reports syntax errors.
 */
export function parseYamlFile(text: string, file: string): { yaml?: YamlFile; diagnostics: Diagnostic[] } {
  let data: unknown;
  try {
    data = jsYaml.load(text, { schema: jsYaml.CORE_SCHEMA, filename: file }) ?? null;
  } catch {
    return parseWithPositions(text, file);
  }
  let located: YamlFile | undefined;
  const positions = () => (located ??= parseWithPositions(text, file).yaml);
  return { yaml: { file, data, locate: (path, key) => positions()?.locate(path, key) }, diagnostics: [] };
}

/** `yaml` is loaded on first use: most runs never need positions. */
const require = createRequire(import.meta.url);
let yamlLib: typeof import('yaml') | undefined;
function yamlPackage(): typeof import('yaml') {
  return (yamlLib ??= require('yaml') as typeof import('yaml'));
}

/** The `yaml` package's parse: slower, but every node knows its line. */
function parseWithPositions(text: string, file: string): { yaml?: YamlFile; diagnostics: Diagnostic[] } {
  const { LineCounter, parseDocument } = yamlPackage();
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    return {
      diagnostics: doc.errors.map((e) => {
        const pos = lineCounter.linePos(e.pos[0]);
        return {
          code: 'E_YAML_SYNTAX',
          message: `invalid YAML: ${firstLine(e.message)}`,
          file,
          line: pos.line,
          column: pos.col,
          hint: yamlHint(e.code),
        };
      }),
    };
  }
  const data = doc.toJS({ maxAliasCount: 1000 }) as unknown;
  return { yaml: { file, data, locate: (path, key) => locateIn(doc, lineCounter, path, key) }, diagnostics: [] };
}

function firstLine(message: string): string {
  return message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
}

function yamlHint(code: string): string {
  switch (code) {
    case 'DUPLICATE_KEY':
      return 'each key may appear once in a mapping; remove or rename the repeated key';
    case 'BAD_INDENT':
    case 'MISSING_CHAR':
      return 'check the indentation: nested keys need more spaces than their parent, and list items start with "- "';
    case 'TAB_AS_INDENT':
      return 'YAML indentation must use spaces, not tabs';
    default:
      return 'fix the YAML syntax at this position (quote values containing ":" or "{{")';
  }
}

function locateIn(
  doc: Document,
  lineCounter: LineCounterType,
  path: YamlPath,
  key: boolean | undefined,
): { line: number; column: number } | undefined {
  const { isMap, isPair, isScalar } = yamlPackage();
  let node: unknown = doc.contents;
  let best: YamlNode | undefined = doc.contents ?? undefined;
  let keyNode: unknown;
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(segment));
      if (!pair) break;
      keyNode = pair.key;
      node = pair.value;
    } else if (node && typeof node === 'object' && 'items' in node && Array.isArray((node as { items: unknown[] }).items)) {
      keyNode = undefined;
      node = (node as { items: unknown[] }).items[Number(segment)];
    } else break;
    if (node && typeof node === 'object' && 'range' in node) best = node as YamlNode;
    else if (keyNode && typeof keyNode === 'object' && 'range' in keyNode) best = keyNode as YamlNode;
  }
  const target = key && keyNode && typeof keyNode === 'object' && 'range' in keyNode ? (keyNode as YamlNode) : best;
  const offset = target?.range?.[0];
  if (offset === undefined) return undefined;
  const pos = lineCounter.linePos(offset);
  return { line: pos.line, column: pos.col };
}
