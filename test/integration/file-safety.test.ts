/**
 * Issue 16, file models: a location is confined to what etlx may replace, staging output belongs
 * to one run and no reader sees it. Each test is named after what it protects.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { stagingKey } from '../../src/materialize/file.js';
import { commitOutput } from '../../src/run/file-moves.js';
import { FileOutputs } from '../../src/run/file-outputs.js';
import { Faults } from '../../src/run/faults.js';
import { listFilesRec, lit, runWithFault, TestProject } from './helpers.js';


const projects: TestProject[] = [];
function project(name: string, files: Record<string, string>): TestProject {
  const p = new TestProject(name, files);
  projects.push(p);
  return p;
}
afterEach(() => {
  for (const p of projects.splice(0)) p.cleanup();
});

const fileModel = (config: string, sql = 'select 1 as k, 2 as v') => `{{config materialized="file" ${config}}}\n${sql}`;

describe('a file model location is confined', () => {
  it('location "." with partition_by is a compile-time error and the project folder stays', async () => {
    const p = project('root', { 'models/x.sql': fileModel('location="." partition_by="k"') });
    const r = await p.run('build');
    expect(r.code, r.output).toBe(2);
    expect(r.output).toContain('models/x.sql:1');
    expect(r.output).toContain('is the project folder');
    expect(p.exists('etlx.yml')).toBe(true);
    expect(p.exists('models/x.sql')).toBe(true);
  });

  it('location "models" is a compile-time error and every model stays', async () => {
    const p = project('mods', { 'models/x.sql': fileModel('location="models" partition_by="k"'), 'models/y.sql': 'select 1 as a' });
    const r = await p.run('build');
    expect(r.code, r.output).toBe(2);
    expect(r.output).toContain('project folder models');
    expect(fs.readdirSync(p.path('models')).sort()).toEqual(['x.sql', 'y.sql']);
  });

  it('location at the warehouse file is a compile-time error and the warehouse stays', async () => {
    const p = project('wh', { 'models/a.sql': '{{config materialized="table"}}\nselect 1 as a' });
    expect((await p.run('build')).code).toBe(0);
    p.write({ 'models/x.sql': fileModel('location="wh.duckdb"') });
    const r = await p.run('build');
    expect(r.code, r.output).toBe(2);
    expect(r.output).toContain('the warehouse');
    expect(await p.query('select a from main.a')).toEqual([{ a: 1 }]);
  });

  it('a location outside the project needs allow_outside_project: true', async () => {
    const outside = fs.mkdtempSync(path.join(os.tmpdir(), 'etlx-out-'));
    try {
      const loc = path.join(outside, 'x.parquet');
      const p = project('outside', { 'models/x.sql': fileModel(`location=${JSON.stringify(loc)}`) });
      const refused = await p.run('build');
      expect(refused.code, refused.output).toBe(2);
      expect(refused.output).toContain('allow_outside_project');
      p.write({ 'models/x.sql': fileModel(`location=${JSON.stringify(loc)} allow_outside_project=true`) });
      const r = await p.run('build');
      expect(r.code, r.output).toBe(0);
      expect(await p.queryMemory(`select v from read_parquet(${lit(loc)})`)).toEqual([{ v: 2 }]);
    } finally {
      fs.rmSync(outside, { recursive: true, force: true });
    }
  });

  it("an existing file etlx did not create is refused before anything runs, and stays as it was", async () => {
    const p = project('foreign', { 'models/x.sql': fileModel('location="exports/x.parquet"'), 'exports/x.parquet': 'my own data' });
    const r = await p.run('build');
    expect(r.code, r.output).toBe(2);
    expect(r.output).toContain('etlx did not create it');
    expect(p.read('exports/x.parquet')).toBe('my own data');
    expect(p.exists('foreign.duckdb')).toBe(false);
  });

  it('a folder holding a file etlx did not write is refused for a partitioned model', async () => {
    const p = project('folder', { 'models/x.sql': fileModel('location="exports/x" partition_by="k"'), 'exports/x/notes.txt': 'keep me' });
    const r = await p.run('build');
    expect(r.code, r.output).toBe(2);
    expect(r.output).toContain('notes.txt');
    expect(p.read('exports/x/notes.txt')).toBe('keep me');
  });

  it('etlx still owns its exports after etlx clean, and a file changed since is refused', async () => {
    const p = project('owned', { 'models/x.sql': fileModel('location="exports/x.parquet"'), 'models/y.sql': fileModel('location="exports/y" partition_by="k"') });
    expect((await p.run('build')).code).toBe(0);
    expect((await p.run('clean')).code).toBe(0);
    expect(p.exists('target')).toBe(false);
    const again = await p.run('build');
    expect(again.code, again.output).toBe(0);
    fs.writeFileSync(p.path('exports/x.parquet'), 'replaced by a person');
    const r = await p.run('build');
    expect(r.code, r.output).toBe(2);
    expect(r.output).toContain('changed since etlx wrote it');
    expect(p.read('exports/x.parquet')).toBe('replaced by a person');
  });

  it('a partitioned dataset written by an etlx without records (etlx naming only) is adopted', async () => {
    const p = project('legacy', { 'models/y.sql': fileModel('location="exports/y" partition_by="k"') });
    expect((await p.run('build')).code).toBe(0);
    fs.rmSync(p.path('.etlx-outputs'), { recursive: true, force: true });
    const r = await p.run('build');
    expect(r.code, r.output).toBe(0);
  });
});

describe('staging output belongs to one run, and no reader sees it', () => {
  it("another live run's staging output on a shared location is left alone; a dead one's is discarded", async () => {
    const p = project('shared', { 'models/x.sql': fileModel('location="exports/x" partition_by="k"') });
    expect((await p.run('build')).code).toBe(0);
    const final = p.path('exports/x');
    const staging = p.path('.etlx-outputs/staging');
    // The in-flight run of another target: a live helper process owns its staging copy.
    const helper = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    try {
      const live = path.join(staging, `${stagingKey(final)}.tmp-aaaaaaaa`);
      fs.mkdirSync(path.join(live, 'k=1'), { recursive: true });
      fs.writeFileSync(path.join(live, 'k=1', 'data_0.parquet'), 'in flight');
      fs.writeFileSync(`${live}.owner.json`, JSON.stringify({ pid: helper.pid, host: os.hostname() }));
      // A run that died: its PID is gone.
      const dead = spawnSync(process.execPath, ['-e', '0']);
      const deadCopy = path.join(staging, `${stagingKey(final)}.tmp-bbbbbbbb`);
      fs.mkdirSync(deadCopy, { recursive: true });
      fs.writeFileSync(`${deadCopy}.owner.json`, JSON.stringify({ pid: dead.pid, host: os.hostname() }));
      const r = await p.run('build');
      expect(r.code, r.output).toBe(0);
      expect(r.output).toContain('discarded');
      expect(fs.readFileSync(path.join(live, 'k=1', 'data_0.parquet'), 'utf8')).toBe('in flight');
      expect(fs.existsSync(deadCopy)).toBe(false);
    } finally {
      helper.kill('SIGKILL');
    }
  });

  it("another live run's journaled move into a shared location is left alone, and this run does not move over it", async () => {
    const p = project('movers', { 'models/x.sql': fileModel('location="exports/x.parquet"') });
    expect((await p.run('build')).code).toBe(0);
    const final = p.path('exports/x.parquet');
    const staging = p.path('.etlx-outputs/staging');
    const helper = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    try {
      const theirs = path.join(staging, `${stagingKey(final)}.tmp-cccccccc`);
      fs.writeFileSync(theirs, 'their new output');
      const journal = JSON.stringify({ version: 2, mode: 'replace', final, staging: theirs, old: path.join(staging, `${stagingKey(final)}.old-cc`), owner: { pid: helper.pid, host: os.hostname() } });
      fs.writeFileSync(p.path('exports/.x.parquet.etlx-move.json'), journal);
      const before = fs.readFileSync(final);
      const r = await p.run('build');
      expect(r.code, r.output).toBe(1);
      expect(r.output).toContain(`another etlx run (pid ${helper.pid}`);
      expect(fs.readFileSync(theirs, 'utf8')).toBe('their new output');
      expect(fs.readFileSync(p.path('exports/.x.parquet.etlx-move.json'), 'utf8')).toBe(journal);
      expect(fs.readFileSync(final).equals(before)).toBe(true);
      // Nothing of this run's is left in the staging folder.
      expect(fs.readdirSync(staging).sort()).toEqual([path.basename(theirs)]);
    } finally {
      helper.kill('SIGKILL');
    }
  });

  it('a run whose staged output vanished fails instead of reporting rows', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'etlx-gone-'));
    try {
      expect(() => commitOutput('replace', path.join(dir, 'x'), path.join(dir, 'gone'), 't', undefined, dir)).toThrow(/staged output .* is gone/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('under --atomic a staged output that vanished before COMMIT is found, so the run rolls back', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'etlx-atomic-'));
    try {
      const files = new FileOutputs(new Faults({}), 'tag', true, root);
      const final = path.join(root, 'exports', 'x.parquet');
      const staging = files.stagingPath(final, '0123abcd-0000');
      files.prepareStaging(staging, false);
      fs.writeFileSync(staging, 'staged');
      files.commit('replace', final, staging);
      expect(files.missingPending()).toEqual([]);
      fs.rmSync(staging);
      expect(files.missingPending()).toEqual([final]);
    } finally {
      fs.rmSync(root, { recursive: true, force: true });
    }
  });

  it('a reader glob over the exports tree after a crashed run sees only the committed dataset', async () => {
    const p = project('reader', {
      'models/x.sql': fileModel('location="exports/x" partition_by="k"', 'select i % 4 as k, i from range({{var "n" 100}}) t(i)'),
    });
    expect((await p.run('build')).code).toBe(0);
    // Killed once the new output (200 rows) is staged, before it is moved into place.
    const child = runWithFault(p.dir, 'after-copy', ['run', '--vars', '{n: 200}']);
    expect(child.signal).toBe('SIGKILL');
    expect(listFilesRec(p.path('.etlx-outputs/staging')).some((f) => f.endsWith('.parquet'))).toBe(true);
    const glob = lit(p.path('exports/**/*.parquet'));
    expect(await p.queryMemory(`select count(*)::integer as n from read_parquet(${glob})`)).toEqual([{ n: 100 }]);
    // Every file the glob matches is a partition of the committed dataset.
    expect(await p.queryMemory(`select count(*)::integer as n from glob(${glob}) where file not like ${lit(`${p.path('exports/x/k=')}%`)}`)).toEqual([{ n: 0 }]);
  }, 30_000);
});
