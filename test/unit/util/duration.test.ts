import { describe, expect, it } from 'vitest';
import { formatDuration, parseDuration } from '../../../src/util/duration.js';

describe('durations', () => {
  it('parses the units people write, sums, and bare seconds', () => {
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('30s')).toBe(30_000);
    expect(parseDuration('10m')).toBe(600_000);
    expect(parseDuration('2h')).toBe(7_200_000);
    expect(parseDuration('1d')).toBe(86_400_000);
    expect(parseDuration('1h30m')).toBe(5_400_000);
    expect(parseDuration('1.5s')).toBe(1500);
    expect(parseDuration('45')).toBe(45_000);
    expect(parseDuration(5)).toBe(5000);
  });

  it('rejects what is not a duration', () => {
    for (const bad of ['', 'soon', '10 m', '-5s', '5x', 'm', '1h 30m']) {
      expect(parseDuration(bad), bad).toBeUndefined();
    }
    expect(parseDuration(-1)).toBeUndefined();
  });

  it('formats for messages', () => {
    expect(formatDuration(300)).toBe('300ms');
    expect(formatDuration(30_000)).toBe('30s');
    expect(formatDuration(600_000)).toBe('10m');
    expect(formatDuration(5_400_000)).toBe('1h30m');
    expect(formatDuration(7_200_000)).toBe('2h');
  });
});
