import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const PARSE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../src/parse');
/** Folders parse/ must not reach (src/parse/README.md): parsing stays pure and engine-free. */
const FORBIDDEN = ['engine', 'run', 'cli', 'materialize', 'artifacts', 'commands'];

describe('parse/ boundaries', () => {
  it('imports nothing from engine/, run/, cli/, materialize/, artifacts/ or commands/, nor node:fs', () => {
    const offending: string[] = [];
    for (const name of fs.readdirSync(PARSE).filter((n) => n.endsWith('.ts'))) {
      const text = fs.readFileSync(path.join(PARSE, name), 'utf8');
      for (const m of text.matchAll(/\bfrom\s+'([^']+)'/g)) {
        const spec = m[1]!;
        if (spec === 'node:fs' || spec === 'fs' || FORBIDDEN.some((f) => spec.startsWith(`../${f}/`))) offending.push(`${name}: ${spec}`);
      }
    }
    expect(offending).toEqual([]);
  });
});
