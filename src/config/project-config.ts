import type { Diagnostic } from '../errors/diagnostic.js';
import { parseFolderConfig, type FolderConfig } from './folder-config.js';
import {
  MODEL_CONFIG_KEYS,
  SEED_CONFIG_KEYS,
  modelConfigSchema,
  projectFileSchema,
  seedConfigSchema,
  toList,
  type RawModelConfig,
  type RawSeedConfig,
} from './schemas.js';
import { validateYaml } from './validate.js';
import { parseYamlFile, type YamlFile } from './yaml-file.js';

export const PROJECT_FILE = 'etlx.yml';

/** etlx.yml, validated and with defaults applied. */
export interface ProjectConfig {
  readonly name: string;
  readonly profile: string;
  readonly modelPaths: readonly string[];
  readonly seedPaths: readonly string[];
  readonly testPaths: readonly string[];
  readonly macroPaths: readonly string[];
  readonly snapshotPaths: readonly string[];
  readonly targetPath: string;
  readonly vars: Readonly<Record<string, unknown>>;
  readonly models: FolderConfig<RawModelConfig>;
  readonly seeds: FolderConfig<RawSeedConfig>;
  readonly onRunStart: readonly string[];
  readonly onRunEnd: readonly string[];
  readonly yaml: YamlFile;
}

export function parseProjectConfig(text: string, file = PROJECT_FILE): { config?: ProjectConfig; diagnostics: Diagnostic[] } {
  const parsed = parseYamlFile(text, file);
  if (!parsed.yaml) return { diagnostics: parsed.diagnostics };
  const yaml = parsed.yaml;
  if (yaml.data === null || typeof yaml.data !== 'object' || Array.isArray(yaml.data)) {
    return {
      diagnostics: [
        { code: 'E_CONFIG_TYPE', message: `${file} must be a mapping of keys`, file, line: 1, column: 1, hint: 'start with: name: my_project' },
      ],
    };
  }
  const { value, diagnostics } = validateYaml(projectFileSchema, yaml, yaml.data, [], file);
  if (!value) return { diagnostics };
  const models = parseFolderConfig(modelConfigSchema, MODEL_CONFIG_KEYS, yaml, unwrapProjectKey(value.models, value.name), ['models'], diagnostics);
  const seeds = parseFolderConfig(seedConfigSchema, SEED_CONFIG_KEYS, yaml, unwrapProjectKey(value.seeds, value.name), ['seeds'], diagnostics);
  const paths = (v: string | string[] | undefined, d: string) => (v === undefined ? [d] : toList(v));
  return {
    diagnostics,
    config: {
      name: value.name,
      profile: value.profile ?? value.name,
      modelPaths: paths(value['model-paths'], 'models'),
      seedPaths: paths(value['seed-paths'], 'seeds'),
      testPaths: paths(value['test-paths'], 'tests'),
      macroPaths: paths(value['macro-paths'], 'macros'),
      snapshotPaths: paths(value['snapshot-paths'], 'snapshots'),
      targetPath: value['target-path'] ?? 'target',
      vars: value.vars ?? {},
      models,
      seeds,
      onRunStart: hookList(value['on-run-start']),
      onRunEnd: hookList(value['on-run-end']),
      yaml,
    },
  };
}

export function hookList(v: string | readonly string[] | undefined): string[] {
  if (v === undefined) return [];
  return (typeof v === 'string' ? [v] : [...v]).filter((s) => s.trim().length > 0);
}

/** dbt nests folder config under the project name (`models: {my_project: {...}}`); accept that. */
function unwrapProjectKey(tree: Record<string, unknown> | undefined, name: string): Record<string, unknown> | undefined {
  if (!tree) return tree;
  const keys = Object.keys(tree);
  const inner = tree[name];
  if (keys.length === 1 && keys[0] === name && inner && typeof inner === 'object' && !Array.isArray(inner)) {
    return inner as Record<string, unknown>;
  }
  return tree;
}
