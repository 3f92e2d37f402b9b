import { describe, expect, it } from 'vitest';
import { sparkline } from '../../../src/artifacts/history-read.js';

describe('sparkline', () => {
  it('scales values between their min and max', () => {
    expect(sparkline([0, 1, 2, 3, 4, 5, 6, 7])).toBe('▁▂▃▄▅▆▇█');
    expect(sparkline([2, 4, 1])).toBe('▃█▁');
  });
  it('draws a flat series mid-height, a missing value as a space, nothing as nothing', () => {
    expect(sparkline([5, 5, 5])).toBe('▄▄▄');
    expect(sparkline([1, null, 3])).toBe('▁ █');
    expect(sparkline([null, null])).toBe('  ');
    expect(sparkline([])).toBe('');
  });
});
