/**
 * manifest.json is built with its keys in sorted order and written with JSON.stringify (only what
 * is out of order, such as a config as written, is copied). The bytes must not change: every
 * project here is written by the new writer and by the one it replaced (old-manifest-writer.ts,
 * kept verbatim: built in any order, then a sorted deep copy), through the same relativize and
 * redaction, and compared byte for byte: the demo, every compile fixture, a project with one of
 * every node kind (snapshots, unit tests, custom generic tests, templated properties), the same
 * with column lineage and with redacted secrets, and a generated 300-model project.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { generateProject } from '../../bench/generate.mjs';
import { inKeyOrder, sortKeys } from '../../src/artifacts/json.js';
import { writeManifest } from '../../src/artifacts/manifest-file.js';
import { buildManifest, manifestJson, type ColumnLineageMap, type ModelColumnLineage } from '../../src/artifacts/manifest.js';
import { relativize } from '../../src/artifacts/paths.js';
import { compileProject } from '../../src/compile/compile.js';
import { loadProject, newRuntime } from '../../src/index.js';
import { KITCHEN_SINK_ENV, kitchenSinkFiles } from './kitchen-sink.js';
import { oldBuildManifest, oldManifestJson } from './old-manifest-writer.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'etlx-manifest-order-')));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function copy(from: string, name: string, parts?: readonly string[]): string {
  const d = path.join(tmp, name);
  if (parts) for (const p of parts) fs.existsSync(path.join(from, p)) && fs.cpSync(path.join(from, p), path.join(d, p), { recursive: true });
  else fs.cpSync(from, d, { recursive: true, filter: (src) => path.basename(src) !== 'expected.json' });
  return d;
}

function write(name: string, files: Record<string, string>): string {
  const d = path.join(tmp, name);
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(d, rel)), { recursive: true });
    fs.writeFileSync(path.join(d, rel), text);
  }
  return d;
}

/** Both writers on one project: the text each would write to target/manifest.json. */
function bothWriters(dir: string, o: { env?: Record<string, string>; lineage?: boolean } = {}): { before: string; after: string; nodes: number; redacted: boolean } {
  const runtime = newRuntime({ env: { HOME: path.join(tmp, 'home'), ...o.env }, invocationId: 'inv-1', version: '9.9.9', reporter: { emit: () => undefined } as never });
  const s = loadProject({ projectDir: dir, select: [], exclude: [], fullRefresh: false, failFast: false, debug: false }, runtime);
  const compiled = compileProject(s.project, s.ctx);
  const lineage = o.lineage ? lineageOf([...s.project.models.values()].map((m) => m.id)) : undefined;
  const written = writeManifest(s.project, compiled, s.target, path.join(dir, 'target'), runtime, s.secrets, lineage);
  const text = fs.readFileSync(path.join(dir, 'target', 'manifest.json'), 'utf8');
  // The metadata's offset (where a reused manifest is patched) is where its line is.
  expect(Buffer.from(text).subarray(written.metadataAt).toString().startsWith(`    "generated_at": "${written.generatedAt}",\n    "invocation_id": "inv-1",\n`)).toBe(true);
  const meta = { etlxVersion: '9.9.9', generatedAt: written.generatedAt, invocationId: 'inv-1' };
  // Built in order all the way down: nothing left for a sorted copy to change.
  const built = buildManifest(s.project, compiled, s.target, meta, lineage);
  expect(inKeyOrder(built)).toBe(built);
  const before = s.secrets.redactJson(relativize(oldManifestJson(oldBuildManifest(s.project, compiled, s.target, meta, lineage)), s.project.root));
  // The text written in parts is the one JSON.stringify gives of the whole.
  expect(text).toBe(s.secrets.redactJson(relativize(manifestJson(built), s.project.root)));
  return { before, after: text, nodes: s.project.nodes.size, redacted: text.includes('****') };
}

/** Column lineage as docs generate gives it: a declared column in another case, an undeclared one, a note. */
function lineageOf(ids: Iterable<string>): ColumnLineageMap {
  const out = new Map<string, ModelColumnLineage>();
  for (const id of ids) {
    out.set(
      id,
      new Map([
        ['ID', { lineage: [{ node: 'source.x.raw.orders', column: 'id', direct: true }] }],
        ['zz_extra', { lineage: [], note: 'computed' }],
        ['amount', { lineage: [{ node: id, column: 'amount_cents', direct: false }, { node: id, column: 'a', direct: true }] }],
      ]),
    );
  }
  return out;
}

describe('manifest.json built in sorted order: byte-identical to the sorted deep copy', () => {
  it('on the demo project', () => {
    const r = bothWriters(copy(REPO, 'demo', ['etlx.yml', 'models', 'macros', 'tests', 'seeds', 'staging', 'snapshots']));
    expect(r.nodes).toBeGreaterThan(50);
    expect(r.after).toBe(r.before);
  });

  for (const name of fs.readdirSync(path.join(REPO, 'test', 'fixtures', 'compile', 'valid'))) {
    it(`on the compile fixture ${name}`, () => {
      const r = bothWriters(copy(path.join(REPO, 'test', 'fixtures', 'compile', 'valid', name), `fixture-${name}`));
      expect(r.nodes).toBeGreaterThan(0);
      expect(r.after).toBe(r.before);
    });
  }

  it('on a project with snapshots, unit tests, custom generic tests and templated properties', () => {
    const r = bothWriters(write('kitchen', kitchenSinkFiles()));
    expect(r.after).toContain('"resource_type": "snapshot"');
    expect(r.after).toContain('"resource_type": "unit_test"');
    expect(r.after).toContain('"name": "at_least"');
    expect(r.after).toContain('"unrendered_config"');
    expect(r.after).toBe(r.before);
  });

  it('with column lineage (docs generate)', () => {
    const r = bothWriters(write('kitchen-lineage', kitchenSinkFiles()), { lineage: true });
    expect(r.after).toContain('"lineage_note": "computed"');
    expect(r.after).toBe(r.before);
  });

  it('with secrets redacted (a profile value read with {{env}} that a template also reads)', () => {
    const files = kitchenSinkFiles();
    files['profiles.yml'] = 'ks:\n  target: dev\n  outputs:\n    dev: {type: duckdb, path: wh.duckdb, schema: \'{{env "ETLX_KS_SCHEMA"}}\'}\n';
    const r = bothWriters(write('kitchen-secret', files), { env: { ETLX_KS_SCHEMA: 'zq_secret_schema', [KITCHEN_SINK_ENV]: 'zq_secret_schema' } });
    expect(r.redacted).toBe(true);
    expect(r.after).not.toContain('zq_secret_schema');
    expect(r.after).toBe(r.before);
  });

  it('on a generated 300-model project', async () => {
    const dir = path.join(tmp, 'generated');
    await generateProject(dir, { models: 300, rows: 10 });
    const r = bothWriters(dir);
    expect(r.nodes).toBeGreaterThan(300);
    expect(r.after).toBe(r.before);
  });
});

describe('inKeyOrder', () => {
  const cases: Record<string, unknown> = {
    sorted: { a: 1, b: [1, { c: 2, d: 3 }], e: { f: null } },
    unsorted: { b: 1, a: { d: 1, c: 2 }, c: [{ z: 1, y: 2 }] },
    'undefined values': { a: undefined, c: 1, b: undefined, d: [undefined, 1] },
    'integer-like keys': { b: 1, 10: 'x', 9: 'y', a: { 2: 1, 1: 2, '01': 3 } },
    'dates and maps': { a: new Date(0), b: new Map([[1, 2]]), c: [new Date(0)] },
    'null prototype': Object.assign(Object.create(null) as object, { b: 1, a: 2 }),
    'a toJSON key': { a: 1, toJSON: () => 'x' },
    'deep and mixed': { z: [[{ b: 1, a: [{ d: 1, c: 2 }] }]], a: 'x', m: { n: { p: { r: 1, q: 2 } } } },
    'a sparse array': { a: [1, , 3] },
  };
  for (const [name, value] of Object.entries(cases)) {
    it(`gives the same JSON as sortKeys: ${name}`, () => {
      expect(JSON.stringify(inKeyOrder(value), null, 2)).toBe(JSON.stringify(sortKeys(value), null, 2));
    });
  }

  it('returns what is already in order as it is, and copies only the rest', () => {
    const inner = { c: 2, d: 3 };
    const list = [1, inner];
    const v = { a: 1, b: list };
    expect(inKeyOrder(v)).toBe(v);
    const w = { b: list, a: 1 };
    const out = inKeyOrder(w) as { b: unknown };
    expect(out).not.toBe(w);
    expect(out.b).toBe(list);
  });
});
