/**
 * Durations as people write them in config and flags: `500ms`, `30s`, `2m`, `1h` (a bare number
 * is seconds). Returns milliseconds, or undefined when the text is not a duration.
 */
export function parseDurationText(text: string | number): number | undefined {
  if (typeof text === 'number') return Number.isFinite(text) && text >= 0 ? text * 1000 : undefined;
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(text);
  if (!m) return undefined;
  const n = Number(m[1]);
  const unit = m[2] ?? 's';
  return Math.round(n * (unit === 'ms' ? 1 : unit === 's' ? 1000 : unit === 'm' ? 60_000 : 3_600_000));
}

export const DURATION_FORMAT = 'a duration such as 500ms, 30s, 2m or 1h';
