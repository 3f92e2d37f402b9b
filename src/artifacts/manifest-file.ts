import { closeSync, openSync, readFileSync, readSync, writeSync } from 'node:fs';
import path from 'node:path';
import type { CompiledProject } from '../compile/compile.js';
import type { ParsedProject } from '../parse/parse-project.js';
import type { Target } from '../config/profiles.js';
import { writeFileAtomic } from './json.js';
import { buildManifest, manifestJson, type ColumnLineageMap } from './manifest.js';
import { relativize } from './paths.js';
import type { Secrets } from '../util/redact.js';

/** target/manifest.json, written atomically, with project paths relative and every secret hidden; returns what was written. */
export function writeManifest(
  project: ParsedProject,
  compiled: CompiledProject,
  target: Target,
  targetDir: string,
  runtime: { readonly version: string; readonly now: () => Date; readonly invocationId: string },
  secrets: Secrets,
  columnLineage?: ColumnLineageMap,
): { text: string; generatedAt: string } {
  const generatedAt = runtime.now().toISOString();
  const manifest = buildManifest(project, compiled, target, {
    etlxVersion: runtime.version,
    generatedAt,
    invocationId: runtime.invocationId,
  }, columnLineage);
  const text = secrets.redactJson(relativize(manifestJson(manifest), project.root));
  writeFileAtomic(path.join(targetDir, 'manifest.json'), text);
  return { text, generatedAt };
}

const metadataText = (m: InvocationIds) => `    "generated_at": ${JSON.stringify(m.generatedAt)},\n    "invocation_id": ${JSON.stringify(m.invocationId)},\n`;

interface InvocationIds {
  readonly generatedAt: string;
  readonly invocationId: string;
}

/** Where in the manifest's bytes its invocation metadata starts; undefined when not found. */
export function metadataOffset(text: string, m: InvocationIds): number | undefined {
  const metadata = text.indexOf('\n  "metadata": {\n');
  const at = metadata < 0 ? -1 : text.indexOf(metadataText(m), metadata);
  return at < 0 ? undefined : Buffer.byteLength(text.slice(0, at));
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
