import path from 'node:path';
import { pathToFileURL } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MIN_SECRET_LENGTH, Secrets } from '../../src/util/redact.js';
import { quoteIdent, quoteLiteral } from '../../src/util/sql.js';

const ROOT = '/work/proj';

/**
 * Random secrets from characters that escaping, quoting and path handling treat specially, plus
 * letters, digits and unicode (accents that NFC/NFD change, CJK, an emoji's surrogate pair).
 * No `*`: a secret made of asterisks is indistinguishable from the `****` that replaces it.
 */
const special = fc.constantFrom("'", '"', '\\', '/', '.', ' ', '%', '+', '-', '_', ':', '\n', '\t', 'é', 'e\u0301', 'ü', '中', '😀', '&', '?', '#');
const plain = fc.constantFrom(...'abcxyzXYZ0189'.split(''));
const secretArb = fc
  .array(fc.oneof({ weight: 2, arbitrary: plain }, { weight: 2, arbitrary: special }, { weight: 1, arbitrary: fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 }) }), { minLength: 1, maxLength: 18 })
  .map((parts) => parts.join(''))
  .filter((s) => s.length >= MIN_SECRET_LENGTH && !s.includes('*') && !s.includes('[') && !s.includes(']'));

/**
 * The forms a value takes on its way into text, computed here the way the rest of etlx (and
 * DuckDB, JSON and URLs) produce them, independently of redact.ts.
 */
function formsOf(v: string): Record<string, string> {
  const abs = path.resolve(ROOT, v);
  const forms: Record<string, string> = {
    written: v,
    nfc: v.normalize('NFC'),
    nfd: v.normalize('NFD'),
    normalizedPath: path.normalize(v),
    absolutePath: abs,
    relativePath: path.relative(ROOT, abs),
    sqlQuoted: quoteLiteral(v),
    sqlQuotedAbsolute: quoteLiteral(abs),
    identifierQuoted: quoteIdent(v),
    qualifiedRelation: `${quoteIdent(v)}.${quoteIdent('orders')}`,
    jsonEscaped: JSON.stringify(v),
    jsonInJson: JSON.stringify(JSON.stringify({ schema: v })),
    jsonOfSqlText: JSON.stringify(`attach if not exists ${quoteLiteral(abs)}`),
    sqlOfJson: quoteLiteral(JSON.stringify({ v })),
  };
  try {
    forms.urlEncoded = encodeURIComponent(v);
    forms.urlEncodedPath = encodeURI(abs);
    forms.fileUrl = pathToFileURL(abs).href;
  } catch {
    // A lone surrogate can't be URL-encoded, so no URL can carry it.
  }
  // The rule in redact.ts: a form shorter than MIN_SECRET_LENGTH is not hidden, and so neither
  // is what is built from it (`//a` made absolute is `/a`: quoted, `'/a'`, is still that form).
  if (abs.length < MIN_SECRET_LENGTH) for (const k of ['absolutePath', 'sqlQuotedAbsolute', 'jsonOfSqlText', 'urlEncodedPath', 'fileUrl']) delete forms[k];
  return forms;
}

describe('Secrets.redact hides every derived form of a secret', () => {
  it('as written, normalized, absolute, relative, SQL-quoted, identifier-quoted, JSON-escaped, URL-encoded', () => {
    fc.assert(
      fc.property(secretArb, fc.array(secretArb, { maxLength: 2 }), (v, others) => {
        const secrets = Secrets.of([v, ...others], { bases: [ROOT] });
        const forms = Object.entries(formsOf(v)).filter(([, f]) => f.length >= MIN_SECRET_LENGTH);
        for (const [name, form] of forms) {
          const out = secrets.redact(`[[${form}]]`);
          // Neither this form nor any other (the value as written included) is left in the text.
          for (const [other, f] of forms) expect(out, `${name} of ${JSON.stringify(v)} still shows its ${other}`).not.toContain(f);
        }
      }),
      { numRuns: 300, seed: 20261130 },
    );
  });

  it('JSON stays valid JSON, with the secret gone from keys and values, escaped or not', () => {
    fc.assert(
      fc.property(secretArb, (v) => {
        const secrets = Secrets.of([v], { bases: [ROOT] });
        const doc = { [`k${v}`]: `a ${v} b`, nested: [{ sql: `select * from ${quoteIdent(v)}.t where p = ${quoteLiteral(v)}` }], n: 12, ok: true };
        for (const text of [JSON.stringify(doc), JSON.stringify(doc, null, 2)]) {
          const out = secrets.redactJson(text);
          expect(() => JSON.parse(out)).not.toThrow();
          const back = JSON.stringify(JSON.parse(out));
          expect(back).not.toContain(JSON.stringify(v).slice(1, -1));
          expect(JSON.parse(out)).toMatchObject({ n: 12, ok: true });
          for (const s of Object.values(flat(JSON.parse(out)))) expect(s).not.toContain(v);
        }
      }),
      { numRuns: 300, seed: 20261130 },
    );
  });

  it('terminal output: text lines and JSON lines alike, a secret spanning lines too', () => {
    fc.assert(
      fc.property(secretArb, (v) => {
        const secrets = Secrets.of([v], { bases: [ROOT] });
        const out = secrets.redactOutput(`error: cannot open ${path.resolve(ROOT, v)}\n${JSON.stringify({ message: `using ${v}` })}\nx ${v} y\n`);
        expect(out).not.toContain(path.resolve(ROOT, v));
        expect(out.split('\n')[1]).not.toContain(JSON.stringify(v).slice(1, -1));
        expect(() => JSON.parse(out.split('\n')[1]!)).not.toThrow();
        expect(out.split('\n').slice(2).join('\n')).not.toContain(v);
      }),
      { numRuns: 200, seed: 20261130 },
    );
  });
});

function flat(v: unknown, out: Record<string, string> = {}, at = ''): Record<string, string> {
  if (typeof v === 'string') out[at] = v;
  else if (Array.isArray(v)) v.forEach((x, i) => flat(x, out, `${at}/${i}`));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) (out[`${at}/key:${k}`] = k), flat(x, out, `${at}/${k}`);
  return out;
}
