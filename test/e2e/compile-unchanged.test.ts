import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyDemo, ensureBuilt, etlx, removeTempDirs, type CliResult } from './helpers.js';

/**
 * `etlx compile` of an unchanged project reuses the manifest (one fingerprint of its inputs,
 * target/.cache/compile-fingerprint.json, written only by a full compile). Its output and
 * artifacts must be what a full compile gives, and any change to an input must be seen.
 */
interface Manifest {
  metadata: { generated_at: string; invocation_id: string };
  nodes: Record<string, { compiled_code?: string }>;
}
const record = (d: string) => path.join(d, 'target', '.cache', 'compile-fingerprint.json');
const manifest = (d: string) => JSON.parse(fs.readFileSync(path.join(d, 'target', 'manifest.json'), 'utf8')) as Manifest;
const withoutMeta = (m: Manifest) => ({ ...m, metadata: { ...m.metadata, generated_at: '', invocation_id: '' } });
const compiledLine = (r: CliResult) => r.stdout.split('\n').find((l) => l.includes('Compiled'))?.replace(/^\S+\s+/, '');

/**
 * A full compile records the fingerprint only when no input changed within a second before it
 * started (the stat of a file being written is not trusted): compile until it is recorded.
 */
function compileUntilRecorded(d: string, env: Record<string, string> = {}, args: string[] = []): void {
  for (let i = 0; i < 60 && !fs.existsSync(record(d)); i++) expect(etlx(['compile', ...args], d, env).code).toBe(0);
  expect(fs.existsSync(record(d))).toBe(true);
}

beforeAll(() => ensureBuilt());
afterAll(() => removeTempDirs());

describe('compile of an unchanged project', () => {
  it('reuses the manifest with new metadata, and says what a full compile says', () => {
    const d = copyDemo();
    compileUntilRecorded(d);
    const full = etlx(['compile'], d);
    const before = manifest(d);
    const recordStat = fs.statSync(record(d));
    const fast = etlx(['compile'], d);
    expect(fast.code).toBe(0);
    expect(fast.stderr).toBe(full.stderr);
    expect(compiledLine(fast)).toBe(compiledLine(full));
    expect(compiledLine(fast)).toMatch(/^Compiled \d+ models and \d+ tests into target\/compiled$/);
    // The fingerprint record is a full compile's: an unchanged one leaves it alone.
    expect(fs.statSync(record(d)).mtimeMs).toBe(recordStat.mtimeMs);
    const after = manifest(d);
    expect(after.metadata.invocation_id).not.toBe(before.metadata.invocation_id);
    expect(withoutMeta(after)).toEqual(withoutMeta(before));
    // The same bytes a full compile writes, apart from the metadata.
    fs.rmSync(record(d));
    expect(etlx(['compile'], d).code).toBe(0);
    expect(withoutMeta(manifest(d))).toEqual(withoutMeta(after));
  });

  it('sees an edited model', () => {
    const d = copyDemo();
    compileUntilRecorded(d);
    const file = path.join(d, 'models', 'staging', 'stg_customers.sql');
    fs.writeFileSync(file, `${fs.readFileSync(file, 'utf8')}\n-- edited after the fingerprint\n`);
    expect(etlx(['compile'], d).code).toBe(0);
    expect(Object.values(manifest(d).nodes).some((n) => n.compiled_code?.includes('edited after the fingerprint'))).toBe(true);
  });

  it('sees a changed --vars value and a changed environment variable that a template reads', () => {
    const d = copyDemo();
    fs.writeFileSync(path.join(d, 'models', 'staging', 'env_probe.sql'), `select '{{env "ETLX_PROBE" "unset"}}' as probe\n`);
    const probe = () => Object.values(manifest(d).nodes).find((n) => n.compiled_code?.includes('as probe'))?.compiled_code ?? '';
    compileUntilRecorded(d, { ETLX_PROBE: 'first' });
    expect(probe()).toContain("'first'");
    expect(etlx(['compile'], d, { ETLX_PROBE: 'second' }).code).toBe(0);
    expect(probe()).toContain("'second'");

    compileUntilRecorded(d, { ETLX_PROBE: 'second' });
    expect(etlx(['compile', '--vars', '{start_date: "2031-02-03"}'], d, { ETLX_PROBE: 'second' }).code).toBe(0);
    expect(Object.values(manifest(d).nodes).some((n) => n.compiled_code?.includes('2031-02-03'))).toBe(true);
  });

  it('rewrites a deleted compiled file, as a full compile does', () => {
    const d = copyDemo();
    compileUntilRecorded(d);
    const compiled = path.join(d, 'target', 'compiled', 'models', 'staging', 'stg_customers.sql');
    expect(fs.existsSync(compiled)).toBe(true);
    fs.rmSync(compiled);
    expect(etlx(['compile'], d).code).toBe(0);
    expect(fs.existsSync(compiled)).toBe(true);
  });
});
