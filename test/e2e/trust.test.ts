import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BIN, copyDemo, copyFixture, ensureBuilt, etlx, removeTempDirs, STACK_LINE, tempDir } from './helpers.js';

/**
 * Issue 16 ("Trust"): commands and inputs that crashed, hung or destroyed files. Each test is
 * named after what it protects.
 */
beforeAll(() => ensureBuilt());
afterAll(() => removeTempDirs());

describe('--threads and profile threads are bounded before anything is created', () => {
  it('--threads 99999999999 is exit 2 and creates no warehouse', () => {
    const d = copyFixture('valid', 'minimal');
    const r = etlx(['build', '--threads', '99999999999'], d);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--threads must be at most 1024');
    expect(r.stderr).not.toMatch(STACK_LINE);
    expect(fs.existsSync(path.join(d, 'minimal.duckdb'))).toBe(false);
  });

  it('threads: 5000 in a profile is exit 2 at its line and creates no warehouse', () => {
    const d = copyFixture('valid', 'minimal');
    fs.writeFileSync(path.join(d, 'profiles.yml'), 'minimal:\n  outputs:\n    dev:\n      type: duckdb\n      path: w.duckdb\n      threads: 5000\n');
    const r = etlx(['build'], d);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('profiles.yml:6');
    expect(r.stderr).toContain('must be at most 1024');
    expect(fs.existsSync(path.join(d, 'w.duckdb'))).toBe(false);
  });
});

describe('inputs that crashed or hung', () => {
  it('a dangling symlink under models/ is exit 2 naming the file, not an internal ENOENT', () => {
    const d = copyFixture('valid', 'minimal');
    fs.symlinkSync('missing.sql', path.join(d, 'models', 'gone.sql'));
    const r = etlx(['compile'], d);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('models/gone.sql not a regular file: a symbolic link to a missing file');
    expect(r.stderr).not.toContain('internal');
  });

  it('a FIFO named models/x.sql is refused at once instead of hanging compile', () => {
    const d = copyFixture('valid', 'minimal');
    expect(spawnSync('mkfifo', [path.join(d, 'models', 'x.sql')]).status).toBe(0);
    const r = etlx(['compile'], d);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('models/x.sql not a regular file: a named pipe (FIFO)');
  });

  it('a FIFO as etlx.yml or profiles.yml is refused at once instead of hanging', () => {
    const d = copyFixture('valid', 'minimal');
    expect(spawnSync('mkfifo', [path.join(d, 'profiles.yml')]).status).toBe(0);
    const p = etlx(['compile'], d);
    expect(p.code).toBe(2);
    expect(p.stderr).toContain('profiles.yml is a FIFO, not a file etlx can read');
    fs.rmSync(path.join(d, 'profiles.yml'));
    fs.rmSync(path.join(d, 'etlx.yml'));
    expect(spawnSync('mkfifo', [path.join(d, 'etlx.yml')]).status).toBe(0);
    const e = etlx(['compile'], d);
    expect(e.code).toBe(2);
    expect(e.stderr).toContain('etlx.yml is a FIFO, not a file etlx can read');
  });

  it('a YAML alias bomb in a var that a model reads is exit 2 at its line, not gigabytes of memory', () => {
    const d = copyFixture('valid', 'minimal');
    const levels = ['  a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]'];
    for (const [prev, k] of [...'abcdefgh'].map((p, i) => [p, 'bcdefghi'[i]!])) levels.push(`  ${k}: &${k} [${Array(9).fill(`*${prev}`).join(', ')}]`);
    fs.writeFileSync(path.join(d, 'etlx.yml'), `name: minimal\nvars:\n${levels.join('\n')}\n`);
    fs.writeFileSync(path.join(d, 'models', 'bomb.sql'), 'select {{var "i"}} as x\n');
    const r = etlx(['compile'], d);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('etlx.yml:11:');
    expect(r.stderr).toContain('YAML aliases here expand to more than 1,000,000 values');
  });
});

describe('etlx init never overwrites a file', () => {
  it('in an existing folder it creates what is missing and names what it kept', () => {
    const d = tempDir();
    fs.writeFileSync(path.join(d, '.gitignore'), 'node_modules/\n');
    fs.mkdirSync(path.join(d, 'models'));
    fs.writeFileSync(path.join(d, 'models', 'schema.yml'), '# mine\n');
    fs.mkdirSync(path.join(d, 'seeds'));
    fs.writeFileSync(path.join(d, 'seeds', 'orders.csv'), 'order_id,customer_id,amount,status\n1,1,5,paid\n');
    const r = etlx(['init', '.'], d);
    expect(r.code).toBe(0);
    expect(fs.readFileSync(path.join(d, '.gitignore'), 'utf8')).toBe('node_modules/\n');
    expect(fs.readFileSync(path.join(d, 'models', 'schema.yml'), 'utf8')).toBe('# mine\n');
    expect(fs.readFileSync(path.join(d, 'seeds', 'orders.csv'), 'utf8')).toBe('order_id,customer_id,amount,status\n1,1,5,paid\n');
    const [created, kept] = r.stdout.split('Kept, already there and left unchanged:\n');
    expect(created).toContain(`Created a project in ${d}:`);
    expect(created).toContain('  etlx.yml\n');
    expect(created).toContain('  seeds/customers.csv\n');
    expect(created).not.toContain('seeds/orders.csv');
    expect(kept).toMatch(/^ {2}\.gitignore\n {2}models\/schema\.yml\n {2}seeds\/orders\.csv\n/);
    expect(r.stdout).toContain('Your .gitignore lacks these lines');
    expect(fs.existsSync(path.join(d, 'etlx.yml'))).toBe(true);
  });

  it('a symlink in the way is kept, not followed and overwritten', () => {
    const d = tempDir();
    const outside = path.join(tempDir(), 'precious.txt');
    fs.writeFileSync(outside, 'precious');
    fs.symlinkSync(outside, path.join(d, 'profiles.example.yml'));
    expect(etlx(['init', '.'], d).code).toBe(0);
    expect(fs.readFileSync(outside, 'utf8')).toBe('precious');
  });

  it('init <file>/sub is exit 2 naming the file, not an internal ENOTDIR', () => {
    const d = tempDir();
    fs.writeFileSync(path.join(d, 'f'), 'x');
    const r = etlx(['init', 'f/sub'], d);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`cannot create ${path.join(d, 'f', 'sub')}: ${path.join(d, 'f')} is a file, not a folder`);
    expect(r.stderr).not.toContain('internal');
    expect(r.stderr).not.toMatch(STACK_LINE);
  });

  it('init in a folder where a scaffold folder is a file stops before writing anything', () => {
    const d = tempDir();
    fs.writeFileSync(path.join(d, 'models'), 'x');
    const r = etlx(['init', '.'], d);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('models is a file, but the project needs a folder models/ there');
    expect(fs.readdirSync(d)).toEqual(['models']);
  });

  it.runIf(fs.existsSync('/proc/self'))('init /proc/x returns at once with exit 2 instead of spinning', () => {
    const r = etlx(['init', '/proc/etlx-init-test'], tempDir());
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('/proc/etlx-init-test');
    expect(r.stderr).toContain('hint:');
  });

  it("the scaffold's .gitignore ignores exports/ and etlx's staging and journal names", () => {
    const parent = tempDir();
    expect(etlx(['init', 'p'], parent).code).toBe(0);
    const d = path.join(parent, 'p');
    expect(spawnSync('git', ['init', '-q'], { cwd: d }).status).toBe(0);
    const ignored = (p: string) => spawnSync('git', ['check-ignore', '-q', '--no-index', p], { cwd: d }).status === 0;
    for (const p of [
      'target/manifest.json',
      'p.duckdb',
      'p.duckdb.wal',
      'profiles.yml',
      'exports/daily.parquet',
      'exports/.daily.parquet.etlx-tmp-1a2b3c4d/data.parquet',
      'out/.daily.etlx-old-1a2b3c4d/x.parquet',
      'out/.daily.etlx-move.json',
    ]) {
      expect(ignored(p), p).toBe(true);
    }
    for (const p of ['etlx.yml', 'models/schema.yml', 'seeds/orders.csv', 'profiles.example.yml']) expect(ignored(p), p).toBe(false);
  });

  it('prints the next step as this etlx is run (here: node <path to bin/etlx.js>)', () => {
    const parent = tempDir();
    const r = etlx(['init', 'my shop'], parent);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Next: cd 'my shop' && node ${BIN} build\n`);
  });
});

describe('etlx clean removes only a target folder holding nothing but etlx output', () => {
  const project = (targetPath: string) => {
    const d = copyFixture('valid', 'minimal');
    fs.writeFileSync(path.join(d, 'etlx.yml'), `name: minimal\ntarget-path: ${targetPath}\n`);
    return d;
  };

  it('target-path: models is refused (exit 2) and every model is kept', () => {
    const d = project('models');
    const before = fs.readdirSync(path.join(d, 'models')).sort();
    const r = etlx(['clean'], d);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('refusing to remove');
    expect(r.stderr).toContain("it is the project's model path models");
    expect(r.stderr).toContain('hint: set target-path in etlx.yml');
    expect(fs.readdirSync(path.join(d, 'models')).sort()).toEqual(before);
  });

  it('a target that is the project folder, or holds a project folder, is refused', () => {
    for (const [tp, why] of [
      ['.', 'it is the project folder'],
      ['models/..', 'it is the project folder'],
      ['seeds', "it is the project's seed path seeds"],
    ] as const) {
      const d = project(tp);
      const r = etlx(['clean'], d);
      expect(r.code, tp).toBe(2);
      expect(r.stderr, tp).toContain(why);
      expect(fs.existsSync(path.join(d, 'etlx.yml'))).toBe(true);
    }
    const d = copyFixture('valid', 'minimal');
    fs.writeFileSync(path.join(d, 'etlx.yml'), 'name: minimal\nmodel-paths: [sql/models]\ntarget-path: sql\n');
    fs.mkdirSync(path.join(d, 'sql'));
    fs.renameSync(path.join(d, 'models'), path.join(d, 'sql', 'models'));
    const r = etlx(['clean'], d);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("it holds the project's model path sql/models");
    expect(fs.existsSync(path.join(d, 'sql', 'models', 'hello.sql'))).toBe(true);
  });

  it('a target holding files etlx did not write is refused, naming them', () => {
    const d = project('out');
    expect(etlx(['compile'], d).code).toBe(0);
    fs.writeFileSync(path.join(d, 'out', 'warehouse.duckdb'), 'data');
    const r = etlx(['clean'], d);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('it holds files etlx did not write: warehouse.duckdb');
    expect(fs.existsSync(path.join(d, 'out', 'warehouse.duckdb'))).toBe(true);
    expect(fs.existsSync(path.join(d, 'out', 'manifest.json'))).toBe(true);
  });

  it('a target-path naming a file is refused, not deleted', () => {
    const d = project('README.md');
    fs.writeFileSync(path.join(d, 'README.md'), '# mine\n');
    const r = etlx(['clean'], d);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('it is not a folder etlx made');
    expect(fs.readFileSync(path.join(d, 'README.md'), 'utf8')).toBe('# mine\n');
  });

  it('after a full build of the demo, clean removes target/ (everything in it is etlx output)', () => {
    const d = copyDemo();
    expect(etlx(['build'], d).code).toBe(0);
    const r = etlx(['clean'], d);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(fs.existsSync(path.join(d, 'target'))).toBe(false);
    expect(fs.existsSync(path.join(d, 'models'))).toBe(true);
  });
});

describe('a target-path that cannot be created', () => {
  it.runIf(fs.existsSync('/proc/self'))('target-path under /proc is exit 2 at once instead of spinning', () => {
    const d = copyFixture('valid', 'minimal');
    fs.writeFileSync(path.join(d, 'etlx.yml'), 'name: minimal\ntarget-path: /proc/etlx-target-test\n');
    const r = etlx(['compile'], d);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('cannot write to the target path /proc/etlx-target-test: ENOENT');
  });
});
