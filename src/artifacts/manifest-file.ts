import { closeSync, mkdirSync, openSync, readFileSync, readSync, renameSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { CompiledProject } from '../compile/compile.js';
import type { ParsedProject } from '../parse/parse-project.js';
import type { Target } from '../config/profiles.js';
import { writeFileAtomic } from './json.js';
import { manifestSections, type ColumnLineageMap, type ManifestSection } from './manifest.js';
import { relativize } from './paths.js';
import type { Secrets } from '../util/redact.js';

/**
 * target/manifest.json, written atomically, with project paths relative and every secret hidden.
 * Written section by section and, in the large sections, a few hundred entries at a time: the
 * manifest of 10,000 models is 18 MB of text, which as one string (and its relativized and
 * redacted copies) with the object tree behind it was most of a cold compile's peak memory.
 * The bytes are those of `manifestJson(buildManifest(...))` (test/integration/manifest-order.test.ts).
 * Returns the generated_at written and where its line starts in the file.
 */
export function writeManifest(
  project: ParsedProject,
  compiled: CompiledProject,
  target: Target,
  targetDir: string,
  runtime: { readonly version: string; readonly now: () => Date; readonly invocationId: string },
  secrets: Secrets,
  columnLineage?: ColumnLineageMap,
): { generatedAt: string; metadataAt: number | undefined } {
  const ids = { generatedAt: runtime.now().toISOString(), invocationId: runtime.invocationId };
  const sections = manifestSections(project, compiled, target, { etlxVersion: runtime.version, ...ids }, columnLineage);
  let metadataAt: number | undefined;
  writeFileInParts(path.join(targetDir, 'manifest.json'), (put) => {
    for (const [i, section] of sections.entries()) {
      put(`${i === 0 ? '{' : ','}\n  ${JSON.stringify(section.name)}: `);
      for (const part of sectionText(section)) {
        const [at, text] = put(part, (t) => secrets.redactJson(relativize(t, project.root)));
        const line = section.name === 'metadata' ? text.indexOf(metadataText(ids)) : -1;
        if (line >= 0) metadataAt = at + Buffer.byteLength(text.slice(0, line));
      }
    }
    put('\n}\n');
  });
  return { generatedAt: ids.generatedAt, metadataAt };
}

/** How many entries of a large section are stringified at once. */
const PART_ENTRIES = 250;

/**
 * A section's value as `JSON.stringify(manifest, null, 2)` writes it at depth 1, in parts: each
 * part is stringified inside `{name: ...}`, so it has the indentation of its place, and the
 * wrapper's own text is cut off.
 */
function* sectionText(section: ManifestSection): Generator<string> {
  const key = JSON.stringify(section.name);
  if (!section.byKey) {
    const text = JSON.stringify({ [section.name]: Object.fromEntries(section.entries()) }, null, 2);
    yield text.slice(`{\n  ${key}: `.length, text.length - '\n}'.length);
    return;
  }
  const open = `{\n  ${key}: {\n`;
  const close = '\n  }\n}';
  const empty = `{\n  ${key}: {}\n}`;
  let written = false;
  let part: Record<string, unknown> = {};
  let count = 0;
  function* flush(): Generator<string> {
    const text = JSON.stringify({ [section.name]: part }, null, 2);
    part = {};
    count = 0;
    if (text === empty) return;
    yield `${written ? ',\n' : '{\n'}${text.slice(open.length, text.length - close.length)}`;
    written = true;
  }
  for (const [k, v] of section.entries()) {
    part[k] = v;
    if (++count === PART_ENTRIES) yield* flush();
  }
  if (count > 0) yield* flush();
  yield written ? '\n  }' : '{}';
}

/**
 * Writes a file through a temporary sibling and a rename, as `writeFileAtomic`, from parts given
 * to `put` (each transformed by `map` when given); `put` returns the byte offset it wrote at and
 * the text written.
 */
function writeFileInParts(file: string, write: (put: (text: string, map?: (t: string) => string) => readonly [number, string]) => void): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w');
  let offset = 0;
  try {
    write((raw, map) => {
      const text = map ? map(raw) : raw;
      const bytes = Buffer.from(text);
      for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done, bytes.length - done);
      const at = offset;
      offset += bytes.length;
      return [at, text] as const;
    });
  } catch (e) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw e;
  }
  closeSync(fd);
  renameSync(tmp, file);
}

const metadataText = (m: InvocationIds) => `    "generated_at": ${JSON.stringify(m.generatedAt)},\n    "invocation_id": ${JSON.stringify(m.invocationId)},\n`;

interface InvocationIds {
  readonly generatedAt: string;
  readonly invocationId: string;
}

/**
 * target/manifest.json with new invocation metadata (a compile of an unchanged project), the
 * rest as written. When the old metadata is at `at` and the new has the same length (a
 * timestamp and a UUID do), only those bytes are written over, in one write (the manifest of
 * 10,000 models is 18 MB); else the whole text is written again, atomically. Returns the
 * metadata's offset, or undefined when the metadata is not the one expected (nothing written).
 */
export function rewriteManifestMetadata(targetDir: string, at: number | undefined, before: InvocationIds, after: InvocationIds): number | undefined {
  const file = path.join(targetDir, 'manifest.json');
  const old = Buffer.from(metadataText(before));
  const now = Buffer.from(metadataText(after));
  if (at !== undefined && old.length === now.length) {
    const fd = openSync(file, 'r+');
    try {
      const found = Buffer.alloc(old.length);
      if (readSync(fd, found, 0, found.length, at) === found.length && found.equals(old)) {
        writeSync(fd, now, 0, now.length, at);
        return at;
      }
    } finally {
      closeSync(fd);
    }
  }
  const text = readFileSync(file, 'utf8');
  const metadata = text.indexOf('\n  "metadata": {\n');
  const oldText = metadataText(before);
  const start = metadata < 0 ? -1 : text.indexOf(oldText, metadata);
  if (start < 0) return undefined;
  writeFileAtomic(file, `${text.slice(0, start)}${metadataText(after)}${text.slice(start + oldText.length)}`);
  return Buffer.byteLength(text.slice(0, start));
}
