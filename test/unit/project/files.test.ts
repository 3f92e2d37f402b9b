import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { EtlxError } from '../../../src/errors/diagnostic.js';
import { checksumEntry, HASHED_DATA_LIMIT, readData, sha1 } from '../../../src/project/files.js';
import { loadProjectFiles } from '../../../src/project/load.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'etlx-files-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('seed checksums', () => {
  it('hashes a small file and records a large one by size', () => {
    const small = path.join(dir, 'small.csv');
    fs.writeFileSync(small, 'a,b\n1,2\n');
    expect(readData(dir, small)).toEqual({ path: 'small.csv', absPath: small, checksum: sha1('a,b\n1,2\n') });
    const big = path.join(dir, 'big.csv');
    fs.writeFileSync(big, 'x'.repeat(HASHED_DATA_LIMIT + 10));
    expect(readData(dir, big).checksum).toBe(`size:${HASHED_DATA_LIMIT + 10}`);
  });

  it("gives the manifest dbt's {name, checksum} shape", () => {
    expect(checksumEntry('abc')).toEqual({ name: 'sha1', checksum: 'abc' });
    expect(checksumEntry('size:42')).toEqual({ name: 'size', checksum: '42' });
  });
});

describe('project files that are not regular files', () => {
  const project = () => {
    const root = fs.mkdtempSync(path.join(dir, 'proj-'));
    fs.writeFileSync(path.join(root, 'etlx.yml'), 'name: p\n');
    fs.mkdirSync(path.join(root, 'models'));
    fs.mkdirSync(path.join(root, 'seeds'));
    fs.writeFileSync(path.join(root, 'models', 'ok.sql'), 'select 1');
    return root;
  };
  const errorOf = (root: string): EtlxError => {
    try {
      loadProjectFiles(root);
    } catch (e) {
      if (e instanceof EtlxError) return e;
      throw e;
    }
    throw new Error('expected an EtlxError');
  };

  it('a dangling symlink under models/ or seeds/ is a clear error naming the file, not ENOENT', () => {
    const root = project();
    fs.symlinkSync('nowhere.sql', path.join(root, 'models', 'gone.sql'));
    const e = errorOf(root);
    expect(e.exitCode).toBe(2);
    expect(e.diagnostics).toEqual([expect.objectContaining({ code: 'E_PROJECT_FILE', file: 'models/gone.sql', message: 'not a regular file: a symbolic link to a missing file (nowhere.sql)' })]);
    expect(e.diagnostics[0]!.hint).toContain('restore the file it points to');

    fs.rmSync(path.join(root, 'models', 'gone.sql'));
    fs.symlinkSync('../missing.csv', path.join(root, 'seeds', 'gone.csv'));
    expect(errorOf(root).diagnostics).toEqual([expect.objectContaining({ code: 'E_PROJECT_FILE', file: 'seeds/gone.csv' })]);
  });

  it('a FIFO named models/x.sql is refused without being opened (it would block the read forever)', () => {
    const root = project();
    const r = spawnSync('mkfifo', [path.join(root, 'models', 'x.sql')]);
    expect(r.status).toBe(0);
    const e = errorOf(root);
    expect(e.diagnostics).toEqual([expect.objectContaining({ code: 'E_PROJECT_FILE', file: 'models/x.sql', message: 'not a regular file: a named pipe (FIFO)' })]);
  });

  it('a symlink to a regular file is read like the file; one to a folder or a device is refused', () => {
    const root = project();
    fs.writeFileSync(path.join(root, 'real.sql'), 'select 2');
    fs.symlinkSync('../real.sql', path.join(root, 'models', 'linked.sql'));
    expect(loadProjectFiles(root).models.map((m) => [m.path, m.text])).toEqual([
      ['models/linked.sql', 'select 2'],
      ['models/ok.sql', 'select 1'],
    ]);
    fs.symlinkSync('/dev/null', path.join(root, 'models', 'null.sql'));
    fs.symlinkSync('..', path.join(root, 'models', 'up.sql'));
    expect(errorOf(root).diagnostics.map((d) => [d.file, d.message])).toEqual([
      ['models/null.sql', 'not a regular file: a symbolic link to a device'],
      ['models/up.sql', 'not a regular file: a symbolic link to a folder'],
    ]);
  });
});
