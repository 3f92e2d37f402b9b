import { describe, expect, it } from 'vitest';
import { isTransient } from '../../../src/run/retry-policy.js';
import { parseDuration } from '../../../src/util/duration.js';

describe('isTransient: which engine errors a retry may pass', () => {
  it.each([
    'IO Error: Could not read file "staging/x.parquet": Resource temporarily unavailable',
    'Out of Memory Error: could not allocate block of size 256.0 KiB (1.0 GiB/1.0 GiB used)',
    'TransactionContext Error: Catalog write-write conflict on create with "t"',
    'TransactionContext Error: Conflict on tuple deletion!',
    'HTTP Error: HTTP GET error on https://example.com/x.parquet (HTTP 503)',
  ])('retries %s', (m) => expect(isTransient(m)).toBe(true));

  it.each([
    'Parser Error: syntax error at or near "selec"',
    'Binder Error: Referenced column "x" not found in FROM clause!',
    'Catalog Error: Table with name nope does not exist!',
    'Constraint Error: Duplicate key "id: 1" violates primary key constraint.',
    "Conversion Error: Could not convert string 'x' to INT32",
    'TransactionContext Error: Current transaction is aborted (please ROLLBACK)',
    'INTERRUPT Error: Interrupted!',
    'something else went wrong',
  ])('never retries %s', (m) => expect(isTransient(m)).toBe(false));
});

describe('parseDuration (retry_delay)', () => {
  it('reads ms, s, m, h and bare seconds', () => {
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('30s')).toBe(30_000);
    expect(parseDuration('2m')).toBe(120_000);
    expect(parseDuration('1h')).toBe(3_600_000);
    expect(parseDuration('1.5s')).toBe(1500);
    expect(parseDuration(10)).toBe(10_000);
    expect(parseDuration('soon')).toBeUndefined();
    expect(parseDuration('-1s')).toBeUndefined();
  });
});
