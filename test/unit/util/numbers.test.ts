import { describe, expect, it } from 'vitest';
import { groupThousands } from '../../../src/util/numbers.js';

describe('groupThousands', () => {
  it('writes integers as en-US does', () => {
    for (const n of [0, 1, 12, 999, 1000, 12345, 999999, 1000000, 1234567890, -1, -1234, -1234567, Number.MAX_SAFE_INTEGER]) {
      expect(groupThousands(n), String(n)).toBe(n.toLocaleString('en-US'));
    }
  });

  it('gives other numbers as toLocaleString does', () => {
    for (const n of [1234.5678, -0.5, NaN, Infinity, 2 ** 60]) expect(groupThousands(n), String(n)).toBe(n.toLocaleString('en-US'));
  });
});
