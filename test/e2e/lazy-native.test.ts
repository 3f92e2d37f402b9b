import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, copyDemo, ensureBuilt, etlx, removeTempDirs, tempDir } from './helpers.js';

// A preloaded hook that exits 97 when anything loads DuckDB's native binding.
const HOOK = path.join(REPO, 'test', 'e2e', 'hooks', 'forbid-duckdb-native.cjs');
const forbidNative = { NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require ${HOOK}`.trim() };

beforeAll(() => ensureBuilt());
afterAll(() => removeTempDirs());

describe('the native DuckDB binding loads lazily', () => {
  it('etlx --version never loads it', () => {
    const r = etlx(['--version'], tempDir(), forbidNative);
    expect(r.stderr).not.toContain('FORBIDDEN_NATIVE_LOAD');
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('etlx ls never loads it', () => {
    const dir = copyDemo();
    const r = etlx(['ls'], dir, forbidNative);
    expect(r.stderr).not.toContain('FORBIDDEN_NATIVE_LOAD');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('stg_orders');
  });

  it('etlx compile loads it for a cold check, and not when every statement passed the check before', () => {
    const dir = copyDemo();
    // Cold (no target/): every statement is parsed, so the hook must catch the load. This also
    // proves the hook works.
    const cold = etlx(['compile'], dir, forbidNative);
    expect(cold.code).toBe(97);
    expect(cold.stderr).toContain('FORBIDDEN_NATIVE_LOAD');
    expect(etlx(['compile'], dir).code).toBe(0);
    const warm = etlx(['compile'], dir, forbidNative);
    expect(warm.stderr).not.toContain('FORBIDDEN_NATIVE_LOAD');
    expect(warm.code).toBe(0);
    expect(fs.existsSync(path.join(dir, 'target', 'manifest.json'))).toBe(true);
  });
});
