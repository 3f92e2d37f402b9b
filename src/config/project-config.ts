import type { Diagnostic } from '../errors/diagnostic.js';
import { parseFolderConfig, type FolderConfig } from './folder-config.js';
import {
  MODEL_CONFIG_KEYS,
  SEED_CONFIG_KEYS,
  modelConfigSchema,
  projectFileSchema,
  seedConfigSchema,
  toList,
  type RawNotify,
  type RunStatusWord,
  type RawModelConfig,
  type RawSeedConfig,
} from './schemas.js';
import { parseTemplate } from '../template/parse.js';
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
  /** `notify:` entries; absent when etlx.yml has none. */
  readonly notify?: readonly NotifyConfig[];
  readonly yaml: YamlFile;
}

/**
 * Where to send a run's outcome. Header values and the URL may hold `{{env}}` templates: they
 * are rendered only when sending, and what they read is a secret.
 */
export interface NotifyConfig {
  /** `name:`, else `notify[<index>]`: how warnings and history name it. */
  readonly name: string;
  readonly on: readonly RunStatusWord[];
  readonly target:
    | { readonly kind: 'webhook'; readonly url: string; readonly headers: Readonly<Record<string, string>>; readonly format: 'json' | 'slack' }
    | { readonly kind: 'command'; readonly argv: readonly string[] };
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
  const notify = value.notify?.map((n, i) => notifyConfigOf(n, i, yaml, diagnostics));
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
      ...(notify ? { notify } : {}),
      yaml,
    },
  };
}

function notifyConfigOf(n: RawNotify, i: number, yaml: YamlFile, diagnostics: Diagnostic[]): NotifyConfig {
  const name = n.name ?? `notify[${i}]`;
  const on = n.on === undefined ? ['error' as const] : typeof n.on === 'string' ? [n.on] : n.on;
  const problem = (message: string, hint: string, key?: string) => {
    const loc = yaml.locate(key ? ['notify', i, key] : ['notify', i], key !== undefined);
    diagnostics.push({ code: 'E_CONFIG_VALUE', message: `${name} in ${PROJECT_FILE}: ${message}`, file: PROJECT_FILE, line: loc?.line, column: loc?.column, hint });
  };
  if ((n.webhook === undefined) === (n.command === undefined)) {
    problem('a notification has either webhook: or command:, and not both', 'e.g. webhook: https://hooks.example.com/etlx, or command: [./ops/page-oncall.sh]');
  } else if (n.webhook !== undefined && !n.webhook.includes('{{') && !/^https?:\/\/[^\s/]+/.test(n.webhook)) {
    problem(`webhook must be an http:// or https:// URL, not "${n.webhook}"`, 'e.g. webhook: https://hooks.example.com/etlx', 'webhook');
  } else if (n.command !== undefined && (n.headers !== undefined || n.format !== undefined)) {
    problem('headers: and format: apply to a webhook, not a command', 'a command gets the JSON document on its stdin', n.headers !== undefined ? 'headers' : 'format');
  }
  // Templates are rendered only when sending; their syntax is checked now, with the project.
  const templated: [string, string][] = [...(n.webhook !== undefined ? [['webhook', n.webhook] as [string, string]] : []), ...Object.values(n.headers ?? {}).map((v) => ['headers', v] as [string, string])];
  for (const [key, v] of templated) {
    const bad = v.includes('{{') ? parseTemplate(v).problems[0] : undefined;
    if (bad) problem(`invalid template in ${key}: ${bad.message}`, 'use {{env "NAME"}} or {{env "NAME" "default"}}', key);
  }
  const target: NotifyConfig['target'] =
    n.command !== undefined ? { kind: 'command', argv: n.command } : { kind: 'webhook', url: n.webhook ?? '', headers: n.headers ?? {}, format: n.format ?? 'json' };
  return { name, on, target };
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
