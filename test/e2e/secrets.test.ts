import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listFilesRec, queryFile } from '../integration/helpers.js';
import { ensureBuilt, etlx, removeTempDirs, tempDir } from './helpers.js';

/**
 * Each leak found in issue 16, end to end: the CLI is spawned with a profile whose values come
 * from {{env}}, and every place text leaves etlx is read back: stdout and stderr (text and
 * --log-format json), target/logs/etlx.log, manifest.json, run_results.json, target/run/**,
 * target/compiled/** and the etlx_meta tables. Each secret carries a marker that no derived
 * form (normalized, absolute, relative, quoted, escaped, URL-encoded) can hide.
 */
beforeAll(() => ensureBuilt(), 180_000);
afterAll(() => removeTempDirs());

function project(files: Record<string, string>): string {
  const d = tempDir('etlx-e2e-secrets-');
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(d, rel)), { recursive: true });
    fs.writeFileSync(path.join(d, rel), text);
  }
  return d;
}

const MODELS = {
  'etlx.yml': 'name: sec\nmodels:\n  materialized: table\n',
  'models/ok.sql': 'select 1 as id\n',
  'models/downstream.sql': 'select id from {{ref "ok"}}\n',
  'models/broken.sql': "select 'x'::integer as id\n",
  'models/props.yml': 'models:\n  - name: ok\n    columns:\n      - name: id\n        tests: [not_null]\n',
};

const profileWith = (lines: string) => `sec:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n${lines}`;

/** Runs etlx with each argument list; returns everything it printed, per run. */
function runAll(dir: string, env: Record<string, string>, runs: readonly (readonly string[])[]): { printed: string[]; json: string[] } {
  const printed: string[] = [];
  const json: string[] = [];
  for (const args of runs) {
    const r = etlx(args, dir, env);
    expect(r.code, `${args.join(' ')}\n${r.stdout}\n${r.stderr}`).not.toBeNull();
    printed.push(`$ etlx ${args.join(' ')}\n${r.stdout}\n${r.stderr}`);
    if (args.includes('json')) json.push(r.stdout);
  }
  return { printed, json };
}

/** Every file under target/, by name. */
function targetFiles(dir: string): Record<string, string> {
  return Object.fromEntries(listFilesRec(path.join(dir, 'target')).map((f) => [f, fs.readFileSync(path.join(dir, 'target', f), 'utf8')]));
}

async function historyRows(db: string): Promise<string> {
  const rows = [];
  for (const table of ['invocations', 'node_results']) rows.push(...(await queryFile(db, `select * from etlx_meta.${table}`)));
  expect(rows.length).toBeGreaterThan(0);
  return JSON.stringify(rows);
}

function expectHidden(texts: Record<string, string>, marker: string): void {
  for (const [where, text] of Object.entries(texts)) expect(text.includes(marker), `${where} shows the secret (${marker}):\n${text.slice(0, 2000)}`).toBe(false);
}

/** Every line of --log-format json output is a JSON document (redaction kept it valid). */
function expectJsonLines(outputs: readonly string[]): void {
  for (const out of outputs) for (const line of out.split('\n').filter((l) => l.trim())) expect(() => JSON.parse(line), line).not.toThrow();
}

describe('values read with {{env}} in a profile never leave etlx, in any form', () => {
  it('a warehouse path is hidden in its normalized form too (./vault/w.duckdb shown as vault/w.duckdb)', async () => {
    const dir = project({ ...MODELS, 'vault-n0rmq/.keep': '', 'profiles.yml': profileWith("      path: '{{env \"ETLX_WH\"}}'\n") });
    const env = { ETLX_WH: './vault-n0rmq/w.duckdb' };
    const { printed, json } = runAll(dir, env, [['compile'], ['build'], ['build', '--log-format', 'json'], ['debug'], ['run', '--select', 'broken', '--debug'], ['ls', '--output', 'json']]);
    const db = path.join(dir, 'vault-n0rmq', 'w.duckdb');
    expect(fs.existsSync(db)).toBe(true);
    expect(printed.join('\n')).toContain('**** (path from the environment)');
    expectJsonLines(json);
    expectHidden({ ...Object.fromEntries(printed.map((p, i) => [`output ${i}`, p])), ...targetFiles(dir), etlx_meta: await historyRows(db) }, 'n0rmq');
  });

  it('a failing attach hides its path: absolute, and in the SQL text with doubled quotes', async () => {
    const dir = project({
      ...MODELS,
      'profiles.yml': profileWith("      path: wh.duckdb\n      attach:\n        - {path: '{{env \"ETLX_ATTACH\"}}', alias: crm, read_only: true}\n"),
    });
    const env = { ETLX_ATTACH: "./o'br1en-vault/crm.duckdb" };
    const { printed, json } = runAll(dir, env, [['build'], ['build', '--log-format', 'json'], ['debug'], ['run', '--debug']]);
    const all = printed.join('\n');
    // The attach really failed, and said so: the error is there, the path is not.
    expect(all).toContain("the profile's setup failed: attach if not exists '****' as \"crm\"");
    expectJsonLines(json);
    expectHidden({ ...Object.fromEntries(printed.map((p, i) => [`output ${i}`, p])), ...targetFiles(dir) }, 'br1en');
  });

  it('a schema from {{env}} reaches the warehouse but is hidden in manifest, run_results, target/run, target/compiled and etlx_meta', async () => {
    const dir = project({ ...MODELS, 'profiles.yml': profileWith("      path: wh.duckdb\n      schema: '{{env \"ETLX_SCHEMA\"}}'\n") });
    const env = { ETLX_SCHEMA: 'sch_k3yz9' };
    const { printed, json } = runAll(dir, env, [['compile'], ['build'], ['build', '--log-format', 'json'], ['debug']]);
    const db = path.join(dir, 'wh.duckdb');
    // The SQL sent to the warehouse used the real schema.
    expect(await queryFile(db, 'select id from sch_k3yz9.downstream')).toEqual([{ id: 1 }]);
    const files = targetFiles(dir);
    // Relation names keep their shape, with the schema redacted.
    const manifest = JSON.parse(files['manifest.json']!) as { nodes: Record<string, { relation_name?: string }> };
    expect(manifest.nodes['model.sec.ok']!.relation_name).toBe('"****"."ok"');
    const results = JSON.parse(files['run_results.json']!) as { results: { name: string; relation_name?: string }[] };
    expect(results.results.find((r) => r.name === 'ok')!.relation_name).toBe('"****"."ok"');
    expect(files['run/models/downstream.sql']).toContain('"****"."ok"');
    expect(files['compiled/models/downstream.sql']).toContain('"****"."ok"');
    const history = await queryFile(db, "select relation from etlx_meta.node_results where unique_id = 'model.sec.ok'");
    expect(history.map((r) => r.relation)).toContain('"****"."ok"');
    expectJsonLines(json);
    expectHidden({ ...Object.fromEntries(printed.map((p, i) => [`output ${i}`, p])), ...files, etlx_meta: await historyRows(db) }, 'k3yz9');
  });

  it('a secret containing " and \\ is hidden in --log-format json output and target/logs/etlx.log, where JSON escapes it', async () => {
    const dir = project({ ...MODELS, 'profiles.yml': profileWith("      path: wh.duckdb\n      schema: '{{env \"ETLX_SCHEMA\"}}'\n") });
    const secret = 'q"uo\\te_m4rk';
    const env = { ETLX_SCHEMA: secret };
    const { printed, json } = runAll(dir, env, [['build', '--log-format', 'json'], ['run', '--select', 'broken', '--log-format', 'json'], ['build']]);
    const db = path.join(dir, 'wh.duckdb');
    expect(await queryFile(db, `select id from "q""uo\\te_m4rk".downstream`)).toEqual([{ id: 1 }]);
    expectJsonLines(json);
    const log = fs.readFileSync(path.join(dir, 'target', 'logs', 'etlx.log'), 'utf8');
    expectJsonLines([log]);
    expect(json.join('')).toContain('****');
    expectHidden({ ...Object.fromEntries(printed.map((p, i) => [`output ${i}`, p])), ...targetFiles(dir), etlx_meta: await historyRows(db) }, 'm4rk');
  });
});
