/**
 * The JSON Schemas in schemas/: generated from the zod schemas (the committed files are current),
 * they accept the demo project's files and a new project's, and they reject typos.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import { parse } from 'yaml';
import { describe, expect, it } from 'vitest';
import { jsonSchemaFiles, type SchemaFileName } from '../../../src/config/json-schemas.js';
import { initProject } from '../../../src/project/init.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const ajv = new Ajv({ allErrors: true, strict: false });
const validators = new Map<SchemaFileName, ValidateFunction>();
function validate(file: SchemaFileName, data: unknown): { ok: boolean; errors: string } {
  let v = validators.get(file);
  if (!v) {
    v = ajv.compile(JSON.parse(fs.readFileSync(path.join(REPO, 'schemas', file), 'utf8')) as object);
    validators.set(file, v);
  }
  const ok = v(data);
  return { ok, errors: ajv.errorsText(v.errors) };
}
const yamlOf = (file: string) => parse(fs.readFileSync(file, 'utf8')) as unknown;

function ymlFiles(dir: string): string[] {
  return fs.readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.yml')).map((f) => path.join(dir, f));
}

describe('JSON Schemas', () => {
  it('are generated from the zod schemas: the committed files are current', () => {
    for (const [file, text] of Object.entries(jsonSchemaFiles())) {
      expect(fs.readFileSync(path.join(REPO, 'schemas', file), 'utf8'), `schemas/${file} is stale: run npm run build`).toBe(text);
    }
  });

  it("accept the demo's etlx.yml, properties files and profiles", () => {
    expect(validate('etlx.schema.json', yamlOf(path.join(REPO, 'etlx.yml')))).toEqual({ ok: true, errors: 'No errors' });
    const props = ymlFiles(path.join(REPO, 'models'));
    expect(props.length).toBeGreaterThanOrEqual(4);
    for (const f of props) expect(validate('properties.schema.json', yamlOf(f)), f).toEqual({ ok: true, errors: 'No errors' });
    expect(validate('profiles.schema.json', yamlOf(path.join(REPO, 'profiles.example.yml')))).toEqual({ ok: true, errors: 'No errors' });
  });

  it('reject typos', () => {
    const project = yamlOf(path.join(REPO, 'etlx.yml')) as Record<string, unknown>;
    const { name, ...rest } = project;
    expect(validate('etlx.schema.json', { ...rest, nmae: name }).ok).toBe(false);
    expect(validate('etlx.schema.json', { ...project, 'model-path': 'models' }).errors).toMatch(/additional properties/);
    expect(validate('properties.schema.json', { models: [{ name: 'a', columns: [{ name: 'x', descripton: 'typo' }] }] }).ok).toBe(false);
    expect(validate('properties.schema.json', { models: [{ name: 'a', config: { materialized: 'tabel' } }] }).ok).toBe(false);
    expect(validate('properties.schema.json', { models: [{ name: 'a', config: { materialised: 'table' } }] }).ok).toBe(false);
    expect(validate('properties.schema.json', { sources: [{ name: 's', tables: [{ name: 't', locaton: 'x.parquet' }] }] }).ok).toBe(false);
    expect(validate('profiles.schema.json', { p: { target: 'dev', outputs: { dev: { tpye: 'duckdb' } } } }).ok).toBe(false);
    expect(validate('profiles.schema.json', { p: { target: 'dev', outputs: { dev: { type: 'duckdb', thread: 4 } } } }).ok).toBe(false);
  });

  it('etlx init writes the modeline that points at them, and its files validate', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'etlx-schema-init-'));
    try {
      const root = path.join(dir, 'shop');
      initProject(root);
      // etlx.yml keeps `name:` on its first line, so its modeline is the second line.
      const cases: [string, SchemaFileName, string, number][] = [
        ['etlx.yml', 'etlx.schema.json', 'node_modules/etlx/schemas/etlx.schema.json', 1],
        ['profiles.example.yml', 'profiles.schema.json', 'node_modules/etlx/schemas/profiles.schema.json', 0],
        ['models/schema.yml', 'properties.schema.json', '../node_modules/etlx/schemas/properties.schema.json', 0],
      ];
      for (const [rel, schema, ref, line] of cases) {
        const text = fs.readFileSync(path.join(root, rel), 'utf8');
        expect(text.split('\n')[line]).toBe(`# yaml-language-server: $schema=${ref}`);
        // The path the modeline names resolves to the shipped file once etlx is in node_modules.
        expect(path.posix.basename(ref)).toBe(schema);
        expect(validate(schema, parse(text))).toEqual({ ok: true, errors: 'No errors' });
      }
      const vscode = JSON.parse(fs.readFileSync(path.join(root, '.vscode', 'settings.json'), 'utf8')) as Record<string, Record<string, string>>;
      expect(vscode['yaml.schemas']).toEqual({ './node_modules/etlx/schemas/etlx.schema.json': 'etlx.yml' });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
