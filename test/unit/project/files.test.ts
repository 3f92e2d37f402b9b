import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checksumEntry, HASHED_DATA_LIMIT, readData, sha1 } from '../../../src/project/files.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'etlx-files-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('seed checksums', () => {
  it('hashes a small file and records a large one by size', () => {
    const small = path.join(dir, 'small.csv');
    fs.writeFileSync(small, 'a,b\n1,2\n');
    expect(readData(dir, small)).toEqual({ path: 'small.csv', absPath: small, checksum: sha1('a,b\n1,2\n') });
    const big = path.join(dir, 'big.csv');
    fs.writeFileSync(big, 'x'.repeat(HASHED_DATA_LIMIT + 10));
    expect(readData(dir, big).checksum).toBe(`size:${HASHED_DATA_LIMIT + 10}`);
  });

  it("gives the manifest dbt's {name, checksum} shape", () => {
    expect(checksumEntry('abc')).toEqual({ name: 'sha1', checksum: 'abc' });
    expect(checksumEntry('size:42')).toEqual({ name: 'size', checksum: '42' });
  });
});
