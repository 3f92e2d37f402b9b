import path from 'node:path';
import { pathToFileURL } from 'node:url';

/**
 * Secrets: values read with `{{env}}` in a profile (and anything else that must never be shown).
 *
 * A value reaches text in more forms than the one it was read in: a path is normalized, made
 * absolute or relative to the project; SQL quotes it with doubled quotes or as an identifier;
 * JSON escapes it; a URL encodes it. `Secrets` expands every value into all of these forms once,
 * and `redact` hides any of them. The sinks (reporters, the log file, every artifact writer,
 * the history inserts, the CLI's error printing and its stdout/stderr) hold a `Secrets` and
 * redact there, so no caller has to remember to.
 *
 * Short values: a value shorter than MIN_SECRET_LENGTH characters is not hidden in any form,
 * nor is any form shorter than that (a value of `2` would blank out "threads 2 of 12", and `.`
 * made absolute is the project folder); so short a value cannot be a secret anyway.
 */
export const MIN_SECRET_LENGTH = 3;
export const REDACTED = '****';

export interface SecretsOptions {
  /** Folders relative paths are resolved against and shown relative to (the project root). */
  readonly bases?: readonly string[];
}

export class Secrets {
  static readonly none = new Secrets([], [], undefined, undefined);

  private constructor(
    /** The values as read, for `with` and for iteration. */
    private readonly values: readonly string[],
    private readonly bases: readonly string[],
    /** The fewest forms that find every secret: most text holds none, and this finds that fast. */
    private readonly finder: RegExp | undefined,
    /** Every form, longest first, so a whole absolute path becomes `****`, not `/project/****`. */
    private readonly pattern: RegExp | undefined,
  ) {}

  /** Secrets for `values` (values shorter than MIN_SECRET_LENGTH are ignored), with every derived form. */
  static of(values: Iterable<string>, o: SecretsOptions = {}): Secrets {
    const raw = [...new Set([...values].filter((v) => v.length >= MIN_SECRET_LENGTH))];
    const bases = [...new Set(o.bases ?? [])];
    const forms = [...new Set(raw.flatMap((v) => derivedForms(v, bases)))].filter((f) => f.length >= MIN_SECRET_LENGTH);
    if (forms.length === 0) return new Secrets(raw, bases, undefined, undefined);
    return new Secrets(raw, bases, alternation(minimalForms(forms)), alternation(forms));
  }

  /** A raw list (tests, older callers) or a Secrets, as a Secrets. */
  static from(x: Secrets | readonly string[]): Secrets {
    return x instanceof Secrets ? x : Secrets.of(x);
  }

  /** These secrets and more (e.g. `{{env}}` values in `notify` headers), with the same bases. */
  with(values: Iterable<string>): Secrets {
    return Secrets.of([...this.values, ...values], { bases: this.bases });
  }

  get isEmpty(): boolean {
    return this.finder === undefined;
  }

  [Symbol.iterator](): Iterator<string> {
    return this.values[Symbol.iterator]();
  }

  /** Whether `text` holds any form of any secret. */
  reveals(text: string): boolean {
    return this.finder !== undefined && text.search(this.finder) >= 0;
  }

  /** `text` with every form of every secret replaced by `****`. */
  redact(text: string): string {
    if (this.pattern === undefined || !this.reveals(text)) return text;
    return text.replace(this.pattern, REDACTED);
  }

  /**
   * JSON text with every secret hidden inside its strings (keys and values), so the result is
   * still valid JSON: each string is decoded, redacted and encoded again, which also covers a
   * secret that JSON escaped (`"` → `\"`). Numbers, true, false and null are left as they are.
   */
  redactJson(json: string): string {
    const p = this.finder;
    if (p === undefined || !this.reveals(json)) return json;
    // Where secrets start, found in one pass; only the strings that hold one are decoded.
    // (exec, not matchAll: matchAll copies the regexp, which cost 10 µs a line.)
    const starts: number[] = [];
    p.lastIndex = 0;
    for (let m = p.exec(json); m !== null; m = p.exec(json)) {
      starts.push(m.index);
      if (m[0].length === 0) p.lastIndex++;
    }
    p.lastIndex = 0;
    let out = '';
    let done = 0;
    let next = 0;
    // Walk the string literals with indexOf (a regexp over every literal cost 100 ms on a 4 MB
    // manifest); decode, redact and encode only the ones a secret starts in.
    for (let open = json.indexOf('"'); open >= 0 && next < starts.length; open = json.indexOf('"', open + 1)) {
      let close = json.indexOf('"', open + 1);
      while (close > 0 && backslashesBefore(json, close) % 2 === 1) close = json.indexOf('"', close + 1);
      if (close < 0) break;
      while (next < starts.length && starts[next]! < open) next++;
      if (next < starts.length && starts[next]! < close) {
        out += json.slice(done, open) + this.redactLiteral(json.slice(open, close + 1));
        done = close + 1;
      }
      open = close;
    }
    return out + json.slice(done);
  }

  private redactLiteral(literal: string): string {
    let decoded: unknown;
    try {
      decoded = JSON.parse(literal);
    } catch {
      return this.redact(literal);
    }
    return typeof decoded === 'string' ? JSON.stringify(this.redact(decoded)) : this.redact(literal);
  }

  /** A plain value (an event, a diagnostic) with every string in it, keys too, redacted. */
  redactValue<T>(value: T): T {
    if (this.finder === undefined) return value;
    return this.deep(value) as T;
  }

  /**
   * Text for a terminal or pipe: a line that is a JSON document is redacted as JSON (it stays
   * valid), any other line as text.
   */
  redactOutput(text: string): string {
    if (!this.reveals(text)) return text;
    const out: string[] = [];
    let plain: string[] = [];
    // Runs of non-JSON lines are redacted together: a secret may hold a newline.
    const flush = () => {
      if (plain.length > 0) out.push(this.redact(plain.join('\n')));
      plain = [];
    };
    for (const line of text.split('\n')) {
      if (isJsonLine(line)) {
        flush();
        out.push(this.redactJson(line));
      } else plain.push(line);
    }
    flush();
    return out.join('\n');
  }

  /** The value itself when nothing in it changes (most events hold no secret). */
  private deep(v: unknown): unknown {
    if (typeof v === 'string') return this.redact(v);
    if (Array.isArray(v)) {
      const out = v.map((x) => this.deep(x));
      return out.some((x, i) => x !== v[i]) ? out : v;
    }
    if (v && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) {
      const entries = Object.entries(v);
      const out = entries.map(([k, x]) => [this.redact(k), this.deep(x)] as const);
      return out.some(([k, x], i) => k !== entries[i]![0] || x !== entries[i]![1]) ? Object.fromEntries(out) : v;
    }
    return v;
  }
}

/** Replaces every secret in `text` with `****` (every derived form, see Secrets). */
export function redact(text: string, secrets: Secrets | readonly string[]): string {
  return Secrets.from(secrets).redact(text);
}

/**
 * Every form in which `value` can reach text etlx writes: as written and Unicode-normalized;
 * as a path normalized, absolute and relative to each base, and as a file URL; then each of
 * those SQL-quoted (`''`), identifier-quoted (`""`) or URL-encoded, and each of those
 * JSON-escaped (once, twice, or with non-ASCII as \u escapes) or SQL-quoted again (JSON
 * inside a SQL literal).
 */
export function derivedForms(value: string, bases: readonly string[] = []): string[] {
  const texts = new Set<string>();
  for (const v of [value, value.normalize('NFC'), value.normalize('NFD')]) {
    texts.add(v);
    for (const p of pathForms(v, bases)) texts.add(p);
  }
  const out = new Set<string>();
  for (const t of texts) {
    for (const a of [t, sqlQuoted(t), identQuoted(t), ...urlForms(t)]) {
      for (const b of [a, jsonEscaped(a), jsonEscaped(jsonEscaped(a)), jsonAscii(a)]) {
        out.add(b);
        out.add(sqlQuoted(b));
      }
    }
  }
  return [...out];
}

function pathForms(v: string, bases: readonly string[]): string[] {
  const normalized = path.normalize(v);
  const out = [normalized, normalized.length > 1 ? normalized.replace(/[\\/]+$/, '') : normalized];
  for (const base of bases) {
    const abs = path.resolve(base, v);
    out.push(abs, path.relative(base, abs));
    try {
      out.push(pathToFileURL(abs).href);
    } catch {
      // Not every string makes a file URL; then it can't be shown as one either.
    }
  }
  return out;
}

function urlForms(t: string): string[] {
  try {
    const component = encodeURIComponent(t);
    return [component, component.replace(/%20/g, '+'), encodeURI(t)];
  } catch {
    // A lone surrogate can't be URL-encoded, so no URL holds it.
    return [];
  }
}

const sqlQuoted = (s: string) => s.replace(/'/g, "''");
const identQuoted = (s: string) => s.replace(/"/g, '""');
const jsonEscaped = (s: string) => JSON.stringify(s).slice(1, -1);
const jsonAscii = (s: string) => jsonEscaped(s).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);

/** The forms that contain no other: a text holds a form only if it holds one of these. */
function minimalForms(forms: readonly string[]): string[] {
  const sorted = [...forms].sort((a, b) => a.length - b.length);
  const kept: string[] = [];
  for (const f of sorted) if (!kept.some((k) => f.includes(k))) kept.push(f);
  return kept;
}

/** One regexp for all forms, longest first: at each position the longest form is hidden. */
function alternation(forms: readonly string[]): RegExp {
  return new RegExp([...forms].sort((a, b) => b.length - a.length || (a < b ? -1 : 1)).map(escapeRegExp).join('|'), 'g');
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&');
}

function backslashesBefore(text: string, at: number): number {
  let n = 0;
  while (at - n - 1 >= 0 && text.charCodeAt(at - n - 1) === 92) n++;
  return n;
}

function isJsonLine(line: string): boolean {
  const t = line.trim();
  if (!(t.startsWith('{') && t.endsWith('}')) && !(t.startsWith('[') && t.endsWith(']'))) return false;
  try {
    JSON.parse(t);
    return true;
  } catch {
    return false;
  }
}
