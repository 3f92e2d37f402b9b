import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseProjectConfig } from '../../../src/config/project-config.js';
import { fileStamp, sha1 } from '../../../src/project/files.js';
import { currentFiles, fingerprintOf, loadedFiles, profilesLooked, type FingerprintHeader } from '../../../src/project/fingerprint.js';
import { loadProjectFiles } from '../../../src/project/load.js';

let root: string;
beforeEach(() => {
  root = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'etlx-fp-')));
});
afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

function write(files: Record<string, string>): void {
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), text);
  }
}

const config = () => parseProjectConfig('name: p\n').config!;
const LATER = Date.now() + 60_000;

describe('fileStamp', () => {
  it('is size, mtime, ctime and inode', () => {
    expect(fileStamp({ size: 3, mtimeMs: 1000.5, ctimeMs: 2000.25, ino: 7 }, 10_000)).toBe('3:1000.5:2000.25:7');
  });

  it('is empty ("read it again") while the file changed within the last seconds, by mtime or by ctime', () => {
    expect(fileStamp({ size: 3, mtimeMs: 9_000, ctimeMs: 1_000, ino: 7 }, 10_000)).toBe('');
    expect(fileStamp({ size: 3, mtimeMs: 1_000, ctimeMs: 9_000, ino: 7 }, 10_000)).toBe('');
    // A file just written, against the real clock.
    write({ 'a.sql': 'x' });
    expect(fileStamp(fs.statSync(path.join(root, 'a.sql')))).toBe('');
  });
});

describe('currentFiles', () => {
  it('lists the files a load reads, in its order, with the checksums the load computed', () => {
    write({ 'etlx.yml': 'name: p\n', 'models/b.sql': 'select 2', 'models/a.sql': 'select 1', 'models/p.yml': 'models: []\n', 'seeds/s.csv': 'a\n1\n', 'macros/m.sql': 'x', 'tests/generic/g.sql': 'y', 'snapshots/s.sql': 'z' });
    const loaded = loadedFiles(loadProjectFiles(root))!;
    const now = currentFiles(root, config(), {});
    expect(now.files.map(([k, [, c]]) => [k, c])).toEqual(loaded.map(([k, [, c]]) => [k, c]));
    expect(now.files.map(([k]) => k)).toEqual([
      'models:models/a.sql',
      'models:models/b.sql',
      'properties:models/p.yml',
      'seeds:seeds/s.csv',
      'tests:tests/generic/g.sql',
      'macros:macros/m.sql',
      'snapshots:snapshots/s.sql',
    ]);
    expect(now.files[0]![1][1]).toBe(sha1('select 1'));
    expect(now.changed).toBe(true);
  });

  it('keeps a recorded checksum while the stamp is the one recorded, and reads the file again when it is not', () => {
    write({ 'models/a.sql': 'select 1', 'models/b.sql': 'select 2' });
    const stampOf = (rel: string) => fileStamp(fs.statSync(path.join(root, rel)), LATER);
    const previous = { 'models:models/a.sql': [stampOf('models/a.sql'), 'recorded-a'], 'models:models/b.sql': ['1:2:3:4', 'recorded-b'] } as const;
    const now = currentFiles(root, config(), previous, LATER);
    expect(Object.fromEntries(now.files)).toEqual({ 'models:models/a.sql': [stampOf('models/a.sql'), 'recorded-a'], 'models:models/b.sql': [stampOf('models/b.sql'), sha1('select 2')] });
    expect(now.changed).toBe(true);
    const again = currentFiles(root, config(), Object.fromEntries(now.files), LATER);
    expect(again.changed).toBe(false);
    // An edit that keeps the size and puts the old mtime back still changes the ctime.
    const before = fs.statSync(path.join(root, 'models/a.sql'));
    write({ 'models/a.sql': 'select 3' });
    fs.utimesSync(path.join(root, 'models/a.sql'), before.atime, before.mtime);
    const edited = currentFiles(root, config(), Object.fromEntries(again.files), LATER);
    expect(Object.fromEntries(edited.files)['models:models/a.sql']![1]).toBe(sha1('select 3'));
  });

  it('never trusts a stamp that is too recent, even when it equals the recorded one', () => {
    write({ 'models/a.sql': 'select 1' });
    const previous = { 'models:models/a.sql': ['', 'recorded-a'] } as const;
    expect(Object.fromEntries(currentFiles(root, config(), previous).files)['models:models/a.sql']![1]).toBe(sha1('select 1'));
  });
});

describe('fingerprintOf', () => {
  const header: FingerprintHeader = { etlxVersion: '1', root: '/p', options: { vars: null }, configChecksum: 'c', profiles: [['/p/profiles.yml', null]], env: [['HOME', '/h']] };
  const files = [['models:a.sql', 'x']] as const;
  it('changes with every part', () => {
    const base = fingerprintOf(header, files);
    expect(fingerprintOf(header, files)).toBe(base);
    const variants: FingerprintHeader[] = [
      { ...header, etlxVersion: '2' },
      { ...header, root: '/q' },
      { ...header, options: { vars: '{a: 1}' } },
      { ...header, configChecksum: 'd' },
      { ...header, profiles: [['/p/profiles.yml', 'e']] },
      { ...header, env: [['HOME', '/i']] },
      { ...header, env: [['HOME', null]] },
    ];
    for (const v of variants) expect(fingerprintOf(v, files)).not.toBe(base);
    expect(fingerprintOf(header, [['models:a.sql', 'y']])).not.toBe(base);
    expect(fingerprintOf(header, [['models:b.sql', 'x']])).not.toBe(base);
    expect(fingerprintOf(header, [])).not.toBe(base);
  });
});

describe('profilesLooked', () => {
  const search = ['/a/profiles.yml', '/b/profiles.yml', '/c/profiles.yml'];
  it('lists the search path up to the file that defined the profile, with the texts read', () => {
    expect(profilesLooked(search, new Map([['/b/profiles.yml', 'x']]), '/b/profiles.yml')).toEqual([
      ['/a/profiles.yml', null],
      ['/b/profiles.yml', sha1('x')],
    ]);
  });
  it('lists all of it when none did (the embedded default)', () => {
    expect(profilesLooked(search, new Map([['/c/profiles.yml', 'y']]), 'embedded default')).toEqual([
      ['/a/profiles.yml', null],
      ['/b/profiles.yml', null],
      ['/c/profiles.yml', sha1('y')],
    ]);
  });
});
