import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveTarget, type ProfileRequest } from '../../../src/config/profiles.js';
import { profileSearchPath } from '../../../src/project/profiles-file.js';
import { redact } from '../../../src/util/redact.js';
import { MAX_THREADS } from '../../../src/config/schemas.js';
import { EtlxError } from '../../../src/errors/diagnostic.js';

let dir: string;
let project: string;
let home: string;

beforeEach(() => {
  dir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'etlx-profiles-')));
  project = path.join(dir, 'project');
  home = path.join(dir, 'home');
  fs.mkdirSync(project);
  fs.mkdirSync(path.join(home, '.etlx'), { recursive: true });
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function request(over: Partial<ProfileRequest> = {}): ProfileRequest {
  return { projectDir: project, projectName: 'shop', profileName: 'shop', explicitProfile: false, env: { HOME: home }, ...over };
}

function write(folder: string, text: string): string {
  fs.mkdirSync(folder, { recursive: true });
  const file = path.join(folder, 'profiles.yml');
  fs.writeFileSync(file, text);
  return file;
}

const profile = (dbPath: string) => `shop:\n  target: dev\n  outputs:\n    dev:\n      type: duckdb\n      path: ${dbPath}\n`;

function failure(req: ProfileRequest): EtlxError {
  try {
    resolveTarget(req);
  } catch (e) {
    expect(e).toBeInstanceOf(EtlxError);
    return e as EtlxError;
  }
  throw new Error('expected resolveTarget to throw');
}

describe('profiles', () => {
  it('searches --profiles-dir, $ETLX_PROFILES_DIR, the project folder, then ~/.etlx', () => {
    const req = request({ profilesDir: path.join(dir, 'flag'), env: { HOME: home, ETLX_PROFILES_DIR: path.join(dir, 'envdir') } });
    expect(profileSearchPath(req)).toEqual([
      path.join(dir, 'flag', 'profiles.yml'),
      path.join(dir, 'envdir', 'profiles.yml'),
      path.join(project, 'profiles.yml'),
      path.join(home, '.etlx', 'profiles.yml'),
    ]);
  });

  it('without any profiles.yml, uses the embedded default <name>.duckdb in the project folder', () => {
    const t = resolveTarget(request());
    expect(t).toEqual({
      profile: 'shop',
      name: 'default',
      type: 'duckdb',
      path: path.join(project, 'shop.duckdb'),
      schema: 'main',
      threads: 4,
      settings: {},
      attach: [],
      extensions: [],
      atomic: false,
      origin: 'embedded default',
      secrets: [],
    });
    expect(t.path.includes(`${path.sep}target${path.sep}`)).toBe(false);
  });

  it('~/.etlx (via HOME) is used when nothing closer defines the profile', () => {
    const file = write(path.join(home, '.etlx'), profile('home.duckdb'));
    const t = resolveTarget(request());
    expect(t.origin).toBe(file);
    expect(t.path).toBe(path.join(project, 'home.duckdb'));
    expect(t.name).toBe('dev');
  });

  it('the project folder wins over ~/.etlx', () => {
    write(path.join(home, '.etlx'), profile('home.duckdb'));
    write(project, profile('project.duckdb'));
    expect(resolveTarget(request()).path).toBe(path.join(project, 'project.duckdb'));
  });

  it('$ETLX_PROFILES_DIR wins over the project folder', () => {
    write(project, profile('project.duckdb'));
    write(path.join(dir, 'envdir'), profile('env.duckdb'));
    expect(resolveTarget(request({ env: { HOME: home, ETLX_PROFILES_DIR: path.join(dir, 'envdir') } })).path).toBe(path.join(project, 'env.duckdb'));
  });

  it('--profiles-dir wins over everything', () => {
    write(project, profile('project.duckdb'));
    write(path.join(dir, 'envdir'), profile('env.duckdb'));
    write(path.join(dir, 'flag'), profile('flag.duckdb'));
    const t = resolveTarget(request({ profilesDir: path.join(dir, 'flag'), env: { HOME: home, ETLX_PROFILES_DIR: path.join(dir, 'envdir') } }));
    expect(t.path).toBe(path.join(project, 'flag.duckdb'));
  });

  it('a --profiles-dir without profiles.yml is an error (exit 2)', () => {
    const e = failure(request({ profilesDir: path.join(dir, 'missing') }));
    expect(e.exitCode).toBe(2);
    expect(e.diagnostics[0]).toMatchObject({ code: 'E_PROFILES_NOT_FOUND' });
  });

  it('a file that does not define the profile is skipped for the next one', () => {
    write(project, 'other:\n  outputs:\n    dev: {type: duckdb}\n');
    write(path.join(home, '.etlx'), profile('home.duckdb'));
    expect(resolveTarget(request()).path).toBe(path.join(project, 'home.duckdb'));
  });

  it('reads target, schema, threads, settings, attach and atomic; defaults the target to "dev"', () => {
    write(
      project,
      'shop:\n  outputs:\n    dev:\n      type: duckdb\n      path: ":memory:"\n      schema: analytics\n      threads: 8\n      atomic: true\n      settings: {memory_limit: 2GB, threads: 2}\n      attach:\n        - {path: other.duckdb, alias: other, read_only: true}\n',
    );
    const t = resolveTarget(request());
    expect(t).toMatchObject({
      name: 'dev',
      path: ':memory:',
      schema: 'analytics',
      threads: 8,
      atomic: true,
      settings: { memory_limit: '2GB', threads: 2 },
      attach: [{ path: path.join(project, 'other.duckdb'), alias: 'other', read_only: true }],
    });
  });

  it('--target picks another output', () => {
    write(project, `${profile('dev.duckdb')}    prod:\n      type: duckdb\n      path: prod.duckdb\n      threads: 2\n`);
    const t = resolveTarget(request({ targetName: 'prod' }));
    expect(t).toMatchObject({ name: 'prod', path: path.join(project, 'prod.duckdb'), threads: 2 });
  });

  it('an explicit --profile that is missing is E_PROFILE_NOT_FOUND (exit 2) with a did-you-mean', () => {
    write(project, profile('x.duckdb'));
    const e = failure(request({ profileName: 'shopp', explicitProfile: true }));
    expect(e.exitCode).toBe(2);
    expect(e.diagnostics[0]).toMatchObject({ code: 'E_PROFILE_NOT_FOUND', message: 'profile "shopp" not found in profiles.yml; did you mean "shop"?', file: 'profiles.yml' });
  });

  it('an explicit --profile with no profiles.yml anywhere is an error, not the embedded default', () => {
    const e = failure(request({ profileName: 'warehouse', explicitProfile: true }));
    expect(e.exitCode).toBe(2);
    expect(e.diagnostics[0]).toMatchObject({ code: 'E_PROFILE_NOT_FOUND', message: 'profile "warehouse" not found' });
    expect(e.diagnostics[0]!.hint).toContain(path.join(home, '.etlx', 'profiles.yml'));
  });

  it('an explicit --target with no profiles.yml is an error too', () => {
    expect(failure(request({ targetName: 'prod' })).diagnostics[0]!.code).toBe('E_PROFILE_NOT_FOUND');
  });

  it('a missing --target is E_TARGET_NOT_FOUND with a did-you-mean and the outputs line', () => {
    write(project, `${profile('dev.duckdb')}    prod:\n      type: duckdb\n`);
    const e = failure(request({ targetName: 'prd' }));
    expect(e.exitCode).toBe(2);
    expect(e.diagnostics[0]).toMatchObject({
      code: 'E_TARGET_NOT_FOUND',
      message: 'target "prd" not found in profile "shop"; did you mean "prod"?',
      file: 'profiles.yml',
      line: 3,
      hint: 'targets defined: dev, prod; pick one with --target',
    });
  });

  it('an invalid profile is reported with file and line', () => {
    write(project, 'shop:\n  outputs:\n    dev:\n      type: duckdb\n      thread: 4\n');
    const e = failure(request());
    expect(e.diagnostics[0]).toMatchObject({ code: 'E_CONFIG_UNKNOWN_KEY', file: 'profiles.yml', line: 5, column: 7 });
    expect(e.diagnostics[0]!.message).toContain('did you mean "threads"?');
  });

  it('fills {{env}} values and remembers each one read from the environment as a secret (not a default)', () => {
    write(
      project,
      'shop:\n  outputs:\n    dev:\n      type: duckdb\n      path: \'{{env "DB_FILE"}}\'\n      schema: \'{{env "SCHEMA" "fallback_schema"}}\'\n      settings:\n        s3_secret: \'key-{{env "TOKEN"}}\'\n',
    );
    const t = resolveTarget(request({ env: { HOME: home, DB_FILE: '/data/wh.duckdb', TOKEN: 'hunter22' } }));
    expect(t.path).toBe('/data/wh.duckdb');
    expect(t.schema).toBe('fallback_schema');
    expect(t.settings).toEqual({ s3_secret: 'key-hunter22' });
    expect([...t.secrets].sort()).toEqual(['/data/wh.duckdb', 'hunter22'].sort());
  });

  it('{{env}} may give numbers and booleans: threads and atomic keep their types', () => {
    write(project, 'shop:\n  outputs:\n    dev:\n      type: duckdb\n      threads: \'{{env "THREADS" "3"}}\'\n      atomic: \'{{env "ATOMIC"}}\'\n');
    const t = resolveTarget(request({ env: { HOME: home, ATOMIC: 'true' } }));
    expect(t.threads).toBe(3);
    expect(t.atomic).toBe(true);
  });

  it('threads above MAX_THREADS, written or from {{env}}, is an error at its line (it crashed after creating the warehouse)', () => {
    write(project, `shop:\n  outputs:\n    dev:\n      type: duckdb\n      threads: ${MAX_THREADS + 1}\n`);
    const e = failure(request());
    expect(e.exitCode).toBe(2);
    expect(e.diagnostics[0]).toMatchObject({ file: 'profiles.yml', line: 5 });
    expect(e.message).toContain(`must be at most ${MAX_THREADS}`);
    write(project, 'shop:\n  outputs:\n    dev:\n      type: duckdb\n      threads: \'{{env "THREADS"}}\'\n');
    const fromEnv = failure(request({ env: { HOME: home, THREADS: '99999999999' } }));
    expect(fromEnv.message).toContain(`must be at most ${MAX_THREADS}`);
    expect(fromEnv.message).not.toContain('99999999999');
    write(project, `shop:\n  outputs:\n    dev:\n      type: duckdb\n      threads: ${MAX_THREADS}\n`);
    expect(resolveTarget(request()).threads).toBe(MAX_THREADS);
  });

  it('an {{env}} value of the wrong type is reported at its line without printing the value', () => {
    write(project, 'shop:\n  outputs:\n    dev:\n      type: duckdb\n      threads: \'{{env "THREADS"}}\'\n');
    const e = failure(request({ env: { HOME: home, THREADS: 'many-threads' } }));
    expect(e.diagnostics[0]).toMatchObject({ code: 'E_CONFIG_TYPE', file: 'profiles.yml', line: 5 });
    expect(e.message).not.toContain('many-threads');
  });

  it('an unset {{env}} without a default is E_PROFILE_ENV at its line; other outputs are not rendered', () => {
    write(project, 'shop:\n  outputs:\n    dev:\n      type: duckdb\n      path: \'{{env "DB_FILE"}}\'\n    prod:\n      type: duckdb\n      path: \'{{env "PROD_ONLY"}}\'\n');
    const e = failure(request());
    expect(e.diagnostics[0]).toMatchObject({ code: 'E_PROFILE_ENV', file: 'profiles.yml', line: 5, message: 'profile value: environment variable DB_FILE is not set' });
    expect(resolveTarget(request({ env: { HOME: home, DB_FILE: 'x.duckdb' } })).path).toBe(path.join(project, 'x.duckdb'));
  });

  it('resolves from profiles.yml text it is given, without reading the disk', () => {
    const file = path.join('/nowhere', 'profiles.yml');
    const t = resolveTarget(request({ profilesDir: '/does/not/exist' }), [{ path: file, text: profile('given.duckdb') }]);
    expect(t.origin).toBe(file);
    expect(t.path).toBe(path.join(project, 'given.duckdb'));
  });

  it('a profiles.yml outside the project is shown by its absolute path', () => {
    write(path.join(home, '.etlx'), 'shop:\n  outputs:\n    dev:\n      type: postgres\n');
    const e = failure(request());
    expect(e.diagnostics[0]!.file).toBe(path.join(home, '.etlx', 'profiles.yml'));
    expect(e.diagnostics[0]!.line).toBe(4);
  });
});

describe('redact', () => {
  it('replaces every occurrence of every secret', () => {
    expect(redact('path=/data/wh.duckdb again /data/wh.duckdb token=hunter22', ['/data/wh.duckdb', 'hunter22'])).toBe('path=**** again **** token=****');
  });

  it('leaves very short values alone (they would blank out ordinary text)', () => {
    expect(redact('threads 2 of 12', ['2'])).toBe('threads 2 of 12');
    expect(redact('abc', [])).toBe('abc');
  });
});
