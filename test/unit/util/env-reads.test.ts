import { describe, expect, it } from 'vitest';
import { envReadsOf, recordEnvReads } from '../../../src/util/env-reads.js';

describe('recordEnvReads', () => {
  it('gives the same values and notes every name read, however it is read', () => {
    const env = recordEnvReads({ A: '1', B: '2', C: undefined });
    expect(env.A).toBe('1');
    expect('B' in env).toBe(true);
    expect(Object.prototype.hasOwnProperty.call(env, 'D')).toBe(false);
    expect(env.E).toBeUndefined();
    expect(envReadsOf(env)).toEqual(['A', 'B', 'D', 'E']);
  });

  it('does not know the names once the environment was listed', () => {
    const env = recordEnvReads({ A: '1' });
    expect(Object.keys(env)).toEqual(['A']);
    expect({ ...env }).toEqual({ A: '1' });
    expect(envReadsOf(env)).toBeUndefined();
  });

  it('knows nothing of an environment it did not wrap, and wraps once', () => {
    const raw = { A: '1' };
    expect(envReadsOf(raw)).toBeUndefined();
    const env = recordEnvReads(raw);
    expect(recordEnvReads(env)).toBe(env);
  });
});
