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
  // js-yaml shares an aliased node instead of copying it, so a "billion laughs" file parses in
  // microseconds; it explodes later, in whatever walks the data (a var rendered into a model grew
  // to 2.7 GB). Measure what the aliases add before anything else sees the data.
  const tooBig = aliasExpansionProblem(data, text, file);
  if (tooBig) return { diagnostics: [tooBig] };
  let located: YamlFile | undefined;
  const positions = () => (located ??= parseWithPositions(text, file).yaml);
  return { yaml: { file, data, locate: (path, key) => positions()?.locate(path, key) }, diagnostics: [] };
}

/**
 * The E_YAML_ALIAS_LIMIT diagnostic when aliases in `text` (already parsed by js-yaml into `data`)
 * would grow it past ALIAS_EXPANSION_LIMIT, else undefined. For YAML that etlx parses outside
 * parseYamlFile (`--vars`).
 */
export function aliasExpansionProblem(data: unknown, text: string, file: string): Diagnostic | undefined {
  if (!text.includes('*')) return undefined;
  const growth = aliasGrowth(data);
  return growth.added > ALIAS_EXPANSION_LIMIT ? aliasLimitDiagnostic(text, file, growth.heaviest) : undefined;
}

/**
 * Most values that aliases may add to one YAML file when expanded (a value is a scalar, a list or
 * a mapping; a string counts once per 1,000 characters). A file without aliases is never refused,
 * whatever its size: only the repetition is counted.
 */
export const ALIAS_EXPANSION_LIMIT = 1_000_000;

/** A string's weight: long strings repeated through aliases grow the data too. */
function scalarWeight(v: unknown): number {
  return typeof v === 'string' ? 1 + Math.floor(v.length / 1000) : 1;
}

/**
 * How many values aliases add: the data's size written out, minus its size with every shared
 * object counted once. Linear in the parsed (shared) data. Also returns the path that leads
 * into the heaviest repetition, to point the error at a line.
 */
function aliasGrowth(data: unknown): { added: number; heaviest: YamlPath } {
  const expanded = new Map<object, number>();
  const onStack = new Set<object>();
  let distinct = 0;
  const weigh = (v: unknown): number => {
    if (v === null || typeof v !== 'object') {
      const w = scalarWeight(v);
      distinct += w;
      return w;
    }
    const known = expanded.get(v);
    if (known !== undefined) return known;
    // A cycle can't be written out at all; counting it once keeps this walk finite.
    if (onStack.has(v)) return 1;
    onStack.add(v);
    distinct += 1;
    let total = 1;
    for (const child of Object.values(v)) total += weigh(child);
    onStack.delete(v);
    expanded.set(v, total);
    return total;
  };
  const total = weigh(data);
  const added = total - distinct;
  const heaviest: (string | number)[] = [];
  if (added > ALIAS_EXPANSION_LIMIT) {
    // Follow the heaviest child while it alone is past the limit: that ends at (or inside) the
    // alias to blame; `locate` stops at the first alias on the way.
    let cur: unknown = data;
    for (let depth = 0; depth < 64 && cur !== null && typeof cur === 'object'; depth++) {
      let best: [string | number, unknown, number] | undefined;
      for (const [k, child] of Object.entries(cur)) {
        const w = child !== null && typeof child === 'object' ? (expanded.get(child) ?? 0) : scalarWeight(child);
        if (!best || w > best[2]) best = [Array.isArray(cur) ? Number(k) : k, child, w];
      }
      if (!best || best[2] <= ALIAS_EXPANSION_LIMIT) break;
      heaviest.push(best[0]);
      cur = best[1];
    }
  }
  return { added, heaviest };
}

function aliasLimitDiagnostic(text: string, file: string, at: YamlPath, bound = `more than ${ALIAS_EXPANSION_LIMIT.toLocaleString('en-US')} values`): Diagnostic {
  let pos: { line: number; column: number } | undefined;
  try {
    const { LineCounter, parseDocument } = yamlPackage();
    const lineCounter = new LineCounter();
    // Only the node positions are needed: the document is never converted to data (which is
    // exactly the expansion being refused).
    pos = locateIn(parseDocument(text, { lineCounter }), lineCounter, at, false);
  } catch {
    // Without a position the error still names the file.
  }
  return {
    code: 'E_YAML_ALIAS_LIMIT',
    message: `YAML aliases here expand to ${bound} (an anchor repeated through aliases of aliases, like a "billion laughs")`,
    file,
    ...(pos ? { line: pos.line, column: pos.column } : {}),
    hint: 'write the values out, or repeat a large anchor fewer times; etlx refuses YAML whose aliases would grow it past that bound',
  };
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
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 1000 }) as unknown;
  } catch (e) {
    // `yaml` refuses excessive aliasing with a ReferenceError; it is the same bound as above.
    if (e instanceof ReferenceError) return { diagnostics: [aliasLimitDiagnostic(text, file, [], 'too many values')] };
    throw e;
  }
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
