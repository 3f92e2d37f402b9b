import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { resolveTarget, shownWarehousePath, warehouseFile, type ProfileRequest } from '../../../src/config/profiles.js';
import { EtlxError } from '../../../src/errors/diagnostic.js';
import { capabilitiesOf } from '../../../src/engine/capabilities.js';

let project: string;

beforeEach(() => {
  project = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'etlx-chprofile-')));
});
afterEach(() => fs.rmSync(project, { recursive: true, force: true }));

function request(env: Record<string, string> = {}): ProfileRequest {
  return { projectDir: project, projectName: 'shop', profileName: 'shop', explicitProfile: false, env: { HOME: project, ...env } };
}

function write(text: string): void {
  fs.writeFileSync(path.join(project, 'profiles.yml'), text);
}

function failure(req: ProfileRequest): EtlxError {
  try {
    resolveTarget(req);
  } catch (e) {
    if (e instanceof EtlxError) return e;
    throw e;
  }
  throw new Error('expected resolveTarget to throw');
}

const head = 'shop:\n  target: ch\n  outputs:\n    dev:\n      type: duckdb\n    ch:\n      type: clickhouse\n';

describe('type: clickhouse targets', () => {
  it('reads url, user, password, database, and sets join_use_nulls by default', () => {
    write(`${head}      url: http://127.0.0.1:8123\n      user: etl\n      password: '{{env "CH_PASSWORD"}}'\n      database: analytics\n`);
    const t = resolveTarget(request({ CH_PASSWORD: 's3cret-pw' }));
    expect(t.type).toBe('clickhouse');
    expect(t.clickhouse).toEqual({ url: 'http://127.0.0.1:8123', user: 'etl', password: 's3cret-pw', database: 'analytics', shards: [], settings: { join_use_nulls: 1 } });
    expect(t.schema).toBe('analytics');
    expect(t.secrets).toContain('s3cret-pw');
    expect(t.atomic).toBe(false);
    expect(warehouseFile(t)).toBeUndefined();
    expect(shownWarehousePath(t, project)).toBe('http://127.0.0.1:8123');
    expect(capabilitiesOf(t)).toMatchObject({ transactions: false, merge: false, atomic: false, parseCheck: false });
  });

  it('defaults: user default, no password, database default; the profile may turn join_use_nulls off', () => {
    write(`${head}      url: http://127.0.0.1:8123\n      settings: {join_use_nulls: 0, max_threads: 2}\n`);
    const t = resolveTarget(request());
    expect(t.clickhouse).toMatchObject({ user: 'default', password: '', database: 'default', settings: { join_use_nulls: 0, max_threads: 2 } });
  });

  it('a cluster with every shard URL', () => {
    write(`${head}      url: http://127.0.0.1:8123\n      cluster: two\n      shards: [http://127.0.0.1:8123, http://127.0.0.1:8124]\n`);
    expect(resolveTarget(request()).clickhouse).toMatchObject({ cluster: 'two', shards: ['http://127.0.0.1:8123', 'http://127.0.0.1:8124'] });
  });

  it('a cluster without shards is refused naming profiles.yml and the line', () => {
    write(`${head}      url: http://127.0.0.1:8123\n      cluster: two\n`);
    const d = failure(request()).diagnostics[0]!;
    expect(d.file).toBe('profiles.yml');
    expect(d.line).toBe(9);
    expect(d.message).toContain('cluster "two" needs shards');
  });

  it('an unknown key, a missing url and a bad URL are errors with the line', () => {
    write(`${head}      url: http://127.0.0.1:8123\n      pasword: x\n`);
    const unknown = failure(request()).diagnostics[0]!;
    expect(unknown).toMatchObject({ code: 'E_CONFIG_UNKNOWN_KEY', file: 'profiles.yml', line: 9 });
    expect(unknown.message).toContain('did you mean "password"');
    write(`${head}      database: x\n`);
    expect(failure(request()).diagnostics[0]!.message).toMatch(/url/);
    write(`${head}      url: localhost:8123\n`);
    const bad = failure(request()).diagnostics[0]!;
    expect(bad.line).toBe(8);
    expect(bad.message).toContain('HTTP URL');
  });

  it('a DuckDB target of the same profile is unaffected', () => {
    write(`${head}      url: http://127.0.0.1:8123\n`);
    const t = resolveTarget({ ...request(), targetName: 'dev' });
    expect(t.type).toBe('duckdb');
    expect(t.clickhouse).toBeUndefined();
  });

  it('a password read with {{env}} never shows in an error', () => {
    write(`${head}      url: http://127.0.0.1:8123\n      password: '{{env "CH_PASSWORD"}}'\n      threads: 0\n`);
    const e = failure(request({ CH_PASSWORD: 'hunter2-pw' }));
    expect(JSON.stringify(e.diagnostics)).not.toContain('hunter2-pw');
  });
});
