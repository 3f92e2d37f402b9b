import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EtlxError } from '../../../src/errors/diagnostic.js';
import { readText, sha1, toPosix, walk } from '../../../src/project/files.js';
import { loadProjectFiles } from '../../../src/project/load.js';
import { FileTemplateCache } from '../../../src/project/template-cache.js';
import { parseTemplate } from '../../../src/template/parse.js';

let root: string;
beforeEach(() => {
  root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'etlx-load-')));
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

function write(files: Record<string, string>): void {
  for (const [rel, text] of Object.entries(files)) {
    const file = path.join(root, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
  }
}

describe('loadProjectFiles', () => {
  it('reads models, properties, seeds, tests and macros, sorted, with posix project-relative paths', () => {
    write({
      'etlx.yml': 'name: shop\n',
      'models/b.sql': 'select 2',
      'models/a/z.sql': 'select 1',
      'models/a/props.yml': 'models: []\n',
      'models/x.yaml': 'models: []\n',
      'models/notes.md': 'ignored',
      'models/.hidden/secret.sql': 'select 3',
      'seeds/countries.csv': 'a\n1\n',
      'seeds/seeds.yml': 'seeds: []\n',
      'tests/t.sql': 'select 1 where false',
      'macros/finance/cents.sql': 'x',
    });
    const f = loadProjectFiles(root);
    expect(f.root).toBe(root);
    expect(f.config.name).toBe('shop');
    expect(f.models.map((m) => m.path)).toEqual(['models/a/z.sql', 'models/b.sql']);
    expect(f.properties.map((m) => m.path)).toEqual(['models/a/props.yml', 'models/x.yaml', 'seeds/seeds.yml']);
    expect(f.seeds.map((s) => s.path)).toEqual(['seeds/countries.csv']);
    expect(f.tests.map((t) => t.path)).toEqual(['tests/t.sql']);
    expect(f.macros.map((m) => m.path)).toEqual(['macros/finance/cents.sql']);
    const b = f.models[1]!;
    expect(b).toEqual({ path: 'models/b.sql', absPath: path.join(root, 'models/b.sql'), text: 'select 2', checksum: sha1('select 2') });
    expect(f.seeds[0]!.checksum).toBe(sha1(Buffer.from('a\n1\n')));
  });

  it('follows custom paths from etlx.yml and tolerates missing folders', () => {
    write({ 'etlx.yml': 'name: shop\nmodel-paths: [src, extra]\nseed-paths: data\nmacro-paths: [lib]\n', 'src/a.sql': 'select 1', 'data/s.csv': 'x\n', 'lib/m.sql': 'x' });
    const f = loadProjectFiles(root);
    expect(f.models.map((m) => m.path)).toEqual(['src/a.sql']);
    expect(f.seeds.map((s) => s.path)).toEqual(['data/s.csv']);
    expect(f.macros.map((s) => s.path)).toEqual(['lib/m.sql']);
    expect(f.tests).toEqual([]);
  });

  it('a properties file under two configured roots is read once', () => {
    write({ 'etlx.yml': 'name: shop\nmodel-paths: [models]\nseed-paths: [models]\n', 'models/p.yml': 'models: []\n' });
    expect(loadProjectFiles(root).properties.map((p) => p.path)).toEqual(['models/p.yml']);
  });

  it('no etlx.yml is E_PROJECT_NOT_FOUND (exit 2)', () => {
    try {
      loadProjectFiles(root);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(EtlxError);
      expect((e as EtlxError).exitCode).toBe(2);
      expect((e as EtlxError).diagnostics[0]).toMatchObject({ code: 'E_PROJECT_NOT_FOUND', message: `no etlx.yml in ${root}` });
    }
  });

  it('a broken etlx.yml throws its diagnostics', () => {
    write({ 'etlx.yml': 'name: shop\nmodle-paths: [x]\n' });
    expect(() => loadProjectFiles(root)).toThrow(EtlxError);
    try {
      loadProjectFiles(root);
    } catch (e) {
      expect((e as EtlxError).diagnostics).toMatchObject([{ code: 'E_CONFIG_UNKNOWN_KEY', file: 'etlx.yml', line: 2 }]);
    }
  });
});

describe('files helpers', () => {
  it('walk lists matching files recursively, sorted, skipping dot entries', () => {
    write({ 'd/b.sql': '', 'd/a/c.sql': '', 'd/.git/x.sql': '', 'd/e.txt': '' });
    expect(walk(root, 'd', ['.sql']).map((f) => path.relative(root, f))).toEqual([path.join('d', 'a', 'c.sql'), path.join('d', 'b.sql')]);
    expect(walk(root, 'missing', ['.sql'])).toEqual([]);
  });

  it('readText keeps the text and its sha1; toPosix uses forward slashes', () => {
    write({ 'a/b.sql': 'select 1' });
    expect(readText(root, path.join(root, 'a', 'b.sql'))).toMatchObject({ path: 'a/b.sql', text: 'select 1', checksum: sha1('select 1') });
    expect(sha1('abc')).toBe('a9993e364706816aba3e25717850c26c9cd0d89d');
    expect(toPosix(['a', 'b', 'c'].join(path.sep))).toBe('a/b/c');
  });
});

describe('FileTemplateCache', () => {
  const ir = parseTemplate('select * from {{ref "a"}}');

  it('saves parsed templates under target/.cache and reads them back', () => {
    const target = path.join(root, 'target');
    const first = FileTemplateCache.forTarget(target);
    expect(first.get('k1')).toBeUndefined();
    first.set('k1', ir);
    first.save();
    const file = path.join(target, '.cache', 'templates.json');
    expect(JSON.parse(fs.readFileSync(file, 'utf8'))).toEqual({ version: 1, entries: { k1: ir } });
    expect(FileTemplateCache.forTarget(target).get('k1')).toEqual(ir);
  });

  it('keeps only the entries used by the last compile', () => {
    const target = path.join(root, 'target');
    const a = FileTemplateCache.forTarget(target);
    a.set('old', ir);
    a.set('kept', ir);
    a.save();
    const b = FileTemplateCache.forTarget(target);
    expect(b.get('kept')).toEqual(ir);
    b.save();
    const c = FileTemplateCache.forTarget(target);
    expect(c.get('old')).toBeUndefined();
    expect(c.get('kept')).toEqual(ir);
  });

  it('does not rewrite the file when nothing changed', () => {
    const target = path.join(root, 'target');
    const a = FileTemplateCache.forTarget(target);
    a.set('k', ir);
    a.save();
    const file = path.join(target, '.cache', 'templates.json');
    const before = fs.statSync(file).mtimeMs;
    fs.utimesSync(file, new Date(0), new Date(0));
    const b = FileTemplateCache.forTarget(target);
    b.get('k');
    b.save();
    expect(fs.statSync(file).mtimeMs).toBe(0);
    expect(before).toBeGreaterThan(0);
  });

  it('ignores a damaged cache or one of another version', () => {
    const file = path.join(root, 'templates.json');
    fs.writeFileSync(file, '{not json');
    expect(new FileTemplateCache(file).get('k')).toBeUndefined();
    fs.writeFileSync(file, JSON.stringify({ version: 999, entries: { k: ir } }));
    expect(new FileTemplateCache(file).get('k')).toBeUndefined();
  });
});
