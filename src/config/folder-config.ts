import type { z } from 'zod';
import type { Diagnostic } from '../errors/diagnostic.js';
import { closest } from '../errors/did-you-mean.js';
import { validateYaml } from './validate.js';
import type { YamlFile, YamlPath } from './yaml-file.js';

/**
 * Folder-level config defaults from etlx.yml (`models:` / `seeds:`), nested like the folders.
 * At each level a known config key applies there, `+key` always means the config key, and any
 * other key names a subfolder.
 */
export interface FolderConfig<C> {
  readonly config: C;
  readonly children: ReadonlyMap<string, FolderConfig<C>>;
}

export function parseFolderConfig<S extends z.ZodType>(
  schema: S,
  knownKeys: readonly string[],
  yaml: YamlFile,
  data: Record<string, unknown> | undefined,
  basePath: YamlPath,
  diagnostics: Diagnostic[],
): FolderConfig<z.output<S>> {
  const own: Record<string, unknown> = {};
  const ownPaths: Record<string, string> = {};
  const children = new Map<string, FolderConfig<z.output<S>>>();
  for (const [rawKey, value] of Object.entries(data ?? {})) {
    const plus = rawKey.startsWith('+');
    const key = normaliseConfigKey(plus ? rawKey.slice(1) : rawKey);
    if (plus || knownKeys.includes(key)) {
      own[key] = value;
      ownPaths[key] = rawKey;
      continue;
    }
    if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
      children.set(rawKey, parseFolderConfig(schema, knownKeys, yaml, value as Record<string, unknown>, [...basePath, rawKey], diagnostics));
      continue;
    }
    const loc = yaml.locate([...basePath, rawKey], true);
    const guess = closest(key, knownKeys);
    diagnostics.push({
      code: 'E_CONFIG_UNKNOWN_KEY',
      message: `unknown config key "${rawKey}"${guess ? `; did you mean "${guess}"?` : ''}`,
      file: yaml.file,
      line: loc?.line,
      column: loc?.column,
      hint: `a key here is a config key (${knownKeys.slice(0, 8).join(', ')}, ...) or a subfolder name whose value is a mapping`,
    });
  }
  // Locate problems at the key as written (`+tags`, `pre-hook`), not at the normalised name.
  const asWritten: YamlFile = {
    ...yaml,
    locate: (p, key) => {
      const k = p[basePath.length];
      const raw = typeof k === 'string' ? ownPaths[k] : undefined;
      return yaml.locate(raw === undefined ? p : [...p.slice(0, basePath.length), raw, ...p.slice(basePath.length + 1)], key);
    },
  };
  const result = validateYaml(schema, asWritten, own, basePath, 'folder config');
  for (const d of result.diagnostics) diagnostics.push(d);
  return { config: (result.value ?? {}) as z.output<S>, children };
}

/** dbt writes hooks as `pre-hook`; etlx's key is `pre_hook`. Both are accepted. */
export function normaliseConfigKey(key: string): string {
  return key === 'pre-hook' ? 'pre_hook' : key === 'post-hook' ? 'post_hook' : key;
}

/** The config layers that apply to a file in `folders` (outermost first). */
export function folderLayers<C>(tree: FolderConfig<C>, folders: readonly string[]): C[] {
  const layers: C[] = [tree.config];
  let node: FolderConfig<C> | undefined = tree;
  for (const f of folders) {
    node = node?.children.get(f);
    if (!node) break;
    layers.push(node.config);
  }
  return layers;
}
